//! Reading the tenant live: sign in (once), then ask Graph, the portal's ESR API and Azure RMS
//! for the answers a bundle would record under `cloud/`, as concurrently as their dependencies
//! allow. Each answer is either the body (parsed by the same code as a recorded file) or a
//! failure that names the endpoint and the status.
//!
//! The person signs in for Graph; the portal's and Azure RMS's tokens are redeemed from the
//! refresh token, each on its own, so one service refusing its token leaves the others read.

mod reader;
mod sign_in;
mod tenant;

use reader::{Reader, json_answer};
use tenant::is_named_tenant;

use super::api;
use super::auth::browser::BrowserOptions;
use super::auth::device_code;
use super::auth::device_code::DeviceCodeOptions;
use super::auth::entra::SignInTarget;
use super::auth::interactive::{Context, Flow, HeadStart, InteractiveCredential};
use super::auth::token_store::TokenStore;
use super::auth::{self, AuthMode, PromptSink, SignInError, TokenBroker};
use super::endpoints::{Audience, Endpoints, Host, Overrides};
use super::http::{CallRecord, CloudHttp, HttpLimits, Reply};
use super::paging;
use crate::evidence::Cloud;
use crate::evidence::EvidenceFiles;
use crate::evidence::FactSource;
use crate::facts::tenant::AnswerError;
use crate::facts::tenant::Api;
use crate::facts::tenant::graph;
use crate::facts::tenant::openid::{self, TenantCloud};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OnceCell, watch};

/// How to reach and read the tenant.
#[derive(Debug, Clone)]
pub struct CloudConfig {
    pub auth: AuthMode,
    pub overrides: Overrides,
    /// `--tenant`: sign in to this tenant (id or domain), whatever the device's is.
    pub tenant: Option<String>,
    /// The tenant the device (or the bundle's device) belongs to, from its evidence: signed in
    /// to when nothing else is named, and held against the tenant signed in to.
    pub device_tenant: Option<DeviceTenant>,
    pub client_id: String,
    /// `--user UPN`: whose licences and groups to read (default: whoever signs in).
    pub subject: Option<String>,
    /// The work account the device's Edge profile is signed in with; read as the subject
    /// when someone else signs in.
    pub device_account: Option<String>,
    /// `--no-cache`: keep no refresh token in the keyring.
    pub no_cache: bool,
    pub limits: HttpLimits,
    pub device_code: DeviceCodeOptions,
    pub browser: BrowserOptions,
    /// Whether `--auth auto` may use the browser (see [`auth::has_desktop_session`]).
    pub desktop_session: bool,
    /// Longest the data calls of one fact source may take once the token is in.
    pub data_budget: Duration,
}

impl Default for CloudConfig {
    fn default() -> Self {
        CloudConfig {
            auth: AuthMode::Auto,
            overrides: Overrides::default(),
            tenant: None,
            device_tenant: None,
            client_id: auth::DEFAULT_CLIENT_ID.to_owned(),
            subject: None,
            device_account: None,
            no_cache: false,
            limits: HttpLimits::default(),
            device_code: DeviceCodeOptions::default(),
            browser: BrowserOptions::default(),
            desktop_session: auth::has_desktop_session(|name| std::env::var_os(name)),
            data_budget: Duration::from_secs(45),
        }
    }
}

/// The device's Entra device id, awaited by the Graph reader for the device object lookup; on
/// a live device it comes from `dsregcmd /status`, which runs beside the sign-in.
pub type DeviceIdLookup = std::pin::Pin<Box<dyn Future<Output = Option<String>> + Send>>;

/// A lookup for when no device is involved.
pub fn no_device() -> DeviceIdLookup {
    Box::pin(std::future::ready(None))
}

/// A tenant as the device's evidence names it: dsregcmd's `TenantId` and `TenantName`, or the
/// Edge profile account's tenant id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceTenant {
    pub id: String,
    pub name: Option<String>,
}

impl DeviceTenant {
    /// `Name (id)`, or the id alone.
    pub fn describe(&self) -> String {
        describe_tenant(self.name.as_deref(), &self.id)
    }
}

fn describe_tenant(name: Option<&str>, id: &str) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => format!("{name} ({id})"),
        None => id.to_owned(),
    }
}

impl CloudConfig {
    /// The tenant to sign in to: `--tenant`, else the domain of `--user`, else the device's,
    /// else `organizations`.
    pub fn tenant_hint(&self) -> String {
        self.tenant
            .clone()
            .or_else(|| {
                self.subject
                    .as_deref()
                    .and_then(|u| u.rsplit_once('@'))
                    .map(|(_, domain)| domain.to_owned())
            })
            .or_else(|| self.device_tenant.as_ref().map(|t| t.id.clone()))
            .unwrap_or_else(|| "organizations".to_owned())
    }

