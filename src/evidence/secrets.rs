//! The secrets this process holds (device codes, refresh and access tokens, a client secret),
//! remembered so that they can be scrubbed *by value* from anything a service says back.
//!
//! A service may echo a credential in an error body or description; shape-based stripping
//! finds JWTs but not an opaque refresh token or device code. Every path that turns service
//! text into an error, a log line or a recorded answer goes through
//! [`strip_bearer_material`], which scrubs these values too.

use regex::Regex;
use std::sync::{LazyLock, RwLock};

/// Shorter values are not secrets worth the false matches (and a user code is meant to be
/// shown).
const SHORTEST: usize = 12;

/// Every form a remembered secret may be echoed in: as it is, and form-encoded
/// (`refresh_token=a%2Fb`), longest first so that a secret containing another is replaced
/// whole.
static KNOWN: LazyLock<RwLock<Vec<String>>> = LazyLock::new(|| RwLock::new(Vec::new()));

/// Remembers `secret` for the rest of the process.
pub fn remember(secret: &str) {
    let secret = secret.trim();
    if secret.len() < SHORTEST {
        return;
    }
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    if let Ok(mut known) = KNOWN.write() {
        for form in [secret.to_owned(), encoded] {
            if !known.contains(&form) {
                known.push(form);
            }
        }
        known.sort_by_key(|k| std::cmp::Reverse(k.len()));
    }
}

/// `text` with every remembered secret replaced by `<secret>`.
pub fn scrub(text: &str) -> String {
    let Ok(known) = KNOWN.read() else {
        return text.to_owned();
    };
    let mut text = text.to_owned();
    for form in known.iter() {
        if text.contains(form.as_str()) {
            text = text.replace(form.as_str(), "<secret>");
        }
    }
    text
}

/// JWTs (`eyJ…` header.payload[.signature]) and `Bearer`/`MSOID` credentials.
static BEARER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:bearer|msoid)\s+[A-Za-z0-9._~+/=-]{8,}|eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?").ok()
});

/// Replaces bearer material anywhere in `text` with `<token>`, and every secret this process
/// holds with `<secret>`: service error messages and error pages can echo a credential, and
/// no face, log or bundle may show one.
pub fn strip_bearer_material(text: &str) -> String {
    let text = scrub(text);
    match BEARER.as_ref() {
        Some(re) => re.replace_all(&text, "<token>").into_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_secrets_are_scrubbed_by_value_also_form_encoded() {
        remember("emurt-0123456789/abc+def");
        remember("short");
        assert_eq!(
            scrub(
                "invalid_grant for emurt-0123456789/abc+def (refresh_token=emurt-0123456789%2Fabc%2Bdef), code short"
            ),
            "invalid_grant for <secret> (refresh_token=<secret>), code short"
        );
    }
}
