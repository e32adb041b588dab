//! The retained change log and the subscriptions that read it. The log is generic over what
//! it retains (`Entry`): list changes here, and each standing watch's alerts
//! (`core::watches`) in a log of their own, read by the same subscription loop.
//!
//! The single writer appends every change after it is visible in the index, then wakes the
//! subscribers through a `watch` channel carrying the latest sequence. Each subscription is a
//! task with its own cursor that copies changes into a small bounded channel: a slow client
//! fills only its own channel and never blocks the writer or the other subscribers. Replay of
//! history and live delivery are the same loop. A cursor that falls out of the retained window
//! ends the stream with `OutOfRange`; nothing is skipped silently.
//!
//! A subscription also ends, whatever its client's transport does, when the client has not
//! accepted anything for `SubscribeOptions::stall` while there was something to send (its
//! channel stayed full), at its deadline, and at shutdown. Why it ended is recorded in its
//! `Ending`, which the reading side turns into the stream's last status with the position to
//! resume from; a stalled client may never read again, so the task does not wait to tell it.

use super::model::Entity;
use super::{Error, Result};
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::{mpsc, watch};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Updated,
    Removed,
}

/// One change to one entity.
#[derive(Debug, Clone)]
pub struct Change {
    pub sequence: u64,
    pub kind: ChangeKind,
    /// The entity after the change; for removals, its last state.
    pub entity: Arc<Entity>,
    /// The imposing country of the entity's list (for subscription filters).
    pub imposing_country: String,
    pub time: SystemTime,
}

/// Something a log retains: numbered densely from 1, stamped with when it happened.
pub trait Entry: Send + Sync + 'static {
    fn sequence(&self) -> u64;
    fn time(&self) -> SystemTime;
}

impl Entry for Change {
    fn sequence(&self) -> u64 {
        self.sequence
    }
    fn time(&self) -> SystemTime {
        self.time
    }
}

/// What a subscription delivers.
#[derive(Debug, Clone)]
pub enum Delivery<T = Change> {
    Change(Arc<T>),
    /// Nothing to send for a while; `sequence` is how far the subscription has read.
    Heartbeat {
        sequence: u64,
        time: SystemTime,
    },
}

/// Which changes a subscriber wants. Empty sets mean "all".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub lists: HashSet<String>,
    pub imposed_by: HashSet<String>,
}

impl Filter {
    pub fn accepts(&self, change: &Change) -> bool {
        (self.lists.is_empty() || self.lists.contains(&change.entity.list))
            && (self.imposed_by.is_empty() || self.imposed_by.contains(&change.imposing_country))
    }
}

#[derive(Debug)]
struct Retained<T> {
    events: VecDeque<Arc<T>>,
    capacity: usize,
    /// Changes older than this are dropped too, where set.
    max_age: Option<Duration>,
}

impl<T: Entry> Retained<T> {
    /// Drops what the count and age limits no longer keep.
    fn trim(&mut self) {
        while self.events.len() > self.capacity {
            self.events.pop_front();
        }
        if let Some(max_age) = self.max_age {
            let cutoff = SystemTime::now().checked_sub(max_age);
            while self
                .events
                .front()
                .zip(cutoff)
                .is_some_and(|(c, cutoff)| c.time() < cutoff)
            {
                self.events.pop_front();
            }
        }
    }
}

/// The last `capacity` entries, in sequence order, without gaps.
#[derive(Debug)]
pub struct Log<T> {
    retained: RwLock<Retained<T>>,
    latest: watch::Sender<u64>,
    /// What an entry is called in messages ("change", "alert").
    noun: &'static str,
    /// What a reader whose position is no longer retained should do instead.
    recover: &'static str,
    /// Set when the log ends for good (a deleted watch's alerts): why, for its readers.
    closed: std::sync::OnceLock<Error>,
}

/// The log of list changes that `Subscribe` reads.
pub type ChangeLog = Log<Change>;

impl ChangeLog {
    pub fn new(capacity: usize) -> Self {
        Self::with_limits(capacity, None)
    }

