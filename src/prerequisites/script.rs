//! Every pending fix as one PowerShell script, in the order the steps are set up, for the
//! admin to review and run. The commands come only from esr-doctor's own guidance; what the
//! tenant or the device said appears only in comments, on one line, made inert.

use super::Prerequisite;
use crate::guidance::Guidance;
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
    out.push_str(
        "# esr-doctor itself only reads the tenant. Portal steps are comments, and so are\n",
    );
    out.push_str("# a fix's options (choose one) and checks that run on a device, not here.\n");
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
            let options = Guidance::builtin()
                .entry(&finding.code)
                .is_some_and(|e| e.options);
            let steps = localise::fix_steps(finding, lang).unwrap_or_else(|| fix.steps.clone());
            for (n, step) in steps.iter().enumerate() {
                out.push_str(&format!("#   {}. {}\n", n + 1, comment(step)));
            }
            for command in &fix.commands {
                if emitted.contains(&command.as_str()) {
                    continue;
                }
                emitted.push(command);
                out.push_str(&line(command, options));
                out.push('\n');
            }
        }
    }
    out
}

/// A command as a script line. Only a tenant command may run, and only when it is the whole
/// fix: a device check, a command with a `<placeholder>` to fill in, and a change that is one
/// of the fix's options are comments, so the script parses and nothing runs unchosen.
fn line(command: &str, options: bool) -> String {
    let command = comment(command);
    if command.starts_with('#') {
        return command;
    }
    if !is_tenant_command(&command) {
        format!("# On a device (for the desktop or firewall team, not this script): {command}")
    } else if command.contains('<') && command.contains('>') {
        format!("# Fill in, then run: {command}")
    } else if options && changes_something(&command) {
        format!("# One option (read the steps above, then choose): {command}")
    } else {
        command
    }
}

/// A cmdlet of the tenant's own modules (AIPService, Microsoft Graph) or the module set-up
/// around them; anything else runs on a device.
fn is_tenant_command(command: &str) -> bool {
    let cmdlet = command.split_whitespace().next().unwrap_or_default();
    matches!(cmdlet, "Install-Module" | "Import-Module")
        || cmdlet.split_once('-').is_some_and(|(verb, noun)| {
            verb.chars().all(|c| c.is_ascii_alphabetic())
                && (noun.starts_with("AipService") || noun.starts_with("Mg"))
        })
}

/// A cmdlet whose verb changes the tenant (not Get, Connect, Install …).
fn changes_something(command: &str) -> bool {
    let verb = command.split('-').next().unwrap_or_default();
    matches!(
        verb,
        "Set" | "Enable" | "Disable" | "New" | "Remove" | "Add" | "Update" | "Clear"
    )
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
            line("New-MgGroupMember -GroupId <esr-group-object-id>", false),
            "# Fill in, then run: New-MgGroupMember -GroupId <esr-group-object-id>"
        );
        assert_eq!(line("Enable-AipService", false), "Enable-AipService");
    }

    /// The lines of `script` that PowerShell would run.
    fn live(script: &str) -> Vec<&str> {
        script
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .collect()
    }

    #[test]
    fn a_fix_with_options_runs_none_of_them() {
        let scoped = [finding("RMS_USER_SCOPED_OUT", "scoped")];
        let script = render(&[(4, &STEPS[3], &scoped[..])], "now", Lang::En);
        assert!(
            script.contains(
                "# One option (read the steps above, then choose): Set-AipServiceOnboardingControlPolicy -UseRmsUserLicense $False"
            ),
            "{script}"
        );
        assert!(script.contains("#   2. Add the user to the policy's security group, or remove"));
        assert!(
            live(&script).iter().all(|l| !l.starts_with("Set-")),
            "{script}"
        );
        assert!(live(&script).contains(&"Get-AipServiceOnboardingControlPolicy"));
    }

    #[test]
    fn device_checks_are_comments_for_the_team_that_runs_them() {
        let network = [
            finding("NET_NO_DNS", "no DNS"),
            finding("NET_BLOCKED", "blocked"),
        ];
        let script = render(&[(6, &STEPS[5], &network[..])], "now", Lang::En);
        assert!(live(&script).is_empty(), "no live line: {script}");
        assert!(script.contains("# On a device (for the desktop or firewall team, not this script): Resolve-DnsName edge.microsoft.com"));
        for device in [
            "dsregcmd",
            "resolvectl",
            "getent",
            "ip route",
            "Test-NetConnection",
        ] {
            assert!(
                live(&script).iter().all(|l| !l.contains(device)),
                "{device}: {script}"
            );
        }
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
