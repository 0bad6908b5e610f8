//! Fix guidance per finding code, and `explain` for codes, event ids and HRESULTs.
//!
//! The text lives in `assets/guidance/en.toml` (compiled in) so that admins and translators
//! can read and correct it without reading Rust.

use crate::evidence::Platform;
use crate::facts::event_log::{ERROR_EVENTS, SIGNATURES, parse_code};
use crate::model::{Audience, Finding, Fix};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Guidance for one finding code.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Entry {
    pub title: String,
    pub explanation: String,
    pub audience: Audience,
    pub steps: Vec<String>,
    pub commands: Vec<String>,
    pub docs: Vec<String>,
    /// The steps offer alternatives (one may change the whole tenant): a script writes the
    /// commands that change something as comments, for the admin to choose.
    #[serde(default)]
    pub options: bool,
    /// Steps and commands for macOS or Linux where they differ (the defaults are Windows').
    #[serde(default)]
    pub platforms: BTreeMap<String, PlatformFix>,
}

/// What differs on one platform; anything left out is the same as on Windows.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct PlatformFix {
    pub steps: Option<Vec<String>>,
    pub commands: Option<Vec<String>>,
    /// That platform's documentation (a Windows deployment page helps nobody on Linux).
    pub docs: Option<Vec<String>>,
}

