//! The gRPC adapters: one file per service. A handler validates and converts its request
//! (`convert`), checks the caller where it must (`auth`), calls the core, and converts back.

pub mod admin;
pub mod auth;
pub mod catalog;
pub mod changes;
pub mod convert;
pub mod deadline;
pub mod health;
pub mod screening;
mod status;
pub mod watches;

use crate::core::changes::{EndReason, Ending};
use crate::core::snapshot::Snapshot;
use crate::core::store::Store;
use crate::core::Error;
use crate::feeds::Feeds;
use crate::metrics::Metrics;
use dashmap::DashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::watch;

/// Service settings the handlers need.
#[derive(Debug, Clone)]
pub struct Limits {
    pub default_threshold: f64,
    pub heartbeat: Duration,
    pub max_subscribers: usize,
    /// Deliveries buffered per subscriber before it is considered slow.
    pub subscriber_buffer: usize,
    /// How long a subscriber may accept nothing while changes wait before it is ended.
    pub subscriber_stall: Duration,
}

/// What a subscriber asked for, kept while its stream is open.
#[derive(Debug, Clone)]
pub struct SubscriberInfo {
    pub since: SystemTime,
    pub from_sequence: Option<u64>,
}

/// State shared by every handler.
#[derive(Debug)]
pub struct Shared {
    pub store: Arc<Store>,
    pub feeds: Arc<Feeds>,
    pub metrics: Metrics,
    pub limits: Limits,
    ready: AtomicBool,
    shutdown: watch::Receiver<bool>,
    subscribers: DashMap<u64, SubscriberInfo>,
    next_subscriber: AtomicU64,
    /// The standing watches, once the server has opened them (for the metrics).
    watches: std::sync::OnceLock<Arc<crate::core::watches::Watches>>,
}

impl Shared {
    pub fn new(
        store: Arc<Store>,
        feeds: Arc<Feeds>,
        limits: Limits,
        shutdown: watch::Receiver<bool>,
    ) -> Arc<Self> {
        Arc::new(Shared {
            store,
            feeds,
            metrics: Metrics::new(),
            limits,
            ready: AtomicBool::new(false),
            shutdown,
            subscribers: DashMap::new(),
            next_subscriber: AtomicU64::new(1),
            watches: std::sync::OnceLock::new(),
        })
    }

    /// Hands the metrics the standing watches to sample.
    pub fn attach_watches(&self, watches: Arc<crate::core::watches::Watches>) {
        let _ = self.watches.set(watches);
    }

    pub fn set_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    /// The current snapshot, once the data is loaded.
    fn snapshot(&self) -> Result<Arc<Snapshot>, Error> {
        if self.ready.load(Ordering::Acquire) {
            Ok(self.store.snapshot())
        } else {
            Err(Error::Unavailable(
                "the server is still loading its data; retry shortly (grpc.health.v1 reports SERVING when ready)"
                    .into(),
            ))
        }
    }

    pub fn subscriber_count(&self) -> usize {
        self.subscribers.len()
    }

    /// What the metrics' state gauges show, now.
    pub fn metrics_state(&self) -> crate::metrics::State {
        let snapshot = self.store.snapshot();
        let now = SystemTime::now();
        crate::metrics::State {
            sequence: snapshot.sequence,
            retained_oldest: self.store.log().oldest().unwrap_or(0),
            subscribers: self.subscriber_count(),
            lists: snapshot
                .lists
                .iter()
                .map(|(code, list)| crate::metrics::ListGauge {
                    list: code.clone(),
                    imposed_by: list.meta.imposing_country.clone(),
                    source: list.source.clone(),
                    entities: list.entity_count,
                })
                .collect(),
            sources: self
                .feeds
                .statuses()
                .into_iter()
                .map(|status| crate::metrics::SourceGauge {
                    age_seconds: status
                        .last_success
                        .or(status.data_fetched_at)
                        .and_then(|t| now.duration_since(t).ok())
                        .map_or(f64::NAN, |d| d.as_secs_f64()),
                    up: status.state == crate::feeds::SourceState::Ok,
                    source: status.id,
                })
                .collect(),
            watches: self
                .watches
                .get()
                .map(|w| {
                    let totals = w.totals();
                    crate::metrics::WatchGauge {
                        watches: totals.watches,
                        parties: totals.parties,
                        alerts: totals.alerts,
                    }
                })
                .unwrap_or_default(),
        }
    }
}

/// The deadline a caller set (`grpc-timeout`), counted from now.
fn deadline(metadata: &tonic::metadata::MetadataMap) -> Option<std::time::Instant> {
    deadline::parse(metadata.get("grpc-timeout")?.to_str().ok()?)
}

/// Holds a subscriber's slot in the registry while its subscription runs; dropped when the
/// subscription's task ends, which it does even for a client that never reads again. Counts
/// why it ended.
#[derive(Debug)]
struct SubscriberGuard {
    id: u64,
    shared: Arc<Shared>,
    ending: Ending,
}

impl Drop for SubscriberGuard {
    fn drop(&mut self) {
        self.shared.subscribers.remove(&self.id);
        let reason = match self.ending.get().map(|(reason, _)| reason) {
            Some(EndReason::Stalled) => "stalled",
            Some(EndReason::FellBehind) => "fell_behind",
            Some(EndReason::Deadline) => "deadline",
            Some(EndReason::Shutdown) => "shutdown",
            Some(EndReason::Closed) => "closed",
            None => "client_closed",
        };
        self.shared.metrics.disconnected(reason);
    }
}
