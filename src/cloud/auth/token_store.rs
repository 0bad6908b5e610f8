//! Refresh tokens in the OS keyring — Windows Credential Manager, the macOS Keychain, kernel
//! keyutils on Linux (desktop, SSH and containers alike; the Secret Service's D-Bus client would
//! add 1.5 MB to the Linux binary) — so the next run needs no new sign-in. Access tokens are
//! never stored; nothing else of a sign-in touches disk.
//!
//! Entries are keyed by cloud, tenant, client and user. An index entry lists every key written,
//! so `esr-doctor signout` can remove them all. Tests install `keyring_core::mock::Store`.

use keyring_core::{Entry, Error};

/// The keyring service name of every entry.
const SERVICE: &str = "esr-doctor";
/// The entry that lists every key written (newline-separated).
const INDEX: &str = "index";

/// Installs the platform's keyring as the process-wide store. On failure the run goes on
/// without a cache (each run then signs in again); the message says why.
pub fn use_platform_store() -> Result<(), KeyringError> {
    platform_store()
        .map(keyring_core::set_default_store)
        .map_err(KeyringError::NoStore)
}

/// Why the OS keyring could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("no OS keyring to keep the sign-in in ({0}); you will be asked to sign in on each run")]
    NoStore(Error),
    #[error("the OS keyring refused: {0}")]
    Refused(Error),
}

#[cfg(target_os = "linux")]
fn platform_store() -> keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> {
    Ok(linux_keyutils_keyring_store::Store::new()?)
}

/// Prepares the keyring for this process. Call it first thing in `main`, while there is one
/// thread: a session keyring belongs to a thread's credentials, and only threads started
/// afterwards (the runtime's, where the keyring is used) inherit it.
pub fn prepare_process_keyring() {
    #[cfg(target_os = "linux")]
    join_lasting_session_keyring();
}

/// Makes the session keyring, where the keyutils store keeps its entries, one that the next
/// run finds again.
///
/// A desktop's login session keyring dies at logout; a process without one (a container, SSH
/// without `pam_keyinit`, a service) either gets a fresh one that dies with it, or borrows the
/// user-session keyring, whose keys it does not possess and so cannot read back. So
/// esr-doctor joins a keyring of its own name, links it into the user keyring (which lives as
/// long as the user does) and lets only that user use it; the next run joins the same keyring
/// by name. Special ids are passed to the kernel as they are, because only they carry
/// possession (keyrings(7)).
#[cfg(target_os = "linux")]
fn join_lasting_session_keyring() {
    const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;
    const KEYCTL_SETPERM: libc::c_long = 5;
    const KEYCTL_LINK: libc::c_long = 8;
    const KEY_SPEC_SESSION_KEYRING: libc::c_long = -3;
    const KEY_SPEC_USER_KEYRING: libc::c_long = -4;
    /// Possessor and the user: view, read, write, search, link, set attributes; nobody else.
    const OWNER_ONLY: libc::c_long = 0x3f3f_0000;
    let name = c"esr-doctor";
    let keyctl = |operation: libc::c_long, first: libc::c_long, second: libc::c_long| {
        // SAFETY: keyctl reads only its integer arguments and, for the join, the
        // NUL-terminated name, which outlives the call.
        unsafe {
            libc::syscall(
                libc::SYS_keyctl,
                operation,
                first,
                second,
                0 as libc::c_long,
            )
        }
    };
    if keyctl(
        KEYCTL_JOIN_SESSION_KEYRING,
        name.as_ptr() as libc::c_long,
        0,
    ) < 0
    {
        return;
    }
    keyctl(KEYCTL_SETPERM, KEY_SPEC_SESSION_KEYRING, OWNER_ONLY);
    keyctl(KEYCTL_LINK, KEY_SPEC_SESSION_KEYRING, KEY_SPEC_USER_KEYRING);
}

#[cfg(windows)]
fn platform_store() -> keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> {
    Ok(windows_native_keyring_store::Store::new()?)
}

#[cfg(target_os = "macos")]
fn platform_store() -> keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> {
    Ok(apple_native_keyring_store::keychain::Store::new()?)
}

#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
fn platform_store() -> keyring_core::Result<std::sync::Arc<keyring_core::CredentialStore>> {
    Err(Error::NoDefaultStore)
}

/// Where one sign-in's refresh token lives.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenStore {
    key: Option<String>,
}

impl TokenStore {
    /// The entry for this cloud, tenant, client and user.
    pub fn new(cloud: &str, tenant: &str, client_id: &str, user: Option<&str>) -> TokenStore {
        let user = user.unwrap_or("*").to_ascii_lowercase();
        TokenStore {
            key: Some(format!(
                "refresh-token:{cloud}:{}:{client_id}:{user}",
                tenant.to_ascii_lowercase()
            )),
        }
    }

    /// `--no-cache`: neither read nor write the keyring.
    pub fn disabled() -> TokenStore {
        TokenStore { key: None }
    }

    /// The stored refresh token, if any (an unavailable keyring counts as none).
    pub async fn load(&self) -> Option<String> {
        let key = self.key.clone()?;
        blocking(move || entry(&key)?.get_password())
            .await
            .ok()
            .filter(|t| !t.is_empty())
    }

    /// Keeps `refresh_token` for the next run; failures only cost a later sign-in.
    pub async fn save(&self, refresh_token: String) {
        let Some(key) = self.key.clone() else {
            return;
        };
        let _ = blocking(move || {
            entry(&key)?.set_password(&refresh_token)?;
            add_to_index(&key)
        })
        .await;
    }

    /// Forgets a refresh token the service no longer accepts.
    pub async fn forget(&self) {
        if let Some(key) = self.key.clone() {
            let _ = blocking(move || entry(&key)?.delete_credential()).await;
        }
    }
}

/// Removes every refresh token esr-doctor stored; returns how many were removed.
pub fn sign_out_everywhere() -> Result<usize, KeyringError> {
    let index = entry(INDEX).map_err(KeyringError::Refused)?;
    let listed = match index.get_password() {
        Ok(text) => text,
        Err(Error::NoEntry) => return Ok(0),
        Err(e) => return Err(KeyringError::Refused(e)),
    };
    let mut removed = 0;
    for key in listed.lines().filter(|k| !k.is_empty()) {
        match entry(key).and_then(|e| e.delete_credential()) {
            Ok(()) => removed += 1,
            Err(Error::NoEntry) => {}
            Err(e) => return Err(KeyringError::Refused(e)),
        }
    }
    match index.delete_credential() {
        Ok(()) | Err(Error::NoEntry) => Ok(removed),
        Err(e) => Err(KeyringError::Refused(e)),
    }
}

fn entry(key: &str) -> keyring_core::Result<Entry> {
    Entry::new(SERVICE, key)
}

fn add_to_index(key: &str) -> keyring_core::Result<()> {
    let index = entry(INDEX)?;
    let mut keys = match index.get_password() {
        Ok(text) => text,
        Err(Error::NoEntry) => String::new(),
        Err(e) => return Err(e),
    };
    if !keys.lines().any(|k| k == key) {
        keys.push_str(key);
        keys.push('\n');
        index.set_password(&keys)?;
    }
    Ok(())
}

/// Keyring calls may block (D-Bus, Credential Manager); keep them off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> keyring_core::Result<T> + Send + 'static,
) -> keyring_core::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or(Err(Error::NoDefaultStore))
}
