//! The face of `esr-doctor explain`: a finding code, an event id or an HRESULT in plain text.

use crate::guidance::{Explanation, Guidance};
use std::fmt::Write;

pub fn render(explanation: &Explanation<'_>, guidance: &Guidance) -> String {
    let mut out = String::new();
    match explanation {
        Explanation::Code { code, entry } => {
            let _ = writeln!(
                out,
                "{code}: {}\n\n{}\n\nWho fixes it: {}",
                entry.title,
                entry.explanation,
                entry.audience.as_str()
            );
            for (n, step) in entry.steps.iter().enumerate() {
                let _ = writeln!(out, "  {}. {step}", n + 1);
            }
            if !entry.commands.is_empty() {
                out.push_str("\nCommands:\n");
                for command in &entry.commands {
                    let _ = writeln!(out, "  > {command}");
                }
            }
            for doc in &entry.docs {
                let _ = write!(out, "\n{doc}");
            }
            let _ = writeln!(out, "\n\nRule last verified: {}", entry.verified);
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
    }
    out
}

/// The findings an event or HRESULT belongs to, with how to read more.
fn see_also(guidance: &Guidance, codes: &[&str]) -> String {
    codes
        .iter()
        .map(|code| {
            let title = guidance.entry(code).map_or("", |e| e.title.as_str());
            format!("\nFinding {code}: {title}\n  (esr-doctor explain {code})\n")
        })
        .collect()
}
