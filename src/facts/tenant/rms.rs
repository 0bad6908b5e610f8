//! Azure Rights Management (AIP) activation: the user's view (service discovery at
//! `api.aadrm.com/my/v1/servicediscovery`) and the admin's (`FunctionalState`).

use super::{AnswerError, parse_answer};
use serde_json::Value;

/// What service discovery said for the signed-in user.
#[derive(Debug, Clone, PartialEq)]
pub enum Discovery {
    /// The list of RMS services: RMS works for this user.
    Services(Vec<String>),
    /// `NotSignedUpException`: RMS is not activated for the tenant.
    TenantNotActivated,
    /// `ServiceDisabledException`: disabled for this user (onboarding control policy).
    UserScopedOut,
    /// `ServiceDisabledForApplicationException` / `DevicePlatform*Exception`.
    PlatformDisabled(String),
    /// `UnknownTenantException` / `UnrecognizedUrlException`: no cloud RMS tenant.
    UnknownTenant,
    /// Any other error code, raw.
    OtherError { code: String, message: String },
}

/// Parses a recorded service-discovery answer (the list, or an error body).
pub fn parse_discovery(file: &str, text: &str) -> Result<Discovery, AnswerError> {
    match parse_answer(file, text) {
        Ok(Value::Array(items)) => Ok(Discovery::Services(
            items
                .iter()
                .filter_map(|i| i.get("Name").and_then(Value::as_str).map(str::to_owned))
                .collect(),
        )),
        Ok(_) => Err(AnswerError::Shape {
            file: file.to_owned(),
            detail: "expected a list of services or an error body".into(),
        }),
        // A rejected token says nothing about the tenant: signing in again is the fix.
        Err(e) if e.is_token_problem() => Err(e),
        // A platform Azure RMS does not recognise is the one esr-doctor's request named, not
        // anything the tenant set (reference/real-tenant.md "Service discovery"): no answer.
        Err(AnswerError::Service {
            file,
            code,
            message,
        }) if code.ends_with("DevicePlatformNotRecognizedException") => Err(AnswerError::Service {
            file,
            code,
            message: format!(
                "{message} (Azure RMS did not recognise the platform esr-doctor's request named; this says nothing about the tenant)"
            ),
        }),
        Err(AnswerError::Service { code, message, .. }) => Ok(classify(code, message)),
        Err(other) => Err(other),
    }
}

fn classify(code: String, message: String) -> Discovery {
    let name = code.rsplit('.').next().unwrap_or(&code).to_owned();
    match name.as_str() {
        "NotSignedUpException" => Discovery::TenantNotActivated,
        "ServiceDisabledException" => Discovery::UserScopedOut,
        "ServiceDisabledForApplicationException" | "DevicePlatformDisabledException" => {
            Discovery::PlatformDisabled(name)
        }
        "UnknownTenantException" | "UnrecognizedUrlException" => Discovery::UnknownTenant,
        _ => Discovery::OtherError { code, message },
    }
}

/// The tenant's `FunctionalState` (what `Get-AipService` shows).
#[derive(Debug, Clone, PartialEq)]
pub enum FunctionalState {
    Enabled,
    Disabled,
    /// Not a value we know, raw.
    Unknown(Value),
}

impl FunctionalState {
    /// The stable `functional_state` evidence value.
    pub fn as_str(&self) -> &'static str {
        match self {
            FunctionalState::Enabled => "enabled",
            FunctionalState::Disabled => "disabled",
            FunctionalState::Unknown(_) => "unknown",
        }
    }
}

/// Lenient: `1`, `"1"`, `"Enabled"`, `{"FunctionalState": ...}`; `0`/`"Disabled"` are disabled.
pub fn parse_functional_state(file: &str, text: &str) -> Result<FunctionalState, AnswerError> {
    let value = parse_answer(file, text)?;
    let inner = value
        .get("FunctionalState")
        .or_else(|| value.get("functionalState"))
        .unwrap_or(&value);
    let state = match inner {
        Value::Number(n) if n.as_i64() == Some(1) => FunctionalState::Enabled,
        Value::Number(n) if n.as_i64() == Some(0) => FunctionalState::Disabled,
        Value::Bool(true) => FunctionalState::Enabled,
        Value::Bool(false) => FunctionalState::Disabled,
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "enabled" => FunctionalState::Enabled,
            "0" | "disabled" => FunctionalState::Disabled,
            _ => FunctionalState::Unknown(inner.clone()),
        },
        other => FunctionalState::Unknown(other.clone()),
    };
    Ok(state)
}

