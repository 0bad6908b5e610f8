//! Reading the tenant live: sign in (once), then ask Graph, the portal's ESR API and Azure RMS
//! for the answers a bundle would record under `cloud/`, as concurrently as their dependencies
//! allow. Each answer is either the body (parsed by the same code as a recorded file) or a
//! failure that names the endpoint and the status.
//!
//! The person signs in for Graph; the portal's and Azure RMS's tokens are redeemed from the
//! refresh token, each on its own, so one service refusing its token leaves the others read.

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
    pub fn new(config: CloudConfig, prompt: PromptSink) -> anyhow::Result<CloudSession> {
        let http = Arc::new(CloudHttp::new(config.limits.clone())?);
        let (cancel, _) = watch::channel(false);
        Ok(CloudSession {
            config,
            http,
            prompt,
            cancel,
            prepared: std::sync::Mutex::new(Arc::new(OnceCell::new())),
            operator: std::sync::Mutex::new(None),
            wrong_tenant: OnceCell::new(),
        })
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

    /// Finds the tenant's cloud (when a tenant is named) and sets up the credential, once. The
    /// cloud is looked up beside the sign-in's first step, not before it: a device code is
    /// asked for in the global cloud at the same time, and shown only if that is the tenant's.
    async fn prepare(&self) -> Result<Arc<Prepared>, SignInError> {
        let cell = Arc::clone(
            &self
                .prepared
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        cell.get_or_init(|| async {
            if self.config.auth == AuthMode::None {
                return Err(SignInError::NotRequested);
            }
            let global = Endpoints::for_cloud(Cloud::Global, &self.config.overrides);
            let tenant = self.config.tenant_hint();
            if !is_named_tenant(&tenant) {
                let broker = self.broker(&global, &tenant, None);
                return Ok(Arc::new(Prepared {
                    endpoints: global,
                    broker,
                    openid: None,
                }));
            }
            let (found, head_start) = tokio::join!(
                self.find_cloud(&global, &tenant),
                self.head_start(&global, &tenant)
            );
            let (cloud, openid) = found?;
            let Some(offering) = &cloud.offering else {
                return Err(SignInError::Credential(format!(
                    "the tenant is in a cloud esr-doctor does not support: {}",
                    cloud.describe()
                )));
            };
            let endpoints = Endpoints::for_tenant(
                offering.cloud(),
                cloud.graph_host.as_deref(),
                &self.config.overrides,
            );
            // A code asked for in another cloud, or for another Graph, is never shown.
            let head_start = head_start.filter(|_| endpoints == global);
            let broker = self.broker(&endpoints, &tenant, head_start);
            Ok(Arc::new(Prepared {
                endpoints,
                broker,
                openid: Some(openid),
            }))
        })
        .await
        .clone()
    }

    /// The flow a person's sign-in takes, if this session signs a person in.
    fn flow(&self) -> Option<Flow> {
        match self.config.auth {
            AuthMode::Browser => Some(Flow::Browser { fallback: false }),
            AuthMode::Auto if self.config.desktop_session => Some(Flow::Browser { fallback: true }),
            AuthMode::Auto | AuthMode::DeviceCode => Some(Flow::DeviceCode),
            AuthMode::AzureCli | AuthMode::App | AuthMode::None => None,
        }
    }

    fn token_store(&self, endpoints: &Endpoints, tenant: &str) -> TokenStore {
        if self.config.no_cache {
            TokenStore::disabled()
        } else {
            TokenStore::new(
                endpoints.cloud.as_str(),
                tenant,
                &self.config.client_id,
                self.config.subject.as_deref(),
            )
        }
    }

    fn context(&self, endpoints: &Endpoints, tenant: &str) -> Context {
        Context {
            http: Arc::clone(&self.http),
            target: SignInTarget {
                endpoints: endpoints.clone(),
                tenant: tenant.to_owned(),
                client_id: self.config.client_id.clone(),
                first_scope: endpoints.scope(Audience::Graph).to_owned(),
                login_hint: self.config.subject.clone(),
            },
            prompt: Arc::clone(&self.prompt),
            cancel: self.cancel.subscribe(),
            device_code: self.config.device_code.clone(),
            browser: self.config.browser.clone(),
            head_start: std::sync::Mutex::new(None),
        }
    }

    /// What the sign-in can do in `endpoints`' cloud while the tenant's cloud is being found:
    /// for the device-code flow, read the keyring and, with nothing stored, ask for a code.
    async fn head_start(&self, endpoints: &Endpoints, tenant: &str) -> Option<HeadStart> {
        if self.flow() != Some(Flow::DeviceCode) {
            return None;
        }
        let stored = self.token_store(endpoints, tenant).load().await;
        let code = match stored {
            Some(_) => None,
            None => Some(device_code::authorize(&self.context(endpoints, tenant)).await),
        };
        Some(HeadStart { stored, code })
    }

    fn broker(
        &self,
        endpoints: &Endpoints,
        tenant: &str,
        head_start: Option<HeadStart>,
    ) -> TokenBroker {
        let budget = self.config.device_code.call_budget;
        match (self.config.auth, self.flow()) {
            (AuthMode::AzureCli, _) => match auth::azure_cli(Some(tenant)) {
                Ok(credential) => TokenBroker::azure(credential, endpoints, budget),
                Err(e) => TokenBroker::failed(e),
            },
            (AuthMode::App, _) => match auth::app_from_env(self.http.client().clone(), endpoints) {
                Ok(credential) => TokenBroker::azure(credential, endpoints, budget),
                Err(e) => TokenBroker::failed(e),
            },
            (_, Some(flow)) => {
                let context = self.context(endpoints, tenant);
                let store = self.token_store(endpoints, tenant);
                let credential = InteractiveCredential::new(context, flow, store, head_start);
                TokenBroker::interactive(Arc::new(credential), endpoints)
            }
            (_, None) => TokenBroker::none(),
        }
    }

    /// Asks the global, US Government and China login hosts at once for the tenant's OpenID
    /// configuration; the first that knows the tenant answers for it (the global host does not
    /// know China tenants, reference/real-tenant.md). Returns the configuration and its body.
    async fn find_cloud(
        &self,
        global: &Endpoints,
        tenant: &str,
    ) -> Result<(TenantCloud, String), SignInError> {
        let path = api::authority_path(Api::OpenIdConfiguration, tenant).unwrap_or_default();
        let deadline = Instant::now() + self.config.data_budget;
        let mut asked = tokio::task::JoinSet::new();
        for cloud in Cloud::ALL {
            let Some(base) = global.login_host_of(cloud) else {
                continue;
            };
            let http = Arc::clone(&self.http);
            let url = format!("{base}{path}");
            asked.spawn(async move {
                http.send(Api::OpenIdConfiguration, deadline, |c| c.get(&url))
                    .await
            });
        }
        let mut not_known = false;
        let mut failure = None;
        while let Some(joined) = asked.join_next().await {
            let Ok(reply) = joined else { continue };
            match reply {
                Ok(reply) if reply.is_success() => {
                    let file = Api::OpenIdConfiguration.recorded_file().unwrap_or_default();
                    match openid::parse(file, &reply.body) {
                        Ok(cloud) => return Ok((cloud, reply.body)),
                        Err(e) => {
                            failure.get_or_insert(SignInError::Malformed {
                                api: Api::OpenIdConfiguration.name(),
                                status: reply.status,
                                detail: e.to_string(),
                            });
                        }
                    }
                }
                // Entra's answer for a tenant this host does not know (AADSTS90002).
                Ok(reply) if reply.status == 400 => not_known = true,
                Ok(reply) => {
                    failure.get_or_insert(SignInError::status(
                        Api::OpenIdConfiguration,
                        reply.status,
                        &reply.body,
                    ));
                }
                Err(e) => {
                    failure.get_or_insert(SignInError::Call(e));
                }
            }
        }
        Err(match failure {
            Some(failure) if !not_known => failure,
            _ => SignInError::Credential(format!(
                "the tenant {tenant:?} is not known to Microsoft Entra in any cloud (its OpenID configuration answered 400 on every login host asked); check the domain or tenant id"
            )),
        })
    }

    /// The tenant's OpenID configuration to record with the Graph answers: the one found
    /// before the sign-in, else (signed in to `organizations`) the token's tenant's.
    async fn openid_of(
        &self,
        prepared: &Prepared,
        token: &azure_core::credentials::Secret,
    ) -> (Api, Result<Option<String>, AnswerError>) {
        let api = Api::OpenIdConfiguration;
        if let Some(body) = &prepared.openid {
            return (api, Ok(Some(body.clone())));
        }
        let Some(tenant) = auth::token_tenant(token) else {
            return (api, Ok(None));
        };
        let path = api::authority_path(api, &tenant).unwrap_or_default();
        let url = prepared.endpoints.url(Host::Authority, &path);
        let deadline = Instant::now() + self.config.data_budget;
        let reply = self.http.send(api, deadline, |c| c.get(&url)).await;
        (api, json_answer(api, reply, false))
    }

    /// Whether the token comes from another tenant than the device's, decided once: from the
    /// token's `tid`, else from `/organization`; named with both tenants' names.
    async fn wrong_tenant(
        &self,
        prepared: &Prepared,
        token: &azure_core::credentials::Secret,
    ) -> Option<SignInError> {
        let expected = self.config.guarded_tenant()?;
        let tid = auth::token_tenant(token);
        if tid
            .as_ref()
            .is_some_and(|tid| tid.eq_ignore_ascii_case(&expected.id))
        {
            return None;
        }
        self.wrong_tenant
            .get_or_init(|| async {
                let organization = self.organization(prepared).await;
                let signed_in_id =
                    tid.or_else(|| organization.as_ref().map(|o| o.id.to_ascii_lowercase()))?;
                if signed_in_id.eq_ignore_ascii_case(&expected.id) {
                    return None;
                }
                let name = organization.map(|o| o.display_name);
                Some(wrong_tenant_error(expected, name.as_deref(), &signed_in_id))
            })
            .await
            .clone()
    }

    /// The signed-in tenant's `/organization`, read with the Graph token.
    async fn organization(&self, prepared: &Prepared) -> Option<graph::Organization> {
        let token = prepared.broker.token(Audience::Graph).await.ok()?;
        let reader = Reader {
            http: &self.http,
            endpoints: &prepared.endpoints,
            token: token.secret(),
            deadline: Instant::now() + self.config.data_budget,
            subject: None,
            operator: None,
        };
        let (api, body) = reader.graph(Api::Organization).await;
        let body = body.ok()??;
        graph::parse_organization(api.name(), &body).ok()
    }

    /// The Graph answers' `/organization` against the device's tenant.
    fn organization_mismatch(&self, answers: &CloudAnswers) -> Option<SignInError> {
        let expected = self.config.guarded_tenant()?;
        let file = Api::Organization.recorded_file()?;
        let organization = graph::parse_organization(file, &answers.files.text(file)?).ok()?;
        (!organization.id.eq_ignore_ascii_case(&expected.id)).then(|| {
            wrong_tenant_error(
                expected,
                Some(&organization.display_name),
                &organization.id.to_ascii_lowercase(),
            )
        })
    }
}

fn wrong_tenant_error(expected: &DeviceTenant, name: Option<&str>, id: &str) -> SignInError {
    let shown =
        |text: &str| crate::evidence::plain(&crate::evidence::secrets::strip_bearer_material(text));
    SignInError::WrongTenant {
        signed_in: shown(&describe_tenant(name, id)),
        signed_in_id: shown(id),
        device: shown(&expected.describe()),
        device_id: shown(&expected.id),
    }
}

/// A tenant id or domain (not `organizations`/`common`/`consumers`).
fn is_named_tenant(tenant: &str) -> bool {
    !matches!(
        tenant.to_ascii_lowercase().as_str(),
        "organizations" | "common" | "consumers"
    )
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

/// The data calls of one fact source, with the token of its audience.
struct Reader<'a> {
    http: &'a CloudHttp,
    endpoints: &'a Endpoints,
    token: &'a str,
    deadline: Instant,
    /// Whose data is read (`None`: the signed-in user's own, `/me`).
    subject: Option<&'a str>,
    /// Who signed in, as the token names them.
    operator: Option<&'a str>,
}

impl Reader<'_> {
    /// A Graph answer, every page of it (see [`paging`]).
    async fn graph(&self, api: Api) -> (Api, Result<Option<String>, AnswerError>) {
        let path = api.graph_path(self.subject).unwrap_or_default();
        (api, self.graph_pages(api, &path).await)
    }

    async fn graph_pages(&self, api: Api, path: &str) -> Result<Option<String>, AnswerError> {
        let base = self.endpoints.base(Host::Graph);
        let Some(first) = self
            .get_json(api, &self.endpoints.url(api.host(), path))
            .await?
        else {
            return Ok(None);
        };
        let (mut pages, mut next) = paging::Pages::start(api.name(), first, base)?;
        loop {
            match next {
                paging::Next::Done(body) => return Ok(Some(body)),
                paging::Next::Follow(url) => {
                    let page = self.get_json(api, &url).await?.unwrap_or_default();
                    next = pages.add(&page, base)?;
                }
            }
        }
    }

    /// The device object with the id `device_id` names; nothing when no id is known.
    async fn device(
        &self,
        device_id: DeviceIdLookup,
    ) -> (Api, Result<Option<String>, AnswerError>) {
        let Some(path) = device_id.await.as_deref().and_then(api::devices_path) else {
            return (Api::Devices, Ok(None));
        };
        (Api::Devices, self.graph_pages(Api::Devices, &path).await)
    }

    async fn roaming(&self) -> Result<Option<String>, AnswerError> {
        let url = self.endpoints.url(Host::Portal, api::ROAMING_SETTINGS_PATH);
        self.get_json(Api::RoamingSettings, &url).await
    }

    /// Service discovery as Microsoft's RMS SDK asks it: for the user's e-mail, with the
    /// platform header (AzureAD/rms-sdk-for-cpp `ServiceDiscoveryClient.cpp`,
    /// `RestHttpClient.cpp`; reference/real-tenant.md).
    async fn rms_discovery(&self) -> Result<Option<String>, AnswerError> {
        let mut url = self.endpoints.url(Host::Rms, api::RMS_DISCOVERY_PATH);
        if let Some(user) = self.subject.or(self.operator) {
            url = format!("{url}?email={}", api::encode_segment(user));
        }
        self.get_json(Api::RmsDiscovery, &url).await
    }

    /// `GET` a JSON answer at `url` with the bearer token (the portal also wants
    /// `X-Requested-With`).
    async fn get_json(&self, api: Api, url: &str) -> Result<Option<String>, AnswerError> {
        let bearer = format!("Bearer {}", self.token);
        let portal = api.host() == Host::Portal;
        let reply = self
            .http
            .send(api, self.deadline, |c| {
                let request = c
                    .get(url)
                    .header("Authorization", &bearer)
                    .header("Accept", "application/json");
                match api.host() {
                    _ if portal => request.header("X-Requested-With", "XMLHttpRequest"),
                    Host::Rms => request.header("x-ms-rms-platform-id", rms_platform_id()),
                    _ => request,
                }
            })
            .await;
        // RMS tells its state (NotSignedUpException, ...) in error bodies; those are answers.
        json_answer(api, reply, api == Api::RmsDiscovery)
    }

    /// The admin view: the service locator names the admin URL, which answers the
    /// FunctionalState, the onboarding control policy and the configuration (IPCv3Service).
    /// A failing locator is recorded once, against FunctionalState.
    async fn rms_admin(&self) -> Vec<(Api, Result<Option<String>, AnswerError>)> {
        let admin_url = match self.rms_admin_url().await {
            Ok(url) => url,
            Err(e) => return vec![(Api::RmsFunctionalState, Err(e))],
        };
        let (state, onboarding, configuration) = tokio::join!(
            self.rms_admin_get(Api::RmsFunctionalState, &admin_url, "FunctionalState"),
            self.rms_admin_get(
                Api::RmsOnboardingPolicy,
                &admin_url,
                "OnboardingControlPolicy"
            ),
            self.rms_admin_get(Api::RmsConfiguration, &admin_url, "Configuration"),
        );
        vec![
            (Api::RmsFunctionalState, state),
            (Api::RmsOnboardingPolicy, onboarding),
            (Api::RmsConfiguration, configuration),
        ]
    }

    async fn rms_admin_url(&self) -> Result<String, AnswerError> {
        let url = self
            .endpoints
            .url(Host::RmsDiscovery, api::RMS_LOCATOR_PATH);
        let msoid = format!("MSOID {}", self.token);
        let reply = self
            .http
            .send(Api::RmsServiceLocator, self.deadline, |c| {
                c.post(&url)
                    .header("Authorization", &msoid)
                    .header("Content-Type", "text/xml; charset=utf-8")
                    .body(LOCATOR_REQUEST)
            })
            .await;
        let reply = reply.map_err(|e| call_failure(Api::RmsServiceLocator, &e))?;
        if !reply.is_success() {
            return Err(status_failure(Api::RmsServiceLocator, &reply));
        }
        let admin_url = locator_url(&reply.body).ok_or_else(|| AnswerError::Http {
            endpoint: Api::RmsServiceLocator.name().to_owned(),
            status: Some(reply.status),
            detail: "the answer names no admin service URL".into(),
        })?;
        self.endpoints
            .rms_admin_url(&admin_url)
            .map_err(|detail| AnswerError::Http {
                endpoint: Api::RmsServiceLocator.name().to_owned(),
                status: Some(reply.status),
                detail,
            })
    }

    async fn rms_admin_get(
        &self,
        api: Api,
        admin_url: &str,
        leaf: &str,
    ) -> Result<Option<String>, AnswerError> {
        let url = format!("{admin_url}/{leaf}");
        let msoid = format!("MSOID {}", self.token);
        let reply = self
            .http
            .send(api, self.deadline, |c| {
                c.get(&url)
                    .header("Authorization", &msoid)
                    .header("Accept", "application/json")
            })
            .await;
        json_answer(api, reply, false)
    }
}

