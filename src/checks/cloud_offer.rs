//! What the tenant's cloud offers: Edge enterprise sync and Enterprise State Roaming are not
//! offered in every national cloud, and there the only true answer is "not available here",
//! never a switch to turn on (reference/real-tenant.md "Where sync is not offered").

use crate::facts::Facts;
use crate::facts::tenant::openid::{self, Offering};
use crate::model::{CheckId, CheckResult, Feature, Finding, Severity, evidence};
use serde_json::Value;

/// The tenant's offering, when its OpenID configuration was read and named a known cloud.
fn offering(facts: &Facts) -> Option<&Offering> {
    facts
        .graph
        .found()?
        .cloud
        .as_ref()?
        .as_ref()
        .ok()?
        .offering
        .as_ref()
}

/// `check` fails because `feature` is not offered in the tenant's cloud.
fn not_offered(
    check: CheckId,
    code: &str,
    feature: Feature,
    offering: &Offering,
    message: String,
) -> CheckResult {
    CheckResult::decided(
        check,
        evidence([("tenant_cloud", Value::from(offering.as_str()))]),
        vec![Finding::new(code, Severity::Fail, &[feature], message)],
    )
}

/// Edge sync in GCC High, DoD and 21Vianet (MicrosoftDocs/Edge-Enterprise
/// `microsoft-edge-enterprise-sync-faq.md`).
pub fn edge_sync_not_offered(check: CheckId, facts: &Facts) -> Option<CheckResult> {
    let offering = offering(facts).filter(|o| !o.offers_edge_sync())?;
    Some(not_offered(
        check,
        "EDGE_SYNC_NOT_OFFERED",
        Feature::EdgeSync,
        offering,
        format!(
            "The tenant is in {}, where Microsoft does not offer Edge enterprise sync ({}); no tenant setting turns it on.",
            offering.label(),
            openid::EDGE_SYNC_FAQ
        ),
    ))
}

/// Enterprise State Roaming for Windows in Azure Government (entra-docs
/// `feature-availability.md`).
pub fn esr_not_offered(check: CheckId, facts: &Facts) -> Option<CheckResult> {
    let offering = offering(facts).filter(|o| !o.offers_esr())?;
    Some(not_offered(
        check,
        "ESR_NOT_OFFERED",
        Feature::WindowsSettings,
        offering,
        format!(
            "The tenant is in {} (Azure Government), where Enterprise State Roaming for Windows is not available ({}); no tenant setting turns it on.",
            offering.label(),
            openid::ENTRA_FEATURE_AVAILABILITY
        ),
    ))
}

/// In GCC, Microsoft's two Edge sync pages disagree: a warning says so, the check decides on.
pub fn edge_sync_offer_unclear(facts: &Facts) -> Option<Finding> {
    offering(facts).filter(|o| **o == Offering::Gcc)?;
    Some(Finding::new(
        "EDGE_SYNC_OFFER_UNCLEAR",
        Severity::Warn,
        &[Feature::EdgeSync],
        format!(
            "The tenant is in GCC. {}; confirm with Microsoft that Edge sync is offered to this tenant.",
            openid::EDGE_SYNC_GCC_DOUBT
        ),
    ))
}
