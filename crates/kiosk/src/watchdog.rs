//! systemd's readiness and watchdog notifications for the kiosk app.
//!
//! The app says `READY=1` once its first page has loaded, and feeds the watchdog (`WATCHDOG=1`)
//! every half of `WATCHDOG_USEC`, but only while its main loop is alive: each round the feeding
//! thread asks the main loop to run a tiny closure, and feeds only if the main loop ran the one
//! it was asked the round before. A hung main loop (a stuck command, a deadlock in the window)
//! stops the feeding, and systemd restarts the app. Nothing is sent when not under systemd (no
//! `NOTIFY_SOCKET`).
//!
//! The app runs as a child of the cage compositor, which systemd starts: `WATCHDOG_PID` then
//! names cage, our parent, and the unit says `NotifyAccess=all` so systemd takes our messages.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How often to feed systemd's watchdog, read from the environment systemd gives the service:
/// half of `WATCHDOG_USEC`, as `sd_watchdog_enabled(3)` advises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeedEvery(Duration);

impl FeedEvery {
    /// `None` when there is no watchdog: no `NOTIFY_SOCKET`, no (or a zero or garbled)
    /// `WATCHDOG_USEC`, or a `WATCHDOG_PID` that is neither this process nor its parent (the
    /// compositor that systemd started): the variables were meant for some other process.
    pub fn from_env(var: impl Fn(&str) -> Option<String>, own_pid: u32, parent_pid: u32) -> Option<Self> {
        var("NOTIFY_SOCKET").filter(|s| !s.is_empty())?;
        let usec: u64 = var("WATCHDOG_USEC")?.trim().parse().ok().filter(|&u| u > 0)?;
        if let Some(pid) = var("WATCHDOG_PID") {
            let pid: u32 = pid.trim().parse().ok()?;
            if pid != own_pid && pid != parent_pid {
                return None;
            }
        }
        Some(Self(Duration::from_micros(usec / 2)))
    }

    /// From this process's environment.
    pub fn from_process_env() -> Option<Self> {
        Self::from_env(
            |name| std::env::var(name).ok(),
            std::process::id(),
            std::os::unix::process::parent_id(),
        )
    }

    pub fn interval(self) -> Duration {
        self.0
    }
}

/// The liveness rule, without threads or clocks: a question per round, and a feed only when the
/// previous round's question was answered.
#[derive(Debug, Default)]
pub struct Liveness {
    asked: u64,
    answered: Arc<AtomicU64>,
}

/// What to do this round.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Round {
    /// Feed the watchdog: the main loop answered the previous question.
    pub feed: bool,
    /// The question to post to the main loop now; it answers with [`Answers::answer`].
    pub ask: u64,
}

/// The main loop's side: where it writes the number of the question it ran.
#[derive(Clone, Debug)]
pub struct Answers(Arc<AtomicU64>);

impl Answers {
    pub fn answer(&self, question: u64) {
        self.0.fetch_max(question, Ordering::SeqCst);
    }
}

impl Liveness {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn answers(&self) -> Answers {
        Answers(Arc::clone(&self.answered))
    }

    /// One round: feed if the last question was answered (never in the first round, before any
    /// question), then ask the next.
    pub fn round(&mut self) -> Round {
        let feed = self.asked > 0 && self.answered.load(Ordering::SeqCst) >= self.asked;
        self.asked += 1;
        Round {
            feed,
            ask: self.asked,
        }
    }
}

/// Tells systemd the app is ready (`READY=1`). Does nothing without `NOTIFY_SOCKET`.
pub fn notify_ready() -> std::io::Result<()> {
    sd_notify::notify(false, &[sd_notify::NotifyState::Ready])
}

/// Starts the feeding thread. `post` hands a closure to the main loop to run (the app:
/// `AppHandle::run_on_main_thread`); it answers `false` when the main loop is gone, and the
/// thread stops feeding for good.
pub fn spawn_feeder<P>(every: FeedEvery, post: P) -> std::io::Result<std::thread::JoinHandle<()>>
where
    P: Fn(Box<dyn FnOnce() + Send>) -> bool + Send + 'static,
{
    std::thread::Builder::new()
        .name("watchdog".into())
        .spawn(move || {
            let mut liveness = Liveness::new();
            let answers = liveness.answers();
            loop {
                let round = liveness.round();
                if round.feed {
                    if let Err(e) = sd_notify::notify(false, &[sd_notify::NotifyState::Watchdog]) {
                        tracing::warn!(error = %e, "cannot feed systemd's watchdog");
                    }
                } else if round.ask > 1 {
                    tracing::error!(
                        after_ms = every.interval().as_millis(),
                        "the main loop did not answer: not feeding the watchdog"
                    );
                }
                let answers = answers.clone();
                let question = round.ask;
                if !post(Box::new(move || answers.answer(question))) {
                    tracing::error!("the main loop is gone: the watchdog is no longer fed");
                    return;
                }
                std::thread::sleep(every.interval());
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn feeds_at_half_the_watchdog_period_for_this_process_or_its_compositor() {
        let vars = [
            ("NOTIFY_SOCKET", "/run/systemd/notify"),
            ("WATCHDOG_USEC", "30000000"),
        ];
        assert_eq!(
            FeedEvery::from_env(env(&vars), 10, 1).map(FeedEvery::interval),
            Some(Duration::from_secs(15))
        );
        let own = [
            ("NOTIFY_SOCKET", "@sd"),
            ("WATCHDOG_USEC", "2000000"),
            ("WATCHDOG_PID", "10"),
        ];
        assert!(FeedEvery::from_env(env(&own), 10, 1).is_some());
        let parent = [
            ("NOTIFY_SOCKET", "@sd"),
            ("WATCHDOG_USEC", "2000000"),
            ("WATCHDOG_PID", "7"),
        ];
        assert!(FeedEvery::from_env(env(&parent), 10, 7).is_some());
        let other = [
            ("NOTIFY_SOCKET", "@sd"),
            ("WATCHDOG_USEC", "2000000"),
            ("WATCHDOG_PID", "8"),
        ];
        assert_eq!(FeedEvery::from_env(env(&other), 10, 7), None);
        assert_eq!(
            FeedEvery::from_env(env(&[("WATCHDOG_USEC", "2000000")]), 10, 1),
            None
        );
        assert_eq!(FeedEvery::from_env(env(&[("NOTIFY_SOCKET", "@sd")]), 10, 1), None);
        let zero = [("NOTIFY_SOCKET", "@sd"), ("WATCHDOG_USEC", "0")];
        assert_eq!(FeedEvery::from_env(env(&zero), 10, 1), None);
    }

    #[test]
    fn feeds_only_when_the_main_loop_answered_the_last_question() {
        let mut liveness = Liveness::new();
        let answers = liveness.answers();
        let first = liveness.round();
        assert!(!first.feed, "nothing asked yet");
        answers.answer(first.ask);
        let second = liveness.round();
        assert!(second.feed);
        // The main loop hangs: the second question is never answered.
        let third = liveness.round();
        assert!(!third.feed);
        // A late answer to an old question does not count for the newer one.
        answers.answer(second.ask);
        assert!(!liveness.round().feed);
        // The loop is back: it answers the latest question, and feeding resumes.
        let latest = liveness.round();
        answers.answer(latest.ask);
        assert!(liveness.round().feed);
    }
}
