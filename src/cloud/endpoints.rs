//! Where each Microsoft host lives: one table per national cloud, and the documented override
//! (`--endpoints FILE.toml` or `ESR_DOCTOR_ENDPOINTS`) that points any host at another base URL
//! — the tenant emulator, a test harness or a support engineer's recorder — without a rebuild.
//!
//! Only the base URL changes; paths stay Microsoft's. Plain `http://` is accepted only for
//! loopback addresses, so an override can never send a token over the network unencrypted.

use crate::evidence::Cloud;
use serde::Deserialize;
use std::path::Path;

/// The environment variable that names an endpoints file.
pub const ENDPOINTS_ENV: &str = "ESR_DOCTOR_ENDPOINTS";

/// A host esr-doctor talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Host {
    /// Entra sign-in: device code, token, OpenID configuration.
    Authority,
    Graph,
    /// The Entra portal's backend, which holds the ESR switch.
    Portal,
    /// Azure RMS end-user endpoints (`api.aadrm.com`).
    Rms,
    /// The RMS admin service locator (`discover.aadrm.com`).
    RmsDiscovery,
}

impl Host {
    pub const ALL: [Host; 5] = [
        Host::Authority,
        Host::Graph,
        Host::Portal,
        Host::Rms,
        Host::RmsDiscovery,
    ];

    /// The key of this host in an endpoints file.
    pub fn key(self) -> &'static str {
        match self {
            Host::Authority => "authority",
            Host::Graph => "graph",
            Host::Portal => "portal",
            Host::Rms => "rms",
            Host::RmsDiscovery => "rms_discovery",
        }
    }

    fn index(self) -> usize {
        Host::ALL.iter().position(|h| *h == self).unwrap_or(0)
    }
}

/// A token audience: each gets its own access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Audience {
    Graph,
    /// The Azure portal resource that the ESR switch's API accepts.
    Portal,
    /// Azure Rights Management.
    Rms,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Graph, Audience::Portal, Audience::Rms];
}

impl Cloud {
    fn bases(self) -> [&'static str; 5] {
        match self {
            Cloud::Global => [
                "https://login.microsoftonline.com",
                "https://graph.microsoft.com",
                "https://main.iam.ad.ext.azure.com",
                "https://api.aadrm.com",
                "https://discover.aadrm.com",
            ],
            // The portal and RMS hosts of the sovereign clouds come from third-party scripts
            // only (reference/microsoft-apis.md §1.1); shown raw in errors when they fail.
            Cloud::UsGov => [
                "https://login.microsoftonline.us",
                "https://graph.microsoft.us",
                "https://main.iam.ad.ext.azure.us",
                "https://api.aadrm.us",
                "https://discover.aadrm.us",
            ],
            Cloud::China => [
                "https://login.chinacloudapi.cn",
                "https://microsoftgraph.chinacloudapi.cn",
                "https://main.iam.ad.ext.azure.cn",
                "https://api.aadrm.cn",
                "https://discover.aadrm.cn",
            ],
        }
    }

    /// The cloud's usual Graph deployment (DoD tenants name theirs in `msgraph_host`).
    fn graph(self) -> &'static GraphDeployment {
        GRAPH_DEPLOYMENTS
            .iter()
            .find(|d| d.cloud == self)
            .unwrap_or(&GRAPH_DEPLOYMENTS[0])
    }

    /// The scope to ask for a token of `audience` in this cloud (always the real resource,
    /// also when the base URLs are overridden).
    pub fn scope(self, audience: Audience) -> &'static str {
        match (self, audience) {
            (_, Audience::Graph) => self.graph().scope,
            (Cloud::UsGov, Audience::Portal) => "ee62de39-b9b0-4886-aa58-08b89c4e3db3/.default",
            (_, Audience::Portal) => "74658136-14ec-4630-ad9b-26e160ff0fc6/.default",
            (Cloud::UsGov, Audience::Rms) => "https://aadrm.us/.default",
            (Cloud::China, Audience::Rms) => "https://aadrm.cn/.default",
            (Cloud::Global, Audience::Rms) => "https://aadrm.com/.default",
        }
    }
}

