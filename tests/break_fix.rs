//! Break and fix for trainers: every prerequisite of the `healthy` demo, broken in the running
//! emulator and device evidence, turns its step red with the finding its own demo scenario
//! shows, and fixing it turns every step green again.

mod common;

use common::{Events, emulator_for, fast_config, scenario_source, session};
use esr_doctor::emulator::break_fix::BREAKAGES;
use esr_doctor::model::{Report, Status, Verdict};
use esr_doctor::runner::{RunOptions, run};
use esr_doctor::sources::LoadedSource;

async fn check(source: &LoadedSource) -> Report {
    run(source.clone(), RunOptions::default(), None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_prerequisite_breaks_and_fixes_live() {
    let mut source = scenario_source("healthy");
    let emulator = emulator_for(&source).await;
    source.cloud = Some(session(fast_config(&emulator), &Events::default()));
    assert_eq!(check(&source).await.verdict, Verdict::Pass);
    for breakage in BREAKAGES {
        let red = breakage.turns_red();
        assert!(!red.is_empty(), "{}: turns nothing red", breakage.label);

        breakage.apply(&emulator, &mut source.files);
        let broken = check(&source).await;
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

        breakage.fix(&emulator, &mut source.files);
        let fixed = check(&source).await;
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
