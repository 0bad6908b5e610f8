//! The About dump of `edge://sync-internals` → transport state, disable reasons and errors.
//!
//! Reads the older schema (`is_valid` per stat) and the newer one (`stat_status`), Edge's extra
//! Summary rows (`Sync Account Type`) and the `type_status` table. Edge users often paste dumps
//! with `#` comment lines; those lines are dropped before giving up on the JSON.

use crate::evidence::json::{self, JsonError};
use crate::evidence::layout;
use serde_json::Value;

/// Where a bundle keeps the dump (named in errors).
const FILE: &str = layout::SYNC_INTERNALS;

/// One row of a section (`Summary`, `Credentials`, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct Stat {
    pub section: String,
    pub name: String,
    /// The value as shown, booleans and numbers as text.
    pub value: String,
    /// Edge flagged the row as bad (`is_valid: false` or `stat_status: in_bad_state`).
    pub bad: bool,
}

/// One data type row of `type_status`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeRow {
    pub name: String,
    pub status: String,
    pub state: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncInternals {
    pub stats: Vec<Stat>,
    pub types: Vec<TypeRow>,
    pub actionable_error: Option<String>,
    pub unrecoverable_error: Option<String>,
    /// Every string in the dump, lower-cased, for signatures that can appear anywhere.
    all_text: String,
}

impl SyncInternals {
    /// The value of the first stat called `name` (case-insensitive) in any section.
    pub fn stat(&self, name: &str) -> Option<&str> {
        self.stats
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
            .map(|s| s.value.as_str())
    }

    /// `Disable Reasons` split into its parts; empty when `None`.
    pub fn disable_reasons(&self) -> Vec<String> {
        self.stat("Disable Reasons")
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|r| !r.is_empty() && !r.eq_ignore_ascii_case("none"))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The dump mentions `text` anywhere (case-insensitive).
    pub fn mentions(&self, text: &str) -> bool {
        self.all_text.contains(&text.to_ascii_lowercase())
    }

    /// Data types in an error state.
    pub fn failing_types(&self) -> impl Iterator<Item = &TypeRow> {
        self.types.iter().filter(|t| t.status == "severity_error")
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DumpError {
    #[error("{0}; export it again with \"Dump status\" in edge://sync-internals")]
    Json(#[from] JsonError),
    #[error(
        "the sync-internals dump has no `details` sections; it is not an About dump of edge://sync-internals"
    )]
    NotADump,
}

pub fn parse(text: &str) -> Result<SyncInternals, DumpError> {
    let root: Value = match json::parse(FILE, text) {
        Ok(v) => v,
        Err(first @ JsonError::Invalid { .. }) => {
            let uncommented: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .collect::<Vec<_>>()
                .join("\n");
            match json::parse(FILE, &uncommented) {
                Ok(v) => v,
                Err(JsonError::Invalid { .. }) => return Err(first.into()),
                Err(too_complex) => return Err(too_complex.into()),
            }
        }
        Err(too_complex) => return Err(too_complex.into()),
    };
    let details = root
        .get("details")
        .and_then(Value::as_array)
        .ok_or(DumpError::NotADump)?;
    let mut stats = Vec::new();
    for section in details {
        let title = section.get("title").and_then(Value::as_str).unwrap_or("");
        for row in section
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(name) = row.get("stat_name").and_then(Value::as_str) else {
                continue;
            };
            let bad = row.get("is_valid").and_then(Value::as_bool) == Some(false)
                || row.get("stat_status").and_then(Value::as_str) == Some("in_bad_state");
            stats.push(Stat {
                section: title.to_owned(),
                name: name.to_owned(),
                value: display(row.get("stat_value")),
                bad,
            });
        }
    }
    let types = root
        .get("type_status")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(type_row)
        .collect();
    let flagged = |flag: &str, field: &str| {
        (root.get(flag).and_then(Value::as_bool) == Some(true)).then(|| display(root.get(field)))
    };
    let actionable_error = flagged("actionable_error_detected", "actionable_error");
    let unrecoverable_error = flagged(
        "unrecoverable_error_detected",
        "unrecoverable_error_message",
    );
    let mut all_text = String::new();
    collect_strings(&root, &mut all_text, 0);
    Ok(SyncInternals {
        stats,
        types,
        actionable_error,
        unrecoverable_error,
        all_text,
    })
}

