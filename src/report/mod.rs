//! Faces of a `Report`: plain text for a terminal, JSON for machines, markdown for tickets,
//! one line for Intune Remediations, JUnit XML for pipelines.
//! None of them decides anything; they only read the report.

pub mod diff;
pub mod explain;
pub mod fix;
pub mod intune;
pub mod json;
pub mod junit;
pub mod localise;
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
    /// One line of at most 2,048 characters; exit 1 when something must be fixed.
    Intune,
    Junit,
}

pub use sanitise::plain;
