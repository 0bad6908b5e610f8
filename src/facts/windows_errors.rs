//! What the Windows error codes of a failed hybrid join or PRT sign-in mean, who fixes them and
//! how: the 0x801c… (device registration), 0xcaa… (ADAL), 0xc000…/0xc004… (CloudAP) and
//! network codes that dsregcmd's diagnostic data and the User Device Registration and AAD logs
//! carry.
//!
//! Names, phases and causes follow Microsoft's "Troubleshoot Microsoft Entra hybrid joined
//! devices" (`troubleshoot-hybrid-join-windows-current.md` in MicrosoftDocs/entra-docs, ms.date
//! 2024-11-25), in our own words. The check's findings and `esr-doctor explain 0x801c001d` both
//! come from this table, so they cannot disagree.

/// Where a hybrid join stopped, as dsregcmd's `Error Phase` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before anything is sent: can the device see a domain controller?
    Precheck,
    /// Finding the tenant (SCP in AD) and the registration service (DRS, realm discovery).
    Discover,
    /// Federated domains only: a token for DRS from the on-premises federation service.
    Auth,
    /// Registering the device at DRS.
    Join,
}

impl Phase {
    /// dsregcmd's own word for the phase (`precheck`, `discover`, `auth`, `join`).
    pub fn parse(text: &str) -> Option<Phase> {
        match text.trim().to_ascii_lowercase().as_str() {
            "precheck" | "pre-check" => Some(Phase::Precheck),
            "discover" | "discovery" => Some(Phase::Discover),
            "auth" | "authentication" => Some(Phase::Auth),
            "join" => Some(Phase::Join),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Precheck => "precheck",
            Phase::Discover => "discover",
            Phase::Auth => "auth",
            Phase::Join => "join",
        }
    }
}

/// One Windows error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowsError {
    pub code: u32,
    /// Windows' symbolic name.
    pub name: &'static str,
    /// What happened, in words a helpdesk agent can repeat.
    pub meaning: &'static str,
    /// Who can change it.
    pub who: &'static str,
    /// What to do.
    pub fix: &'static str,
}

/// Microsoft's page the table follows, which `explain` links to.
pub const SOURCE: &str =
    "https://learn.microsoft.com/entra/identity/devices/troubleshoot-hybrid-join-windows-current";

const NETWORK_TEAM: &str = "The network or proxy team (the device's SYSTEM context must get out).";
const AD_ADMIN: &str = "An Active Directory administrator.";
const FEDERATION_ADMIN: &str = "The administrator of the on-premises federation service (AD FS).";
const DESKTOP_TEAM: &str = "The desktop team, on the device.";
const WAIT: &str = "Nobody: it passes by itself.";
const IDENTITY_ADMIN: &str = "An Entra identity administrator.";

const SYSTEM_PROXY: &str = "Make sure the device reaches https://enterpriseregistration.windows.net and https://login.microsoftonline.com as SYSTEM (the computer account); where an outbound proxy is needed, the computer account must find it and authenticate to it silently (WinHTTP proxy or WPAD).";

