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

static ASCII_ONLY: OnceLock<bool> = OnceLock::new();

/// Chooses whether this run writes ASCII only (`--ascii`), once, at start.
pub fn set_ascii_only(ascii: bool) {
    let _ = ASCII_ONLY.set(ascii);
}

/// Whether this run writes ASCII only (`--ascii`).
pub fn ascii_only() -> bool {
    ASCII_ONLY.get().copied().unwrap_or(false)
}

/// `text` as this run spells it: in ASCII under `--ascii`, else unchanged.
pub fn spelled(text: &str) -> std::borrow::Cow<'_, str> {
    if ascii_only() {
        ascii(text)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UiStrings {
    ui: BTreeMap<String, String>,
}

/// The reference sentences of `explain` (events, HRESULTs, Windows errors, AADSTS answers),
/// kept apart from the UI strings because they are whole sentences that redaction must not
/// learn as vocabulary.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sentences {
    sentences: BTreeMap<String, String>,
}

type Table = LazyLock<BTreeMap<String, String>>;

static DE: Table = LazyLock::new(|| ui_table(include_str!("../assets/ui/de.toml")));
static NL: Table = LazyLock::new(|| ui_table(include_str!("../assets/ui/nl.toml")));
static DE_SENTENCES: Table =
    LazyLock::new(|| sentence_table(include_str!("../assets/explain/de.toml")));
static NL_SENTENCES: Table =
    LazyLock::new(|| sentence_table(include_str!("../assets/explain/nl.toml")));

fn ui_table(text: &str) -> BTreeMap<String, String> {
    toml::from_str::<UiStrings>(text)
        .map(|s| s.ui)
        .unwrap_or_default()
}

fn sentence_table(text: &str) -> BTreeMap<String, String> {
    toml::from_str::<Sentences>(text)
        .map(|s| s.sentences)
        .unwrap_or_default()
}

/// `english` looked up in the German or Dutch table of `lang`, English itself where none.
fn translated(lang: Lang, english: &str, de: &Table, nl: &Table) -> String {
    let table: Option<&BTreeMap<String, String>> = match lang {
        Lang::En => None,
        Lang::De => Some(de),
        Lang::Nl => Some(nl),
    };
    table
        .and_then(|t| t.get(english))
        .cloned()
        .unwrap_or_else(|| english.to_owned())
}

/// `english` in `lang` (English itself where no translation exists).
pub fn tr(lang: Lang, english: &str) -> String {
    translated(lang, english, &DE, &NL)
}

/// A whole reference sentence of `explain` (what an event, HRESULT, Windows error or AADSTS
/// answer means, who changes it, what to do) in `lang`; English where none exists.
pub fn sentence(lang: Lang, english: &str) -> String {
    translated(lang, english, &DE_SENTENCES, &NL_SENTENCES)
}

/// The English sentences `lang`'s explain table translates, for the test that it covers the
/// reference tables exactly.
#[cfg(test)]
pub fn sentences_translated(lang: Lang) -> Vec<&'static str> {
    let table: &'static Table = match lang {
        Lang::En => return Vec::new(),
        Lang::De => &DE_SENTENCES,
        Lang::Nl => &NL_SENTENCES,
    };
    table.keys().map(String::as_str).collect()
}

/// `tr` of a template, with `{}` replaced by `value` after translating.
pub fn tr_with(lang: Lang, template: &str, value: &str) -> String {
    tr_fill(lang, template, &[value])
}

/// `tr` of a template, its `{}` replaced by `values` in order after translating.
pub fn tr_fill(lang: Lang, template: &str, values: &[&str]) -> String {
    fill(&tr(lang, template), values)
}

/// `template` with its `{}` filled by `values` in order, as a step records it.
pub fn fill(template: &str, values: &[&str]) -> String {
    values.iter().fold(template.to_owned(), |text, value| {
        text.replacen("{}", value, 1)
    })
}

