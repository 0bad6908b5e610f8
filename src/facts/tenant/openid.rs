//! A tenant's OpenID configuration (`/{tenant}/v2.0/.well-known/openid-configuration`): which
//! national cloud and which of its offerings the tenant lives in, its Graph host and its id.
//!
//! Sources (reference/real-tenant.md "Which tenant, which cloud"; reference/cloud-live.md):
//! `cloud_instance_name` names the cloud, `tenant_region_sub_scope` the US Government offering
//! (`GCC`, `DODCON` = GCC High, `DOD`), `msgraph_host` the Graph deployment (Gerenios/AADInternals
//! `Get-OpenIDConfiguration`; microsoft-graph-docs `concepts/deployments.md`).

use super::AnswerError;
use crate::evidence::Cloud;
use serde::Deserialize;

/// Where a tenant lives, as far as Edge sync and ESR care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offering {
    /// The worldwide commercial cloud.
    Commercial,
    /// US Government Community Cloud: the commercial cloud with a `GCC` sub-scope.
    Gcc,
    /// GCC High (`DODCON`), in Azure Government.
    GccHigh,
    /// Department of Defense (`DOD`), in Azure Government.
    Dod,
    /// Microsoft Azure operated by 21Vianet.
    China,
}

impl Offering {
    /// The name a person knows the offering by.
    pub fn label(&self) -> &'static str {
        match self {
            Offering::Commercial => "the commercial cloud",
            Offering::Gcc => "GCC",
            Offering::GccHigh => "GCC High",
            Offering::Dod => "DoD",
            Offering::China => "Microsoft Azure operated by 21Vianet",
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Offering::Commercial => "commercial",
            Offering::Gcc => "gcc",
            Offering::GccHigh => "gcc_high",
            Offering::Dod => "dod",
            Offering::China => "china",
        }
    }

    pub fn cloud(&self) -> Cloud {
        match self {
            Offering::Commercial | Offering::Gcc => Cloud::Global,
            Offering::GccHigh | Offering::Dod => Cloud::UsGov,
            Offering::China => Cloud::China,
        }
    }

    /// Edge enterprise sync is disabled in GCC High and DoD and not supported for 21Vianet
    /// (MicrosoftDocs/Edge-Enterprise `microsoft-edge-enterprise-sync-faq.md`). GCC is offered
    /// by the FAQ, though the sync page's wording names "DoD and GCC" (see [`EDGE_SYNC_GCC_DOUBT`]).
    pub fn offers_edge_sync(&self) -> bool {
        matches!(self, Offering::Commercial | Offering::Gcc)
    }

    /// Enterprise State Roaming for Windows is not available in Azure Government
    /// (entra-docs `feature-availability.md`): GCC High and DoD.
    pub fn offers_esr(&self) -> bool {
        !matches!(self, Offering::GccHigh | Offering::Dod)
    }
}

/// Microsoft's page that lists where Edge sync is not offered.
pub const EDGE_SYNC_FAQ: &str =
    "https://learn.microsoft.com/deployedge/microsoft-edge-enterprise-sync-faq";
/// Microsoft's page that lists the Entra features of Azure Government.
pub const ENTRA_FEATURE_AVAILABILITY: &str =
    "https://learn.microsoft.com/entra/identity/authentication/feature-availability";
/// Why GCC is offered with a doubt: Microsoft's two Edge sync pages word it differently.
pub const EDGE_SYNC_GCC_DOUBT: &str = "Microsoft's Edge sync FAQ says sync is not available in GCC High and DoD, but its sync overview names \"DoD and GCC\"";

/// What the tenant's OpenID configuration says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantCloud {
    /// `None` when the configuration names a cloud esr-doctor does not know (shown raw).
    pub offering: Option<Offering>,
    /// `cloud_instance_name`, as the service sent it.
    pub instance: String,
    /// `tenant_region_sub_scope`, as the service sent it.
    pub sub_scope: Option<String>,
    /// `msgraph_host`, as the service sent it.
    pub graph_host: Option<String>,
    /// The tenant id, from the issuer (`https://<authority>/<tenant id>/v2.0`).
    pub tenant_id: Option<String>,
}

impl TenantCloud {
    /// How the offering reads in a message: its name, or the raw values when unknown.
    pub fn describe(&self) -> String {
        match &self.offering {
            Some(offering) => offering.label().to_owned(),
            None => format!(
                "an unknown cloud (cloud_instance_name {:?}, tenant_region_sub_scope {:?})",
                self.instance,
                self.sub_scope.as_deref().unwrap_or("")
            ),
        }
    }
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    cloud_instance_name: Option<String>,
    #[serde(default)]
    tenant_region_sub_scope: Option<String>,
    #[serde(default)]
    msgraph_host: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
}

