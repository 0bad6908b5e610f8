//! Faces of a `Report`: plain text for a terminal, JSON for machines, markdown for tickets.
//! None of them decides anything; they only read the report.

pub mod diff;
pub mod explain;
pub mod json;
pub mod markdown;
pub mod sanitise;
pub mod summary;
pub mod text;

/// The output formats of `check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

pub use sanitise::plain;
