//! `--redact`: evidence and reports made fit to leave the organisation, with the same verdicts.
//!
//! A structured pass, not substring replacement. First every file is read for identifiers *by
//! field* (JSON keys, dsregcmd keys, registry value names, XML elements; see `fields.rs`):
//! UPNs, names of people, tenants, domains, groups and devices, PUIDs. Then every value is
//! replaced: identifier fields whole, everything else by *pattern* (`patterns.rs`: UPNs, SIDs,
//! GUIDs, thumbprints, addresses, bearer material) and by the names learned, matched as whole
//! words. The same value gets the same placeholder everywhere, so ids that must match across
//! files (a tenant id, a group id) still match. Keys are never touched, and versions, join
//! states, policy values and HRESULTs survive.

mod fields;
mod formats;
mod patterns;
mod vocabulary;

use crate::evidence::secrets::strip_bearer_material;
pub use fields::Kind;

use crate::evidence::EvidenceFiles;
use crate::model::{CheckResult, Report, SourceKind};
use fields::Field;
use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;

/// Names that mean something else too often to be replaced as words (a `USER` of `user`).
const TOO_COMMON: [&str; 12] = [
    "user",
    "users",
    "admin",
    "administrator",
    "root",
    "guest",
    "test",
    "home",
    "work",
    "default",
    "profile",
    "localhost",
];

/// Domains that identify no organisation: personal-account providers.
const CONSUMER_DOMAINS: [&str; 6] = [
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "gmail.com",
    "onmicrosoft.com",
];

/// The placeholders given so far and the names learned, for one report or bundle.
#[derive(Default)]
pub struct Redactor {
    /// Placeholder by lower-case value.
    seen: HashMap<String, String>,
    /// Each placeholder given and the value it stands for, in the order given.
    given: Vec<(String, String)>,
    counts: HashMap<Kind, usize>,
    learned: Vec<(String, Kind)>,
    /// All learned names as one case-insensitive alternation, longest first.
    matcher: Option<Regex>,
    /// Placeholders are written escaped, for XML (`&lt;id-1&gt;`).
    in_markup: bool,
}

impl Redactor {
    /// A redactor that has learned every identifier field of `files`.
    pub fn learning_from(files: &EvidenceFiles) -> Redactor {
        let mut redactor = Redactor::default();
        redactor.learn_files(files);
        redactor
    }

    /// Learns the identifier fields of every file.
    fn learn_files(&mut self, files: &EvidenceFiles) {
        for path in files.paths() {
            let text = crate::evidence::text::decode(files.bytes(path).unwrap_or_default());
            formats::learn(self, path, &text);
        }
    }

    /// Learns a name of this device or its user (host name, account name); names too short
    /// or too common to be told from ordinary words are left alone.
    pub fn learn_local(&mut self, kind: Kind, name: &str) {
        let name = name.trim();
        if name.chars().count() >= 4 && !TOO_COMMON.contains(&name.to_lowercase().as_str()) {
            self.learn(kind, name);
        }
    }

    /// Learns an identifier found by field, and the parts of it that identify on their own.
    fn learn(&mut self, kind: Kind, value: &str) {
        let value = value.trim();
        if value.chars().count() < 3
            || value.chars().all(|c| c.is_ascii_digit())
            || self.is_placeholder(value)
            || patterns::is_exempt(kind, value, "")
            || TOO_COMMON.contains(&value.to_lowercase().as_str())
            || vocabulary::is_vocabulary(value)
        {
            return;
        }
        if self
            .learned
            .iter()
            .any(|(v, _)| v.eq_ignore_ascii_case(value))
        {
            return;
        }
        self.learned.push((value.to_owned(), kind));
        self.matcher = None;
        match kind {
            Kind::User => {
                if let Some((_, domain)) = value.rsplit_once('@') {
                    self.learn_domain(domain);
                }
            }
            Kind::Device => {
                if let Some((host, domain)) = value.split_once('.') {
                    self.learn(Kind::Device, host);
                    self.learn_domain(domain);
                }
            }
            Kind::Domain => self.learn_domain(value),
            _ => {}
        }
    }

