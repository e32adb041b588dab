//! The candidate stage: which postings to read, and counting names a block at a time with a
//! mask per name, so that only names whose ceiling reaches the threshold are scored.

use super::*;

thread_local! {
    /// While one search counts candidates, for one block of names: what each holds (see
    /// `TOKEN_BITS`). All zero between searches.
    pub(super) static MASKS: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Names are counted a block at a time, so that their masks stay in cache (64 in unit tests,
/// so that small indexes span many blocks).
#[cfg(not(test))]
pub(super) const BLOCK: usize = 1 << 16;
#[cfg(test)]
pub(super) const BLOCK: usize = 64;

/// One postings list read while counting candidates.
pub(super) struct PostingsRead<'a> {
    /// The query tokens it stands for.
    pub(super) bits: u64,
    /// What it adds to a name's mask: one token, and its weight.
    pub(super) adds: u64,
    /// The postings not yet read.
    pub(super) postings: &'a [u32],
    pub(super) role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// Its names are collected.
    Collect,
    /// Its Western persons' names are collected; it adds to the others.
    CollectPersons,
    /// It only adds to names collected.
    Add,
}

impl<'a> PostingsRead<'a> {
    pub(super) fn new(bits: u64, weight: f64, postings: &'a [u32]) -> PostingsRead<'a> {
        work::count(|w| w.postings += postings.len() as u64);
        // Rounded up: the weight found is never less than the weight held.
        let units = (weight * WEIGHT_UNIT).ceil() as u64;
        PostingsRead {
            bits,
            adds: ONE_TOKEN + (units << WEIGHT_SHIFT),
            postings,
            role: Role::Add,
        }
    }

    /// The postings below `end`, consumed. Searched by galloping from the front, where the
    /// block ends near: the probes stay close together.
    pub(super) fn block(&mut self, end: u32) -> &'a [u32] {
        let list = self.postings;
        if list.last().is_none_or(|&n| n < end) {
            self.postings = &[];
            return list;
        }
        let mut bound = 1;
        while bound < list.len() && list[bound] < end {
            bound *= 2;
        }
        let from = bound / 2;
        let to = bound.min(list.len());
        let at = from + list[from..to].partition_point(|&n| n < end);
        let (block, rest) = self.postings.split_at(at);
        self.postings = rest;
        block
    }
}

/// What counting found of one name: the query tokens it holds (`bits`), through how many
/// distinct tokens of its own, of what weight in all; `exact` when the name holds no token
/// twice (else one of its tokens may match two query tokens, and its weight is not known).
pub(super) struct NameCount {
    pub(super) bits: u64,
    pub(super) tokens: usize,
    pub(super) weight: f64,
    pub(super) exact: bool,
}

/// What counting reads for one query form: planned once, read a block at a time.
struct CountPlan<'a> {
    /// Query tokens assumed held (generic words, initials) unless scanned.
    assumed: u64,
    /// Distinctive tokens left out of the collection: they only add to names collected.
    rest_org: u64,
    reads: Vec<PostingsRead<'a>>,
    /// Each generic token's postings count, and its bit.
    generic_cost: Vec<(usize, u64)>,
}

/// Buffers reused from one block to the next.
#[derive(Default)]
struct BlockScratch<'a> {
    /// Each read's postings in the block.
    lists: Vec<&'a [u32]>,
    /// The names given a mask in the block.
    touched: Vec<u32>,
    pending: Vec<(u32, NameCount)>,
    shapes: Vec<u64>,
}

/// Whether bit `n` of a bit set is set.
fn bit_set(set: &[u64], n: u32) -> bool {
    set[n as usize / 64] & (1 << (n % 64)) != 0
}