    /// A log keeping at most `capacity` changes, none older than `max_age` (where set).
    pub fn with_limits(capacity: usize, max_age: Option<Duration>) -> Self {
        Log::retaining(
            capacity,
            max_age,
            "change",
            "re-read the entities with Catalog/ListEntities and subscribe again from the sequence it reports",
        )
    }
}

impl<T: Entry> Log<T> {
    /// A log keeping at most `capacity` entries, none older than `max_age` (where set);
    /// `noun` names an entry in messages, `recover` tells a reader that fell out of it what to
    /// do.
    pub fn retaining(
        capacity: usize,
        max_age: Option<Duration>,
        noun: &'static str,
        recover: &'static str,
    ) -> Self {
        Log {
            retained: RwLock::new(Retained {
                events: VecDeque::new(),
                capacity: capacity.max(1),
                max_age,
            }),
            latest: watch::Sender::new(0),
            noun,
            recover,
            closed: std::sync::OnceLock::new(),
        }
    }

    /// Ends the log for good: every subscription reading it ends with `why`.
    pub fn close(&self, why: Error) {
        let _ = self.closed.set(why);
        self.latest.send_modify(|_| {});
    }

    fn closed(&self) -> Option<Error> {
        self.closed.get().cloned()
    }

    /// Restores a log read back from the journal: `changes` (consecutive, oldest first, ending
    /// at `latest` if any) within the limits, and the latest sequence.
    pub fn restore(&self, latest: u64, changes: Vec<T>) {
        let mut retained = self.retained.write().unwrap_or_else(|e| e.into_inner());
        retained.events = changes.into_iter().map(Arc::new).collect();
        retained.trim();
        drop(retained);
        self.latest.send_replace(latest);
    }

    /// A receiver woken each time entries are appended (its value: the latest sequence).
    pub fn wake(&self) -> watch::Receiver<u64> {
        self.latest.subscribe()
    }

    /// The sequence of the last change appended (0 before any).
    pub fn latest(&self) -> u64 {
        *self.latest.borrow()
    }

    /// Appends changes (consecutive sequences following the latest) and wakes subscribers.
    /// Only the single writer calls this.
    pub fn append(&self, changes: Vec<T>) {
        let Some(last) = changes.last().map(|c| c.sequence()) else {
            return;
        };
        {
            let mut retained = self.retained.write().unwrap_or_else(|e| e.into_inner());
            for change in changes {
                debug_assert_eq!(
                    change.sequence(),
                    retained
                        .events
                        .back()
                        .map_or(change.sequence(), |c| c.sequence() + 1)
                );
                retained.events.push_back(Arc::new(change));
            }
            retained.trim();
        }
        self.latest.send_replace(last);
    }

    /// Up to `max` changes with a sequence above `after`.
    pub fn read_after(&self, after: u64, max: usize) -> Result<Vec<Arc<T>>> {
        let retained = self.retained.read().unwrap_or_else(|e| e.into_inner());
        let latest = retained
            .events
            .back()
            .map_or(self.latest(), |c| c.sequence());
        if after > latest {
            return Err(Error::OutOfRange(format!(
                "sequence {after} is ahead of the latest sequence {latest}; resume from a sequence this server reported"
            )));
        }
        if after == latest {
            return Ok(Vec::new());
        }
        let oldest = retained.events.front().map_or(latest + 1, |c| c.sequence());
        if after + 1 < oldest {
            return Err(Error::OutOfRange(format!(
                "sequence {after} is no longer retained (oldest retained {} is {oldest}, latest is {latest}); {}",
                self.noun,
                self.recover
            )));
        }
        let start = (after + 1 - oldest) as usize;
        Ok(retained.events.range(start..).take(max).cloned().collect())
    }

    /// The oldest retained sequence, if any change is retained.
    pub fn oldest(&self) -> Option<u64> {
        let retained = self.retained.read().unwrap_or_else(|e| e.into_inner());
        retained.events.front().map(|c| c.sequence())
    }

