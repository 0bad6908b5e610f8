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
    /// `q`: back, or quit from the checklist; while a sign-in waits it asks before quitting
    /// (Esc there cancels the sign-in).
    Leave,
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

/// A binding shown in the footer, in every mode (the table rows below adjust it).
const fn bind<S>(
    codes: &'static [KeyCode],
    label: &'static str,
    action: Action,
    short: &'static str,
    help: &'static str,
    screens: &'static [S],
) -> Binding<S> {
    Binding {
        codes,
        label,
        action,
        short,
        help,
        screens,
        in_footer: true,
        guided_only: false,
    }
}

impl<S> Binding<S> {
    /// Listed in the help only.
    const fn not_in_footer(self) -> Self {
        Binding {
            in_footer: false,
            ..self
        }
    }

    /// Offered in guided mode only.
    const fn guided_only(self) -> Self {
        Binding {
            guided_only: true,
            ..self
        }
    }
}

use Screen::{Checklist, Detail, Export, Summary, Welcome};

const ALL: &[Screen] = &[Welcome, Checklist, Detail, Summary, Export];

#[rustfmt::skip]
pub const BINDINGS: [Binding<Screen>; 16] = [
    bind(&[KeyCode::Up, KeyCode::Char('k')], "↑/k", Action::Up, "up", "Previous step, or scroll up", &[Checklist, Detail, Summary]),
    bind(&[KeyCode::Down, KeyCode::Char('j')], "↓/j", Action::Down, "down", "Next step, or scroll down", &[Checklist, Detail, Summary]),
    bind(&[KeyCode::Left, KeyCode::Char('h')], "←/h", Action::Left, "prev", "Guided mode: previous step", &[Checklist]).not_in_footer().guided_only(),
    bind(&[KeyCode::Right, KeyCode::Char('l'), KeyCode::Char(' ')], "→/l/space", Action::Right, "next", "Guided mode: show the result, then the next step", &[Checklist]).guided_only(),
    bind(&[KeyCode::Enter], "Enter", Action::Enter, "open", "Start; open the selected step; write the export", &[Welcome, Checklist, Export]),
    bind(&[KeyCode::Tab, KeyCode::BackTab], "Tab", Action::Tab, "pane", "Switch pane (export: switch format)", &[Checklist, Detail, Export]),
    bind(&[KeyCode::Char('r')], "r", Action::Rerun, "re-run", "Re-run the selected check", &[Checklist, Detail]),
    bind(&[KeyCode::Char('R')], "R", Action::RerunAll, "re-run all", "Re-run every check", &[Checklist, Summary]),
    bind(&[KeyCode::Char('s')], "s", Action::Summary, "summary", "Verdict and what to do next, by who must act", &[Checklist, Detail]),
    bind(&[KeyCode::Char('e')], "e", Action::Export, "export", "Write the report to a file (markdown or JSON)", &[Checklist, Detail, Summary]),
    bind(&[KeyCode::Char('c')], "c", Action::Copy, "copy", "Copy the markdown summary to the clipboard (OSC 52, works over SSH)", &[Checklist, Detail, Summary]),
    bind(&[KeyCode::Char('g')], "g", Action::Guided, "guided", "Guided mode: one prerequisite at a time, with why it exists", &[Welcome, Checklist]),
    bind(&[KeyCode::Char('x')], "x", Action::BreakFix, "break/fix", "Demo: break a prerequisite live, or fix it again", &[Checklist, Detail, Summary]).not_in_footer(),
    bind(&[KeyCode::Char('?')], "?", Action::Help, "help", "This help", &[Welcome, Checklist, Detail, Summary]),
    bind(&[KeyCode::Char('q')], "q", Action::Leave, "back/quit", "Back, or quit from the checklist", &[Welcome, Checklist, Detail, Summary]),
    bind(&[KeyCode::Esc], "Esc", Action::Back, "back", "Back (closes overlays too)", ALL).not_in_footer(),
];

/// Setup's one screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupScreen {
    Steps,
}

const STEPS: &[SetupScreen] = &[SetupScreen::Steps];

/// Setup's keys, most needed first (the footer offers as many as fit, in this order).
#[rustfmt::skip]
pub const SETUP_BINDINGS: [Binding<SetupScreen>; 11] = [
    bind(&[KeyCode::Up, KeyCode::Char('k')], "↑/k", Action::Up, "up", "Previous step", STEPS),
    bind(&[KeyCode::Down, KeyCode::Char('j')], "↓/j", Action::Down, "down", "Next step", STEPS),
    bind(&[KeyCode::Char('a')], "a", Action::AdminRan, "fix applied", "The admin ran the selected step's fix: re-check it until it is green", STEPS),
    bind(&[KeyCode::Char('r')], "r", Action::RerunAll, "re-check", "Re-check every step", STEPS),
    bind(&[KeyCode::Char('e')], "e", Action::Export, "export", "Write the pending fixes as a PowerShell script", STEPS),
    bind(&[KeyCode::Char('c')], "c", Action::Copy, "copy", "Copy the script to the clipboard (OSC 52, works over SSH)", STEPS),
    bind(&[KeyCode::PageDown, KeyCode::Char(' ')], "PgDn", Action::ScrollDown, "scroll", "Scroll the selected step's fix down", STEPS),
    bind(&[KeyCode::PageUp], "PgUp", Action::ScrollUp, "scroll up", "Scroll the selected step's fix up", STEPS).not_in_footer(),
    bind(&[KeyCode::Char('s')], "s", Action::StopWatching, "stop", "Stop watching the selected step", STEPS),
    bind(&[KeyCode::Char('?')], "?", Action::Help, "help", "This help", STEPS),
    bind(&[KeyCode::Char('q'), KeyCode::Esc], "q", Action::Back, "quit", "Quit (Esc closes this help)", STEPS),
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
    offered.sort_by_key(|b| !matches!(b.action, Action::Back | Action::Leave));
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