fn type_row(row: &Value) -> Option<TypeRow> {
    let text = |key: &str| {
        row.get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let name = text("name");
    // The first row is a header (`Data Type`, ...), not a type.
    (!name.is_empty() && name != "Data Type").then(|| TypeRow {
        name,
        status: text("status"),
        state: text("state"),
        message: text("message"),
    })
}

fn display(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| display(Some(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", display(Some(v))))
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
}

fn collect_strings(value: &Value, out: &mut String, depth: usize) {
    if depth > 16 {
        return;
    }
    match value {
        Value::String(s) => {
            out.push_str(&s.to_ascii_lowercase());
            out.push('\n');
        }
        Value::Array(items) => items
            .iter()
            .for_each(|v| collect_strings(v, out, depth + 1)),
        Value::Object(map) => map
            .values()
            .for_each(|v| collect_strings(v, out, depth + 1)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::text::{decode, variants};

    const CHROMIUM_88: &str = include_str!(
        "../../tests/fixtures/sync-internals/chromium-88-linux-not-signed-in-about_sync_data.json"
    );

    #[test]
    fn chromium_88_dump_is_disabled_because_not_signed_in() {
        let dump = parse(CHROMIUM_88);
        let dump = dump.as_ref();
        assert_eq!(
            dump.ok().and_then(|d| d.stat("Transport State")),
            Some("Disabled")
        );
        assert_eq!(
            dump.map(super::SyncInternals::disable_reasons).ok(),
            Some(vec!["Not signed in".to_owned()])
        );
        assert_eq!(
            dump.ok().and_then(|d| d.stat("Sync Feature Enabled")),
            Some("false")
        );
        assert_eq!(dump.map(|d| d.actionable_error.clone()).ok(), Some(None));
        assert_eq!(dump.map(|d| d.failing_types().count()).ok(), Some(0));
    }

    #[test]
    fn new_schema_edge_rows_and_type_errors() {
        let text = r#"{
          "details": [{"title": "Summary", "is_sensitive": false, "data": [
            {"stat_name": "Transport State", "stat_value": "Active", "stat_status": ""},
            {"stat_name": "Sync Account Type", "stat_value": "AAD", "stat_status": ""},
            {"stat_name": "Auth Error", "stat_value": "OK since browser startup", "stat_status": ""}]},
            {"title": "Credentials", "data": [{"stat_name": "Last Token Error", "stat_value": "EDGE_AUTH_ERROR: 3, 54, 3ea", "stat_status": "in_bad_state"}]}],
          "type_status": [{"name": "Data Type", "status": "header"},
            {"name": "Passwords", "status": "severity_error", "state": "Error", "message": "GenerateCryptoErrorsForTypes: a cryptographer error was encountered"}],
          "actionable_error_detected": false, "unrecoverable_error_detected": false}"#;
        let dump = parse(text).unwrap_or_default();
        assert_eq!(dump.stat("sync account type"), Some("AAD"));
        assert!(
            dump.stats
                .iter()
                .any(|s| s.name == "Last Token Error" && s.bad)
        );
        assert_eq!(
            dump.failing_types()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>(),
            ["Passwords"]
        );
        assert!(dump.mentions("Cryptographer error"));
        assert!(dump.disable_reasons().is_empty());
    }

    #[test]
    fn comment_lines_are_tolerated_and_garbage_is_a_clear_error() {
        let commented = format!("# pasted from edge://sync-internals\n{CHROMIUM_88}");
        assert!(parse(&commented).is_ok());
        assert!(matches!(
            parse("not json at all"),
            Err(DumpError::Json(JsonError::Invalid { .. }))
        ));
        assert!(matches!(
            parse("{\"details\": 3}"),
            Err(DumpError::NotADump)
        ));
        assert!(matches!(
            parse(variants::truncated(CHROMIUM_88, 50)),
            Err(DumpError::Json(JsonError::Invalid { .. }))
        ));
    }

    #[test]
    fn every_encoding_reads_the_same() {
        let expected = parse(CHROMIUM_88);
        for (name, bytes) in variants::encodings(CHROMIUM_88) {
            assert_eq!(parse(&decode(&bytes)), expected, "variant {name}");
        }
    }
}