impl Entry {
    /// The fix as it is done on `platform` (Windows' when the evidence does not say).
    pub fn fix(&self, platform: Platform) -> Fix {
        let own = self.platforms.get(platform.as_str());
        Fix {
            audience: self.audience,
            steps: own
                .and_then(|p| p.steps.clone())
                .unwrap_or_else(|| self.steps.clone()),
            commands: own
                .and_then(|p| p.commands.clone())
                .unwrap_or_else(|| self.commands.clone()),
            docs: own
                .and_then(|p| p.docs.clone())
                .unwrap_or_else(|| self.docs.clone()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EventNote {
    pub log: String,
    pub meaning: String,
    /// Who acts on it and how, for an event no finding explains.
    #[serde(default)]
    pub who: Option<String>,
    #[serde(default)]
    pub fix: Option<String>,
    /// Where the meaning comes from, when it is not a page a finding links to.
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HresultNote {
    pub name: String,
    pub meaning: String,
}

/// A Microsoft page a fix links to, with the date the page itself states.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Page {
    /// The page's own date (ms.date or last change), never the day it was read.
    pub date: String,
    /// The snapshot and file the date was read from.
    pub source: String,
}

/// The whole catalogue of one language.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Guidance {
    pub codes: BTreeMap<String, Entry>,
    /// Dated pages, by URL.
    #[serde(default)]
    pub pages: BTreeMap<String, Page>,
    #[serde(default)]
    pub events: BTreeMap<String, EventNote>,
    #[serde(default)]
    pub hresults: BTreeMap<String, HresultNote>,
}

const EN: &str = include_str!("../assets/guidance/en.toml");
const DE: &str = include_str!("../assets/guidance/de.toml");
const NL: &str = include_str!("../assets/guidance/nl.toml");

static BUILTIN: LazyLock<Result<Guidance, toml::de::Error>> = LazyLock::new(|| toml::from_str(EN));
static GERMAN: LazyLock<Guidance> = LazyLock::new(|| translated(DE));
static DUTCH: LazyLock<Guidance> = LazyLock::new(|| translated(NL));

/// The words of one language's catalogue; commands, links and audiences stay English's, so a
/// command is the same in every language.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Translation {
    codes: BTreeMap<String, TranslatedEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TranslatedEntry {
    title: String,
    explanation: String,
    steps: Vec<String>,
    #[serde(default)]
    platforms: BTreeMap<String, TranslatedSteps>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TranslatedSteps {
    steps: Vec<String>,
}

/// The English catalogue with `text`'s words put in (English where a code is missing).
fn translated(text: &str) -> Guidance {
    let mut guidance = Guidance::builtin().clone();
    let Ok(translation) = toml::from_str::<Translation>(text) else {
        return guidance;
    };
    for (code, words) in translation.codes {
        let Some(entry) = guidance.codes.get_mut(&code) else {
            continue;
        };
        entry.title = words.title;
        entry.explanation = words.explanation;
        entry.steps = words.steps;
        for (platform, own) in words.platforms {
            entry.platforms.entry(platform).or_default().steps = Some(own.steps);
        }
    }
    guidance
}

impl Guidance {
    /// The built-in English catalogue (a test guarantees it parses).
    pub fn builtin() -> &'static Guidance {
        static EMPTY: LazyLock<Guidance> = LazyLock::new(Guidance::default);
        BUILTIN.as_ref().unwrap_or(&EMPTY)
    }

    /// The catalogue in `lang` (English where a translation lacks something).
    pub fn for_lang(lang: crate::i18n::Lang) -> &'static Guidance {
        match lang {
            crate::i18n::Lang::En => Guidance::builtin(),
            crate::i18n::Lang::De => &GERMAN,
            crate::i18n::Lang::Nl => &DUTCH,
        }
    }

    pub fn entry(&self, code: &str) -> Option<&Entry> {
        self.codes.get(code)
    }

    /// Attaches the fix of each finding's code, as it is done on `platform`.
    pub fn attach(&self, findings: &mut [Finding], platform: Platform) {
        for finding in findings {
            finding.fix = self.entry(&finding.code).map(|e| e.fix(platform));
        }
    }

    /// Looks up a finding code, an event id (`6065`), an AADSTS code or an HRESULT (also the
    /// hybrid-join and PRT codes of `facts::windows_errors`) in any of the ways Windows
    /// and people write one: `0xCAA5001C`, `CAA5001C`, `80070259` (as event 6013 prints it),
    /// decimal `2147943001` or negative `-2147024295`.
    pub fn explain(&self, query: &str) -> Option<Explanation<'_>> {
        let query = query.trim();
        if query
            .get(..6)
            .is_some_and(|p| p.eq_ignore_ascii_case("AADSTS"))
        {
            return crate::cloud::auth::refusals::lookup(query).map(Explanation::SignIn);
        }
        if let Some(entry) = self.codes.get(&query.to_ascii_uppercase()) {
            return Some(Explanation::Code {
                code: query.to_ascii_uppercase(),
                entry,
            });
        }
        if let Ok(id) = query.parse::<u32>()
            && let Some(note) = self.events.get(&id.to_string())
        {
            let mut codes: Vec<&'static str> = SIGNATURES
                .iter()
                .filter(|s| s.event_id == id || s.with.is_some_and(|(other, _)| other == id))
                .map(|s| s.code)
                .chain(
                    ERROR_EVENTS
                        .iter()
                        .filter(|e| e.event_id == id)
                        .map(|e| e.code),
                )
                .collect();
            codes.dedup();
            return Some(Explanation::Event { id, note, codes });
        }
        self.hresult(query).or_else(|| {
            let message = crate::facts::edge_messages::lookup(query)?;
            let entry = self.entry(message.code)?;
            Some(Explanation::EdgeMessage { message, entry })
        })
    }

    fn hresult(&self, query: &str) -> Option<Explanation<'_>> {
        let code = parse_code(query).or_else(|| {
            // A positive decimal HRESULT: failures have the top bit set.
            query.parse::<u32>().ok().filter(|n| *n >= 0x8000_0000)
        })?;
        let key = format!("0x{code:08X}");
        let Some(note) = self.hresults.get(&key) else {
            return crate::facts::windows_errors::lookup(code).map(Explanation::WindowsError);
        };
        let codes = SIGNATURES
            .iter()
            .filter(|s| s.hresult == code || s.with.is_some_and(|(_, other)| other == code))
            .map(|s| s.code)
            .collect();
        Some(Explanation::Hresult {
            hresult: key,
            note,
            codes,
        })
    }
}

