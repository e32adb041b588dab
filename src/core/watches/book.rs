//! One watch: its parties, the index over their names that finds which parties a changed
//! entity can match, its current hits and decisions, and the diff of a party's hits that
//! becomes alerts.

use super::journal::{Dirty, Restored};
use super::{
    Alert, AlertKind, Decision, DecisionRecord, Party, WatchSpec, PARTY_HITS, REVERSE_SHARE,
    SCORE_STEP,
};
use crate::core::matching::{Hit, LiveIndex, Query};
use crate::core::model::{Entity, EntityType};
use crate::core::snapshot::Snapshot;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::SystemTime;

/// The list code the book's own index files its parties under (never a real list).
const BOOK_LIST: &str = "BOOK";
/// Parties a changed entity's name may bring back from the book index.
const REVERSE_LIMIT: usize = 100_000;

/// A current hit of one party.
#[derive(Debug, Clone)]
pub struct CurrentHit {
    pub hit: Hit,
    /// The list-change sequence at which it was found or last changed.
    pub since: u64,
}

/// One watch's whole state.
#[derive(Debug)]
pub struct Book {
    pub id: String,
    pub spec: WatchSpec,
    pub created_at: SystemTime,
    pub parties: HashMap<String, Arc<Party>>,
    /// The parties as entities of one pseudo-list, searched with changed entities' names.
    index: LiveIndex,
    /// By party reference, then entity id.
    pub hits: BTreeMap<(String, String), CurrentHit>,
    /// Kept apart from the hits: a decided hit that clears and comes back keeps its decision
    /// while neither side changed.
    pub decisions: HashMap<(String, String), DecisionRecord>,
    /// Every list change up to this one is evaluated.
    pub sequence: u64,
    /// The base of the list index the hits were scored against: a new base re-weighs words,
    /// so the whole book is screened again.
    pub generation: u64,
    pub last_alert: u64,
    /// What changed since the book was last written to the data directory.
    pub dirty: Dirty,
    /// Alerts raised and numbered, not yet written and delivered.
    pub pending: Vec<Alert>,
}

/// A generation no index has: a restored book screens itself again on its first evaluation.
pub const UNKNOWN_GENERATION: u64 = u64::MAX;

impl Book {
    /// A book read back from the data directory. Its hits were scored by another process's
    /// index: the first evaluation screens it whole, alerting only what really changed.
    pub fn restore(restored: Restored) -> (Book, Vec<Alert>) {
        let Restored {
            id,
            record,
            parties,
            hits,
            decisions,
            alerts,
        } = restored;
        let parties: Vec<Arc<Party>> = parties.into_iter().map(Arc::new).collect();
        let mut book = Book {
            id,
            spec: record.spec,
            created_at: record.created_at,
            parties: HashMap::new(),
            index: LiveIndex::default(),
            hits,
            decisions: decisions.into_iter().collect(),
            sequence: record.sequence,
            generation: UNKNOWN_GENERATION,
            last_alert: record.last_alert,
            dirty: Dirty::default(),
            pending: Vec::new(),
        };
        book.add(&parties);
        book.dirty = Dirty::default();
        (book, alerts)
    }

    pub fn new(id: String, spec: WatchSpec, snapshot: &Snapshot) -> Book {
        Book {
            id,
            spec,
            created_at: SystemTime::now(),
            parties: HashMap::new(),
            index: LiveIndex::default(),
            hits: BTreeMap::new(),
            decisions: HashMap::new(),
            sequence: snapshot.sequence,
            generation: snapshot.index.generation(),
            last_alert: 0,
            dirty: Dirty::default(),
            pending: Vec::new(),
        }
    }

    pub fn open_hits(&self) -> usize {
        self.hits
            .keys()
            .filter(|key| !self.decisions.contains_key(*key))
            .count()
    }

    /// Adds parties (their references are new: checked by the caller) to the index.
    pub fn add(&mut self, parties: &[Arc<Party>]) {
        let entities: Vec<Arc<Entity>> = parties.iter().map(|p| Arc::new(as_entity(p))).collect();
        for party in parties {
            self.parties
                .insert(party.reference.clone(), Arc::clone(party));
            self.dirty.parties.insert(party.reference.clone());
        }
        self.index = self.index.apply(std::iter::empty(), entities.iter());
        self.compact();
    }

    /// Removes parties and their hits, without alerts; their decisions stay until the watch
    /// goes, so a party added back unchanged keeps them.
    pub fn remove(&mut self, references: &[String]) {
        for reference in references {
            self.parties.remove(reference);
            self.dirty.parties.insert(reference.clone());
            self.take_hits(reference);
        }
        self.index = self
            .index
            .apply(references.iter().map(String::as_str), std::iter::empty());
        self.compact();
    }

