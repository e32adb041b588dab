//! Standing watches: a client's book of parties, kept screened as the lists change.
//!
//! A watch holds its parties, an index over their names (`book.rs`), its current hits and the
//! client's decisions on them, and a log of alerts (`changes::Log`, read by the same
//! subscription loop as `Subscribe`). Creating a watch or adding parties screens them; their
//! hits are `NEW_HIT` alerts. After that the evaluator (`Watches::evaluate`, run by a task of
//! the server off the writer's path) reads each batch of list changes and, per watch, screens
//! again only the parties a change can affect: those with a hit on a changed entity, and those
//! the changed entities' names find in the book index, searched well below the watch's
//! threshold. Each such party is screened exactly as a fresh screen would, against the whole
//! snapshot, so its hits equal a full re-screen's; the difference becomes alerts. A new base of
//! the list index (words re-weighed) screens the whole book again.
//!
//! With a data directory every change to a watch (its book, hits, decisions, alerts and
//! position) is written (`journal.rs`) before it is visible: alerts are delivered only once
//! durable, and a restarted watch resumes evaluating from the position written with its last
//! alerts, so none is lost or repeated.

mod book;
mod journal;
mod model;

pub use model::*;

use self::book::Book;
use super::changes::{Change, ChangeLog, Log};
use super::matching::Hit;
use super::model::{check_country, check_text, Entity};
use super::query::{self, check_name};
use super::snapshot::Snapshot;
use super::{Error, Result};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// Longest party reference, watch name (characters).
pub const MAX_REFERENCE_CHARS: usize = 256;
/// Longest decision note (characters).
pub const MAX_NOTE_CHARS: usize = 2048;
/// A score that moves by less than this is updated without a `CHANGED_HIT` (a rebuilt base
/// re-weighs words and moves scores by less).
pub const SCORE_STEP: f64 = 0.01;
/// Hits kept per party: as many as one `Screen` may return.
pub const PARTY_HITS: usize = query::MAX_LIMIT as usize;
/// The book index is searched with a changed entity's names at this share of the watch's
/// threshold: the search runs from the listed name to the party's, the other way round from a
/// screen, and the margin keeps every party the screen would find (`tests/it/watches.rs`
/// checks the result against full re-screens).
pub const REVERSE_SHARE: f64 = 0.6;

#[derive(Debug)]
struct Cell {
    owner: String,
    alerts: Arc<Log<Alert>>,
    book: Mutex<Book>,
    /// The book's size as last committed, read without its lock (metrics).
    parties: std::sync::atomic::AtomicUsize,
}

/// What every watch holds and has raised, for the metrics.
#[derive(Debug, Clone, Copy, Default)]
pub struct Totals {
    pub watches: usize,
    pub parties: usize,
    /// Alerts delivered since start: new, changed, cleared.
    pub alerts: [u64; 3],
}

/// Every watch of the server.
#[derive(Debug)]
pub struct Watches {
    cells: RwLock<BTreeMap<String, Arc<Cell>>>,
    next_id: AtomicU64,
    limits: WatchLimits,
    /// Where watches are kept, with a data directory.
    journal: Option<journal::Journal>,
    /// Parties screened since start (creations, additions, re-evaluations): what an
    /// evaluation cost, for tests and benchmarks.
    screened: AtomicU64,
    /// Alerts delivered since start, by kind (new, changed, cleared).
    delivered: [AtomicU64; 3],
}

impl Watches {
    pub fn new(limits: WatchLimits) -> Watches {
        Watches {
            cells: RwLock::new(BTreeMap::new()),
            next_id: AtomicU64::new(1),
            limits,
            journal: None,
            screened: AtomicU64::new(0),
            delivered: Default::default(),
        }
    }

