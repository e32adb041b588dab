//! Durable state in `--data-dir`: one redb file holding the current entities, the lists (with
//! the source that owns each), the retained changes and the last sequence. The store writes a
//! commit's changes here, in one fsynced transaction, before it publishes or acknowledges them,
//! so a crash at any point leaves either the state before the commit or the state after it.
//!
//! redb was chosen over a hand-written append-only log: it is an embedded, crash-safe B-tree
//! store with atomic, durable transactions (copy-on-write pages, checksummed commits), kept by
//! an active maintainer, with no C dependency. Restart reads the tables back; no log replay or
//! snapshotting of our own is needed.

use super::changes::{Change, ChangeKind};
use super::model::{Entity, ListMeta};
use super::snapshot::ListState;
use super::{Error, Result};
use redb::{Database, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const ENTITIES: TableDefinition<&str, &[u8]> = TableDefinition::new("entities");
const LISTS: TableDefinition<&str, &[u8]> = TableDefinition::new("lists");
const CHANGES: TableDefinition<u64, &[u8]> = TableDefinition::new("changes");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const SOURCES: TableDefinition<&str, &[u8]> = TableDefinition::new("sources");
const SEQUENCE: &str = "sequence";

/// The file name inside `--data-dir`.
pub const FILE: &str = "watchlist.redb";

#[derive(Serialize, Deserialize)]
struct StoredList {
    meta: ListMeta,
    source: String,
    entity_count: usize,
    last_change_sequence: u64,
    content_hash: String,
    loaded_at_ms: u64,
}

#[derive(Serialize, Deserialize)]
struct StoredEntity {
    /// Written through the admin API (see `Snapshot::admin`).
    admin: bool,
    entity: Entity,
}

#[derive(Serialize, Deserialize)]
struct StoredChange {
    kind: ChangeKind,
    entity: Entity,
    imposing_country: String,
    time_ms: u64,
}

/// What a source last applied: enough for a restart to skip a source whose bytes, and the
/// binary that read them, did not change (see `feeds`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceMark {
    /// SHA-256 over the source's files, and the HTTP validators they came with.
    pub digest: String,
    pub etag: String,
    pub last_modified: String,
    pub fetched_at: u64,
    /// The binary that applied them (its importers and cross-reference decide the entities).
    pub build: String,
    /// What the load reported, shown again when it is skipped.
    pub lists: Vec<String>,
    pub records: u64,
    pub entities: u64,
    pub rejected: u64,
    pub warnings: u64,
    pub rejected_examples: Vec<String>,
}

/// What a data directory held at start.
#[derive(Debug, Default)]
pub struct Restored {
    pub sequence: u64,
    pub lists: BTreeMap<String, ListState>,
    pub entities: BTreeMap<String, Arc<Entity>>,
    pub admin: BTreeSet<String>,
    /// Retained changes, oldest first.
    pub changes: Vec<Change>,
    /// Per source id, what it last applied.
    pub sources: BTreeMap<String, SourceMark>,
}

#[derive(Debug)]
pub struct Journal {
    db: Database,
    path: PathBuf,
}

fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn time(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

/// Opens (or creates) the redb file `file` in the data directory `dir`, creating the
/// directory if need be.
pub(crate) fn open_database(dir: &Path, file: &str) -> Result<(Database, PathBuf)> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::Unavailable(format!(
            "cannot create the data directory {}: {e}",
            dir.display()
        ))
    })?;
    let path = dir.join(file);
    let db = Database::create(&path).map_err(|e| {
        Error::Unavailable(format!(
            "cannot open {} (is another watchlist using this data directory?): {e}",
            path.display()
        ))
    })?;
    Ok((db, path))
}

impl Journal {
    /// Opens (or creates) the journal in `dir` and reads back what it holds.
    pub fn open(dir: &Path) -> Result<(Journal, Restored)> {
        let (db, path) = open_database(dir, FILE)?;
        let journal = Journal { db, path };
        let restored = journal.read().map_err(|e| journal.broken(e))?;
        Ok((journal, restored))
    }

