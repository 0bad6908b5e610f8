//! Conditional Access policies as Graph lists them (`GET /identity/conditionalAccess/policies`,
//! the `conditionalAccessPolicy` resource of Graph v1.0). Only the parts that decide whether a
//! policy can stop Edge sync are read: its state, the apps and users it targets, and what it
//! grants with. Unknown values are kept raw.

use super::AnswerError;
use serde::Deserialize;

/// The app id of "Microsoft Azure Information Protection" (the Microsoft Rights Management
/// Services service principal): Edge's sync FAQ says a policy on this app can block sync on
/// unmanaged devices (MicrosoftDocs/Edge-Enterprise `microsoft-edge-enterprise-sync-faq.md`).
pub const AIP_APP_ID: &str = "00000012-0000-0000-c000-000000000000";

/// One policy.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    #[serde(default)]
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(default)]
    #[serde(deserialize_with = "nullable")]
    pub display_name: String,
    /// `enabled`, `disabled` or `enabledForReportingButNotEnforced`.
    #[serde(default)]
    #[serde(deserialize_with = "nullable")]
    pub state: String,
    #[serde(default)]
    #[serde(deserialize_with = "nullable")]
    pub conditions: Conditions,
    #[serde(default)]
    pub grant_controls: Option<GrantControls>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Conditions {
    pub applications: Option<Applications>,
    pub users: Option<Users>,
    /// `all`, `browser`, `mobileAppsAndDesktopClients`, `exchangeActiveSync`, `other`.
    #[serde(deserialize_with = "nullable")]
    pub client_app_types: Vec<String>,
    pub platforms: Option<Platforms>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Platforms {
    /// `all`, `android`, `iOS`, `windows`, `windowsPhone`, `macOS`, `linux`.
    #[serde(deserialize_with = "nullable")]
    pub include_platforms: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub exclude_platforms: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Applications {
    #[serde(deserialize_with = "nullable")]
    pub include_applications: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub exclude_applications: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Users {
    #[serde(deserialize_with = "nullable")]
    pub include_users: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub exclude_users: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub include_groups: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub exclude_groups: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub include_roles: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub exclude_roles: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GrantControls {
    /// `AND` or `OR`.
    #[serde(deserialize_with = "nullable")]
    pub operator: String,
    /// `block`, `mfa`, `compliantDevice`, `domainJoinedDevice`, `approvedApplication`, ...
    #[serde(deserialize_with = "nullable")]
    pub built_in_controls: Vec<String>,
}

impl Policy {
    /// Enforced (not off, not report-only).
    pub fn is_enforced(&self) -> bool {
        self.state.eq_ignore_ascii_case("enabled")
    }

    /// Whether the policy targets the AIP app, directly or as "All" cloud apps.
    pub fn targets_aip(&self) -> bool {
        let Some(apps) = &self.conditions.applications else {
            return false;
        };
        let named = |list: &[String], id: &str| list.iter().any(|a| a.eq_ignore_ascii_case(id));
        (named(&apps.include_applications, "All") || named(&apps.include_applications, AIP_APP_ID))
            && !named(&apps.exclude_applications, AIP_APP_ID)
    }
}

/// Graph sends `null` for many empty lists and strings; read it as empty.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// `GET /identity/conditionalAccess/policies`.
pub fn parse_policies(file: &str, text: &str) -> Result<Vec<Policy>, AnswerError> {
    super::graph::collection(file, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_on_all_apps_or_the_aip_app_targets_aip() {
        let text = r#"{"value":[
          {"id":"1","displayName":"All apps","state":"enabled","conditions":{"applications":{"includeApplications":["All"],"excludeApplications":[]},"users":{"includeUsers":["All"]}},"grantControls":{"operator":"OR","builtInControls":["compliantDevice"]}},
          {"id":"2","displayName":"AIP excluded","state":"enabled","conditions":{"applications":{"includeApplications":["All"],"excludeApplications":["00000012-0000-0000-C000-000000000000"]}},"grantControls":null},
          {"id":"3","displayName":"Report only","state":"enabledForReportingButNotEnforced","conditions":{"applications":{"includeApplications":["00000012-0000-0000-c000-000000000000"]}}},
          {"id":"4","displayName":null,"state":"enabled","conditions":{"applications":{"includeApplications":["Office365"],"excludeApplications":null},"users":null,"clientAppTypes":null,"platforms":null}}
        ]}"#;
        let policies = parse_policies("p", text).unwrap_or_default();
        let aip: Vec<bool> = policies.iter().map(Policy::targets_aip).collect();
        assert_eq!(aip, [true, false, true, false]);
        let enforced: Vec<bool> = policies.iter().map(Policy::is_enforced).collect();
        assert_eq!(enforced, [true, true, false, true]);
    }

    #[test]
    fn refusals_and_wrong_shapes() {
        let denied = parse_policies(
            "p",
            r#"{"error":{"code":"AccessDenied","message":"You cannot perform the requested operation, required scopes are missing in the token."}}"#,
        );
        assert!(
            matches!(&denied, Err(e) if e.is_access_denied()),
            "{denied:?}"
        );
        assert!(matches!(
            parse_policies("p", r#"{"value":{}}"#),
            Err(AnswerError::Shape { .. })
        ));
    }
}
