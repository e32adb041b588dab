//! The store: the current snapshot of lists, entities and index behind an `ArcSwap`, and the
//! single writer that replaces it.
//!
//! Readers load the snapshot once per request and see one consistent version, identified by
//! its sequence. The writer (serialised by a mutex) computes the changes a mutation makes,
//! builds the next snapshot, publishes it, and only then appends the changes to the log, which
//! wakes subscribers. A mutation that changes nothing publishes nothing.

use super::changes::{Change, ChangeKind, ChangeLog};
use super::journal::Journal;
use super::matching::Index;
use super::model::{Entity, ListMeta};
use super::snapshot::{unknown_list_message, ListState, Snapshot};
use super::{Error, Result};
use arc_swap::ArcSwap;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// What a mutation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The snapshot sequence after the mutation.
    pub sequence: u64,
    pub added: u32,
    pub updated: u32,
    pub removed: u32,
    pub unchanged: u32,
}

#[derive(Debug)]
pub struct Store {
    current: ArcSwap<Snapshot>,
    writer: Mutex<()>,
    log: Arc<ChangeLog>,
    /// Where commits are made durable, with `--data-dir`; `None` runs in memory.
    journal: Option<Journal>,
    history: usize,
}

/// A change computed by the writer before it is numbered.
struct Pending {
    kind: ChangeKind,
    entity: Arc<Entity>,
    /// For an update that moved the entity to another list: the list it left.
    left_list: Option<String>,
}

impl Store {
    /// An empty store retaining the last `history` changes for subscribers.
    pub fn new(history: usize) -> Self {
        Store {
            current: ArcSwap::from_pointee(Snapshot::default()),
            writer: Mutex::new(()),
            log: Arc::new(ChangeLog::new(history)),
            journal: None,
            history: history.max(1),
        }
    }

    /// A store kept durable in `dir`, restored from what it holds: the same entities, lists and
    /// sequence, and the retained changes (at most `history`, none older than `max_age`).
    pub fn open(dir: &Path, history: usize, max_age: Option<Duration>) -> Result<Self> {
        let (journal, restored) = Journal::open(dir)?;
        let log = ChangeLog::with_limits(history, max_age);
        log.restore(restored.sequence, restored.changes);
        let index = Index::build(restored.entities.values());
        Ok(Store {
            current: ArcSwap::from_pointee(Snapshot {
                sequence: restored.sequence,
                lists: restored.lists,
                entities: restored.entities,
                admin: restored.admin,
                index,
            }),
            writer: Mutex::new(()),
            log: Arc::new(log),
            journal: Some(journal),
            history: history.max(1),
        })
    }

    /// Whether commits are written to a data directory.
    pub fn is_durable(&self) -> bool {
        self.journal.is_some()
    }

