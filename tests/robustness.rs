//! No input makes any parser panic: arbitrary bytes, decoded the way evidence files are, go
//! through every parser and every check that reads them.

use esr_doctor::evidence::EvidenceFiles;
use esr_doctor::evidence::{FactSource, Platform, text};
use esr_doctor::facts::reach;
use esr_doctor::facts::tenant::{esr, graph, rms};
use esr_doctor::facts::{
    dsregcmd, edge_install, edge_policy, edge_profile, event_export, event_log, join_diagnostics,
    sync_internals,
};
use esr_doctor::model::{SourceInfo, SourceKind};
use esr_doctor::runner::gather::gather;
use esr_doctor::sources::LoadedSource;
use proptest::prelude::*;

/// Bytes biased towards the characters the formats care about.
fn evidence_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..600),
        "[ {}\\[\\]:,\"|+\\-<>/=?a-zA-Z0-9\\\\\r\n\t]{0,600}".prop_map(String::into_bytes),
    ]
}

const PATHS: [&str; 18] = [
    "dsregcmd.txt",
    "edge/version.txt",
    "edge/Local State",
    "edge/Default/Preferences",
    "edge/policies.json",
    "edge/policies.reg.txt",
    "edge/sync-internals.json",
    "windows/events/a.xml",
    "windows/events/a.txt",
    "windows/events/a.evtx",
    "cloud/licenseDetails.json",
    "cloud/subscribedSkus.json",
    "cloud/organization.json",
    "cloud/me.json",
    "cloud/memberOf.json",
    "cloud/roamingSettings.json",
    "cloud/rmsServiceDiscovery.json",
    "cloud/network.json",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn parsers_never_panic(bytes in evidence_bytes()) {
        let decoded = text::decode(&bytes);
        let status = dsregcmd::parse(&decoded);
        let _ = (status.join_type(), status.settings_uris(), status.wam_provider());
        let _ = edge_install::parse(&decoded).primary();
        let _ = edge_profile::parse(Some(&decoded), &[("Default".into(), decoded.clone())]);
        let _ = edge_policy::parse_json("p", &decoded, edge_policy::PolicyLevel::Mandatory);
        let _ = edge_policy::parse_reg(&decoded);
        let _ = sync_internals::parse(&decoded);
        let _ = event_log::parse("e", &decoded).map(|l| l.matched_signatures().len());
        let _ = event_export::read("e", &bytes).map(|l| l.matched_signatures().len());
        // The .evtx reader, reached by anything that starts with the file magic.
        let _ = event_export::read("e.evtx", &[&b"ElfFile\0"[..], &bytes].concat());
        let _ = join_diagnostics::JoinDiagnostics::read(&status).failure();
        let _ = graph::parse_license_details("l", &decoded);
        let _ = graph::parse_member_of("g", &decoded);
        let _ = esr::parse("r", &decoded);
        let _ = rms::parse_discovery("d", &decoded);
        let _ = rms::parse_functional_state("f", &decoded);
        let _ = reach::parse("n", &decoded);
    }

    #[test]
    fn checks_never_panic_on_garbage_evidence(bytes in evidence_bytes(), which in 0usize..PATHS.len()) {
        let mut files = EvidenceFiles::default();
        files.insert(PATHS[which], bytes);
        let source = LoadedSource::from_files(SourceInfo { kind: SourceKind::Bundle, name: "fuzz".into() }, files, Platform::Windows, "not in bundle");
        let mut facts = esr_doctor::facts::Facts::default();
        for fact_source in FactSource::ALL {
            facts.apply(gather(fact_source, &source).0);
        }
        for check in &esr_doctor::checks::CATALOGUE {
            let _ = (check.decide)(&facts);
        }
    }
}