    /// Merges the book index's segments as the list index's policy says, here and now: the
    /// book changes only through its client's calls.
    fn compact(&mut self) {
        if let Some(kind) = self.index.merge_due() {
            self.index = self.index.install(self.index.merged(kind));
        }
    }

    /// The parties a changed entity can match: its names and identifiers searched in the book
    /// index, well below the watch's threshold (the search runs the other way round from a
    /// screen, so it keeps a margin).
    pub fn reached_by(&self, entity: &Entity, into: &mut BTreeSet<String>) {
        let threshold = self.spec.threshold * REVERSE_SHARE;
        // A bracketed part of a listed name ("(NORINCO)") is indexed as a name of its own and
        // the rest without it: searched the same way here.
        let mut names: Vec<String> = Vec::new();
        for (_, name) in entity.names() {
            names.push(name.to_string());
            if let Some((head, rest)) = name.split_once('(') {
                if let Some((inner, tail)) = rest.split_once(')') {
                    names.push(format!("{head} {tail}"));
                    names.push(inner.to_string());
                }
            }
        }
        names.extend(entity.identifiers.iter().map(|i| i.value.clone()));
        for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            let found = self.index.search(&Query {
                name,
                entity_type: None,
                countries: &[],
                lists: None,
                threshold,
                limit: REVERSE_LIMIT,
            });
            into.extend(found.into_iter().map(|h| h.entity.id.clone()));
        }
    }

    /// The parties whose names hold `word`: their screens weigh it by what the list index
    /// holds, which a change of a name holding it alters.
    pub fn containing(&self, word: &str, into: &mut BTreeSet<String>) {
        into.extend(self.index.holding(word).into_iter().map(|e| e.id.clone()));
    }

    /// The parties with a current hit on one of `ids`.
    pub fn hitting(&self, ids: &HashSet<&str>, into: &mut BTreeSet<String>) {
        into.extend(
            self.hits
                .keys()
                .filter(|(_, entity)| ids.contains(entity.as_str()))
                .map(|(party, _)| party.clone()),
        );
    }

    /// Takes one party's hits out of the book (marked to be written), by entity id.
    fn take_hits(&mut self, reference: &str) -> BTreeMap<String, CurrentHit> {
        let keys: Vec<(String, String)> = self
            .hits
            .range((reference.to_string(), String::new())..)
            .take_while(|((r, _), _)| r == reference)
            .map(|(k, _)| k.clone())
            .collect();
        let mut taken = BTreeMap::new();
        for key in keys {
            if let Some(hit) = self.hits.remove(&key) {
                taken.insert(key.1.clone(), hit);
            }
            self.dirty.hits.insert(key);
        }
        taken
    }

    /// Replaces one party's hits by `fresh` (its screen now) and returns the alerts the
    /// difference makes. `cause` gives the list-change sequence behind an entity's alert.
    pub fn settle(
        &mut self,
        reference: &str,
        fresh: Vec<Hit>,
        snapshot: &Snapshot,
        cause: &dyn Fn(&str) -> u64,
    ) -> Vec<Alert> {
        let party_print = self.parties.get(reference).map_or(0, |p| party_print(p));
        let old = self.take_hits(reference);
        let mut alerts = Vec::new();
        let mut seen = HashSet::new();
        for hit in fresh {
            let entity_id = hit.entity.id.clone();
            seen.insert(entity_id.clone());
            let key = (reference.to_string(), entity_id.clone());
            self.dirty.hits.insert(key.clone());
            let at = cause(&entity_id);
            let before = old.get(&entity_id);
            let mut since = before.map_or(at, |b| b.since);
            let mut raise: Option<(AlertKind, String)> = match before {
                None => Some((AlertKind::NewHit, "now matches".to_string())),
                Some(before) => what_changed(&before.hit, &hit).map(|r| (AlertKind::ChangedHit, r)),
            };
            if let Some(decision) = self.decisions.get(&key) {
                if decision.decision == Decision::FalsePositive {
                    let entity_changed = decision.entity_print != entity_print(&hit.entity);
                    let party_changed = decision.party_print != party_print;
                    if entity_changed || party_changed {
                        let why = if entity_changed {
                            "the entity's names or identifiers changed"
                        } else {
                            "the party changed"
                        };
                        raise = Some((
                            AlertKind::ChangedHit,
                            format!("{why} since it was decided a false positive"),
                        ));
                        self.decisions.remove(&key);
                        self.dirty.decisions.insert(key.clone());
                    } else {
                        raise = None;
                    }
                }
            }
            if raise.is_some() {
                since = at;
            }
            if let Some((kind, reason)) = raise {
                alerts.push(alert(kind, reference, &hit, at, reason));
            }
            self.hits.insert(key, CurrentHit { hit, since });
        }
        for (entity_id, before) in old {
            if seen.contains(&entity_id) {
                continue;
            }
            let key = (reference.to_string(), entity_id.clone());
            let quiet = self
                .decisions
                .get(&key)
                .is_some_and(|d| d.decision == Decision::FalsePositive);
            if quiet {
                continue;
            }
            let reason = if snapshot.entities.contains_key(&entity_id) {
                "no longer matches at the watch's threshold"
            } else {
                "delisted"
            };
            alerts.push(alert(
                AlertKind::Cleared,
                reference,
                &before.hit,
                cause(&entity_id),
                reason.to_string(),
            ));
        }
        alerts
    }
}

