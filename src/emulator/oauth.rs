//! The emulated sign-in: device codes that a "person" approves after a while (or declines, or
//! lets expire, or Conditional Access blocks), the browser flow's authorization codes with
//! PKCE verified as Entra does (`v2-oauth2-auth-code-flow.md`: S256, one redemption, the same
//! redirect), any AADSTS refusal at the poll, the code redemption or a refresh, tokens shaped
//! like Entra's JWTs, and refresh tokens redeemable for any audience. Every secret it mints is
//! remembered, with the request that minted it, so the request log can tell which call
//! depended on which.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How the emulated person answers a device code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInOutcome {
    Approve,
    Decline,
    /// The code runs out before anyone signs in.
    Expire,
    /// The first poll is told to slow down, then the sign-in is approved.
    SlowDownThenApprove,
    /// A Conditional Access policy blocks the device-code flow.
    ConditionalAccess,
    /// The service forgets the code.
    BadCode,
}

/// Where a refusal is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The device-code poll that would have been approved.
    Poll,
    /// The browser flow's code redemption.
    Redemption,
    /// A refresh-token redemption for a scope that contains `audience`.
    Refresh,
}

/// An AADSTS answer the emulated tenant gives instead of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: u32,
    pub stage: Stage,
    /// For [`Stage::Refresh`]: only scopes containing this (`aadrm`, `74658136`, `graph`).
    pub audience: Option<String>,
}

/// The sign-in behaviour of one emulated tenant.
#[derive(Debug, Clone)]
pub struct SignInBehaviour {
    pub outcome: SignInOutcome,
    /// Polls answered `authorization_pending` before the outcome.
    pub pending_polls: u32,
    /// The outcome comes no sooner than this after the code was issued.
    pub decide_after: Duration,
    /// `interval` in the device-code answer (seconds).
    pub interval_secs: u64,
    pub expires_in_secs: u64,
    /// The page the person is sent to; Entra's is `https://microsoft.com/devicelogin`
    /// (reference/microsoft-apis.md §3), anything else plays a service that is not Entra.
    pub verification_uri: String,
    /// Answered instead of a token where it applies.
    pub refusal: Option<Refusal>,
}

impl Default for SignInBehaviour {
    fn default() -> Self {
        SignInBehaviour {
            outcome: SignInOutcome::Approve,
            pending_polls: 0,
            decide_after: Duration::ZERO,
            interval_secs: 1,
            expires_in_secs: 900,
            verification_uri: "https://microsoft.com/devicelogin".into(),
            refusal: None,
        }
    }
}

/// A device code and the polls seen for it.
struct PendingCode {
    minted_by: u64,
    /// The scope the code was issued for; the approved sign-in's token has it.
    scope: String,
    issued: Instant,
    polls: u32,
}

/// An authorization code of the browser flow, as `/authorize` issued it.
struct IssuedCode {
    minted_by: u64,
    scope: String,
    redirect_uri: String,
    challenge: String,
    redeemed: bool,
}

/// A minted secret: which request minted it, and for whom.
#[derive(Debug, Clone)]
pub struct Minted {
    pub by_request: u64,
    /// The scope an access token was minted for (empty for refresh tokens).
    pub scope: String,
}

/// One `POST /token`: the request's number in the log, its form, how the tenant behaves and
/// whom the tokens name.
pub struct TokenRequest<'a> {
    pub request: u64,
    pub form: &'a HashMap<String, String>,
    pub behaviour: &'a SignInBehaviour,
    pub subject: &'a TokenSubject,
}

impl<'a> TokenRequest<'a> {
    /// A form field, empty when absent.
    fn field(&self, name: &str) -> &'a str {
        self.form.get(name).map_or("", String::as_str)
    }
}

/// The sign-in state of the emulator.
#[derive(Default)]
pub struct OAuthState {
    codes: HashMap<String, PendingCode>,
    authorization_codes: HashMap<String, IssuedCode>,
    access: HashMap<String, Minted>,
    refresh: HashMap<String, Minted>,
    counter: u64,
}

