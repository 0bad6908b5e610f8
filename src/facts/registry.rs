//! `reg query ... /s` output → (key, value name, typed value) rows.
//!
//! The layout is a key line (`HKEY_...`) followed by indented `name    REG_TYPE    data`
//! lines; value names may contain spaces. Used for Edge policies, Windows settings-sync state
//! and the WinINet proxy.

use regex::Regex;
use serde_json::Value;
use std::sync::LazyLock;

/// One registry value.
#[derive(Debug, Clone, PartialEq)]
pub struct RegValue {
    /// The key as printed (`HKEY_LOCAL_MACHINE\SOFTWARE\...`).
    pub key: String,
    pub name: String,
    /// `REG_DWORD`/`REG_QWORD` as numbers, `REG_MULTI_SZ` as a list, everything else as text.
    pub value: Value,
}

impl RegValue {
    /// The key's path below the hive, lower-cased, without `HKEY_*\` or `HKLM\`.
    pub fn path_lower(&self) -> String {
        let lower = self.key.to_ascii_lowercase();
        lower
            .split_once('\\')
            .map_or(lower.clone(), |(_, rest)| rest.to_owned())
    }

    /// `HKCU` or `HKLM` (other hives are reported as HKLM).
    pub fn hive(&self) -> &'static str {
        let lower = self.key.to_ascii_lowercase();
        if lower.starts_with("hkey_current_user") || lower.starts_with("hkcu") {
            "HKCU"
        } else {
            "HKLM"
        }
    }
}

static VALUE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+(\S.*?)\s+(REG_[A-Z_]+)(?:\s+(.*?))?\s*$").expect("static regex")
});

/// Every value under every key of the text, in order.
pub fn parse(text: &str) -> Vec<RegValue> {
    let mut values = Vec::new();
    let mut key: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.to_ascii_uppercase().starts_with("HKEY_") {
            key = Some(trimmed.to_owned());
            continue;
        }
        let (Some(key), Some(caps)) = (&key, VALUE_LINE.captures(line)) else {
            continue;
        };
        values.push(RegValue {
            key: key.clone(),
            name: caps[1].to_owned(),
            value: typed(&caps[2], caps.get(3).map_or("", |m| m.as_str())),
        });
    }
    values
}

fn typed(kind: &str, data: &str) -> Value {
    match kind {
        "REG_DWORD" | "REG_QWORD" => number(data)
            .map(Value::from)
            .unwrap_or_else(|| Value::String(data.to_owned())),
        "REG_MULTI_SZ" => Value::Array(
            data.split("\\0")
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ),
        _ => Value::String(data.to_owned()),
    }
}

/// `0x1F` or `31`.
pub fn number(text: &str) -> Option<i64> {
    let text = text.trim();
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => i64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::text::{decode, variants};
    use serde_json::json;

    #[test]
    fn keys_values_and_types() {
        let text = "\nHKEY_CURRENT_USER\\Software\\X\n    Name With Spaces    REG_SZ    a b\n    Count    REG_DWORD    0x1f\n    Empty    REG_SZ\n    List    REG_MULTI_SZ    a\\0b\\0\n\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Y\n    Big    REG_QWORD    0x100000000\n";
        for (name, bytes) in variants::encodings(text) {
            let values = parse(&decode(&bytes));
            let got: Vec<(&str, &str, Value)> = values
                .iter()
                .map(|v| (v.hive(), v.name.as_str(), v.value.clone()))
                .collect();
            assert_eq!(
                got,
                vec![
                    ("HKCU", "Name With Spaces", json!("a b")),
                    ("HKCU", "Count", json!(31)),
                    ("HKCU", "Empty", json!("")),
                    ("HKCU", "List", json!(["a", "b"])),
                    ("HKLM", "Big", json!(4_294_967_296_i64)),
                ],
                "{name}"
            );
            assert_eq!(values[0].path_lower(), "software\\x");
        }
        assert!(parse("garbage\n   x REG_SZ").is_empty());
        assert!(parse(variants::truncated(text, 40)).len() < 5);
    }
}
