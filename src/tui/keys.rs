//! The one key map of the full-screen modes: the wizard's and setup's key handling, footers and
//! help overlays are all generated from the tables here.

use super::state::Screen;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks for; the app decides what it means on the current screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Left,
    Right,
    Enter,
    Tab,
    Rerun,
    RerunAll,
    Summary,
    Export,
    Copy,
    Guided,
    BreakFix,
    Help,
    Back,
    Quit,
    /// Setup: scroll the selected step's fix.
    ScrollDown,
    ScrollUp,
    /// Setup: the admin ran the selected step's fix; watch it until it is green.
    AdminRan,
    /// Setup: stop watching the selected step.
    StopWatching,
}

/// One row of a key map; `S` is the mode's screens.
pub struct Binding<S: 'static> {
    pub codes: &'static [KeyCode],
    /// How the key is written in the footer and the help.
    pub label: &'static str,
    pub action: Action,
    /// Short word for the footer.
    pub short: &'static str,
    /// Sentence for the help overlay.
    pub help: &'static str,
    /// Screens where it works.
    pub screens: &'static [S],
    /// Shown in the footer (the help overlay shows every binding).
    pub in_footer: bool,
    /// Only meaningful in guided mode.
    pub guided_only: bool,
}

use Screen::{Checklist, Detail, Export, Summary, Welcome};

const ALL: &[Screen] = &[Welcome, Checklist, Detail, Summary, Export];

pub const BINDINGS: [Binding<Screen>; 16] = [
    Binding {
        codes: &[KeyCode::Up, KeyCode::Char('k')],
        label: "↑/k",
        action: Action::Up,
        short: "up",
        help: "Previous step, or scroll up",
        screens: &[Checklist, Detail, Summary],
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Down, KeyCode::Char('j')],
        label: "↓/j",
        action: Action::Down,
        short: "down",
        help: "Next step, or scroll down",
        screens: &[Checklist, Detail, Summary],
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Left, KeyCode::Char('h')],
        label: "←/h",
        action: Action::Left,
        short: "prev",
        help: "Guided mode: previous step",
        screens: &[Checklist],
        in_footer: false,
        guided_only: true,
    },
    Binding {
        codes: &[KeyCode::Right, KeyCode::Char('l'), KeyCode::Char(' ')],
        label: "→/l/space",
        action: Action::Right,
        short: "next",
        help: "Guided mode: show the result, then the next step",
        screens: &[Checklist],
        in_footer: true,
        guided_only: true,
    },
    Binding {
        codes: &[KeyCode::Enter],
        label: "Enter",
        action: Action::Enter,
        short: "open",
        help: "Start; open the selected step; write the export",
        screens: &[Welcome, Checklist, Export],
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Tab, KeyCode::BackTab],
        label: "Tab",
        action: Action::Tab,
        short: "pane",
        help: "Switch pane (export: switch format)",
        screens: &[Checklist, Detail, Export],
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('r')],
        label: "r",
        action: Action::Rerun,
        short: "re-run",
        help: "Re-run the selected check",
        screens: &[Checklist, Detail],
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('R')],
        label: "R",
        action: Action::RerunAll,
        short: "re-run all",
        help: "Re-run every check",
        screens: &[Checklist, Summary],
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('s')],
        label: "s",
        action: Action::Summary,
        short: "summary",
        help: "Verdict and what to do next, by who must act",
        screens: &[Checklist, Detail],
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('e')],
        label: "e",
        action: Action::Export,
        short: "export",
        help: "Write the report to a file (markdown or JSON)",
        screens: &[Checklist, Detail, Summary],
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('c')],
        label: "c",
        action: Action::Copy,
        short: "copy",
        help: "Copy the markdown summary to the clipboard (OSC 52, works over SSH)",
        screens: &[Checklist, Detail, Summary],
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('g')],
        label: "g",
        action: Action::Guided,
        short: "guided",
        help: "Guided mode: one prerequisite at a time, with why it exists",
        screens: &[Welcome, Checklist],
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('x')],
        label: "x",
        action: Action::BreakFix,
        short: "break/fix",
        help: "Demo: break a prerequisite live, or fix it again",
        screens: &[Checklist, Detail, Summary],
        in_footer: false,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('?')],
        label: "?",
        action: Action::Help,
        short: "help",
        help: "This help",
        screens: &[Welcome, Checklist, Detail, Summary],
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('q')],
        label: "q",
        action: Action::Back,
        short: "back/quit",
        help: "Back, or quit from the checklist",
        screens: &[Welcome, Checklist, Detail, Summary],
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Esc],
        label: "Esc",
        action: Action::Back,
        short: "back",
        help: "Back (closes overlays too)",
        screens: ALL,
        in_footer: false,
        guided_only: false,
    },
];

/// Setup's one screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupScreen {
    Steps,
}

const STEPS: &[SetupScreen] = &[SetupScreen::Steps];