/// One national deployment of Microsoft Graph: its host and the scope of its tokens.
#[derive(Debug, PartialEq, Eq)]
pub struct GraphDeployment {
    pub cloud: Cloud,
    pub host: &'static str,
    pub scope: &'static str,
}

/// Graph's national deployments (microsoft-graph-docs `concepts/deployments.md`); the first of
/// each cloud is its usual one. A tenant's `msgraph_host` is followed only to one of these, so
/// that an answer can never send a token elsewhere.
pub const GRAPH_DEPLOYMENTS: [GraphDeployment; 4] = [
    GraphDeployment {
        cloud: Cloud::Global,
        host: "graph.microsoft.com",
        scope: "https://graph.microsoft.com/.default",
    },
    GraphDeployment {
        cloud: Cloud::UsGov,
        host: "graph.microsoft.us",
        scope: "https://graph.microsoft.us/.default",
    },
    GraphDeployment {
        cloud: Cloud::UsGov,
        host: "dod-graph.microsoft.us",
        scope: "https://dod-graph.microsoft.us/.default",
    },
    GraphDeployment {
        cloud: Cloud::China,
        host: "microsoftgraph.chinacloudapi.cn",
        scope: "https://microsoftgraph.chinacloudapi.cn/.default",
    },
];

/// The base URL of every host, for one cloud, with any overrides applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoints {
    pub cloud: Cloud,
    graph: &'static GraphDeployment,
    bases: [String; 5],
    overrides: Overrides,
}

impl Endpoints {
    pub fn for_cloud(cloud: Cloud, overrides: &Overrides) -> Endpoints {
        Endpoints::with_graph(cloud.graph(), overrides)
    }

    /// The hosts of a tenant whose cloud and Graph host its OpenID configuration named: the
    /// Graph host only when it is one of Graph's deployments in that cloud, else the cloud's
    /// usual one.
    pub fn for_tenant(cloud: Cloud, graph_host: Option<&str>, overrides: &Overrides) -> Endpoints {
        let named = graph_host.and_then(|host| {
            GRAPH_DEPLOYMENTS
                .iter()
                .find(|d| d.cloud == cloud && d.host.eq_ignore_ascii_case(host.trim()))
        });
        Endpoints::with_graph(named.unwrap_or(cloud.graph()), overrides)
    }

    fn with_graph(graph: &'static GraphDeployment, overrides: &Overrides) -> Endpoints {
        let cloud = graph.cloud;
        let mut bases = cloud.bases().map(str::to_owned);
        bases[Host::Graph.index()] = format!("https://{}", graph.host);
        for host in Host::ALL {
            if let Some(url) = overrides.base_in(cloud, host) {
                bases[host.index()] = url.to_owned();
            }
        }
        Endpoints {
            cloud,
            graph,
            bases,
            overrides: overrides.clone(),
        }
    }

    /// The same overrides in another cloud (after the tenant's cloud is known).
    pub fn in_cloud(&self, cloud: Cloud) -> Endpoints {
        Endpoints::for_cloud(cloud, &self.overrides)
    }

    /// The login host to ask for a tenant's OpenID configuration in `cloud`, or `None` when an
    /// override points the sign-in elsewhere and names no host for that cloud (an emulator or
    /// recorder setup must never reach out to Microsoft's real hosts).
    pub fn login_host_of(&self, cloud: Cloud) -> Option<String> {
        match (
            self.overrides.authority_of(cloud),
            self.overrides.get(Host::Authority),
        ) {
            (Some(url), _) => Some(url.to_owned()),
            (None, Some(_)) if cloud != Cloud::Global => None,
            (None, Some(url)) => Some(url.to_owned()),
            (None, None) => Some(cloud.bases()[Host::Authority.index()].to_owned()),
        }
    }

    /// `https://host` (no trailing slash).
    pub fn base(&self, host: Host) -> &str {
        &self.bases[host.index()]
    }

