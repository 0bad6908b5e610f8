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
        Err(AnswerError::Service { code, message, .. }) => Ok(classify(code, message)),
        Err(other) => Err(other),
    }
}

fn classify(code: String, message: String) -> Discovery {
    let name = code.rsplit('.').next().unwrap_or(&code).to_owned();
    match name.as_str() {
        "NotSignedUpException" => Discovery::TenantNotActivated,
        "ServiceDisabledException" => Discovery::UserScopedOut,
        "ServiceDisabledForApplicationException"
        | "DevicePlatformDisabledException"
        | "DevicePlatformNotRecognizedException" => Discovery::PlatformDisabled(name),
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
            Err(AnswerError::InvalidJson { .. })
        ));
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
