//! What each AADSTS answer to a sign-in means, who can change it and what to try instead.
//!
//! Names and meanings are Entra's (`reference-error-codes.md` in MicrosoftDocs/entra-docs,
//! read 2026-12); 530033 and the silent device-code block are field reports
//! (reference/real-tenant.md). The sign-in messages and `esr-doctor explain AADSTSnnnn` both
//! come from this table, so they cannot disagree.

use crate::i18n::{Lang, sentence};

/// How a refusal bears on what esr-doctor does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// Not a refusal: the device-code flow is still waiting.
    Progress,
    /// A tenant policy (security defaults, Conditional Access) refuses this way of signing in.
    Policy,
    /// This account may not sign in here as asked.
    Account,
    /// The tenant lacks what the sign-in needs (consent, a service principal, the client).
    Tenant,
    /// The sign-in must be done again interactively (MFA now required).
    Interaction,
    /// The stored sign-in ran out; esr-doctor signs in anew.
    Expired,
    /// The person ended, mistyped or missed the sign-in.
    Person,
}

/// One AADSTS code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: u32,
    /// Entra's name for it.
    pub name: &'static str,
    /// What happened, in words a helpdesk agent can repeat.
    pub what: &'static str,
    /// Who can change it, and where.
    pub who: &'static str,
    /// What to try instead.
    pub instead: &'static str,
    pub kind: RefusalKind,
}

impl Refusal {
    /// The sentence a sign-in failure shows (and records, in English).
    pub fn message(&self) -> String {
        self.message_in(Lang::En)
    }

    /// That sentence in `lang`, for a face that tells a recorded refusal in another language.
    pub fn message_in(&self, lang: Lang) -> String {
        format!(
            "{} (AADSTS{} {}). {} {}",
            sentence(lang, self.what),
            self.code,
            self.name,
            sentence(lang, self.who),
            sentence(lang, self.instead)
        )
    }
}

/// Entra's page of AADSTS codes, which `explain` links to.
pub const REFERENCE: &str =
    "https://learn.microsoft.com/entra/identity-platform/reference-error-codes";

const CA_ADMIN: &str = "A Conditional Access Administrator can see which policy applied in the Entra admin center (Monitoring & health > Sign-in logs > the failed sign-in > Conditional Access) and change it under Protection > Conditional Access.";

