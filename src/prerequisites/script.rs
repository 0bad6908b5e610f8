//! Every pending fix as one PowerShell script, in the order the steps are set up, for the
//! admin to review and run. The commands come only from esr-doctor's own guidance; what the
//! tenant or the device said appears only in comments, on one line, made inert.

use super::Prerequisite;
use crate::i18n::Lang;
use crate::model::Finding;
use crate::report::localise;

/// A pending step: its number (from 1), the step, and what is wrong with it.
pub type Pending<'a> = (usize, &'a Prerequisite, &'a [Finding]);

/// The script for `pending`, stamped with `generated` (e.g. `2026-11-22 09:10`), its
/// comments in `lang` (the commands are the same in every language).
pub fn render(pending: &[Pending<'_>], generated: &str, lang: Lang) -> String {
    let mut out = String::new();
    out.push_str(
        "# esr-doctor setup: the tenant fixes still pending, in the order to apply them.\n",
    );
    out.push_str(&format!(
        "# Written {generated} by esr-doctor {}. Review every line before you run it;\n",
        env!("CARGO_PKG_VERSION")
    ));
    out.push_str("# esr-doctor itself only reads the tenant. Portal steps are comments.\n");
    out.push_str("#Requires -Version 5.1\n");
    if pending.is_empty() {
        out.push_str("\n# Nothing is pending: every tenant step is in place.\n");
        return out;
    }
    let mut emitted: Vec<&str> = Vec::new();
    for (number, step, findings) in pending {
        out.push_str(&format!("\n# ── Step {number}: {} ──\n", step.title));
        for finding in *findings {
            out.push_str(&format!(
                "# {}: {}\n",
                finding.code,
                comment(&finding.message)
            ));
            let Some(fix) = &finding.fix else { continue };
            let steps = localise::fix_steps(finding, lang).unwrap_or_else(|| fix.steps.clone());
            for (n, step) in steps.iter().enumerate() {
                out.push_str(&format!("#   {}. {}\n", n + 1, comment(step)));
            }
            for command in &fix.commands {
                if emitted.contains(&command.as_str()) {
                    continue;
                }
                emitted.push(command);
                out.push_str(&line(command));
                out.push('\n');
            }
        }
    }
    out
}

/// A command as a script line: one with a `<placeholder>` to fill in is left as a comment, so
/// the script still parses and nothing runs half-filled.
fn line(command: &str) -> String {
    let command = comment(command);
    if command.contains('<') && command.contains('>') && !command.starts_with('#') {
        format!("# Fill in, then run: {command}")
    } else {
        command
    }
}

/// Text that stays inside one comment line: no control character, no line separator.
fn comment(text: &str) -> String {
    crate::evidence::plain(text)
        .chars()
        .map(|c| {
            if matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Platform;
    use crate::guidance::Guidance;
    use crate::model::{Feature, Severity};
    use crate::prerequisites::STEPS;

    fn finding(code: &str, message: &str) -> Finding {
        let mut finding = Finding::new(code, Severity::Fail, &[Feature::EdgeSync], message.into());
        Guidance::builtin().attach(std::slice::from_mut(&mut finding), Platform::Windows);
        finding
    }

    #[test]
    fn fixes_come_in_step_order_and_shared_lines_once() {
        let rms = [finding("RMS_NOT_ACTIVATED", "off")];
        let ipcv3 = [finding("RMS_IPCV3_DISABLED", "off")];
        let pending = [(2, &STEPS[1], &rms[..]), (3, &STEPS[2], &ipcv3[..])];
        let script = render(&pending, "2026-11-22 09:10", Lang::En);
        let enable = script.find("\nEnable-AipService\n");
        let ipc = script.find("\nEnable-AipServiceIPCv3\n");
        assert!(
            enable.is_some() && ipc.is_some() && enable < ipc,
            "{script}"
        );
        assert_eq!(
            script.matches("\nConnect-AipService\n").count(),
            1,
            "{script}"
        );
        assert!(script.contains("# ── Step 3: IPCv3 service on ──"));
    }

    #[test]
    fn evidence_cannot_break_out_of_a_comment() {
        let hostile = [finding(
            "NET_BLOCKED",
            "host\nRemove-Item C:\\ -Recurse\u{2028}Stop-Computer\r\x1b]52;c;eA==\x07",
        )];
        let script = render(&[(6, &STEPS[5], &hostile[..])], "now", Lang::En);
        for line in script.lines() {
            assert!(
                line.is_empty()
                    || line.starts_with('#')
                    || !line.contains("Remove-Item") && !line.contains("Stop-Computer"),
                "a line outside a comment: {line:?}"
            );
            assert!(!line.chars().any(|c| c.is_control() || c == '\u{2028}'));
        }
    }

    #[test]
    fn placeholders_stay_commented() {
        assert_eq!(
            line("New-MgGroupMember -GroupId <esr-group-object-id>"),
            "# Fill in, then run: New-MgGroupMember -GroupId <esr-group-object-id>"
        );
        assert_eq!(line("Enable-AipService"), "Enable-AipService");
    }

    #[test]
    fn nothing_pending_says_so() {
        assert!(render(&[], "now", Lang::En).contains("Nothing is pending"));
    }

    #[test]
    fn a_german_script_explains_in_german_and_runs_the_same_commands() {
        let rms = [finding("RMS_NOT_ACTIVATED", "off")];
        let pending = [(2, &STEPS[1], &rms[..])];
        let (english, german) = (
            render(&pending, "now", Lang::En),
            render(&pending, "now", Lang::De),
        );
        assert!(german.contains("#   3. Den Dienst mit Enable-AipService aktivieren"));
        let commands = |s: &str| {
            s.lines()
                .filter(|l| !l.starts_with('#'))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        assert_eq!(commands(&english), commands(&german));
    }
}
