//! The index a snapshot holds: an immutable base plus small segments for what changed since
//! it was built, so that a commit costs what it changes, not what the index holds.
//!
//! A commit marks the entities it removes or replaces as dead in the segment that holds them
//! (one bit per slot, the bit set copied on write) and builds one new segment from the
//! entities it adds or replaces. A query searches every segment, skipping dead slots, and
//! ranks the hits once. Segments are merged off the writer's path (`merge_due`, `merged`,
//! `install`): small segments into one once there are more than `MAX_SEGMENTS`, and every
//! segment into a new base once the changes outgrow `MERGE_SHARE`/`MERGE_MIN`.
//!
//! A segment weighs its words with the base's statistics (`Index::build_with`): until the
//! next full merge, scores differ from a fresh build of the same entities by as much as the
//! statistics moved (the policy bounds it; `tests/it/incremental.rs` measures it), and after
//! it they are equal.

use super::*;

#[derive(Debug, Clone)]
struct Segment {
    /// Unique within a `LiveIndex` lineage: a merge names the segments it replaces.
    id: u64,
    index: Arc<Index>,
    /// One bit per entity slot: removed or replaced since the segment was built.
    dead: Arc<Vec<u64>>,
    dead_count: usize,
}

impl Segment {
    fn new(id: u64, index: Index) -> Segment {
        Segment {
            id,
            dead: Arc::new(vec![0; index.entities.len().div_ceil(64)]),
            index: Arc::new(index),
            dead_count: 0,
        }
    }

    fn live(&self) -> usize {
        self.index.entities.len() - self.dead_count
    }

    /// The live slot of entity `id`; entities are in id order within a segment.
    fn slot(&self, id: &str) -> Option<u32> {
        let slot = self
            .index
            .entities
            .binary_search_by(|e| e.id.as_str().cmp(id))
            .ok()? as u32;
        (!is_dead(&self.dead, slot)).then_some(slot)
    }

    fn kill(&mut self, slot: u32) {
        let dead = Arc::make_mut(&mut self.dead);
        dead[slot as usize / 64] |= 1 << (slot % 64);
        self.dead_count += 1;
    }

    fn live_entities(&self) -> impl Iterator<Item = (u32, &Arc<Entity>)> {
        self.index
            .entities
            .iter()
            .enumerate()
            .map(|(slot, e)| (slot as u32, e))
            .filter(|(slot, _)| !is_dead(&self.dead, *slot))
    }
}

/// The searchable index of one snapshot: a base and the segments added since.
#[derive(Debug, Clone)]
pub struct LiveIndex {
    /// The base first, then segments oldest first.
    segments: Vec<Segment>,
    next_id: u64,
}

impl Default for LiveIndex {
    fn default() -> Self {
        LiveIndex::build(std::iter::empty())
    }
}

/// Which segments a merge replaces: all of them (a new base) or those beside the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeKind {
    Full,
    Compact,
}

/// A merged segment built off the writer's path, waiting to be installed.
#[derive(Debug)]
pub struct Merged {
    replaces: Vec<u64>,
    index: Index,
    /// Per slot of the merged segment: the segment and slot the entity came from.
    origins: Vec<(u64, u32)>,
}

