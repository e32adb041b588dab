//! The gRPC adapters: one file per service. A handler validates and converts its request
//! (`convert`), checks the caller where it must (`auth`), calls the core, and converts back.

pub mod admin;
pub mod auth;
pub mod catalog;
pub mod changes;
mod convert;
pub mod screening;
mod status;

use crate::core::store::{Snapshot, Store};
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
        })
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
}

/// Removes a subscriber from the registry when its stream is dropped, and counts why it ended.
#[derive(Debug)]
struct SubscriberGuard {
    id: u64,
    shared: Arc<Shared>,
    /// Set when the stream ended because the subscriber fell out of the retained history.
    fell_behind: AtomicBool,
}

impl Drop for SubscriberGuard {
    fn drop(&mut self) {
        self.shared.subscribers.remove(&self.id);
        let reason = if self.fell_behind.load(Ordering::Relaxed) {
            "fell_behind"
        } else if *self.shared.shutdown.borrow() {
            "shutdown"
        } else {
            "client_closed"
        };
        self.shared.metrics.disconnected(reason);
    }
}
