//! The store: the current snapshot of lists, entities and index behind an `ArcSwap`, and the
//! single writer that replaces it.
//!
//! Readers load the snapshot once per request and see one consistent version, identified by
//! its sequence. The writer (serialised by a mutex) computes the changes a mutation makes,
//! builds the next snapshot, publishes it, and only then appends the changes to the log, which
//! wakes subscribers. A mutation that changes nothing publishes nothing.

use super::changes::{Change, ChangeKind, ChangeLog};
use super::journal::{Commit, Journal, SourceMark};
use super::matching::{LiveIndex, MergeKind, Merged};
use super::model::{Entity, ListMeta};
use super::snapshot::{members, unknown_list_message, ListState, Member, Snapshot};
use super::{Error, Result};
use arc_swap::ArcSwap;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// What readers see: with a journal, only what an fsync made durable.
    current: ArcSwap<Snapshot>,
    /// What writers build on: the newest commit, journaled but perhaps not yet synced (then
    /// newer than `current`).
    staged: ArcSwap<Snapshot>,
    writer: Mutex<()>,
    /// Group commit: commits staged but not yet written, oldest first, waiting for the next
    /// journal transaction (see `durable`).
    unsynced: Mutex<Vec<Unsynced>>,
    /// Held by the writer that syncs for every commit waiting: the last sequence published, or
    /// why syncing failed (after which nothing more is written).
    syncer: Mutex<std::result::Result<u64, String>>,
    log: Arc<ChangeLog>,
    /// Where commits are made durable, with `--data-dir`; `None` runs in memory.
    journal: Option<Journal>,
    history: usize,
    /// Woken when the index's merge policy calls for a merge, if merges run in the background
    /// (`merge_signal`); otherwise the writer merges before it returns.
    merge_wanted: tokio::sync::Notify,
    background_merges: AtomicBool,
    /// What each source last applied, as the journal holds it.
    marks: Mutex<BTreeMap<String, SourceMark>>,
}

