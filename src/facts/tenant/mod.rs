//! The tenant's answers: Microsoft Graph licences, groups and devices, the ESR roaming setting,
//! RMS/AIP activation, Conditional Access and the tenant's cloud, parsed from the shapes the real
//! APIs return. A bundle records them under `cloud/`; `cloud::live` fetches the same answers.

pub mod api;
pub mod conditional_access;
pub mod esr;
pub mod graph;
pub mod licensing;
pub mod openid;
pub mod powershell;
pub mod rms;

pub use api::Api;
use serde_json::Value;

/// Why a recorded cloud answer could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    #[error(transparent)]
    Json(#[from] crate::evidence::json::JsonError),
    #[error("`{file}` is an error answer from the service: {code}: {message}")]
    Service {
        file: String,
        code: String,
        message: String,
    },
    #[error("`{file}` does not have the shape of this API's answer ({detail})")]
    Shape { file: String, detail: String },
    /// A live call that produced no usable answer; `status` is `None` when none came back.
    #[error("{endpoint}: {}{detail}", .status.map(|s| format!("HTTP {s}: ")).unwrap_or_default())]
    Http {
        endpoint: String,
        status: Option<u16>,
        detail: String,
    },
}

/// How much of an answer of an unknown shape is shown.
const EXCERPT_CHARS: usize = 120;

impl AnswerError {
    /// An answer of a shape esr-doctor does not know, shown raw: its start, on one line,
    /// without control characters, so a person can tell what came instead.
    pub fn with_excerpt(self, text: &str) -> AnswerError {
        let AnswerError::Shape { file, detail } = self else {
            return self;
        };
        let flat: String = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let mut excerpt: String = flat.chars().take(EXCERPT_CHARS).collect();
        if flat.chars().count() > EXCERPT_CHARS {
            excerpt.push('…');
        }
        AnswerError::Shape {
            file,
            detail: format!("{detail}; the answer begins: {excerpt}"),
        }
    }

    /// Why a check is skipped for want of a role: the refusal, and what an admin does.
    pub fn needs_role_reason(&self) -> String {
        crate::i18n::fill(crate::reasons::NEEDS_ROLE, &[&self.to_string()])
    }

    /// True when the service rejected the sign-in token itself (malformed, expired): signing in
    /// again is the fix, not a role.
    pub fn is_token_problem(&self) -> bool {
        let AnswerError::Service { message, .. } = self else {
            return false;
        };
        let message = message.to_ascii_lowercase();
        message.contains("token")
            && [
                "not well-formed",
                "expired",
                "invalid",
                "malformed",
                "authorization",
            ]
            .iter()
            .any(|words| message.contains(words))
    }

    /// True when the service refused the caller (401/403-style answers), as opposed to data
    /// that says something about the tenant.
    pub fn is_access_denied(&self) -> bool {
        match self {
            AnswerError::Http { status, .. } => matches!(status, Some(401 | 403)),
            AnswerError::Service { code, .. } => {
                let code = code.to_ascii_lowercase();
                [
                    "denied",
                    "unauthorized",
                    "forbidden",
                    "invalidauthenticationtoken",
                    "401",
                    "403",
                ]
                .iter()
                .any(|needle| code.contains(needle))
            }
            _ => false,
        }
    }
}

/// Parses a JSON answer, turning the common error envelopes into `AnswerError::Service`:
/// Graph's `{"error":{"code","message"}}`, the older `{"odata.error":{"code","message":{"lang",
/// "value"}}}` of Azure AD Graph and some portal answers (reference/real-tenant.md "Error
/// envelopes"), and `{"Code","Message"}` / `{"message"}` bodies.
pub fn parse_answer(file: &str, text: &str) -> Result<Value, AnswerError> {
    let value = crate::evidence::json::parse(file, text)?;
    if let Some(error) = service_error(&value) {
        let (code, message) = error;
        return Err(AnswerError::Service {
            file: file.to_owned(),
            code,
            message,
        });
    }
    Ok(value)
}