    fn broken(&self, e: impl std::fmt::Display) -> Error {
        Error::Unavailable(format!("the journal {} failed: {e}", self.path.display()))
    }

    fn read(&self) -> std::result::Result<Restored, String> {
        let txn = self.db.begin_read().map_err(|e| e.to_string())?;
        let mut restored = Restored::default();
        let decode = |what: &str, key: &str, e: serde_json::Error| format!("{what} {key}: {e}");
        match txn.open_table(META) {
            Ok(meta) => {
                restored.sequence = meta
                    .get(SEQUENCE)
                    .map_err(|e| e.to_string())?
                    .map_or(0, |v| v.value());
            }
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(restored),
            Err(e) => return Err(e.to_string()),
        }
        let lists = txn.open_table(LISTS).map_err(|e| e.to_string())?;
        for row in lists.iter().map_err(|e| e.to_string())? {
            let (code, bytes) = row.map_err(|e| e.to_string())?;
            let stored: StoredList = serde_json::from_slice(bytes.value())
                .map_err(|e| decode("list", code.value(), e))?;
            restored.lists.insert(
                code.value().to_string(),
                ListState {
                    meta: Arc::new(stored.meta),
                    source: stored.source,
                    entity_count: stored.entity_count,
                    last_change_sequence: stored.last_change_sequence,
                    content_hash: stored.content_hash,
                    loaded_at: time(stored.loaded_at_ms),
                },
            );
        }
        let entities = txn.open_table(ENTITIES).map_err(|e| e.to_string())?;
        for row in entities.iter().map_err(|e| e.to_string())? {
            let (id, bytes) = row.map_err(|e| e.to_string())?;
            let stored: StoredEntity = serde_json::from_slice(bytes.value())
                .map_err(|e| decode("entity", id.value(), e))?;
            let mut entity = stored.entity;
            // Derived fields (identifier check results) are recomputed, not stored.
            entity
                .validate()
                .map_err(|e| format!("entity {}: {e}", id.value()))?;
            if stored.admin {
                restored.admin.insert(id.value().to_string());
            }
            restored
                .entities
                .insert(id.value().to_string(), Arc::new(entity));
        }
        match txn.open_table(SOURCES) {
            Ok(sources) => {
                for row in sources.iter().map_err(|e| e.to_string())? {
                    let (id, bytes) = row.map_err(|e| e.to_string())?;
                    // A mark that does not read is only a lost shortcut: the source is read.
                    if let Ok(mark) = serde_json::from_slice(bytes.value()) {
                        restored.sources.insert(id.value().to_string(), mark);
                    }
                }
            }
            Err(redb::TableError::TableDoesNotExist(_)) => {}
            Err(e) => return Err(e.to_string()),
        }
        let changes = txn.open_table(CHANGES).map_err(|e| e.to_string())?;
        for row in changes.iter().map_err(|e| e.to_string())? {
            let (sequence, bytes) = row.map_err(|e| e.to_string())?;
            let stored: StoredChange = serde_json::from_slice(bytes.value())
                .map_err(|e| decode("change", &sequence.value().to_string(), e))?;
            let mut entity = stored.entity;
            entity
                .validate()
                .map_err(|e| format!("change {}: {e}", sequence.value()))?;
            restored.changes.push(Change {
                sequence: sequence.value(),
                kind: stored.kind,
                entity: Arc::new(entity),
                imposing_country: stored.imposing_country,
                time: time(stored.time_ms),
            });
        }
        Ok(restored)
    }

    /// Records what a source applied; durable with the next `commit` (a mark lost in a crash
    /// only makes the next start read the source again).
    pub fn mark_source(&self, id: &str, mark: &SourceMark) -> Result<()> {
        let write = || -> std::result::Result<(), String> {
            let s = |e: &dyn std::fmt::Display| e.to_string();
            let mut txn = self.db.begin_write().map_err(|e| s(&e))?;
            txn.set_durability(redb::Durability::None);
            {
                let mut table = txn.open_table(SOURCES).map_err(|e| s(&e))?;
                let bytes = serde_json::to_vec(mark).map_err(|e| s(&e))?;
                table.insert(id, bytes.as_slice()).map_err(|e| s(&e))?;
            }
            txn.commit().map_err(|e| s(&e))
        };
        write().map_err(|e| self.broken(e))
    }