    /// The ids of the sources that own lists now.
    pub fn sources(&self) -> BTreeSet<String> {
        self.snapshot()
            .lists
            .values()
            .map(|l| l.source.clone())
            .collect()
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    pub fn log(&self) -> &Arc<ChangeLog> {
        &self.log
    }

    /// Replaces everything source `source` holds with `lists`, as one atomic change: lists it
    /// no longer yields are dropped with their entities, entities that moved between its lists
    /// are updated. Fails, changing nothing, if a list belongs to another source.
    pub fn replace_source(
        &self,
        source: &str,
        lists: Vec<(ListMeta, Vec<Entity>)>,
    ) -> Result<Outcome> {
        for (meta, _) in &lists {
            meta.validate()?;
        }
        let _writer = self.lock();
        let current = self.snapshot();
        let mut next = current.lists.clone();
        let now = SystemTime::now();
        for (meta, _) in &lists {
            if let Some(other) = current.lists.get(&meta.code).filter(|l| l.source != source) {
                return Err(Error::FailedPrecondition(format!(
                    "list {} is already loaded from source {:?}; give one of the two sources a `lists` filter so that only one loads it",
                    meta.code, other.source
                )));
            }
        }
        let owned: BTreeSet<String> = current
            .lists
            .iter()
            .filter(|(_, l)| l.source == source)
            .map(|(code, _)| code.clone())
            .chain(lists.iter().map(|(m, _)| m.code.clone()))
            .collect();
        let incoming: BTreeSet<&str> = lists.iter().map(|(m, _)| m.code.as_str()).collect();
        next.retain(|code, _| !owned.contains(code) || incoming.contains(code.as_str()));
        let mut entities = Vec::new();
        for (meta, list_entities) in lists {
            let code = meta.code.clone();
            let state = next.entry(code.clone()).or_insert_with(|| ListState {
                meta: Arc::new(meta.clone()),
                source: source.to_string(),
                entity_count: 0,
                last_change_sequence: 0,
                content_hash: content_hash(std::iter::empty()).1,
                loaded_at: now,
            });
            if *state.meta != meta {
                state.meta = Arc::new(meta);
            }
            entities.extend(list_entities.into_iter().map(|mut e| {
                if e.list.is_empty() {
                    e.list = code.clone();
                }
                e
            }));
        }
        let (pending, unchanged) = replace_changes(&current, &owned, entities, true)?;
        self.commit(&current, next, pending, unchanged, false)
    }

    /// Adds or replaces entities by id. Each must name a known list.
    pub fn upsert(&self, entities: Vec<Entity>) -> Result<Outcome> {
        let _writer = self.lock();
        let current = self.snapshot();
        let mut seen = HashSet::new();
        let mut pending = Vec::new();
        let mut unchanged = 0;
        for (i, mut entity) in entities.into_iter().enumerate() {
            validate(&mut entity, &format!("entities[{i}]"))?;
            known_list(&current, &entity.list, &format!("entities[{i}].list"))?;
            if !seen.insert(entity.id.clone()) {
                return Err(Error::invalid(
                    format!("entities[{i}].id"),
                    format!("{:?} appears more than once in this request", entity.id),
                ));
            }
            match current.entities.get(&entity.id) {
                Some(old) if **old == entity => unchanged += 1,
                Some(old) => pending.push(Pending {
                    kind: ChangeKind::Updated,
                    left_list: (old.list != entity.list).then(|| old.list.clone()),
                    entity: Arc::new(entity),
                }),
                None => pending.push(Pending {
                    kind: ChangeKind::Added,
                    entity: Arc::new(entity),
                    left_list: None,
                }),
            }
        }
        let lists = current.lists.clone();
        self.commit(&current, lists, pending, unchanged, true)
    }

    /// Removes entities by id; if any id is unknown, nothing is removed.
    pub fn remove(&self, ids: &[String]) -> Result<Outcome> {
        let _writer = self.lock();
        let current = self.snapshot();
        let missing: Vec<&str> = ids
            .iter()
            .filter(|id| !current.entities.contains_key(*id))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(Error::NotFound(format!(
                "no entity has the id(s) {missing:?}; nothing was removed"
            )));
        }
        let unique: BTreeSet<&String> = ids.iter().collect();
        let pending = unique
            .into_iter()
            .map(|id| Pending {
                kind: ChangeKind::Removed,
                entity: Arc::clone(&current.entities[id]),
                left_list: None,
            })
            .collect();
        let lists = current.lists.clone();
        self.commit(&current, lists, pending, 0, true)
    }

