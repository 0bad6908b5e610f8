//! Edge policies from `policies.json`, an `edge://policy` export, Linux policy JSON, or raw
//! `reg query HKLM\SOFTWARE\Policies\Microsoft\Edge /s` text.
//!
//! On Windows, list policies are a subkey named after the policy with values `1`, `2`, ...;
//! recommended policies live under `...\Edge\Recommended`. A recommended value never blocks:
//! the user can change it.

use super::registry;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PolicyLevel {
    Mandatory,
    Recommended,
}

/// One policy value as configured.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub name: String,
    pub value: Value,
    pub level: PolicyLevel,
    /// `HKLM`/`HKCU`/`machine`/`user` when the source says so.
    pub scope: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EdgePolicies {
    pub policies: Vec<Policy>,
}

impl EdgePolicies {
    /// The value in force: mandatory before recommended, machine before user.
    pub fn get(&self, name: &str) -> Option<&Policy> {
        self.policies
            .iter()
            .filter(|p| p.name.eq_ignore_ascii_case(name))
            .min_by_key(|p| (p.level, !is_machine(p.scope.as_deref())))
    }

    /// The mandatory value of `name`, if any.
    pub fn mandatory(&self, name: &str) -> Option<&Value> {
        self.get(name)
            .filter(|p| p.level == PolicyLevel::Mandatory)
            .map(|p| &p.value)
    }

    pub fn merge(&mut self, other: EdgePolicies) {
        self.policies.extend(other.policies);
    }
}

fn is_machine(scope: Option<&str>) -> bool {
    matches!(scope, Some(s) if s.eq_ignore_ascii_case("HKLM") || s.eq_ignore_ascii_case("machine"))
}

/// Interprets a policy value as a boolean the way Edge does (`true`, `1`, `0x1`).
pub fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "0x1" | "0x00000001" => Some(true),
            "false" | "0" | "0x0" | "0x00000000" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