    /// Watches kept in `dir` (`watches.redb`), with those it holds read back: each resumes
    /// from the list-change position written with its last alerts.
    pub fn open(limits: WatchLimits, dir: &std::path::Path) -> Result<Watches> {
        let (journal, restored) = journal::Journal::open(dir)?;
        let mut watches = Watches::new(limits);
        let mut cells = BTreeMap::new();
        let mut next = 1;
        for restored in restored {
            let owner = restored.record.owner.clone();
            if let Some(n) = restored
                .id
                .strip_prefix("w-")
                .and_then(|n| n.parse::<u64>().ok())
            {
                next = next.max(n + 1);
            }
            let (book, alerts) = Book::restore(restored);
            let log = watches.alert_log();
            log.restore(book.last_alert, alerts);
            cells.insert(
                book.id.clone(),
                Arc::new(Cell {
                    owner,
                    alerts: log,
                    parties: book.parties.len().into(),
                    book: Mutex::new(book),
                }),
            );
        }
        watches.cells = RwLock::new(cells);
        watches.next_id = AtomicU64::new(next);
        watches.journal = Some(journal);
        Ok(watches)
    }

    fn alert_log(&self) -> Arc<Log<Alert>> {
        Arc::new(Log::retaining(
            self.limits.alert_history,
            None,
            "alert",
            "read the current hits with ListHits and resume from the last_alert it reports",
        ))
    }

    /// Makes a book's changes visible: writes them (with a data directory, one fsync), then
    /// delivers its pending alerts. On a write failure nothing is delivered.
    fn commit(&self, owner: &str, book: &mut Book, alerts: &Log<Alert>) -> Result<()> {
        let dirty = std::mem::take(&mut book.dirty);
        let pending = std::mem::take(&mut book.pending);
        if let Some(journal) = &self.journal {
            let keep_from = book
                .last_alert
                .saturating_sub(self.limits.alert_history as u64)
                + 1;
            if let Err(e) = journal.write(owner, book, &dirty, &pending, keep_from) {
                tracing::error!(watch = %book.id, error = %e, "a watch could not be written");
                return Err(e);
            }
        }
        for alert in &pending {
            self.delivered[alert.kind as usize].fetch_add(1, Ordering::Relaxed);
        }
        alerts.append(pending);
        Ok(())
    }

    /// Every watch's size and the alerts delivered, without waiting for any book.
    pub fn totals(&self) -> Totals {
        let cells = self.cells.read().unwrap_or_else(|e| e.into_inner());
        Totals {
            watches: cells.len(),
            parties: cells
                .values()
                .map(|c| c.parties.load(Ordering::Relaxed))
                .sum(),
            alerts: std::array::from_fn(|i| self.delivered[i].load(Ordering::Relaxed)),
        }
    }
    /// Parties screened so far.
    pub fn screened(&self) -> u64 {
        self.screened.load(Ordering::Relaxed)
    }

