//! The words Edge itself shows when sync does not work (its sync settings page and
//! `edge://sync-internals`), each tied to the finding that explains it, so that
//! `esr-doctor explain "Sync is not available for this account."` answers what a user read.
//!
//! The strings are those of Microsoft's "Troubleshoot Microsoft Edge enterprise sync"
//! (`microsoft-edge-troubleshoot-enterprise-sync.md`, MicrosoftDocs/Edge-Enterprise, ms.date
//! 2024-07-18) and Chromium's sync-internals vocabulary (`sync_internals_util.cc`).

/// One thing Edge shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeMessage {
    /// The words as Edge shows them (matched without regard to case).
    pub shown: &'static str,
    /// Where Edge shows them.
    pub shown_in: &'static str,
    /// The finding that explains them.
    pub code: &'static str,
}

pub const EDGE_MESSAGES: &[EdgeMessage] = &[
    EdgeMessage {
        shown: "DISABLED_BY_ADMIN",
        shown_in: "edge://sync-internals (Summary, Auth Error)",
        code: "SYNC_DISABLED_BY_ADMIN",
    },
    EdgeMessage {
        shown: "Sync is not available for this account",
        shown_in: "Edge's sync settings page",
        code: "SYNC_DISABLED_BY_ADMIN",
    },
    EdgeMessage {
        shown: "Sync has been turned off by your administrator",
        shown_in: "Edge's sync settings page",
        code: "POLICY_SYNC_DISABLED",
    },
    EdgeMessage {
        shown: "Enterprise policy",
        shown_in: "edge://sync-internals (Summary, Disable Reasons)",
        code: "SYNC_DISABLED_BY_POLICY",
    },
    EdgeMessage {
        shown: "Not signed in",
        shown_in: "edge://sync-internals (Summary, Disable Reasons)",
        code: "SYNC_NOT_SIGNED_IN",
    },
    EdgeMessage {
        shown: "Unrecoverable error",
        shown_in: "edge://sync-internals (Summary, Disable Reasons)",
        code: "SYNC_UNRECOVERABLE_ERROR",
    },
    EdgeMessage {
        shown: "EDGE_AUTH_ERROR",
        shown_in: "edge://sync-internals (Credentials, Last Token Error)",
        code: "SYNC_AUTH_ERROR",
    },
    EdgeMessage {
        shown: "GenerateCryptoErrorsForTypes",
        shown_in: "edge://sync-internals (Type info)",
        code: "SYNC_CRYPTOGRAPHER_ERROR",
    },
    EdgeMessage {
        shown: "cryptographer error",
        shown_in: "edge://sync-internals (Type info)",
        code: "SYNC_CRYPTOGRAPHER_ERROR",
    },
    EdgeMessage {
        shown: "No permissions",
        shown_in: "edge://sync-internals (Microsoft Entra account Key Status, Last MIP Result)",
        code: "SYNC_CRYPTOGRAPHER_ERROR",
    },
    EdgeMessage {
        shown: "Needs passphrase",
        shown_in: "edge://sync-internals (Summary, User Actionable Error)",
        code: "SYNC_PASSPHRASE_REQUIRED",
    },
    EdgeMessage {
        shown: "Couldn't connect to the sync server",
        shown_in: "Edge's sync settings page",
        code: "SYNC_SERVER_ERROR",
    },
    EdgeMessage {
        shown: "Setting up sync",
        shown_in: "Edge's sync settings page (stuck)",
        code: "SYNC_SERVER_ERROR",
    },
];

/// The message whose words `text` holds (a pasted line may carry more around them).
pub fn lookup(text: &str) -> Option<&'static EdgeMessage> {
    let text = text.to_lowercase();
    EDGE_MESSAGES
        .iter()
        .find(|m| text.contains(&m.shown.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_user_pastes_finds_its_finding() {
        for (pasted, code) in [
            (
                "Sync is not available for this account.",
                "SYNC_DISABLED_BY_ADMIN",
            ),
            (
                "Auth Error: DISABLED_BY_ADMIN since 2026-11-20",
                "SYNC_DISABLED_BY_ADMIN",
            ),
            ("EDGE_AUTH_ERROR: 3, 54, 3ea", "SYNC_AUTH_ERROR"),
            (
                "sync has been turned off by your administrator.",
                "POLICY_SYNC_DISABLED",
            ),
            (
                "Couldn't connect to the sync server. Retrying...",
                "SYNC_SERVER_ERROR",
            ),
        ] {
            assert_eq!(lookup(pasted).map(|m| m.code), Some(code), "{pasted}");
        }
        assert_eq!(lookup("all good"), None);
    }
}
