//! Break and fix, live, for trainers: each prerequisite can be broken in any running demo and
//! fixed again. Breaking one changes exactly what differs between `healthy` and the demo
//! scenario that shows that fault: tenant answers in the emulator, device evidence in the
//! source. So a break looks, to every check, just like that scenario; fixing puts back what the
//! running demo had (or, where that demo itself has the fault, what `healthy` has).

use super::Emulator;
use crate::evidence::EvidenceFiles;
use crate::model::CheckId;
use crate::sources::scenario;

/// One prerequisite a trainer can break: the scenario that shows it broken, and a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breakage {
    pub scenario: &'static str,
    pub label: &'static str,
}

/// Every prerequisite that can be broken in the `healthy` demo, in wizard order.
pub const BREAKAGES: [Breakage; 11] = [
    Breakage {
        scenario: "edge-too-old",
        label: "Edge downgraded to version 76",
    },
    Breakage {
        scenario: "personal-account",
        label: "Edge signed in with a personal account",
    },
    Breakage {
        scenario: "esr-disabled",
        label: "Enterprise State Roaming switched off",
    },
    Breakage {
        scenario: "esr-selected-not-member",
        label: "ESR limited to groups the user is not in",
    },
    Breakage {
        scenario: "no-eligible-license",
        label: "No licence that enables sync",
    },
    Breakage {
        scenario: "rms-not-activated",
        label: "Azure RMS deactivated",
    },
    Breakage {
        scenario: "ipcv3-disabled",
        label: "The RMS IPCv3 service switched off",
    },
    Breakage {
        scenario: "ca-blocks-sync",
        label: "Conditional Access asks a compliant device",
    },
    Breakage {
        scenario: "firewall-blocked",
        label: "Sync endpoints blocked by the firewall",
    },
    Breakage {
        scenario: "workplace-registered",
        label: "Device only registered, not joined",
    },
    Breakage {
        scenario: "sync-disabled-by-policy",
        label: "The SyncDisabled policy set",
    },
];

/// One file that differs from `healthy`: its broken content, or `None` where it is absent.
type Change = (String, Option<Vec<u8>>);

impl Breakage {
    /// Breaks this prerequisite in the running demo.
    pub fn apply(&self, emulator: &Emulator, files: &mut EvidenceFiles) {
        for (path, broken) in self.changes() {
            emulator.put(files, &path, broken);
        }
    }

    /// Fixes this prerequisite in the running demo `demo`: its own evidence back, or
    /// `healthy`'s where `demo` is itself broken this way.
    pub fn fix(&self, emulator: &Emulator, files: &mut EvidenceFiles, demo: &str) {
        let own = evidence(demo);
        let restored = if self.is_broken_in(&own) {
            evidence(scenario::DEFAULT)
        } else {
            own
        };
        for (path, _) in self.changes() {
            let original = restored.bytes(&path).map(<[u8]>::to_vec);
            emulator.put(files, &path, original);
        }
    }

    /// Whether `files` already show this fault (a demo that starts broken this way).
    pub fn is_broken_in(&self, files: &EvidenceFiles) -> bool {
        self.changes()
            .iter()
            .all(|(path, broken)| files.bytes(path) == broken.as_deref())
    }

    /// The checks this breakage turns red, with the finding codes they then show (the
    /// scenario's own expectations).
    pub fn turns_red(&self) -> Vec<(CheckId, Vec<String>)> {
        let Ok(spec) = scenario::spec(self.scenario) else {
            return Vec::new();
        };
        spec.expect
            .checks
            .iter()
            .filter(|c| c.status == "fail")
            .filter_map(|c| Some((CheckId::parse(&c.id)?, c.codes.clone())))
            .collect()
    }

    /// The files whose content differs from `healthy`.
    fn changes(&self) -> Vec<Change> {
        let healthy = evidence(scenario::DEFAULT);
        let broken = evidence(self.scenario);
        let mut changes: Vec<Change> = broken
            .paths()
            .filter(|p| healthy.bytes(p) != broken.bytes(p))
            .map(|p| (p.to_owned(), broken.bytes(p).map(<[u8]>::to_vec)))
            .collect();
        changes.extend(
            healthy
                .paths()
                .filter(|p| broken.bytes(p).is_none())
                .map(|p| (p.to_owned(), None)),
        );
        changes
    }
}

fn evidence(name: &str) -> EvidenceFiles {
    scenario::load(name).map(|s| s.files).unwrap_or_default()
}
