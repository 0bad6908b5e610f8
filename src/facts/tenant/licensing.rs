//! Which service plans enable Edge sync and Windows settings roaming.
//!
//! The table is derived from Microsoft's licensing CSV by `scripts/derive-licensing.py` into
//! `assets/licensing/service-plans.toml` and compiled in. Decisions use service plan ids,
//! never SKU names, because the same plans ship in many SKUs.

use crate::model::Feature;
use serde::Deserialize;
use std::sync::LazyLock;

/// One service plan that enables a feature, and the SKUs that carry it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EligiblePlan {
    pub id: String,
    pub name: String,
    pub friendly_name: String,
    pub enables: Vec<Feature>,
    pub skus: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct PlanTable {
    #[serde(rename = "plan")]
    pub plans: Vec<EligiblePlan>,
}

const TABLE_TOML: &str = include_str!("../../../assets/licensing/service-plans.toml");

static TABLE: LazyLock<PlanTable> =
    LazyLock::new(|| toml::from_str(TABLE_TOML).unwrap_or_default());

impl PlanTable {
    /// The built-in table (a test guarantees it parses and is not empty).
    pub fn builtin() -> &'static PlanTable {
        &TABLE
    }

    /// The eligible plan with this id (case-insensitive), if it is one.
    pub fn plan(&self, id: &str) -> Option<&EligiblePlan> {
        self.plans
            .iter()
            .find(|p| p.id.eq_ignore_ascii_case(id.trim()))
    }

    /// True for the Entra ID P1/P2 plans (the path on which Edge sync needs ESR on).
    pub fn is_entra_premium(plan: &EligiblePlan) -> bool {
        plan.name.starts_with("AAD_PREMIUM")
    }

    /// True for the Azure Rights Management plans (what `UseRmsUserLicense` asks a user for).
    pub fn is_rms(plan: &EligiblePlan) -> bool {
        plan.name.starts_with("RMS_S_")
    }

    /// Whether `plan` enables `feature`.
    pub fn enables(plan: &EligiblePlan, feature: Feature) -> bool {
        plan.enables.contains(&feature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_holds_the_known_plan_ids() {
        let table = PlanTable::builtin();
        assert_eq!(table.plans.len(), 9);
        let p1 = table.plan("41781FB2-BC02-4B7C-BD55-B576C07BB09D");
        assert_eq!(p1.map(|p| p.name.as_str()), Some("AAD_PREMIUM"));
        assert!(p1.is_some_and(|p| PlanTable::enables(p, Feature::WindowsSettings)));
        let rms = table.plan("bea4c11e-220a-4e6d-8eb8-8ea15d019f90");
        assert!(rms.is_some_and(|p| p.skus.iter().any(|s| s == "SPE_E3")));
        assert!(rms.is_some_and(|p| !PlanTable::enables(p, Feature::WindowsSettings)));
        // Each plan's name is the one most of the CSV's rows use for it, not its first row's.
        assert_eq!(
            rms.map(|p| p.friendly_name.as_str()),
            Some("Azure Rights Management")
        );
        let premium = table.plan("6c57d4b6-3b23-47a5-9bc9-69f17b4947b3");
        assert_eq!(
            premium.map(|p| p.friendly_name.as_str()),
            Some("Azure Information Protection Premium P1")
        );
        // RMS_S_ADHOC (free RMS for individuals) does not make a tenant eligible.
        assert!(table.plan("7a39d7dd-e456-4e09-842a-0204ee08187b").is_none());
    }
}
