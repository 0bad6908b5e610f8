//! The one fix renderer: every face (text, markdown, the wizard's detail, `explain`) shows a fix
//! as the same parts in the same order — who acts, the numbered steps, the commands, then the
//! documentation — and differs only in how each part is drawn ([`FixFace`]).

use crate::guidance::Entry;
use crate::i18n::{Lang, tr};
use crate::model::{Audience, Fix};

/// A fix as every face shows it: a finding's attached fix or a guidance entry.
pub struct FixParts<'a> {
    pub audience: Audience,
    pub steps: &'a [String],
    pub commands: &'a [String],
    pub docs: &'a [String],
}

impl<'a> From<&'a Fix> for FixParts<'a> {
    fn from(fix: &'a Fix) -> FixParts<'a> {
        FixParts {
            audience: fix.audience,
            steps: &fix.steps,
            commands: &fix.commands,
            docs: &fix.docs,
        }
    }
}

impl<'a> From<&'a Entry> for FixParts<'a> {
    fn from(entry: &'a Entry) -> FixParts<'a> {
        FixParts {
            audience: entry.audience,
            steps: &entry.steps,
            commands: &entry.commands,
            docs: &entry.docs,
        }
    }
}

/// How one face draws each part; labels arrive translated.
pub trait FixFace {
    fn who(&mut self, label: &str, audience: &str);
    /// Step `number` (from 1).
    fn step(&mut self, number: usize, text: &str);
    /// Only called when there are commands.
    fn commands(&mut self, label: &str, commands: &[String]);
    /// Between the commands and the documentation (the wizard says why there).
    fn before_docs(&mut self) {}
    /// Only called when there are documents.
    fn docs(&mut self, label: &str, docs: &[String]);
}

/// Draws `fix` in `lang` through `face`.
pub fn render(fix: &FixParts<'_>, lang: Lang, face: &mut impl FixFace) {
    face.who(&tr(lang, "Who fixes it"), &tr(lang, fix.audience.as_str()));
    for (index, step) in fix.steps.iter().enumerate() {
        face.step(index + 1, step);
    }
    if !fix.commands.is_empty() {
        // A comment among the commands is words, in the reader's language; commands are not.
        let commands: Vec<String> = fix
            .commands
            .iter()
            .map(|c| {
                if c.starts_with("# ") {
                    tr(lang, c)
                } else {
                    c.clone()
                }
            })
            .collect();
        face.commands(&tr(lang, "Commands"), &commands);
    }
    face.before_docs();
    if !fix.docs.is_empty() {
        face.docs(&tr(lang, "Docs"), fix.docs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records the order of the calls.
    #[derive(Default)]
    struct Calls(Vec<String>);

    impl FixFace for Calls {
        fn who(&mut self, label: &str, audience: &str) {
            self.0.push(format!("who {label}: {audience}"));
        }
        fn step(&mut self, number: usize, text: &str) {
            self.0.push(format!("step {number} {text}"));
        }
        fn commands(&mut self, label: &str, commands: &[String]) {
            self.0.push(format!("{label} {}", commands.join("; ")));
        }
        fn before_docs(&mut self) {
            self.0.push("before docs".into());
        }
        fn docs(&mut self, label: &str, docs: &[String]) {
            self.0.push(format!("{label} {}", docs.join(" ")));
        }
    }

    #[test]
    fn every_face_gets_the_parts_in_one_order_and_no_empty_part() {
        let fix = Fix {
            audience: Audience::Admin,
            steps: vec!["Open the portal".into(), "Turn it on".into()],
            commands: Vec::new(),
            docs: vec!["https://learn.microsoft.com/x".into()],
        };
        let mut calls = Calls::default();
        render(&FixParts::from(&fix), Lang::En, &mut calls);
        assert_eq!(
            calls.0,
            [
                format!("who Who fixes it: {}", Audience::Admin.as_str()),
                "step 1 Open the portal".to_owned(),
                "step 2 Turn it on".to_owned(),
                "before docs".to_owned(),
                "Docs https://learn.microsoft.com/x".to_owned(),
            ]
        );
    }
}