impl Index {
    /// The names of this form that can reach the threshold, ascending, each with the query
    /// tokens found to match it through its postings (bits; none when not counted).
    ///
    /// Every factor of a score is at most 1, so a name must hold query tokens worth a share
    /// `need` of the query's weight (see `coverage_needed`); when the query has a distinctive token, it
    /// must hold one of those (a scorer rule); a person's name needs two matched tokens (a
    /// scorer rule) but less weight when Western (unmatched middle names weigh little).
    /// Generic tokens and initials are assumed held. The distinctive tokens are split: the
    /// ones with the most postings are left out of the collection as long as together (with
    /// the assumed ones) they cannot meet the need, so a name holding none of the others
    /// cannot reach the threshold; the names in the others' postings are collected with the
    /// tokens they hold as a bit mask, and the postings of the rest only add bits to names
    /// already collected (a test against a bit set that stays in cache). The names whose
    /// bits meet the need are the candidates. An acronym holds the names whose words it can
    /// abbreviate as postings. A query of generic words only must be matched word for word:
    /// the names holding its rarest word are the candidates.
    pub(super) fn candidates(
        &self,
        query: &[QueryToken],
        form: QueryForm,
        threshold: f64,
        any_distinctive: bool,
        matches: &QueryMatches,
        ceiling: Option<&Ceiling>,
    ) -> Vec<(u32, u64)> {
        let group = form.group();
        let mut out: Vec<(u32, u64)> = Vec::new();
        if query.len() > TOKEN_BITS {
            for t in query {
                for list in self.lists(t, group) {
                    work::count(|w| w.postings += list.len() as u64);
                    out.extend(list.iter().map(|&n| (n, 0)));
                }
            }
        } else if !any_distinctive {
            // Every query token needs its match word for word; none at all when one has none.
            let held: Option<Vec<Vec<&[u32]>>> = query
                .iter()
                .map(|t| {
                    let chars = t.text.chars().count();
                    let lists: Vec<&[u32]> = t
                        .matches
                        .iter()
                        .filter(|m| word_for_word(m.sim, chars))
                        .map(|m| self.postings(m.id, group))
                        .collect();
                    (!lists.is_empty()).then_some(lists)
                })
                .collect();
            let size = |lists: &Vec<&[u32]>| lists.iter().map(|l| l.len()).sum::<usize>();
            let rarest = held.and_then(|tokens| tokens.into_iter().min_by_key(size));
            work::count(|w| w.postings += rarest.as_ref().map_or(0, |l| size(l) as u64));
            out.extend(
                rarest
                    .iter()
                    .flatten()
                    .flat_map(|l| l.iter().map(|&n| (n, 0))),
            );
        } else if let Some(ceiling) = ceiling {
            self.count(query, matches, group, threshold, ceiling, &mut out);
        }
        // Surname-only renderings are capped, not covered: any shared token makes them
        // candidates.
        for t in query {
            for m in t.matches.iter() {
                if let Some(names) = self.surname_only.get(&m.id) {
                    out.extend(names.iter().map(|&n| (n, 0)));
                }
            }
        }
        out.sort_unstable();
        out.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 |= later.1;
            }
            same
        });
        out
    }

    /// The counted candidates of a query with a distinctive token and at most `TOKEN_BITS`
    /// tokens (see `candidates`): planned once, then counted a block of names at a time.
    pub(super) fn count(
        &self,
        query: &[QueryToken],
        matches: &QueryMatches,
        group: usize,
        threshold: f64,
        ceiling: &Ceiling,
        out: &mut Vec<(u32, u64)>,
    ) {
        let mut plan = self.plan_count(query, matches, group, threshold, ceiling);
        MASKS.with(|cell| {
            let masks = &mut *cell.borrow_mut();
            masks.resize(BLOCK, 0);
            let mut block = BlockScratch::default();
            let t = ceiling.fifth_power_needed(threshold);
            for base in (0..self.names.len()).step_by(BLOCK) {
                let end = (base + BLOCK).min(self.names.len()) as u32;
                block.touched.clear();
                block.lists.clear();
                block
                    .lists
                    .extend(plan.reads.iter_mut().map(|r| r.block(end)));
                self.collect_block(&plan, &block.lists, base, masks, &mut block.touched);
                if block.touched.is_empty() {
                    continue;
                }
                let (assumed, scanned) = self.scanned_in_block(&plan, block.touched.len());
                self.add_to_block(&plan, &block.lists, scanned, base, masks);
                self.decide_block(ceiling, assumed, t, base, masks, &mut block, out);
            }
        });
    }

    /// Which postings counting reads, and what each does (see `candidates`).
    fn plan_count<'a>(
        &'a self,
        query: &[QueryToken],
        matches: &QueryMatches,
        group: usize,
        threshold: f64,
        ceiling: &Ceiling,
    ) -> CountPlan<'a> {
        let (need_org, need_person) = coverage_needed(query, threshold);
        let (need_org, need_person) = (need_org - 1e-9, need_person - 1e-9);
        let mut assumed = 0u64;
        for (i, t) in query.iter().enumerate() {
            if t.generic || t.initial {
                assumed |= 1 << i;
            }
        }
        let weight = |mask: u64| -> f64 { bits(mask | assumed).map(|i| query[i].weight).sum() };
        let costs: Vec<usize> = query
            .iter()
            .map(|t| self.lists(t, group).map(<[u32]>::len).sum())
            .collect();
        let mut sources: Vec<usize> = (0..query.len())
            .filter(|&i| !query[i].generic && costs[i] > 0)
            .collect();
        sources.sort_by_key(|&i| std::cmp::Reverse(costs[i]));
        // The sources left out of the collection, most postings first, as bits.
        let left_out = |need: f64, persons: bool| -> u64 {
            let mut out = 0u64;
            for &i in &sources {
                let more = out | (1 << i);
                if weight(more) < need || (persons && (more | assumed).count_ones() < 2) {
                    out = more;
                }
            }
            out
        };
        let rest_org = left_out(need_org, false);
        let rest_person = left_out(need_person, true);
        let sourced = sources.iter().fold(0u64, |bits, &i| bits | 1 << i);
        let collected = sourced & !rest_org;
        let for_persons = rest_org & !rest_person;
        // Every list read: the query tokens it stands for, what it adds to a name's mask (one
        // token, its weight), its postings, and whether it collects names (for all, for
        // Western persons only) or only adds to names collected.
        let mut reads: Vec<PostingsRead> = matches
            .ids
            .iter()
            .map(|(&id, entry)| {
                PostingsRead::new(entry.person_bits, entry.weight, self.postings(id, group))
            })
            .collect();
        for (i, t) in query.iter().enumerate() {
            let names = self.acronym_names(t, group);
            reads.push(PostingsRead::new(1 << i, ceiling.cover[i], names));
        }
        reads.retain(|r| !r.postings.is_empty());
        for r in &mut reads {
            r.role = if r.bits & collected != 0 {
                Role::Collect
            } else if r.bits & for_persons != 0 {
                Role::CollectPersons
            } else {
                Role::Add
            };
        }
        // Generic tokens not worth reading stay assumed held (see `SCAN_RATIO`); the decision
        // is made per block of names.
        let generic_cost: Vec<(usize, u64)> = (0..query.len())
            .filter(|&i| query[i].generic && !query[i].initial)
            .map(|i| (costs[i], 1u64 << i))
            .collect();
        CountPlan {
            assumed,
            rest_org,
            reads,
            generic_cost,
        }
    }

    /// The collecting reads of one block: each name they hold gets its mask, and is touched.
    fn collect_block(
        &self,
        plan: &CountPlan,
        lists: &[&[u32]],
        base: usize,
        masks: &mut [u64],
        touched: &mut Vec<u32>,
    ) {
        for (r, &block) in plan.reads.iter().zip(lists) {
            if r.role == Role::Add {
                continue;
            }
            let persons_only = r.role == Role::CollectPersons;
            for &n in block {
                if persons_only && !self.is_western(n) {
                    continue;
                }
                let slot = &mut masks[n as usize - base];
                if *slot == 0 {
                    touched.push(n);
                }
                *slot = (*slot | r.bits) + r.adds;
            }
        }
    }

    /// The generic tokens worth reading in a block that touched `touched` names: they are
    /// scanned, no longer assumed. Returns (assumed, scanned) query bits.
    fn scanned_in_block(&self, plan: &CountPlan, touched: usize) -> (u64, u64) {
        let mut assumed = plan.assumed;
        let mut scanned = plan.rest_org;
        for &(cost, bit) in &plan.generic_cost {
            let share = cost * BLOCK / self.names.len().max(1);
            if share <= SCAN_RATIO * touched {
                assumed &= !bit;
                scanned |= bit;
            }
        }
        (assumed, scanned)
    }

    /// The other reads of the `scanned` tokens add to names already collected in a block.
    fn add_to_block(
        &self,
        plan: &CountPlan,
        lists: &[&[u32]],
        scanned: u64,
        base: usize,
        masks: &mut [u64],
    ) {
        for (r, &block) in plan.reads.iter().zip(lists) {
            if r.role == Role::Collect || r.bits & scanned == 0 {
                continue;
            }
            let marked = r.role == Role::CollectPersons;
            for &n in block {
                let slot = &mut masks[n as usize - base];
                if *slot != 0 && !(marked && self.is_western(n)) {
                    *slot = (*slot | r.bits) + r.adds;
                }
            }
        }
    }

    /// Decides a block's touched names, clearing their masks: the query side first; then the
    /// names it leaves a chance have their shapes read in a loop of nothing else (so the
    /// reads overlap), and are decided on those.
    #[allow(clippy::too_many_arguments)]
    fn decide_block(
        &self,
        ceiling: &Ceiling,
        assumed: u64,
        t: f64,
        base: usize,
        masks: &mut [u64],
        block: &mut BlockScratch,
        out: &mut Vec<(u32, u64)>,
    ) {
        let BlockScratch {
            touched,
            pending,
            shapes,
            ..
        } = block;
        pending.clear();
        for &n in touched.iter() {
            let mask = std::mem::take(&mut masks[n as usize - base]);
            let found = NameCount {
                bits: mask & TOKEN_MASK,
                tokens: ((mask >> TOKEN_BITS) & 0xff) as usize,
                weight: (mask >> WEIGHT_SHIFT) as f64 / WEIGHT_UNIT,
                exact: !bit_set(&self.repeats, n),
            };
            if ceiling.counted_query(&found, assumed, self.is_western(n), t) {
                pending.push((n, found));
            }
        }
        shapes.clear();
        shapes.extend(pending.iter().map(|(n, _)| self.shapes[*n as usize]));
        for ((n, found), &shape) in pending.iter().zip(shapes.iter()) {
            if ceiling.counted_name(found, assumed, self.is_western(*n), t, shape) {
                out.push((*n, found.bits));
            }
        }
    }

    /// A Western person's plain name (see `IndexedName::western`).
    fn is_western(&self, n: u32) -> bool {
        bit_set(&self.western, n)
    }

    /// The postings of a query token in one group: the names holding a vocabulary token it
    /// matches, and for an acronym the plain names whose words it may abbreviate.
    pub(super) fn lists<'a>(
        &'a self,
        t: &'a QueryToken,
        group: usize,
    ) -> impl Iterator<Item = &'a [u32]> {
        t.matches
            .iter()
            .map(move |m| self.postings(m.id, group))
            .chain(std::iter::once(self.acronym_names(t, group)))
    }

    /// The names of one postings group holding a vocabulary token.
    pub(super) fn postings(&self, id: u32, group: usize) -> &[u32] {
        &self.tokens[id as usize].postings[group]
    }

    /// For an acronym, the plain names (postings group 0: the acronym rule applies to plain
    /// names only) whose words it may abbreviate.
    pub(super) fn acronym_names(&self, t: &QueryToken, group: usize) -> &[u32] {
        if group != 0 || !t.acronym {
            return &[];
        }
        self.acronyms
            .get(t.text.as_str())
            .map_or(&[], Vec::as_slice)
    }
}

