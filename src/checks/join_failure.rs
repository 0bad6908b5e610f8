//! What dsregcmd's own diagnosis says went wrong: the phase and code of a failed hybrid join
//! (one finding per phase, so each has its fix) and the last PRT attempt's error.
//!
//! The phases and codes are Microsoft's (see `facts::windows_errors`); a phase or code that is
//! not one of them is shown as written, never guessed.

use crate::facts::dsregcmd::DsregStatus;
use crate::facts::join_diagnostics::{JoinDiagnostics, JoinFailure, PrtAttempt};
use crate::facts::windows_errors::{self, Phase};
use crate::model::{Feature, Finding, Severity};
use serde_json::{Map, Value, json};

pub const CODES: [&str; 4] = [
    "HYBRID_JOIN_PRECHECK_FAILED",
    "HYBRID_JOIN_DISCOVER_FAILED",
    "HYBRID_JOIN_AUTH_FAILED",
    "HYBRID_JOIN_REGISTRATION_FAILED",
];

const WINDOWS: &[Feature] = &[Feature::WindowsSettings];

fn code_for(phase: Phase) -> &'static str {
    match phase {
        Phase::Precheck => "HYBRID_JOIN_PRECHECK_FAILED",
        Phase::Discover => "HYBRID_JOIN_DISCOVER_FAILED",
        Phase::Auth => "HYBRID_JOIN_AUTH_FAILED",
        Phase::Join => "HYBRID_JOIN_REGISTRATION_FAILED",
    }
}

/// The finding for a failed hybrid join that dsregcmd diagnosed, with `join_failure` in the
/// evidence; `None` when the capture holds no diagnosis or the phase is not one of
/// Microsoft's (the caller then keeps its general finding, which `described` words).
pub fn finding(status: &DsregStatus, evidence: &mut Map<String, Value>) -> Option<Finding> {
    let diagnostics = JoinDiagnostics::read(status);
    let failure = diagnostics.failure()?;
    evidence.insert(
        "join_failure".into(),
        failure_evidence(&failure, &diagnostics),
    );
    let phase = failure.phase?;
    Some(Finding::new(
        code_for(phase),
        Severity::Fail,
        WINDOWS,
        format!(
            "The hybrid join failed in the {} phase{}. {}",
            phase.as_str(),
            failure
                .test
                .map(|t| format!(" ({t} failed)"))
                .unwrap_or_default(),
            described(&failure)
        ),
    ))
}

/// The code, the one beneath it and the server's words, each with its meaning and fix.
pub fn described(failure: &JoinFailure) -> String {
    let mut words = Vec::new();
    if let Some(raw) = &failure.phase_raw {
        words.push(format!("dsregcmd names the phase {raw:?}."));
    }
    match (failure.code, &failure.code_raw) {
        (Some(code), _) => words.push(code_words("Error", code)),
        (None, Some(raw)) => words.push(format!("Client ErrorCode: {raw:?}.")),
        (None, None) => {}
    }
    if let Some(sub) = failure.sub_code {
        words.push(code_words("Beneath it", sub));
    }
    if let Some(server) = &failure.server {
        words.push(format!("The registration service said: {server}"));
    }
    words.join(" ")
}

fn code_words(label: &str, code: u32) -> String {
    match windows_errors::lookup(code) {
        Some(known) => format!(
            "{label} 0x{code:08x} {}: {} Who: {} Fix: {}",
            known.name, known.meaning, known.who, known.fix
        ),
        None => format!("{label} 0x{code:08x} (esr-doctor does not know this code)."),
    }
}

fn failure_evidence(failure: &JoinFailure, diagnostics: &JoinDiagnostics) -> Value {
    let hex = |code: Option<u32>| code.map(|c| format!("0x{c:08x}"));
    json!({
        "phase": failure.phase.map(Phase::as_str).or(failure.phase_raw.as_deref()),
        "code": hex(failure.code).or_else(|| failure.code_raw.clone()),
        "code_name": failure.code.and_then(windows_errors::lookup).map(|e| e.name),
        "sub_code": hex(failure.sub_code),
        "failed_test": failure.test,
        "server": failure.server,
        "previous_registration": diagnostics.previous.as_ref().and_then(|p| p.when.clone()),
        "registration_type": diagnostics.previous.as_ref().and_then(|p| p.registration_type.clone()),
    })
}

/// The last failed PRT attempt in words, for the `PRT_MISSING` finding.
pub fn prt_attempt_words(status: &DsregStatus) -> Option<String> {
    let attempts = JoinDiagnostics::read(status).prt_attempts;
    let attempt = attempts.iter().find(|a| a.failure_code().is_some())?;
    Some(prt_words(attempt))
}

fn prt_words(attempt: &PrtAttempt) -> String {
    let code = attempt.failure_code().unwrap_or_default();
    let mut words = format!(
        "The last PRT {} attempt{} failed: {}",
        attempt.kind,
        attempt
            .when
            .as_deref()
            .map(|w| format!(" ({w})"))
            .unwrap_or_default(),
        code_words("error", code)
    );
    let server = [&attempt.server_error, &attempt.server_description]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect::<Vec<_>>();
    if !server.is_empty() {
        words.push_str(&format!(" Entra ID answered: {}.", server.join(": ")));
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::dsregcmd::parse;

    #[test]
    fn each_documented_phase_has_its_own_finding() {
        for (phase, code) in [
            ("precheck", "HYBRID_JOIN_PRECHECK_FAILED"),
            ("discover", "HYBRID_JOIN_DISCOVER_FAILED"),
            ("auth", "HYBRID_JOIN_AUTH_FAILED"),
            ("join", "HYBRID_JOIN_REGISTRATION_FAILED"),
        ] {
            let text = format!("Error Phase : {phase}\nClient ErrorCode : 0x801c001d\n");
            let mut evidence = Map::new();
            let found = finding(&parse(&text), &mut evidence);
            assert_eq!(found.map(|f| f.code), Some(code.to_owned()), "{phase}");
        }
    }

    #[test]
    fn an_unknown_phase_gives_no_phase_finding_but_keeps_the_raw_words() {
        let mut evidence = Map::new();
        let status = parse("Error Phase : warp\nClient ErrorCode : 0x12345678\n");
        assert_eq!(finding(&status, &mut evidence), None);
        assert_eq!(evidence["join_failure"]["phase"], "warp");
        assert_eq!(evidence["join_failure"]["code"], "0x12345678");
        let failure = JoinDiagnostics::read(&status)
            .failure()
            .unwrap_or_else(|| panic!("read"));
        let words = described(&failure);
        assert!(
            words.contains("\"warp\"") && words.contains("does not know"),
            "{words}"
        );
    }

    #[test]
    fn a_sub_error_and_the_server_words_are_named_with_their_meaning() {
        let text = "DRS Discovery Test : FAIL [0x801c0021/0x80072ee2]\n";
        let status = parse(&format!("| Diagnostic Data |\n{text}"));
        let mut evidence = Map::new();
        let found = finding(&status, &mut evidence).unwrap_or_else(|| panic!("no finding"));
        assert_eq!(found.code, "HYBRID_JOIN_DISCOVER_FAILED");
        assert!(
            found.message.contains("DSREG_AUTOJOIN_DISC_FAILED"),
            "{}",
            found.message
        );
        assert!(
            found.message.contains("0x80072ee2 WININET_E_TIMEOUT"),
            "{}",
            found.message
        );
        assert!(
            found.message.contains("enterpriseregistration.windows.net"),
            "{}",
            found.message
        );
        assert_eq!(evidence["join_failure"]["sub_code"], "0x80072ee2");
    }
}