    /// A watch of `owner`'s; any other owner's, or none, is the same `NotFound`.
    fn cell(&self, owner: &str, id: &str) -> Result<Arc<Cell>> {
        let cells = self.cells.read().unwrap_or_else(|e| e.into_inner());
        cells
            .get(id)
            .filter(|c| c.owner == owner)
            .cloned()
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "no watch {id:?}: ListWatches gives the ids of your watches"
                ))
            })
    }

    /// Creates a watch and screens its first parties against `snapshot`.
    pub fn create(
        &self,
        owner: &str,
        new: NewWatch,
        parties: Vec<Party>,
        snapshot: &Snapshot,
    ) -> Result<WatchInfo> {
        check_label("name", &new.name)?;
        let threshold = new.threshold.unwrap_or(self.limits.default_threshold);
        if !(0.0..=1.0).contains(&threshold) {
            return Err(Error::invalid(
                "threshold",
                format!("{threshold} is outside 0..1"),
            ));
        }
        snapshot.scope(&new.lists, &new.imposed_by)?;
        let parties = self.check_parties(parties, &HashMap::new())?;
        let owned = {
            let cells = self.cells.read().unwrap_or_else(|e| e.into_inner());
            cells.values().filter(|c| c.owner == owner).count()
        };
        if owned >= self.limits.max_watches {
            return Err(Error::ResourceExhausted(format!(
                "you hold {owned} watches, the server's limit (--max-watches); delete one or add \
                 parties to an existing watch"
            )));
        }
        let id = format!("w-{}", self.next_id.fetch_add(1, Ordering::Relaxed));
        let spec = WatchSpec {
            name: new.name.trim().to_string(),
            threshold,
            lists: new.lists,
            imposed_by: new.imposed_by,
        };
        let mut book = Book::new(id.clone(), spec, snapshot);
        let alerts = self.alert_log();
        self.screen_new(&mut book, parties, snapshot);
        self.commit(owner, &mut book, &alerts)?;
        let info = info(&book);
        let cell = Arc::new(Cell {
            owner: owner.to_string(),
            alerts,
            parties: book.parties.len().into(),
            book: Mutex::new(book),
        });
        self.cells
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, cell);
        Ok(info)
    }

    /// Adds parties to a watch and screens them.
    pub fn add_parties(
        &self,
        owner: &str,
        id: &str,
        parties: Vec<Party>,
        snapshot: &Snapshot,
    ) -> Result<WatchInfo> {
        let cell = self.cell(owner, id)?;
        let mut book = lock(&cell.book);
        let parties = self.check_parties(parties, &book.parties)?;
        self.screen_new(&mut book, parties, snapshot);
        self.commit(owner, &mut book, &cell.alerts)?;
        cell.parties.store(book.parties.len(), Ordering::Relaxed);
        Ok(info(&book))
    }

    /// Removes parties by reference, all or none.
    pub fn remove_parties(
        &self,
        owner: &str,
        id: &str,
        references: &[String],
    ) -> Result<WatchInfo> {
        let cell = self.cell(owner, id)?;
        let mut book = lock(&cell.book);
        for (i, reference) in references.iter().enumerate() {
            if !book.parties.contains_key(reference) {
                return Err(Error::NotFound(format!(
                    "references[{i}]: the watch has no party {reference:?}; nothing was removed"
                )));
            }
        }
        book.remove(references);
        self.commit(owner, &mut book, &cell.alerts)?;
        cell.parties.store(book.parties.len(), Ordering::Relaxed);
        Ok(info(&book))
    }

    pub fn get(&self, owner: &str, id: &str) -> Result<WatchInfo> {
        let cell = self.cell(owner, id)?;
        let book = lock(&cell.book);
        Ok(info(&book))
    }

    /// A page of `owner`'s watches, by id.
    pub fn list(
        &self,
        owner: &str,
        page_size: u32,
        page_token: &str,
    ) -> Result<(Vec<WatchInfo>, String)> {
        let page_size = query::page_size_of(page_size)?;
        let after = query::decode_token(page_token, "watches")?;
        let cells: Vec<Arc<Cell>> = {
            let cells = self.cells.read().unwrap_or_else(|e| e.into_inner());
            cells
                .iter()
                .filter(|(id, c)| c.owner == owner && after.as_ref().is_none_or(|a| *id > a))
                .take(page_size + 1)
                .map(|(_, c)| Arc::clone(c))
                .collect()
        };
        let more = cells.len() > page_size;
        let watches: Vec<WatchInfo> = cells
            .iter()
            .take(page_size)
            .map(|c| info(&lock(&c.book)))
            .collect();
        let token = match (more, watches.last()) {
            (true, Some(last)) => query::encode_token(&last.id, "watches"),
            _ => String::new(),
        };
        Ok((watches, token))
    }

    /// Deletes a watch; returns how many parties it held. Open alert streams end when their
    /// log goes.
    pub fn delete(&self, owner: &str, id: &str) -> Result<usize> {
        let cell = self.cell(owner, id)?;
        if let Some(journal) = &self.journal {
            journal.delete(id)?;
        }
        self.cells
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
        cell.alerts
            .close(Error::NotFound(format!("the watch {id:?} was deleted")));
        let parties = lock(&cell.book).parties.len();
        Ok(parties)
    }

    /// A page of a watch's current hits, by party then entity.
    pub fn hits(&self, owner: &str, id: &str, page_size: u32, page_token: &str) -> Result<HitPage> {
        let cell = self.cell(owner, id)?;
        let page_size = query::page_size_of(page_size)?;
        let after = query::decode_token(page_token, id)?
            .map(|key| match key.split_once('\u{1f}') {
                Some((p, e)) => Ok((p.to_string(), e.to_string())),
                None => Err(Error::invalid("page_token", "is not a token of this watch")),
            })
            .transpose()?;
        let book = lock(&cell.book);
        let from = match &after {
            Some(key) => std::ops::Bound::Excluded(key.clone()),
            None => std::ops::Bound::Unbounded,
        };
        let mut hits: Vec<HitView> = book
            .hits
            .range((from, std::ops::Bound::Unbounded))
            .take(page_size + 1)
            .map(|(key, current)| HitView {
                party: key.0.clone(),
                hit: current.hit.clone(),
                since: current.since,
                decision: book.decisions.get(key).cloned(),
            })
            .collect();
        let more = hits.len() > page_size;
        hits.truncate(page_size);
        let next_page_token = match (more, hits.last()) {
            (true, Some(last)) => {
                query::encode_token(&format!("{}\u{1f}{}", last.party, last.hit.entity.id), id)
            }
            _ => String::new(),
        };
        Ok(HitPage {
            hits,
            next_page_token,
            sequence: book.sequence,
            last_alert: book.last_alert,
        })
    }

    /// Records a decision on a current hit.
    pub fn decide(
        &self,
        owner: &str,
        id: &str,
        party: &str,
        entity_id: &str,
        decision: Decision,
        note: String,
    ) -> Result<HitView> {
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(Error::invalid(
                "note",
                format!("is longer than {MAX_NOTE_CHARS} characters"),
            ));
        }
        let cell = self.cell(owner, id)?;
        let mut book = lock(&cell.book);
        let key = (party.to_string(), entity_id.to_string());
        let Some(current) = book.hits.get(&key).cloned() else {
            return Err(Error::NotFound(format!(
                "party {party:?} has no current hit on entity {entity_id:?}; ListHits gives the \
                 current hits"
            )));
        };
        let record = book::decision_record(
            decision,
            note,
            owner,
            &current.hit,
            book.parties.get(party).map(|p| &**p),
        );
        book.decisions.insert(key.clone(), record.clone());
        book.dirty.decisions.insert(key);
        self.commit(owner, &mut book, &cell.alerts)?;
        Ok(HitView {
            party: party.to_string(),
            hit: current.hit,
            since: current.since,
            decision: Some(record),
        })
    }

    /// The alert log of a watch, for a subscription to read.
    pub fn alerts(&self, owner: &str, id: &str) -> Result<Arc<Log<Alert>>> {
        Ok(Arc::clone(&self.cell(owner, id)?.alerts))
    }

    /// Brings every watch up to list change `upto`: each reads the changes after its own
    /// position from `log` and screens again the parties they can affect. `snapshot` includes
    /// every change up to `upto` (read the log's latest first, then the snapshot). A watch
    /// whose position is no longer retained screens its whole book. Returns the parties
    /// screened. A watch scored against an older base (a merge re-weighed words since) screens
    /// its whole book again.
    pub fn evaluate(&self, snapshot: &Snapshot, log: &ChangeLog, upto: u64) -> Result<usize> {
        let cells: Vec<Arc<Cell>> = {
            let cells = self.cells.read().unwrap_or_else(|e| e.into_inner());
            cells.values().cloned().collect()
        };
        let mut screened = 0;
        let generation = snapshot.index.generation();
        for cell in cells {
            let mut book = lock(&cell.book);
            if book.sequence >= upto && book.generation == generation {
                continue;
            }
            let changes = if book.sequence >= upto {
                Vec::new() // a merge rebuilt the base (new weights) with no change since
            } else {
                // Changes no longer retained: the whole book is screened below, each alert
                // caused by the sequence screened at.
                let mut changes = log
                    .read_after(book.sequence, usize::MAX)
                    .unwrap_or_default();
                changes.retain(|c| c.sequence <= upto);
                if changes.is_empty() {
                    book.generation = book::UNKNOWN_GENERATION;
                }
                changes
            };
            screened += self.evaluate_one(&mut book, snapshot, &changes);
            book.sequence = book.sequence.max(upto);
            self.commit(&cell.owner, &mut book, &cell.alerts)?;
        }
        Ok(screened)
    }

    /// Screens again the parties `changes` can affect (every party when the base is not the
    /// one the book was scored against) and stages the alerts.
    fn evaluate_one(&self, book: &mut Book, snapshot: &Snapshot, changes: &[Arc<Change>]) -> usize {
        let fresh: Vec<&Arc<Change>> = changes
            .iter()
            .filter(|c| c.sequence > book.sequence)
            .collect();
        let whole = book.generation != snapshot.index.generation();
        if fresh.is_empty() && !whole {
            return 0;
        }
        let mut cause: HashMap<&str, u64> = HashMap::new();
        // Each changed entity's last state in the batch (a removed one's, as it was).
        let mut changed: HashMap<&str, &Entity> = HashMap::new();
        for change in &fresh {
            cause.insert(change.entity.id.as_str(), change.sequence);
            changed.insert(change.entity.id.as_str(), &change.entity);
        }
        let affected: BTreeSet<String> = if whole {
            book.generation = snapshot.index.generation();
            book.parties.keys().cloned().collect()
        } else {
            let scope = snapshot.scope_now(&book.spec.lists, &book.spec.imposed_by);
            let ids: HashSet<&str> = cause.keys().copied().collect();
            let mut affected = BTreeSet::new();
            book.hitting(&ids, &mut affected);
            // What to search the book index with: each changed entity in scope (its names),
            // and each word of a changed name that the list index's base lacks (such a word
            // weighs by what the segments hold, so every party holding it is screened again).
            let reaching: Vec<&Entity> = ids
                .iter()
                .filter_map(|id| snapshot.entities.get(*id))
                .filter(|e| scope.as_ref().is_none_or(|s| s.contains(&e.list)))
                .map(|e| &**e)
                .collect();
            let mut words = BTreeSet::new();
            for entity in changed.values() {
                for (_, name) in entity.names() {
                    words.extend(snapshot.index.words_beyond_base(name));
                }
            }
            let words: Vec<String> = words.into_iter().collect();
            let book_ref: &Book = book;
            affected.extend(on_every_core(&reaching, |part| {
                let mut found = BTreeSet::new();
                for entity in part {
                    book_ref.reached_by(entity, &mut found);
                }
                found
            }));
            affected.extend(on_every_core(&words, |part| {
                let mut found = BTreeSet::new();
                for word in part {
                    book_ref.containing(word, &mut found);
                }
                found
            }));
            affected
        };
        let at = snapshot.sequence;
        let screened = self.settle(book, affected, snapshot, &|id| {
            cause.get(id).copied().unwrap_or(at)
        });
        if let Some(last) = fresh.last() {
            book.sequence = book.sequence.max(last.sequence);
        }
        screened
    }

    /// Checks new parties: references new to the watch and unique, names screenable,
    /// countries codes, the book within its limit. All or none.
    fn check_parties(
        &self,
        parties: Vec<Party>,
        existing: &HashMap<String, Arc<Party>>,
    ) -> Result<Vec<Arc<Party>>> {
        if existing.len() + parties.len() > self.limits.max_parties {
            return Err(Error::ResourceExhausted(format!(
                "the watch would hold {} parties; this server allows at most {} per watch \
                 (--max-watch-parties): split the book into several watches",
                existing.len() + parties.len(),
                self.limits.max_parties
            )));
        }
        let mut seen = HashSet::new();
        let mut checked = Vec::with_capacity(parties.len());
        for (i, mut party) in parties.into_iter().enumerate() {
            let at = |field: &str| format!("parties[{i}].{field}");
            check_label(&at("reference"), &party.reference)?;
            party.reference = party.reference.trim().to_string();
            if existing.contains_key(&party.reference) || !seen.insert(party.reference.clone()) {
                return Err(Error::invalid(
                    at("reference"),
                    format!(
                        "{:?} is already in the watch; references are unique in a watch \
                         (remove the party first to replace it)",
                        party.reference
                    ),
                ));
            }
            party.name = check_name(&party.name)
                .map_err(|e| prefix(e, &format!("parties[{i}]")))?
                .to_string();
            for (j, country) in party.countries.iter().enumerate() {
                check_country(&at(&format!("countries[{j}]")), country)?;
            }
            for (j, identifier) in party.identifiers.iter().enumerate() {
                if identifier.value.trim().is_empty() {
                    return Err(Error::invalid(
                        at(&format!("identifiers[{j}].value")),
                        "must not be empty",
                    ));
                }
            }
            checked.push(Arc::new(party));
        }
        Ok(checked)
    }

    /// Adds checked parties to a book and screens them: their hits are new.
    fn screen_new(&self, book: &mut Book, parties: Vec<Arc<Party>>, snapshot: &Snapshot) {
        book.add(&parties);
        let references = parties.iter().map(|p| p.reference.clone()).collect();
        self.settle(book, references, snapshot, &|_| snapshot.sequence);
    }

    /// Screens `parties` of a book against `snapshot` (on every core), replaces their hits and
    /// appends the alerts the differences make. Returns how many were screened.
    fn settle(
        &self,
        book: &mut Book,
        parties: BTreeSet<String>,
        snapshot: &Snapshot,
        cause: &(dyn Fn(&str) -> u64 + Sync),
    ) -> usize {
        let scope = snapshot.scope_now(&book.spec.lists, &book.spec.imposed_by);
        let todo: Vec<Arc<Party>> = parties
            .iter()
            .filter_map(|r| book.parties.get(r).cloned())
            .collect();
        let fresh = screen_all(snapshot, &book.spec, scope.as_ref(), &todo);
        let mut raised = Vec::new();
        for (party, hits) in todo.iter().zip(fresh) {
            raised.extend(book.settle(&party.reference, hits, snapshot, cause));
        }
        // Parties gone from the book (removed meanwhile) have no hits left to settle.
        for alert in &mut raised {
            book.last_alert += 1;
            alert.sequence = book.last_alert;
        }
        book.pending.extend(raised);
        self.screened
            .fetch_add(todo.len() as u64, Ordering::Relaxed);
        todo.len()
    }
}