/// Every code esr-doctor explains, by number.
pub const WINDOWS_ERRORS: &[WindowsError] = &[
    WindowsError {
        code: 0x801C_001D,
        name: "DSREG_AUTOJOIN_ADCONFIG_READ_FAILED",
        meaning: "The device could not read the service connection point (SCP) in Active Directory, so it does not know which Entra tenant to join; in the join phase it could not read its own computer object (AD replication).",
        who: AD_ADMIN,
        fix: "Configure the SCP for the Entra tenant (Entra Connect > Configure device options > Hybrid join, or the documented PowerShell) and check that the computer can read it; for join-phase failures with 1312 or 1317, let AD replication finish.",
    },
    WindowsError {
        code: 0x801C_0021,
        name: "DSREG_AUTOJOIN_DISC_FAILED",
        meaning: "Discovery failed: the device got no discovery metadata from the device registration service (DRS). The code after the slash says why.",
        who: NETWORK_TEAM,
        fix: SYSTEM_PROXY,
    },
    WindowsError {
        code: 0x801C_001F,
        name: "DSREG_AUTOJOIN_DISC_WAIT_TIMEOUT",
        meaning: "Discovery timed out.",
        who: NETWORK_TEAM,
        fix: SYSTEM_PROXY,
    },
    WindowsError {
        code: 0x801C_003D,
        name: "DSREG_AUTOJOIN_USERREALM_DISCOVERY_FAILED",
        meaning: "Realm discovery failed: the device could not learn from login.microsoftonline.com whether the domain is managed or federated.",
        who: NETWORK_TEAM,
        fix: SYSTEM_PROXY,
    },
    WindowsError {
        code: 0x801C_003A,
        name: "DSREG_DISCOVERY_TENANT_NOT_FOUND",
        meaning: "The SCP names a tenant that does not exist or has no active subscription.",
        who: AD_ADMIN,
        fix: "Point the SCP at the right Entra tenant id (one with active subscriptions).",
    },
    WindowsError {
        code: 0x801C_0025,
        name: "DSREG_SERVER_BUSY",
        meaning: "The device registration service answered HTTP 503 (unavailable).",
        who: WAIT,
        fix: "Wait: a later join attempt succeeds once the service is back.",
    },
    WindowsError {
        code: 0x801C_03F2,
        name: "DSREG_E_DIRECTORY_FAILURE",
        meaning: "The device registration service answered DirectoryError; the server error code and message say why (often: the device object has not synced to Entra ID yet).",
        who: IDENTITY_ADMIN,
        fix: "Read the Server Message: if the device object is not found, wait for Entra Connect Sync to sync the computer (its OU must be in scope) and the next join attempt succeeds; if the tenant is not found, fix the tenant id in the SCP.",
    },
    WindowsError {
        code: 0x801C_0002,
        name: "DSREG_E_DEVICE_AUTHENTICATION_ERROR",
        meaning: "The device registration service answered AuthenticationError: the device's certificate does not match (sync not finished).",
        who: IDENTITY_ADMIN,
        fix: "Let Entra Connect Sync finish; the next join attempt after it succeeds.",
    },
    WindowsError {
        code: 0x801C_0006,
        name: "DSREG_E_DEVICE_INTERNALSERVICE_ERROR",
        meaning: "The device registration service reported an internal directory error.",
        who: IDENTITY_ADMIN,
        fix: "Read the Server ErrorCode and Server Message for the cause.",
    },
    WindowsError {
        code: 0x8007_0002,
        name: "ERROR_FILE_NOT_FOUND",
        meaning: "What was looked up does not exist; in dsregcmd's AD Configuration Test it is the service connection point that was not found.",
        who: AD_ADMIN,
        fix: "Configure the SCP for the Entra tenant (see 0x801c001d).",
    },
    WindowsError {
        code: 0x8007_000D,
        name: "E_INVALIDDATA",
        meaning: "The server's answer was not the JSON expected, typically a proxy's HTML sign-in page.",
        who: NETWORK_TEAM,
        fix: SYSTEM_PROXY,
    },
    WindowsError {
        code: 0x8007_2EFD,
        name: "WININET_E_CANNOT_CONNECT",
        meaning: "No connection to the server could be made.",
        who: NETWORK_TEAM,
        fix: SYSTEM_PROXY,
    },
    WindowsError {
        code: 0x8007_2EE2,
        name: "WININET_E_TIMEOUT",
        meaning: "The connection timed out.",
        who: NETWORK_TEAM,
        fix: SYSTEM_PROXY,
    },
    WindowsError {
        code: 0x8007_2EE7,
        name: "WININET_E_NAME_NOT_RESOLVED",
        meaning: "The server's name could not be resolved (DNS).",
        who: NETWORK_TEAM,
        fix: "Make sure the device resolves and reaches https://enterpriseregistration.windows.net.",
    },
    WindowsError {
        code: 0x8007_2EFE,
        name: "WININET_E_CONNECTION_ABORTED",
        meaning: "The connection broke off.",
        who: WAIT,
        fix: "Try the join again later or from a steadier network.",
    },
    WindowsError {
        code: 0x8007_2F8F,
        name: "WININET_E_DECODING_FAILED",
        meaning: "The answer could not be decoded; a proxy is changing it on the way.",
        who: NETWORK_TEAM,
        fix: "Exempt the Microsoft registration and sign-in hosts from TLS inspection and content rewriting.",
    },
    WindowsError {
        code: 0x8007_2F94,
        name: "ERROR_WINHTTP_AUTODETECTION_FAILED",
        meaning: "WPAD found no proxy auto-configuration script.",
        who: NETWORK_TEAM,
        fix: "Where a proxy is needed, publish a PAC file through WPAD or set the WinHTTP proxy (netsh winhttp set proxy).",
    },
    WindowsError {
        code: 0xCAA9_0017,
        name: "ERROR_ADAL_PROTOCOL_NOT_SUPPORTED",
        meaning: "The on-premises identity provider does not speak WS-Trust.",
        who: FEDERATION_ADMIN,
        fix: "Enable WS-Trust on the identity provider.",
    },
    WindowsError {
        code: 0xCAA9_002C,
        name: "ERROR_ADAL_FAILED_TO_PARSE_XML",
        meaning: "The federation service did not answer with XML.",
        who: FEDERATION_ADMIN,
        fix: "Make the MEX endpoint return valid XML and keep proxies from rewriting it.",
    },
    WindowsError {
        code: 0xCAA9_0023,
        name: "ERROR_ADAL_COULDNOT_DISCOVER_USERNAME_PASSWORD_ENDPOINT",
        meaning: "No username/password (WS-Trust) endpoint was found in the federation metadata.",
        who: FEDERATION_ADMIN,
        fix: "Enable the WS-Trust endpoints and make the MEX answer list them.",
    },
    WindowsError {
        code: 0xCAA8_2EE2,
        name: "ERROR_ADAL_INTERNET_TIMEOUT",
        meaning: "Signing in to login.microsoftonline.com or the federation service timed out.",
        who: NETWORK_TEAM,
        fix: SYSTEM_PROXY,
    },
    WindowsError {
        code: 0xCAA8_2EFE,
        name: "ERROR_ADAL_INTERNET_CONNECTION_ABORTED",
        meaning: "The connection to the sign-in endpoint broke off.",
        who: WAIT,
        fix: "Try again later or from a steadier network.",
    },
    WindowsError {
        code: 0xCAA8_2F8F,
        name: "ERROR_ADAL_INTERNET_SECURE_FAILURE",
        meaning: "The server's TLS certificate could not be validated.",
        who: DESKTOP_TEAM,
        fix: "Check the device's clock; exempt the sign-in hosts from TLS inspection; try again.",
    },
    WindowsError {
        code: 0xCAA8_2EFD,
        name: "ERROR_ADAL_INTERNET_CANNOT_CONNECT",
        meaning: "No connection to login.microsoftonline.com.",
        who: NETWORK_TEAM,
        fix: SYSTEM_PROXY,
    },
    WindowsError {
        code: 0xCAA2_0003,
        name: "ERROR_ADAL_SERVER_ERROR_INVALID_GRANT",
        meaning: "Entra ID refused the SAML token of the on-premises identity provider.",
        who: FEDERATION_ADMIN,
        fix: "Check the federation server's claim rules; the server error code in the AAD log names the cause.",
    },
    WindowsError {
        code: 0xCAA9_0014,
        name: "ERROR_ADAL_WSTRUST_REQUEST_SECURITYTOKEN_FAILED",
        meaning: "The WS-Trust answer was a fault: no assertion.",
        who: FEDERATION_ADMIN,
        fix: "Check the federation server's settings and its error in the AAD log.",
    },
    WindowsError {
        code: 0xCAA9_0006,
        name: "ERROR_ADAL_WSTRUST_TOKEN_REQUEST_FAIL",
        meaning: "Getting an access token from the token endpoint failed.",
        who: FEDERATION_ADMIN,
        fix: "Look for the underlying error in the AAD log.",
    },
    WindowsError {
        code: 0xCAA1_002D,
        name: "ERROR_ADAL_OPERATION_PENDING",
        meaning: "A general sign-in library failure.",
        who: DESKTOP_TEAM,
        fix: "Look for the sub-error or server error code in the AAD log.",
    },
    WindowsError {
        code: 0x8009_0016,
        name: "NTE_BAD_KEYSET",
        meaning: "The TPM key set does not exist: the TPM was cleared, or the device was imaged from a registered machine.",
        who: DESKTOP_TEAM,
        fix: "Do not clear the TPM; remove and add the work accounts again; build images from a machine that is not registered.",
    },
    WindowsError {
        code: 0x8029_0407,
        name: "TPM_E_PCP_INTERNAL_ERROR",
        meaning: "A generic TPM error.",
        who: DESKTOP_TEAM,
        fix: "Windows 10 1809 and later join without the TPM by themselves; otherwise turn the TPM off on this device.",
    },
    WindowsError {
        code: 0x8028_0036,
        name: "TPM_E_NOTFIPS",
        meaning: "A TPM in FIPS mode is not supported.",
        who: DESKTOP_TEAM,
        fix: "Windows 10 1809 and later join without the TPM by themselves; otherwise turn the TPM off on this device.",
    },
    WindowsError {
        code: 0x8009_0031,
        name: "NTE_AUTHENTICATION_IGNORED",
        meaning: "The TPM is locked out (anti-hammering).",
        who: WAIT,
        fix: "Wait for the TPM's cool-down; the join then succeeds.",
    },
    WindowsError {
        code: 0xC000_006D,
        name: "STATUS_LOGON_FAILURE",
        meaning: "The PRT sign-in failed: Entra ID (or the WS-Trust endpoint) answered HTTP 400, or could not be reached.",
        who: DESKTOP_TEAM,
        fix: "Read the Server Error Code and Description (events 1081 and 1088 in the AAD log); where a proxy is needed, the computer account must pass it silently.",
    },
    WindowsError {
        code: 0xC000_006A,
        name: "STATUS_WRONG_PASSWORD",
        meaning: "The PRT sign-in failed with a wrong password, or Entra ID answered HTTP 400.",
        who: DESKTOP_TEAM,
        fix: "Read the Server Error Code and Description; after a password change with password hash sync, wait for the new password to sync.",
    },
    WindowsError {
        code: 0xC000_00D0,
        name: "STATUS_REQUEST_NOT_ACCEPTED",
        meaning: "Entra ID or the WS-Trust endpoint refused the PRT request (HTTP 400).",
        who: DESKTOP_TEAM,
        fix: "Read the Server Error Code and Description (events 1081 and 1088 in the AAD log).",
    },
    WindowsError {
        code: 0xC000_023C,
        name: "STATUS_NETWORK_UNREACHABLE",
        meaning: "A server error above HTTP 400, or no network path to a sign-in endpoint.",
        who: NETWORK_TEAM,
        fix: SYSTEM_PROXY,
    },
    WindowsError {
        code: 0xC000_00BE,
        name: "STATUS_BAD_NETWORK_PATH",
        meaning: "A server error above HTTP 400, or no network path to a sign-in endpoint.",
        who: NETWORK_TEAM,
        fix: SYSTEM_PROXY,
    },
    WindowsError {
        code: 0xC000_00C4,
        name: "STATUS_UNEXPECTED_NETWORK_ERROR",
        meaning: "A server error above HTTP 400, or no network path to a sign-in endpoint.",
        who: NETWORK_TEAM,
        fix: SYSTEM_PROXY,
    },
    WindowsError {
        code: 0xC004_844C,
        name: "AAD_CLOUDAP_E_OAUTH_USERNAME_IS_MALFORMED",
        meaning: "The user's UPN is not an internet-style name (user@domain).",
        who: AD_ADMIN,
        fix: "Give the user a routable UPN suffix (or configure an alternate login id); `whoami /upn` shows what the domain controller returns.",
    },
    WindowsError {
        code: 0xC004_8442,
        name: "AAD_CLOUDAP_E_OAUTH_USER_SID_IS_EMPTY",
        meaning: "The ID token came back without the user's SID: something on the way changed the answer.",
        who: NETWORK_TEAM,
        fix: "Keep the proxy from rewriting the sign-in answers.",
    },
    WindowsError {
        code: 0xC004_84C1,
        name: "AAD_CLOUDAP_E_WSTRUST_SAML_TOKENS_ARE_EMPTY",
        meaning: "The WS-Trust endpoint answered with an error and no token.",
        who: FEDERATION_ADMIN,
        fix: "Read event 1088 in the AAD log; keep proxies from rewriting the WS-Trust answer.",
    },
    WindowsError {
        code: 0xC004_848B,
        name: "AAD_CLOUDAP_E_HTTP_PASSWORD_URI_IS_EMPTY",
        meaning: "The federation metadata (MEX) lists no password endpoint.",
        who: FEDERATION_ADMIN,
        fix: "Fix the MEX configuration to list the password URLs.",
    },
    WindowsError {
        code: 0xC004_848C,
        name: "AAD_CLOUDAP_E_HTTP_CERTIFICATE_URI_IS_EMPTY",
        meaning: "The federation metadata (MEX) lists no certificate endpoint.",
        who: FEDERATION_ADMIN,
        fix: "Fix the MEX configuration to list the certificate URLs.",
    },
    WindowsError {
        code: 0xC00C_EE4F,
        name: "WC_E_DTDPROHIBITED",
        meaning: "The WS-Trust answer carried a DTD, which Windows refuses to parse.",
        who: FEDERATION_ADMIN,
        fix: "Configure the identity provider not to send a DTD.",
    },
];