/// An OAuth answer: status and JSON body.
pub type OAuthReply = (u16, String);

impl OAuthState {
    /// `POST /devicecode`.
    pub fn issue_code(
        &mut self,
        request: u64,
        scopes: &str,
        behaviour: &SignInBehaviour,
    ) -> OAuthReply {
        let device_code = self.secret("dc");
        let user_code = self.user_code();
        self.codes.insert(
            device_code.clone(),
            PendingCode {
                minted_by: request,
                scope: first_scope(scopes),
                issued: Instant::now(),
                polls: 0,
            },
        );
        let body = json!({
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": behaviour.verification_uri,
            "expires_in": behaviour.expires_in_secs,
            "interval": behaviour.interval_secs,
            "message": format!("To sign in, use a web browser to open the page {} and enter the code {user_code} to authenticate.", behaviour.verification_uri),
        });
        (200, body.to_string())
    }

    /// `GET /authorize`: the emulated person signs in at once (or declines) and the browser is
    /// sent back to `redirect_uri` with a code, as Entra does (`v2-oauth2-auth-code-flow.md`).
    /// Returns the redirect's `Location`, or an error page's status and text.
    pub fn authorize(
        &mut self,
        request: u64,
        query: &HashMap<String, String>,
        behaviour: &SignInBehaviour,
    ) -> Result<String, (u16, String)> {
        let field = |k: &str| query.get(k).map_or("", String::as_str);
        let redirect = field("redirect_uri");
        // Entra accepts any port on http://localhost for public clients; anything else is a
        // reply address the client did not register (AADSTS50011, shown on Entra's page).
        let Some(mut back) = url::Url::parse(redirect).ok().filter(|u| {
            u.scheme() == "http" && matches!(u.host_str(), Some("localhost" | "127.0.0.1"))
        }) else {
            return Err((400, "AADSTS50011: The redirect URI specified in the request does not match the redirect URIs configured for the application.".into()));
        };
        if field("response_type") != "code" || field("code_challenge_method") != "S256" {
            return Err((400, "AADSTS900144: The request must use response_type=code with an S256 code_challenge.".into()));
        }
        if behaviour.outcome == SignInOutcome::Decline {
            back.query_pairs_mut()
                .append_pair("error", "access_denied")
                .append_pair(
                    "error_description",
                    "AADSTS65004: User declined to consent to access the app.",
                )
                .append_pair("state", field("state"));
            return Ok(back.to_string());
        }
        let code = self.secret("ac");
        self.authorization_codes.insert(
            code.clone(),
            IssuedCode {
                minted_by: request,
                scope: first_scope(field("scope")),
                redirect_uri: redirect.to_owned(),
                challenge: field("code_challenge").to_owned(),
                redeemed: false,
            },
        );
        back.query_pairs_mut()
            .append_pair("code", &code)
            .append_pair("state", field("state"))
            .append_pair("session_state", "00000000-0000-0000-0000-000000000000");
        Ok(back.to_string())
    }