fn service_error(value: &Value) -> Option<(String, String)> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_owned();
    if let Some(error) = value.get("odata.error") {
        let message = error.get("message");
        let message = message
            .and_then(|m| m.get("value"))
            .or(message)
            .and_then(Value::as_str)
            .unwrap_or("");
        return Some((text(error.get("code")), message.to_owned()));
    }
    if let Some(error) = value.get("error") {
        return Some(match error {
            Value::Object(_) => (text(error.get("code")), text(error.get("message"))),
            other => (
                other.as_str().unwrap_or("error").to_owned(),
                text(value.get("error_description")),
            ),
        });
    }
    // ASP.NET's error body (Azure RMS answers with it): `{"Message": …}`, perhaps with
    // `ExceptionMessage`/`ExceptionType`, and nothing else.
    let envelope = [
        "Message",
        "message",
        "ExceptionMessage",
        "ExceptionType",
        "StackTrace",
    ];
    if let Some(map) = value.as_object()
        && map.contains_key("Message")
        && !map.contains_key("Code")
        && map.keys().all(|k| envelope.contains(&k.as_str()))
    {
        let code = map
            .get("ExceptionType")
            .and_then(Value::as_str)
            .unwrap_or("error");
        return Some((code.to_owned(), text(map.get("Message"))));
    }
    // The Azure portal's error body (`main.iam.ad.ext.azure.com`): `errorCode` and a
    // `localizedErrorDetails.errorDetail`, as Microsoft's App Proxy troubleshooting doc shows
    // the portal's "Copy error" text.
    if let Some(code) = value.get("errorCode").and_then(Value::as_str) {
        let detail = value
            .get("localizedErrorDetails")
            .and_then(|d| d.get("errorDetail"))
            .or_else(|| value.get("message"));
        return Some((code.to_owned(), text(detail)));
    }
    let code = value.get("Code").or_else(|| value.get("code"))?;
    let message = value.get("Message").or_else(|| value.get("message"));
    Some((
        code.as_str()
            .map_or_else(|| code.to_string(), str::to_owned),
        text(message),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_envelopes_become_service_errors() {
        let graph = parse_answer(
            "f",
            r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}"#,
        );
        assert!(matches!(&graph, Err(e @ AnswerError::Service { .. }) if e.is_access_denied()));
        let rms = parse_answer(
            "f",
            r#"{"Code":"Microsoft.RightsManagement.Exceptions.NotSignedUpException","Message":"REST Service is disabled for this tenant."}"#,
        );
        assert!(
            matches!(&rms, Err(AnswerError::Service { code, .. }) if code.ends_with("NotSignedUpException"))
        );
        assert!(matches!(&rms, Err(e) if !e.is_access_denied()));
        let older = parse_answer(
            "cloud/roamingSettings.json",
            r#"{"odata.error":{"code":"Authorization_RequestDenied","message":{"lang":"en","value":"Insufficient privileges to complete the operation."}}}"#,
        );
        assert!(
            matches!(&older, Err(e @ AnswerError::Service { code, message, .. }) if e.is_access_denied() && code == "Authorization_RequestDenied" && message.starts_with("Insufficient")),
            "{older:?}"
        );
        assert!(matches!(
            parse_answer("f", "<html>"),
            Err(AnswerError::Json(_))
        ));
        assert_eq!(parse_answer("f", "1"), Ok(Value::from(1)));
        let portal = parse_answer(
            "cloud/roamingSettings.json",
            r#"{"errorCode":"Forbidden","localizedErrorDetails":{"errorDetail":"You do not have access to this resource."},"operationResults":null,"timeStampUtc":"2026-11-21T08:02:11Z","clientRequestId":"x"}"#,
        );
        assert!(
            matches!(&portal, Err(e @ AnswerError::Service { message, .. }) if e.is_access_denied() && message.starts_with("You do not")),
            "{portal:?}"
        );
        let rms_denied = parse_answer(
            "cloud/rmsFunctionalState.json",
            r#"{"Code":"Microsoft.RightsManagement.Exceptions.UnauthorizedAccessException","Message":"The user is not an administrator of this tenant."}"#,
        );
        assert!(
            matches!(&rms_denied, Err(e) if e.is_access_denied()),
            "{rms_denied:?}"
        );
        let token = parse_answer(
            "cloud/rmsServiceDiscovery.json",
            r#"{"Message":"The authorization token is not well-formed."}"#,
        );
        assert!(matches!(&token, Err(e) if e.is_token_problem() && !e.is_access_denied()));
    }

    #[test]
    fn an_unknown_answer_is_shown_raw_on_one_line() {
        let long = format!("{{\"weird\":\n\t\"{}\"}}", "x".repeat(300));
        let error = AnswerError::Shape {
            file: "cloud/roamingSettings.json".into(),
            detail: "no syncSetting".into(),
        }
        .with_excerpt(&long);
        let shown = error.to_string();
        assert!(
            shown.contains("no syncSetting; the answer begins: {\"weird\": \"xxx"),
            "{shown}"
        );
        assert!(
            shown.ends_with("…)") && !shown.contains('\n') && !shown.contains('\t'),
            "{shown}"
        );
        // Other failures are left as they are.
        let http = AnswerError::Http {
            endpoint: "e".into(),
            status: Some(500),
            detail: "d".into(),
        };
        assert_eq!(http.clone().with_excerpt("body"), http);
    }
}