/// The query tokens of one form by the vocabulary tokens they match: what scoring and the
/// score ceiling look up for each token of a name.
pub(super) struct QueryMatches {
    /// Vocabulary token → its entry.
    pub(super) ids: FastMap<u32, MatchedToken>,
    /// The matches, grouped by vocabulary token.
    pub(super) all: Vec<QueryMatch>,
}

pub(super) struct MatchedToken {
    /// Range of `QueryMatches::all`.
    pub(super) start: u32,
    pub(super) len: u32,
    /// The query tokens it matches (bits), for any name and for persons' names (nicknames).
    pub(super) bits: u64,
    pub(super) person_bits: u64,
    /// The query tokens it matches word for word: exactly, or as a long word's typing error
    /// (what a query of generic words only needs, see `word_for_word`).
    pub(super) word_for_word: u64,
    /// Its best similarity, and its weight as a name token.
    pub(super) sim: f64,
    pub(super) weight: f64,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct QueryMatch {
    pub(super) query: u16,
    pub(super) sim: f64,
    pub(super) person_only: bool,
    pub(super) variant: bool,
}

/// Whether a query word of `chars` letters matched at `sim` is matched word for word, as a
/// query of generic words only must be: exactly, or as a long word with a typing error
/// ("Guangg Zhou Institute of Communications"); a short one may be another place (Hubei,
/// Hebei).
pub(super) fn word_for_word(sim: f64, chars: usize) -> bool {
    sim >= 1.0 || (sim >= GENERIC_TYPO_SIM && chars >= GENERIC_TYPO_CHARS)
}

impl QueryMatches {
    pub(super) fn new(query: &[QueryToken]) -> QueryMatches {
        // Each match with its weight and whether it is word for word.
        let mut all: Vec<(u32, QueryMatch, f64, bool)> = Vec::new();
        for (qi, t) in query.iter().enumerate() {
            let chars = t.text.chars().count();
            for m in t.matches.iter() {
                let at = QueryMatch {
                    query: qi as u16,
                    sim: m.sim,
                    person_only: m.person_only,
                    variant: m.variant,
                };
                all.push((m.id, at, m.weight, word_for_word(m.sim, chars)));
            }
        }
        all.sort_by_key(|(id, m, _, _)| (*id, m.query));
        let mut ids: FastMap<u32, MatchedToken> = FastMap::default();
        ids.reserve(all.len());
        for (at, &(id, m, weight, typed)) in all.iter().enumerate() {
            let bit = if m.query < 64 { 1u64 << m.query } else { 0 };
            let entry = ids.entry(id).or_insert(MatchedToken {
                start: at as u32,
                len: 0,
                bits: 0,
                person_bits: 0,
                word_for_word: 0,
                sim: 0.0,
                weight,
            });
            entry.len += 1;
            entry.person_bits |= bit;
            if !m.person_only {
                entry.bits |= bit;
            }
            if typed {
                entry.word_for_word |= bit;
            }
            entry.sim = entry.sim.max(m.sim);
        }
        QueryMatches {
            ids,
            all: all.into_iter().map(|(_, m, _, _)| m).collect(),
        }
    }

    pub(super) fn get(&self, id: u32) -> Option<&MatchedToken> {
        self.ids.get(&id)
    }

    /// The query tokens a vocabulary token matches.
    pub(super) fn of(&self, id: u32) -> &[QueryMatch] {
        self.get(id).map_or(&[], |e| {
            &self.all[e.start as usize..(e.start + e.len) as usize]
        })
    }
}