    /// `grant_type=authorization_code`: the code, its PKCE verifier and its redirect checked.
    fn redeem_code(&mut self, asked: &TokenRequest<'_>) -> (OAuthReply, Option<u64>) {
        let field = |k: &str| asked.field(k);
        let (request, behaviour, subject) = (asked.request, asked.behaviour, asked.subject);
        let Some(issued) = self.authorization_codes.get_mut(field("code")) else {
            return (
                oauth_error(
                    400,
                    "invalid_grant",
                    70000,
                    "AADSTS70000: The provided authorization code is invalid or has expired.",
                ),
                None,
            );
        };
        let minted_by = Some(issued.minted_by);
        if issued.redeemed {
            return (
                oauth_error(
                    400,
                    "invalid_grant",
                    54005,
                    "AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
                ),
                minted_by,
            );
        }
        issued.redeemed = true;
        if field("redirect_uri") != issued.redirect_uri {
            return (
                oauth_error(
                    400,
                    "invalid_grant",
                    70000,
                    "AADSTS70000: The redirect_uri does not match the one the authorization code was issued for.",
                ),
                minted_by,
            );
        }
        if pkce_s256(field("code_verifier")) != issued.challenge {
            return (
                oauth_error(
                    400,
                    "invalid_grant",
                    501481,
                    "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                ),
                minted_by,
            );
        }
        let scope = issued.scope.clone();
        if let Some(refused) = refusal_at(behaviour, Stage::Redemption, &scope) {
            return (refused, minted_by);
        }
        (self.tokens(request, &scope, subject), minted_by)
    }

    /// `POST /token`: a device-code poll or a refresh-token redemption. Returns the reply
    /// and the request the presented code or refresh token came from.
    pub fn token(&mut self, asked: &TokenRequest<'_>) -> (OAuthReply, Option<u64>) {
        let field = |k: &str| asked.field(k);
        let (request, behaviour, subject) = (asked.request, asked.behaviour, asked.subject);
        match field("grant_type") {
            "urn:ietf:params:oauth:grant-type:device_code" => {
                self.poll(request, field("device_code"), behaviour, subject)
            }
            "authorization_code" => self.redeem_code(asked),
            "refresh_token" => {
                let Some(minted) = self.refresh.get(field("refresh_token")).cloned() else {
                    return (
                        oauth_error(
                            400,
                            "invalid_grant",
                            9002313,
                            "AADSTS9002313: Invalid request. The refresh token is malformed or not valid.",
                        ),
                        None,
                    );
                };
                let scope = first_scope(field("scope"));
                if let Some(refused) = refusal_at(behaviour, Stage::Refresh, &scope) {
                    return (refused, Some(minted.by_request));
                }
                (
                    self.tokens(request, &scope, subject),
                    Some(minted.by_request),
                )
            }
            other => (
                oauth_error(
                    400,
                    "unsupported_grant_type",
                    70003,
                    &format!("AADSTS70003: The app requested an unsupported grant type '{other}'."),
                ),
                None,
            ),
        }
    }

    fn poll(
        &mut self,
        request: u64,
        device_code: &str,
        behaviour: &SignInBehaviour,
        subject: &TokenSubject,
    ) -> (OAuthReply, Option<u64>) {
        let Some(code) = self.codes.get_mut(device_code) else {
            return (
                oauth_error(
                    400,
                    "bad_verification_code",
                    70019,
                    "AADSTS70019: Verification code expired or not recognised.",
                ),
                None,
            );
        };
        code.polls += 1;
        let minted_by = Some(code.minted_by);
        let decided =
            code.polls > behaviour.pending_polls && code.issued.elapsed() >= behaviour.decide_after;
        let first_poll = code.polls == 1;
        let scope = code.scope.clone();
        if behaviour.outcome == SignInOutcome::SlowDownThenApprove && first_poll {
            return (
                oauth_error(400, "slow_down", 70016, "AADSTS70016: Polling too fast."),
                minted_by,
            );
        }
        if !decided {
            return (
                oauth_error(
                    400,
                    "authorization_pending",
                    70016,
                    "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                ),
                minted_by,
            );
        }
        let (error, code, description) = match behaviour.outcome {
            SignInOutcome::Approve | SignInOutcome::SlowDownThenApprove => {
                if let Some(refused) = refusal_at(behaviour, Stage::Poll, &scope) {
                    return (refused, minted_by);
                }
                self.codes.remove(device_code);
                return (self.tokens(request, &scope, subject), minted_by);
            }
            SignInOutcome::Decline => (
                "authorization_declined",
                70000,
                "AADSTS70000: The user declined the authorization request.",
            ),
            SignInOutcome::Expire => (
                "expired_token",
                70020,
                "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
            ),
            SignInOutcome::ConditionalAccess => (
                "invalid_grant",
                53003,
                "AADSTS53003: Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
            ),
            SignInOutcome::BadCode => (
                "bad_verification_code",
                70019,
                "AADSTS70019: Verification code expired or not recognised.",
            ),
        };
        (oauth_error(400, error, code, description), minted_by)
    }

    /// An access token for `scope` and a refresh token.
    fn tokens(&mut self, request: u64, scope: &str, subject: &TokenSubject) -> OAuthReply {
        let access = self.jwt(scope, subject);
        let refresh = self.secret("rt");
        self.access.insert(
            access.clone(),
            Minted {
                by_request: request,
                scope: scope.to_owned(),
            },
        );
        self.refresh.insert(
            refresh.clone(),
            Minted {
                by_request: request,
                scope: String::new(),
            },
        );
        let body = json!({
            "token_type": "Bearer",
            "scope": format!("{scope} offline_access"),
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": access,
            "refresh_token": refresh,
        });
        (200, body.to_string())
    }

    /// The access token presented in an `Authorization` header, if the emulator minted it.
    pub fn access_token(&self, header: &str) -> Option<&Minted> {
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("MSOID "))?;
        self.access.get(token.trim())
    }

    /// Every secret minted so far (device codes, access and refresh tokens).
    pub fn secrets(&self) -> Vec<String> {
        self.codes
            .keys()
            .chain(self.authorization_codes.keys())
            .chain(self.access.keys())
            .chain(self.refresh.keys())
            .cloned()
            .collect()
    }

    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// An opaque secret that cannot be mistaken for anything else.
    fn secret(&mut self, kind: &str) -> String {
        let n = self.next();
        let random = uuid::Uuid::new_v4().simple().to_string();
        format!("emu{kind}{n}x{random}")
    }

    fn user_code(&mut self) -> String {
        let n = self.next();
        let random = uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .to_ascii_uppercase();
        format!("{}{n}", &random[..7])
    }

    /// A token shaped like Entra's (header.payload.signature); not signed by anything real.
    fn jwt(&mut self, scope: &str, subject: &TokenSubject) -> String {
        let jti = self.secret("at");
        let audience = scope.trim_end_matches("/.default");
        let now = chrono::Utc::now().timestamp();
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"RS256","kid":"emulator"}"#);
        let claims = json!({
            "aud": audience, "iss": format!("https://sts.windows.net/{}/", subject.tenant_id),
            "iat": now, "nbf": now, "exp": now + 3599,
            "tid": subject.tenant_id, "upn": subject.upn, "preferred_username": subject.upn,
            "scp": "user_impersonation", "jti": jti,
        });
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signature = URL_SAFE_NO_PAD.encode(jti.as_bytes());
        format!("{header}.{payload}.{signature}")
    }
}

