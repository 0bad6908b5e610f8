//! Network reach facts. Live probes (DNS, TCP, TLS, HTTP per address family) arrive in a later
//! release; today the facts come from a recorded `cloud/network.json`.

pub mod reach;