    /// Learns an organisation's domain and its first label (often the company's name).
    fn learn_domain(&mut self, domain: &str) {
        let lower = domain.to_ascii_lowercase();
        if CONSUMER_DOMAINS.contains(&lower.as_str()) {
            return;
        }
        if lower.contains('.')
            && !self
                .learned
                .iter()
                .any(|(v, _)| v.eq_ignore_ascii_case(domain))
        {
            self.learned.push((domain.to_owned(), Kind::Domain));
            self.matcher = None;
        }
        if let Some(label) = lower
            .split('.')
            .next()
            .filter(|l| l.len() >= 4 && *l != lower)
        {
            self.learn(Kind::Domain, label);
        }
    }

    /// Learns a person's full name and each of its words.
    fn learn_person(&mut self, value: &str) {
        self.learn(Kind::Name, value);
        for word in value.split_whitespace() {
            self.learn(Kind::Name, word);
        }
    }

    fn is_placeholder(&self, value: &str) -> bool {
        self.seen.values().any(|p| p == value) || value.ends_with("@redacted.invalid")
    }

    fn placeholder(&mut self, kind: Kind, value: &str) -> String {
        let key = value.to_lowercase();
        if let Some(known) = self.seen.get(&key) {
            return known.clone();
        }
        let count = self.counts.entry(kind).or_default();
        *count += 1;
        let placeholder = match kind {
            // Still a UPN, so whatever reads it as one still does.
            Kind::User if value.contains('@') => format!("user{count}@redacted.invalid"),
            _ => format!("<{}-{count}>", kind.label()),
        };
        self.seen.insert(key, placeholder.clone());
        self.given.push((placeholder.clone(), value.to_owned()));
        placeholder
    }

    /// Each placeholder given so far and the value it stands for: what a redacted text
    /// means, for proving that redaction changed names and nothing else.
    pub fn placeholders(&self) -> impl Iterator<Item = (&str, &str)> {
        self.given.iter().map(|(p, v)| (p.as_str(), v.as_str()))
    }

    /// A command line with identifiers replaced in its arguments only: the command's names,
    /// its flags, pipes and separators stay exactly as they are, so that it still runs once
    /// the placeholders are filled in.
    pub fn command(&mut self, line: &str) -> String {
        let mut out = String::with_capacity(line.len());
        let mut expects_command = true;
        for token in command_tokens(line) {
            let blank = token.trim().is_empty();
            let separator = matches!(token, "|" | ";" | "&&" | "||");
            let is_syntax = blank || separator || expects_command || is_flag(token);
            if !blank {
                expects_command = separator;
            }
            if is_syntax {
                out.push_str(token);
            } else {
                out.push_str(&self.text(token));
            }
        }
        out
    }

    /// Learns the value of the field `key` when it is an identifier; `holder` is what the
    /// object holding the field describes, when that is known.
    fn learn_field(&mut self, key: &str, value: &str, holder: Holder) {
        if let Field::Identifier(kind) = fields::classify(key) {
            let field = fields::normalise(key);
            let names_a_person = fields::PERSON_NAMES.contains(&field.as_str())
                && (holder == Holder::Person || field != "displayname");
            match holder {
                _ if names_a_person => self.learn_person(value),
                Holder::Group if kind == Kind::Name => self.learn(Kind::Group, value),
                Holder::Organisation if kind == Kind::Name => self.learn(Kind::Tenant, value),
                _ => self.learn(kind, value),
            }
        }
    }