    /// Replaces the whole content of a known list.
    pub fn replace_list(&self, code: &str, entities: Vec<Entity>) -> Result<Outcome> {
        let _writer = self.lock();
        let current = self.snapshot();
        if !current.lists.contains_key(code) {
            return Err(Error::NotFound(unknown_list_message(&current, code)));
        }
        let owned = BTreeSet::from([code.to_string()]);
        let entities = entities
            .into_iter()
            .map(|mut e| {
                if e.list.is_empty() {
                    e.list = code.to_string();
                }
                e
            })
            .collect();
        let (pending, unchanged) = replace_changes(&current, &owned, entities, false)?;
        let lists = current.lists.clone();
        self.commit(&current, lists, pending, unchanged, true)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        // A panic in a previous writer left no partial state: snapshots are only published
        // whole, so the poison can be ignored.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Numbers the changes, writes them to the journal (if any), builds and publishes the next
    /// snapshot, then logs the changes. A journal failure changes nothing.
    fn commit(
        &self,
        current: &Snapshot,
        mut lists: BTreeMap<String, ListState>,
        pending: Vec<Pending>,
        unchanged: u32,
        by_admin: bool,
    ) -> Result<Outcome> {
        let mut outcome = Outcome {
            sequence: current.sequence,
            unchanged,
            ..Outcome::default()
        };
        let metadata_changed = lists.len() != current.lists.len()
            || lists.iter().any(|(code, state)| {
                current
                    .lists
                    .get(code)
                    .is_none_or(|old| old.meta != state.meta)
            });
        if pending.is_empty() && !metadata_changed {
            return Ok(outcome);
        }
        let now = SystemTime::now();
        let mut entities = current.entities.clone();
        let mut admin = current.admin.clone();
        let mut touched: BTreeMap<String, u64> = BTreeMap::new();
        let mut changes = Vec::with_capacity(pending.len());
        let mut sequence = current.sequence;
        for p in pending {
            sequence += 1;
            match p.kind {
                ChangeKind::Added => outcome.added += 1,
                ChangeKind::Updated => outcome.updated += 1,
                ChangeKind::Removed => outcome.removed += 1,
            }
            if p.kind == ChangeKind::Removed {
                entities.remove(&p.entity.id);
                admin.remove(&p.entity.id);
            } else {
                entities.insert(p.entity.id.clone(), Arc::clone(&p.entity));
                if by_admin {
                    admin.insert(p.entity.id.clone());
                } else {
                    admin.remove(&p.entity.id);
                }
            }
            touched.insert(p.entity.list.clone(), sequence);
            if let Some(left) = p.left_list {
                touched.insert(left, sequence);
            }
            let imposing_country = lists
                .get(&p.entity.list)
                .or_else(|| current.lists.get(&p.entity.list))
                .map(|l| l.meta.imposing_country.clone())
                .unwrap_or_default();
            changes.push(Change {
                sequence,
                kind: p.kind,
                entity: p.entity,
                imposing_country,
                time: now,
            });
        }
        for (code, last) in &touched {
            if let Some(state) = lists.get_mut(code) {
                (state.entity_count, state.content_hash) =
                    content_hash(entities.values().filter(|e| &e.list == code));
                state.last_change_sequence = *last;
                state.loaded_at = now;
            }
        }
        if let Some(journal) = &self.journal {
            let by_count = (sequence + 1).saturating_sub(self.history as u64);
            let keep_from = by_count.max(self.log.oldest().unwrap_or(0));
            journal.record(&changes, &admin, &lists, sequence, keep_from)?;
        }
        let index = Index::build(entities.values());
        outcome.sequence = sequence;
        self.current.store(Arc::new(Snapshot {
            sequence,
            lists,
            entities,
            admin,
            index,
        }));
        self.log.append(changes);
        Ok(outcome)
    }
}

/// The changes that make the content of the lists in `owned` equal to `entities`, each of
/// which must be on one of them. With `keep_admin` (a source refresh), entities written through
/// the admin API are not removed.
fn replace_changes(
    current: &Snapshot,
    owned: &BTreeSet<String>,
    entities: Vec<Entity>,
    keep_admin: bool,
) -> Result<(Vec<Pending>, u32)> {
    let mut incoming: BTreeMap<String, Entity> = BTreeMap::new();
    for (i, mut entity) in entities.into_iter().enumerate() {
        let field = format!("entities[{i}]");
        validate(&mut entity, &field)?;
        if !owned.contains(&entity.list) {
            return Err(Error::invalid(
                format!("{field}.list"),
                format!("is {:?}, but this call replaces {owned:?}", entity.list),
            ));
        }
        if let Some(other) = current
            .entities
            .get(&entity.id)
            .filter(|e| !owned.contains(&e.list))
        {
            return Err(Error::invalid(
                format!("{field}.id"),
                format!("{:?} already belongs to list {}", entity.id, other.list),
            ));
        }
        if incoming.contains_key(&entity.id) {
            return Err(Error::invalid(
                format!("{field}.id"),
                format!("{:?} appears more than once", entity.id),
            ));
        }
        incoming.insert(entity.id.clone(), entity);
    }
    let mut pending = Vec::new();
    let mut unchanged = 0;
    for old in current
        .entities
        .values()
        .filter(|e| owned.contains(&e.list))
    {
        let kept =
            incoming.contains_key(&old.id) || (keep_admin && current.admin.contains(&old.id));
        if !kept {
            pending.push(Pending {
                kind: ChangeKind::Removed,
                entity: Arc::clone(old),
                left_list: None,
            });
        }
    }
    for (id, entity) in incoming {
        match current.entities.get(&id) {
            Some(old) if **old == entity => unchanged += 1,
            Some(old) => pending.push(Pending {
                kind: ChangeKind::Updated,
                left_list: (old.list != entity.list).then(|| old.list.clone()),
                entity: Arc::new(entity),
            }),
            None => pending.push(Pending {
                kind: ChangeKind::Added,
                entity: Arc::new(entity),
                left_list: None,
            }),
        }
    }
    Ok((pending, unchanged))
}

fn validate(entity: &mut Entity, field: &str) -> Result<()> {
    entity.validate().map(drop).map_err(|e| match e {
        Error::InvalidArgument {
            field: inner,
            reason,
        } => Error::invalid(format!("{field}.{inner}"), reason),
        other => other,
    })
}

fn known_list(snapshot: &Snapshot, code: &str, field: &str) -> Result<()> {
    if snapshot.lists.contains_key(code) {
        Ok(())
    } else {
        Err(Error::invalid(field, unknown_list_message(snapshot, code)))
    }
}

/// The number of entities and the SHA-256 over their canonical JSON, in id order: equal
/// content, equal hash. One pass.
fn content_hash<'a>(entities: impl Iterator<Item = &'a Arc<Entity>>) -> (usize, String) {
    let mut hasher = Sha256::new();
    let mut count = 0;
    for entity in entities {
        count += 1;
        // Serialising plain data to a Vec cannot fail.
        hasher.update(serde_json::to_vec(&**entity).unwrap_or_default());
        hasher.update(b"\n");
    }
    let hash = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (count, hash)
}