    /// The position a subscription asking for `from` starts after: the latest sequence for
    /// `None`, the start of the retained history for `Some(0)`.
    pub fn start(&self, from: Option<u64>) -> u64 {
        match from {
            Some(0) => self.oldest().map_or_else(|| self.latest(), |o| o - 1),
            Some(n) => n,
            None => self.latest(),
        }
    }

    /// A subscription reading changes after position `start` (see `start`): its deliveries,
    /// and the task that makes them, for the caller to spawn (the core spawns nothing). The task ends when the receiver is
    /// dropped, at shutdown, at the deadline, when the client stalls, or when its cursor falls
    /// out of the log; `guard` is dropped when it does, so whatever the caller registered for
    /// the subscription is released even if the client never reads again.
    #[allow(clippy::type_complexity)]
    pub fn subscribe(
        self: &Arc<Self>,
        start: u64,
        filter: impl Fn(&T) -> bool + Send + 'static,
        options: SubscribeOptions,
        shutdown: watch::Receiver<bool>,
        ending: Ending,
        guard: impl Send + 'static,
    ) -> Result<(
        mpsc::Receiver<Result<Delivery<T>>>,
        impl std::future::Future<Output = ()> + Send + 'static,
    )> {
        // Check the position now, so a bad one fails the call instead of the stream.
        self.read_after(start, 0)?;
        let (tx, rx) = mpsc::channel(options.buffer.max(1));
        let log = Arc::clone(self);
        let mut wake = self.latest.subscribe();
        let end = ending;
        let task = async move {
            let _guard = guard;
            let SubscribeOptions {
                heartbeat,
                stall,
                deadline,
                ..
            } = options;
            let deadline = deadline.map(tokio::time::Instant::from_std);
            let stopping = shutdown.clone();
            // The end the server decides whatever the client does: its deadline, or shutdown.
            let over = async move {
                let mut shutdown = shutdown;
                let expired = async move {
                    match deadline {
                        Some(at) => tokio::time::sleep_until(at).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    _ = expired => (EndReason::Deadline, deadline_passed()),
                    _ = shutdown.wait_for(|stop| *stop) => (EndReason::Shutdown, shutting_down()),
                }
            };
            tokio::pin!(over);
            let mut cursor = start;
            let mut last_sent = Instant::now();
            // Delivers one item (about position `$at`), waiting for room in the client's
            // channel; leaves the task when the subscription is over: the client went away,
            // accepted nothing for `stall`, fell out of the retained history while it waited
            // (checked as changes arrive), or the deadline or shutdown came.
            macro_rules! deliver {
                ($item:expr, $at:expr) => {{
                    let waiting = tokio::time::Instant::now() + stall;
                    let permit = loop {
                        tokio::select! {
                            permit = tx.reserve() => match permit {
                                Ok(permit) => break permit,
                                Err(_) => return,
                            },
                            _ = tokio::time::sleep_until(waiting) => {
                                end.set(EndReason::Stalled, Error::OutOfRange(format!(
                                    "this subscription accepted no data for {} s while changes were waiting; \
                                     the server ended it",
                                    stall.as_secs()
                                )));
                                return;
                            }
                            changed = wake.changed() => {
                                if changed.is_err() {
                                    return;
                                }
                                if let Some(why) = log.closed() {
                                    end.set(EndReason::Closed, why);
                                    return;
                                }
                                if let Err(e) = log.read_after($at, 0) {
                                    end.set(EndReason::FellBehind, e);
                                    return;
                                }
                            }
                            (reason, error) = &mut over => {
                                end.set(reason, error);
                                return;
                            }
                        }
                    };
                    permit.send($item);
                    last_sent = Instant::now();
                }};
            }
            loop {
                if *stopping.borrow() {
                    end.set(EndReason::Shutdown, shutting_down());
                    return;
                }
                if let Some(why) = log.closed() {
                    end.set(EndReason::Closed, why);
                    return;
                }
                match log.read_after(cursor, 256) {
                    Err(e) => {
                        end.set(EndReason::FellBehind, e);
                        return;
                    }
                    Ok(batch) if !batch.is_empty() => {
                        for change in batch {
                            if filter(&change) {
                                deliver!(Ok(Delivery::Change(Arc::clone(&change))), cursor);
                            }
                            cursor = change.sequence();
                        }
                        // A filtered subscriber that skips a long run still hears from us.
                        if last_sent.elapsed() >= heartbeat {
                            deliver!(Ok(heartbeat_at(cursor)), cursor);
                        }
                    }
                    Ok(_) => {
                        let idle = heartbeat.saturating_sub(last_sent.elapsed());
                        let beat = tokio::select! {
                            changed = wake.changed() => {
                                if changed.is_err() {
                                    return;
                                }
                                false
                            }
                            _ = tokio::time::sleep(idle) => true,
                            _ = tx.closed() => return,
                            (reason, error) = &mut over => {
                                end.set(reason, error);
                                return;
                            }
                        };
                        if beat {
                            deliver!(Ok(heartbeat_at(cursor)), cursor);
                        }
                    }
                }
            }
        };
        Ok((rx, task))
    }
}

fn shutting_down() -> Error {
    Error::Unavailable(
        "the server is shutting down; subscribe again (to another replica or after the restart)"
            .into(),
    )
}

fn deadline_passed() -> Error {
    Error::DeadlineExceeded("the subscription reached the deadline the caller set".into())
}

/// Why a subscription ended on the server's side (a client that goes away needs no reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// The client accepted nothing for the stall limit while there was something to send.
    Stalled,
    /// Its position fell out of the retained history.
    FellBehind,
    /// The caller's deadline passed.
    Deadline,
    /// The server is shutting down.
    Shutdown,
    /// The log ended for good (its watch was deleted).
    Closed,
}

