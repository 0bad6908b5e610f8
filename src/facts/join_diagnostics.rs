//! dsregcmd's own diagnosis: the pre-join tests and the previous registration attempt of a
//! failed hybrid join (Diagnostic Data), and the last PRT attempts (SSO State).
//!
//! Field names and their meaning follow Microsoft's hybrid-join troubleshooting page (see
//! `windows_errors::SOURCE`) and real captures (`tests/fixtures/dsregcmd/`). Values that do not
//! read as expected are kept raw, so a face can show them instead of guessing.

use super::dsregcmd::DsregStatus;
use super::event_log::parse_code;
use super::windows_errors::Phase;

/// What one pre-join test said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Skipped,
    /// `FAIL [0x801c0021/0x80072ee2]`: the error and, after the slash, the one beneath it.
    Fail {
        code: Option<u32>,
        sub_code: Option<u32>,
    },
    /// Anything else, as written.
    Other(String),
}

/// One of the tests dsregcmd runs before a hybrid join, in its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreJoinTest {
    pub name: &'static str,
    /// The phase a failure of this test stops the join in.
    pub phase: Phase,
    pub outcome: Outcome,
}

/// The tests, by dsregcmd's name, and the phase each belongs to.
const TESTS: [(&str, Phase); 6] = [
    ("AD Connectivity Test", Phase::Precheck),
    ("AD Configuration Test", Phase::Discover),
    ("DRS Discovery Test", Phase::Discover),
    ("DRS Connectivity Test", Phase::Discover),
    ("Kerberos Ticket Test", Phase::Auth),
    ("Token acquisition Test", Phase::Auth),
];

/// The "Previous Registration" block: the last join attempt that failed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PreviousRegistration {
    pub when: Option<String>,
    /// `sync` or `fed`, as written.
    pub registration_type: Option<String>,
    /// `Error Phase`, as written (see `Phase::parse`).
    pub phase: Option<String>,
    /// `Client ErrorCode`, as written.
    pub client_code: Option<String>,
    /// `Server ErrorCode` (DRS's word, e.g. `DirectoryError`).
    pub server_code: Option<String>,
    pub server_message: Option<String>,
    pub https_status: Option<String>,
}

/// One `AcquirePrtDiagnostics` or `RefreshPrtDiagnostics` block of SSO State.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrtAttempt {
    /// `acquire` or `refresh`.
    pub kind: &'static str,
    pub when: Option<String>,
    /// `Attempt Status`, as written (`0xc000006d`).
    pub status: Option<String>,
    pub credential_type: Option<String>,
    pub http_status: Option<String>,
    /// `Server Error Code` (OAuth's word, e.g. `invalid_grant`).
    pub server_error: Option<String>,
    /// `Server Error Description`, often starting with an AADSTS code.
    pub server_description: Option<String>,
}

impl PrtAttempt {
    /// The attempt status as a code, when it reads as one and is not success.
    pub fn failure_code(&self) -> Option<u32> {
        self.status
            .as_deref()
            .and_then(parse_code)
            .filter(|c| *c != 0)
    }
}

/// Where the join failed and with what, read from the tests and the previous registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinFailure {
    /// The phase, when it reads as one of dsregcmd's.
    pub phase: Option<Phase>,
    /// The phase as written, when it does not.
    pub phase_raw: Option<String>,
    pub code: Option<u32>,
    /// The code as written, when it does not read as one.
    pub code_raw: Option<String>,
    pub sub_code: Option<u32>,
    /// The failed pre-join test that says it, if any.
    pub test: Option<&'static str>,
    /// The registration service's own words (`DirectoryError: The device object ...`).
    pub server: Option<String>,
}

/// Everything dsregcmd diagnosed about the join and the PRT.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JoinDiagnostics {
    pub tests: Vec<PreJoinTest>,
    pub previous: Option<PreviousRegistration>,
    pub prt_attempts: Vec<PrtAttempt>,
    /// `Fallback to Sync-Join`, as written.
    pub sync_join_fallback: Option<String>,
}

