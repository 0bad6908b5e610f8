//! Whether a Conditional Access policy stops Edge from reaching Azure RMS for this user and
//! device. Edge's sync FAQ says a policy on the "Microsoft Azure Information Protection" app
//! can block sync on unmanaged devices; Entra applies a policy when its apps, users, client
//! apps and platforms all match, and then grants only when its controls are met
//! (entra-docs `concept-conditional-access-policies.md`, `concept-conditional-access-grant.md`:
//! "Require all" is `AND`, "Require one" is `OR`).
//!
//! Edge asks for its tokens as a desktop client, so a policy limited to browsers, Exchange
//! ActiveSync or other (legacy) clients does not reach it. A policy scoped by directory role
//! only is left out: the user's roles are not read.

use crate::evidence::Platform;
use crate::facts::Facts;
use crate::facts::tenant::Api;
use crate::facts::tenant::conditional_access::Policy;
use crate::model::{Feature, Finding, Severity};

pub const CODES: [&str; 3] = ["CA_BLOCKS_SYNC", "CA_MAY_BLOCK_SYNC", "CA_NOT_READ"];

/// What the device can show Entra for each device control (`None`: not known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct DeviceStanding {
    compliant: Option<bool>,
    hybrid_joined: Option<bool>,
}

impl DeviceStanding {
    fn meets(self, control: &str) -> Option<bool> {
        match control {
            "compliantdevice" => self.compliant,
            _ => self.hybrid_joined,
        }
    }
}

/// The findings the tenant's Conditional Access gives this user's Edge sync.
pub fn findings(facts: &Facts) -> Vec<Finding> {
    let Some(graph) = facts.graph.found() else {
        return Vec::new();
    };
    let policies = match &graph.conditional_access {
        None => return Vec::new(),
        Some(Err(e)) if e.is_access_denied() => {
            return vec![Finding::new(
                "CA_NOT_READ",
                Severity::Info,
                EDGE,
                format!(
                    "Conditional Access policies were not read ({}); {}.",
                    e,
                    Api::ConditionalAccess.needs()
                ),
            )];
        }
        Some(Err(_)) => return Vec::new(),
        Some(Ok(policies)) => policies,
    };
    let user_id = graph
        .me
        .as_ref()
        .and_then(|m| m.as_ref().ok())
        .map(|u| u.id.as_str());
    let groups = super::user_group_ids(facts).unwrap_or_default();
    let standing = device_standing(facts);
    policies
        .iter()
        .filter(|p| p.is_enforced() && p.targets_aip())
        .filter(|p| reaches_client(p, facts.platform))
        .filter(|p| includes_user(p, user_id, &groups))
        .filter_map(|p| judge(p, standing))
        .collect()
}

const EDGE: &[Feature] = &[Feature::EdgeSync];

