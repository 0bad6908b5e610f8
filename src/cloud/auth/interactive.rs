//! A person's sign-in, by browser or device code, and every token after it.
//!
//! The person signs in once per run, for the first audience (Graph); every other audience is
//! redeemed from the refresh token on its own, so a tenant that refuses one service (no Azure
//! RMS principal, no consent, MFA for that service) loses only the checks that need it. A
//! refresh token kept in the keyring from an earlier run spares the prompt altogether.

use super::browser::{self, BrowserOptions};
use super::device_code::{self, DeviceCodeOptions};
use super::entra::{SignInTarget, Transport};
use super::refusals::{self, RefusalKind};
use super::token_store::TokenStore;
use super::{PromptSink, SignInError, SignInEvent};
use crate::cloud::http::CloudHttp;
use crate::facts::tenant::Api;
use azure_core::credentials::{AccessToken, Secret};
use oauth2::basic::BasicTokenResponse;
use oauth2::{RefreshToken, Scope, TokenResponse};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{Mutex, OnceCell, watch};

/// How the person signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// The browser on this computer; with `fallback`, a device code when it cannot start.
    Browser {
        fallback: bool,
    },
    DeviceCode,
}

/// What one sign-in needs, shared by both flows.
pub struct Context {
    pub http: Arc<CloudHttp>,
    pub target: SignInTarget,
    pub prompt: PromptSink,
    pub cancel: watch::Receiver<bool>,
    pub device_code: DeviceCodeOptions,
    pub browser: BrowserOptions,
    /// A device code already asked for while the tenant's cloud was being found; the
    /// device-code flow shows it instead of asking again.
    pub head_start: std::sync::Mutex<Option<Result<device_code::DeviceAuthorization, SignInError>>>,
}

/// What the sign-in did while the tenant's cloud was being found, in that same cloud: the
/// keyring was read (`stored`), and, with nothing stored, a device code asked for.
pub struct HeadStart {
    pub stored: Option<String>,
    pub code: Option<Result<device_code::DeviceAuthorization, SignInError>>,
}

impl Context {
    /// The deadline of one call to the sign-in service (retries included).
    pub fn deadline(&self) -> Instant {
        Instant::now() + self.device_code.call_budget
    }

    /// Waits `wait`, or fails at once when the person cancels.
    pub async fn wait_or_cancel(&self, wait: std::time::Duration) -> Result<(), SignInError> {
        tokio::select! {
            biased;
            () = self.cancelled() => Err(SignInError::Cancelled),
            () = tokio::time::sleep(wait) => Ok(()),
        }
    }

    /// Resolves when the person cancels the sign-in (never, if nobody does).
    pub async fn cancelled(&self) {
        let mut cancel = self.cancel.clone();
        if cancel.wait_for(|c| *c).await.is_err() {
            // The sender is gone: nobody can cancel any more.
            std::future::pending::<()>().await;
        }
    }

    /// The scopes of the interactive sign-in: the first audience's, a refresh token, and the
    /// signed-in user's name.
    pub fn sign_in_scopes(&self) -> Vec<Scope> {
        [
            self.target.first_scope.as_str(),
            "offline_access",
            "openid",
            "profile",
        ]
        .into_iter()
        .map(|s| Scope::new(s.to_owned()))
        .collect()
    }
}

/// The credential of a person's sign-in.
pub struct InteractiveCredential {
    context: Context,
    flow: Flow,
    store: TokenStore,
    refresh: Mutex<Option<Secret>>,
    loaded: OnceCell<()>,
    signed_in: OnceCell<Result<AccessToken, SignInError>>,
}

impl std::fmt::Debug for InteractiveCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InteractiveCredential")
            .field("tenant", &self.context.target.tenant)
            .field("client_id", &self.context.target.client_id)
            .field("flow", &self.flow)
            .finish_non_exhaustive()
    }
}

impl InteractiveCredential {
    /// The credential; a `head_start` spares it reading the keyring or asking for a code again.
    pub fn new(
        mut context: Context,
        flow: Flow,
        store: TokenStore,
        head_start: Option<HeadStart>,
    ) -> InteractiveCredential {
        let (loaded, refresh) = match head_start {
            Some(HeadStart { stored, code }) => {
                context.head_start = std::sync::Mutex::new(code);
                if let Some(token) = &stored {
                    crate::evidence::secrets::remember(token);
                }
                (OnceCell::new_with(Some(())), stored.map(Secret::new))
            }
            None => (OnceCell::new(), None),
        };
        InteractiveCredential {
            context,
            flow,
            store,
            refresh: Mutex::new(refresh),
            loaded,
            signed_in: OnceCell::new(),
        }
    }

