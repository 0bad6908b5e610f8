//! Gathering fact sources at once, each under the same guard: a deadline (where one applies)
//! and a panic guard, worded one way. `check` (the runner) and `collect` both gather through
//! here, so a source that hangs or crashes reads the same in a report and in a manifest.

use crate::evidence::FactSource;
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Why gathering one fact source gave nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatherFailure {
    #[error("gathering {what} crashed: {detail}")]
    Crashed { what: &'static str, detail: String },
    #[error("gathering {what} took longer than {seconds} s and was stopped")]
    TimedOut { what: &'static str, seconds: u64 },
}

/// One source's outcome and how long it took.
pub struct Finished<T> {
    pub source: FactSource,
    pub outcome: Result<T, GatherFailure>,
    pub took: Duration,
}

/// The sources being gathered; [`FanOut::next`] yields each as it finishes.
pub struct FanOut<T> {
    tasks: JoinSet<Finished<T>>,
}

impl<T: Send + 'static> Default for FanOut<T> {
    fn default() -> Self {
        FanOut {
            tasks: JoinSet::new(),
        }
    }
}

impl<T: Send + 'static> FanOut<T> {
    /// Gathers `source` with blocking `work` on its own thread, given up after `deadline`.
    pub fn spawn_blocking(
        &mut self,
        source: FactSource,
        deadline: Duration,
        work: impl FnOnce() -> T + Send + 'static,
    ) {
        self.spawn_async(source, Some(deadline), on_thread(work));
    }

    /// Gathers `source` with `work`, given up after `deadline` when there is one (a tenant
    /// read has none: its sign-in waits for a person, its calls have their own deadlines).
    /// A panic in `work` is caught either way.
    pub fn spawn_async(
        &mut self,
        source: FactSource,
        deadline: Option<Duration>,
        work: impl Future<Output = T> + Send + 'static,
    ) {
        let guarded = async move { tokio::spawn(work).await };
        self.tasks.spawn(async move {
            let began = Instant::now();
            let what = source.label();
            let joined = match deadline {
                Some(deadline) => tokio::time::timeout(deadline, guarded).await.map_err(|_| {
                    GatherFailure::TimedOut {
                        what,
                        seconds: deadline.as_secs(),
                    }
                }),
                None => Ok(guarded.await),
            };
            let outcome = joined.and_then(|result| {
                result.map_err(|crashed| GatherFailure::Crashed {
                    what,
                    detail: crashed.to_string(),
                })
            });
            Finished {
                source,
                outcome,
                took: began.elapsed(),
            }
        });
    }

    /// The next source to finish; `None` when all have (a task cancelled with the runtime is
    /// skipped: nothing is left to record).
    pub async fn next(&mut self) -> Option<Finished<T>> {
        while let Some(joined) = self.tasks.join_next().await {
            if let Ok(finished) = joined {
                return Some(finished);
            }
        }
        None
    }
}

/// Runs blocking `work` on a thread of its own; a panic there goes on in the caller (and so is
/// caught by the guard of the source it belongs to).
pub async fn on_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(done) => done,
        Err(crashed) => match crashed.try_into_panic() {
            Ok(payload) => std::panic::resume_unwind(payload),
            Err(cancelled) => std::panic::resume_unwind(Box::new(cancelled.to_string())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hang_and_a_panic_are_named_and_the_rest_arrive() {
        let mut fan = FanOut::default();
        fan.spawn_blocking(FactSource::Dsregcmd, Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(2));
            1
        });
        fan.spawn_async(FactSource::Graph, None, async { panic!("boom") });
        fan.spawn_blocking(FactSource::EdgeVersion, Duration::from_secs(5), || 3);
        let mut seen = Vec::new();
        while let Some(finished) = fan.next().await {
            seen.push((finished.source, finished.outcome));
        }
        seen.sort_by_key(|(source, _)| *source);
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0], (FactSource::EdgeVersion, Ok(3)));
        assert_eq!(
            seen[1].1.as_ref().map_err(ToString::to_string),
            Err("gathering dsregcmd /status took longer than 0 s and was stopped".to_owned())
        );
        let crashed = seen[2].1.as_ref().err().map(ToString::to_string);
        assert!(
            crashed.is_some_and(|c| c.starts_with("gathering Microsoft Graph licences crashed")),
            "{seen:?}"
        );
    }
}
