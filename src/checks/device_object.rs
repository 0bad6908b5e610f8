//! The device's own object in Entra ID, looked up by the `DeviceId` dsregcmd names, as
//! DSRegTool does: it must exist, be enabled, have the trust type of the join the device
//! reports (Graph's `trustType`: `AzureAd` joined, `ServerAd` hybrid joined, `Workplace`
//! registered; learn.microsoft.com/graph/api/resources/device), and not look stale
//! (Microsoft's stale-device guidance counts from `approximateLastSignInDateTime`;
//! entra-docs `docs/identity/devices/manage-stale-devices.md`).

use crate::facts::Facts;
use crate::facts::dsregcmd::{DsregStatus, JoinType};
use crate::facts::tenant::Api;
use crate::model::{Feature, Finding, Severity};
use serde_json::{Map, Value};

pub const CODES: [&str; 5] = [
    "DEVICE_OBJECT_MISSING",
    "DEVICE_OBJECT_DISABLED",
    "DEVICE_TRUST_MISMATCH",
    "DEVICE_OBJECT_STALE",
    "DEVICE_OBJECT_NOT_READ",
];

/// A device that has not signed in for this long is what clean-up scripts disable.
pub const STALE_AFTER_DAYS: i64 = 90;

const WINDOWS: &[Feature] = &[Feature::WindowsSettings];

/// The trust type Entra records for a join type, and the join in words, if the join has a
/// device object.
fn expected_trust(join: JoinType) -> Option<(&'static str, &'static str)> {
    match join {
        JoinType::EntraJoined => Some(("AzureAd", "Entra joined")),
        JoinType::HybridJoined => Some(("ServerAd", "hybrid joined")),
        JoinType::WorkplaceRegistered => Some(("Workplace", "workplace registered")),
        _ => None,
    }
}

