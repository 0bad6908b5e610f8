//! Network reach: live probes (`probe`, with `proxy` and `tls`) and the facts they produce
//! (`reach`), which bundles also carry as a recorded `cloud/network.json`.

pub mod probe;
pub mod proxy;
pub mod reach;
pub mod tls;