    /// The tenant every token must come from: the device's, unless `--tenant` chose one.
    fn guarded_tenant(&self) -> Option<&DeviceTenant> {
        self.device_tenant
            .as_ref()
            .filter(|_| self.tenant.is_none())
    }
}

/// The answers of one fact source: bodies by their bundle path, and the calls that failed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CloudAnswers {
    pub files: EvidenceFiles,
    pub failures: BTreeMap<String, AnswerError>,
    /// Set when no token could be had; then there are no answers at all.
    pub sign_in: Option<SignInError>,
}

/// A signed-in (or signing-in) view of one tenant, shared by every run of a wizard session.
pub struct CloudSession {
    config: CloudConfig,
    http: Arc<CloudHttp>,
    prompt: PromptSink,
    cancel: watch::Sender<bool>,
    /// The credential and endpoints, set up once; replaced when a failed sign-in is forgotten.
    prepared: std::sync::Mutex<Arc<Preparation>>,
    /// Who signed in, once known (from the Graph token's claims).
    operator: std::sync::Mutex<Option<String>>,
    /// Whether the tenant signed in to is another than the device's, decided once.
    wrong_tenant: OnceCell<Option<SignInError>>,
}

/// Whose view the tenant's answers are: who signed in, and whose data was read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Identities {
    pub operator: Option<String>,
    pub subject: Option<String>,
}

struct Prepared {
    endpoints: Endpoints,
    broker: TokenBroker,
    /// The tenant's OpenID configuration as it answered, when the tenant was named.
    openid: Option<String>,
}

/// Setting up the sign-in, done by the first call that needs a token.
type Preparation = OnceCell<Result<Arc<Prepared>, SignInError>>;

impl std::fmt::Debug for CloudSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudSession")
            .field("auth", &self.config.auth)
            .field("subject", &self.config.subject)
            .finish_non_exhaustive()
    }
}

impl CloudSession {
    pub fn new(config: CloudConfig, prompt: PromptSink) -> CloudSession {
        let http = Arc::new(CloudHttp::new(config.limits.clone()));
        let (cancel, _) = watch::channel(false);
        CloudSession {
            config,
            http,
            prompt,
            cancel,
            prepared: std::sync::Mutex::new(Arc::new(OnceCell::new())),
            operator: std::sync::Mutex::new(None),
            wrong_tenant: OnceCell::new(),
        }
    }

    /// Who signed in and whose licences and groups are read (`None`: not known yet, or the
    /// signed-in user themselves).
    pub fn identities(&self) -> Identities {
        let operator = self.operator.lock().ok().and_then(|o| o.clone());
        Identities {
            subject: self.subject(operator.as_deref()),
            operator,
        }
    }

    /// `--user`, else the device's Edge account when someone else signed in; `None` reads `/me`.
    fn subject(&self, operator: Option<&str>) -> Option<String> {
        self.config.subject.clone().or_else(|| {
            self.config
                .device_account
                .clone()
                .filter(|account| operator.is_none_or(|o| !o.eq_ignore_ascii_case(account)))
        })
    }

    /// When `--user` names someone other than the device's Edge account: the device checks
    /// describe this device, not that user's, and the report says so.
    pub fn device_note(&self) -> Option<String> {
        let subject = self.config.subject.as_deref()?;
        let account = self.config.device_account.as_deref();
        if account.is_some_and(|a| a.eq_ignore_ascii_case(subject)) {
            return None;
        }
        let whose = match account {
            Some(account) => format!("whose Edge profile is signed in as {account}"),
            None => "whose Edge profile has no work account".to_owned(),
        };
        Some(format!(
            "The tenant checks read {subject}; the device checks describe the device the evidence comes from, {whose}, not {subject}'s device. Run esr-doctor on {subject}'s device (or `collect` there) for theirs."
        ))
    }

    /// Stops a sign-in that waits for a person; the tenant checks are then skipped.
    pub fn cancel_sign_in(&self) {
        self.cancel.send_replace(true);
    }

    /// Forgets a sign-in that ended without tokens (declined, cancelled, a service that
    /// failed), so the next run asks again. A sign-in that gave tokens is kept.
    pub fn forget_failed_sign_in(&self) {
        let mut cell = self
            .prepared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let failed = match cell.get() {
            Some(Err(_)) => true,
            Some(Ok(prepared)) => prepared.broker.has_failed(),
            None => false,
        };
        if failed {
            *cell = Arc::new(OnceCell::new());
            self.cancel.send_replace(false);
        }
    }

    /// Every HTTP call made so far (endpoint, status, client-request-id), never a body.
    pub fn calls(&self) -> Vec<CallRecord> {
        self.http.calls()
    }

