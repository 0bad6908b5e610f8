//! Evidence files by format, for redaction: where the field names are in each, so that
//! identifiers are found by field and only values are ever changed.
//!
//! JSON (Graph answers, Local State, Preferences, policies, dumps): keys. `dsregcmd /status`
//! and other `Key : Value` text: the key. `reg query` text: the value name. wevtutil XML: the
//! `<Computer>` element and `<Data Name='…'>` values. Anything else is free text.

use super::{Holder, Kind, Redactor};
use regex::Regex;
use std::sync::LazyLock;

/// `    Name    REG_SZ    data` as `reg query` prints it.
static REGISTRY_LINE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(?P<lead>\s+)(?P<name>\S(?:.*?\S)?)(?P<mid>\s+REG_[A-Z_]+\s+)(?P<data>.*)$").ok()
});

/// `   Key : Value` as dsregcmd prints it (and `Key: Value` generally).
static KEY_VALUE_LINE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^(?P<lead>\s*)(?P<key>[A-Za-z][\w .()-]{0,60}?)(?P<mid>\s*: ?)(?P<value>.*)$").ok()
});

/// wevtutil's `<Computer>NAME</Computer>` and `<Data Name='Field'>value</Data>`.
static XML_FIELD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r#"<Computer>(?P<computer>[^<]+)</Computer>|<Data Name=['"](?P<name>[^'"]+)['"]>(?P<data>[^<]*)</Data>"#).ok()
});

enum Format {
    Json,
    Lines,
    Xml,
    Text,
}

fn format_of(path: &str) -> Format {
    if path.ends_with(".json") || path.ends_with("Local State") || path.ends_with("/Preferences") {
        Format::Json
    } else if path.ends_with(".xml") {
        Format::Xml
    } else if path.ends_with(".txt") {
        Format::Lines
    } else {
        Format::Text
    }
}

/// Learns the identifier fields of one evidence file.
pub fn learn(redactor: &mut Redactor, path: &str, text: &str) {
    match format_of(path) {
        Format::Json => {
            if let Ok(value) = crate::evidence::json::parse(path, text) {
                redactor.learn_json(&value);
            }
        }
        Format::Lines => {
            for line in text.lines() {
                if let Some((key, value)) = field_of_line(line) {
                    redactor.learn_field(key, value.trim(), Holder::Person);
                }
            }
        }
        Format::Xml => {
            let Some(re) = XML_FIELD.as_ref() else { return };
            for captures in re.captures_iter(text) {
                if let Some(computer) = captures.name("computer") {
                    redactor.learn(Kind::Device, computer.as_str());
                }
                if let (Some(name), Some(data)) = (captures.name("name"), captures.name("data")) {
                    redactor.learn_field(name.as_str(), data.as_str(), Holder::Person);
                }
            }
        }
        Format::Text => {}
    }
}

/// One evidence file, redacted.
pub fn redact(redactor: &mut Redactor, path: &str, text: &str) -> String {
    match format_of(path) {
        Format::Json => match crate::evidence::json::parse(path, text) {
            Ok(mut value) => {
                redactor.json(None, &mut value);
                serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
            }
            Err(_) => redactor.text(text),
        },
        Format::Lines => {
            let mut out = String::with_capacity(text.len());
            for line in text.split_inclusive('\n') {
                let (body, end) = match line.strip_suffix('\n') {
                    Some(body) => (body, "\n"),
                    None => (line, ""),
                };
                out.push_str(&redact_line(redactor, body));
                out.push_str(end);
            }
            out
        }
        Format::Xml => redactor.markup(text),
        Format::Text => redactor.text(text),
    }
}

/// The field name and value of a registry or `Key : Value` line.
fn field_of_line(line: &str) -> Option<(&str, &str)> {
    let registry = REGISTRY_LINE.as_ref()?.captures(line);
    let captures = registry.or_else(|| KEY_VALUE_LINE.as_ref()?.captures(line))?;
    let key = captures.name("name").or_else(|| captures.name("key"))?;
    let value = captures.name("data").or_else(|| captures.name("value"))?;
    Some((key.as_str().trim(), value.as_str()))
}

/// A line with its value redacted as its field is; the key and layout stay.
fn redact_line(redactor: &mut Redactor, line: &str) -> String {
    match field_of_line(line) {
        Some((key, value)) => {
            let start = line.len() - value.len();
            format!("{}{}", &line[..start], redactor.field(key, value))
        }
        None => redactor.text(line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dsregcmd_and_registry_values_are_redacted_by_their_key() {
        let text = "             DomainName : FABRIKAM\n            Device Name : FAB-LT-0423.corp.fabrikam.com\n         JoinSrvVersion : 2.0\n    version    REG_SZ    131.0.2903.86\n    UserName    REG_SZ    jnovak\n";
        let mut redactor = Redactor::default();
        learn(&mut redactor, "dsregcmd.txt", text);
        let out = redact(&mut redactor, "dsregcmd.txt", text);
        assert!(!out.to_lowercase().contains("fabrikam"), "{out}");
        assert!(!out.contains("FAB-LT") && !out.contains("jnovak"), "{out}");
        assert!(out.contains("JoinSrvVersion : 2.0"), "{out}");
        assert!(out.contains("131.0.2903.86"), "{out}");
        assert!(
            out.contains("  DomainName : <domain-"),
            "keys and layout stay: {out}"
        );
    }

    #[test]
    fn the_computer_of_an_event_is_replaced_everywhere() {
        let xml = "<Event><Computer>FAB-LT-0423.corp.fabrikam.com</Computer><Data Name='HRESULT'>0x80070005</Data></Event>";
        let mut redactor = Redactor::default();
        learn(&mut redactor, "windows/events/aad.xml", xml);
        let out = redact(&mut redactor, "windows/events/aad.xml", xml);
        assert!(
            !out.contains("FAB-LT") && !out.contains("fabrikam"),
            "{out}"
        );
        assert!(out.contains("0x80070005"), "{out}");
    }
}
