//! Identifiers recognised by their shape, wherever they appear (also inside service error
//! messages and free text): UPNs (guest `#EXT#` and non-ASCII local parts too), SIDs of
//! accounts, GUIDs, certificate thumbprints, MAC, IPv4 (but not version numbers) and IPv6
//! addresses, `DOMAIN\user` accounts, and bearer material.

use super::fields::Kind;
use regex::Regex;
use std::sync::LazyLock;

/// GUIDs that identify no one and explain a lot (the personal-account tenant, the Entra WAM
/// provider, the Azure Information Protection app a Conditional Access policy names, the
/// Global Administrator role template), so they stay readable and keep their meaning.
pub const WELL_KNOWN: [&str; 4] = [
    "9188040d-6c67-4c5b-b112-36a304b66dad",
    "b16898c6-a148-4967-9171-64d755da8520",
    crate::facts::tenant::conditional_access::AIP_APP_ID,
    "62e90394-69f5-4237-9190-012177145e10",
];

/// One shape of identifier; a capture named `v` is the part to replace, else the whole match.
pub struct Pattern {
    pub kind: Kind,
    pub regex: Regex,
}

/// In the order they are applied: longer, more specific shapes first, so that a GUID inside a
/// UPN or a thumbprint is not half-replaced by another.
pub static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    [
        (
            Kind::User,
            r"[\p{L}\p{N}._%+'#!$&*=?^`{|}~-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}",
        ),
        // A tenant's initial domain names the tenant even where no UPN carries it.
        (
            Kind::Domain,
            r"\b[\p{L}\p{N}-]+\.(?:onmicrosoft\.(?:com|us|de)|partner\.onmschina\.cn)\b",
        ),
        // Account SIDs: local and domain (S-1-5-21-…) and Entra ID (S-1-12-1-…). Well-known
        // SIDs (S-1-5-18, S-1-16-12288 integrity levels) decide verdicts and stay.
        (Kind::Sid, r"\bS-1-(?:5-21|12-1)(?:-\d+){2,5}\b"),
        (
            Kind::Id,
            r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
        ),
        (Kind::Thumbprint, r"\b(?:[0-9A-Fa-f]{64}|[0-9A-Fa-f]{40})\b"),
        (Kind::Mac, r"\b[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}\b"),
        (
            Kind::Ip,
            r"\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\b|\b(?:[0-9A-Fa-f]{1,4}:){1,6}(?::[0-9A-Fa-f]{1,4}){1,6}\b",
        ),
        (Kind::Ip, r"\b(?:\d{1,3}\.){3}\d{1,3}\b"),
        // DOMAIN\user, but not a piece of a path like SOFTWARE\Policies\Microsoft.
        (
            Kind::Account,
            r"(?:^|[^\\\w.-])(?P<v>[A-Za-z0-9-]{2,15}\\[\p{L}\p{N}._'-]+)(?:$|[^\\\w.-])",
        ),
    ]
    .into_iter()
    .filter_map(|(kind, pattern)| Regex::new(pattern).ok().map(|regex| Pattern { kind, regex }))
    .collect()
});

/// True when a match is no identifier after all: a well-known GUID, a placeholder of ours, an
/// IPv4-shaped version number (`Edge 76.0.182.22`, `version REG_SZ 131.0.2903.86`) or an
/// "address" with an octet over 255. IPv6 needs no such care: its pattern asks for eight
/// groups or a `::`, which times (`08:14:22`) and URNs never have.
pub fn is_exempt(kind: Kind, found: &str, before: &str) -> bool {
    match kind {
        Kind::Id => WELL_KNOWN.contains(&found.to_ascii_lowercase().as_str()),
        Kind::User => found.ends_with("@redacted.invalid"),
        Kind::Ip if found.contains('.') => {
            !found.split('.').all(|o| o.parse::<u8>().is_ok()) || reads_as_version(before)
        }
        _ => false,
    }
}

/// True when the words just before a dotted quad say it is a version.
fn reads_as_version(before: &str) -> bool {
    let start = before
        .char_indices()
        .rev()
        .nth(39)
        .map_or(0, |(index, _)| index);
    let near = before[start..].to_ascii_lowercase();
    ["edge", "version", "build", "chrome", "chromium", "msedge"]
        .iter()
        .any(|word| near.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        let mut found = Vec::new();
        for pattern in PATTERNS.iter() {
            for captures in pattern.regex.captures_iter(text) {
                let Some(m) = captures.name("v").or_else(|| captures.get(0)) else {
                    continue;
                };
                if !is_exempt(pattern.kind, m.as_str(), &text[..m.start()]) {
                    found.push((pattern.kind, m.as_str().to_owned()));
                }
            }
        }
        found
    }

    #[test]
    fn guest_accented_and_apostrophe_upns_are_found_whole() {
        for upn in [
            "jana.novak_contoso.com#EXT#@fabrikam.onmicrosoft.com",
            "jana.novák@fabrikam.com",
            "o'neil@fabrikam.com",
            "zoë.müller@fabrikam.de",
        ] {
            let text = format!("signed in as {upn}.");
            assert_eq!(kinds(&text).first(), Some(&(Kind::User, upn.to_owned())));
        }
    }

    #[test]
    fn versions_and_times_are_not_addresses() {
        for text in [
            "Edge 76.0.182.22 is older than 77",
            "microsoft-edge: Microsoft Edge 76.0.182.22",
            "    version    REG_SZ    131.0.2903.86",
            "2026-03-02 08:14:22.000 UTC",
            "JoinSrvVersion : 2.0",
        ] {
            assert_eq!(kinds(text), [], "{text}");
        }
        assert_eq!(
            kinds("connection refused (IPv4 20.190.151.68:443) via fe80::1c2d:3e4f"),
            [
                (Kind::Ip, "fe80::1c2d:3e4f".to_owned()),
                (Kind::Ip, "20.190.151.68".to_owned())
            ]
        );
    }

    #[test]
    fn account_sids_go_and_well_known_sids_stay() {
        let text = "fabrikam\\jnovak S-1-12-1-1805581836-1299353508-1309545868-564238349 S-1-16-12288 S-1-5-18 S-1-5-21-1004336348-1177238915-682003330-512";
        let found = kinds(text);
        assert!(found.contains(&(
            Kind::Sid,
            "S-1-12-1-1805581836-1299353508-1309545868-564238349".to_owned()
        )));
        assert!(found.contains(&(
            Kind::Sid,
            "S-1-5-21-1004336348-1177238915-682003330-512".to_owned()
        )));
        assert!(
            !found
                .iter()
                .any(|(_, v)| v == "S-1-16-12288" || v == "S-1-5-18")
        );
        assert!(found.contains(&(Kind::Account, "fabrikam\\jnovak".to_owned())));
    }
}