/// `work` over `items` split across the cores, the sets it returns united.
fn on_every_core<T: Sync>(
    items: &[T],
    work: impl Fn(&[T]) -> BTreeSet<String> + Sync,
) -> BTreeSet<String> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return work(items);
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(|| work(part)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Screens parties on every core, in order.
fn screen_all(
    snapshot: &Snapshot,
    spec: &WatchSpec,
    scope: Option<&HashSet<String>>,
    parties: &[Arc<Party>],
) -> Vec<Vec<Hit>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(parties.len().div_ceil(64).max(1));
    if threads <= 1 {
        return parties
            .iter()
            .map(|p| book::screen(snapshot, spec, scope, p))
            .collect();
    }
    let chunk = parties.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = parties
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|p| book::screen(snapshot, spec, scope, p))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

fn info(book: &Book) -> WatchInfo {
    WatchInfo {
        id: book.id.clone(),
        spec: book.spec.clone(),
        parties: book.parties.len(),
        hits: book.hits.len(),
        open_hits: book.open_hits(),
        sequence: book.sequence,
        last_alert: book.last_alert,
        created_at: book.created_at,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A required label (a reference, a watch's name): not blank, at most `MAX_REFERENCE_CHARS`.
fn check_label(field: &str, value: &str) -> Result<()> {
    check_text(field, value.trim(), MAX_REFERENCE_CHARS, true)?;
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// An error of a nested field, its field prefixed with where it sits.
fn prefix(error: Error, at: &str) -> Error {
    match error {
        Error::InvalidArgument { field, reason } => Error::invalid(format!("{at}.{field}"), reason),
        other => other,
    }
}