/// Every AADSTS code esr-doctor names, by number.
pub const REFUSALS: &[Refusal] = &[
    Refusal {
        code: 530035,
        name: "BlockedBySecurityDefaults",
        what: "Security defaults in this tenant block this sign-in; they block the device-code flow, and every tenant created since 1 July 2026 has them on",
        who: "A Global Administrator can turn security defaults off (Entra admin center > Overview > Properties > Manage security defaults), though Microsoft recommends keeping them or replacing them with Conditional Access.",
        instead: "Sign in with the browser instead: run again with --auth browser (or --auth azure-cli after `az login`).",
        kind: RefusalKind::Policy,
    },
    Refusal {
        code: 53000,
        name: "DeviceNotCompliant",
        what: "Conditional Access requires a compliant device, and this sign-in does not come from one (a device-code sign-in cannot show the device)",
        who: CA_ADMIN,
        instead: "Sign in with --auth browser on a device enrolled in Intune and compliant, or have the admin exclude this sign-in from the policy.",
        kind: RefusalKind::Policy,
    },
    Refusal {
        code: 53001,
        name: "DeviceNotDomainJoined",
        what: "Conditional Access requires a (hybrid) joined device, and this sign-in does not come from one (a device-code sign-in cannot show the device)",
        who: CA_ADMIN,
        instead: "Sign in with --auth browser on a joined device, or have the admin exclude this sign-in from the policy.",
        kind: RefusalKind::Policy,
    },
    Refusal {
        code: 53002,
        name: "ApplicationUsedIsNotAnApprovedApp",
        what: "Conditional Access allows only approved client apps, and esr-doctor's sign-in client is not one of them",
        who: CA_ADMIN,
        instead: "Run on a device the policy does not cover, or have the admin exclude the client (--client-id) from the policy.",
        kind: RefusalKind::Policy,
    },
    Refusal {
        code: 53003,
        name: "BlockedByConditionalAccess",
        what: "A Conditional Access policy blocks this sign-in; Microsoft's managed policy \"Block device code flow\" and the authentication-flows condition block device codes this way",
        who: CA_ADMIN,
        instead: "Sign in with --auth browser (or --auth azure-cli); if that is blocked too, run where the policy allows, or ask the admin which policy applied.",
        kind: RefusalKind::Policy,
    },
    Refusal {
        code: 53004,
        name: "ProofUpBlockedDueToRisk",
        what: "The account must finish registering for multifactor authentication, and registration is blocked because of sign-in risk",
        who: "A Security Administrator can review the risk (Entra admin center > Protection > Identity Protection > Risky users) and unblock the account.",
        instead: "Once the risk is cleared, register security info at https://aka.ms/mysecurityinfo from a trusted location, then sign in again.",
        kind: RefusalKind::Account,
    },
    Refusal {
        code: 53011,
        name: "UserBlockedDueToRiskOnHomeTenant",
        what: "The account is blocked because of risk detected in its home tenant",
        who: "A Security Administrator of the account's home tenant can review and clear the risk (Identity Protection > Risky users).",
        instead: "Sign in with another account of this tenant until the risk is cleared.",
        kind: RefusalKind::Account,
    },
    Refusal {
        code: 530033,
        name: "DeviceStateRequired",
        what: "A device-based Conditional Access policy needs to see the device, which a device-code sign-in cannot show (field report)",
        who: CA_ADMIN,
        instead: "Sign in with --auth browser on the user's managed device.",
        kind: RefusalKind::Policy,
    },
    Refusal {
        code: 50097,
        name: "DeviceAuthenticationRequired",
        what: "This sign-in must come from an authenticated (registered or joined) device; a device-code sign-in cannot prove the device",
        who: CA_ADMIN,
        instead: "Sign in with --auth browser on a registered or joined device.",
        kind: RefusalKind::Policy,
    },
    Refusal {
        code: 50105,
        name: "EntitlementGrantsNotFound",
        what: "The account is not assigned to esr-doctor's sign-in client, and this tenant requires assignment",
        who: "An Application Administrator can assign the user or a group (Entra admin center > Enterprise applications > the client, by default Microsoft Azure PowerShell > Users and groups) or set \"Assignment required\" to No.",
        instead: "Sign in as an assigned account, or use --client-id with an app registration you are assigned to.",
        kind: RefusalKind::Account,
    },
    Refusal {
        code: 65001,
        name: "DelegationDoesNotExist",
        what: "Nobody has consented to esr-doctor's sign-in client reading this service in this tenant",
        who: "A Global Administrator or Privileged Role Administrator can grant admin consent for the client (Entra admin center > Enterprise applications > the client > Permissions).",
        instead: "Use --client-id with an app registration that has consent, or --auth azure-cli.",
        kind: RefusalKind::Tenant,
    },
    Refusal {
        code: 50076,
        name: "UserStrongAuthClientAuthNRequired",
        what: "This service now needs multifactor authentication, and the sign-in esr-doctor holds was done without it",
        who: "The requirement comes from Conditional Access or per-user MFA (an Authentication Policy Administrator can change it).",
        instead: "Run again: esr-doctor signs in anew, and the sign-in page asks for the second factor (--auth browser handles it best).",
        kind: RefusalKind::Interaction,
    },
    Refusal {
        code: 50079,
        name: "UserStrongAuthEnrollmentRequired",
        what: "The account must register for multifactor authentication before it may sign in",
        who: "The user registers; an Authentication Administrator can require re-registration or issue a Temporary Access Pass.",
        instead: "Register security info at https://aka.ms/mysecurityinfo, then run again.",
        kind: RefusalKind::Account,
    },
    Refusal {
        code: 70043,
        name: "BadTokenDueToSignInFrequency",
        what: "The stored sign-in ran out under a Conditional Access sign-in-frequency rule",
        who: "This is the policy working as meant (a Conditional Access Administrator sets the frequency).",
        instead: "Sign in again; esr-doctor asks for a new sign-in by itself.",
        kind: RefusalKind::Expired,
    },
    Refusal {
        code: 700082,
        name: "ExpiredOrRevokedGrantInactiveToken",
        what: "The stored sign-in expired because it was not used for a long time",
        who: "Nobody needs to change anything.",
        instead: "Sign in again; esr-doctor asks for a new sign-in by itself.",
        kind: RefusalKind::Expired,
    },
    Refusal {
        code: 70008,
        name: "ExpiredOrRevokedGrant",
        what: "The stored sign-in expired or was revoked",
        who: "Nobody needs to change anything.",
        instead: "Sign in again; esr-doctor asks for a new sign-in by itself.",
        kind: RefusalKind::Expired,
    },
    Refusal {
        code: 50173,
        name: "FreshTokenNeeded",
        what: "The stored sign-in was revoked (an admin or the user revoked the account's sessions, or the password changed)",
        who: "Nobody needs to change anything.",
        instead: "Sign in again; esr-doctor asks for a new sign-in by itself.",
        kind: RefusalKind::Expired,
    },
    Refusal {
        code: 500011,
        name: "InvalidResourceServicePrincipalNotFound",
        what: "The service asked for has no service principal in this tenant; for Azure Rights Management this means RMS was never set up here",
        who: "An admin of this tenant sets the service up (for Azure RMS: Connect-AipService, then Enable-AipService, as a Global Administrator).",
        instead: "Only the checks that read this service stay undecided; check that --tenant names the right tenant.",
        kind: RefusalKind::Tenant,
    },
    Refusal {
        code: 50020,
        name: "UserUnauthorized",
        what: "The account is from another tenant and is not a guest in this one",
        who: "A Guest Inviter or User Administrator of this tenant can invite the account as a guest.",
        instead: "Sign in with an account of this tenant, or point --tenant at the account's own tenant.",
        kind: RefusalKind::Account,
    },
    Refusal {
        code: 90002,
        name: "InvalidTenantName",
        what: "Entra does not know this tenant; a tenant of Microsoft Azure operated by 21Vianet is unknown to the global sign-in service too",
        who: "Nobody needs to change anything in the tenant.",
        instead: "Check --tenant (a verified domain or the tenant id) or the domain of --user.",
        kind: RefusalKind::Tenant,
    },
    Refusal {
        code: 700016,
        name: "UnauthorizedClient_DoesNotMatchRequest",
        what: "The sign-in client is not known in this tenant",
        who: "An Application Administrator can register the app or consent to it in this tenant.",
        instead: "Check --client-id (or leave it out for the default client, Microsoft Azure PowerShell).",
        kind: RefusalKind::Tenant,
    },
    // The three server errors Microsoft's hybrid-join page names for a failed PRT sign-in
    // (troubleshoot-hybrid-join-windows-current.md); they answer any sign-in the same way.
    Refusal {
        code: 50126,
        name: "InvalidUserNameOrPassword",
        what: "The username or password is wrong; at a Windows sign-in after a password change, the new password may not have synced to Entra ID yet",
        who: "The person signing in; with password hash sync, the next Entra Connect sync brings a changed password.",
        instead: "Sign in with the current password; after a change, wait for password hash sync and sign in again.",
        kind: RefusalKind::Person,
    },
    Refusal {
        code: 50155,
        name: "DeviceAuthenticationFailed",
        what: "Entra ID could not authenticate the device: its object is deleted or disabled",
        who: "A Cloud Device Administrator can enable a disabled device (Entra admin center > Devices > All devices); a deleted one must be registered again.",
        instead: "Register the device again as its join type requires (Entra joined: dsregcmd /leave, then join; hybrid joined: it rejoins at the next sign-in after the sync).",
        kind: RefusalKind::Account,
    },
    Refusal {
        code: 50034,
        name: "UserAccountNotFound",
        what: "The account does not exist in this tenant (mistyped, or an on-premises account that has not synced)",
        who: "A Hybrid Identity Administrator can bring the account's OU into Entra Connect's sync scope.",
        instead: "Sign in with the UPN exactly as Entra ID knows it.",
        kind: RefusalKind::Account,
    },
    Refusal {
        code: 50057,
        name: "UserDisabled",
        what: "The account is disabled",
        who: "A User Administrator can enable it (Entra admin center > Users > the user > Edit properties > Account enabled).",
        instead: "Sign in with an enabled account.",
        kind: RefusalKind::Account,
    },
    Refusal {
        code: 50011,
        name: "InvalidReplyTo",
        what: "The sign-in client does not accept esr-doctor's loopback redirect (http://localhost)",
        who: "An Application Administrator adds http://localhost as a mobile and desktop redirect URI of the app registration named by --client-id.",
        instead: "Leave --client-id out (the default client accepts it), or use --auth device-code.",
        kind: RefusalKind::Tenant,
    },
    Refusal {
        code: 501481,
        name: "CodeVerifierMismatch",
        what: "The sign-in service rejected the proof (PKCE) that this program started the browser sign-in",
        who: "Nobody needs to change anything; an answer that did not come from this sign-in reached the loopback address.",
        instead: "Run again for a new sign-in.",
        kind: RefusalKind::Person,
    },
    Refusal {
        code: 54005,
        name: "AuthorizationCodeAlreadyRedeemed",
        what: "The browser sign-in's code was already used",
        who: "Nobody needs to change anything.",
        instead: "Run again for a new sign-in.",
        kind: RefusalKind::Person,
    },
    Refusal {
        code: 70016,
        name: "AuthorizationPending",
        what: "The device-code sign-in is still waiting for the person to enter the code",
        who: "Nobody needs to change anything.",
        instead: "Enter the code at the page shown; if it stays pending for minutes after the code was entered, a policy may be blocking device codes silently: use --auth browser.",
        kind: RefusalKind::Progress,
    },
    Refusal {
        code: 70018,
        name: "BadVerificationCode",
        what: "The code typed at the sign-in page was not the one shown",
        who: "Nobody needs to change anything.",
        instead: "Run again and type the code exactly as shown (or use --auth browser).",
        kind: RefusalKind::Person,
    },
    Refusal {
        code: 70019,
        name: "CodeExpired",
        what: "The device code expired before anyone signed in with it",
        who: "Nobody needs to change anything.",
        instead: "Run again and enter the new code within its lifetime (or use --auth browser).",
        kind: RefusalKind::Person,
    },
];

