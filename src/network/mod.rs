//! Network reach from this device: live probes (`probe`, through a proxy `tunnel`, recording the
//! certificate issuer with `tls`). They produce `facts::reach::ReachFacts`, which bundles also
//! carry as a recorded `cloud/network.json`.

pub mod probe;
pub mod tls;
pub mod tunnel;