/// The AIP onboarding control policy (`Get-AipServiceOnboardingControlPolicy`): RMS may be
/// limited to the members of one security group.
#[derive(Debug, Clone, PartialEq)]
pub struct OnboardingPolicy {
    pub use_rms_user_license: Option<bool>,
    /// The group RMS is limited to, when it is.
    pub security_group: Option<String>,
    /// `All`, `WindowsApp`, `MobileApp`, raw.
    pub scope: Option<String>,
}

impl OnboardingPolicy {
    /// True when the policy limits RMS at all (to a group, or to licensed users).
    pub fn limits(&self) -> bool {
        self.limiting_group().is_some() || self.use_rms_user_license == Some(true)
    }

    /// The group that limits RMS, if the policy limits it to one.
    pub fn limiting_group(&self) -> Option<&str> {
        let group = self.security_group.as_deref()?.trim();
        let unset = group.is_empty() || group.chars().all(|c| c == '0' || c == '-');
        (!unset).then_some(group)
    }
}

/// The field `key` of a JSON object, matched without regard to case (the admin API's JSON
/// names are not documented; PowerShell shows them in PascalCase).
fn field<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    value
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn shape(file: &str, detail: &str) -> AnswerError {
    AnswerError::Shape {
        file: file.to_owned(),
        detail: detail.to_owned(),
    }
}

/// `{admin}/OnboardingControlPolicy`.
pub fn parse_onboarding_policy(file: &str, text: &str) -> Result<OnboardingPolicy, AnswerError> {
    let value = parse_answer(file, text)?;
    if !value.is_object() {
        return Err(shape(file, "expected an object with the policy's fields"));
    }
    let text_of = |key: &str| {
        field(&value, key).and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        })
    };
    Ok(OnboardingPolicy {
        use_rms_user_license: field(&value, "UseRmsUserLicense").and_then(|v| {
            v.as_bool()
                .or_else(|| v.as_str().map(|s| s.eq_ignore_ascii_case("true")))
        }),
        security_group: text_of("SecurityGroupObjectId"),
        scope: text_of("Scope"),
    })
}

/// Whether the IPCv3 service, which Edge sync needs, is on (`IPCv3ServiceFunctionalState`).
#[derive(Debug, Clone, PartialEq)]
pub enum Ipcv3State {
    Enabled,
    Disabled,
    /// Not a value we know (or absent), raw.
    Unknown(Value),
}

