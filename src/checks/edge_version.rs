//! Is Edge installed, on which channel, and new enough?
//!
//! Sync needs Edge 77; open tabs and history sync need 88; Microsoft's troubleshooting guide
//! asks for at least 98.0.1108.43 before anything else is investigated.

use super::need;
use crate::facts::Facts;
use crate::facts::edge_install::Version;
use crate::model::{CheckId, CheckResult, Feature, Finding, Severity, evidence};
use serde_json::{Value, json};

const ID: CheckId = CheckId::EdgeVersion;
pub const CODES: &[&str] = &[
    "EDGE_NOT_INSTALLED",
    "EDGE_TOO_OLD",
    "EDGE_NO_TABS_HISTORY_SYNC",
    "EDGE_BELOW_TROUBLESHOOTING_MINIMUM",
    "EDGE_CHANNEL_UNSUPPORTED",
    "EDGE_VERSION_UNREADABLE",
];

const SYNC_MAJOR: u32 = 77;
const TABS_HISTORY_MAJOR: u32 = 88;
const TROUBLESHOOTING_MINIMUM: [u32; 4] = [98, 0, 1108, 43];

pub fn decide(facts: &Facts) -> CheckResult {
    let versions = need!(ID, &facts.edge_versions);
    let installs: Vec<Value> = versions
        .installs
        .iter()
        .map(|i| json!({"version": i.version.to_string(), "channel": i.channel.as_str()}))
        .collect();
    let Some(primary) = versions.primary() else {
        let evidence = evidence([
            ("version", Value::Null),
            ("channel", Value::Null),
            ("major", Value::Null),
            (
                "raw",
                Value::from(versions.raw.chars().take(200).collect::<String>()),
            ),
        ]);
        if versions.says_not_installed() {
            let finding = Finding::new(
                "EDGE_NOT_INSTALLED",
                Severity::Fail,
                &[Feature::EdgeSync],
                "Microsoft Edge was not found on this device.".into(),
            );
            return CheckResult::decided(ID, evidence, vec![finding]);
        }
        let finding = Finding::new(
            "EDGE_VERSION_UNREADABLE",
            Severity::Warn,
            &[Feature::EdgeSync],
            format!(
                "No Edge version could be read from the captured text: {:?}",
                versions.raw.chars().take(80).collect::<String>()
            ),
        );
        return CheckResult::undecidable(ID, evidence, finding);
    };
    let version = &primary.version;
    let evidence = evidence([
        ("version", Value::from(version.to_string())),
        ("channel", Value::from(primary.channel.as_str())),
        ("major", Value::from(version.major())),
        ("installs", Value::Array(installs)),
    ]);
    let mut findings = Vec::new();
    let edge = &[Feature::EdgeSync];
    if version.major() < SYNC_MAJOR {
        findings.push(Finding::new(
            "EDGE_TOO_OLD",
            Severity::Fail,
            edge,
            format!("Edge {version} is older than 77, the first version with enterprise sync."),
        ));
    } else {
        if version.major() < TABS_HISTORY_MAJOR {
            findings.push(Finding::new(
                "EDGE_NO_TABS_HISTORY_SYNC",
                Severity::Warn,
                edge,
                format!("Edge {version} syncs favourites and settings, but open tabs and history need Edge 88 or later."),
            ));
        }
        let minimum = Version {
            parts: TROUBLESHOOTING_MINIMUM.to_vec(),
        };
        if *version < minimum {
            findings.push(Finding::new(
                "EDGE_BELOW_TROUBLESHOOTING_MINIMUM",
                Severity::Warn,
                edge,
                format!("Edge {version} is older than {minimum}, the version Microsoft's sync troubleshooting guide requires first."),
            ));
        }
    }
    if !primary.channel.is_supported() {
        findings.push(Finding::new(
            "EDGE_CHANNEL_UNSUPPORTED",
            Severity::Warn,
            edge,
            format!(
                "The {} channel is not supported for production use; test sync on Stable or Beta.",
                primary.channel.as_str()
            ),
        ));
    }
    CheckResult::decided(ID, evidence, findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Gathered, edge_install};
    use crate::model::Status;

    fn run(text: &str) -> CheckResult {
        let facts = Facts {
            edge_versions: Gathered::Found(edge_install::parse(text)),
            ..Facts::default()
        };
        decide(&facts)
    }

    #[test]
    fn thresholds() {
        assert_eq!(run("Microsoft Edge 76.0.182.22").codes(), ["EDGE_TOO_OLD"]);
        assert_eq!(
            run("Microsoft Edge 80.0.361.48").codes(),
            [
                "EDGE_NO_TABS_HISTORY_SYNC",
                "EDGE_BELOW_TROUBLESHOOTING_MINIMUM"
            ]
        );
        assert_eq!(
            run("Microsoft Edge 98.0.1108.42").codes(),
            ["EDGE_BELOW_TROUBLESHOOTING_MINIMUM"]
        );
        let current = run("Microsoft Edge 98.0.1108.43");
        assert_eq!(current.status, Status::Pass);
        assert_eq!(current.evidence.get("major"), Some(&Value::from(98)));
        assert_eq!(
            current.evidence.get("channel"),
            Some(&Value::from("stable"))
        );
    }

    #[test]
    fn missing_unreadable_and_canary() {
        let missing =
            run("ERROR: The system was unable to find the specified registry key or value.");
        assert_eq!(
            (missing.status, missing.codes()),
            (Status::Fail, vec!["EDGE_NOT_INSTALLED"])
        );
        assert_eq!(missing.evidence.get("version"), Some(&Value::Null));
        let garbage = run("lorem ipsum");
        assert_eq!(
            (garbage.status, garbage.codes()),
            (Status::Error, vec!["EDGE_VERSION_UNREADABLE"])
        );
        let canary = run(
            "HKEY_CURRENT_USER\\Software\\Microsoft\\Edge SxS\\BLBeacon\n    version    REG_SZ    133.0.1.0",
        );
        assert_eq!(canary.codes(), ["EDGE_CHANNEL_UNSUPPORTED"]);
    }
}
