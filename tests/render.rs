//! Snapshots of the text and markdown faces for a passing and two failing demo tenants, so a
//! change in what people read is always a reviewed change.

use esr_doctor::model::Report;
use esr_doctor::report::{markdown, text};
use esr_doctor::runner::{RunOptions, run};
use esr_doctor::sources::scenario;

async fn fixed_report(name: &str) -> Report {
    let mut source = scenario::load(name).unwrap_or_else(|e| panic!("{e}"));
    source.latency.clear();
    let mut report = run(source, RunOptions::default(), None).await;
    report.generated_at = chrono::DateTime::parse_from_rfc3339("2026-11-21T10:00:00+01:00")
        .unwrap_or_else(|e| panic!("{e}"));
    report.duration_ms = 812;
    for check in &mut report.checks {
        check.duration_ms = 3;
    }
    report
}

#[tokio::test]
async fn text_and_markdown_faces() {
    for name in ["healthy", "rms-not-activated", "esr-disabled"] {
        let report = fixed_report(name).await;
        let plain = anstream::adapter::strip_str(&text::render(&report)).to_string();
        insta::assert_snapshot!(format!("text-{name}"), plain);
        insta::assert_snapshot!(format!("markdown-{name}"), markdown::render(&report));
    }
}