/// Reads an OpenID configuration answer (recorded as `cloud/openidConfiguration.json`).
pub fn parse(file: &str, text: &str) -> Result<TenantCloud, AnswerError> {
    let value = super::parse_answer(file, text)?;
    let raw: Raw = serde_json::from_value(value).map_err(|e| AnswerError::Shape {
        file: file.to_owned(),
        detail: e.to_string(),
    })?;
    let shape = |detail: &str| AnswerError::Shape {
        file: file.to_owned(),
        detail: detail.to_owned(),
    };
    let instance = raw
        .cloud_instance_name
        .map(|s| clean(&s))
        .filter(|s| !s.is_empty())
        .ok_or_else(|| shape("it names no cloud_instance_name"))?;
    let sub_scope = raw.tenant_region_sub_scope.map(|s| clean(&s));
    Ok(TenantCloud {
        offering: offering(&instance, sub_scope.as_deref()),
        instance,
        sub_scope,
        graph_host: raw.msgraph_host.map(|s| clean(&s)),
        tenant_id: raw.issuer.as_deref().and_then(issuer_tenant),
    })
}

/// Evidence text, bounded and without control characters, before any face shows it.
fn clean(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect()
}

/// The offering `cloud_instance_name` and `tenant_region_sub_scope` name (`None`: unknown).
pub fn offering(instance: &str, sub_scope: Option<&str>) -> Option<Offering> {
    let sub_scope = sub_scope.map(str::to_ascii_uppercase);
    let us_gov = match sub_scope.as_deref() {
        Some("DOD") => Some(Offering::Dod),
        Some("DODCON") => Some(Offering::GccHigh),
        _ => None,
    };
    match instance.to_ascii_lowercase().as_str() {
        "microsoftonline.com" => Some(us_gov.unwrap_or(match sub_scope.as_deref() {
            Some("GCC") => Offering::Gcc,
            _ => Offering::Commercial,
        })),
        // The US Government host's own answer: GCC High unless it says DoD.
        "microsoftonline.us" => Some(us_gov.unwrap_or(Offering::GccHigh)),
        "partner.microsoftonline.cn" | "chinacloudapi.cn" => Some(Offering::China),
        _ => None,
    }
}

/// `https://login.microsoftonline.com/<id>/v2.0` → `<id>` (a GUID only).
fn issuer_tenant(issuer: &str) -> Option<String> {
    let url = reqwest::Url::parse(issuer.trim()).ok()?;
    tenant_id(url.path_segments()?.next()?)
}

/// A tenant id as evidence or an answer gives it, if it is one: a GUID, lower-case hyphenated.
pub fn tenant_id(text: &str) -> Option<String> {
    uuid::Uuid::try_parse(text.trim())
        .ok()
        .map(|id| id.hyphenated().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(instance: &str, sub_scope: Option<&str>, graph: &str) -> String {
        serde_json::json!({
            "issuer": "https://login.microsoftonline.com/0F0C5E1A-0000-4000-8000-000000000001/v2.0",
            "cloud_instance_name": instance,
            "tenant_region_sub_scope": sub_scope,
            "msgraph_host": graph,
        })
        .to_string()
    }

    #[test]
    fn each_cloud_and_offering_is_named() {
        let cases = [
            ("microsoftonline.com", None, Some(Offering::Commercial)),
            ("microsoftonline.com", Some("GCC"), Some(Offering::Gcc)),
            (
                "microsoftonline.com",
                Some("DODCON"),
                Some(Offering::GccHigh),
            ),
            ("microsoftonline.us", Some("DOD"), Some(Offering::Dod)),
            ("microsoftonline.us", None, Some(Offering::GccHigh)),
            ("partner.microsoftonline.cn", None, Some(Offering::China)),
            ("example.invalid", None, None),
        ];
        for (instance, sub_scope, want) in cases {
            let cloud = parse(
                "c.json",
                &config(instance, sub_scope, "graph.microsoft.com"),
            )
            .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(cloud.offering, want, "{instance} {sub_scope:?}");
            assert_eq!(
                cloud.tenant_id.as_deref(),
                Some("0f0c5e1a-0000-4000-8000-000000000001")
            );
        }
        let unknown = parse("c.json", &config("example.invalid", None, "x"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(unknown.describe().contains("\"example.invalid\""));
    }

    #[test]
    fn where_sync_and_esr_are_offered() {
        use Offering::*;
        let sync: Vec<bool> = [Commercial, Gcc, GccHigh, Dod, China]
            .iter()
            .map(Offering::offers_edge_sync)
            .collect();
        assert_eq!(sync, [true, true, false, false, false]);
        let esr: Vec<bool> = [Commercial, Gcc, GccHigh, Dod, China]
            .iter()
            .map(Offering::offers_esr)
            .collect();
        assert_eq!(esr, [true, true, false, false, true]);
    }

    #[test]
    fn hostile_answers_are_refused_or_cleaned() {
        assert!(parse("c.json", "{}").is_err());
        assert!(parse("c.json", "<html>").is_err());
        assert!(
            parse(
                "c.json",
                r#"{"error":"invalid_tenant","error_description":"AADSTS90002"}"#
            )
            .is_err()
        );
        let noisy = parse(
            "c.json",
            &config("microsoftonline.com\u{1b}[31m", None, "graph.microsoft.com"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!noisy.instance.contains('\u{1b}'));
        let bad_issuer = r#"{"cloud_instance_name":"microsoftonline.com","issuer":"https://evil.example/not-a-guid/v2.0"}"#;
        assert_eq!(parse("c.json", bad_issuer).map(|c| c.tenant_id), Ok(None));
    }
}
