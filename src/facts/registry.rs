//! `reg query ... /s` output and regedit `.reg` exports → (key, value name, typed value) rows.
//!
//! `reg query` prints a key line (`HKEY_...`) followed by indented `name    REG_TYPE    data`
//! lines; value names may contain spaces. A regedit export (`Windows Registry Editor Version
//! 5.00`, UTF-16; or `REGEDIT4`, ASCII) has `[HKEY_...]` key lines and `"name"=dword:00000001`,
//! `"name"="text"` or `"name"=hex(7):…` values, long ones continued with a trailing `\`.
//! Used for Edge policies, Windows settings-sync state and the WinINet proxy.

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

#[allow(
    clippy::expect_used,
    reason = "a constant pattern: every parser test compiles it"
)]
static VALUE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+(\S.*?)\s+(REG_[A-Z_]+)(?:\s+(.*?))?\s*$").expect("static regex")
});

/// `"name"=data` or `@=data` in a regedit export.
#[allow(
    clippy::expect_used,
    reason = "a constant pattern: every parser test compiles it"
)]
static EXPORT_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*(?:"((?:[^"\\]|\\.)*)"|@)=(.*)$"#).expect("static regex"));

/// True when the text is `reg query`'s own error line in any display language (`ERROR: The
/// system was unable to find…`, `FEHLER: …`, `ERREUR : …`, `エラー: …`): one line, an upper-case
/// (or non-Latin) word, a colon, a sentence, and no key. reg prints it when the key asked for
/// does not exist.
pub fn is_reg_error(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let (Some(line), None) = (lines.next(), lines.next()) else {
        return false;
    };
    let Some((word, sentence)) = line.split_once([':', '：']) else {
        return false;
    };
    let word = word.trim();
    let is_word = !word.is_empty()
        && word.chars().count() <= 12
        && word
            .chars()
            .all(|c| c.is_alphabetic() && (!c.is_ascii() || c.is_ascii_uppercase()));
    is_word && sentence.trim().chars().count() >= 8 && !line.contains("HKEY_")
}

/// Every value under every key of the text, in order.
pub fn parse(text: &str) -> Vec<RegValue> {
    let mut values = Vec::new();
    let mut key: Option<String> = None;
    for line in joined_lines(text) {
        let trimmed = line.trim();
        let bracketed = trimmed.strip_prefix('[').and_then(|k| k.strip_suffix(']'));
        if let Some(exported) = bracketed {
            // `[-HKEY_…]` deletes a key: nothing under it is set.
            key = (!exported.starts_with('-')).then(|| exported.to_owned());
            continue;
        }
        if trimmed.to_ascii_uppercase().starts_with("HKEY_") {
            key = Some(trimmed.to_owned());
            continue;
        }
        let Some(key) = &key else {
            continue;
        };
        if let Some(caps) = VALUE_LINE.captures(&line) {
            values.push(RegValue {
                key: key.clone(),
                name: caps[1].to_owned(),
                value: typed(&caps[2], caps.get(3).map_or("", |m| m.as_str())),
            });
        } else if let Some(caps) = EXPORT_LINE.captures(&line)
            && let Some(value) = exported(&caps[2])
        {
            let name = caps.get(1).map_or("", |m| m.as_str());
            values.push(RegValue {
                key: key.clone(),
                name: unescape(name),
                value,
            });
        }
    }
    values
}

/// Lines with regedit's `\` continuations joined.
fn joined_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        match line.trim_end().strip_suffix('\\') {
            Some(start) if start.contains('=') || !pending.is_empty() => {
                pending.push_str(start.trim_start());
            }
            _ => {
                pending.push_str(if pending.is_empty() {
                    line
                } else {
                    line.trim_start()
                });
                lines.push(std::mem::take(&mut pending));
            }
        }
    }
    if !pending.is_empty() {
        lines.push(pending);
    }
    lines
}

