//! The face of `esr-doctor explain`: a finding code, an event id, an HRESULT or an AADSTS
//! sign-in answer in plain text.

use crate::guidance::{Explanation, Guidance};
use crate::i18n::{Lang, tr, tr_with};
use std::fmt::Write;

/// `explanation` in `lang` (the words of `guidance`, which should be that language's).
pub fn render(explanation: &Explanation<'_>, guidance: &Guidance, lang: Lang) -> String {
    let mut out = String::new();
    match explanation {
        Explanation::Code { code, entry } => {
            let _ = writeln!(
                out,
                "{code}: {}\n\n{}\n\n{}: {}",
                entry.title,
                entry.explanation,
                tr(lang, "Who fixes it"),
                tr(lang, entry.audience.as_str())
            );
            for (n, step) in entry.steps.iter().enumerate() {
                let _ = writeln!(out, "  {}. {step}", n + 1);
            }
            if !entry.commands.is_empty() {
                let _ = writeln!(out, "\n{}:", tr(lang, "Commands"));
                for command in &entry.commands {
                    let _ = writeln!(out, "  > {command}");
                }
            }
            for doc in &entry.docs {
                let _ = match guidance.pages.get(doc) {
                    Some(page) => write!(
                        out,
                        "\n{doc} ({})",
                        tr_with(lang, "page dated {}", &page.date)
                    ),
                    None => write!(out, "\n{doc}"),
                };
            }
            out.push('\n');
        }
        Explanation::Event { id, note, codes } => {
            let _ = writeln!(out, "Event {id} ({})\n\n{}", note.log, note.meaning);
            out.push_str(&see_also(guidance, codes));
        }
        Explanation::Hresult {
            hresult,
            note,
            codes,
        } => {
            let _ = writeln!(out, "{hresult}: {}\n\n{}", note.name, note.meaning);
            out.push_str(&see_also(guidance, codes));
        }
        Explanation::SignIn(refusal) => {
            let _ = writeln!(
                out,
                "AADSTS{}: {}\n\n{}.\n\n{}: {}\n{}: {}\n\n{}",
                refusal.code,
                refusal.name,
                refusal.what,
                tr(lang, "Who can change it"),
                refusal.who,
                tr(lang, "What to try instead"),
                refusal.instead,
                crate::cloud::auth::refusals::REFERENCE
            );
        }
    }
    out
}

/// The findings an event or HRESULT belongs to, with how to read more.
/// Every finding code with its title, then the event ids and HRESULTs, for `explain --list`.
pub fn list(guidance: &Guidance) -> String {
    let mut out = String::from("Finding codes:\n");
    let width = guidance.codes.keys().map(String::len).max().unwrap_or(0);
    for (code, entry) in &guidance.codes {
        let _ = writeln!(out, "  {code:<width$}  {}", entry.title);
    }
    out.push_str("\nWindows event ids:\n");
    for (id, note) in &guidance.events {
        let _ = writeln!(out, "  {id:<6}  {}", note.log);
    }
    out.push_str("\nHRESULTs:\n");
    for (hresult, note) in &guidance.hresults {
        let _ = writeln!(out, "  {hresult}  {}", note.name);
    }
    out.push_str("\nSign-in answers:\n");
    for refusal in crate::cloud::auth::refusals::REFUSALS {
        let code = format!("AADSTS{}", refusal.code);
        let _ = writeln!(out, "  {code:<12}  {}", refusal.name);
    }
    out
}

fn see_also(guidance: &Guidance, codes: &[&str]) -> String {
    codes
        .iter()
        .map(|code| {
            let title = guidance.entry(code).map_or("", |e| e.title.as_str());
            format!("\nFinding {code}: {title}\n  (esr-doctor explain {code})\n")
        })
        .collect()
}
