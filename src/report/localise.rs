//! A report in another language, for the faces people read (text, markdown, the wizard): check
//! titles and fixes in that language, each finding headed by its translated title with what
//! was recorded kept after it. Codes, commands, links and evidence stay as they are; JSON is
//! never localised.

use crate::checks::CATALOGUE;
use crate::guidance::Guidance;
use crate::i18n::{Lang, tr, tr_with};
use crate::model::{Finding, Report, SkipKind, Status};

/// `report` with its words in `lang` (unchanged for English).
pub fn report(report: &Report, lang: Lang) -> Report {
    let mut report = report.clone();
    if lang == Lang::En {
        return report;
    }
    let english = Guidance::builtin();
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
            finding_in(finding, english, translated, lang);
        }
    }
    report
}

/// One finding: the translated title first, the recorded message after it, and the steps of
/// the fix in `lang` (for the same platform the English steps were chosen for).
fn finding_in(finding: &mut Finding, english: &Guidance, translated: &Guidance, lang: Lang) {
    let (Some(en), Some(words)) = (
        english.entry(&finding.code),
        translated.entry(&finding.code),
    ) else {
        return;
    };
    finding.message = format!(
        "{}. {}",
        words.title,
        tr_with(lang, "Recorded: {}", &finding.message)
    );
    let Some(fix) = &mut finding.fix else {
        return;
    };
    if fix.steps == en.steps {
        fix.steps = words.steps.clone();
    } else if let Some((platform, _)) = en
        .platforms
        .iter()
        .find(|(_, own)| own.steps.as_ref() == Some(&fix.steps))
        && let Some(steps) = words.platforms.get(platform).and_then(|p| p.steps.clone())
    {
        fix.steps = steps;
    }
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