impl JoinDiagnostics {
    pub fn read(status: &DsregStatus) -> JoinDiagnostics {
        let tests = TESTS
            .iter()
            .filter_map(|(name, phase)| {
                let value = status.get(name)?;
                Some(PreJoinTest {
                    name,
                    phase: *phase,
                    outcome: outcome(value),
                })
            })
            .collect();
        let previous = PreviousRegistration {
            when: owned(status.get("Previous Registration")),
            registration_type: owned(status.get("Registration Type")),
            phase: owned(status.get("Error Phase")),
            client_code: owned(status.get("Client ErrorCode")),
            server_code: owned(status.get("Server ErrorCode")),
            server_message: owned(status.get("Server Message")),
            https_status: owned(status.get("Https Status")),
        };
        JoinDiagnostics {
            tests,
            previous: (previous != PreviousRegistration::default()).then_some(previous),
            prt_attempts: prt_attempts(status),
            sync_join_fallback: owned(status.get("Fallback to Sync-Join")),
        }
    }

    /// True when dsregcmd printed any diagnosis at all.
    pub fn is_empty(&self) -> bool {
        self.tests.is_empty() && self.previous.is_none() && self.prt_attempts.is_empty()
    }

    /// The first failed pre-join test.
    pub fn failed_test(&self) -> Option<&PreJoinTest> {
        self.tests
            .iter()
            .find(|t| matches!(t.outcome, Outcome::Fail { .. }))
    }

    /// Where and why the join failed: the previous registration's phase and code when it names
    /// them (Microsoft's first place to look), else the first failed pre-join test.
    pub fn failure(&self) -> Option<JoinFailure> {
        let test = self.failed_test();
        let (test_code, test_sub) = match test.map(|t| &t.outcome) {
            Some(Outcome::Fail { code, sub_code }) => (*code, *sub_code),
            _ => (None, None),
        };
        let previous = self.previous.as_ref();
        let written_phase = previous
            .and_then(|p| p.phase.as_deref())
            .filter(|p| !p.is_empty());
        let written_code = previous
            .and_then(|p| p.client_code.as_deref())
            .filter(|c| !c.is_empty());
        if written_phase.is_none() && written_code.is_none() && test.is_none() {
            return None;
        }
        let phase = written_phase.map_or_else(|| test.map(|t| t.phase), Phase::parse);
        let code = written_code.and_then(parse_code).or(test_code);
        // The test's sub-error explains the previous registration's code when they agree.
        let sub_code = test_sub.filter(|_| written_code.is_none() || test_code == code);
        Some(JoinFailure {
            phase,
            phase_raw: written_phase.filter(|_| phase.is_none()).map(str::to_owned),
            code,
            code_raw: written_code.filter(|_| code.is_none()).map(str::to_owned),
            sub_code,
            test: test.map(|t| t.name),
            server: previous.and_then(server_words),
        })
    }
}

fn owned(value: Option<&str>) -> Option<String> {
    value.map(str::to_owned)
}

/// `PASS`, `SKIPPED`, `FAIL [0x80070002]`, `FAIL [0x801c0021/0x80072ee2]`.
fn outcome(value: &str) -> Outcome {
    let upper = value.trim().to_ascii_uppercase();
    if upper == "PASS" || upper == "PASSED" {
        return Outcome::Pass;
    }
    if upper == "SKIPPED" {
        return Outcome::Skipped;
    }
    let Some(rest) = upper.strip_prefix("FAIL") else {
        return Outcome::Other(value.trim().to_owned());
    };
    let inner = rest
        .trim_start_matches("ED")
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let mut codes = inner.split('/').map(parse_code);
    Outcome::Fail {
        code: codes.next().flatten(),
        sub_code: codes.next().flatten(),
    }
}

