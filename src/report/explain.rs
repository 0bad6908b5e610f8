//! The face of `esr-doctor explain`: a finding code, an event id, an HRESULT or an AADSTS
//! sign-in answer in plain text.

use super::fix::{self, FixFace, FixParts};
use crate::guidance::{Entry, Explanation, Guidance};
use crate::i18n::{Lang, sentence, tr, tr_with};
use std::fmt::Write;

/// `explanation` in `lang` (the words of `guidance`, which should be that language's).
pub fn render(explanation: &Explanation<'_>, guidance: &Guidance, lang: Lang) -> String {
    let mut out = String::new();
    match explanation {
        Explanation::Code { code, entry } => finding(&mut out, code, entry, guidance, lang),
        Explanation::EdgeMessage { message, entry } => {
            let _ = writeln!(
                out,
                "\"{}\" ({}: {})\n",
                message.shown,
                tr(lang, "shown in"),
                message.shown_in
            );
            finding(&mut out, message.code, entry, guidance, lang);
        }
        Explanation::Event { id, note, codes } => {
            let _ = writeln!(
                out,
                "{} {id} ({})\n\n{}",
                tr(lang, "Event"),
                note.log,
                sentence(lang, &note.meaning)
            );
            if let (Some(who), Some(fix)) = (&note.who, &note.fix) {
                let _ = writeln!(
                    out,
                    "\n{}: {}\n{}: {}",
                    tr(lang, "Who can change it"),
                    sentence(lang, who),
                    tr(lang, "What to do"),
                    sentence(lang, fix)
                );
            }
            out.push_str(&see_also(guidance, codes, lang));
            if let Some(source) = &note.source {
                let _ = writeln!(out, "\n{}", sentence(lang, source));
            }
        }
        Explanation::Hresult {
            hresult,
            note,
            codes,
        } => {
            let _ = writeln!(
                out,
                "{hresult}: {}\n\n{}",
                sentence(lang, &note.name),
                sentence(lang, &note.meaning)
            );
            out.push_str(&see_also(guidance, codes, lang));
        }
        Explanation::SignIn(refusal) => {
            let _ = writeln!(
                out,
                "AADSTS{}: {}\n\n{}.\n\n{}: {}\n{}: {}\n\n{}",
                refusal.code,
                refusal.name,
                sentence(lang, refusal.what),
                tr(lang, "Who can change it"),
                sentence(lang, refusal.who),
                tr(lang, "What to try instead"),
                sentence(lang, refusal.instead),
                crate::cloud::auth::refusals::REFERENCE
            );
        }
        Explanation::WindowsError(error) => {
            let _ = writeln!(
                out,
                "0x{:08x}: {}\n\n{}\n\n{}: {}\n{}: {}\n\n{}",
                error.code,
                error.name,
                sentence(lang, error.meaning),
                tr(lang, "Who can change it"),
                sentence(lang, error.who),
                tr(lang, "What to do"),
                sentence(lang, error.fix),
                crate::facts::windows_errors::SOURCE
            );
        }
    }
    out
}

/// A finding code's title, explanation and fix.
fn finding(out: &mut String, code: &str, entry: &Entry, guidance: &Guidance, lang: Lang) {
    let _ = write!(out, "{code}: {}\n\n{}\n\n", entry.title, entry.explanation);
    let mut face = ExplainFix {
        out,
        guidance,
        lang,
    };
    fix::render(&FixParts::from(entry), lang, &mut face);
    out.push('\n');
}

/// The findings an event or HRESULT belongs to, with how to read more.
/// Every finding code with its title, then the event ids and HRESULTs, for `explain --list`.
pub fn list(lang: Lang) -> String {
    let english = Guidance::builtin();
    let translated = Guidance::for_lang(lang);
    let heading = |out: &mut String, words: &str| {
        let _ = writeln!(out, "{}:", tr(lang, words));
    };
    let mut out = String::new();
    heading(&mut out, "Finding codes");
    let width = english.codes.keys().map(String::len).max().unwrap_or(0);
    for (code, entry) in &english.codes {
        let title = translated.entry(code).map_or(&entry.title, |e| &e.title);
        let _ = writeln!(out, "  {code:<width$}  {title}");
    }
    out.push('\n');
    heading(&mut out, "Windows event ids");
    for (id, note) in &english.events {
        let _ = writeln!(out, "  {id:<6}  {}", note.log);
    }
    out.push('\n');
    heading(&mut out, "HRESULTs");
    for (hresult, note) in &english.hresults {
        let _ = writeln!(out, "  {hresult}  {}", sentence(lang, &note.name));
    }
    out.push('\n');
    heading(&mut out, "Hybrid join and PRT error codes");
    for error in crate::facts::windows_errors::WINDOWS_ERRORS {
        let _ = writeln!(out, "  0x{:08x}  {}", error.code, error.name);
    }
    out.push('\n');
    heading(&mut out, "What Edge shows");
    for message in crate::facts::edge_messages::EDGE_MESSAGES {
        let _ = writeln!(out, "  {:<48}  {}", message.shown, message.code);
    }
    out.push('\n');
    heading(&mut out, "Sign-in answers");
    for refusal in crate::cloud::auth::refusals::REFUSALS {
        let code = format!("AADSTS{}", refusal.code);
        let _ = writeln!(out, "  {code:<12}  {}", refusal.name);
    }
    out
}