    /// The value of the field `key`, redacted as that field is.
    fn field(&mut self, key: &str, value: &str) -> String {
        match fields::classify(key) {
            Field::Keep => value.to_owned(),
            Field::Identifier(kind) => {
                let trimmed = value.trim();
                if trimmed.is_empty()
                    || self.is_placeholder(trimmed)
                    || patterns::is_exempt(kind, trimmed, "")
                {
                    value.to_owned()
                } else {
                    // A group's or tenant's `displayName` was learned as what it names.
                    let kind = self
                        .learned
                        .iter()
                        .find(|(v, _)| v.eq_ignore_ascii_case(trimmed))
                        .map_or(kind, |(_, learned)| *learned);
                    self.placeholder(kind, trimmed)
                }
            }
            Field::FreeText => self.text(value),
        }
    }

    /// Free text with every identifier replaced: bearer material, then the patterns, then the
    /// learned names as whole words.
    pub fn text(&mut self, input: &str) -> String {
        let mut text = strip_bearer_material(input);
        for pattern in patterns::PATTERNS.iter() {
            text = self.replace(&text, &pattern.regex, false, |_| Some(pattern.kind));
        }
        if self.learned.is_empty() {
            return text;
        }
        if self.matcher.is_none() {
            self.matcher = self.build_matcher();
        }
        let Some(matcher) = self.matcher.clone() else {
            return text;
        };
        let kinds: HashMap<String, Kind> = self
            .learned
            .iter()
            .map(|(v, k)| (v.to_lowercase(), *k))
            .collect();
        self.replace(&text, &matcher, true, |found| {
            kinds.get(&found.to_lowercase()).copied()
        })
    }

    /// Replaces each match of `regex` (its `v` group when it has one) whose kind `kind_of`
    /// names, unless exempt; with `whole_words`, only where it is not part of a longer word.
    fn replace(
        &mut self,
        text: &str,
        regex: &Regex,
        whole_words: bool,
        kind_of: impl Fn(&str) -> Option<Kind>,
    ) -> String {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for captures in regex.captures_iter(text) {
            let Some(found) = captures.name("v").or_else(|| captures.get(0)) else {
                continue;
            };
            let Some(kind) = kind_of(found.as_str()) else {
                continue;
            };
            let before = &text[..found.start()];
            let after = &text[found.end()..];
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            let inside_a_word = word(before.chars().next_back()) || word(after.chars().next());
            if patterns::is_exempt(kind, found.as_str(), before) || (whole_words && inside_a_word) {
                continue;
            }
            out.push_str(&text[last..found.start()]);
            let placeholder = self.placeholder(kind, found.as_str());
            if self.in_markup {
                out.push_str(&placeholder.replace('<', "&lt;").replace('>', "&gt;"));
            } else {
                out.push_str(&placeholder);
            }
            last = found.end();
        }
        out.push_str(&text[last..]);
        out
    }

    fn build_matcher(&self) -> Option<Regex> {
        let mut names: Vec<&str> = self.learned.iter().map(|(v, _)| v.as_str()).collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let alternation: Vec<String> = names.iter().map(|n| regex::escape(n)).collect();
        Regex::new(&format!("(?i){}", alternation.join("|"))).ok()
    }

    /// XML text with every identifier replaced by an escaped placeholder.
    fn markup(&mut self, xml: &str) -> String {
        self.in_markup = true;
        let out = self.text(xml);
        self.in_markup = false;
        out
    }