fn judge(policy: &Policy, standing: DeviceStanding) -> Option<Finding> {
    let controls: Vec<String> = policy
        .grant_controls
        .as_ref()
        .map(|g| {
            g.built_in_controls
                .iter()
                .map(|c| c.to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let name = format!("\"{}\" ({})", policy.display_name, policy.id);
    if controls.iter().any(|c| c == "block") {
        return Some(Finding::new(
            "CA_BLOCKS_SYNC",
            Severity::Fail,
            EDGE,
            format!(
                "The Conditional Access policy {name} blocks access to Microsoft Azure Information Protection for this user, so Edge cannot sync."
            ),
        ));
    }
    let device_control = |c: &str| c == "compliantdevice" || c == "domainjoineddevice";
    let asks_device = controls.iter().any(|c| device_control(c));
    let require_all = policy
        .grant_controls
        .as_ref()
        .is_some_and(|g| g.operator.eq_ignore_ascii_case("AND"));
    // With "require one", any other control (MFA, ...) is a way through without the device.
    if !asks_device || (!require_all && controls.iter().any(|c| !device_control(c))) {
        return None;
    }
    let wanted: Vec<&str> = controls
        .iter()
        .map(String::as_str)
        .filter(|c| device_control(c))
        .collect();
    let asked = wanted
        .iter()
        .map(|c| match *c {
            "compliantdevice" => "a compliant device",
            _ => "a hybrid joined device",
        })
        .collect::<Vec<_>>()
        .join(if require_all { " and " } else { " or " });
    let met: Vec<Option<bool>> = wanted.iter().map(|c| standing.meets(c)).collect();
    let satisfied = if require_all {
        if met.contains(&Some(false)) {
            Some(false)
        } else {
            met.iter().all(|m| *m == Some(true)).then_some(true)
        }
    } else if met.contains(&Some(true)) {
        Some(true)
    } else {
        met.iter().all(|m| *m == Some(false)).then_some(false)
    };
    match satisfied {
        Some(true) => None,
        Some(false) => Some(Finding::new(
            "CA_BLOCKS_SYNC",
            Severity::Fail,
            EDGE,
            format!(
                "The Conditional Access policy {name} requires {asked} for Microsoft Azure Information Protection, and this device is not one, so Edge cannot sync here."
            ),
        )),
        None => Some(Finding::new(
            "CA_MAY_BLOCK_SYNC",
            Severity::Warn,
            EDGE,
            format!(
                "The Conditional Access policy {name} requires {asked} for Microsoft Azure Information Protection; whether this device is one was not known, so Edge sync may be blocked here."
            ),
        )),
    }
}

/// Whether the policy reaches Edge, a desktop client, on `platform`.
fn reaches_client(policy: &Policy, platform: Platform) -> bool {
    let conditions = &policy.conditions;
    let types = &conditions.client_app_types;
    let desktop = types.is_empty()
        || types.iter().any(|t| {
            t.eq_ignore_ascii_case("all") || t.eq_ignore_ascii_case("mobileAppsAndDesktopClients")
        });
    let ours = match platform {
        Platform::Windows => "windows",
        Platform::Macos => "macOS",
        Platform::Linux => "linux",
        Platform::Unknown => "",
    };
    let named = |list: &[String]| {
        list.iter()
            .any(|p| p.eq_ignore_ascii_case("all") || p.eq_ignore_ascii_case(ours))
    };
    let on_platform = conditions.platforms.as_ref().is_none_or(|p| {
        (p.include_platforms.is_empty() || named(&p.include_platforms))
            && !p
                .exclude_platforms
                .iter()
                .any(|x| x.eq_ignore_ascii_case(ours) || x.eq_ignore_ascii_case("all"))
    });
    desktop && on_platform
}

/// Whether the policy's users include this user and do not exclude them.
fn includes_user(policy: &Policy, user_id: Option<&str>, groups: &[&str]) -> bool {
    let Some(users) = &policy.conditions.users else {
        return false;
    };
    let is_user =
        |list: &[String]| user_id.is_some_and(|id| list.iter().any(|u| u.eq_ignore_ascii_case(id)));
    let in_group = |list: &[String]| {
        list.iter()
            .any(|g| groups.iter().any(|mine| mine.eq_ignore_ascii_case(g)))
    };
    let included = users
        .include_users
        .iter()
        .any(|u| u.eq_ignore_ascii_case("All"))
        || is_user(&users.include_users)
        || in_group(&users.include_groups);
    included && !is_user(&users.exclude_users) && !in_group(&users.exclude_groups)
}

/// What Entra knows of this device: its device object when read (a device Entra holds no
/// object for is neither compliant nor joined); else what dsregcmd says of the join.
fn device_standing(facts: &Facts) -> DeviceStanding {
    use crate::facts::dsregcmd::JoinType;
    let devices = facts
        .graph
        .found()
        .and_then(|g| g.devices.as_ref())
        .and_then(|d| d.as_ref().ok());
    if let Some(devices) = devices {
        return devices.first().map_or(
            DeviceStanding {
                compliant: Some(false),
                hybrid_joined: Some(false),
            },
            |device| {
                let enabled = device.account_enabled != Some(false);
                DeviceStanding {
                    compliant: Some(enabled && device.is_compliant == Some(true)),
                    hybrid_joined: Some(
                        enabled
                            && device
                                .trust_type
                                .as_deref()
                                .is_some_and(|t| t.eq_ignore_ascii_case("ServerAd")),
                    ),
                }
            },
        );
    }
    let Some(join) = facts
        .dsregcmd
        .found()
        .map(super::super::facts::dsregcmd::DsregStatus::join_type)
    else {
        return DeviceStanding::default();
    };
    match join {
        JoinType::NotJoined | JoinType::DomainJoined => DeviceStanding {
            compliant: Some(false),
            hybrid_joined: Some(false),
        },
        JoinType::HybridJoined => DeviceStanding {
            compliant: None,
            hybrid_joined: Some(true),
        },
        JoinType::EntraJoined | JoinType::WorkplaceRegistered => DeviceStanding {
            compliant: None,
            hybrid_joined: Some(false),
        },
        _ => DeviceStanding::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::tenant::conditional_access::{AIP_APP_ID, parse_policies};
    use crate::facts::tenant::graph::{parse_devices, parse_me, parse_member_of};
    use crate::facts::{Gathered, GraphFacts, dsregcmd};

    const USER: &str = "6b1f2e0c-93a4-4d71-8c55-0f3e2d9a7b21";
    const GROUP: &str = "0d6a2f81-3c4e-4b97-8e15-a9c2d7f0b364";

    /// One policy on the AIP app, with these parts given.
    fn policy(state: &str, users: &str, clients: &str, platforms: &str, grant: &str) -> String {
        format!(
            r#"{{"value":[{{"id":"p-1","displayName":"CA030","state":"{state}","conditions":{{"clientAppTypes":{clients},"applications":{{"includeApplications":["{AIP_APP_ID}"]}},"users":{users},"platforms":{platforms}}},"grantControls":{grant}}}]}}"#
        )
    }

    /// An enforced policy for all users on every client and platform, granting with `grant`.
    fn for_all(grant: &str) -> String {
        policy("enabled", ALL, "null", "null", grant)
    }

    const ALL: &str = r#"{"includeUsers":["All"]}"#;
    const COMPLIANT: &str = r#"{"operator":"AND","builtInControls":["compliantDevice"]}"#;
    const EITHER: &str =
        r#"{"operator":"OR","builtInControls":["compliantDevice","domainJoinedDevice"]}"#;
    const HYBRID_DSREG: &str = "| Device State |\nAzureAdJoined : YES\nDomainJoined : YES\n";

    fn facts(policies: &str, device: Option<&str>, platform: Platform) -> Facts {
        Facts {
            platform,
            graph: Gathered::Found(GraphFacts {
                me: Some(parse_me("m", &format!(r#"{{"id":"{USER}"}}"#))),
                member_of: Some(parse_member_of(
                    "g",
                    &format!(r#"{{"value":[{{"id":"{GROUP}","displayName":"All Staff"}}]}}"#),
                )),
                devices: device.map(|d| parse_devices("d", d)),
                conditional_access: Some(parse_policies("p", policies)),
                ..GraphFacts::default()
            }),
            ..Facts::default()
        }
    }

    fn codes(facts: &Facts) -> Vec<String> {
        findings(facts).into_iter().map(|f| f.code).collect()
    }

    fn device(compliant: bool, trust: &str) -> String {
        format!(
            r#"{{"value":[{{"deviceId":"d-1","accountEnabled":true,"trustType":"{trust}","isCompliant":{compliant}}}]}}"#
        )
    }

    #[test]
    fn a_device_requirement_the_device_does_not_meet_blocks_sync() {
        let unmanaged = device(false, "ServerAd");
        let managed = device(true, "ServerAd");
        let windows = Platform::Windows;
        let p = for_all(COMPLIANT);
        assert_eq!(
            codes(&facts(&p, Some(&unmanaged), windows)),
            ["CA_BLOCKS_SYNC"]
        );
        assert!(codes(&facts(&p, Some(&managed), windows)).is_empty());
        let message = &findings(&facts(&p, Some(&unmanaged), windows))[0].message;
        assert!(
            message.contains("\"CA030\" (p-1)") && message.contains("a compliant device"),
            "{message}"
        );
        // "Require one of" a compliant or a hybrid joined device: hybrid is enough.
        let either = for_all(EITHER);
        assert!(codes(&facts(&either, Some(&unmanaged), windows)).is_empty());
        assert_eq!(
            codes(&facts(&either, Some(&device(false, "AzureAd")), windows)),
            ["CA_BLOCKS_SYNC"]
        );
        // "Require all of" both: hybrid alone is not enough.
        let both = for_all(
            r#"{"operator":"AND","builtInControls":["compliantDevice","domainJoinedDevice"]}"#,
        );
        assert_eq!(
            codes(&facts(&both, Some(&unmanaged), windows)),
            ["CA_BLOCKS_SYNC"]
        );
        // MFA as an alternative is a way through without the device.
        let or_mfa = for_all(r#"{"operator":"OR","builtInControls":["mfa","compliantDevice"]}"#);
        assert!(codes(&facts(&or_mfa, Some(&unmanaged), windows)).is_empty());
        let block = for_all(r#"{"operator":"OR","builtInControls":["block"]}"#);
        assert_eq!(
            codes(&facts(&block, Some(&managed), windows)),
            ["CA_BLOCKS_SYNC"]
        );
    }

    #[test]
    fn policies_that_do_not_reach_this_user_client_or_platform_are_left_out() {
        let unmanaged = device(false, "ServerAd");
        let windows = Platform::Windows;
        let except_group = format!(r#"{{"includeUsers":["All"],"excludeGroups":["{GROUP}"]}}"#);
        let except_user = format!(r#"{{"includeUsers":["All"],"excludeUsers":["{USER}"]}}"#);
        let admins = r#"{"includeRoles":["62e90394-69f5-4237-9190-012177145e10"]}"#;
        for p in [
            policy("disabled", ALL, "null", "null", COMPLIANT),
            policy(
                "enabledForReportingButNotEnforced",
                ALL,
                "null",
                "null",
                COMPLIANT,
            ),
            policy("enabled", &except_group, "null", "null", COMPLIANT),
            policy("enabled", &except_user, "null", "null", COMPLIANT),
            policy("enabled", admins, "null", "null", COMPLIANT),
            policy("enabled", ALL, r#"["browser"]"#, "null", COMPLIANT),
            policy(
                "enabled",
                ALL,
                r#"["exchangeActiveSync","other"]"#,
                "null",
                COMPLIANT,
            ),
            policy(
                "enabled",
                ALL,
                "null",
                r#"{"includePlatforms":["android","iOS"]}"#,
                COMPLIANT,
            ),
            policy(
                "enabled",
                ALL,
                "null",
                r#"{"includePlatforms":["all"],"excludePlatforms":["windows"]}"#,
                COMPLIANT,
            ),
        ] {
            assert!(
                codes(&facts(&p, Some(&unmanaged), windows)).is_empty(),
                "{p}"
            );
        }
        let by_group = policy(
            "enabled",
            &format!(r#"{{"includeGroups":["{GROUP}"]}}"#),
            r#"["mobileAppsAndDesktopClients"]"#,
            r#"{"includePlatforms":["windows"]}"#,
            COMPLIANT,
        );
        assert_eq!(
            codes(&facts(&by_group, Some(&unmanaged), windows)),
            ["CA_BLOCKS_SYNC"]
        );
        let all_apps = by_group.replace(AIP_APP_ID, "All");
        assert_eq!(
            codes(&facts(&all_apps, Some(&unmanaged), windows)),
            ["CA_BLOCKS_SYNC"]
        );
        let other_app = by_group.replace(AIP_APP_ID, "Office365");
        assert!(codes(&facts(&other_app, Some(&unmanaged), windows)).is_empty());
    }

    #[test]
    fn without_the_device_object_the_join_dsregcmd_reports_decides_what_it_can() {
        let windows = Platform::Windows;
        // Linux, nothing known of the device: it may be blocked.
        assert_eq!(
            codes(&facts(&for_all(COMPLIANT), None, Platform::Linux)),
            ["CA_MAY_BLOCK_SYNC"]
        );
        // Entra holds no object with the device's id: it is neither compliant nor joined.
        assert_eq!(
            codes(&facts(&for_all(EITHER), Some(r#"{"value":[]}"#), windows)),
            ["CA_BLOCKS_SYNC"]
        );
        let with_dsreg = |policies: &str, dsreg: &str| {
            let mut facts = facts(policies, None, windows);
            facts.dsregcmd = Gathered::Found(dsregcmd::parse(dsreg));
            codes(&facts)
        };
        let domain_only = "| Device State |\nAzureAdJoined : NO\nDomainJoined : YES\n";
        assert_eq!(
            with_dsreg(&for_all(EITHER), domain_only),
            ["CA_BLOCKS_SYNC"]
        );
        // Hybrid joined by its own word: "compliant or hybrid" is met, "compliant" unknown.
        assert!(with_dsreg(&for_all(EITHER), HYBRID_DSREG).is_empty());
        assert_eq!(
            with_dsreg(&for_all(COMPLIANT), HYBRID_DSREG),
            ["CA_MAY_BLOCK_SYNC"]
        );
    }

    #[test]
    fn a_refusal_names_the_roles_and_decides_nothing() {
        let denied = r#"{"error":{"code":"AccessDenied","message":"You cannot perform the requested operation, required scopes are missing in the token."}}"#;
        let found = findings(&facts(denied, None, Platform::Windows));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "CA_NOT_READ");
        assert_eq!(found[0].severity, Severity::Info);
        assert!(
            found[0].message.contains("Security Reader"),
            "{}",
            found[0].message
        );
    }
}
