//! Watches kept in the data directory (`watches.redb`, beside the lists' journal): each
//! watch's settings and position, its parties, hits, decisions and retained alerts. Every
//! change to a watch is written in one transaction, with one fsync, before it is visible: an
//! alert is delivered only once it is on disk, together with the hits and the list-change
//! position it brought the watch to. After a crash a watch resumes from that position, so no
//! alert is lost (its change is evaluated again) and none is repeated (it was never written).

use super::book::{Book, CurrentHit};
use super::{Alert, AlertKind, DecisionRecord, Party, WatchSpec};
use crate::core::matching::{Feature, Hit};
use crate::core::model::{Entity, NameKind};
use crate::core::{Error, Result};
use redb::{Database, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

const FILE: &str = "watches.redb";
const WATCHES: TableDefinition<&str, &[u8]> = TableDefinition::new("watches");
const PARTIES: TableDefinition<&str, &[u8]> = TableDefinition::new("parties");
const HITS: TableDefinition<&str, &[u8]> = TableDefinition::new("hits");
const DECISIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("decisions");
const ALERTS: TableDefinition<&str, &[u8]> = TableDefinition::new("alerts");
/// Separates the parts of a key: a watch id, a party reference, an entity id.
const SEP: char = '\u{1f}';

/// A watch's own record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct WatchRecord {
    pub owner: String,
    pub spec: WatchSpec,
    pub created_at: SystemTime,
    pub sequence: u64,
    pub last_alert: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredHit {
    entity: Entity,
    score: f64,
    matched_name: String,
    matched_kind: String,
    features: Vec<(String, f64, f64)>,
    since: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredAlert {
    sequence: u64,
    kind: String,
    party: String,
    hit: StoredHit,
    cause: u64,
    reason: String,
    time: SystemTime,
}

/// One watch as read back.
#[derive(Debug)]
pub(super) struct Restored {
    pub id: String,
    pub record: WatchRecord,
    pub parties: Vec<Party>,
    pub hits: BTreeMap<(String, String), CurrentHit>,
    pub decisions: Vec<((String, String), DecisionRecord)>,
    pub alerts: Vec<Alert>,
}

/// What changed in a book since it was last written: keys whose current state is written
/// (or deleted, where the book no longer has them).
#[derive(Debug, Default)]
pub(super) struct Dirty {
    pub parties: BTreeSet<String>,
    pub hits: BTreeSet<(String, String)>,
    pub decisions: BTreeSet<(String, String)>,
}

#[derive(Debug)]
pub(super) struct Journal {
    db: Database,
    path: PathBuf,
}

fn key(parts: &[&str]) -> String {
    parts.join(&SEP.to_string())
}

fn alert_key(watch: &str, sequence: u64) -> String {
    format!("{watch}{SEP}{sequence:020}")
}

/// A feature's name as the matcher's `&'static str`: the names are a small fixed set, each
/// kept once.
fn feature_name(name: &str) -> &'static str {
    static NAMES: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    let names = names.get_or_insert_with(HashSet::new);
    if let Some(known) = names.get(name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.insert(leaked);
    leaked
}

fn name_kind(kind: &str) -> NameKind {
    match kind {
        "alias" => NameKind::Alias,
        "native" => NameKind::Native,
        "identifier" => NameKind::Identifier,
        _ => NameKind::Primary,
    }
}

fn stored_hit(hit: &Hit, since: u64) -> StoredHit {
    StoredHit {
        entity: (*hit.entity).clone(),
        score: hit.score,
        matched_name: hit.matched_name.clone(),
        matched_kind: hit.matched_kind.as_str().to_string(),
        features: hit
            .features
            .iter()
            .map(|f| (f.name.to_string(), f.value, f.weight))
            .collect(),
        since,
    }
}

fn hit_of(stored: StoredHit) -> (Hit, u64) {
    let hit = Hit {
        entity: Arc::new(stored.entity),
        score: stored.score,
        matched_name: stored.matched_name,
        matched_kind: name_kind(&stored.matched_kind),
        features: stored
            .features
            .into_iter()
            .map(|(name, value, weight)| Feature {
                name: feature_name(&name),
                value,
                weight,
            })
            .collect(),
        same_party: Vec::new(),
    };
    (hit, stored.since)
}

fn alert_kind(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::NewHit => "new_hit",
        AlertKind::ChangedHit => "changed_hit",
        AlertKind::Cleared => "cleared",
    }
}

impl Journal {
    /// Opens (or creates) `watches.redb` in `dir` and reads back every watch.
    pub fn open(dir: &Path) -> Result<(Journal, Vec<Restored>)> {
        let (db, path) = crate::core::journal::open_database(dir, FILE)?;
        let journal = Journal { db, path };
        let restored = journal.read().map_err(|e| journal.broken(e))?;
        Ok((journal, restored))
    }

    fn broken(&self, e: impl std::fmt::Display) -> Error {
        Error::Unavailable(format!(
            "the watches journal {} failed: {e}",
            self.path.display()
        ))
    }

    fn read(&self) -> std::result::Result<Vec<Restored>, String> {
        let txn = self.db.begin_read().map_err(|e| e.to_string())?;
        let s = |e: &dyn std::fmt::Display| e.to_string();
        let Ok(watches) = txn.open_table(WATCHES) else {
            return Ok(Vec::new()); // a new file
        };
        let parties = txn.open_table(PARTIES).map_err(|e| s(&e))?;
        let hits = txn.open_table(HITS).map_err(|e| s(&e))?;
        let decisions = txn.open_table(DECISIONS).map_err(|e| s(&e))?;
        let alerts = txn.open_table(ALERTS).map_err(|e| s(&e))?;
        let mut out = Vec::new();
        for row in watches.iter().map_err(|e| s(&e))? {
            let (id, value) = row.map_err(|e| s(&e))?;
            let id = id.value().to_string();
            let record: WatchRecord =
                serde_json::from_slice(value.value()).map_err(|e| format!("watch {id}: {e}"))?;
            let prefix = format!("{id}{SEP}");
            let mut restored = Restored {
                id: id.clone(),
                record,
                parties: Vec::new(),
                hits: BTreeMap::new(),
                decisions: Vec::new(),
                alerts: Vec::new(),
            };
            for row in parties.range(prefix.as_str()..).map_err(|e| s(&e))? {
                let (k, v) = row.map_err(|e| s(&e))?;
                if !k.value().starts_with(&prefix) {
                    break;
                }
                restored.parties.push(
                    serde_json::from_slice(v.value())
                        .map_err(|e| format!("party {}: {e}", k.value()))?,
                );
            }
            for (party, entity, value) in keyed(&hits, &prefix)? {
                let stored: StoredHit = serde_json::from_slice(&value)
                    .map_err(|e| format!("hit {party} {entity}: {e}"))?;
                let (hit, since) = hit_of(stored);
                restored
                    .hits
                    .insert((party, entity), CurrentHit { hit, since });
            }
            for (party, entity, value) in keyed(&decisions, &prefix)? {
                let decision: DecisionRecord = serde_json::from_slice(&value)
                    .map_err(|e| format!("decision {party} {entity}: {e}"))?;
                restored.decisions.push(((party, entity), decision));
            }
            for row in alerts.range(prefix.as_str()..).map_err(|e| s(&e))? {
                let (k, v) = row.map_err(|e| s(&e))?;
                if !k.value().starts_with(&prefix) {
                    break;
                }
                let stored: StoredAlert = serde_json::from_slice(v.value())
                    .map_err(|e| format!("alert {}: {e}", k.value()))?;
                let (hit, _) = hit_of(stored.hit);
                restored.alerts.push(Alert {
                    sequence: stored.sequence,
                    kind: match stored.kind.as_str() {
                        "changed_hit" => AlertKind::ChangedHit,
                        "cleared" => AlertKind::Cleared,
                        _ => AlertKind::NewHit,
                    },
                    party: stored.party,
                    hit,
                    cause: stored.cause,
                    reason: stored.reason,
                    time: stored.time,
                });
            }
            out.push(restored);
        }
        Ok(out)
    }

    /// Writes what changed in `book` (its record, the dirty parties, hits and decisions as
    /// the book now has them) and `alerts`, dropping alerts below `keep_from`. One fsync.
    pub fn write(
        &self,
        owner: &str,
        book: &Book,
        dirty: &Dirty,
        alerts: &[Alert],
        keep_from: u64,
    ) -> Result<()> {
        self.write_inner(owner, book, dirty, alerts, keep_from)
            .map_err(|e| self.broken(e))
    }

    fn write_inner(
        &self,
        owner: &str,
        book: &Book,
        dirty: &Dirty,
        alerts: &[Alert],
        keep_from: u64,
    ) -> std::result::Result<(), String> {
        let s = |e: &dyn std::fmt::Display| e.to_string();
        let id = book.id.as_str();
        let mut txn = self.db.begin_write().map_err(|e| s(&e))?;
        txn.set_durability(redb::Durability::Immediate);
        {
            let mut watches = txn.open_table(WATCHES).map_err(|e| s(&e))?;
            let record = WatchRecord {
                owner: owner.to_string(),
                spec: book.spec.clone(),
                created_at: book.created_at,
                sequence: book.sequence,
                last_alert: book.last_alert,
            };
            watches
                .insert(id, json(&record)?.as_slice())
                .map_err(|e| s(&e))?;
            let mut parties = txn.open_table(PARTIES).map_err(|e| s(&e))?;
            for reference in &dirty.parties {
                let value = book
                    .parties
                    .get(reference)
                    .map(|p| json(&**p))
                    .transpose()?;
                put_or_remove(&mut parties, &key(&[id, reference]), value)?;
            }
            let mut hits = txn.open_table(HITS).map_err(|e| s(&e))?;
            for (party, entity) in &dirty.hits {
                let value = book
                    .hits
                    .get(&(party.clone(), entity.clone()))
                    .map(|c| json(&stored_hit(&c.hit, c.since)))
                    .transpose()?;
                put_or_remove(&mut hits, &key(&[id, party, entity]), value)?;
            }
            let mut decisions = txn.open_table(DECISIONS).map_err(|e| s(&e))?;
            for (party, entity) in &dirty.decisions {
                let value = book
                    .decisions
                    .get(&(party.clone(), entity.clone()))
                    .map(json)
                    .transpose()?;
                put_or_remove(&mut decisions, &key(&[id, party, entity]), value)?;
            }
            let mut log = txn.open_table(ALERTS).map_err(|e| s(&e))?;
            for alert in alerts {
                let stored = StoredAlert {
                    sequence: alert.sequence,
                    kind: alert_kind(alert.kind).to_string(),
                    party: alert.party.clone(),
                    hit: stored_hit(&alert.hit, 0),
                    cause: alert.cause,
                    reason: alert.reason.clone(),
                    time: alert.time,
                };
                log.insert(
                    alert_key(id, alert.sequence).as_str(),
                    json(&stored)?.as_slice(),
                )
                .map_err(|e| s(&e))?;
            }
            if keep_from > 1 {
                let (from, to) = (alert_key(id, 0), alert_key(id, keep_from));
                log.retain_in(from.as_str()..to.as_str(), |_, _| false)
                    .map_err(|e| s(&e))?;
            }
        }
        txn.commit().map_err(|e| s(&e))
    }

    /// Deletes a watch and everything it holds. One fsync.
    pub fn delete(&self, id: &str) -> Result<()> {
        self.delete_inner(id).map_err(|e| self.broken(e))
    }

    fn delete_inner(&self, id: &str) -> std::result::Result<(), String> {
        let s = |e: &dyn std::fmt::Display| e.to_string();
        let mut txn = self.db.begin_write().map_err(|e| s(&e))?;
        txn.set_durability(redb::Durability::Immediate);
        {
            txn.open_table(WATCHES)
                .map_err(|e| s(&e))?
                .remove(id)
                .map_err(|e| s(&e))?;
            let (from, to) = (format!("{id}{SEP}"), format!("{id}{}", '\u{20}'));
            for table in [PARTIES, HITS, DECISIONS, ALERTS] {
                txn.open_table(table)
                    .map_err(|e| s(&e))?
                    .retain_in(from.as_str()..to.as_str(), |_, _| false)
                    .map_err(|e| s(&e))?;
            }
        }
        txn.commit().map_err(|e| s(&e))
    }
}

/// The rows of a watch's table keyed by party and entity (`prefix` is the watch's): each as
/// (party, entity, value).
fn keyed(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    prefix: &str,
) -> std::result::Result<Vec<(String, String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    for row in table.range(prefix..).map_err(|e| e.to_string())? {
        let (k, v) = row.map_err(|e| e.to_string())?;
        let Some(rest) = k.value().strip_prefix(prefix) else {
            break;
        };
        if let Some((party, entity)) = rest.split_once(SEP) {
            out.push((party.to_string(), entity.to_string(), v.value().to_vec()));
        }
    }
    Ok(out)
}

/// Writes `value` under `key`, or removes the key where there is none.
fn put_or_remove(
    table: &mut redb::Table<&'static str, &'static [u8]>,
    key: &str,
    value: Option<Vec<u8>>,
) -> std::result::Result<(), String> {
    match value {
        Some(value) => table.insert(key, value.as_slice()).map(drop),
        None => table.remove(key).map(drop),
    }
    .map_err(|e| e.to_string())
}

fn json<T: Serialize>(value: &T) -> std::result::Result<Vec<u8>, String> {
    serde_json::to_vec(value).map_err(|e| e.to_string())
}