fn see_also(guidance: &Guidance, codes: &[&str], lang: Lang) -> String {
    codes
        .iter()
        .map(|code| {
            let title = guidance.entry(code).map_or("", |e| e.title.as_str());
            format!(
                "\n{} {code}: {title}\n  (esr-doctor explain {code})\n",
                tr(lang, "Finding")
            )
        })
        .collect()
}

/// A fix in `explain`: indented steps, a commands list, each page with the date it was read.
struct ExplainFix<'o> {
    out: &'o mut String,
    guidance: &'o Guidance,
    lang: Lang,
}

impl FixFace for ExplainFix<'_> {
    fn who(&mut self, label: &str, audience: &str) {
        let _ = writeln!(self.out, "{label}: {audience}");
    }

    fn step(&mut self, number: usize, text: &str) {
        let _ = writeln!(self.out, "  {number}. {text}");
    }

    fn commands(&mut self, label: &str, commands: &[String]) {
        let _ = writeln!(self.out, "\n{label}:");
        for command in commands {
            let _ = writeln!(self.out, "  > {command}");
        }
    }

    fn docs(&mut self, _label: &str, docs: &[String]) {
        for doc in docs {
            let _ = match self.guidance.pages.get(doc) {
                Some(page) => write!(
                    self.out,
                    "\n{doc} ({})",
                    tr_with(self.lang, "page dated {}", &page.date)
                ),
                None => write!(self.out, "\n{doc}"),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every sentence `explain` shows from its reference tables, in English.
    fn reference_sentences() -> BTreeSet<&'static str> {
        let guidance = Guidance::builtin();
        let mut all = BTreeSet::new();
        for note in guidance.events.values() {
            all.insert(note.meaning.as_str());
            all.extend(
                [&note.who, &note.fix, &note.source]
                    .into_iter()
                    .flatten()
                    .map(String::as_str),
            );
        }
        for note in guidance.hresults.values() {
            all.extend([note.name.as_str(), note.meaning.as_str()]);
        }
        for error in crate::facts::windows_errors::WINDOWS_ERRORS {
            all.extend([error.meaning, error.who, error.fix]);
        }
        for refusal in crate::cloud::auth::refusals::REFUSALS {
            all.extend([refusal.what, refusal.who, refusal.instead]);
        }
        all
    }

    #[test]
    fn german_and_dutch_translate_every_reference_sentence_and_no_stale_one() {
        let wanted = reference_sentences();
        assert!(
            wanted.len() > 150,
            "the tables were read ({})",
            wanted.len()
        );
        for lang in [Lang::De, Lang::Nl] {
            let have: BTreeSet<&str> = crate::i18n::sentences_translated(lang)
                .into_iter()
                .collect();
            let missing: Vec<_> = wanted.difference(&have).collect();
            let stale: Vec<_> = have.difference(&wanted).collect();
            assert!(missing.is_empty(), "{lang:?} lacks {missing:#?}");
            assert!(
                stale.is_empty(),
                "{lang:?} translates sentences no table has: {stale:#?}"
            );
        }
    }

    #[test]
    fn an_event_explained_in_german_is_german() {
        let guidance = Guidance::for_lang(Lang::De);
        let Some(explanation) = guidance.explain("1098") else {
            panic!("event 1098 is explained");
        };
        let text = render(&explanation, guidance, Lang::De);
        assert!(text.contains("Tokenbroker"), "{text}");
        assert!(!text.contains("Token broker operation failed"), "{text}");
    }
}
