//! Microsoft Graph answers: `/me/licenseDetails`, `/subscribedSkus`, `/organization`,
//! `/me`, `/me/transitiveMemberOf` and the device object (`/devices`).

use super::{AnswerError, parse_answer};
use serde::Deserialize;
use serde_json::Value;

/// A service plan inside a SKU, as Graph reports it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePlan {
    pub service_plan_id: String,
    #[serde(default)]
    pub service_plan_name: String,
    /// `Success`, `Disabled`, `PendingActivation`, ... (shown raw when unknown).
    #[serde(default)]
    pub provisioning_status: String,
}

impl ServicePlan {
    /// Only a `Success` plan is in effect; `PendingActivation`/`PendingProvisioning` are not yet.
    pub fn is_active(&self) -> bool {
        self.provisioning_status.eq_ignore_ascii_case("Success")
    }
}

/// One licence assigned to the user (`licenseDetails`) or bought by the tenant (`subscribedSkus`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sku {
    #[serde(default)]
    pub sku_id: String,
    #[serde(default)]
    pub sku_part_number: String,
    /// Tenant SKUs only: `Enabled`, `Warning`, `Suspended`, `LockedOut`, `Deleted`.
    #[serde(default)]
    pub capability_status: Option<String>,
    #[serde(default)]
    pub service_plans: Vec<ServicePlan>,
}

impl Sku {
    /// A tenant SKU counts unless Graph says it is suspended, locked out or deleted.
    pub fn is_usable(&self) -> bool {
        self.capability_status
            .as_deref()
            .is_none_or(|s| s.eq_ignore_ascii_case("Enabled") || s.eq_ignore_ascii_case("Warning"))
    }
}

#[derive(Debug, Deserialize)]
struct Collection<T> {
    value: Vec<T>,
}

/// A Graph collection answer (`{"value": [...]}`) read as `T`s.
pub(super) fn collection<T: for<'de> Deserialize<'de>>(
    file: &str,
    text: &str,
) -> Result<Vec<T>, AnswerError> {
    let value = parse_answer(file, text)?;
    serde_json::from_value::<Collection<T>>(value)
        .map(|c| c.value)
        .map_err(|e| AnswerError::Shape {
            file: file.to_owned(),
            detail: e.to_string(),
        })
}

/// `GET /me/licenseDetails`.
pub fn parse_license_details(file: &str, text: &str) -> Result<Vec<Sku>, AnswerError> {
    collection(file, text)
}

/// `GET /subscribedSkus`.
pub fn parse_subscribed_skus(file: &str, text: &str) -> Result<Vec<Sku>, AnswerError> {
    collection(file, text)
}

/// The tenant as `GET /organization` describes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    #[serde(default)]
    pub display_name: String,
    /// The tenant's service plans; any user may read them (unlike `/subscribedSkus`).
    #[serde(default)]
    pub assigned_plans: Vec<AssignedPlan>,
}

/// One service plan the tenant holds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignedPlan {
    pub service_plan_id: String,
    /// `Enabled`, `Warning`, `Suspended`, `Deleted`, `LockedOut`.
    #[serde(default)]
    pub capability_status: String,
    /// e.g. `RMSOnline`, `AADPremiumService`.
    #[serde(default)]
    pub service: String,
}

impl Organization {
    /// The tenant's plans in the shape of one subscribed SKU, so they are judged like
    /// `/subscribedSkus` (an `Enabled` or `Warning` plan is in effect). `None` without plans.
    pub fn plans_as_sku(&self) -> Option<Sku> {
        if self.assigned_plans.is_empty() {
            return None;
        }
        let service_plans = self
            .assigned_plans
            .iter()
            .map(|plan| {
                let in_effect = ["Enabled", "Warning"]
                    .iter()
                    .any(|s| plan.capability_status.eq_ignore_ascii_case(s));
                ServicePlan {
                    service_plan_id: plan.service_plan_id.clone(),
                    service_plan_name: plan.service.clone(),
                    provisioning_status: if in_effect {
                        "Success".to_owned()
                    } else {
                        plan.capability_status.clone()
                    },
                }
            })
            .collect();
        Some(Sku {
            sku_id: String::new(),
            sku_part_number: "(organization assignedPlans)".to_owned(),
            capability_status: None,
            service_plans,
        })
    }
}

/// `GET /organization` (a collection with one entry).
pub fn parse_organization(file: &str, text: &str) -> Result<Organization, AnswerError> {
    collection::<Organization>(file, text)?
        .into_iter()
        .next()
        .ok_or_else(|| AnswerError::Shape {
            file: file.to_owned(),
            detail: "the organization list is empty".into(),
        })
}

/// The signed-in user (`GET /me`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub user_principal_name: String,
}

pub fn parse_me(file: &str, text: &str) -> Result<User, AnswerError> {
    let value = parse_answer(file, text)?;
    serde_json::from_value(value).map_err(|e| AnswerError::Shape {
        file: file.to_owned(),
        detail: e.to_string(),
    })
}

/// A group (or role) the user belongs to, directly or through nesting.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub id: String,
    pub display_name: String,
}