/// The `x-ms-rms-platform-id` header, in the `Key=Value;` form Microsoft's clients send.
fn rms_platform_id() -> String {
    let platform = if cfg!(windows) {
        "Windows"
    } else if cfg!(target_os = "macos") {
        "Mac"
    } else {
        "Linux"
    };
    format!(
        "AppName=esr-doctor;AppVersion={};DevicePlatform={platform};",
        env!("CARGO_PKG_VERSION")
    )
}

/// The SOAP request for the admin service's URL (what the AIPService module sends).
const LOCATOR_REQUEST: &str = concat!(
    r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>"#,
    r#"<FindServiceLocationsForUser xmlns="http://microsoft.com/DRM/ServiceLocatorService"><ServiceNames><ServiceLocationRequest><Type>AdminV2Service</Type></ServiceLocationRequest></ServiceNames></FindServiceLocationsForUser>"#,
    r#"</soap:Body></soap:Envelope>"#
);

/// `//ServiceLocationResponse/Url` of the locator's SOAP answer.
fn locator_url(xml: &str) -> Option<String> {
    let document = roxmltree::Document::parse(xml).ok()?;
    document
        .descendants()
        .filter(|n| n.has_tag_name("ServiceLocationResponse"))
        .flat_map(|n| n.children())
        .find(|n| n.has_tag_name("Url"))
        .and_then(|n| n.text())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// Turns a reply into an answer body or a failure that names the endpoint and status.
/// `service_errors_are_answers`: RMS reports its state (`NotSignedUpException`, ...) as a 4xx/5xx
/// with a `{"Code": ...}` body; that body is the answer.
fn json_answer(
    api: Api,
    reply: Result<Reply, super::http::CallError>,
    service_errors_are_answers: bool,
) -> Result<Option<String>, AnswerError> {
    let reply = reply.map_err(|e| call_failure(api, &e))?;
    let json: Option<serde_json::Value> = serde_json::from_str(&reply.body).ok();
    if reply.is_success() {
        return match json {
            Some(_) => Ok(Some(reply.body)),
            None => Err(AnswerError::Http {
                endpoint: api.name().to_owned(),
                status: Some(reply.status),
                detail: format!("the answer is not JSON: {}", auth::excerpt(&reply.body)),
            }),
        };
    }
    let is_rms_exception = json
        .as_ref()
        .and_then(|v| v.get("Code"))
        .and_then(serde_json::Value::as_str)
        .is_some_and(|code| code.ends_with("Exception"));
    if service_errors_are_answers && is_rms_exception && !matches!(reply.status, 401 | 403) {
        return Ok(Some(reply.body));
    }
    Err(status_failure(api, &reply))
}

fn status_failure(api: Api, reply: &Reply) -> AnswerError {
    let service = crate::facts::tenant::parse_answer(api.name(), &reply.body)
        .err()
        .and_then(|e| match e {
            AnswerError::Service { code, message, .. } => Some(format!(
                "{code}: {}",
                crate::evidence::secrets::strip_bearer_material(&message)
            )),
            _ => None,
        });
    let detail = match reply.status {
        401 | 403 => format!(
            "{}{}",
            api.needs(),
            service.map(|s| format!(" ({s})")).unwrap_or_default()
        ),
        _ => service.unwrap_or_else(|| auth::excerpt(&reply.body)),
    };
    AnswerError::Http {
        endpoint: api.name().to_owned(),
        status: Some(reply.status),
        detail: format!("{detail} [client-request-id {}]", reply.client_request_id),
    }
}

fn call_failure(api: Api, error: &super::http::CallError) -> AnswerError {
    AnswerError::Http {
        endpoint: api.name().to_owned(),
        status: None,
        detail: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locator_answer_names_the_admin_url() {
        let xml = r#"<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><FindServiceLocationsForUserResponse xmlns="http://microsoft.com/DRM/ServiceLocatorService"><FindServiceLocationsForUserResult><ServiceLocationResponse><Type>AdminV2Service</Type><Url>https://admin.eu.aadrm.com/admin/v2</Url></ServiceLocationResponse></FindServiceLocationsForUserResult></FindServiceLocationsForUserResponse></soap:Body></soap:Envelope>"#;
        assert_eq!(
            locator_url(xml).as_deref(),
            Some("https://admin.eu.aadrm.com/admin/v2")
        );
        assert_eq!(locator_url("<a/>"), None);
        assert_eq!(locator_url("not xml"), None);
    }

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
