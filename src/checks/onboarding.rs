//! What the AIP onboarding control policy means for this user's Edge, as Microsoft's cmdlet
//! help for `Set-AipServiceOnboardingControlPolicy` documents it (reference/real-tenant.md
//! "Azure RMS"): `SecurityGroupObjectId` limits RMS to a group, `UseRmsUserLicense $true` to
//! users with an RMS licence (both, when both are set), and `Scope` (`All`, `WindowsApp`,
//! `MobileApp`) applies the limit only to that kind of client. Edge on a desktop is not a
//! mobile app; whether `WindowsApp` reaches Edge on macOS or Linux is not documented.

use crate::evidence::Platform;
use crate::facts::Facts;
use crate::facts::tenant::licensing::PlanTable;
use crate::facts::tenant::rms::OnboardingPolicy;
use crate::model::{Feature, Finding, Severity};

/// Whether the policy's `Scope` reaches Edge where it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Applies,
    DoesNotApply,
    /// Microsoft does not say (WindowsApp off Windows, or a scope value esr-doctor does not know).
    Unclear,
}

impl Reach {
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Applies => "applies",
            Reach::DoesNotApply => "does_not_apply",
            Reach::Unclear => "unclear",
        }
    }
}

/// `Scope` against the platform Edge runs on (no scope means `All`).
pub fn reach(policy: &OnboardingPolicy, platform: Platform) -> Reach {
    match policy.scope.as_deref().map(str::trim) {
        None | Some("") => Reach::Applies,
        Some(scope) if scope.eq_ignore_ascii_case("All") => Reach::Applies,
        Some(scope) if scope.eq_ignore_ascii_case("MobileApp") => Reach::DoesNotApply,
        Some(scope) if scope.eq_ignore_ascii_case("WindowsApp") => match platform {
            Platform::Windows => Reach::Applies,
            _ => Reach::Unclear,
        },
        Some(_) => Reach::Unclear,
    }
}

/// The findings the policy gives this user's Edge; `user_groups` are the user's group ids
/// when they could be read, `group_label` the limiting group as the finding names it.
pub fn findings(
    policy: &OnboardingPolicy,
    facts: &Facts,
    user_groups: Option<&[&str]>,
    group_label: Option<&str>,
) -> Vec<Finding> {
    let edge = &[Feature::EdgeSync];
    let scope = policy.scope.as_deref().unwrap_or("All");
    if !policy.limits() {
        return Vec::new();
    }
    let limits_licence = policy.use_rms_user_license == Some(true);
    let group = policy.limiting_group();
    match reach(policy, facts.platform) {
        Reach::DoesNotApply => return Vec::new(),
        Reach::Unclear => {
            return vec![Finding::new(
                "RMS_SCOPE_UNVERIFIED",
                Severity::Warn,
                edge,
                format!(
                    "The AIP onboarding control policy limits Azure RMS for clients of scope {scope:?}; Microsoft does not document whether that scope reaches Edge on {}.",
                    facts.platform.as_str()
                ),
            )];
        }
        Reach::Applies => {}
    }
    let mut out = Vec::new();
    if let Some(group) = group {
        let named = group_label.unwrap_or(group);
        match user_groups {
            Some(groups) if !groups.iter().any(|g| g.eq_ignore_ascii_case(group)) => {
                out.push(Finding::new(
                    "RMS_USER_SCOPED_OUT",
                    Severity::Fail,
                    edge,
                    format!("The AIP onboarding control policy limits Azure RMS to the group {named} (scope {scope}), and this user is not in it."),
                ));
            }
            Some(_) => {}
            None => out.push(Finding::new(
                "RMS_SCOPE_UNVERIFIED",
                Severity::Warn,
                edge,
                format!("The AIP onboarding control policy limits Azure RMS to the group {named} (scope {scope}); the user's groups were not available to confirm they are in it."),
            )),
        }
    }
    if limits_licence {
        match holds_rms_plan(facts) {
            Some(false) => out.push(Finding::new(
                "RMS_USER_NOT_LICENSED",
                Severity::Fail,
                edge,
                format!("The AIP onboarding control policy limits Azure RMS to users with an RMS licence (UseRmsUserLicense = True, scope {scope}), and this user holds no active Azure RMS service plan."),
            )),
            Some(true) => {}
            None => out.push(Finding::new(
                "RMS_SCOPE_UNVERIFIED",
                Severity::Warn,
                edge,
                format!("The AIP onboarding control policy limits Azure RMS to users with an RMS licence (UseRmsUserLicense = True, scope {scope}); the user's licences were not available to confirm they hold one."),
            )),
        }
    }
    out
}

/// Whether the user holds an active Azure RMS service plan (`None`: licences not read).
fn holds_rms_plan(facts: &Facts) -> Option<bool> {
    let skus = facts
        .graph
        .found()?
        .license_details
        .as_ref()?
        .as_ref()
        .ok()?;
    let table = PlanTable::builtin();
    Some(skus.iter().flat_map(|s| &s.service_plans).any(|plan| {
        plan.is_active()
            && table
                .plan(&plan.service_plan_id)
                .is_some_and(PlanTable::is_rms)
    }))
}