/// `GET /groups/{id}?$select=id,displayName`: one group object.
pub fn parse_group(file: &str, text: &str) -> Result<Membership, AnswerError> {
    let value = parse_answer(file, text)?;
    let text_of = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(Membership {
        id: text_of("id").ok_or_else(|| AnswerError::Shape {
            file: file.to_owned(),
            detail: "the group has no id".into(),
        })?,
        display_name: text_of("displayName").unwrap_or_default(),
    })
}

/// `GET /me/transitiveMemberOf`.
pub fn parse_member_of(file: &str, text: &str) -> Result<Vec<Membership>, AnswerError> {
    let items: Vec<Value> = collection(file, text)?;
    Ok(items
        .iter()
        .filter_map(|item| {
            Some(Membership {
                id: item.get("id")?.as_str()?.to_owned(),
                display_name: item
                    .get("displayName")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned(),
            })
        })
        .collect())
}

/// A device object in Entra ID (`GET /devices?$filter=deviceId eq '…'`, Graph's `device`
/// resource). Every field but the ids may be absent or null in an answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceObject {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub device_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub account_enabled: Option<bool>,
    /// `AzureAd` (Entra joined), `ServerAd` (hybrid joined) or `Workplace` (registered); shown
    /// raw when another value comes.
    #[serde(default)]
    pub trust_type: Option<String>,
    /// When the device last signed in, as Graph gives it (ISO 8601, UTC).
    #[serde(default, rename = "approximateLastSignInDateTime")]
    pub last_sign_in: Option<String>,
    #[serde(default)]
    pub is_compliant: Option<bool>,
    #[serde(default)]
    pub is_managed: Option<bool>,
}

impl DeviceObject {
    /// The last sign-in as a time, when Graph gave one that reads.
    pub fn last_sign_in_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        let text = self.last_sign_in.as_deref()?;
        chrono::DateTime::parse_from_rfc3339(text.trim())
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc))
    }
}

/// `GET /devices?$filter=deviceId eq '…'`: the objects with the device's id (none when Entra
/// no longer holds it).
pub fn parse_devices(file: &str, text: &str) -> Result<Vec<DeviceObject>, AnswerError> {
    collection(file, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LICENSE_DETAILS: &str = r#"{
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('ann')/licenseDetails",
      "value": [{"id": "x", "skuId": "05e9a617-0261-4cee-bb44-138d3ef5d965", "skuPartNumber": "SPE_E3",
        "servicePlans": [
          {"servicePlanId": "bea4c11e-220a-4e6d-8eb8-8ea15d019f90", "servicePlanName": "RMS_S_ENTERPRISE", "provisioningStatus": "Success", "appliesTo": "User"},
          {"servicePlanId": "41781fb2-bc02-4b7c-bd55-b576c07bb09d", "servicePlanName": "AAD_PREMIUM", "provisioningStatus": "Disabled", "appliesTo": "User"}]}]}"#;

    #[test]
    fn license_details_with_plan_states() {
        let skus = parse_license_details("l", LICENSE_DETAILS).unwrap_or_default();
        assert_eq!(skus.len(), 1);
        assert_eq!(skus[0].sku_part_number, "SPE_E3");
        let active: Vec<bool> = skus[0]
            .service_plans
            .iter()
            .map(ServicePlan::is_active)
            .collect();
        assert_eq!(active, [true, false]);
    }

    #[test]
    fn subscribed_skus_capability_status() {
        let text = r#"{"value":[{"skuId":"a","skuPartNumber":"EMS","capabilityStatus":"Suspended","servicePlans":[]},{"skuId":"b","skuPartNumber":"SPE_E3","capabilityStatus":"Enabled","servicePlans":[]}]}"#;
        let usable: Vec<bool> = parse_subscribed_skus("s", text)
            .unwrap_or_default()
            .iter()
            .map(Sku::is_usable)
            .collect();
        assert_eq!(usable, [false, true]);
    }

    #[test]
    fn organization_me_and_groups() {
        let org = parse_organization("o", r#"{"value":[{"id":"t-1","displayName":"Fabrikam"}]}"#);
        assert_eq!(org.map(|o| o.display_name), Ok("Fabrikam".to_owned()));
        assert!(matches!(
            parse_organization("o", r#"{"value":[]}"#),
            Err(AnswerError::Shape { .. })
        ));
        let me = parse_me(
            "m",
            r#"{"id":"u-1","userPrincipalName":"ann@fabrikam.com"}"#,
        );
        assert_eq!(me.map(|u| u.id), Ok("u-1".to_owned()));
        let groups = parse_member_of(
            "g",
            r##"{"value":[{"@odata.type":"#microsoft.graph.group","id":"g-1","displayName":"Sync pilot"},{"nope":1}]}"##,
        );
        assert_eq!(groups.map(|g| g.len()), Ok(1));
    }

    #[test]
    fn wrong_shapes_and_garbage() {
        assert!(matches!(
            parse_license_details("l", r#"{"value": 3}"#),
            Err(AnswerError::Shape { .. })
        ));
        assert!(matches!(
            parse_license_details("l", &LICENSE_DETAILS[..80]),
            Err(AnswerError::Json(_))
        ));
        assert!(matches!(
            parse_me("m", "[]"),
            Err(AnswerError::Shape { .. })
        ));
    }
}