    /// Writes store commits, oldest first, in one transaction with one fsync (group commit):
    /// each one's changes and the entities they leave; then the newest one's lists and sequence,
    /// and drops retained changes below its `keep_from`. All or nothing.
    pub fn commit(&self, commits: &[Commit<'_>]) -> Result<()> {
        self.write(commits).map_err(|e| self.broken(e))
    }

    fn write(&self, commits: &[Commit<'_>]) -> std::result::Result<(), String> {
        let Some(newest) = commits.last() else {
            return Ok(());
        };
        let s = |e: &dyn std::fmt::Display| e.to_string();
        let mut txn = self.db.begin_write().map_err(|e| s(&e))?;
        txn.set_durability(redb::Durability::Immediate);
        {
            let mut entities = txn.open_table(ENTITIES).map_err(|e| s(&e))?;
            let mut log = txn.open_table(CHANGES).map_err(|e| s(&e))?;
            for commit in commits {
                for change in commit.changes {
                    if change.kind == ChangeKind::Removed {
                        entities
                            .remove(change.entity.id.as_str())
                            .map_err(|e| s(&e))?;
                    } else {
                        let entity = serde_json::to_vec(&StoredEntity {
                            admin: commit.admin.contains(&change.entity.id),
                            entity: (*change.entity).clone(),
                        })
                        .map_err(|e| s(&e))?;
                        entities
                            .insert(change.entity.id.as_str(), entity.as_slice())
                            .map_err(|e| s(&e))?;
                    }
                    let stored = serde_json::to_vec(&StoredChange {
                        kind: change.kind,
                        entity: (*change.entity).clone(),
                        imposing_country: change.imposing_country.clone(),
                        time_ms: millis(change.time),
                    })
                    .map_err(|e| s(&e))?;
                    log.insert(change.sequence, stored.as_slice())
                        .map_err(|e| s(&e))?;
                }
            }
            let old: Vec<u64> = log
                .range(..newest.keep_from)
                .map_err(|e| s(&e))?
                .filter_map(|row| row.ok().map(|(k, _)| k.value()))
                .collect();
            for key in old {
                log.remove(key).map_err(|e| s(&e))?;
            }
            let mut table = txn.open_table(LISTS).map_err(|e| s(&e))?;
            let stale: Vec<String> = table
                .iter()
                .map_err(|e| s(&e))?
                .filter_map(|row| row.ok().map(|(k, _)| k.value().to_string()))
                .filter(|code| !newest.lists.contains_key(code))
                .collect();
            for code in stale {
                table.remove(code.as_str()).map_err(|e| s(&e))?;
            }
            for (code, state) in newest.lists {
                let stored = serde_json::to_vec(&StoredList {
                    meta: (*state.meta).clone(),
                    source: state.source.clone(),
                    entity_count: state.entity_count,
                    last_change_sequence: state.last_change_sequence,
                    content_hash: state.content_hash.clone(),
                    loaded_at_ms: millis(state.loaded_at),
                })
                .map_err(|e| s(&e))?;
                table
                    .insert(code.as_str(), stored.as_slice())
                    .map_err(|e| s(&e))?;
            }
            let mut meta = txn.open_table(META).map_err(|e| s(&e))?;
            meta.insert(SEQUENCE, newest.sequence).map_err(|e| s(&e))?;
        }
        txn.commit().map_err(|e| s(&e))
    }
}

/// One store commit as the journal writes it (see `Journal::commit`).
#[derive(Debug)]
pub struct Commit<'a> {
    pub changes: &'a [Change],
    /// The ids the Admin API wrote, after this commit.
    pub admin: &'a imbl::OrdSet<String>,
    /// Every list's state after this commit.
    pub lists: &'a BTreeMap<String, ListState>,
    pub sequence: u64,
    /// Retained changes below this sequence are dropped.
    pub keep_from: u64,
}