/// `{admin}/Configuration`: the fields `Get-AipServiceConfiguration` shows.
pub fn parse_configuration(file: &str, text: &str) -> Result<Ipcv3State, AnswerError> {
    let value = parse_answer(file, text)?;
    if !value.is_object() {
        return Err(shape(
            file,
            "expected an object with the configuration's fields",
        ));
    }
    let raw = field(&value, "IPCv3ServiceFunctionalState")
        .cloned()
        .unwrap_or(Value::Null);
    Ok(match &raw {
        Value::Number(n) if n.as_i64() == Some(1) => Ipcv3State::Enabled,
        Value::Number(n) if n.as_i64() == Some(0) => Ipcv3State::Disabled,
        Value::Bool(on) => {
            if *on {
                Ipcv3State::Enabled
            } else {
                Ipcv3State::Disabled
            }
        }
        Value::String(s) if s.eq_ignore_ascii_case("enabled") => Ipcv3State::Enabled,
        Value::String(s) if s.eq_ignore_ascii_case("disabled") => Ipcv3State::Disabled,
        _ => Ipcv3State::Unknown(raw),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_list_and_error_codes() {
        let ok = parse_discovery(
            "d",
            r#"[{"Name":"enduserlicenses","Uri":"https://x/my/v1/enduserlicenses"},{"Name":"templates","Uri":"https://x"}]"#,
        );
        assert_eq!(
            ok,
            Ok(Discovery::Services(vec![
                "enduserlicenses".into(),
                "templates".into()
            ]))
        );
        let cases = [
            (
                "Microsoft.RightsManagement.Exceptions.NotSignedUpException",
                Discovery::TenantNotActivated,
            ),
            (
                "Microsoft.RightsManagement.Exceptions.ServiceDisabledException",
                Discovery::UserScopedOut,
            ),
            (
                "Microsoft.RightsManagement.Exceptions.UnknownTenantException",
                Discovery::UnknownTenant,
            ),
            (
                "Microsoft.RightsManagement.Exceptions.DevicePlatformDisabledException",
                Discovery::PlatformDisabled("DevicePlatformDisabledException".into()),
            ),
        ];
        for (code, want) in cases {
            let body = format!(r#"{{"Code":"{code}","Message":"m"}}"#);
            assert_eq!(parse_discovery("d", &body), Ok(want), "{code}");
        }
        let ours = parse_discovery(
            "d",
            r#"{"Code":"Microsoft.RightsManagement.Exceptions.DevicePlatformNotRecognizedException","Message":"m"}"#,
        );
        assert!(
            matches!(&ours, Err(AnswerError::Service { message, .. }) if message.contains("says nothing about the tenant")),
            "{ours:?}"
        );
        assert!(matches!(
            parse_discovery("d", r#"{"Code":"Weird","Message":"m"}"#),
            Ok(Discovery::OtherError { .. })
        ));
        assert!(matches!(
            parse_discovery("d", r#"{"x":1}"#),
            Err(AnswerError::Shape { .. })
        ));
        assert!(matches!(
            parse_discovery("d", "[{"),
            Err(AnswerError::Json(_))
        ));
    }

    #[test]
    fn onboarding_policy_and_ipcv3_state() {
        let policy = parse_onboarding_policy(
            "p",
            r#"{"useRmsUserLicense":true,"securityGroupObjectId":"5f8e2c7a-0b3d-4e91-a6f4-c2d7e9b1a058","scope":"WindowsApp"}"#,
        );
        assert_eq!(
            policy.as_ref().ok().and_then(|p| p.limiting_group()),
            Some("5f8e2c7a-0b3d-4e91-a6f4-c2d7e9b1a058")
        );
        let open = parse_onboarding_policy(
            "p",
            r#"{"UseRmsUserLicense":false,"SecurityGroupObjectId":"00000000-0000-0000-0000-000000000000","Scope":"All"}"#,
        );
        assert_eq!(
            open.ok()
                .and_then(|p| p.limiting_group().map(str::to_owned)),
            None
        );
        assert!(matches!(
            parse_onboarding_policy("p", "[1]"),
            Err(AnswerError::Shape { .. })
        ));
        let read = |t: &str| parse_configuration("c", t);
        assert_eq!(
            read(r#"{"IPCv3ServiceFunctionalState":"Enabled"}"#),
            Ok(Ipcv3State::Enabled)
        );
        assert_eq!(
            read(r#"{"ipcv3ServiceFunctionalState":0}"#),
            Ok(Ipcv3State::Disabled)
        );
        assert_eq!(read("{}"), Ok(Ipcv3State::Unknown(Value::Null)));
        assert!(read("<html>").is_err());
    }

    #[test]
    fn functional_state_in_every_observed_form() {
        let read = |t: &str| parse_functional_state("f", t);
        assert_eq!(read("1"), Ok(FunctionalState::Enabled));
        assert_eq!(read("\"Enabled\""), Ok(FunctionalState::Enabled));
        assert_eq!(
            read(r#"{"FunctionalState":"Disabled"}"#),
            Ok(FunctionalState::Disabled)
        );
        assert_eq!(read("0"), Ok(FunctionalState::Disabled));
        assert_eq!(
            read("\"Paused\""),
            Ok(FunctionalState::Unknown(Value::from("Paused")))
        );
        assert!(read("").is_err());
    }
}
