//! Edge `Local State` and profile `Preferences` → which account each profile is signed in with.
//!
//! Edge adds `edge_account_*` keys to Chromium's `profile.info_cache` entries and to
//! `account_info` in Preferences. `edge_account_type` 1 is a personal Microsoft account and 2 a
//! work or school account (community knowledge, not documented by Microsoft); any other value is
//! shown raw. A file without any `edge_*` key is from Chromium or Chrome, not Edge.

use crate::evidence::layout;
use serde_json::Value;

/// The tenant every personal Microsoft account signs in to.
pub const PERSONAL_ACCOUNT_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// What kind of account a profile is signed in with (the `account_kind` evidence value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    WorkOrSchool,
    Personal,
    OnPremises,
    NotSignedIn,
    Unknown,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::WorkOrSchool => "work_or_school",
            AccountKind::Personal => "personal",
            AccountKind::OnPremises => "on_premises",
            AccountKind::NotSignedIn => "not_signed_in",
            AccountKind::Unknown => "unknown",
        }
    }
}

/// One browser profile and its signed-in account.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileAccount {
    /// Profile folder name (`Default`, `Profile 1`, ...).
    pub dir: String,
    pub user_name: Option<String>,
    pub kind: AccountKind,
    /// `edge_account_type` exactly as found (for values we do not know).
    pub raw_account_type: Option<Value>,
    pub tenant_id: Option<String>,
    /// The user agreed to sync with this account (`is_consented_primary_account` /
    /// `google.services.consented_to_sync`), when recorded.
    pub sync_consented: Option<bool>,
}

/// All profiles of one Edge user-data folder.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EdgeProfiles {
    /// False when the files carry no `edge_*` key at all (Chromium or Chrome).
    pub is_edge: bool,
    /// The profile Edge used last (`profile.last_used`), when recorded.
    pub last_used: Option<String>,
    pub profiles: Vec<ProfileAccount>,
}

impl EdgeProfiles {
    /// The profile the user most likely means: the last used one, else `Default`, else the first.
    pub fn active(&self) -> Option<&ProfileAccount> {
        let by_name = |name: &str| self.profiles.iter().find(|p| p.dir == name);
        self.last_used
            .as_deref()
            .and_then(by_name)
            .or_else(|| by_name("Default"))
            .or_else(|| self.profiles.first())
    }
}

/// Why profile files could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProfileError {
    #[error(transparent)]
    Json(#[from] crate::evidence::json::JsonError),
    #[error("`{file}` is JSON but not a Chromium profile file (no object at the top)")]
    NotAnObject { file: String },
}

