//! The vocabulary every layer shares about evidence: the files of one run and the bundle layout
//! that names them, what a file is about (its fact source) and which platform it comes from,
//! bounded reads, the text and JSON decoders, which cloud a host belongs to, and the scrubbing
//! of secrets and control characters before anything is shown. It imports only the model.

mod files;
pub mod hosts;
pub mod json;
pub mod layout;
pub mod plain;
pub mod read;
pub mod secrets;
mod source;
pub mod text;

pub use files::EvidenceFiles;
pub use hosts::Cloud;
pub use plain::plain;
pub use source::{FactSource, Platform};
