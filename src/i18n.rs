//! Languages: English, German and Dutch for the people who read the wizard, the text and
//! markdown reports and the guidance. JSON stays English so scripts and tickets stay stable.
//!
//! Only words are translated. Commands, links, codes and anything the evidence said are the
//! same in every language. UI strings live in `assets/ui/<lang>.toml`, keyed by their English
//! text, so a missing translation shows English rather than nothing.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::{LazyLock, OnceLock};

/// A language esr-doctor speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    De,
    Nl,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Nl => "nl",
        }
    }

    /// The language of a locale name as Windows (`de-DE`, `nl-BE`) or Unix (`de_AT.UTF-8`)
    /// write it; anything else is English.
    pub fn from_locale(locale: &str) -> Lang {
        let primary = locale
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "de" => Lang::De,
            "nl" => Lang::Nl,
            _ => Lang::En,
        }
    }

    /// The system's UI language: the Windows user UI language, `LC_ALL`/`LC_MESSAGES`/`LANG`
    /// elsewhere (what `sys-locale` reads).
    pub fn system() -> Lang {
        sys_locale::get_locale().map_or(Lang::En, |l| Lang::from_locale(&l))
    }
}

static CURRENT: OnceLock<Lang> = OnceLock::new();

/// Chooses the language of this run (once, at start; English until then).
pub fn set(lang: Lang) {
    let _ = CURRENT.set(lang);
}

/// The language of this run.
pub fn current() -> Lang {
    CURRENT.get().copied().unwrap_or_default()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UiStrings {
    ui: BTreeMap<String, String>,
}

fn load(text: &str) -> BTreeMap<String, String> {
    toml::from_str::<UiStrings>(text)
        .map(|s| s.ui)
        .unwrap_or_default()
}

static DE: LazyLock<BTreeMap<String, String>> =
    LazyLock::new(|| load(include_str!("../assets/ui/de.toml")));
static NL: LazyLock<BTreeMap<String, String>> =
    LazyLock::new(|| load(include_str!("../assets/ui/nl.toml")));

/// `english` in `lang` (English itself where no translation exists).
pub fn tr(lang: Lang, english: &str) -> String {
    let strings: Option<&BTreeMap<String, String>> = match lang {
        Lang::En => None,
        Lang::De => Some(&DE),
        Lang::Nl => Some(&NL),
    };
    strings
        .and_then(|s| s.get(english))
        .cloned()
        .unwrap_or_else(|| english.to_owned())
}

/// `tr` of a template, with `{}` replaced by `value` after translating.
pub fn tr_with(lang: Lang, template: &str, value: &str) -> String {
    tr_fill(lang, template, &[value])
}

/// `tr` of a template, its `{}` replaced by `values` in order after translating.
pub fn tr_fill(lang: Lang, template: &str, values: &[&str]) -> String {
    values.iter().fold(tr(lang, template), |text, value| {
        text.replacen("{}", value, 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_as_windows_and_unix_write_them() {
        assert_eq!(Lang::from_locale("de-DE"), Lang::De);
        assert_eq!(Lang::from_locale("de_AT.UTF-8"), Lang::De);
        assert_eq!(Lang::from_locale("nl-BE"), Lang::Nl);
        assert_eq!(Lang::from_locale("NL_nl"), Lang::Nl);
        assert_eq!(Lang::from_locale("C.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("fr-FR"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
    }

    #[test]
    fn both_ui_tables_parse_and_translate_the_same_strings() {
        let parse = |text: &str| toml::from_str::<UiStrings>(text).map(|s| s.ui);
        let de = parse(include_str!("../assets/ui/de.toml")).unwrap_or_else(|e| panic!("de: {e}"));
        let nl = parse(include_str!("../assets/ui/nl.toml")).unwrap_or_else(|e| panic!("nl: {e}"));
        assert!(de.len() > 20);
        let keys = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&de), keys(&nl), "de and nl translate the same strings");
        for table in [&de, &nl] {
            for (english, translated) in table {
                assert!(!translated.trim().is_empty(), "{english:?} is empty");
                for placeholder in ["{}", "{version}", "{ms}"] {
                    assert_eq!(
                        english.matches(placeholder).count(),
                        translated.matches(placeholder).count(),
                        "{english:?} → {translated:?} keeps {placeholder}"
                    );
                }
            }
        }
    }

    #[test]
    fn untranslated_text_stays_english() {
        assert_eq!(tr(Lang::De, "no such string"), "no such string");
        assert_eq!(tr(Lang::En, "Verdict"), "Verdict");
    }
}