/// The entry for `code`, when esr-doctor knows it.
pub fn lookup(code: u32) -> Option<&'static WindowsError> {
    WINDOWS_ERRORS.iter().find(|e| e.code == code)
}

/// `0x801c001d DSREG_AUTOJOIN_ADCONFIG_READ_FAILED: meaning`, or the bare code when unknown.
pub fn describe(code: u32) -> String {
    match lookup(code) {
        Some(known) => format!("0x{code:08x} {}: {}", known.name, known.meaning),
        None => format!("0x{code:08x}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_code_is_listed_once_with_words() {
        let mut seen = BTreeSet::new();
        for error in WINDOWS_ERRORS {
            assert!(seen.insert(error.code), "0x{:08x} twice", error.code);
            for words in [error.name, error.meaning, error.who, error.fix] {
                assert!(!words.trim().is_empty(), "0x{:08x}", error.code);
            }
        }
    }

    /// Microsoft prints each code also as a signed decimal; both must name the same entry.
    #[test]
    fn documented_decimal_forms_find_the_same_entry() {
        use crate::facts::event_log::parse_code;
        for (decimal, name) in [
            ("-2145648611", "DSREG_AUTOJOIN_ADCONFIG_READ_FAILED"),
            ("-2145647630", "DSREG_E_DIRECTORY_FAILURE"),
            ("-894894057", "ERROR_ADAL_PROTOCOL_NOT_SUPPORTED"),
            ("-1073741715", "STATUS_LOGON_FAILURE"),
            ("-2147012894", "WININET_E_TIMEOUT"),
        ] {
            let code = parse_code(decimal).unwrap_or_default();
            assert_eq!(lookup(code).map(|e| e.name), Some(name), "{decimal}");
        }
    }

    #[test]
    fn phases_read_as_dsregcmd_writes_them_and_nothing_else() {
        assert_eq!(Phase::parse("discover"), Some(Phase::Discover));
        assert_eq!(Phase::parse(" JOIN "), Some(Phase::Join));
        assert_eq!(Phase::parse("precheck"), Some(Phase::Precheck));
        assert_eq!(Phase::parse("auth"), Some(Phase::Auth));
        assert_eq!(Phase::parse("teleport"), None);
    }
}
