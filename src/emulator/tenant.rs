//! The emulated tenant: who it is (id, domains, the user) and what each endpoint answers,
//! taken from a scenario's recorded `cloud/*.json` files with the status the real service
//! sends for such a body.

use crate::evidence::EvidenceFiles;
use crate::facts::tenant::Api;
use serde_json::Value;

/// The cloud an emulated tenant lives in, as its OpenID configuration says it
/// (`cloud_instance_name`, `tenant_region_sub_scope`, `msgraph_host`; the values Microsoft's
/// configurations carry per reference/cloud-live.md and Gerenios/AADInternals).
#[derive(Debug, Clone, PartialEq)]
pub struct EmulatedCloud {
    pub instance: String,
    pub sub_scope: Option<String>,
    pub graph_host: String,
}

impl EmulatedCloud {
    pub fn commercial() -> EmulatedCloud {
        EmulatedCloud::new("microsoftonline.com", None, "graph.microsoft.com")
    }
    pub fn gcc() -> EmulatedCloud {
        EmulatedCloud::new("microsoftonline.com", Some("GCC"), "graph.microsoft.com")
    }
    pub fn gcc_high() -> EmulatedCloud {
        EmulatedCloud::new("microsoftonline.us", Some("DODCON"), "graph.microsoft.us")
    }
    pub fn dod() -> EmulatedCloud {
        EmulatedCloud::new("microsoftonline.us", Some("DOD"), "dod-graph.microsoft.us")
    }
    pub fn china() -> EmulatedCloud {
        EmulatedCloud::new(
            "partner.microsoftonline.cn",
            None,
            "microsoftgraph.chinacloudapi.cn",
        )
    }

    fn new(instance: &str, sub_scope: Option<&str>, graph_host: &str) -> EmulatedCloud {
        EmulatedCloud {
            instance: instance.to_owned(),
            sub_scope: sub_scope.map(str::to_owned),
            graph_host: graph_host.to_owned(),
        }
    }

    /// A scenario's `cloud/openidConfiguration.json`, else the commercial cloud.
    fn from_files(files: &EvidenceFiles) -> EmulatedCloud {
        let recorded: Value = files
            .text("cloud/openidConfiguration.json")
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        let text = |key: &str| recorded.get(key).and_then(Value::as_str).map(str::to_owned);
        match text("cloud_instance_name") {
            Some(instance) => EmulatedCloud {
                instance,
                sub_scope: text("tenant_region_sub_scope"),
                graph_host: text("msgraph_host").unwrap_or_else(|| "graph.microsoft.com".into()),
            },
            None => EmulatedCloud::commercial(),
        }
    }

    /// The login host of the tenant's own cloud.
    pub fn home(&self) -> crate::evidence::Cloud {
        crate::facts::tenant::openid::offering(&self.instance, self.sub_scope.as_deref())
            .map_or(crate::evidence::Cloud::Global, |o| o.cloud())
    }

    /// Whether the login host of `asked` knows this tenant: the global host knows every tenant
    /// but China's (AADInternals reads GCC High and DoD tenants from it; the global host
    /// answers AADSTS90002 for a China tenant, DrollRobot/azure-auth tests, as recorded in
    /// reference/real-tenant.md); the US Government and China hosts know their own tenants
    /// only (no source says otherwise; either reading finds the same cloud).
    pub fn known_at(&self, asked: crate::evidence::Cloud) -> bool {
        use crate::evidence::Cloud;
        match (asked, self.home()) {
            (Cloud::Global, home) => home != Cloud::China,
            (asked, home) => asked == home,
        }
    }
}

/// One emulated tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantData {
    pub tenant_id: String,
    pub domains: Vec<String>,
    /// The user who signs in with the device code.
    pub user_principal_name: String,
    /// The cloud its OpenID configuration names.
    pub cloud: EmulatedCloud,
    answers: EvidenceFiles,
}

impl TenantData {
    /// The tenant a scenario's `cloud/` files describe.
    pub fn from_files(files: &EvidenceFiles) -> TenantData {
        let json = |path: &str| -> Value {
            files
                .text(path)
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or(Value::Null)
        };
        let organization = json("cloud/organization.json");
        let org = organization.get("value").and_then(|v| v.get(0));
        let tenant_id = org
            .and_then(|o| o.get("id"))
            .and_then(Value::as_str)
            .unwrap_or("00000000-0000-0000-0000-000000000001")
            .to_owned();
        let domains = org
            .and_then(|o| o.get("verifiedDomains"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|d| d.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let user_principal_name = json("cloud/me.json")
            .get("userPrincipalName")
            .and_then(Value::as_str)
            .unwrap_or("user@contoso.example")
            .to_owned();
        let mut answers = EvidenceFiles::default();
        for path in files.under("cloud") {
            answers.insert(path, files.bytes(path).unwrap_or_default().to_vec());
        }
        TenantData {
            tenant_id,
            domains,
            user_principal_name,
            cloud: EmulatedCloud::from_files(files),
            answers,
        }
    }

    /// Whether `name` (from a sign-in path) is this tenant.
    pub fn knows(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        ["organizations", "common"].contains(&name.as_str())
            || name == self.tenant_id.to_ascii_lowercase()
            || self.domains.iter().any(|d| d.eq_ignore_ascii_case(&name))
    }

    /// Replaces one recorded answer (trainers break and fix the tenant this way).
    pub fn set_answer(&mut self, api: Api, body: &str) {
        if let Some(path) = api.recorded_file() {
            self.answers.insert(path, body.as_bytes().to_vec());
        }
    }

    /// Removes one recorded answer: the endpoint then answers as the service does for
    /// nothing recorded.
    pub fn remove_answer(&mut self, api: Api) {
        if let Some(path) = api.recorded_file() {
            self.answers.remove(path);
        }
    }

    /// What a data endpoint answers: status and body.
    pub fn answer(&self, api: Api) -> (u16, String) {
        let Some(body) = api.recorded_file().and_then(|p| self.answers.text(p)) else {
            return not_found(api);
        };
        (status_for(&body), body)
    }
}

/// The status the real service sends with such a body: Graph's, Azure AD Graph's and the
/// portal's (`errorCode`) error envelopes by their code, RMS exceptions as 400, anything else
/// 200.
fn status_for(body: &str) -> u16 {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return 200;
    };
    if let Some(code) = value
        .get("error")
        .or_else(|| value.get("odata.error"))
        .and_then(|e| e.get("code").or(Some(e)))
        .or_else(|| value.get("errorCode"))
        .and_then(Value::as_str)
    {
        let code = code.to_ascii_lowercase();
        return if code.contains("denied") || code.contains("forbidden") {
            403
        } else if code.contains("authenticationtoken") || code.contains("unauthorized") {
            401
        } else if code.contains("notfound") {
            404
        } else {
            400
        };
    }
    if value
        .get("Code")
        .and_then(Value::as_str)
        .is_some_and(|c| c.ends_with("Exception"))
    {
        return 400;
    }
    200
}

fn not_found(api: Api) -> (u16, String) {
    (
        404,
        format!(
            r#"{{"error":{{"code":"Request_ResourceNotFound","message":"The emulated tenant has no answer for {}."}}}}"#,
            api.name()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_body() {
        assert_eq!(status_for(r#"{"value":[]}"#), 200);
        assert_eq!(
            status_for(r#"{"error":{"code":"Authorization_RequestDenied","message":"m"}}"#),
            403
        );
        assert_eq!(
            status_for(r#"{"Code":"Microsoft.RightsManagement.Exceptions.NotSignedUpException"}"#),
            400
        );
        assert_eq!(status_for("1"), 200);
    }
}
