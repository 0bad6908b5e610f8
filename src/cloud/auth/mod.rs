//! Who signs in, and how: `--auth auto|browser|device-code|azure-cli|app|none`.
//!
//! The broker hands out one access token per audience (Graph, the portal's ESR API, Azure RMS)
//! and asks for each at most once per run. A person signs in once, in the browser or with a
//! device code; the other audiences are redeemed from the refresh token, each on its own. The
//! Azure CLI and app credentials come from azure_identity and use the same HTTP client as
//! every other call.

pub mod browser;
pub mod device_code;
pub mod entra;
pub mod interactive;
pub mod refusals;
pub mod token_store;

use crate::cloud::endpoints::{Audience, Endpoints, Host};
use crate::cloud::http::CallError;
use crate::evidence::Cloud;
use crate::facts::tenant::Api;
use azure_core::credentials::{Secret, TokenCredential};
pub use browser::BrowserPrompt;
use interactive::InteractiveCredential;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// The public client esr-doctor signs in as unless `--client-id` says otherwise: Microsoft
/// Azure PowerShell, which the portal's ESR API and Azure RMS both accept
/// (reference/microsoft-apis.md §1.2).
pub const DEFAULT_CLIENT_ID: &str = "1950a258-227b-4e31-a9cf-717495945fc2";

/// `--auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMode {
    /// The browser where this computer has a desktop session, else a device code (the
    /// default when someone is at the terminal).
    Auto,
    /// Sign in in the browser on this computer (authorization code with PKCE).
    Browser,
    /// Show a code to enter at the sign-in page on any device.
    DeviceCode,
    /// Use the Azure CLI's sign-in (`az login`).
    AzureCli,
    /// An app registration: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET.
    App,
    /// No sign-in: the tenant checks are skipped.
    None,
}

impl AuthMode {
    /// True for the modes where a person signs in (browser or device code), whose refresh
    /// token esr-doctor keeps.
    pub fn is_interactive(self) -> bool {
        matches!(
            self,
            AuthMode::Auto | AuthMode::Browser | AuthMode::DeviceCode
        )
    }
}

/// What a device-code sign-in shows the person.
#[derive(Debug, Clone, PartialEq)]
pub struct SignInPrompt {
    pub user_code: String,
    pub verification_uri: String,
    pub expires_at: Instant,
    /// The service's own sentence ("To sign in, use a web browser to open ...").
    pub message: String,
    /// Set when the code has been pending for minutes: a policy may be blocking it.
    pub notice: Option<String>,
}

/// The progress of a sign-in, for whoever shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum SignInEvent {
    /// A code to enter at the sign-in page (again with a notice when it stays pending).
    Code(SignInPrompt),
    /// The sign-in page is open (or to be opened) in the browser on this computer.
    Browser(BrowserPrompt),
    /// The sign-in succeeded; tokens are in.
    SignedIn,
    /// The sign-in ended without a token; the words say why.
    Failed(String),
}

/// Receives sign-in progress (the wizard's pane, or stderr for `check`).
pub type PromptSink = Arc<dyn Fn(SignInEvent) + Send + Sync>;