/// A commit staged by the writer, waiting to be made durable: its snapshot (lists, admin ids,
/// sequence), its changes and the retained history's new start.
#[derive(Debug)]
struct Unsynced {
    snapshot: Arc<Snapshot>,
    changes: Vec<Change>,
    keep_from: u64,
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
        let empty = Arc::new(Snapshot::default());
        Store {
            current: ArcSwap::new(Arc::clone(&empty)),
            staged: ArcSwap::new(empty),
            writer: Mutex::new(()),
            unsynced: Mutex::new(Vec::new()),
            syncer: Mutex::new(Ok(0)),
            log: Arc::new(ChangeLog::new(history)),
            journal: None,
            history: history.max(1),
            merge_wanted: tokio::sync::Notify::new(),
            background_merges: AtomicBool::new(false),
            marks: Mutex::new(BTreeMap::new()),
        }
    }

    /// A store kept durable in `dir`, restored from what it holds: the same entities, lists and
    /// sequence, and the retained changes (at most `history`, none older than `max_age`).
    pub fn open(dir: &Path, history: usize, max_age: Option<Duration>) -> Result<Self> {
        let (journal, restored) = Journal::open(dir)?;
        let log = ChangeLog::with_limits(history, max_age);
        log.restore(restored.sequence, restored.changes);
        let index = LiveIndex::build(restored.entities.values());
        let members = members(restored.entities.values());
        let mut lists = restored.lists;
        // The content hash is kept up to date commit by commit: start from the entities held.
        for (code, state) in &mut lists {
            let digest = members
                .get(code)
                .into_iter()
                .flatten()
                .fold(ListDigest::default(), |d, m| d.add(&m.0));
            (state.entity_count, state.content_hash) = (digest.count, digest.to_hex());
        }
        let snapshot = Arc::new(Snapshot {
            sequence: restored.sequence,
            lists,
            entities: restored.entities.into_iter().collect(),
            admin: restored.admin.into_iter().collect(),
            members,
            index,
        });
        Ok(Store {
            current: ArcSwap::new(Arc::clone(&snapshot)),
            staged: ArcSwap::new(snapshot),
            writer: Mutex::new(()),
            unsynced: Mutex::new(Vec::new()),
            syncer: Mutex::new(Ok(restored.sequence)),
            log: Arc::new(log),
            journal: Some(journal),
            history: history.max(1),
            merge_wanted: tokio::sync::Notify::new(),
            background_merges: AtomicBool::new(false),
            marks: Mutex::new(restored.sources),
        })
    }

    /// What source `id` last applied, as the data directory recorded it (none in memory).
    pub fn source_mark(&self, id: &str) -> Option<SourceMark> {
        self.marks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    /// Records what source `id` applied (with a data directory; a no-op in memory).
    pub fn mark_source(&self, id: &str, mark: SourceMark) -> Result<()> {
        let Some(journal) = &self.journal else {
            return Ok(());
        };
        journal.mark_source(id, &mark)?;
        self.marks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_string(), mark);
        Ok(())
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

    /// Hands index merges to a background task: from now on the writer only signals the
    /// returned `Notify` when a merge is due, and the task calls `merge`.
    pub fn merge_signal(&self) -> &tokio::sync::Notify {
        self.background_merges.store(true, Ordering::SeqCst);
        &self.merge_wanted
    }

    /// Builds the merge the index's policy calls for, if any, without holding the writer, then
    /// installs it in a snapshot of its own (same sequence, same entities). Returns whether it
    /// merged.
    pub fn merge(&self) -> bool {
        let staged = self.staged.load_full();
        let Some(kind) = staged.index.merge_due() else {
            return false;
        };
        let merged = staged.index.merged(kind);
        drop(staged);
        let replaced = {
            let _writer = self.lock();
            let replaced = self.staged.load_full();
            self.install(merged);
            replaced
        };
        // What the merge replaced (after a full merge, the whole old base) is freed here, off
        // the writer's path, unless a reader or an unpublished commit still holds it.
        drop(replaced);
        true
    }

    /// Stages the newest snapshot with `merged` installed in its index, and publishes it too
    /// if readers already see that version. Called with the writer held.
    fn install(&self, merged: Merged) {
        let staged = self.staged.load_full();
        let next = Arc::new(Snapshot {
            sequence: staged.sequence,
            lists: staged.lists.clone(),
            entities: staged.entities.clone(),
            admin: staged.admin.clone(),
            members: staged.members.clone(),
            index: staged.index.install(merged),
        });
        self.staged.store(Arc::clone(&next));
        if self.current.load().sequence == next.sequence {
            self.current.store(next);
        }
    }

    /// A mutation's outcome once it is visible: with a journal, once it is durable. The first
    /// writer to get here writes every commit staged so far in one journal transaction, one
    /// fsync (group commit), then publishes the newest and logs their changes in order; the
    /// others find theirs done. Writers keep staging while it writes: the next batch.
    fn durable(&self, outcome: Result<Outcome>) -> Result<Outcome> {
        let outcome = outcome?;
        let Some(journal) = &self.journal else {
            return Ok(outcome);
        };
        let mut synced = self.syncer.lock().unwrap_or_else(|e| e.into_inner());
        match &*synced {
            Ok(published) if *published >= outcome.sequence => return Ok(outcome),
            Ok(_) => {}
            Err(why) => return Err(Error::Unavailable(why.clone())),
        }
        let batch = std::mem::take(&mut *self.unsynced.lock().unwrap_or_else(|e| e.into_inner()));
        let commits: Vec<Commit<'_>> = batch
            .iter()
            .map(|u| Commit {
                changes: &u.changes,
                admin: &u.snapshot.admin,
                lists: &u.snapshot.lists,
                sequence: u.snapshot.sequence,
                keep_from: u.keep_from,
            })
            .collect();
        if let Err(e) = journal.commit(&commits) {
            // Nothing waiting was published: the readers keep the last durable version, and
            // the writers are refused from now on.
            *synced = Err(e.to_string());
            let _writer = self.lock();
            self.staged.store(self.current.load_full());
            self.unsynced
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
            return Err(e);
        }
        drop(commits);
        if let Some(last) = batch.last() {
            self.current.store(Arc::clone(&last.snapshot));
            *synced = Ok(last.snapshot.sequence);
        }
        for unsynced in batch {
            self.log.append(unsynced.changes);
        }
        Ok(outcome)
    }

    /// Replaces everything source `source` holds with `lists`, as one atomic change: lists it
    /// no longer yields are dropped with their entities, entities that moved between its lists
    /// are updated. Fails, changing nothing, if a list belongs to another source.
    pub fn replace_source(
        &self,
        source: &str,
        lists: Vec<(ListMeta, Vec<Entity>)>,
    ) -> Result<Outcome> {
        let outcome = self.replace_source_staged(source, lists);
        self.durable(outcome)
    }

    fn replace_source_staged(
        &self,
        source: &str,
        lists: Vec<(ListMeta, Vec<Entity>)>,
    ) -> Result<Outcome> {
        for (meta, _) in &lists {
            meta.validate()?;
        }
        let _writer = self.lock();
        let current = self.staged.load_full();
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
                content_hash: ListDigest::default().to_hex(),
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
        let outcome = self.upsert_staged(entities);
        self.durable(outcome)
    }

    fn upsert_staged(&self, entities: Vec<Entity>) -> Result<Outcome> {
        let _writer = self.lock();
        let current = self.staged.load_full();
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
        let outcome = self.remove_staged(ids);
        self.durable(outcome)
    }

    fn remove_staged(&self, ids: &[String]) -> Result<Outcome> {
        let _writer = self.lock();
        let current = self.staged.load_full();
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
        let outcome = self.replace_list_staged(code, entities);
        self.durable(outcome)
    }

    fn replace_list_staged(&self, code: &str, entities: Vec<Entity>) -> Result<Outcome> {
        let _writer = self.lock();
        let current = self.staged.load_full();
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

    /// Numbers the changes, builds the next snapshot and stages it (with a journal, `durable`
    /// writes and publishes it); without a journal, publishes it and logs the changes.
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
        let mut members = current.members.clone();
        let mut touched: BTreeMap<String, u64> = BTreeMap::new();
        let mut digests: BTreeMap<String, ListDigest> = BTreeMap::new();
        let digest = |code: &str| -> ListDigest {
            lists
                .get(code)
                .or_else(|| current.lists.get(code))
                .map_or_else(ListDigest::default, ListDigest::of_list)
        };
        let mut changes = Vec::with_capacity(pending.len());
        let mut gone: Vec<Arc<Entity>> = Vec::new();
        let mut sequence = current.sequence;
        for p in pending {
            sequence += 1;
            match p.kind {
                ChangeKind::Added => outcome.added += 1,
                ChangeKind::Updated => outcome.updated += 1,
                ChangeKind::Removed => outcome.removed += 1,
            }
            // Each touched list's count and hash move by what left it and what entered it.
            let old = entities.get(&p.entity.id).cloned();
            if let Some(old) = &old {
                let d = digests
                    .entry(old.list.clone())
                    .or_insert_with(|| digest(&old.list));
                *d = d.remove(old);
                gone.push(Arc::clone(old));
                if let Some(set) = members.get_mut(&old.list) {
                    set.remove(old.id.as_str());
                    if set.is_empty() {
                        members.remove(&old.list);
                    }
                }
            }
            if p.kind == ChangeKind::Removed {
                entities.remove(&p.entity.id);
                admin.remove(&p.entity.id);
            } else {
                let d = digests
                    .entry(p.entity.list.clone())
                    .or_insert_with(|| digest(&p.entity.list));
                *d = d.add(&p.entity);
                entities.insert(p.entity.id.clone(), Arc::clone(&p.entity));
                members
                    .entry(p.entity.list.clone())
                    .or_default()
                    .insert(Member(Arc::clone(&p.entity)));
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
                let d = digests.get(code).copied().unwrap_or_default();
                state.entity_count = d.count;
                state.content_hash = d.to_hex();
                state.last_change_sequence = *last;
                state.loaded_at = now;
            }
        }
        let added = changes
            .iter()
            .filter(|c| c.kind != ChangeKind::Removed)
            .map(|c| &c.entity);
        let index = current
            .index
            .apply(gone.iter().map(|e| e.id.as_str()), added);
        let merge_due = index.merge_due();
        outcome.sequence = sequence;
        let next = Arc::new(Snapshot {
            sequence,
            lists,
            entities,
            admin,
            members,
            index,
        });
        self.staged.store(Arc::clone(&next));
        if self.journal.is_some() {
            // Durable before visible: written and published by `durable`.
            let by_count = (sequence + 1).saturating_sub(self.history as u64);
            let keep_from = by_count.max(self.log.oldest().unwrap_or(0));
            self.unsynced
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(Unsynced {
                    snapshot: next,
                    changes,
                    keep_from,
                });
        } else {
            self.current.store(next);
            self.log.append(changes);
        }
        if let Some(kind) = merge_due {
            if self.staged.load().index.too_many_segments() {
                let merged = self.staged.load().index.merged(MergeKind::Compact);
                self.install(merged);
            }
            if self.background_merges.load(Ordering::SeqCst) {
                self.merge_wanted.notify_one();
            } else {
                let merged = self.staged.load().index.merged(kind);
                self.install(merged);
            }
        }
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
    // What the owned lists hold now, read from their members (a refresh costs what the source
    // holds, not what the store holds), each marked once the incoming entities name it.
    let mut old: HashMap<&str, (&Arc<Entity>, bool)> = owned
        .iter()
        .filter_map(|code| current.members.get(code))
        .flatten()
        .map(|member| (member.0.id.as_str(), (&member.0, false)))
        .collect();
    let mut new_ids: HashSet<String> = HashSet::new();
    let mut changed: Vec<(Entity, Option<&Arc<Entity>>)> = Vec::new();
    let mut same = Vec::new();
    for (i, mut entity) in entities.into_iter().enumerate() {
        let field = || format!("entities[{i}]");
        let stored = old.get(entity.id.as_str()).map(|(e, _)| *e);
        // One equal to the entity stored was validated when it was stored (validation is
        // idempotent): a refresh validates what changed, not the whole source again.
        let mut equal = stored.is_some_and(|old| **old == entity);
        if !equal {
            validate(&mut entity, &field())?;
            equal = stored.is_some_and(|old| **old == entity);
        }
        if !owned.contains(&entity.list) {
            return Err(Error::invalid(
                format!("{}.list", field()),
                format!("is {:?}, but this call replaces {owned:?}", entity.list),
            ));
        }
        // Not on an owned list: on another one, if the store has it.
        let elsewhere = match stored {
            Some(_) => None,
            None => current.entities.get(&entity.id),
        };
        if let Some(other) = elsewhere {
            return Err(Error::invalid(
                format!("{}.id", field()),
                format!("{:?} already belongs to list {}", entity.id, other.list),
            ));
        }
        let repeated = match old.get_mut(entity.id.as_str()) {
            Some((_, seen)) => std::mem::replace(seen, true),
            None => !new_ids.insert(entity.id.clone()),
        };
        if repeated {
            return Err(Error::invalid(
                format!("{}.id", field()),
                format!("{:?} appears more than once", entity.id),
            ));
        }
        if equal {
            same.push(entity);
        } else {
            changed.push((entity, stored));
        }
    }
    let unchanged = same.len() as u32;
    // The copies of what did not change (most of a refresh) are freed on another thread.
    drop_elsewhere(same);
    let mut pending = Vec::new();
    let mut removed: Vec<&Arc<Entity>> = old
        .into_values()
        .filter(|(e, seen)| !(*seen || keep_admin && current.admin.contains(&e.id)))
        .map(|(e, _)| e)
        .collect();
    removed.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    pending.extend(removed.into_iter().map(|e| Pending {
        kind: ChangeKind::Removed,
        entity: Arc::clone(e),
        left_list: None,
    }));
    // Then the added and updated, in id order.
    changed.sort_unstable_by(|a, b| a.0.id.cmp(&b.0.id));
    pending.extend(changed.into_iter().map(|(entity, stored)| match stored {
        Some(old) => Pending {
            kind: ChangeKind::Updated,
            left_list: (old.list != entity.list).then(|| old.list.clone()),
            entity: Arc::new(entity),
        },
        None => Pending {
            kind: ChangeKind::Added,
            entity: Arc::new(entity),
            left_list: None,
        },
    }));
    Ok((pending, unchanged))
}

/// Frees a large value on a short-lived thread, so that the writer does not wait for it.
fn drop_elsewhere<T: Send + 'static>(values: Vec<T>) {
    if values.len() < 1_000 {
        return;
    }
    let spawned = std::thread::Builder::new()
        .name("watchlist-free".into())
        .spawn(move || drop(values));
    // If no thread can be started, the values are freed here, with the closure.
    drop(spawned);
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

/// A list's entity count and content hash: the sum, modulo 2^256, of the SHA-256 of each
/// entity's canonical JSON. Equal content, equal hash, in any order; a commit moves it by the
/// entities it adds and removes instead of hashing the whole list again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ListDigest {
    count: usize,
    /// Little-endian 64-bit limbs.
    sum: [u64; 4],
}

