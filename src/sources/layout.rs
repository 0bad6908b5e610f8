//! The bundle layout: where each kind of evidence lives in a bundle (README "Evidence bundles").
//! Every writer (`collect`, the device gatherers) and every reader (`facts::gather`, the bundle
//! loader) names files from here, so the layout is written once.

pub const MANIFEST: &str = "manifest.json";
pub const DSREGCMD: &str = "dsregcmd.txt";
pub const EDGE_VERSION: &str = "edge/version.txt";
pub const EDGE_LOCAL_STATE: &str = "edge/Local State";
pub const EDGE_POLICIES_JSON: &str = "edge/policies.json";
pub const EDGE_POLICIES_REG: &str = "edge/policies.reg.txt";
pub const SYNC_INTERNALS: &str = "edge/sync-internals.json";
pub const SETTING_SYNC_REG: &str = "windows/settingsync.reg.txt";
pub const WHOAMI: &str = "windows/whoami.txt";
pub const WINHTTP_PROXY: &str = "windows/winhttp-proxy.txt";
pub const INTERNET_SETTINGS_REG: &str = "windows/internet-settings.reg.txt";
pub const NETWORK: &str = "cloud/network.json";
/// Where bundles of an earlier layout kept the probe results.
pub const NETWORK_AT_ROOT: &str = "network.json";