    /// Learns every identifier field in a JSON value.
    fn learn_json(&mut self, value: &Value) {
        match value {
            Value::Object(map) => {
                let holder = Holder::of(map);
                for (key, value) in map {
                    match value {
                        Value::String(text) => self.learn_field(key, text, holder),
                        other => self.learn_json(other),
                    }
                    // Graph's `verifiedDomains: [{"name": …}]`: `name` alone says nothing.
                    if key == "verifiedDomains" {
                        for domain in value.as_array().into_iter().flatten() {
                            if let Some(name) = domain.get("name").and_then(Value::as_str) {
                                self.learn(Kind::Domain, name);
                            }
                        }
                    }
                    if let Value::Array(items) = value {
                        for item in items.iter().filter_map(Value::as_str) {
                            self.learn_field(key, item, holder);
                        }
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.learn_json(v)),
            _ => {}
        }
    }

    /// Redacts a JSON value in place; `key` is the field it is the value of. Keys stay.
    fn json(&mut self, key: Option<&str>, value: &mut Value) {
        match value {
            Value::String(text) => {
                *text = match key {
                    Some(key) => self.field(key, text),
                    None => self.text(text),
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.json(key, v)),
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    self.json(Some(key), value);
                }
            }
            _ => {}
        }
    }

    /// Learns the identifier fields of one check's evidence.
    pub fn learn_check(&mut self, check: &CheckResult) {
        for (key, value) in &check.evidence {
            match value {
                Value::String(text) => self.learn_field(key, text, Holder::Person),
                other => self.learn_json(other),
            }
        }
    }

    /// Redacts one check in place: evidence, reason, findings and their fixes.
    pub fn check(&mut self, check: &mut CheckResult) {
        for (key, value) in &mut check.evidence {
            self.json(Some(key), value);
        }
        if let Some(reason) = &mut check.reason {
            *reason = self.text(reason);
        }
        for finding in &mut check.findings {
            finding.message = self.text(&finding.message);
            if let Some(fix) = &mut finding.fix {
                for step in &mut fix.steps {
                    *step = self.text(step);
                }
                for command in &mut fix.commands {
                    *command = self.command(command);
                }
            }
        }
    }

    /// Redacts `report` in place, learning first from its evidence.
    pub fn report(&mut self, report: &mut Report) {
        for check in &report.checks {
            self.learn_check(check);
        }
        // A device report is named after the machine, however short its name.
        report.source.name = if report.source.kind == SourceKind::Device {
            let name = report.source.name.clone();
            self.learn_local(Kind::Device, &name);
            self.placeholder(Kind::Device, &name)
        } else {
            self.text(&report.source.name)
        };
        for check in &mut report.checks {
            self.check(check);
        }
        for problem in &mut report.problems {
            problem.source = problem.source.map_words(|words| self.text(words));
            problem.message = self.text(&problem.message);
        }
        for note in &mut report.notes {
            *note = self.text(note);
        }
    }

    /// Every file redacted (and every refusal's reason, which may name a local path), with the
    /// identifiers learned from all of them first.
    pub fn bundle(mut self, files: &EvidenceFiles) -> EvidenceFiles {
        self.learn_files(files);
        let mut out = EvidenceFiles::default();
        for path in files.paths() {
            let text = crate::evidence::text::decode(files.bytes(path).unwrap_or_default());
            out.insert(path, formats::redact(&mut self, path, &text).into_bytes());
        }
        for (path, reason) in files.refused() {
            out.refuse(path, self.text(reason));
        }
        out
    }
}

/// A command line cut into runs of whitespace, quoted strings and bare words, which joined
/// again give the line back.
fn command_tokens(line: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut rest = line;
    while let Some(first) = rest.chars().next() {
        let end = if first.is_whitespace() {
            rest.find(|c: char| !c.is_whitespace())
        } else if first == '"' || first == '\'' {
            rest[1..].find(first).map(|at| at + 2)
        } else {
            rest.find(char::is_whitespace)
        }
        .unwrap_or(rest.len());
        let (token, tail) = rest.split_at(end);
        tokens.push(token);
        rest = tail;
    }
    tokens
}

/// `-Flag` or `--flag`: a switch of the command, never an identifier. A switch with a value
/// joined to it (`--user=…`, `-Identity:…`) is an argument.
fn is_flag(token: &str) -> bool {
    let name = token.strip_prefix("--").or_else(|| token.strip_prefix('-'));
    name.is_some_and(|n| {
        n.chars().next().is_some_and(char::is_alphabetic)
            && n.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    })
}

/// What a JSON object describes, as far as its fields tell: a `displayName` is split into
/// words only for a person, and names a group or tenant whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holder {
    Person,
    Group,
    Organisation,
    Unknown,
}

