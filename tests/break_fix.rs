//! Break and fix for trainers: every prerequisite of the `healthy` demo, broken in the running
//! emulator and device evidence, turns its step red with the finding its own demo scenario
//! shows, and fixing it turns every step green again.

mod common;

use common::{Events, emulator_for, fast_config, scenario_source, session};
use esr_doctor::emulator::break_fix::BREAKAGES;
use esr_doctor::model::{Report, Status, Verdict};
use esr_doctor::runner::{Inputs, RunOptions, run};
use std::sync::Arc;

async fn check(inputs: &Inputs) -> Report {
    run(inputs.clone(), RunOptions::default(), None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_prerequisite_breaks_and_fixes_live() {
    let source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    let mut inputs = Inputs::live(source, session(fast_config(&emulator), &Events::default()));
    assert_eq!(check(&inputs).await.verdict, Verdict::Pass);
    for breakage in BREAKAGES {
        let red = breakage.turns_red();
        assert!(!red.is_empty(), "{}: turns nothing red", breakage.label);

        breakage.apply(&emulator, &mut Arc::make_mut(&mut inputs.source).files);
        let broken = check(&inputs).await;
        for (id, codes) in &red {
            let step = broken.check(*id);
            assert_eq!(
                step.map(|c| c.status),
                Some(Status::Fail),
                "{}: {id} did not turn red: {:?}",
                breakage.label,
                step
            );
            assert_eq!(&broken.codes(*id), codes, "{}", breakage.label);
        }

        breakage.fix(
            &emulator,
            &mut Arc::make_mut(&mut inputs.source).files,
            "healthy",
        );
        let fixed = check(&inputs).await;
        let still_red: Vec<_> = fixed
            .checks
            .iter()
            .filter(|c| c.status != Status::Pass)
            .map(|c| (c.id, c.status, c.reason.clone()))
            .collect();
        assert!(
            still_red.is_empty(),
            "{}: after the fix {still_red:?}",
            breakage.label
        );
    }
}

/// In a demo that is already broken one way, another fault can be added and taken away again,
/// and the fault the demo starts with is known as broken and can be fixed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn break_and_fix_works_in_any_demo() {
    let demo = "rms-not-activated";
    let source = scenario_source(demo);
    let emulator = emulator_for(&source).await;
    let mut inputs = Inputs::live(source, session(fast_config(&emulator), &Events::default()));
    let statuses = |report: &Report| -> Vec<(esr_doctor::model::CheckId, Status)> {
        report.checks.iter().map(|c| (c.id, c.status)).collect()
    };
    let original = check(&inputs).await;
    let find = |scenario: &str| {
        BREAKAGES
            .iter()
            .find(|b| b.scenario == scenario)
            .unwrap_or_else(|| panic!("no breakage {scenario}"))
    };
    let (esr, rms) = (find("esr-disabled"), find("rms-not-activated"));
    assert!(
        rms.is_broken_in(&inputs.source.files),
        "the demo starts with RMS off"
    );
    assert!(!esr.is_broken_in(&inputs.source.files));

    esr.apply(&emulator, &mut Arc::make_mut(&mut inputs.source).files);
    let broken = check(&inputs).await;
    assert_eq!(
        broken.codes(esr_doctor::model::CheckId::TenantEsr),
        ["ESR_DISABLED"]
    );
    esr.fix(
        &emulator,
        &mut Arc::make_mut(&mut inputs.source).files,
        demo,
    );
    assert_eq!(
        statuses(&check(&inputs).await),
        statuses(&original),
        "back to the demo"
    );

    rms.fix(
        &emulator,
        &mut Arc::make_mut(&mut inputs.source).files,
        demo,
    );
    let fixed = check(&inputs).await;
    assert_eq!(
        fixed
            .check(esr_doctor::model::CheckId::Rms)
            .map(|c| c.status),
        Some(Status::Pass),
        "fixing the demo's own fault"
    );
}
