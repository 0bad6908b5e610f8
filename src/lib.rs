//! esr-doctor: finds out why Microsoft Edge sync / Enterprise State Roaming does not work for a
//! user, and says how to fix it.
//!
//! Where things live: `sources` (raw evidence) → `facts` (parsers, typed facts) and `cloud` /
//! `network` (service answers) → `checks` (pure decisions) → `runner` (concurrency, events,
//! the `Report`) → `report` (text, JSON, markdown faces). `guidance` holds the fixes.

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
pub mod redact;
pub mod report;
pub mod runner;
pub mod sources;
pub mod tui;
pub mod verdict;