impl Holder {
    fn of(map: &serde_json::Map<String, Value>) -> Holder {
        let has = |key: &str| {
            map.get(key)
                .is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty()))
        };
        let odata_type = map
            .get("@odata.type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        // The ESR portal's `syncSelectedUsers` mark a group `"type": 2` (cloud/esr.rs).
        let portal_group =
            map.get("type").and_then(Value::as_i64) == Some(2) && map.contains_key("displayName");
        if odata_type.ends_with(".group") || portal_group {
            Holder::Group
        } else if odata_type.ends_with(".user")
            || [
                "userPrincipalName",
                "givenName",
                "surname",
                "gaia_name",
                "user_name",
            ]
            .into_iter()
            .any(has)
        {
            Holder::Person
        } else if map.contains_key("verifiedDomains") || map.contains_key("tenantType") {
            Holder::Organisation
        } else {
            Holder::Unknown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_value_same_placeholder_and_well_known_ids_stay() {
        let mut r = Redactor::default();
        r.learn_local(Kind::Device, "FAB-LT-0423");
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
        assert_eq!(
            b,
            "user1@redacted.invalid and <account-1>, tenant 9188040d-6c67-4c5b-b112-36a304b66dad"
        );
        let path = r.text(r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Edge");
        assert_eq!(
            path, r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Edge",
            "registry paths are not accounts"
        );
    }

    #[test]
    fn learned_names_are_replaced_as_words_never_inside_keys_or_words() {
        let mut r = Redactor::default();
        r.learn_local(Kind::User, "jnovak");
        r.learn_local(Kind::User, "user");
        let mut value: Value = serde_json::json!({"user_name": "jnovak", "home": "/home/jnovak/x"});
        r.json(None, &mut value);
        assert_eq!(
            value,
            serde_json::json!({"user_name": "<user-1>", "home": "/home/<user-1>/x"})
                .as_object()
                .map(|m| Value::Object(m.clone()))
                .unwrap_or_default()
        );
        assert_eq!(
            r.text("jnovakx and the user's profile"),
            "jnovakx and the user's profile"
        );
    }

    #[test]
    fn the_products_words_are_never_learned_as_names() {
        let mut r = Redactor::default();
        let mut me = serde_json::json!({
            "displayName": "Jana Novak ESR Test All",
            "userPrincipalName": "jana@fabrikam.com",
        });
        let mut group = serde_json::json!({"@odata.type": "#microsoft.graph.group", "displayName": "All Staff"});
        r.learn_json(&me);
        r.learn_json(&group);
        r.json(None, &mut me);
        r.json(None, &mut group);
        assert_eq!(
            me["displayName"], "<name-1>",
            "the field itself is replaced whole"
        );
        assert_eq!(group["displayName"], "<group-1>");
        assert_eq!(
            r.text("ESR on for all users; run esr-doctor again, Jana. All Staff may sync."),
            "ESR on for all users; run esr-doctor again, <name-2>. <group-1> may sync."
        );
    }

    #[test]
    fn commands_keep_their_names_and_flags() {
        let mut r = Redactor::default();
        r.learn_local(Kind::Device, "Pilot");
        assert_eq!(
            r.command("Set-Pilot -Pilot Pilot \"Pilot group\" | Get-Pilot --Pilot x@fabrikam.com"),
            "Set-Pilot -Pilot <device-1> \"<device-1> group\" | Get-Pilot --Pilot user1@redacted.invalid"
        );
    }

    #[test]
    fn versions_survive_next_to_addresses() {
        let mut r = Redactor::default();
        assert_eq!(
            r.text("Edge 76.0.182.22 is older than 77; proxy 10.20.30.40"),
            "Edge 76.0.182.22 is older than 77; proxy <ip-1>"
        );
    }
}