    /// The full URL of `path` (which starts with `/`) on `host`.
    pub fn url(&self, host: Host, path: &str) -> String {
        format!("{}{path}", self.base(host))
    }

    pub fn scope(&self, audience: Audience) -> &'static str {
        match audience {
            Audience::Graph => self.graph.scope,
            _ => self.cloud.scope(audience),
        }
    }

    /// The scope of each audience, in [`Audience::ALL`]'s order.
    pub fn scopes(&self) -> [&'static str; 3] {
        Audience::ALL.map(|a| self.scope(a))
    }

    /// True when the host was pointed somewhere else by an override.
    pub fn is_overridden(&self, host: Host) -> bool {
        self.overrides.get(host).is_some()
    }

    /// The RMS admin URL the service locator named, if the RMS token may go there: https on
    /// an Azure RMS host of this cloud (`admin.<region>.aadrm.com`, reference/microsoft-apis.md
    /// §2.1), or, when discovery is overridden, the overriding host itself (plain http only
    /// when that is loopback). Anything else would hand the admin token to whoever answered.
    pub fn rms_admin_url(&self, named: &str) -> Result<String, LocatorRefusal> {
        let url = reqwest::Url::parse(named.trim()).map_err(|source| LocatorRefusal::NotAUrl {
            named: named.to_owned(),
            source,
        })?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(LocatorRefusal::Credentials);
        }
        let allowed = match self.overrides.get(Host::RmsDiscovery) {
            Some(base) => reqwest::Url::parse(base).is_ok_and(|base| {
                url.host() == base.host()
                    && url.port_or_known_default() == base.port_or_known_default()
                    && (url.scheme() == "https" || (url.scheme() == "http" && is_loopback(&url)))
            }),
            None => {
                let suffix = match self.cloud {
                    Cloud::Global => ".aadrm.com",
                    Cloud::UsGov => ".aadrm.us",
                    Cloud::China => ".aadrm.cn",
                };
                url.scheme() == "https"
                    && url
                        .host_str()
                        .is_some_and(|h| h.to_ascii_lowercase().ends_with(suffix))
            }
        };
        if allowed {
            Ok(url.as_str().trim_end_matches('/').to_owned())
        } else {
            Err(LocatorRefusal::NotAdminHost(named.to_owned()))
        }
    }
}

/// Why an endpoints file or override was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EndpointError {
    #[error("cannot read the endpoints file {path}: {detail}")]
    Unreadable { path: String, detail: String },
    #[error("the endpoints file {path} is not valid: {detail}")]
    Invalid { path: String, detail: String },
    #[error("endpoint `{key}` = {url:?}: {detail}")]
    BadUrl {
        key: String,
        url: String,
        detail: String,
    },
}

/// Base URLs that replace the cloud's, keyed like an endpoints file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    authority: Option<String>,
    graph: Option<String>,
    portal: Option<String>,
    rms: Option<String>,
    rms_discovery: Option<String>,
    /// The US Government login host, asked for a tenant's cloud (with `authority` overridden,
    /// that cloud is asked only when this names where).
    authority_usgov: Option<String>,
    /// The China (21Vianet) login host, likewise.
    authority_china: Option<String>,
}

impl Overrides {
    /// Reads and checks an endpoints file.
    pub fn load(path: &Path) -> Result<Overrides, EndpointError> {
        let shown = path.display().to_string();
        // Read as evidence is: a regular file within the size cap, so that `/dev/zero` or a
        // FIFO can neither eat memory nor hang the run.
        let unreadable = |detail: String| EndpointError::Unreadable {
            path: shown.clone(),
            detail,
        };
        let bytes =
            crate::evidence::read::read_regular(path).map_err(|e| unreadable(e.to_string()))?;
        let text =
            String::from_utf8(bytes).map_err(|_| unreadable("it is not UTF-8 text".to_owned()))?;
        Overrides::parse(&text).map_err(|e| match e {
            EndpointError::Invalid { detail, .. } => EndpointError::Invalid {
                path: shown,
                detail,
            },
            other => other,
        })
    }