/// Findings about the device object; `evidence` gets `device_object` when it was looked up.
pub fn findings(
    status: &DsregStatus,
    facts: &Facts,
    evidence: &mut Map<String, Value>,
) -> Vec<Finding> {
    let join = status.join_type();
    let (Some((expected, joined)), Some(device_id)) =
        (expected_trust(join), status.get("DeviceId"))
    else {
        return Vec::new();
    };
    let Some(answer) = facts.graph.found().and_then(|g| g.devices.as_ref()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let devices = match answer {
        Ok(devices) => devices,
        Err(e) => {
            evidence.insert("device_object".into(), Value::from("not_read"));
            if e.is_access_denied() {
                out.push(Finding::new(
                    "DEVICE_OBJECT_NOT_READ",
                    Severity::Info,
                    WINDOWS,
                    format!(
                        "The device object was not read ({e}); {}.",
                        Api::Devices.needs()
                    ),
                ));
            }
            return out;
        }
    };
    let Some(device) = devices.first() else {
        evidence.insert("device_object".into(), Value::from("missing"));
        out.push(Finding::new(
            "DEVICE_OBJECT_MISSING",
            Severity::Fail,
            WINDOWS,
            format!("The device reports itself {joined} with DeviceId {device_id}, but Entra ID holds no device with that id: it was deleted, so the device cannot authenticate."),
        ));
        return out;
    };
    let mut state = "found";
    if device.account_enabled == Some(false) {
        state = "disabled";
        out.push(Finding::new(
            "DEVICE_OBJECT_DISABLED",
            Severity::Fail,
            WINDOWS,
            format!("The device object {} in Entra ID is disabled, so the device cannot authenticate or get a primary refresh token.", shown_name(device)),
        ));
    }
    if let Some(trust) = device.trust_type.as_deref()
        && !trust.eq_ignore_ascii_case(expected)
    {
        out.push(Finding::new(
            "DEVICE_TRUST_MISMATCH",
            Severity::Fail,
            WINDOWS,
            format!("The device reports itself {joined} (trust type {expected}), but its object in Entra ID has trust type {trust}: the registration is out of step."),
        ));
    }
    if let (Some(seen), Some(as_of)) = (device.last_sign_in_at(), facts.as_of) {
        let days = (as_of - seen).num_days();
        if days > STALE_AFTER_DAYS {
            out.push(Finding::new(
                "DEVICE_OBJECT_STALE",
                Severity::Warn,
                WINDOWS,
                format!("Entra ID last saw this device sign in on {} ({days} days earlier): a stale-device clean-up may disable or delete it.", seen.format("%Y-%m-%d")),
            ));
        }
    }
    evidence.insert("device_object".into(), Value::from(state));
    out
}

fn shown_name(device: &crate::facts::tenant::graph::DeviceObject) -> String {
    match device
        .display_name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        Some(name) => format!("\"{name}\" ({})", device.device_id),
        None => device.device_id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::tenant::graph::parse_devices;
    use crate::facts::{Gathered, GraphFacts, dsregcmd};

    const HYBRID: &str = "| Device State |\nAzureAdJoined : YES\nDomainJoined : YES\n| Device Details |\nDeviceId : c1d4e7a2-5b3f-4e8d-9a60-7f2b1c9e3d58\n";

    fn judge(devices: &str, as_of: &str) -> (Vec<String>, Option<Value>) {
        let facts = Facts {
            graph: Gathered::Found(GraphFacts {
                devices: Some(parse_devices("cloud/devices.json", devices)),
                ..GraphFacts::default()
            }),
            as_of: chrono::DateTime::parse_from_rfc3339(as_of)
                .ok()
                .map(|t| t.with_timezone(&chrono::Utc)),
            ..Facts::default()
        };
        let mut evidence = Map::new();
        let found = findings(&dsregcmd::parse(HYBRID), &facts, &mut evidence);
        (
            found.into_iter().map(|f| f.code).collect(),
            evidence.get("device_object").cloned(),
        )
    }

    fn device(enabled: bool, trust: &str, seen: &str) -> String {
        format!(
            r#"{{"value":[{{"id":"o-1","deviceId":"c1d4e7a2-5b3f-4e8d-9a60-7f2b1c9e3d58","displayName":"FAB-LT-0423","accountEnabled":{enabled},"trustType":"{trust}","approximateLastSignInDateTime":"{seen}"}}]}}"#
        )
    }

    #[test]
    fn the_object_must_exist_be_enabled_match_the_join_and_be_seen() {
        let now = "2026-11-21T08:00:00+01:00";
        let healthy = device(true, "ServerAd", "2026-11-19T07:41:09Z");
        assert_eq!(judge(&healthy, now), (vec![], Some(Value::from("found"))));
        assert_eq!(
            judge(r#"{"value":[]}"#, now),
            (
                vec!["DEVICE_OBJECT_MISSING".into()],
                Some(Value::from("missing"))
            )
        );
        assert_eq!(
            judge(&device(false, "ServerAd", "2026-11-19T07:41:09Z"), now),
            (
                vec!["DEVICE_OBJECT_DISABLED".into()],
                Some(Value::from("disabled"))
            )
        );
        assert_eq!(
            judge(&device(true, "AzureAd", "2026-11-19T07:41:09Z"), now).0,
            ["DEVICE_TRUST_MISMATCH"]
        );
        // 91 days before the capture is stale, 89 is not.
        assert_eq!(
            judge(&device(true, "ServerAd", "2026-08-22T06:00:00Z"), now).0,
            ["DEVICE_OBJECT_STALE"]
        );
        assert!(
            judge(&device(true, "ServerAd", "2026-08-24T08:00:00Z"), now)
                .0
                .is_empty()
        );
        // An unreadable timestamp never makes a device stale or healthy by itself.
        assert!(
            judge(&device(true, "ServerAd", "last week"), now)
                .0
                .is_empty()
        );
    }

    #[test]
    fn a_refused_lookup_names_the_role_and_fails_nothing() {
        let denied = r#"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#;
        let (codes, state) = judge(denied, "2026-11-21T08:00:00Z");
        assert_eq!(codes, ["DEVICE_OBJECT_NOT_READ"]);
        assert_eq!(state, Some(Value::from("not_read")));
        let facts = Facts {
            graph: Gathered::Found(GraphFacts {
                devices: Some(parse_devices("d", denied)),
                ..GraphFacts::default()
            }),
            ..Facts::default()
        };
        let found = findings(&dsregcmd::parse(HYBRID), &facts, &mut Map::new());
        assert!(
            found[0].message.contains("Directory Readers"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].severity, Severity::Info);
    }

    #[test]
    fn no_lookup_without_a_join_or_a_device_id() {
        let facts = Facts {
            graph: Gathered::Found(GraphFacts {
                devices: Some(parse_devices("d", r#"{"value":[]}"#)),
                ..GraphFacts::default()
            }),
            ..Facts::default()
        };
        for text in [
            "| Device State |\nAzureAdJoined : NO\nDomainJoined : YES\n",
            "| Device State |\nAzureAdJoined : YES\nDomainJoined : NO\n",
        ] {
            assert!(findings(&dsregcmd::parse(text), &facts, &mut Map::new()).is_empty());
        }
    }
}
