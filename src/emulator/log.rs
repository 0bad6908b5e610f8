//! The emulator's request log, and the critical path computed from it: the longest chain of
//! requests where each used what an earlier one returned (a device code, a refresh token, an
//! access token, the admin URL from the service locator), weighted by how long each took.

use serde::Serialize;
use std::time::Duration;

/// One request the emulator served (or refused to).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    pub id: u64,
    /// The endpoint's name (`graph licenseDetails`, ...), or `unknown`.
    pub endpoint: &'static str,
    pub method: String,
    /// The path without its query string (no secret ever travels in a path).
    pub path: String,
    /// `None` when the connection was dropped or stalled instead of answered.
    pub status: Option<u16>,
    /// The scope of the access token presented, if any.
    pub audience: Option<String>,
    pub started_ms: f64,
    /// The wall-clock start (ms since 1970), to line the log up with what a person did.
    pub started_unix_ms: u64,
    pub finished_ms: f64,
    /// Requests whose output this one used.
    pub depends_on: Vec<u64>,
}

impl LogEntry {
    pub fn duration(&self) -> Duration {
        Duration::from_secs_f64(((self.finished_ms - self.started_ms) / 1000.0).max(0.0))
    }
}

/// The longest dependent chain of a log.
#[derive(Debug, Clone, PartialEq)]
pub struct CriticalPath {
    pub total: Duration,
    /// The chain's requests, first to last.
    pub chain: Vec<u64>,
}

/// Computes the critical path (requests are numbered in arrival order, and a request only
/// depends on earlier ones).
pub fn critical_path(log: &[LogEntry]) -> CriticalPath {
    let mut entries: Vec<&LogEntry> = log.iter().collect();
    entries.sort_by_key(|e| e.id);
    let mut best: std::collections::HashMap<u64, (Duration, Option<u64>)> =
        std::collections::HashMap::new();
    for entry in &entries {
        let parent = entry
            .depends_on
            .iter()
            .filter_map(|d| best.get(d).map(|(total, _)| (*total, *d)))
            .max_by_key(|(total, _)| *total);
        let total = entry.duration() + parent.map(|(t, _)| t).unwrap_or_default();
        best.insert(entry.id, (total, parent.map(|(_, d)| d)));
    }
    let Some((&last, &(total, _))) = best.iter().max_by_key(|(_, (t, _))| *t) else {
        return CriticalPath {
            total: Duration::ZERO,
            chain: Vec::new(),
        };
    };
    let mut chain = vec![last];
    let mut at = last;
    while let Some(&(_, Some(parent))) = best.get(&at) {
        chain.push(parent);
        at = parent;
    }
    chain.reverse();
    CriticalPath { total, chain }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u64, start: f64, end: f64, depends_on: &[u64]) -> LogEntry {
        LogEntry {
            id,
            endpoint: "x",
            method: "GET".into(),
            path: "/".into(),
            status: Some(200),
            audience: None,
            started_ms: start,
            started_unix_ms: 0,
            finished_ms: end,
            depends_on: depends_on.to_vec(),
        }
    }

    #[test]
    fn the_longest_weighted_chain_wins() {
        let log = [
            entry(1, 0.0, 100.0, &[]),
            entry(2, 100.0, 200.0, &[1]),
            entry(3, 200.0, 250.0, &[2]),
            entry(4, 200.0, 500.0, &[2]),
            entry(5, 0.0, 150.0, &[]),
        ];
        let path = critical_path(&log);
        assert_eq!(path.chain, [1, 2, 4]);
        assert_eq!(path.total, Duration::from_millis(500));
        assert_eq!(critical_path(&[]).total, Duration::ZERO);
    }
}