impl ListDigest {
    fn of(entity: &Entity) -> [u64; 4] {
        // Serialising plain data to a Vec cannot fail.
        let hash = Sha256::digest(serde_json::to_vec(entity).unwrap_or_default());
        std::array::from_fn(|i| {
            u64::from_le_bytes(hash[i * 8..i * 8 + 8].try_into().unwrap_or_default())
        })
    }

    fn add(self, entity: &Entity) -> ListDigest {
        let (mut sum, other, mut carry) = (self.sum, Self::of(entity), false);
        for (limb, o) in sum.iter_mut().zip(other) {
            let (s1, c1) = limb.overflowing_add(o);
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            (*limb, carry) = (s2, c1 || c2);
        }
        ListDigest {
            count: self.count + 1,
            sum,
        }
    }

    fn remove(self, entity: &Entity) -> ListDigest {
        let (mut sum, other, mut borrow) = (self.sum, Self::of(entity), false);
        for (limb, o) in sum.iter_mut().zip(other) {
            let (s1, b1) = limb.overflowing_sub(o);
            let (s2, b2) = s1.overflowing_sub(u64::from(borrow));
            (*limb, borrow) = (s2, b1 || b2);
        }
        ListDigest {
            count: self.count.saturating_sub(1),
            sum,
        }
    }

    /// 64 hex digits, most significant first.
    fn to_hex(self) -> String {
        self.sum.iter().rev().map(|l| format!("{l:016x}")).collect()
    }

    fn of_list(state: &ListState) -> ListDigest {
        let hex = &state.content_hash;
        let mut sum = [0u64; 4];
        for (i, limb) in sum.iter_mut().rev().enumerate() {
            *limb = hex
                .get(i * 16..i * 16 + 16)
                .and_then(|h| u64::from_str_radix(h, 16).ok())
                .unwrap_or(0);
        }
        ListDigest {
            count: state.entity_count,
            sum,
        }
    }
}
