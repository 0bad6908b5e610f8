//! A report in another language, for the faces people read (text, markdown, the wizard): check
//! titles and fixes in that language, each finding headed by its translated title with what
//! was recorded kept after it. Codes, commands, links and evidence stay as they are; JSON is
//! never localised.

use crate::checks::CATALOGUE;
use crate::guidance::Guidance;
use crate::i18n::{Lang, tr, tr_fill, tr_with, values_in};
use crate::model::{Finding, Report, SkipKind, Status};

/// `report` with its words in `lang` (unchanged for English).
pub fn report(report: &Report, lang: Lang) -> Report {
    let mut report = report.clone();
    if lang == Lang::En {
        return report;
    }
    let translated = Guidance::for_lang(lang);
    for check in &mut report.checks {
        if check.status == Status::Skipped
            && check.skip_kind == Some(SkipKind::Blocked)
            && let Some(reason) = &check.reason
        {
            check.reason = Some(blocked_reason(reason, lang));
        }
        check.title = tr(lang, &check.title);
        for finding in &mut check.findings {
            finding_in(finding, translated, lang);
        }
    }
    report
}

/// One finding: the translated title first, the recorded message after it, and the steps of
/// the fix in `lang`.
fn finding_in(finding: &mut Finding, translated: &Guidance, lang: Lang) {
    let Some(words) = translated.entry(&finding.code) else {
        return;
    };
    finding.message = format!("{}. {}", words.title, words.explanation);
    if let Some(steps) = fix_steps(finding, lang)
        && let Some(fix) = &mut finding.fix
    {
        fix.steps = steps;
    }
}

/// A finding as a face tells it in `lang`: in English, the sentence the check recorded (with
/// its specifics); in another language, the translated explanation of its code (the specifics
/// are in the evidence and the JSON report), or the recorded sentence, labelled, for a code
/// without a translation.
pub fn told(finding: &Finding, lang: Lang) -> String {
    translated(finding, lang).map_or_else(
        || recorded(&finding.message, lang),
        |words| words.explanation.clone(),
    )
}

/// A finding's name in `lang`: its translated title, or the recorded sentence where there is
/// none (and in English).
pub fn headline(finding: &Finding, lang: Lang) -> String {
    translated(finding, lang).map_or_else(
        || recorded(&finding.message, lang),
        |words| words.title.clone(),
    )
}

/// The guidance of `finding`'s code in `lang`, when that is not English.
fn translated(finding: &Finding, lang: Lang) -> Option<&'static crate::guidance::Entry> {
    Guidance::for_lang(lang)
        .entry(&finding.code)
        .filter(|_| lang != Lang::En)
}

/// What the evidence recorded, as a face shows it in `lang`: as it is in English, labelled in
/// another language (the recorded words themselves stay English).
pub fn recorded(message: &str, lang: Lang) -> String {
    match lang {
        Lang::En => message.to_owned(),
        _ => tr_with(lang, "Recorded: {}", message),
    }
}

/// The steps of `finding`'s fix in `lang`, for the same platform the English steps were
/// chosen for; `None` without a fix or a known code.
pub fn fix_steps(finding: &Finding, lang: Lang) -> Option<Vec<String>> {
    let fix = finding.fix.as_ref()?;
    let english = Guidance::builtin().entry(&finding.code)?;
    let words = Guidance::for_lang(lang).entry(&finding.code)?;
    if fix.steps == english.steps {
        return Some(words.steps.clone());
    }
    let (platform, _) = english
        .platforms
        .iter()
        .find(|(_, own)| own.steps.as_ref() == Some(&fix.steps))?;
    words.platforms.get(platform).and_then(|p| p.steps.clone())
}

/// Why `check` was skipped or failed to run, as a face shows it in `lang`: a blocked step names
/// its translated blocker, a reason the runner always words the same is translated whole, and
/// any other is headed by what kind of gap it is, in `lang`, with the recorded words after it.
/// `None` when the check was decided.
pub fn reason(check: &crate::model::CheckResult, lang: Lang) -> Option<String> {
    let raw = check.reason.as_deref()?;
    if lang == Lang::En {
        return Some(raw.to_owned());
    }
    if check.skip_kind == Some(SkipKind::Blocked) {
        return Some(blocked_reason(raw, lang));
    }
    // The reasons the runner words the same every time are translated whole, those it fills
    // in from a template with the translated template.
    let whole = tr(lang, raw);
    if whole != raw {
        return Some(whole);
    }
    if let Some(filled) = templated(raw, lang) {
        return Some(filled);
    }
    let headline = match (check.status, check.skip_kind) {
        (Status::Skipped, Some(SkipKind::NeedsSignIn)) => "needs a sign-in to the tenant",
        (Status::Skipped, Some(SkipKind::NeedsRole)) => "needs a directory role to read",
        (Status::Skipped, Some(SkipKind::Missing)) => "not in the evidence",
        (Status::Skipped, Some(SkipKind::NotApplicable)) => "does not apply here",
        _ => "could not be decided",
    };
    Some(format!("{} ({})", tr(lang, headline), recorded(raw, lang)))
}