    /// Parses an endpoints file's text and checks every URL.
    pub fn parse(text: &str) -> Result<Overrides, EndpointError> {
        let raw: Overrides = toml::from_str(text).map_err(|e| EndpointError::Invalid {
            path: String::new(),
            detail: e.message().to_owned(),
        })?;
        let mut checked = Overrides::default();
        for host in Host::ALL {
            if let Some(url) = raw.get(host) {
                checked.set(host, url)?;
            }
        }
        for cloud in [Cloud::UsGov, Cloud::China] {
            if let Some(url) = raw.authority_of(cloud) {
                checked.set_authority_of(cloud, url)?;
            }
        }
        Ok(checked)
    }

    /// The file named by `--endpoints`, else by `ESR_DOCTOR_ENDPOINTS`, else none.
    pub fn from_file_or_env(file: Option<&Path>) -> Result<Overrides, EndpointError> {
        match file {
            Some(path) => Overrides::load(path),
            None => match std::env::var_os(ENDPOINTS_ENV) {
                Some(path) if !path.is_empty() => Overrides::load(Path::new(&path)),
                _ => Ok(Overrides::default()),
            },
        }
    }

    pub fn get(&self, host: Host) -> Option<&str> {
        self.slot(host).as_deref()
    }

    /// Points `host` at `url` after checking it (https, or http on loopback only).
    pub fn set(&mut self, host: Host, url: &str) -> Result<(), EndpointError> {
        let checked = check_base_url(host.key(), url)?;
        *self.slot_mut(host) = Some(checked);
        Ok(())
    }

    /// The login host override of one cloud other than the global one.
    pub fn authority_of(&self, cloud: Cloud) -> Option<&str> {
        match cloud {
            Cloud::Global => None,
            Cloud::UsGov => self.authority_usgov.as_deref(),
            Cloud::China => self.authority_china.as_deref(),
        }
    }

    /// Points the login host of `cloud` (US Government or China) at `url`.
    pub fn set_authority_of(&mut self, cloud: Cloud, url: &str) -> Result<(), EndpointError> {
        let key = match cloud {
            Cloud::Global => return self.set(Host::Authority, url),
            Cloud::UsGov => "authority_usgov",
            Cloud::China => "authority_china",
        };
        let checked = Some(check_base_url(key, url)?);
        match cloud {
            Cloud::UsGov => self.authority_usgov = checked,
            _ => self.authority_china = checked,
        }
        Ok(())
    }

    /// The override of `host` in `cloud`: a cloud's own login host before the general one.
    fn base_in(&self, cloud: Cloud, host: Host) -> Option<&str> {
        match host {
            Host::Authority => self.authority_of(cloud).or(self.get(host)),
            _ => self.get(host),
        }
    }

    fn slot(&self, host: Host) -> &Option<String> {
        match host {
            Host::Authority => &self.authority,
            Host::Graph => &self.graph,
            Host::Portal => &self.portal,
            Host::Rms => &self.rms,
            Host::RmsDiscovery => &self.rms_discovery,
        }
    }

    fn slot_mut(&mut self, host: Host) -> &mut Option<String> {
        match host {
            Host::Authority => &mut self.authority,
            Host::Graph => &mut self.graph,
            Host::Portal => &mut self.portal,
            Host::Rms => &mut self.rms,
            Host::RmsDiscovery => &mut self.rms_discovery,
        }
    }
}