impl LiveIndex {
    /// A base holding `entities`, no segments.
    pub fn build<'a>(entities: impl IntoIterator<Item = &'a Arc<Entity>>) -> LiveIndex {
        let mut entities: Vec<&Arc<Entity>> = entities.into_iter().collect();
        entities.sort_by(|a, b| a.id.cmp(&b.id));
        LiveIndex {
            segments: vec![Segment::new(0, Index::build(entities))],
            next_id: 1,
        }
    }

    fn base(&self) -> &Index {
        &self.segments[0].index
    }

    /// The id of the base: it changes when the base is rebuilt (and words re-weighed), not
    /// when segments are added or compacted beside it.
    pub fn generation(&self) -> u64 {
        self.segments[0].id
    }

    /// The words of `name` the base does not hold. A query holding one is weighed and planned
    /// by what the segments hold, so its scores can move when they change (a query of words
    /// the base holds scores the same until the base is rebuilt).
    pub fn words_beyond_base(&self, name: &str) -> Vec<String> {
        let (_, tokens) = text::normalise(name);
        tokens
            .into_iter()
            .filter(|t| !self.base().vocab.contains_key(t.text.as_str()))
            .map(|t| t.text)
            .collect()
    }

    /// The live entities one of whose names holds `word` (a normalised token) as it is.
    pub fn holding(&self, word: &str) -> Vec<&Arc<Entity>> {
        let mut out: Vec<&Arc<Entity>> = Vec::new();
        for segment in &self.segments {
            let index = &segment.index;
            let Some(&id) = index.vocab.get(word) else {
                continue;
            };
            for &name in index.tokens[id as usize].postings.iter().flatten() {
                let slot = index.names[name as usize].entity;
                if !is_dead(&segment.dead, slot) {
                    out.push(&index.entities[slot as usize]);
                }
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out.dedup_by(|a, b| a.id == b.id);
        out
    }

    /// Entities a query can find.
    pub fn entity_count(&self) -> usize {
        self.segments.iter().map(Segment::live).sum()
    }

    /// Names held, dead ones included until a merge drops them.
    pub fn name_count(&self) -> usize {
        self.segments.iter().map(|s| s.index.names.len()).sum()
    }

    /// Whether segments piled up beyond what a background merger kept up with: the writer
    /// then compacts the newest itself (a tiered compaction costs what arrived since the last).
    pub fn too_many_segments(&self) -> bool {
        self.segment_count() > 3 * MAX_SEGMENTS
    }

    /// Segments beside the base.
    pub fn segment_count(&self) -> usize {
        self.segments.len() - 1
    }

    /// Entities changed since the base was built: live ones in segments, dead ones in the
    /// base.
    pub fn unmerged(&self) -> usize {
        self.segments[0].dead_count + self.segments[1..].iter().map(Segment::live).sum::<usize>()
    }

    /// Screens one name (see `Index::search`).
    pub fn search(&self, query: &Query) -> Vec<Hit> {
        self.run(query, Mode::Indexed)
    }

    /// Every name of every segment scored (see `Index::search_exhaustive`).
    pub fn search_exhaustive(&self, query: &Query) -> Vec<Hit> {
        self.run(query, Mode::Exhaustive)
    }

    /// The query is planned once, over every segment's words, and each word is resolved in
    /// every segment at once (see `Resolver`), as one index of all the entities would.
    fn run(&self, query: &Query, mode: Mode) -> Vec<Hit> {
        let searched: Vec<&Segment> = self
            .segments
            .iter()
            .enumerate()
            .filter(|(i, s)| *i == 0 || s.live() > 0)
            .map(|(_, s)| s)
            .collect();
        let mut resolver = Resolver::new(
            mode,
            searched
                .iter()
                .map(|s| {
                    let dead: &[u64] = if s.dead_count == 0 { &[] } else { &s.dead };
                    (&*s.index, dead)
                })
                .collect(),
        );
        let Some(plan) = Index::plan(query.name, &mut resolver) else {
            return Vec::new();
        };
        let mut all = Vec::new();
        for (at, segment) in searched.iter().enumerate() {
            let index = &segment.index;
            let best = index.collect(query, mode, &segment.dead, &plan, (&mut resolver, at));
            all.extend(
                best.into_iter()
                    .map(|(slot, hit)| (hit, &index.parties[slot as usize])),
            );
        }
        rank(query, all)
    }

    /// The index after a commit: the entities with ids in `gone` (removed, or replaced by a
    /// new version in `added`) are dead where they were, and `added` forms a new segment.
    /// Costs what the commit changes, plus a copy of one bit per slot of each segment it
    /// kills in.
    pub fn apply<'a>(
        &self,
        gone: impl IntoIterator<Item = &'a str>,
        added: impl IntoIterator<Item = &'a Arc<Entity>>,
    ) -> LiveIndex {
        let mut next = self.clone();
        for id in gone {
            // At most one segment holds an entity alive: the newest that has it.
            if let Some((segment, slot)) = next
                .segments
                .iter()
                .enumerate()
                .rev()
                .find_map(|(i, s)| Some((i, s.slot(id)?)))
            {
                next.segments[segment].kill(slot);
            }
        }
        let mut added: Vec<&Arc<Entity>> = added.into_iter().collect();
        if added.len() > self.merge_bound() {
            // A commit as large as a merge (a first load, a list replaced) builds a new base:
            // it costs about what it changes, and its words get their own statistics.
            let mut all: Vec<&Arc<Entity>> = next
                .segments
                .iter()
                .flat_map(|s| s.live_entities().map(|(_, e)| e))
                .chain(added)
                .collect();
            all.sort_by(|a, b| a.id.cmp(&b.id));
            return LiveIndex {
                segments: vec![Segment::new(next.next_id, Index::build(all))],
                next_id: next.next_id + 1,
            };
        }
        if !added.is_empty() {
            added.sort_by(|a, b| a.id.cmp(&b.id));
            let index = Index::build_with(added, Some(self.base()), true);
            next.segments.push(Segment::new(next.next_id, index));
            next.next_id += 1;
        }
        next
    }

    /// How many changed entities the base takes before it is rebuilt.
    fn merge_bound(&self) -> usize {
        (self.segments[0].index.entities.len() / MERGE_SHARE).max(MERGE_MIN)
    }

    /// The merge the policy calls for now, if any (see `MERGE_SHARE`, `MAX_SEGMENTS`).
    pub fn merge_due(&self) -> Option<MergeKind> {
        if self.unmerged() > self.merge_bound() {
            Some(MergeKind::Full)
        } else if self.segment_count() > MAX_SEGMENTS {
            Some(MergeKind::Compact)
        } else {
            None
        }
    }

    /// Builds the merged segment from this version's live entities: the slow part, done
    /// without holding the writer.
    pub fn merged(&self, kind: MergeKind) -> Merged {
        let replaced = match kind {
            MergeKind::Full => &self.segments[..],
            // Size-tiered: the two newest segments, and each older one (never the base) no
            // larger than twice what is merged so far. Segments grow in tiers, so a compaction
            // costs about what arrived since the last one at that tier, and a change is
            // rebuilt O(log n) times before the base takes it.
            MergeKind::Compact => {
                let mut from = self.segments.len();
                let mut total = 0;
                while from > 1 {
                    let live = self.segments[from - 1].live();
                    if self.segments.len() - from >= 2 && live > 2 * total {
                        break;
                    }
                    total += live;
                    from -= 1;
                }
                &self.segments[from..]
            }
        };
        let mut entities: Vec<(&Arc<Entity>, (u64, u32))> = replaced
            .iter()
            .flat_map(|s| s.live_entities().map(|(slot, e)| (e, (s.id, slot))))
            .collect();
        entities.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let stats = (kind == MergeKind::Compact).then(|| self.base());
        Merged {
            replaces: replaced.iter().map(|s| s.id).collect(),
            index: Index::build_with(entities.iter().map(|(e, _)| *e), stats, false),
            origins: entities.iter().map(|(_, origin)| *origin).collect(),
        }
    }

    /// This version with `merged` in place of the segments it replaces, and what was removed
    /// from them since the merge began removed from it too. A merge built from segments that
    /// are no longer all here (another merge won) changes nothing.
    pub fn install(&self, merged: Merged) -> LiveIndex {
        let Merged {
            replaces,
            index,
            origins,
        } = merged;
        let position = |id: u64| self.segments.iter().position(|s| s.id == id);
        let Some(at) = replaces.first().and_then(|&id| position(id)) else {
            return self.clone();
        };
        if replaces.iter().any(|&id| position(id).is_none()) {
            return self.clone();
        }
        let mut segment = Segment::new(self.next_id, index);
        for (slot, (from, from_slot)) in origins.into_iter().enumerate() {
            let source = &self.segments[position(from).unwrap_or(at)];
            if is_dead(&source.dead, from_slot) {
                segment.kill(slot as u32);
            }
        }
        let mut segments: Vec<Segment> = self
            .segments
            .iter()
            .filter(|s| !replaces.contains(&s.id))
            .cloned()
            .collect();
        segments.insert(at.min(segments.len()), segment);
        LiveIndex {
            segments,
            next_id: self.next_id + 1,
        }
    }
}