/// Why no token could be had.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SignInError {
    #[error("the sign-in was declined on the sign-in page")]
    Declined,
    #[error(
        "the sign-in code expired before anyone signed in with it; run again and enter the code in time (if it was entered, a policy may be blocking device codes silently: use --auth browser)"
    )]
    Expired,
    #[error(
        "the sign-in service no longer knows this code (bad_verification_code); run again for a new one"
    )]
    BadCode,
    /// An AADSTS answer esr-doctor names (see [`refusals`]).
    #[error("{}", refusals::find(*code).map_or_else(|| format!("AADSTS{code}: {description}"), refusals::Refusal::message))]
    Entra { code: u32, description: String },
    #[error("the browser sign-in cannot start: {0}")]
    BrowserUnavailable(String),
    #[error(
        "the browser did not come back within {0} s; finish the sign-in in the browser on this computer, or run again with --auth device-code"
    )]
    BrowserTimeout(u64),
    #[error("the sign-in was cancelled")]
    Cancelled,
    #[error("{api} refused the sign-in: {code} (HTTP {status}): {description}")]
    Refused {
        api: &'static str,
        status: u16,
        code: String,
        description: String,
    },
    #[error("{api} answered HTTP {status}: {excerpt}")]
    Status {
        api: &'static str,
        status: u16,
        excerpt: String,
    },
    #[error("{api}: HTTP {status}: the answer is not what the sign-in protocol returns ({detail})")]
    Malformed {
        api: &'static str,
        status: u16,
        detail: String,
    },
    #[error("{0}")]
    Call(#[from] CallError),
    #[error("the sign-in gave no refresh token for the other services; sign in again")]
    NoRefreshToken,
    #[error("{0}")]
    Credential(String),
    #[error("no sign-in was requested (--auth none)")]
    NotRequested,
    /// The sign-in reached another tenant than the device's: nothing is read from it.
    #[error(
        "signed in to the tenant {signed_in}, but this device belongs to {device}; no tenant check reads another tenant. Sign in with an account of the device's tenant, or run again with --tenant {device_id} (or --tenant {signed_in_id} to read the signed-in tenant on purpose)"
    )]
    WrongTenant {
        signed_in: String,
        signed_in_id: String,
        device: String,
        device_id: String,
    },
}

impl SignInError {
    /// A non-success HTTP answer, with a short, token-free excerpt of its body.
    pub fn status(api: Api, status: u16, body: &str) -> SignInError {
        SignInError::Status {
            api: api.name(),
            status,
            excerpt: excerpt(body),
        }
    }

    /// True when a person or a policy ended the sign-in (the tenant checks are then skipped
    /// for want of a sign-in), false when a service or the network failed (an error).
    pub fn is_refusal(&self) -> bool {
        match self {
            SignInError::Declined
            | SignInError::Expired
            | SignInError::BadCode
            | SignInError::Entra { .. }
            | SignInError::BrowserUnavailable(_)
            | SignInError::BrowserTimeout(_)
            | SignInError::Cancelled
            | SignInError::Refused { .. }
            | SignInError::NoRefreshToken
            | SignInError::Credential(_)
            | SignInError::NotRequested
            | SignInError::WrongTenant { .. } => true,
            SignInError::Status { status, .. } => matches!(status, 401 | 403),
            SignInError::Malformed { .. } | SignInError::Call(_) => false,
        }
    }
}

/// The first line of a body, tags and bearer material removed, at most 120 characters: enough
/// to recognise an error page, never enough to carry a secret.
pub fn excerpt(body: &str) -> String {
    let without_tags = strip_tags(body);
    let words: Vec<&str> = without_tags.split_whitespace().collect();
    let joined = words.join(" ");
    let cleaned = crate::evidence::secrets::strip_bearer_material(&joined);
    let mut shown: String = cleaned.chars().take(120).collect();
    if cleaned.chars().count() > 120 {
        shown.push('…');
    }
    if shown.is_empty() {
        "(empty body)".into()
    } else {
        shown
    }
}

/// The text of an HTML page (tags become spaces, control characters too), from its first 4 KiB.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4096));
    let mut in_tag = false;
    for c in text.chars().take(4096) {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(if c.is_control() { ' ' } else { c }),
            _ => {}
        }
    }
    out
}

/// True when this computer has a desktop session a browser can open in: Windows and macOS
/// (outside SSH), or Linux and the BSDs with an X11 or Wayland display (outside SSH).
pub fn has_desktop_session(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    let set = |name: &str| var(name).is_some_and(|v| !v.is_empty());
    if set("SSH_CONNECTION") || set("SSH_CLIENT") || set("SSH_TTY") {
        return false;
    }
    cfg!(any(windows, target_os = "macos")) || set("DISPLAY") || set("WAYLAND_DISPLAY")
}