/// A reason recorded from one of `reasons::ALL`, told with that template in `lang` and the same
/// values, each in `lang` where esr-doctor itself worded it (a sign-in refusal, "Windows event
/// logs"); a value from elsewhere (a path, a service's error) stays as recorded.
fn templated(raw: &str, lang: Lang) -> Option<String> {
    crate::reasons::ALL.iter().find_map(|template| {
        let values: Vec<String> = values_in(template, raw)?
            .into_iter()
            .map(|value| value_in(value, lang))
            .collect();
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        Some(tr_fill(lang, template, &values))
    })
}

fn value_in(value: &str, lang: Lang) -> String {
    crate::cloud::auth::refusals::REFUSALS
        .iter()
        .find(|refusal| refusal.message() == value)
        .map_or_else(|| tr(lang, value), |refusal| refusal.message_in(lang))
}

/// `blocked by Licence (CODE): fix that first` in `lang`, with the blocker's title translated.
fn blocked_reason(reason: &str, lang: Lang) -> String {
    let Some(middle) = reason
        .strip_prefix("blocked by ")
        .and_then(|r| r.strip_suffix(": fix that first"))
    else {
        return reason.to_owned();
    };
    let middle = CATALOGUE
        .iter()
        .find(|c| middle.starts_with(c.title))
        .map_or(middle.to_owned(), |c| {
            middle.replacen(c.title, &tr(lang, c.title), 1)
        });
    tr_with(lang, "blocked by {}: fix that first", &middle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_told_in_the_language() {
        use crate::model::{CheckId, CheckResult};
        let missing = |why: &str| CheckResult::skipped(CheckId::License, SkipKind::Missing, why);
        assert_eq!(
            reason(&missing("not in bundle"), Lang::De).as_deref(),
            Some("nicht im Paket")
        );
        assert_eq!(
            reason(&missing("not in bundle"), Lang::En).as_deref(),
            Some("not in bundle")
        );
        assert_eq!(
            reason(&missing("no Local State in /home/x"), Lang::Nl).as_deref(),
            Some("niet in het bewijs (Bevinding: no Local State in /home/x)")
        );
    }

    #[test]
    fn reasons_filled_from_a_template_are_told_with_its_translation() {
        use crate::model::{CheckId, CheckResult};
        use crate::reasons;
        let Some(refusal) = crate::cloud::auth::refusals::find(53003) else {
            panic!("AADSTS53003 is known");
        };
        let refused = CheckResult::skipped(
            CheckId::Rms,
            SkipKind::NeedsSignIn,
            crate::i18n::fill(reasons::NO_SIGN_IN, &[&refusal.message()]),
        );
        let told = reason(&refused, Lang::De).unwrap_or_default();
        assert!(
            told.starts_with("keine Anmeldung am Mandanten: Eine Richtlinie für bedingten Zugriff"),
            "{told}"
        );
        assert!(
            told.contains("(AADSTS53003 BlockedByConditionalAccess)"),
            "{told}"
        );
        let elsewhere = CheckResult::skipped(
            CheckId::SyncHealth,
            SkipKind::NotApplicable,
            crate::i18n::fill(reasons::ONLY_ON_WINDOWS, &["Windows event logs", "linux"]),
        );
        assert_eq!(
            reason(&elsewhere, Lang::Nl).as_deref(),
            Some(
                "Windows-gebeurtenislogboeken bestaat alleen op Windows; dit bewijs komt van linux"
            )
        );
        assert_eq!(
            reason(&elsewhere, Lang::En).as_deref(),
            Some("Windows event logs exists only on Windows; this evidence is from linux")
        );
    }

    #[test]
    fn every_reason_template_is_translated_with_its_placeholders() {
        for template in crate::reasons::ALL {
            for lang in [Lang::De, Lang::Nl] {
                let translated = tr(lang, template);
                assert_ne!(translated, template, "{lang:?} lacks {template:?}");
                assert_eq!(
                    translated.matches("{}").count(),
                    template.matches("{}").count()
                );
            }
        }
    }

    #[test]
    fn blocked_reasons_name_the_translated_blocker() {
        assert_eq!(
            blocked_reason(
                "blocked by Licence (LICENSE_NONE_ELIGIBLE): fix that first",
                Lang::De
            ),
            "blockiert durch Lizenz (LICENSE_NONE_ELIGIBLE): zuerst das beheben"
        );
        assert_eq!(blocked_reason("something else", Lang::De), "something else");
    }
}