/// Setup's keys, most needed first (the footer offers as many as fit, in this order).
pub const SETUP_BINDINGS: [Binding<SetupScreen>; 11] = [
    Binding {
        codes: &[KeyCode::Up, KeyCode::Char('k')],
        label: "↑/k",
        action: Action::Up,
        short: "up",
        help: "Previous step",
        screens: STEPS,
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Down, KeyCode::Char('j')],
        label: "↓/j",
        action: Action::Down,
        short: "down",
        help: "Next step",
        screens: STEPS,
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('a')],
        label: "a",
        action: Action::AdminRan,
        short: "fix applied",
        help: "The admin ran the selected step's fix: re-check it until it is green",
        screens: STEPS,
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('r')],
        label: "r",
        action: Action::RerunAll,
        short: "re-check",
        help: "Re-check every step",
        screens: STEPS,
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('e')],
        label: "e",
        action: Action::Export,
        short: "export",
        help: "Write the pending fixes as a PowerShell script",
        screens: STEPS,
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('c')],
        label: "c",
        action: Action::Copy,
        short: "copy",
        help: "Copy the script to the clipboard (OSC 52, works over SSH)",
        screens: STEPS,
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::PageDown, KeyCode::Char(' ')],
        label: "PgDn",
        action: Action::ScrollDown,
        short: "scroll",
        help: "Scroll the selected step's fix down",
        screens: STEPS,
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::PageUp],
        label: "PgUp",
        action: Action::ScrollUp,
        short: "scroll up",
        help: "Scroll the selected step's fix up",
        screens: STEPS,
        in_footer: false,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('s')],
        label: "s",
        action: Action::StopWatching,
        short: "stop",
        help: "Stop watching the selected step",
        screens: STEPS,
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('?')],
        label: "?",
        action: Action::Help,
        short: "help",
        help: "This help",
        screens: STEPS,
        in_footer: true,
        guided_only: false,
    },
    Binding {
        codes: &[KeyCode::Char('q'), KeyCode::Esc],
        label: "q",
        action: Action::Back,
        short: "quit",
        help: "Quit (Esc closes this help)",
        screens: STEPS,
        in_footer: true,
        guided_only: false,
    },
];

/// The action of a key on `screen` of the mode `map` belongs to, if it has one there. Ctrl-C
/// always quits.
pub fn action_in<S: Copy + PartialEq>(
    map: &'static [Binding<S>],
    key: KeyEvent,
    screen: S,
) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    map.iter()
        .filter(|b| b.screens.contains(&screen))
        .find(|b| b.codes.contains(&key.code))
        .map(|b| b.action)
}

/// The wizard's action for a key on `screen`.
pub fn action_for(key: KeyEvent, screen: Screen) -> Option<Action> {
    action_in(&BINDINGS, key, screen)
}

/// The bindings of `map` that work on `screen`, in key-map order.
pub fn for_screen<S: Copy + PartialEq>(
    map: &'static [Binding<S>],
    screen: S,
) -> impl Iterator<Item = &'static Binding<S>> {
    map.iter().filter(move |b| b.screens.contains(&screen))
}

/// The bindings the footer offers on `screen`, the way back or out first (guided-mode keys
/// only in guided mode).
pub fn footer<S: Copy + PartialEq>(
    map: &'static [Binding<S>],
    screen: S,
    guided: bool,
) -> Vec<&'static Binding<S>> {
    let mut offered: Vec<&Binding<S>> = for_screen(map, screen)
        .filter(|b| b.in_footer && (guided || !b.guided_only))
        .collect();
    offered.sort_by_key(|b| b.action != Action::Back);
    offered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn keys_map_per_screen() {
        assert_eq!(
            action_for(key(KeyCode::Char('j')), Checklist),
            Some(Action::Down)
        );
        assert_eq!(
            action_for(key(KeyCode::Char('R')), Checklist),
            Some(Action::RerunAll)
        );
        assert_eq!(action_for(key(KeyCode::Char('r')), Welcome), None);
        assert_eq!(action_for(key(KeyCode::Esc), Export), Some(Action::Back));
        assert_eq!(
            action_for(
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Export
            ),
            Some(Action::Quit)
        );
    }

    #[test]
    fn no_key_means_two_things_on_one_screen() {
        fn distinct<S: Copy + PartialEq + std::fmt::Debug>(map: &'static [Binding<S>], screen: S) {
            let mut seen = Vec::new();
            for binding in for_screen(map, screen) {
                for code in binding.codes {
                    assert!(!seen.contains(code), "{code:?} twice on {screen:?}");
                    seen.push(*code);
                }
            }
        }
        for screen in ALL {
            distinct(&BINDINGS, *screen);
        }
        distinct(&SETUP_BINDINGS, SetupScreen::Steps);
    }

    #[test]
    fn setup_reads_its_keys_from_the_same_map() {
        let setup = |code| action_in(&SETUP_BINDINGS, key(code), SetupScreen::Steps);
        assert_eq!(setup(KeyCode::Char('a')), Some(Action::AdminRan));
        assert_eq!(setup(KeyCode::PageUp), Some(Action::ScrollUp));
        assert_eq!(setup(KeyCode::Esc), Some(Action::Back));
        assert_eq!(
            setup(KeyCode::Char('g')),
            None,
            "guided mode is the wizard's"
        );
        let offered: Vec<&str> = footer(&SETUP_BINDINGS, SetupScreen::Steps, false)
            .iter()
            .map(|b| b.label)
            .collect();
        assert_eq!(offered.first(), Some(&"q"), "the way out first");
        assert!(!offered.contains(&"PgUp"), "{offered:?}");
    }
}