    /// A token for `scope`: redeemed from a refresh token when one is held, else after the one
    /// interactive sign-in of this run.
    pub async fn token_for(&self, scope: &str) -> Result<AccessToken, SignInError> {
        self.loaded
            .get_or_init(|| async {
                if let Some(token) = self.store.load().await {
                    crate::evidence::secrets::remember(&token);
                    *self.refresh.lock().await = Some(Secret::new(token));
                }
            })
            .await;
        let held = self.refresh.lock().await.clone();
        if let Some(refresh) = held
            && self.signed_in.get().is_none()
        {
            match self.redeem(scope, &refresh).await {
                Err(e) if needs_new_sign_in(&e) => {
                    tracing::info!("the stored sign-in was refused ({e}); signing in anew");
                    let mut slot = self.refresh.lock().await;
                    if slot.as_ref().map(Secret::secret) == Some(refresh.secret()) {
                        *slot = None;
                        self.store.forget().await;
                    }
                }
                other => return other,
            }
        }
        let first = self
            .signed_in
            .get_or_init(|| async {
                let outcome = self.sign_in().await;
                let tenant = &self.context.target.tenant;
                match &outcome {
                    Ok(_) => tracing::info!(%tenant, "signed in"),
                    Err(e) => tracing::warn!(%tenant, "the sign-in ended: {e}"),
                }
                (self.context.prompt)(match &outcome {
                    Ok(_) => SignInEvent::SignedIn,
                    Err(e) => SignInEvent::Failed(e.to_string()),
                });
                outcome
            })
            .await
            .clone()?;
        if scope == self.context.target.first_scope {
            return Ok(first);
        }
        let refresh = self
            .refresh
            .lock()
            .await
            .clone()
            .ok_or(SignInError::NoRefreshToken)?;
        self.redeem(scope, &refresh).await
    }

    async fn sign_in(&self) -> Result<AccessToken, SignInError> {
        let answer = match self.flow {
            Flow::DeviceCode => device_code::sign_in(&self.context).await,
            Flow::Browser { fallback } => match browser::sign_in(&self.context, fallback).await {
                Err(SignInError::BrowserUnavailable(why)) if fallback => {
                    tracing::info!("the browser sign-in cannot start ({why}); using a device code");
                    device_code::sign_in(&self.context).await
                }
                other => other,
            },
        }?;
        self.accept(answer).await
    }

    /// Exchanges a refresh token for a token of `scope`.
    async fn redeem(&self, scope: &str, refresh: &Secret) -> Result<AccessToken, SignInError> {
        let client = self.context.target.client(None)?;
        let transport = Transport::new(&self.context.http, Api::Token, self.context.deadline());
        let refresh = RefreshToken::new(refresh.secret().to_owned());
        let answer = client
            .exchange_refresh_token(&refresh)
            .add_scope(Scope::new(scope.to_owned()))
            .add_scope(Scope::new("offline_access".to_owned()))
            .request_async(&transport)
            .await
            .map_err(|e| transport.error(e))?;
        self.accept(answer).await
    }

    /// Keeps the new refresh token (memory and keyring) and returns the access token.
    async fn accept(&self, answer: BasicTokenResponse) -> Result<AccessToken, SignInError> {
        let access = answer.access_token().secret().clone();
        crate::evidence::secrets::remember(&access);
        if let Some(refresh) = answer.refresh_token() {
            let refresh = refresh.secret().clone();
            crate::evidence::secrets::remember(&refresh);
            *self.refresh.lock().await = Some(Secret::new(refresh.clone()));
            self.store.save(refresh).await;
        }
        let lifetime = answer
            .expires_in()
            .and_then(|d| i64::try_from(d.as_secs()).ok())
            .unwrap_or(3600);
        let expires_on = azure_core::time::OffsetDateTime::now_utc()
            + azure_core::time::Duration::seconds(lifetime);
        Ok(AccessToken::new(access, expires_on))
    }
}

/// True when a stored refresh token's refusal is cured by signing in again: it expired or was
/// revoked, MFA is now asked for, or Entra calls it an invalid grant without saying more.
fn needs_new_sign_in(error: &SignInError) -> bool {
    match error {
        SignInError::Entra { code, .. } => refusals::find(*code)
            .is_some_and(|r| matches!(r.kind, RefusalKind::Expired | RefusalKind::Interaction)),
        SignInError::Refused { code, .. } => {
            matches!(code.as_str(), "invalid_grant" | "interaction_required")
        }
        _ => false,
    }
}