/// Parses `Local State` (optional) and each profile's `Preferences` (folder name, text).
pub fn parse(
    local_state: Option<&str>,
    preferences: &[(String, String)],
) -> Result<EdgeProfiles, ProfileError> {
    let mut result = EdgeProfiles::default();
    if let Some(text) = local_state {
        let root = parse_object(layout::EDGE_LOCAL_STATE, text)?;
        result.is_edge |= has_edge_keys(&root);
        let profile = root.get("profile");
        result.last_used = profile
            .and_then(|p| p.get("last_used"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(cache) = profile
            .and_then(|p| p.get("info_cache"))
            .and_then(Value::as_object)
        {
            for (dir, entry) in cache {
                result.profiles.push(account_from_info_cache(dir, entry));
            }
        }
    }
    for (dir, text) in preferences {
        let root = parse_object(&format!("edge/{dir}/Preferences"), text)?;
        result.is_edge |= has_edge_keys(&root);
        let from_prefs = account_from_preferences(dir, &root);
        match result.profiles.iter_mut().find(|p| &p.dir == dir) {
            Some(existing) => merge(existing, from_prefs),
            None => result.profiles.push(from_prefs),
        }
    }
    Ok(result)
}

fn parse_object(file: &str, text: &str) -> Result<Value, ProfileError> {
    match crate::evidence::json::parse(file, text)? {
        value @ Value::Object(_) => Ok(value),
        _ => Err(ProfileError::NotAnObject { file: file.into() }),
    }
}

/// True when any object key anywhere starts with `edge_` (bounded depth).
fn has_edge_keys(root: &Value) -> bool {
    fn walk(value: &Value, depth: usize) -> bool {
        match value {
            Value::Object(map) if depth < 6 => map
                .iter()
                .any(|(k, v)| k.starts_with("edge_") || walk(v, depth + 1)),
            Value::Array(items) if depth < 6 => items.iter().any(|v| walk(v, depth + 1)),
            _ => false,
        }
    }
    walk(root, 0)
}

fn non_empty(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl ProfileAccount {
    /// Builds a profile's account and classifies it from the same facts.
    fn new(
        dir: &str,
        user_name: Option<String>,
        tenant_id: Option<String>,
        raw_account_type: Option<Value>,
        sync_consented: Option<bool>,
    ) -> Self {
        ProfileAccount {
            dir: dir.to_owned(),
            kind: classify(
                raw_account_type.as_ref(),
                user_name.as_deref(),
                tenant_id.as_deref(),
            ),
            user_name,
            raw_account_type,
            tenant_id,
            sync_consented,
        }
    }
}

fn account_from_info_cache(dir: &str, entry: &Value) -> ProfileAccount {
    ProfileAccount::new(
        dir,
        non_empty(entry.get("user_name")),
        non_empty(entry.get("edge_account_tenant_id")),
        entry.get("edge_account_type").cloned(),
        entry
            .get("is_consented_primary_account")
            .and_then(Value::as_bool),
    )
}

fn account_from_preferences(dir: &str, root: &Value) -> ProfileAccount {
    let account = root
        .get("account_info")
        .and_then(Value::as_array)
        .and_then(|list| list.first());
    ProfileAccount::new(
        dir,
        non_empty(account.and_then(|a| a.get("email")))
            .or_else(|| non_empty(root.pointer("/google/services/last_username"))),
        non_empty(account.and_then(|a| a.get("edge_account_tenant_id"))),
        account.and_then(|a| a.get("edge_account_type")).cloned(),
        root.pointer("/google/services/consented_to_sync")
            .and_then(Value::as_bool),
    )
}

/// Fills gaps in the Local State view with what Preferences knows.
fn merge(existing: &mut ProfileAccount, prefs: ProfileAccount) {
    *existing = ProfileAccount::new(
        &existing.dir,
        existing.user_name.take().or(prefs.user_name),
        existing.tenant_id.take().or(prefs.tenant_id),
        existing.raw_account_type.take().or(prefs.raw_account_type),
        existing.sync_consented.or(prefs.sync_consented),
    );
}

fn classify(account_type: Option<&Value>, user: Option<&str>, tenant: Option<&str>) -> AccountKind {
    if tenant.is_some_and(|t| t.eq_ignore_ascii_case(PERSONAL_ACCOUNT_TENANT)) {
        return AccountKind::Personal;
    }
    match account_type.and_then(Value::as_i64) {
        Some(1) => AccountKind::Personal,
        Some(2) => AccountKind::WorkOrSchool,
        Some(0) | None if user.is_none() => AccountKind::NotSignedIn,
        Some(0) | None => match user {
            // A down-level `DOMAIN\user` name with no tenant: an Active Directory profile.
            Some(u) if u.contains('\\') && tenant.is_none() => AccountKind::OnPremises,
            _ => AccountKind::Unknown,
        },
        Some(_) => AccountKind::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::text::{decode, variants};

    const EDGE_TEMPLATE: &str = include_str!(
        "../../tests/fixtures/edge-profile/edge-local-state-not-signed-in-template.json"
    );
    const CHROMIUM: &str = include_str!(
        "../../tests/fixtures/edge-profile/chromium-linux-local-state-not-signed-in.json"
    );

    fn local_state_with(entry: &str) -> String {
        format!(
            r#"{{"profile":{{"last_used":"Profile 1","info_cache":{{"Default":{{"user_name":""}},"Profile 1":{entry}}}}}}}"#
        )
    }

    #[test]
    fn edge_template_is_an_edge_profile_not_signed_in() {
        let profiles = parse(Some(EDGE_TEMPLATE), &[]).unwrap_or_default();
        assert!(profiles.is_edge);
        let active = profiles.active().cloned();
        assert_eq!(active.as_ref().map(|p| p.dir.as_str()), Some("Default"));
        assert_eq!(
            active.as_ref().map(|p| p.kind),
            Some(AccountKind::NotSignedIn)
        );
        assert_eq!(
            active.and_then(|p| p.raw_account_type),
            Some(Value::from(0))
        );
    }

    #[test]
    fn chromium_local_state_reads_as_not_edge_without_error() {
        let profiles = parse(Some(CHROMIUM), &[]);
        assert_eq!(profiles.as_ref().map(|p| p.is_edge), Ok(false));
        assert_eq!(profiles.map(|p| p.profiles.len()), Ok(1));
    }

    #[test]
    fn account_types_and_the_personal_tenant() {
        let cases = [
            (
                r#"{"user_name":"ann@fabrikam.com","edge_account_type":2,"edge_account_tenant_id":"0f0c5e1a-0000-4000-8000-000000000001"}"#,
                AccountKind::WorkOrSchool,
            ),
            (
                r#"{"user_name":"ann@outlook.com","edge_account_type":1}"#,
                AccountKind::Personal,
            ),
            (
                r#"{"user_name":"ann@outlook.com","edge_account_type":2,"edge_account_tenant_id":"9188040d-6c67-4c5b-b112-36a304b66dad"}"#,
                AccountKind::Personal,
            ),
            (
                r#"{"user_name":"CONTOSO\\ann","edge_account_type":0}"#,
                AccountKind::OnPremises,
            ),
            (
                r#"{"user_name":"ann@fabrikam.com","edge_account_type":3}"#,
                AccountKind::Unknown,
            ),
            (
                r#"{"user_name":"","edge_account_type":0}"#,
                AccountKind::NotSignedIn,
            ),
        ];
        for (entry, want) in cases {
            let profiles = parse(Some(&local_state_with(entry)), &[]).unwrap_or_default();
            assert_eq!(profiles.active().map(|p| p.kind), Some(want), "{entry}");
        }
    }

    #[test]
    fn preferences_fill_in_what_local_state_lacks() {
        let prefs = r#"{"account_info":[{"email":"ann@fabrikam.com","edge_account_type":2,"edge_account_tenant_id":"t-1"}],"google":{"services":{"consented_to_sync":true}}}"#;
        let profiles = parse(
            Some(&local_state_with(r#"{"user_name":""}"#)),
            &[("Profile 1".into(), prefs.into())],
        )
        .unwrap_or_default();
        let active = profiles.active().cloned();
        assert_eq!(
            active.as_ref().map(|p| p.kind),
            Some(AccountKind::WorkOrSchool)
        );
        assert_eq!(
            active.as_ref().and_then(|p| p.tenant_id.as_deref()),
            Some("t-1")
        );
        assert_eq!(active.and_then(|p| p.sync_consented), Some(true));
    }

    #[test]
    fn every_encoding_reads_the_same() {
        let expected = parse(Some(EDGE_TEMPLATE), &[]);
        for (name, bytes) in variants::encodings(EDGE_TEMPLATE) {
            assert_eq!(
                parse(Some(&decode(&bytes)), &[]),
                expected,
                "variant {name}"
            );
        }
    }

    #[test]
    fn truncated_and_garbage_files_are_clear_errors() {
        let truncated = parse(Some(variants::truncated(EDGE_TEMPLATE, 60)), &[]);
        assert!(
            matches!(truncated, Err(ProfileError::Json(ref e)) if e.file() == "edge/Local State")
        );
        assert!(matches!(
            parse(Some("[1,2]"), &[]),
            Err(ProfileError::NotAnObject { .. })
        ));
        assert!(parse(None, &[("Default".into(), "\u{0}garbage".into())]).is_err());
    }
}
