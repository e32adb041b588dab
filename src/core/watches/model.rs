//! What a watch is made of, as the rest of the service sees it: parties, settings, hits,
//! decisions and alerts.

use super::super::changes::Entry;
use super::super::matching::Hit;
use super::super::model::{EntityType, Identifier};
use super::super::query;
use std::time::SystemTime;

/// The server's limits on watches.
#[derive(Debug, Clone)]
pub struct WatchLimits {
    /// Parties one watch may hold.
    pub max_parties: usize,
    /// Watches one client may hold.
    pub max_watches: usize,
    /// Alerts retained per watch for `Alerts` to resume from.
    pub alert_history: usize,
    /// The threshold of a watch created without one.
    pub default_threshold: f64,
}

impl Default for WatchLimits {
    fn default() -> Self {
        WatchLimits {
            max_parties: 1_000_000,
            max_watches: 100,
            alert_history: 100_000,
            default_threshold: query::DEFAULT_THRESHOLD,
        }
    }
}

/// One party of a client's book.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Party {
    pub reference: String,
    pub name: String,
    pub kind: Option<EntityType>,
    pub countries: Vec<String>,
    pub identifiers: Vec<Identifier>,
}

/// What a watch screens with.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct WatchSpec {
    pub name: String,
    pub threshold: f64,
    pub lists: Vec<String>,
    pub imposed_by: Vec<String>,
}

/// A watch as it is requested: the threshold may be left to the server.
#[derive(Debug, Clone, Default)]
pub struct NewWatch {
    pub name: String,
    pub threshold: Option<f64>,
    pub lists: Vec<String>,
    pub imposed_by: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Decision {
    FalsePositive,
    Confirmed,
}

/// A client's decision on one hit, with what it was decided on.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DecisionRecord {
    pub decision: Decision,
    pub note: String,
    pub decided_by: String,
    pub decided_at: SystemTime,
    /// The entity's names and identifiers, and the party, when decided.
    pub(super) entity_print: u64,
    pub(super) party_print: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    NewHit = 0,
    ChangedHit = 1,
    Cleared = 2,
}

/// One alert of one watch.
#[derive(Debug, Clone)]
pub struct Alert {
    /// Dense per watch, from 1.
    pub sequence: u64,
    pub kind: AlertKind,
    pub party: String,
    /// The hit now; for `Cleared`, as it last was.
    pub hit: Hit,
    /// The list-change sequence that caused it.
    pub cause: u64,
    pub reason: String,
    pub time: SystemTime,
}

impl Entry for Alert {
    fn sequence(&self) -> u64 {
        self.sequence
    }
    fn time(&self) -> SystemTime {
        self.time
    }
}

/// A watch's settings and counts, as `GetWatch` shows them.
#[derive(Debug, Clone)]
pub struct WatchInfo {
    pub id: String,
    pub spec: WatchSpec,
    pub parties: usize,
    pub hits: usize,
    pub open_hits: usize,
    pub sequence: u64,
    pub last_alert: u64,
    pub created_at: SystemTime,
}

/// One current hit with its decision, as `ListHits` shows it.
#[derive(Debug, Clone)]
pub struct HitView {
    pub party: String,
    pub hit: Hit,
    pub since: u64,
    pub decision: Option<DecisionRecord>,
}

/// A page of hits.
#[derive(Debug)]
pub struct HitPage {
    pub hits: Vec<HitView>,
    pub next_page_token: String,
    pub sequence: u64,
    pub last_alert: u64,
}
