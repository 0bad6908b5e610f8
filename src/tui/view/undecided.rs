//! What to do about a step that could not be decided (skipped or an error): what could not be
//! read, how to get it, and the step that blocks it. Never "Nothing to fix" while the answer
//! is unknown.

use crate::model::{CheckId, CheckResult, SkipKind, Status};
use crate::tui::app::App;
use ratatui::text::{Line, Span};

/// The lines that replace an empty fix for `result`; empty for a step that passed or does
/// not apply (there, nothing needs doing).
pub fn next_steps(app: &App, result: &CheckResult) -> Vec<Line<'static>> {
    let theme = app.theme;
    let said = match (result.status, result.skip_kind) {
        (Status::Skipped, Some(SkipKind::Blocked)) => match blocking_step(app, result.id) {
            Some((number, title)) => crate::i18n::tr_fill(
                app.lang,
                "Step {} ({}) fails and makes this one meaningless: fix that first, then R checks again.",
                &[&number.to_string(), &title],
            ),
            None => app.tr("An earlier step fails: fix that first, then R checks again."),
        },
        (Status::Skipped, Some(SkipKind::NeedsSignIn)) => app.tr(
            "Its facts are in the tenant and nobody signed in: R checks again and offers the sign-in.",
        ),
        (Status::Skipped, Some(SkipKind::NeedsRole)) => app.tr(
            "The account that signed in may not read this: sign in with the directory role named above (or ask an admin who has it), then R.",
        ),
        (Status::Skipped, Some(SkipKind::Missing)) => app.tr(
            "Its evidence was not gathered: run esr-doctor check (or esr-doctor collect --out bundle.zip) on the user's device, signed in as the user.",
        ),
        (Status::Error, _) => app.tr(
            "It could not be decided; the reason is above. Fix what it names, then r checks this step again.",
        ),
        _ => return Vec::new(),
    };
    let mut lines = vec![Line::from(Span::styled(
        app.tr("What to do"),
        theme.title(),
    ))];
    lines.push(Line::from(said));
    if let Some((number, title)) = unreachable_network(app, result.id) {
        lines.push(Line::default());
        lines.push(Line::from(crate::i18n::tr_fill(
            app.lang,
            "Step {} ({}) found connections that fail: they may be why this could not be read.",
            &[&number.to_string(), &title],
        )));
    }
    lines
}

/// The first of `id`'s blockers that failed: its number in the list and its title.
fn blocking_step(app: &App, id: CheckId) -> Option<(usize, String)> {
    let spec = crate::checks::spec(id);
    spec.blockers.iter().find_map(|blocker| {
        let index = app.steps.iter().position(|s| s.spec.id == *blocker)?;
        let failed = app.steps[index]
            .result()
            .is_some_and(|r| r.status == Status::Fail);
        failed.then(|| (index + 1, app.tr(app.steps[index].spec.title)))
    })
}

/// The network step, when it failed or warned and is not the step itself.
fn unreachable_network(app: &App, id: CheckId) -> Option<(usize, String)> {
    if id == CheckId::Network {
        return None;
    }
    let index = app
        .steps
        .iter()
        .position(|s| s.spec.id == CheckId::Network)?;
    let step = &app.steps[index];
    step.result()
        .is_some_and(|r| matches!(r.status, Status::Fail | Status::Warn))
        .then(|| (index + 1, app.tr(step.spec.title)))
}
