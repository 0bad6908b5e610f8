//! Signing the session in, once: the tenant's cloud found beside the sign-in's first step, the
//! credential set up for the flow `--auth` chose, and a token broker per audience.

use super::*;

impl CloudSession {
    /// Finds the tenant's cloud (when a tenant is named) and sets up the credential, once. The
    /// cloud is looked up beside the sign-in's first step, not before it: a device code is
    /// asked for in the global cloud at the same time, and shown only if that is the tenant's.
    pub(super) async fn prepare(&self) -> Result<Arc<Prepared>, SignInError> {
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
    pub(super) fn flow(&self) -> Option<Flow> {
        match self.config.auth {
            AuthMode::Browser => Some(Flow::Browser { fallback: false }),
            AuthMode::Auto if self.config.desktop_session => Some(Flow::Browser { fallback: true }),
            AuthMode::Auto | AuthMode::DeviceCode => Some(Flow::DeviceCode),
            AuthMode::AzureCli | AuthMode::App | AuthMode::None => None,
        }
    }

    pub(super) fn token_store(&self, endpoints: &Endpoints, tenant: &str) -> TokenStore {
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

    pub(super) fn context(&self, endpoints: &Endpoints, tenant: &str) -> Context {
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
    pub(super) async fn head_start(
        &self,
        endpoints: &Endpoints,
        tenant: &str,
    ) -> Option<HeadStart> {
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

    pub(super) fn broker(
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
            (AuthMode::App, _) => match self
                .http
                .client(Api::Token)
                .map_err(SignInError::Call)
                .and_then(|client| auth::app_from_env(client.clone(), endpoints))
            {
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
}