/// `DirectoryError: The device object ... is not found. (HTTP 400)`.
fn server_words(previous: &PreviousRegistration) -> Option<String> {
    let code = previous.server_code.as_deref().filter(|c| !c.is_empty());
    let message = previous.server_message.as_deref().filter(|m| !m.is_empty());
    let words = match (code, message) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(one), None) | (None, Some(one)) => one.to_owned(),
        (None, None) => return None,
    };
    Some(
        match previous.https_status.as_deref().filter(|s| !s.is_empty()) {
            Some(status) => format!("{words} (HTTP {status})"),
            None => words,
        },
    )
}

/// The PRT diagnostic blocks of SSO State, each starting at its `…PrtDiagnostics` line.
fn prt_attempts(status: &DsregStatus) -> Vec<PrtAttempt> {
    let Some(sso) = status.section("SSO State") else {
        return Vec::new();
    };
    let mut attempts: Vec<PrtAttempt> = Vec::new();
    for (key, value) in &sso.entries {
        let key = key.to_ascii_lowercase();
        let kind = match key.as_str() {
            "acquireprtdiagnostics" => Some("acquire"),
            "refreshprtdiagnostics" => Some("refresh"),
            _ => None,
        };
        if let Some(kind) = kind {
            attempts.push(PrtAttempt {
                kind,
                ..PrtAttempt::default()
            });
            continue;
        }
        let Some(attempt) = attempts.last_mut() else {
            continue;
        };
        let field = match key.as_str() {
            "previous prt attempt" => &mut attempt.when,
            "attempt status" => &mut attempt.status,
            "credential type" => &mut attempt.credential_type,
            "http status" => &mut attempt.http_status,
            "server error code" => &mut attempt.server_error,
            "server error description" => &mut attempt.server_description,
            _ => continue,
        };
        *field = Some(value.clone());
    }
    attempts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::text::{decode, variants};
    use crate::facts::dsregcmd::{JoinType, parse};

    const SCP_UNREADABLE: &str = include_str!(
        "../../tests/fixtures/dsregcmd/domain-joined-discover-failed-scp-unreadable-indented.txt"
    );
    const AS_SYSTEM: &str = include_str!(
        "../../tests/fixtures/dsregcmd/domain-joined-as-system-discover-failed-wrapped-line.txt"
    );
    const MSDOCS: &str =
        include_str!("../../tests/fixtures/dsregcmd/hybrid-join-diagnostics-msdocs2024.txt");

    fn failure_of(text: &str) -> Option<JoinFailure> {
        JoinDiagnostics::read(&parse(text)).failure()
    }

    #[test]
    fn a_real_failed_hybrid_join_names_the_discover_phase_and_the_scp_code() {
        for capture in [SCP_UNREADABLE, AS_SYSTEM] {
            let status = parse(capture);
            assert_eq!(status.join_type(), JoinType::DomainJoined);
            let diagnostics = JoinDiagnostics::read(&status);
            assert_eq!(
                diagnostics.failed_test().map(|t| t.name),
                Some("AD Configuration Test")
            );
            assert_eq!(
                diagnostics.failure(),
                Some(JoinFailure {
                    phase: Some(Phase::Discover),
                    phase_raw: None,
                    code: Some(0x801C_001D),
                    code_raw: None,
                    sub_code: None,
                    test: Some("AD Configuration Test"),
                    server: None,
                })
            );
            assert_eq!(diagnostics.sync_join_fallback.as_deref(), Some("ENABLED"));
        }
    }

    #[test]
    fn a_value_wrapped_at_the_console_width_is_joined_again() {
        let status = parse(AS_SYSTEM);
        assert_eq!(
            status.get("Auto Detect PAC Status"),
            Some(
                "Failed to auto detect the Proxy Auto-Configuration (PAC) script using WPAD. code: 0x80072f94"
            )
        );
        assert_eq!(status.get("sing WPAD. code"), None);
        assert_eq!(status.get("User Context"), Some("SYSTEM"));
        assert_eq!(
            status
                .section("IE Proxy Config for System Account")
                .and_then(|s| s.get("Auto Detect Settings")),
            Some("YES")
        );
        assert_eq!(
            status
                .section("WinHttp Default Proxy Config")
                .and_then(|s| s.get("Access Type")),
            Some("DIRECT")
        );
    }

    /// Microsoft's page prints the blocks on their own, the Previous Registration one without
    /// its section title: each is read for what it has.
    #[test]
    fn microsofts_documented_blocks_are_read_without_their_section_titles() {
        let blocks: Vec<&str> = MSDOCS.split("\n\n\n").collect();
        assert_eq!(blocks.len(), 3, "three documented blocks");
        let join = failure_of(blocks[0]).unwrap_or_else(|| panic!("join block not read"));
        assert_eq!(join.phase, Some(Phase::Join));
        assert_eq!(join.code, Some(0x801C_03F2));
        assert!(
            join.server
                .as_deref()
                .is_some_and(|s| s.starts_with("DirectoryError: The device object")
                    && s.ends_with("(HTTP 400)")),
            "{join:?}"
        );
        let discovery = failure_of(blocks[1]).unwrap_or_else(|| panic!("discovery not read"));
        assert_eq!(discovery.phase, Some(Phase::Discover));
        assert_eq!(discovery.code, Some(0x801C_0021));
        assert_eq!(discovery.sub_code, Some(0x8007_2EE2));
        assert_eq!(discovery.test, Some("DRS Discovery Test"));
        let prt = JoinDiagnostics::read(&parse(blocks[2])).prt_attempts;
        assert_eq!(prt.len(), 1);
        assert_eq!(prt[0].kind, "acquire");
        assert_eq!(prt[0].failure_code(), Some(0xC000_006D));
        assert_eq!(prt[0].server_error.as_deref(), Some("invalid_grant"));
        assert!(
            prt[0]
                .server_description
                .as_deref()
                .is_some_and(|d| d.starts_with("AADSTS50126"))
        );
    }

    #[test]
    fn a_phase_or_code_that_does_not_read_is_kept_as_written() {
        let failure = failure_of("Error Phase : teleport\nClient ErrorCode : oops\n")
            .unwrap_or_else(|| panic!("not read"));
        assert_eq!(failure.phase, None);
        assert_eq!(failure.phase_raw.as_deref(), Some("teleport"));
        assert_eq!(failure.code, None);
        assert_eq!(failure.code_raw.as_deref(), Some("oops"));
    }

    #[test]
    fn a_healthy_or_undiagnosed_capture_has_no_failure() {
        let healthy = "| Diagnostic Data |\n AD Connectivity Test : PASS\n AD Configuration Test : PASS\n DRS Discovery Test : PASS\n";
        assert_eq!(failure_of(healthy), None);
        assert!(
            JoinDiagnostics::read(&parse("| Device State |\n AzureAdJoined : YES\n")).is_empty()
        );
    }

    #[test]
    fn every_encoding_truncation_and_quoting_reads_the_same_or_less() {
        for capture in [SCP_UNREADABLE, AS_SYSTEM, MSDOCS] {
            let expected = JoinDiagnostics::read(&parse(capture));
            for (name, bytes) in variants::encodings(capture) {
                assert_eq!(
                    JoinDiagnostics::read(&parse(&decode(&bytes))),
                    expected,
                    "{name}"
                );
            }
            let quoted: String = capture.lines().map(|l| format!("> {l}\n")).collect();
            assert_eq!(JoinDiagnostics::read(&parse(&quoted)), expected, "quoted");
        }
        // Cut before the Previous Registration block, the failed test still says it.
        let cut = variants::truncated(SCP_UNREADABLE, 54);
        let failure = failure_of(cut).unwrap_or_else(|| panic!("cut capture not read"));
        assert_eq!(
            (failure.phase, failure.code),
            (Some(Phase::Discover), Some(0x8007_0002))
        );
    }
}
