//! Which Microsoft cloud, and whether a host name is this machine: words every layer uses about
//! where an answer comes from.

use std::net::IpAddr;

/// The national clouds, told apart by the tenant's OpenID configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cloud {
    Global,
    /// US Government (GCC High and DoD sign in here).
    UsGov,
    /// Microsoft Azure operated by 21Vianet.
    China,
}

impl Cloud {
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::UsGov => "usgov",
            Cloud::China => "china",
        }
    }

    /// Every cloud, in the order their login hosts are asked for a tenant.
    pub const ALL: [Cloud; 3] = [Cloud::Global, Cloud::UsGov, Cloud::China];
}

/// True when `host` is this machine: `localhost`, a `.localhost` name or a loopback address
/// (`[::1]` with or without brackets).
pub fn is_loopback_name(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().map_or_else(
        |_| {
            bare.eq_ignore_ascii_case("localhost")
                || bare.to_ascii_lowercase().ends_with(".localhost")
        },
        |ip| ip.is_loopback(),
    )
}