/// What `explain` found.
#[derive(Debug, Clone, PartialEq)]
pub enum Explanation<'a> {
    Code {
        code: String,
        entry: &'a Entry,
    },
    Event {
        id: u32,
        note: &'a EventNote,
        codes: Vec<&'static str>,
    },
    Hresult {
        hresult: String,
        note: &'a HresultNote,
        codes: Vec<&'static str>,
    },
    /// An AADSTS answer to a sign-in.
    SignIn(&'static crate::cloud::auth::refusals::Refusal),
    /// Words Edge shows (its sync page, sync-internals), with the finding that explains them.
    EdgeMessage {
        message: &'static crate::facts::edge_messages::EdgeMessage,
        entry: &'a Entry,
    },
    /// A Windows error code of a hybrid join or PRT sign-in (0x801c…, 0xcaa…, 0xc000…).
    WindowsError(&'static crate::facts::windows_errors::WindowsError),
}

/// The built-in catalogue failed to parse (only a broken build can cause this).
pub fn builtin_error() -> Option<&'static toml::de::Error> {
    BUILTIN.as_ref().err()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{CATALOGUE, CheckSpec};

    #[test]
    fn every_edge_message_is_explained_by_a_finding_in_the_catalogue() {
        for message in crate::facts::edge_messages::EDGE_MESSAGES {
            let explained = Guidance::builtin().explain(message.shown);
            assert!(
                matches!(explained, Some(Explanation::EdgeMessage { message: m, .. }) if m.code == message.code),
                "{}",
                message.shown
            );
        }
    }

    #[test]
    fn builtin_catalogue_parses() {
        assert_eq!(builtin_error(), None);
        assert!(Guidance::builtin().codes.len() > 50);
    }

    /// Every code has German and Dutch words, step for step, also for macOS and Linux.
    #[test]
    fn every_code_is_translated_into_german_and_dutch() {
        let english = Guidance::builtin();
        for (name, text) in [("de", DE), ("nl", NL)] {
            let translation: Translation =
                toml::from_str(text).unwrap_or_else(|e| panic!("{name}.toml: {e}"));
            for (code, entry) in &english.codes {
                let Some(words) = translation.codes.get(code) else {
                    panic!("{name}.toml has no entry for {code}");
                };
                assert!(
                    !words.title.trim().is_empty() && !words.explanation.trim().is_empty(),
                    "{name} {code}: empty words"
                );
                assert_eq!(words.steps.len(), entry.steps.len(), "{name} {code}: steps");
                for (platform, own) in &entry.platforms {
                    if let Some(steps) = &own.steps {
                        let theirs = words.platforms.get(platform).map(|p| p.steps.len());
                        assert_eq!(theirs, Some(steps.len()), "{name} {code} on {platform}");
                    }
                }
            }
            for code in translation.codes.keys() {
                assert!(
                    english.codes.contains_key(code),
                    "{name}.toml: unknown {code}"
                );
            }
            // Commands are never translated.
            let merged = translated(text);
            for (code, entry) in &merged.codes {
                assert_eq!(
                    entry.commands, english.codes[code].commands,
                    "{name} {code}"
                );
            }
        }
    }

    #[test]
    fn every_code_a_check_can_emit_has_guidance() {
        let guidance = Guidance::builtin();
        let missing: Vec<&str> = CATALOGUE
            .iter()
            .flat_map(CheckSpec::all_codes)
            .chain(crate::checks::ANY_CHECK_CODES)
            .filter(|code| guidance.entry(code).is_none())
            .collect();
        assert_eq!(missing, Vec::<&str>::new());
    }

    #[test]
    fn every_entry_is_complete_and_belongs_to_a_check() {
        let emitted: Vec<&str> = CATALOGUE
            .iter()
            .flat_map(CheckSpec::all_codes)
            .chain(crate::checks::ANY_CHECK_CODES)
            .collect();
        for (code, entry) in &Guidance::builtin().codes {
            assert!(
                emitted.contains(&code.as_str()),
                "{code} is documented but no check emits it"
            );
            assert!(
                !entry.title.is_empty() && !entry.explanation.is_empty(),
                "{code}"
            );
            assert!(!entry.steps.is_empty(), "{code} has no steps");
            assert!(
                entry
                    .docs
                    .iter()
                    .all(|d| d.starts_with("https://learn.microsoft.com/")),
                "{code}"
            );
            for platform in entry.platforms.keys() {
                assert!(
                    ["macos", "linux"].contains(&platform.as_str()),
                    "{code}: {platform}"
                );
            }
        }
        for (url, page) in &Guidance::builtin().pages {
            let date = chrono::NaiveDate::parse_from_str(&page.date, "%Y-%m-%d");
            let today = chrono::Local::now().date_naive();
            assert!(date.is_ok_and(|d| d < today), "{url}: {}", page.date);
            assert!(!page.source.is_empty(), "{url} cites no source");
        }
    }

    #[test]
    fn fixes_on_macos_and_linux_name_no_windows_tool() {
        use crate::model::CheckId;
        let windows_only = [
            "reg query",
            "winget",
            "Test-NetConnection",
            "netsh",
            "gpupdate",
            "dsregcmd",
            "whoami",
            "ipconfig",
            "Resolve-DnsName",
            "HKLM",
            "HKCU",
        ];
        let portable = [
            CheckId::EdgeVersion,
            CheckId::AccountType,
            CheckId::EdgePolicy,
            CheckId::Network,
        ];
        let codes = portable
            .iter()
            .flat_map(|id| crate::checks::spec(*id).all_codes())
            .chain(
                crate::checks::spec(CheckId::SyncHealth)
                    .all_codes()
                    .filter(|c| c.starts_with("SYNC_")),
            );
        for code in codes {
            let Some(entry) = Guidance::builtin().entry(code) else {
                panic!("{code} has no guidance");
            };
            for platform in [Platform::Linux, Platform::Macos] {
                let fix = entry.fix(platform);
                for line in fix.steps.iter().chain(&fix.commands) {
                    assert!(
                        !windows_only.iter().any(|tool| line.contains(tool)),
                        "{code} on {}: {line}",
                        platform.as_str()
                    );
                }
            }
        }
    }

    #[test]
    fn every_signature_event_and_hresult_can_be_explained() {
        let guidance = Guidance::builtin();
        for signature in SIGNATURES {
            assert!(guidance.explain(&signature.event_id.to_string()).is_some());
            assert!(
                guidance
                    .explain(&format!("0x{:08x}", signature.hresult))
                    .is_some()
            );
            assert!(guidance.entry(signature.code).is_some());
        }
        for rule in ERROR_EVENTS {
            assert!(
                matches!(guidance.explain(&rule.event_id.to_string()), Some(Explanation::Event { codes, .. }) if codes == [rule.code]),
                "event {}",
                rule.event_id
            );
        }
    }

    #[test]
    fn explain_accepts_the_three_kinds() {
        let guidance = Guidance::builtin();
        assert!(
            matches!(guidance.explain("esr_disabled"), Some(Explanation::Code { code, .. }) if code == "ESR_DISABLED")
        );
        assert!(
            matches!(guidance.explain("6065"), Some(Explanation::Event { codes, .. }) if codes == ["EVENT_6065_ACCOUNT_DISABLED"])
        );
        assert!(
            matches!(guidance.explain("0xCAA5001C"), Some(Explanation::Hresult { codes, .. }) if codes == ["EVENT_1098_TOKEN_BROKER"])
        );
        assert!(
            matches!(guidance.explain("1104"), Some(Explanation::Event { codes, .. }) if codes == ["EVENT_1098_TOKEN_BROKER"])
        );
        assert_eq!(guidance.explain("NOPE"), None);
        assert_eq!(guidance.explain("4242"), None);
    }

    #[test]
    fn rms_guidance_names_enable_aipservice() {
        let fix = Guidance::builtin()
            .entry("RMS_NOT_ACTIVATED")
            .map(|e| e.fix(Platform::Windows));
        assert!(
            fix.is_some_and(|f| f.commands.iter().any(|c| c == "Enable-AipService")
                && f.commands.iter().any(|c| c == "Connect-AipService"))
        );
    }
}