/// The end of a subscription, shared between its task and whoever reads its channel.
#[derive(Debug, Clone, Default)]
pub struct Ending(Arc<Mutex<Option<(EndReason, Error)>>>);

impl Ending {
    fn set(&self, reason: EndReason, error: Error) {
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert((reason, error));
    }

    /// Why the subscription ended, and the error that says so, once it has.
    pub fn get(&self) -> Option<(EndReason, Error)> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// How one subscription runs.
#[derive(Debug, Clone)]
pub struct SubscribeOptions {
    pub heartbeat: Duration,
    /// Deliveries buffered for the client.
    pub buffer: usize,
    /// How long the client may accept nothing while there is something to send.
    pub stall: Duration,
    /// When the subscription ends, where the caller set a deadline.
    pub deadline: Option<Instant>,
}

fn heartbeat_at<T>(sequence: u64) -> Delivery<T> {
    Delivery::Heartbeat {
        sequence,
        time: SystemTime::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::EntityType;

    fn change(sequence: u64) -> Change {
        Change {
            sequence,
            kind: ChangeKind::Added,
            entity: Arc::new(Entity::new(
                &format!("T:{sequence}"),
                "T",
                EntityType::Unknown,
                &format!("n{sequence}"),
            )),
            imposing_country: "US".into(),
            time: SystemTime::now(),
        }
    }

    fn check(log: &ChangeLog, after: u64, expected: Result<Vec<u64>, &str>) {
        let got = log
            .read_after(after, 100)
            .map(|v| v.iter().map(|c| c.sequence).collect::<Vec<_>>());
        match expected {
            Ok(seqs) => assert_eq!(got, Ok(seqs), "after {after}"),
            Err(fragment) => match got {
                Err(Error::OutOfRange(msg)) => assert!(msg.contains(fragment), "{msg}"),
                other => panic!("after {after}: expected OutOfRange, got {other:?}"),
            },
        }
    }

    #[test]
    fn retains_a_window() {
        let log = ChangeLog::new(3);
        check(&log, 0, Ok(vec![]));
        log.append((1..=5).map(change).collect());
        check(&log, 2, Ok(vec![3, 4, 5]));
        check(&log, 4, Ok(vec![5]));
        check(&log, 5, Ok(vec![]));
        check(&log, 1, Err("oldest retained change is 3, latest is 5"));
        check(&log, 6, Err("ahead of the latest sequence 5"));
    }
}