/// The values `text` fills `template` with, when it is that template filled in: the inverse of
/// `fill` (a value may itself hold the template's words; the first fit is taken).
pub fn values_in<'t>(template: &str, text: &'t str) -> Option<Vec<&'t str>> {
    let mut parts = template.split("{}");
    let first = parts.next()?;
    let mut rest = text.strip_prefix(first)?;
    let literals: Vec<&str> = parts.collect();
    let mut values = Vec::with_capacity(literals.len());
    for (i, literal) in literals.iter().enumerate() {
        let last = i + 1 == literals.len();
        let end = if last {
            rest.strip_suffix(literal).map(str::len)?
        } else if literal.is_empty() {
            return None;
        } else {
            rest.find(literal)?
        };
        values.push(&rest[..end]);
        rest = &rest[end + literal.len()..];
    }
    (!values.is_empty() && values.iter().all(|v| !v.is_empty())).then_some(values)
}

/// How many terminal cells `text` takes (a German "ü" one, a CJK character two): layout is
/// measured from the text shown, never from its English original.
pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` padded with spaces to `cells` display cells (unchanged when it is wider).
pub fn pad(text: &str, cells: usize) -> String {
    let missing = cells.saturating_sub(width(text));
    format!("{text}{}", " ".repeat(missing))
}

/// `text` cut to at most `cells` display cells, ending in `ellipsis` when something was cut.
pub fn fit(text: &str, cells: usize, ellipsis: &str) -> String {
    if width(text) <= cells {
        return text.to_owned();
    }
    let room = cells.saturating_sub(width(ellipsis));
    let mut used = 0;
    let mut kept = String::new();
    for c in text.chars() {
        let cost = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cost > room {
            break;
        }
        used += cost;
        kept.push(c);
    }
    kept + ellipsis
}

/// The widest of `texts` in display cells (0 for none).
pub fn widest<'a>(texts: impl IntoIterator<Item = &'a str>) -> usize {
    texts.into_iter().map(width).max().unwrap_or(0)
}

/// `text` in plain ASCII, for consoles without Unicode (`--ascii`): umlauts lose their dots,
/// dashes, arrows and ellipses become their ASCII spellings (the deunicode crate's table).
pub fn ascii(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            c if c.is_ascii() => out.push(c),
            '→' => out.push_str("->"),
            '←' => out.push_str("<-"),
            '·' | '•' | '—' | '–' => out.push('-'),
            c => out.push_str(deunicode::deunicode_char(c).unwrap_or("?")),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One cell's character in ASCII, for a drawn screen whose layout is already fixed (the
/// character stays one cell wide).
pub fn ascii_cell(c: char) -> char {
    match c {
        c if c.is_ascii() => c,
        '→' | '»' | '▶' => '>',
        '←' | '«' | '◀' => '<',
        '·' | '•' | '—' | '–' | '─' => '-',
        '…' => '.',
        c => deunicode::deunicode_char(c)
            .and_then(|s| s.chars().find(char::is_ascii_graphic))
            .unwrap_or('?'),
    }
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

    #[test]
    fn text_is_measured_in_display_cells() {
        assert_eq!(width("Prüfung"), 7);
        assert_eq!(width("設定"), 4);
        assert_eq!(pad("Prüfung", 9), "Prüfung  ");
        assert_eq!(fit("Netzwerkerreichbarkeit", 10, "…"), "Netzwerke…");
        assert_eq!(fit("kurz", 10, "…"), "kurz");
        assert_eq!(fit("設定設定", 5, "..."), "設...");
        assert_eq!(widest(["a", "Prüfungen", "bb"]), 9);
    }

    #[test]
    fn ascii_spells_what_a_unicode_console_would_draw() {
        assert_eq!(ascii("Prüfung — 3 → 4 · ok…"), "Prufung - 3 -> 4 - ok...");
        assert!(ascii("設定 ✓ „zitiert“").is_ascii());
        for c in ['ü', '…', '—', '→', '✓', '設', '\u{2028}'] {
            assert!(ascii_cell(c).is_ascii(), "{c}");
        }
    }
}