pub fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::Bool(b) => Some(i64::from(*b)),
        Value::String(s) => registry::number(s),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PolicyError {
    #[error(transparent)]
    Json(#[from] crate::evidence::json::JsonError),
    #[error("`{file}` holds no JSON object of policies")]
    NotAnObject { file: String },
}

/// Parses a JSON policy file: flat `{Name: value}`, `{"mandatory":{..},"recommended":{..}}`, or
/// the `edge://policy` export (`policyValues.*.policies.Name.{level,scope,value}`).
pub fn parse_json(
    file: &str,
    text: &str,
    default_level: PolicyLevel,
) -> Result<EdgePolicies, PolicyError> {
    let Value::Object(root) = crate::evidence::json::parse(file, text)? else {
        return Err(PolicyError::NotAnObject { file: file.into() });
    };
    let mut policies = Vec::new();
    if let Some(groups) = root.get("policyValues").and_then(Value::as_object) {
        for group in groups.values() {
            if let Some(map) = group.get("policies").and_then(Value::as_object) {
                policies.extend(
                    map.iter()
                        .filter_map(|(name, entry)| exported_policy(name, entry)),
                );
            }
        }
        return Ok(EdgePolicies { policies });
    }
    for (name, value) in &root {
        let nested_level = match name.to_ascii_lowercase().as_str() {
            "mandatory" | "managed" => Some(PolicyLevel::Mandatory),
            "recommended" => Some(PolicyLevel::Recommended),
            _ => None,
        };
        match (nested_level, value) {
            (Some(level), Value::Object(inner)) => policies.extend(flat(inner, level)),
            _ => policies.push(flat_one(name, value, default_level)),
        }
    }
    Ok(EdgePolicies { policies })
}

fn flat(map: &Map<String, Value>, level: PolicyLevel) -> Vec<Policy> {
    map.iter()
        .map(|(name, value)| flat_one(name, value, level))
        .collect()
}

fn flat_one(name: &str, value: &Value, level: PolicyLevel) -> Policy {
    Policy {
        name: name.to_owned(),
        value: value.clone(),
        level,
        scope: None,
    }
}

fn exported_policy(name: &str, entry: &Value) -> Option<Policy> {
    let value = entry.get("value")?.clone();
    let level = match entry.get("level").and_then(Value::as_str) {
        Some(l) if l.eq_ignore_ascii_case("recommended") => PolicyLevel::Recommended,
        _ => PolicyLevel::Mandatory,
    };
    Some(Policy {
        name: name.to_owned(),
        value,
        level,
        scope: entry
            .get("scope")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// Parses `reg query <...>\Policies\Microsoft\Edge /s` output (HKLM or HKCU, any mix).
pub fn parse_reg(text: &str) -> EdgePolicies {
    let mut policies: Vec<Policy> = Vec::new();
    // List policies: (name, level, hive) → (position value name, item), ordered at the end.
    let mut lists: BTreeMap<(String, PolicyLevel, String), Vec<(u64, Value)>> = BTreeMap::new();
    for row in registry::parse(text) {
        let Some(key) = RegKey::parse(&row.key) else {
            continue;
        };
        match key.list_policy {
            None => policies.push(Policy {
                name: row.name,
                value: row.value,
                level: key.level,
                scope: Some(key.hive),
            }),
            Some(list) => lists
                .entry((list, key.level, key.hive))
                .or_default()
                .push((row.name.parse().unwrap_or(u64::MAX), row.value)),
        }
    }
    for ((name, level, hive), mut items) in lists {
        items.sort_by_key(|(rank, _)| *rank);
        policies.push(Policy {
            name,
            value: Value::Array(items.into_iter().map(|(_, v)| v).collect()),
            level,
            scope: Some(hive),
        });
    }
    EdgePolicies { policies }
}

struct RegKey {
    hive: String,
    level: PolicyLevel,
    list_policy: Option<String>,
}

impl RegKey {
    /// Recognises `HK..\SOFTWARE\Policies\Microsoft\Edge[\Recommended][\ListPolicy]`.
    fn parse(path: &str) -> Option<RegKey> {
        let lower = path.to_ascii_lowercase();
        let marker = "\\policies\\microsoft\\edge";
        let at = lower.find(marker)?;
        let rest = &path[at + marker.len()..];
        if !(rest.is_empty() || rest.starts_with('\\')) {
            return None; // e.g. ...\Microsoft\EdgeUpdate
        }
        let mut parts = rest.split('\\').filter(|p| !p.is_empty()).peekable();
        let level = if parts
            .peek()
            .is_some_and(|p| p.eq_ignore_ascii_case("Recommended"))
        {
            parts.next();
            PolicyLevel::Recommended
        } else {
            PolicyLevel::Mandatory
        };
        let list_policy = parts.next().map(str::to_owned);
        let hive = if lower.starts_with("hkey_current_user") || lower.starts_with("hkcu") {
            "HKCU"
        } else {
            "HKLM"
        };
        Some(RegKey {
            hive: hive.to_owned(),
            level,
            list_policy,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::text::{decode, variants};
    use serde_json::json;

    const REG: &str = "\
HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge
    SyncDisabled    REG_DWORD    0x1
    RestrictSigninToPattern    REG_SZ    .*@fabrikam\\.com
    Some Name With Spaces    REG_SZ    a b

HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge\\SyncTypesListDisabled
    2    REG_SZ    history
    1    REG_SZ    passwords
    10    REG_SZ    openTabs

HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge\\Recommended
    BrowserSignin    REG_DWORD    0x0

HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\EdgeUpdate
    UpdateDefault    REG_DWORD    0x0
";

    #[test]
    fn reg_query_values_lists_and_levels() {
        for (name, bytes) in variants::encodings(REG) {
            let policies = parse_reg(&decode(&bytes));
            assert_eq!(
                policies.mandatory("SyncDisabled"),
                Some(&json!(1)),
                "{name}"
            );
            assert_eq!(
                policies.mandatory("SyncTypesListDisabled"),
                Some(&json!(["passwords", "history", "openTabs"])),
                "{name}"
            );
            assert_eq!(
                policies.mandatory("RestrictSigninToPattern"),
                Some(&json!(".*@fabrikam\\.com"))
            );
            assert_eq!(
                policies.get("BrowserSignin").map(|p| p.level),
                Some(PolicyLevel::Recommended)
            );
            assert_eq!(policies.mandatory("BrowserSignin"), None);
            assert!(
                policies.get("UpdateDefault").is_none(),
                "EdgeUpdate is not Edge"
            );
            assert_eq!(
                policies.mandatory("Some Name With Spaces"),
                Some(&json!("a b"))
            );
        }
    }

    #[test]
    fn machine_policy_wins_over_user_policy() {
        let text = "HKEY_CURRENT_USER\\SOFTWARE\\Policies\\Microsoft\\Edge\n    SyncDisabled    REG_DWORD    0x0\n\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge\n    SyncDisabled    REG_DWORD    0x1\n";
        let policies = parse_reg(text);
        assert_eq!(
            policies
                .get("SyncDisabled")
                .and_then(|p| p.scope.as_deref()),
            Some("HKLM")
        );
    }

    #[test]
    fn json_shapes() {
        let flat = parse_json(
            "p",
            r#"{"SyncDisabled": true, "SyncTypesListDisabled": ["passwords"]}"#,
            PolicyLevel::Mandatory,
        );
        assert_eq!(
            flat.as_ref()
                .ok()
                .and_then(|p| p.mandatory("SyncDisabled").cloned()),
            Some(json!(true))
        );
        let nested = parse_json(
            "p",
            r#"{"recommended": {"SyncDisabled": true}, "mandatory": {"BrowserSignin": 0}}"#,
            PolicyLevel::Mandatory,
        );
        let nested = nested.unwrap_or_default();
        assert_eq!(nested.mandatory("SyncDisabled"), None);
        assert_eq!(nested.mandatory("BrowserSignin"), Some(&json!(0)));
        let export = r#"{"policyValues":{"chrome":{"name":"Microsoft Edge Policies","policies":{"SyncDisabled":{"level":"mandatory","scope":"machine","source":"platform","value":true},"ForceSync":{"level":"recommended","value":true}}}}}"#;
        let export = parse_json("p", export, PolicyLevel::Mandatory).unwrap_or_default();
        assert_eq!(export.mandatory("SyncDisabled"), Some(&json!(true)));
        assert_eq!(
            export.get("ForceSync").map(|p| p.level),
            Some(PolicyLevel::Recommended)
        );
    }

    #[test]
    fn bad_json_and_truncated_reg_text() {
        assert!(matches!(
            parse_json("f", "{\"SyncDisabled\": tr", PolicyLevel::Mandatory),
            Err(PolicyError::Json(_))
        ));
        assert!(matches!(
            parse_json("f", "42", PolicyLevel::Mandatory),
            Err(PolicyError::NotAnObject { .. })
        ));
        let cut = parse_reg(variants::truncated(REG, 25));
        assert_eq!(cut.mandatory("SyncDisabled"), Some(&json!(1)));
        assert!(
            parse_reg("garbage\n\u{0}\n    x REG_SZ")
                .policies
                .is_empty()
        );
    }

    #[test]
    fn booleans_the_way_edge_reads_them() {
        assert_eq!(as_bool(&json!(1)), Some(true));
        assert_eq!(as_bool(&json!("0x0")), Some(false));
        assert_eq!(as_bool(&json!(true)), Some(true));
        assert_eq!(as_bool(&json!("maybe")), None);
        assert_eq!(as_int(&json!("0x2")), Some(2));
    }
}