/// `scheme://host[:port][/prefix]` without a trailing slash, query or fragment.
fn check_base_url(key: &str, url: &str) -> Result<String, EndpointError> {
    let bad = |detail: &str| EndpointError::BadUrl {
        key: key.to_owned(),
        url: url.to_owned(),
        detail: detail.to_owned(),
    };
    let parsed = reqwest::Url::parse(url.trim()).map_err(|e| bad(&e.to_string()))?;
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(bad("a base URL has no query or fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("a base URL carries no user name or password"));
    }
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(&parsed) => {}
        "http" => {
            return Err(bad(
                "plain http is allowed only for loopback addresses (127.0.0.0/8, [::1], localhost)",
            ));
        }
        _ => return Err(bad("only https (or http on loopback) is supported")),
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// True for 127.0.0.0/8, `[::1]` and `localhost`: this machine, which no proxy may sit in
/// front of and where plain http cannot be read on the wire.
pub fn is_loopback(url: &reqwest::Url) -> bool {
    url.host_str()
        .is_some_and(crate::evidence::hosts::is_loopback_name)
}

/// Why the RMS admin URL a service locator named is not followed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LocatorRefusal {
    #[error("the service locator named {named:?}, not a URL ({source})")]
    NotAUrl {
        named: String,
        source: url::ParseError,
    },
    #[error("the service locator named a URL with credentials; not followed")]
    Credentials,
    #[error(
        "the service locator named {0:?}, which is not an Azure RMS admin host of this cloud over https; not followed"
    )]
    NotAdminHost(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rms_admin_token_goes_only_to_an_rms_host_of_the_cloud() {
        let global = Endpoints::for_cloud(Cloud::Global, &Overrides::default());
        assert_eq!(
            global.rms_admin_url("https://admin.eu.aadrm.com/admin/v2/"),
            Ok("https://admin.eu.aadrm.com/admin/v2".to_owned())
        );
        for refused in [
            "http://admin.eu.aadrm.com/admin/v2",
            "https://admin.eu.aadrm.com.evil.example/admin/v2",
            "https://aadrm.com@evil.example/",
            "https://admin.aadrm.us/admin/v2",
            "http://127.0.0.1:8080/admin/v2",
            "not a url",
        ] {
            assert!(global.rms_admin_url(refused).is_err(), "{refused}");
        }
        let gov = global.in_cloud(Cloud::UsGov);
        assert!(gov.rms_admin_url("https://admin.na.aadrm.us/x").is_ok());
        // The reach probes always test the real hosts: an override for them would do nothing.
        let unused = Overrides::parse("edge_sync = \"http://127.0.0.1:1\"\n");
        assert!(
            matches!(&unused, Err(EndpointError::Invalid { detail, .. }) if detail.contains("edge_sync")),
            "{unused:?}"
        );
        let mut overrides = Overrides::default();
        assert_eq!(
            overrides.set(Host::RmsDiscovery, "http://127.0.0.1:4000"),
            Ok(())
        );
        let emulated = Endpoints::for_cloud(Cloud::Global, &overrides);
        assert!(
            emulated
                .rms_admin_url("http://127.0.0.1:4000/admin/r1/v2")
                .is_ok()
        );
        for refused in [
            "http://127.0.0.1:4001/admin/v2",
            "http://0.0.0.0:4000/admin/v2",
            "https://admin.eu.aadrm.com/admin/v2",
        ] {
            assert!(emulated.rms_admin_url(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn each_cloud_has_its_hosts_and_scopes() {
        let global = Endpoints::for_cloud(Cloud::Global, &Overrides::default());
        assert_eq!(
            global.url(Host::Graph, "/v1.0/me"),
            "https://graph.microsoft.com/v1.0/me"
        );
        assert_eq!(
            global.scope(Audience::Portal),
            "74658136-14ec-4630-ad9b-26e160ff0fc6/.default"
        );
        let gov = global.in_cloud(Cloud::UsGov);
        assert_eq!(
            gov.base(Host::Authority),
            "https://login.microsoftonline.us"
        );
        assert_eq!(
            gov.scope(Audience::Graph),
            "https://graph.microsoft.us/.default"
        );
    }

    #[test]
    fn graph_follows_msgraph_host_only_to_a_graph_deployment_of_the_cloud() {
        let none = Overrides::default();
        let dod = Endpoints::for_tenant(Cloud::UsGov, Some("dod-graph.microsoft.us"), &none);
        assert_eq!(dod.base(Host::Graph), "https://dod-graph.microsoft.us");
        assert_eq!(
            dod.scope(Audience::Graph),
            "https://dod-graph.microsoft.us/.default"
        );
        assert_eq!(dod.scope(Audience::Rms), "https://aadrm.us/.default");
        for hostile in [
            "evil.example",
            "graph.microsoft.com",
            "dod-graph.microsoft.us.evil",
        ] {
            let gov = Endpoints::for_tenant(Cloud::UsGov, Some(hostile), &none);
            assert_eq!(
                gov.base(Host::Graph),
                "https://graph.microsoft.us",
                "{hostile}"
            );
        }
        let china = Endpoints::for_tenant(Cloud::China, None, &none);
        assert_eq!(
            china.scopes()[0],
            "https://microsoftgraph.chinacloudapi.cn/.default"
        );
    }

    #[test]
    fn each_clouds_login_host_is_asked_unless_an_override_points_elsewhere() {
        let real = Endpoints::for_cloud(Cloud::Global, &Overrides::default());
        let hosts: Vec<Option<String>> =
            Cloud::ALL.iter().map(|c| real.login_host_of(*c)).collect();
        assert_eq!(
            hosts,
            [
                Some("https://login.microsoftonline.com".to_owned()),
                Some("https://login.microsoftonline.us".to_owned()),
                Some("https://login.chinacloudapi.cn".to_owned()),
            ]
        );
        let mut emulated = Overrides::default();
        assert_eq!(emulated.set(Host::Authority, "http://127.0.0.1:9"), Ok(()));
        let only_global = Endpoints::for_cloud(Cloud::Global, &emulated);
        assert_eq!(only_global.login_host_of(Cloud::UsGov), None);
        assert_eq!(
            emulated.set_authority_of(Cloud::China, "http://127.0.0.1:9/china"),
            Ok(())
        );
        let with_china = Endpoints::for_cloud(Cloud::Global, &emulated);
        assert_eq!(
            with_china.login_host_of(Cloud::China).as_deref(),
            Some("http://127.0.0.1:9/china")
        );
        assert_eq!(
            with_china.in_cloud(Cloud::China).base(Host::Authority),
            "http://127.0.0.1:9/china"
        );
        let parsed = Overrides::parse("authority_usgov = \"http://10.0.0.1\"");
        assert!(
            matches!(&parsed, Err(EndpointError::BadUrl { key, .. }) if key == "authority_usgov"),
            "{parsed:?}"
        );
    }

    #[test]
    fn overrides_replace_base_urls_and_survive_a_cloud_change() {
        let overrides =
            Overrides::parse("graph = \"http://127.0.0.1:8400/\"\nrms = \"https://rec.example/x\"")
                .unwrap_or_else(|e| panic!("{e}"));
        let endpoints = Endpoints::for_cloud(Cloud::Global, &overrides);
        assert_eq!(endpoints.base(Host::Graph), "http://127.0.0.1:8400");
        assert_eq!(
            endpoints.url(Host::Rms, "/my/v1/servicediscovery"),
            "https://rec.example/x/my/v1/servicediscovery"
        );
        assert!(endpoints.is_overridden(Host::Graph));
        assert!(!endpoints.is_overridden(Host::Portal));
        let gov = endpoints.in_cloud(Cloud::UsGov);
        assert_eq!(gov.base(Host::Graph), "http://127.0.0.1:8400");
        assert_eq!(gov.base(Host::Portal), "https://main.iam.ad.ext.azure.us");
    }

    #[test]
    fn plain_http_only_on_loopback() {
        for ok in [
            "http://127.0.0.1:1",
            "http://127.8.9.10",
            "http://[::1]:80",
            "http://localhost:9",
            "https://anything.example",
        ] {
            assert!(check_base_url("graph", ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1",
            "http://graph.microsoft.com",
            "ftp://127.0.0.1",
            "https://x.example/?a=1",
            "https://user:pw@x.example",
            "not a url",
        ] {
            assert!(
                matches!(
                    check_base_url("graph", bad),
                    Err(EndpointError::BadUrl { .. })
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            Overrides::parse("graphh = \"https://x\""),
            Err(EndpointError::Invalid { .. })
        ));
        assert!(matches!(
            Overrides::parse("portal = \"http://192.168.1.2\""),
            Err(EndpointError::BadUrl { key, .. }) if key == "portal"
        ));
    }
}
