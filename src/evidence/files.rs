//! The raw evidence of one run, keyed by its path in the bundle layout.

use std::collections::BTreeMap;

/// Raw evidence files keyed by their path in the bundle layout (`/`-separated), and the files
/// that were there but refused (too large, not a regular file) with the reason.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvidenceFiles {
    files: BTreeMap<String, Vec<u8>>,
    refused: BTreeMap<String, String>,
}

impl EvidenceFiles {
    pub fn insert(&mut self, path: &str, bytes: Vec<u8>) {
        self.files.insert(normalise(path), bytes);
    }

    /// Records that `path` exists but was not read, and why.
    pub fn refuse(&mut self, path: &str, reason: impl ToString) {
        self.refused.insert(normalise(path), reason.to_string());
    }

    /// Files that exist but were not read, with the reason.
    pub fn refused(&self) -> impl Iterator<Item = (&str, &str)> {
        self.refused.iter().map(|(p, r)| (p.as_str(), r.as_str()))
    }

    /// Adds every file of `other`, read or refused.
    pub fn extend(&mut self, other: EvidenceFiles) {
        self.files.extend(other.files);
        self.refused.extend(other.refused);
    }

    pub fn remove(&mut self, path: &str) {
        self.files.remove(&normalise(path));
    }

    pub fn bytes(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// The file decoded to text (see `text::decode`).
    pub fn text(&self, path: &str) -> Option<String> {
        self.bytes(path).map(super::text::decode)
    }

    /// Paths directly or indirectly under `folder/`, in order.
    pub fn under<'a>(&'a self, folder: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.files.keys().map(String::as_str).filter(move |p| {
            p.strip_prefix(folder)
                .is_some_and(|rest| rest.starts_with('/'))
        })
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.refused.is_empty()
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Drops one leading folder that holds everything (zips of a folder often carry it).
    pub fn without_common_root(self) -> EvidenceFiles {
        let first = self
            .files
            .keys()
            .next()
            .and_then(|p| p.split_once('/'))
            .map(|(r, _)| r.to_owned());
        let Some(root) = first else { return self };
        let prefix = format!("{root}/");
        let known = ["edge", "windows", "cloud"];
        let all_under = self
            .files
            .keys()
            .chain(self.refused.keys())
            .all(|p| p.starts_with(&prefix));
        if known.contains(&root.as_str()) || !all_under {
            return self;
        }
        let strip = |p: String| p[prefix.len()..].to_owned();
        EvidenceFiles {
            files: self.files.into_iter().map(|(p, b)| (strip(p), b)).collect(),
            refused: self
                .refused
                .into_iter()
                .map(|(p, r)| (strip(p), r))
                .collect(),
        }
    }
}

fn normalise(path: &str) -> String {
    path.replace('\\', "/")
        .trim_start_matches("./")
        .trim_matches('/')
        .to_owned()
}