/// A token's claims, read without checking the signature: they only say whose view the
/// answers are and which tenant issued it (`None` for a token that is not a JWT).
fn token_claims(token: &Secret) -> Option<serde_json::Value> {
    use base64::Engine;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const URL_SAFE_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let payload = token.secret().split('.').nth(1)?;
    let bytes = URL_SAFE_ANY_PADDING.decode(payload).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Who a token was issued to (`upn`, else `preferred_username`).
pub fn token_user(token: &Secret) -> Option<String> {
    let claims = token_claims(token)?;
    ["upn", "preferred_username", "unique_name"]
        .iter()
        .find_map(|key| claims.get(*key)?.as_str())
        .map(str::to_owned)
}

/// The tenant a token was issued in (`tid`).
pub fn token_tenant(token: &Secret) -> Option<String> {
    token_claims(token)?
        .get("tid")?
        .as_str()
        .map(str::to_ascii_lowercase)
}

/// Where the tokens come from.
enum Source {
    Interactive(Arc<InteractiveCredential>),
    /// An azure_identity credential, and how long one token may take (its own retries would
    /// otherwise wait minutes on an unreachable authority).
    Azure(Arc<dyn TokenCredential>, Duration),
    /// The credential could not be set up; every request says why.
    Failed(SignInError),
}

/// One access token per audience, each asked for at most once.
pub struct TokenBroker {
    source: Source,
    /// The scope of each audience, in `Audience::ALL`'s order.
    scopes: [&'static str; 3],
    tokens: [OnceCell<Result<Secret, SignInError>>; 3],
}

impl std::fmt::Debug for TokenBroker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenBroker")
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl TokenBroker {
    /// Tokens from a person's sign-in (browser or device code).
    pub fn interactive(credential: Arc<InteractiveCredential>, endpoints: &Endpoints) -> Self {
        TokenBroker::with(Source::Interactive(credential), endpoints.scopes())
    }

    /// Tokens from an azure_identity credential, each within `budget`.
    pub fn azure(
        credential: Arc<dyn TokenCredential>,
        endpoints: &Endpoints,
        budget: Duration,
    ) -> Self {
        TokenBroker::with(Source::Azure(credential, budget), endpoints.scopes())
    }

    /// `--auth none`: every token request says so.
    pub fn none() -> Self {
        TokenBroker::failed(SignInError::NotRequested)
    }

    /// A credential that could not be set up.
    pub fn failed(error: SignInError) -> Self {
        TokenBroker::with(Source::Failed(error), [""; 3])
    }

    fn with(source: Source, scopes: [&'static str; 3]) -> Self {
        TokenBroker {
            source,
            scopes,
            tokens: Default::default(),
        }
    }

    /// True when a token could not be had (a later run may sign in anew).
    pub fn has_failed(&self) -> bool {
        self.tokens.iter().any(|t| matches!(t.get(), Some(Err(_))))
    }

    /// The access token for `audience` (signing in on the first call).
    pub async fn token(&self, audience: Audience) -> Result<Secret, SignInError> {
        let index = Audience::ALL
            .iter()
            .position(|a| *a == audience)
            .unwrap_or(0);
        let scope = self.scopes[index];
        self.tokens[index]
            .get_or_init(|| async {
                match &self.source {
                    Source::Interactive(credential) => {
                        credential.token_for(scope).await.map(|t| t.token)
                    }
                    Source::Azure(credential, budget) => {
                        match tokio::time::timeout(*budget, credential.get_token(&[scope], None))
                            .await
                        {
                            Ok(answer) => answer.map(|t| t.token).map_err(|e| {
                                SignInError::Credential(
                                    crate::evidence::secrets::strip_bearer_material(&e.to_string()),
                                )
                            }),
                            Err(_) => Err(SignInError::Credential(format!(
                                "no token within {} s",
                                budget.as_secs()
                            ))),
                        }
                    }
                    Source::Failed(error) => Err(error.clone()),
                }
                .inspect(|token| crate::evidence::secrets::remember(token.secret()))
            })
            .await
            .clone()
    }
}

/// `--auth azure-cli`: the Azure CLI's own sign-in (it must be installed and signed in).
pub fn azure_cli(tenant: Option<&str>) -> Result<Arc<dyn TokenCredential>, SignInError> {
    let options = azure_identity::AzureCliCredentialOptions {
        tenant_id: tenant
            .filter(|t| *t != "organizations" && *t != "common")
            .map(str::to_owned),
        ..Default::default()
    };
    azure_identity::AzureCliCredential::new(Some(options))
        .map(|c| c as Arc<dyn TokenCredential>)
        .map_err(|e| SignInError::Credential(format!("the Azure CLI cannot be used: {e}")))
}

/// `--auth app`: a client secret from `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`,
/// sent through esr-doctor's own HTTP client.
pub fn app_from_env(
    client: reqwest::Client,
    endpoints: &Endpoints,
) -> Result<Arc<dyn TokenCredential>, SignInError> {
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| {
                SignInError::Credential(format!(
                    "--auth app needs {name} (with AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET set)"
                ))
            })
    };
    let tenant = var("AZURE_TENANT_ID")?;
    let client_id = var("AZURE_CLIENT_ID")?;
    let secret = var("AZURE_CLIENT_SECRET")?;
    crate::evidence::secrets::remember(&secret);
    let mut options = azure_identity::ClientSecretCredentialOptions::default();
    options.client_options.transport = Some(azure_core::http::Transport::new(Arc::new(client)));
    // The authority override is honoured as for every other sign-in (azure_identity takes
    // https only, and says so).
    let cloud = if endpoints.is_overridden(Host::Authority) {
        let mut custom = azure_core::cloud::CustomConfiguration::default();
        custom.authority_host = endpoints.base(Host::Authority).to_owned();
        custom.into()
    } else {
        match endpoints.cloud {
            Cloud::Global => azure_core::cloud::CloudConfiguration::AzurePublic,
            Cloud::UsGov => azure_core::cloud::CloudConfiguration::AzureGovernment,
            Cloud::China => azure_core::cloud::CloudConfiguration::AzureChina,
        }
    };
    options.client_options.cloud = Some(Arc::new(cloud));
    azure_identity::ClientSecretCredential::new(
        &tenant,
        client_id,
        Secret::new(secret),
        Some(options),
    )
    .map(|c| c as Arc<dyn TokenCredential>)
    .map_err(|e| SignInError::Credential(format!("the app credential cannot be used: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_tag_free_and_carry_no_tokens() {
        let page =
            "<html><head><title>502 Bad Gateway</title></head><body>\n<h1>Bad</h1></body></html>";
        assert_eq!(excerpt(page), "502 Bad Gateway Bad");
        let leaky = "error eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl more";
        assert!(!excerpt(leaky).contains("eyJ"), "{}", excerpt(leaky));
        assert_eq!(excerpt(""), "(empty body)");
        assert!(excerpt(&"x".repeat(500)).chars().count() <= 121);
    }

    #[test]
    fn the_token_names_its_user() {
        use base64::Engine;
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"aud":"x","upn":"ann@fabrikam.com"}"#);
        let token = Secret::new(format!("eyJhbGciOiJub25lIn0.{claims}.sig"));
        assert_eq!(token_user(&token).as_deref(), Some("ann@fabrikam.com"));
        assert_eq!(token_user(&Secret::new("opaque")), None);
        assert_eq!(token_user(&Secret::new("a.!!!.c")), None);
    }

    #[test]
    fn refusals_are_told_apart_from_failures() {
        assert!(SignInError::Declined.is_refusal());
        assert!(
            SignInError::Entra {
                code: 53003,
                description: String::new()
            }
            .is_refusal()
        );
        assert!(SignInError::status(Api::Token, 403, "").is_refusal());
        assert!(!SignInError::status(Api::Token, 500, "").is_refusal());
        assert!(
            !SignInError::Call(CallError::Timeout {
                api: "token",
                ms: 5
            })
            .is_refusal()
        );
    }
}