/// The entry for `code`, if esr-doctor names it.
pub fn find(code: u32) -> Option<&'static Refusal> {
    REFUSALS.iter().find(|r| r.code == code)
}

/// `AADSTS530035`, `aadsts530035` or `530035` → the entry.
pub fn lookup(query: &str) -> Option<&'static Refusal> {
    let query = query.trim();
    let digits = match query.get(..6) {
        Some(prefix) if prefix.eq_ignore_ascii_case("AADSTS") => &query[6..],
        _ => query,
    };
    find(digits.trim_end_matches(':').trim().parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes reference/real-tenant.md lists, each named.
    const REFERENCE_CODES: [u32; 20] = [
        530035, 53000, 53001, 53002, 53003, 53004, 53011, 530033, 50097, 50105, 65001, 50076,
        50079, 70043, 700082, 500011, 50020, 90002, 700016, 70019,
    ];

    #[test]
    fn every_code_of_the_reference_is_named_once() {
        for code in REFERENCE_CODES {
            assert!(find(code).is_some(), "AADSTS{code}");
        }
        for (i, refusal) in REFUSALS.iter().enumerate() {
            assert!(
                REFUSALS[i + 1..].iter().all(|r| r.code != refusal.code),
                "AADSTS{} twice",
                refusal.code
            );
            for words in [refusal.what, refusal.who, refusal.instead] {
                assert!(!words.trim().is_empty(), "AADSTS{}", refusal.code);
            }
        }
    }

    #[test]
    fn policy_refusals_name_the_browser_or_another_way() {
        for refusal in REFUSALS.iter().filter(|r| r.kind == RefusalKind::Policy) {
            assert!(
                refusal.instead.contains("--auth browser")
                    || refusal.instead.contains("--client-id")
                    || refusal.instead.contains("device the policy"),
                "AADSTS{} names no alternative: {}",
                refusal.code,
                refusal.instead
            );
        }
    }

    #[test]
    fn codes_are_found_however_they_are_written() {
        for query in ["AADSTS530035", "aadsts530035", "530035", " AADSTS530035: "] {
            assert_eq!(lookup(query).map(|r| r.code), Some(530035), "{query:?}");
        }
        assert_eq!(lookup("AADSTS"), None);
        assert_eq!(lookup("AADSTS1"), None);
        assert_eq!(lookup("ÄÄDSTS530035"), None);
    }
}
