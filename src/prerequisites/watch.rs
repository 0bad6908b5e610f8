//! Watching a fix take effect: after the admin applied a fix, its step re-checks on its own,
//! first soon and then less and less often (RMS and ESR changes take minutes to show), until
//! it turns green or the admin stops watching.

use std::time::{Duration, Instant};

/// When re-checks happen: `first` after the fix, then each wait doubled up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
}

impl Backoff {
    /// A real tenant: Microsoft's services take minutes to show a change.
    pub const TENANT: Backoff = Backoff {
        first: Duration::from_secs(10),
        max: Duration::from_secs(120),
    };

    /// The demo tenant: the same rhythm, fast enough for a room.
    pub const DEMO: Backoff = Backoff {
        first: Duration::from_millis(500),
        max: Duration::from_secs(4),
    };

    /// The wait before re-check number `done + 1`, after `done` re-checks.
    pub fn wait(&self, done: u32) -> Duration {
        let factor = 1u32.checked_shl(done.min(16)).unwrap_or(u32::MAX);
        self.first.saturating_mul(factor).min(self.max)
    }
}

/// One step being watched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    /// When the admin said the fix was applied.
    pub since: Instant,
    /// Re-checks finished so far.
    pub checks: u32,
    /// When the next re-check starts.
    pub next: Instant,
    /// A re-check is running now.
    pub running: bool,
    /// When the step turned green (the watch then ends).
    pub green_at: Option<Instant>,
}

impl Watch {
    pub fn start(now: Instant, backoff: Backoff) -> Watch {
        Watch {
            since: now,
            checks: 0,
            next: now + backoff.wait(0),
            running: false,
            green_at: None,
        }
    }

    /// Whether a re-check should start now.
    pub fn due(&self, now: Instant) -> bool {
        self.green_at.is_none() && !self.running && now >= self.next
    }

    /// A re-check finished: the watch ends when the step is done, else waits longer.
    pub fn checked(&mut self, now: Instant, done: bool, backoff: Backoff) {
        self.running = false;
        self.checks += 1;
        if done {
            self.green_at = Some(now);
        } else {
            self.next = now + backoff.wait(self.checks);
        }
    }
}

/// `m:ss` for a duration on screen.
pub fn clock(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs();
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap() {
        let waits: Vec<u64> = (0..7).map(|n| Backoff::TENANT.wait(n).as_secs()).collect();
        assert_eq!(waits, [10, 20, 40, 80, 120, 120, 120]);
        assert_eq!(Backoff::DEMO.wait(u32::MAX), Backoff::DEMO.max);
    }

    #[test]
    fn a_watch_rechecks_with_growing_gaps_until_green() {
        let start = Instant::now();
        let mut watch = Watch::start(start, Backoff::DEMO);
        assert!(!watch.due(start));
        let first = start + Duration::from_millis(500);
        assert!(watch.due(first));
        watch.running = true;
        assert!(!watch.due(first), "one re-check at a time");
        watch.checked(first, false, Backoff::DEMO);
        assert_eq!(watch.next, first + Duration::from_secs(1));
        watch.checked(watch.next, true, Backoff::DEMO);
        assert_eq!(watch.checks, 2);
        assert!(watch.green_at.is_some());
        assert!(!watch.due(start + Duration::from_secs(60)), "ended");
    }

    #[test]
    fn clock_reads_minutes_and_seconds() {
        assert_eq!(clock(Duration::from_secs(75)), "1:15");
        assert_eq!(clock(Duration::from_millis(900)), "0:00");
    }
}