fn alert(kind: AlertKind, party: &str, hit: &Hit, cause: u64, reason: String) -> Alert {
    Alert {
        sequence: 0,
        kind,
        party: party.to_string(),
        hit: hit.clone(),
        cause,
        reason,
        time: SystemTime::now(),
    }
}

/// What changed between two hits of the same party and entity that an alert reports: the
/// score (by `SCORE_STEP` or more: a base rebuilt with new word weights moves scores by less),
/// the matched name, or the listing.
fn what_changed(before: &Hit, now: &Hit) -> Option<String> {
    let mut why = Vec::new();
    let round = |s: f64| (s * 10_000.0).round() / 10_000.0;
    if (round(before.score) - round(now.score)).abs() >= SCORE_STEP {
        why.push(format!(
            "score {:.4} -> {:.4}",
            round(before.score),
            round(now.score)
        ));
    }
    if before.matched_name != now.matched_name {
        why.push(format!(
            "matched name {:?} -> {:?}",
            before.matched_name, now.matched_name
        ));
    }
    if before.entity.list != now.entity.list || before.entity.listed_on != now.entity.listed_on {
        why.push("listing changed".to_string());
    }
    (!why.is_empty()).then(|| why.join("; "))
}

/// The party as an entity of the book's own index.
fn as_entity(party: &Party) -> Entity {
    let mut entity = Entity::new(
        &party.reference,
        BOOK_LIST,
        party.kind.unwrap_or(EntityType::Unknown),
        &party.name,
    );
    entity.countries = party.countries.clone();
    entity.identifiers = party.identifiers.clone();
    entity
}

/// A fingerprint of `parts` that stays the same across builds and releases (decisions keep
/// it in the data directory): the first 8 bytes of their SHA-256, each part closed by 0x1f.
fn print<'a>(parts: impl IntoIterator<Item = &'a str>) -> u64 {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    let digest = hasher.finalize();
    u64::from_le_bytes(digest[..8].try_into().unwrap_or_default())
}

/// What a false-positive decision depends on, on the entity's side: its names and identifiers.
pub fn entity_print(entity: &Entity) -> u64 {
    print(
        entity
            .names()
            .flat_map(|(kind, name)| [kind.as_str(), name])
            .chain(
                entity
                    .identifiers
                    .iter()
                    .flat_map(|i| [i.kind.as_str(), i.value.as_str()]),
            ),
    )
}

/// What a false-positive decision depends on, on the party's side: everything screened.
pub fn party_print(party: &Party) -> u64 {
    let kind = party.kind.map(|k| format!("{k:?}")).unwrap_or_default();
    print(
        [party.name.as_str(), kind.as_str()]
            .into_iter()
            .chain(party.countries.iter().map(String::as_str))
            .chain(
                party
                    .identifiers
                    .iter()
                    .flat_map(|i| [i.kind.as_str(), i.value.as_str()]),
            ),
    )
}

/// The hits of a party screened now against `snapshot`, with the watch's scope: its name,
/// and each identifier's exact matches merged in.
pub fn screen(
    snapshot: &Snapshot,
    spec: &WatchSpec,
    scope: Option<&HashSet<String>>,
    party: &Party,
) -> Vec<Hit> {
    snapshot.screen_party(
        &party.name,
        party.kind,
        &party.countries,
        &party.identifiers,
        scope,
        spec.threshold,
        PARTY_HITS,
    )
}

/// `DecisionRecord` for a hit now.
pub fn decision_record(
    decision: Decision,
    note: String,
    by: &str,
    hit: &Hit,
    party: Option<&Party>,
) -> DecisionRecord {
    DecisionRecord {
        decision,
        note,
        decided_by: by.to_string(),
        decided_at: SystemTime::now(),
        entity_print: entity_print(&hit.entity),
        party_print: party.map_or(0, party_print),
    }
}