    /// The answers for one of the tenant's fact sources (Graph, ESR, RMS).
    /// `device_id` is awaited only for Graph's answers, once the token is in.
    pub async fn answers(&self, source: FactSource, device_id: DeviceIdLookup) -> CloudAnswers {
        let prepared = match self.prepare().await {
            Ok(prepared) => prepared,
            Err(e) => return signed_out(e),
        };
        let audience = match source {
            FactSource::Graph => Audience::Graph,
            FactSource::Esr => Audience::Portal,
            _ => Audience::Rms,
        };
        let token = match prepared.broker.token(audience).await {
            Ok(token) => token,
            Err(e) => return signed_out(e),
        };
        if let Some(wrong) = self.wrong_tenant(&prepared, &token).await {
            return signed_out(wrong);
        }
        let operator = auth::token_user(&token);
        if audience == Audience::Graph
            && let Ok(mut slot) = self.operator.lock()
        {
            slot.clone_from(&operator);
        }
        let subject = self.subject(operator.as_deref());
        let reader = Reader {
            http: &self.http,
            endpoints: &prepared.endpoints,
            token: token.secret(),
            deadline: Instant::now() + self.config.data_budget,
            subject: subject.as_deref(),
            operator: operator.as_deref(),
        };
        let mut answers = CloudAnswers::default();
        match source {
            FactSource::Graph => {
                let (me, licences, organization, skus, groups, policies, device, openid) = tokio::join!(
                    reader.graph(Api::Me),
                    reader.graph(Api::LicenseDetails),
                    reader.graph(Api::Organization),
                    reader.graph(Api::SubscribedSkus),
                    reader.graph(Api::MemberOf),
                    reader.graph(Api::ConditionalAccess),
                    reader.device(device_id),
                    self.openid_of(&prepared, &token),
                );
                for (api, outcome) in [
                    me,
                    licences,
                    organization,
                    skus,
                    groups,
                    policies,
                    device,
                    openid,
                ] {
                    answers.record(api, outcome);
                }
                if let Some(wrong) = self.organization_mismatch(&answers) {
                    return signed_out(wrong);
                }
            }
            FactSource::Esr => answers.record(Api::RoamingSettings, reader.roaming().await),
            _ => {
                let (discovery, admin) = tokio::join!(reader.rms_discovery(), reader.rms_admin());
                answers.record(Api::RmsDiscovery, discovery);
                let group = limiting_group(&admin);
                for (api, outcome) in admin {
                    answers.record(api, outcome);
                }
                // The policy names its group by id only; Graph knows its name.
                if let Some(path) = group.as_deref().and_then(api::group_path)
                    && let Ok(graph_token) = prepared.broker.token(Audience::Graph).await
                {
                    let graph = Reader {
                        token: graph_token.secret(),
                        ..reader
                    };
                    let url = graph.endpoints.url(Host::Graph, &path);
                    let outcome = graph.get_json(Api::OnboardingGroup, &url).await;
                    answers.record(Api::OnboardingGroup, outcome);
                }
            }
        }
        answers
    }
}

/// The group the onboarding control policy among `admin`'s answers limits RMS to.
fn limiting_group(admin: &[(Api, Result<Option<String>, AnswerError>)]) -> Option<String> {
    let body = admin.iter().find_map(|(api, outcome)| match outcome {
        Ok(Some(body)) if *api == Api::RmsOnboardingPolicy => Some(body),
        _ => None,
    })?;
    let policy = crate::facts::tenant::rms::parse_onboarding_policy("onboarding", body).ok()?;
    policy.limiting_group().map(str::to_owned)
}

fn signed_out(error: SignInError) -> CloudAnswers {
    CloudAnswers {
        sign_in: Some(error),
        ..CloudAnswers::default()
    }
}

impl CloudAnswers {
    /// Files the answer under its bundle path, or the failure under the same path.
    fn record(&mut self, api: Api, outcome: Result<Option<String>, AnswerError>) {
        let Some(path) = api.recorded_file() else {
            return;
        };
        match outcome {
            // A recorded answer is evidence and may land in a bundle: no credential a service
            // echoed survives in it.
            Ok(Some(body)) => self.files.insert(
                path,
                crate::evidence::secrets::strip_bearer_material(&body).into_bytes(),
            ),
            Ok(None) => {}
            Err(e) => {
                self.failures.insert(path.to_owned(), e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_hints() {
        let mut config = CloudConfig::default();
        assert_eq!(config.tenant_hint(), "organizations");
        config.subject = Some("ann@fabrikam.com".into());
        assert_eq!(config.tenant_hint(), "fabrikam.com");
        config.tenant = Some("t-1".into());
        assert_eq!(config.tenant_hint(), "t-1");
        assert!(!is_named_tenant("Organizations"));
        assert!(is_named_tenant("fabrikam.com"));
    }
}