/// Whom tokens are minted for.
#[derive(Debug, Clone)]
pub struct TokenSubject {
    pub tenant_id: String,
    pub upn: String,
}

/// The first scope of a space-separated list, without `offline_access` and friends.
pub fn first_scope(scopes: &str) -> String {
    scopes
        .split_whitespace()
        .find(|s| !["offline_access", "openid", "profile", "email"].contains(s))
        .unwrap_or("")
        .to_owned()
}

/// RFC 7636 §4.2: BASE64URL(SHA256(verifier)), the challenge an S256 verifier must match.
fn pkce_s256(verifier: &str) -> String {
    use sha2::Digest;
    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// The refusal `behaviour` gives at `stage` for `scope`, as Entra words it: the OAuth error
/// code Entra pairs with each AADSTS number (`invalid_grant` for policy, MFA and expiry,
/// `invalid_resource` for a missing service principal, `unauthorized_client` for an unknown
/// client, `invalid_request` for an unknown tenant or another tenant's user).
fn refusal_at(behaviour: &SignInBehaviour, stage: Stage, scope: &str) -> Option<OAuthReply> {
    let refusal = behaviour
        .refusal
        .as_ref()
        .filter(|r| r.stage == stage && r.audience.as_deref().is_none_or(|a| scope.contains(a)))?;
    let error = match refusal.code {
        500011 => "invalid_resource",
        700016 => "unauthorized_client",
        90002 | 50020 => "invalid_request",
        _ => "invalid_grant",
    };
    let name = crate::cloud::auth::refusals::find(refusal.code).map_or("Refused", |r| r.name);
    Some(oauth_error(
        400,
        error,
        i64::from(refusal.code),
        &format!("AADSTS{}: {name} (emulated).", refusal.code),
    ))
}

fn oauth_error(status: u16, error: &str, code: i64, description: &str) -> OAuthReply {
    let body = json!({
        "error": error,
        "error_description": format!("{description}\r\nTrace ID: 00000000-0000-0000-0000-000000000000\r\nTimestamp: 2026-11-22 10:00:00Z"),
        "error_codes": [code],
        "timestamp": "2026-11-22 10:00:00Z",
        "trace_id": "00000000-0000-0000-0000-000000000000",
        "correlation_id": "00000000-0000-0000-0000-000000000000",
    });
    (status, body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const REDIRECT: &str = "http://localhost:50123";
    /// A verifier and its S256 challenge, computed apart from this code (Python's hashlib
    /// and base64.urlsafe_b64encode without padding).
    const VERIFIER: &str = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "ngF5GsXcbwljx6u133FFr3Xht9xooA_DuaX_3QwODtc";

    fn subject() -> TokenSubject {
        TokenSubject {
            tenant_id: "t".into(),
            upn: "ann@fabrikam.com".into(),
        }
    }

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// `/authorize` → the code in the redirect.
    fn issue(state: &mut OAuthState) -> String {
        let query = form(&[
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            (
                "scope",
                "https://graph.microsoft.com/.default offline_access",
            ),
            ("state", "s1"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]);
        let location = state
            .authorize(1, &query, &SignInBehaviour::default())
            .unwrap_or_else(|e| panic!("{e:?}"));
        let back = url::Url::parse(&location).unwrap_or_else(|e| panic!("{e}"));
        assert!(location.starts_with(REDIRECT), "{location}");
        let pairs: HashMap<String, String> = back.query_pairs().into_owned().collect();
        assert_eq!(pairs["state"], "s1");
        pairs["code"].clone()
    }

    fn redeem(state: &mut OAuthState, code: &str, verifier: &str, redirect: &str) -> OAuthReply {
        let form = form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier),
            ("redirect_uri", redirect),
        ]);
        state
            .token(&TokenRequest {
                request: 2,
                form: &form,
                behaviour: &SignInBehaviour::default(),
                subject: &subject(),
            })
            .0
    }

    #[test]
    fn s256_is_base64url_of_sha256() {
        assert_eq!(pkce_s256(VERIFIER), CHALLENGE);
    }

    #[test]
    fn a_code_is_redeemed_once_with_its_verifier_and_its_redirect() {
        let mut state = OAuthState::default();
        let code = issue(&mut state);
        let (status, body) = redeem(&mut state, &code, VERIFIER, REDIRECT);
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("refresh_token"));
        let (status, body) = redeem(&mut state, &code, VERIFIER, REDIRECT);
        assert!(status == 400 && body.contains("54005"), "a replay: {body}");
    }

    #[test]
    fn a_wrong_verifier_or_redirect_is_an_invalid_grant() {
        let mut state = OAuthState::default();
        let code = issue(&mut state);
        let (status, body) = redeem(&mut state, &code, "another-verifier", REDIRECT);
        assert!(
            status == 400 && body.contains("invalid_grant") && body.contains("501481"),
            "{body}"
        );
        let code = issue(&mut state);
        let (status, body) = redeem(&mut state, &code, VERIFIER, "http://localhost:9");
        assert!(status == 400 && body.contains("invalid_grant"), "{body}");
        let (status, body) = redeem(&mut state, "never-issued", VERIFIER, REDIRECT);
        assert!(status == 400 && body.contains("invalid_grant"), "{body}");
    }

    #[test]
    fn only_loopback_redirects_and_s256_are_accepted() {
        let mut state = OAuthState::default();
        for (redirect, method) in [("https://evil.example/cb", "S256"), (REDIRECT, "plain")] {
            let query = form(&[
                ("response_type", "code"),
                ("redirect_uri", redirect),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", method),
            ]);
            assert!(
                state
                    .authorize(1, &query, &SignInBehaviour::default())
                    .is_err(),
                "{redirect} {method}"
            );
        }
    }
}
