//! esr-doctor: finds out why Microsoft Edge sync / Enterprise State Roaming does not work for a
//! user, and says how to fix it.
//!
//! Where things live (the README's architecture table gives each module its tier, and
//! `tests/architecture.rs` keeps imports going down it): `evidence` and `model` are the shared
//! vocabulary; `facts` parses every kind of evidence; `sources` (bundles, demos, this device),
//! `cloud` (the tenant over HTTP) and `network` (probes) read it raw; `checks` decide;
//! `runner` owns a run's inputs and builds the `Report`; `report`, `tui` and `cli` are the
//! faces. `guidance` holds the fixes.

pub mod checks;
pub mod cli;
pub mod cloud;
pub mod collect;
pub mod config;
pub mod emulator;
pub mod evidence;
pub mod facts;
pub mod guidance;
pub mod i18n;
pub mod logging;
pub mod model;
pub mod network;
pub mod output;
pub mod prerequisites;
pub mod reasons;
pub mod redact;
pub mod report;
pub mod runner;
pub mod sources;
pub mod tui;
pub mod verdict;