/// A regedit export's data: `"text"`, `dword:…`, `hex(b):…` (QWORD), `hex(7):…` (multi-string),
/// `hex(2):…` (expandable string); `-` (a deleted value) and other binary data give `None`.
fn exported(data: &str) -> Option<Value> {
    let data = data.trim();
    if let Some(text) = data.strip_prefix('"').and_then(|d| d.strip_suffix('"')) {
        return Some(Value::String(unescape(text)));
    }
    if let Some(hex) = data.strip_prefix("dword:") {
        return i64::from_str_radix(hex.trim(), 16).ok().map(Value::from);
    }
    let (kind, bytes) = data.split_once(':')?;
    let bytes: Vec<u8> = bytes
        .split(',')
        .filter_map(|b| u8::from_str_radix(b.trim(), 16).ok())
        .collect();
    match kind {
        "hex(b)" => {
            let mut qword = [0u8; 8];
            for (slot, byte) in qword.iter_mut().zip(&bytes) {
                *slot = *byte;
            }
            Some(Value::from(i64::from_le_bytes(qword)))
        }
        "hex(7)" | "hex(2)" => {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                .collect();
            let text = String::from_utf16_lossy(&units);
            let parts: Vec<Value> = text
                .split('\0')
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect();
            Some(if kind == "hex(7)" {
                Value::Array(parts)
            } else {
                parts
                    .into_iter()
                    .next()
                    .unwrap_or(Value::String(String::new()))
            })
        }
        _ => None,
    }
}

/// regedit escapes `\` and `"` in names and strings.
fn unescape(text: &str) -> String {
    text.replace("\\\"", "\"").replace("\\\\", "\\")
}

fn typed(kind: &str, data: &str) -> Value {
    match kind {
        "REG_DWORD" | "REG_QWORD" => {
            number(data).map_or_else(|| Value::String(data.to_owned()), Value::from)
        }
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
    use crate::evidence::text::{decode, variants};
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

    #[test]
    fn regedit_exports_read_like_reg_query() {
        let export = "Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Edge]\n\"SyncDisabled\"=dword:00000001\n\"RestrictSigninToPattern\"=\".*@contoso\\\\.com\"\n\"Big\"=hex(b):00,00,00,00,01,00,00,00\n\"Types\"=hex(7):66,00,61,00,76,00,00,00,70,00,\\\n  77,00,00,00,00,00\n\"Gone\"=-\n\n[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Old]\n\"Stale\"=dword:00000001\n";
        for (name, bytes) in variants::encodings(export) {
            let values = parse(&decode(&bytes));
            let got: Vec<(&str, Value)> = values
                .iter()
                .map(|v| (v.name.as_str(), v.value.clone()))
                .collect();
            assert_eq!(
                got,
                vec![
                    ("SyncDisabled", json!(1)),
                    ("RestrictSigninToPattern", json!(".*@contoso\\.com")),
                    ("Big", json!(4_294_967_296_i64)),
                    ("Types", json!(["fav", "pw"])),
                ],
                "{name}"
            );
            assert_eq!(
                values[0].path_lower(),
                "software\\policies\\microsoft\\edge"
            );
        }
    }

    /// reg's "key not found" line as Windows prints it in English, German, French (a space
    /// before the colon), Spanish, Japanese and Chinese (a full-width colon).
    #[test]
    fn regs_own_error_line_is_known_in_any_language() {
        for line in [
            "ERROR: The system was unable to find the specified registry key or value.",
            "FEHLER: Der angegebene Registrierungsschlüssel bzw. Wert wurde nicht gefunden.",
            "ERREUR : Le système n’a pas trouvé la clé ou la valeur de Registre spécifiée.",
            "ERROR: El sistema no pudo encontrar la clave o el valor del Registro especificados.",
            "エラー: 指定されたレジストリ キーまたは値が見つかりませんでした。",
            "错误： 系统找不到指定的注册表项或值。",
        ] {
            assert!(is_reg_error(&format!("\r\n{line}\r\n")), "{line}");
        }
        for other in [
            "HKEY_CURRENT_USER\\Software\\Microsoft\\Edge\\BLBeacon\n    version    REG_SZ    131.0.2903.86",
            "Microsoft Edge 131.0.2903.86",
            "Note: ask the user",
            "ERROR: one\nERROR: two",
        ] {
            assert!(!is_reg_error(other), "{other}");
        }
    }
}
