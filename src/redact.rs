//! `--redact`: replaces user names, UPNs, object/tenant/device ids, device names, IP and MAC
//! addresses with placeholders, consistently (the same value always gets the same
//! placeholder, across a whole report or bundle), so evidence can leave the organisation.

use crate::model::Report;
use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::LazyLock;

/// GUIDs that identify no one and explain a lot (the personal-account tenant, the Entra WAM
/// provider), so they stay readable.
const WELL_KNOWN: [&str; 2] = [
    "9188040d-6c67-4c5b-b112-36a304b66dad",
    "b16898c6-a148-4967-9171-64d755da8520",
];

static PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("user", r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
        (
            "id",
            r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        ),
        // DOMAIN\user, but not a piece of a path like SOFTWARE\Policies\Microsoft.
        (
            "account",
            r"(?:^|[^\\\w.-])(?P<v>[A-Za-z0-9-]{2,15}\\[A-Za-z0-9._-]+)(?:$|[^\\\w.-])",
        ),
        ("ip", r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b"),
        ("mac", r"\b[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}\b"),
    ]
    .into_iter()
    .filter_map(|(kind, pattern)| Regex::new(pattern).ok().map(|re| (kind, re)))
    .collect()
});

/// JWTs (`eyJ...` header.payload[.signature]) and `Bearer`/`MSOID` credentials.
static BEARER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:bearer|msoid)\s+[A-Za-z0-9._~+/=-]{8,}|eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?").ok()
});

/// Replaces bearer material anywhere in `text` with `<token>`: service error messages and
/// error pages can echo a token, and no face may show one.
pub fn strip_bearer_material(text: &str) -> String {
    match BEARER.as_ref() {
        Some(re) => re.replace_all(text, "<token>").into_owned(),
        None => text.to_owned(),
    }
}

/// Keeps the placeholder of every value seen, so repeats get the same one.
#[derive(Default)]
pub struct Redactor {
    seen: HashMap<String, String>,
    counts: HashMap<&'static str, usize>,
    device_names: Vec<String>,
}

impl Redactor {
    /// A redactor that also replaces these literal names (device names, user names) wherever
    /// they appear; names shorter than three characters are ignored.
    pub fn with_names(names: impl IntoIterator<Item = String>) -> Redactor {
        let device_names = names.into_iter().filter(|n| n.len() >= 3).collect();
        Redactor {
            device_names,
            ..Redactor::default()
        }
    }

    fn placeholder(&mut self, kind: &'static str, value: &str) -> String {
        if let Some(known) = self.seen.get(&value.to_ascii_lowercase()) {
            return known.clone();
        }
        let count = self.counts.entry(kind).or_default();
        *count += 1;
        let placeholder = match kind {
            "user" => format!("user{count}@redacted.invalid"),
            _ => format!("<{kind}-{count}>"),
        };
        self.seen
            .insert(value.to_ascii_lowercase(), placeholder.clone());
        placeholder
    }

    /// The text with every identifier replaced.
    pub fn text(&mut self, input: &str) -> String {
        let mut text = input.to_owned();
        for name in self.device_names.clone() {
            if text.contains(&name) {
                let placeholder = self.placeholder("device", &name);
                text = text.replace(&name, &placeholder);
            }
        }
        for (kind, re) in PATTERNS.iter() {
            // A pattern may name the part to replace `v`; otherwise the whole match is replaced.
            let matches: Vec<String> = re
                .captures_iter(&text)
                .filter_map(|c| {
                    c.name("v")
                        .or_else(|| c.get(0))
                        .map(|m| m.as_str().to_owned())
                })
                .collect();
            for found in matches {
                if WELL_KNOWN.contains(&found.to_ascii_lowercase().as_str())
                    || found.ends_with("redacted.invalid")
                {
                    continue;
                }
                let placeholder = self.placeholder(kind, &found);
                text = text.replace(&found, &placeholder);
            }
        }
        text
    }

    fn value(&mut self, value: &mut Value) {
        match value {
            Value::String(s) => *s = self.text(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.value(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.value(v)),
            _ => {}
        }
    }
}

/// Redacts `report` in place.
pub fn redact(report: &mut Report) {
    let names = report
        .checks
        .iter()
        .filter_map(|c| c.evidence.get("device_name").and_then(Value::as_str))
        .flat_map(|name| {
            let short = name.split('.').next().unwrap_or(name).to_owned();
            [name.to_owned(), short]
        })
        .collect::<Vec<_>>();
    let mut redactor = Redactor::with_names(names);
    // A device report is named after the machine.
    report.source.name = if report.source.kind == crate::model::SourceKind::Device {
        redactor.placeholder("device", &report.source.name)
    } else {
        redactor.text(&report.source.name)
    };
    for check in &mut report.checks {
        check.evidence.values_mut().for_each(|v| redactor.value(v));
        if let Some(reason) = &mut check.reason {
            *reason = redactor.text(reason);
        }
        for finding in &mut check.findings {
            finding.message = redactor.text(&finding.message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_value_same_placeholder_and_well_known_ids_stay() {
        let mut r = Redactor {
            device_names: vec!["FAB-LT-0423".into()],
            ..Redactor::default()
        };
        let a = r.text(
            "ann@fabrikam.com on FAB-LT-0423 in 3f2a8c41-7d5e-4b9a-9c1e-2a6d8f0b4e17 via 10.1.2.3",
        );
        let b = r.text(
            "ANN@fabrikam.com and FABRIKAM\\ann, tenant 9188040d-6c67-4c5b-b112-36a304b66dad",
        );
        assert_eq!(
            a,
            "user1@redacted.invalid on <device-1> in <id-1> via <ip-1>"
        );
        let path = r.text(r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Edge");
        assert_eq!(
            path, r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Edge",
            "registry paths are not accounts"
        );
        assert_eq!(
            b,
            "user1@redacted.invalid and <account-1>, tenant 9188040d-6c67-4c5b-b112-36a304b66dad"
        );
    }
}
