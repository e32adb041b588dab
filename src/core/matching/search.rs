//! The public face of the index: `Query` in, `Hit`s out. Searches each form of the query
//! (`plan.rs`), keeping each entity's best hit, and ranks.

use super::*;

/// One piece of evidence behind a score.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub name: &'static str,
    pub value: f64,
    pub weight: f64,
}

/// One matched entity.
#[derive(Debug, Clone)]
pub struct Hit {
    pub entity: Arc<Entity>,
    pub score: f64,
    pub matched_name: String,
    pub matched_kind: NameKind,
    pub features: Vec<Feature>,
    /// Other hits of the same answer that are the same party on another list: the same
    /// normalised primary name, or a shared identifier.
    pub same_party: Vec<String>,
}

/// What to search for and how.
#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    pub name: &'a str,
    pub entity_type: Option<EntityType>,
    pub countries: &'a [String],
    /// Only entities on these lists; `None` means every list.
    pub lists: Option<&'a HashSet<String>>,
    pub threshold: f64,
    pub limit: usize,
}

/// One form of one query, searched in one segment.
pub(super) struct FormSearch<'q, 'a> {
    pub(super) query: &'q Query<'a>,
    pub(super) form: QueryForm,
    pub(super) mode: Mode,
    pub(super) traits: QueryTraits,
    /// The segment's removed entities, one bit per slot.
    pub(super) dead: &'q [u64],
}

/// Whether `slot`'s bit is set; slots past the end are alive.
pub(super) fn is_dead(dead: &[u64], slot: u32) -> bool {
    dead.get(slot as usize / 64)
        .is_some_and(|w| w >> (slot % 64) & 1 == 1)
}

impl Index {
    /// Screens one name. Returns at most `query.limit` entities scoring at least
    /// `query.threshold`, best first.
    pub fn search(&self, query: &Query) -> Vec<Hit> {
        self.run(query, Mode::Indexed)
    }

    /// The same search with no candidate stage: every vocabulary token is compared with every
    /// query token and every name is scored. The baseline for tests and benchmarks; slow.
    pub fn search_exhaustive(&self, query: &Query) -> Vec<Hit> {
        self.run(query, Mode::Exhaustive)
    }

    pub(super) fn run(&self, query: &Query, mode: Mode) -> Vec<Hit> {
        // The forms mostly share tokens, and planning asks about some: each distinct token is
        // resolved once.
        let mut resolver = Resolver::new(mode, vec![(self, &[])]);
        let Some(plan) = Index::plan(query.name, &mut resolver) else {
            return Vec::new();
        };
        let best = self.collect(query, mode, &[], &plan, (&mut resolver, 0));
        rank(
            query,
            best.into_iter()
                .map(|(slot, hit)| (hit, &self.parties[slot as usize]))
                .collect(),
        )
    }

    /// Each entity's best hit, by slot, unranked, for the forms of `plan`; entities whose bit
    /// is set in `dead` (one bit per slot, see `LiveIndex`) are skipped. This index is the
    /// resolver's `at`-th.
    pub(super) fn collect(
        &self,
        query: &Query,
        mode: Mode,
        dead: &[u64],
        plan: &QueryPlan,
        (resolver, at): (&mut Resolver, usize),
    ) -> HashMap<u32, Hit> {
        let QueryPlan { forms, traits } = plan;
        let traits = *traits;
        let mut best: HashMap<u32, Hit> = HashMap::new();
        self.search_identifier(query, dead, &mut best);
        for &(form, ref tokens) in forms {
            // Words romanised, sounded or outlined from Chinese script were not typed: they
            // have near spellings, not typing errors.
            let derived = matches!(
                form,
                QueryForm::Roman | QueryForm::Phonetic | QueryForm::Outline
            );
            let resolved: Vec<QueryToken> = tokens
                .iter()
                .map(|t| QueryToken {
                    resolved: resolver.resolve(at, t, derived),
                    segment: t.segment,
                })
                .collect();
            let search = FormSearch {
                query,
                form,
                mode,
                traits,
                dead,
            };
            self.search_form(&search, &resolved, &mut best);
        }
        best
    }

    /// Scores the names one form of the query compares with, keeping each entity's best.
    pub(super) fn search_form(
        &self,
        search: &FormSearch,
        resolved: &[QueryToken],
        best: &mut HashMap<u32, Hit>,
    ) {
        let &FormSearch {
            query,
            form,
            mode,
            traits,
            dead,
        } = search;
        // Candidates come from the names holding a query word's matches, or an acronym's
        // words: an index with neither for any word of this form (most segments beside the
        // base, for most queries) has nothing to count.
        if resolved.is_empty()
            || (mode == Mode::Indexed
                && resolved.iter().all(|t| {
                    t.matches.is_empty() && self.acronym_names(t, form.group()).is_empty()
                }))
        {
            return;
        }
        let any_distinctive = !traits.generic && resolved.iter().any(|t| !t.generic);
        let matches = QueryMatches::new(resolved);
        let mut scratch = Scratch::default();
        let factor = form.factor().map_or(1.0, |(_, f)| f);
        let (candidates, ceiling) = match mode {
            Mode::Indexed => {
                let ceiling = Ceiling::new(resolved, any_distinctive, factor);
                let candidates = self.candidates(
                    resolved,
                    form,
                    query.threshold,
                    any_distinctive,
                    &matches,
                    ceiling.as_ref(),
                );
                (candidates, ceiling)
            }
            Mode::Exhaustive => ((0..self.names.len() as u32).map(|n| (n, 0)).collect(), None),
        };
        for (name, held, weighed) in self.compared_names(form, candidates) {
            if let Some(ceiling) = &ceiling {
                // Surname-only renderings are capped, and judged on part of the query.
                if !name.surname_only {
                    let most = ceiling.of(&matches, name, shape_total(weighed), held);
                    if most + 1e-9 < query.threshold
                        || best
                            .get(&name.entity)
                            .is_some_and(|hit| most + 1e-9 < hit.score)
                    {
                        continue;
                    }
                }
            }
            let entity = &self.entities[name.entity as usize];
            if is_dead(dead, name.entity)
                || query
                    .lists
                    .is_some_and(|lists| !lists.contains(&entity.list))
            {
                continue;
            }
            work::count(|w| {
                w.scored += 1;
                w.score_pairs += (resolved.len() * name.tokens.len()) as u64;
            });
            let Some(scored) = self.score(
                resolved,
                &matches,
                name,
                any_distinctive,
                traits,
                &mut scratch,
            ) else {
                continue;
            };
            let score = evidence(scored.score * factor, entity, query, None);
            if score < query.threshold
                || best.get(&name.entity).is_some_and(|hit| score <= hit.score)
            {
                continue;
            }
            best.insert(
                name.entity,
                Self::hit(entity, name, score, scored.features(), form, query),
            );
        }
    }

    /// The candidates this form compares with (`Form::compares_with`), each with the query
    /// tokens counted in it and its shape, read in a loop of nothing else so that the reads
    /// overlap.
    fn compared_names(
        &self,
        form: QueryForm,
        candidates: Vec<(u32, u64)>,
    ) -> Vec<(&IndexedName, u64, u64)> {
        candidates
            .into_iter()
            .filter_map(|(name_id, held)| {
                let name = &self.names[name_id as usize];
                // A surname-only rendering stands in for a Latin name the entity also has: a
                // Latin query is judged against that, where its given name can be checked.
                let compared = form.compares_with(name.form)
                    && !(name.surname_only && form == QueryForm::Syllable);
                compared.then(|| (name, held, self.shapes[name_id as usize]))
            })
            .collect()
    }

    /// A kept hit: its features say why (the form's factor and the evidence applied, after
    /// the score's own), and the name it matched as the list writes it.
    fn hit(
        entity: &Arc<Entity>,
        name: &IndexedName,
        score: f64,
        mut features: Vec<Feature>,
        form: QueryForm,
        query: &Query,
    ) -> Hit {
        if let Some((feature, factor)) = form.factor() {
            features.push(Feature {
                name: feature,
                value: 1.0,
                weight: factor,
            });
        }
        evidence(1.0, entity, query, Some(&mut features));
        let matched = entity
            .names()
            .nth(name.position as usize)
            .map_or_else(String::new, |(_, text)| text.to_string());
        Hit {
            entity: Arc::clone(entity),
            score,
            matched_name: matched,
            matched_kind: name.kind,
            features,
            same_party: Vec::new(),
        }
    }

    /// An identifier typed as the name (a USCC, with or without spaces) is the strongest
    /// evidence there is: its entities score 1.
    pub(super) fn search_identifier(
        &self,
        query: &Query,
        dead: &[u64],
        best: &mut HashMap<u32, Hit>,
    ) {
        let key = identifier_key(query.name);
        if key.len() < 6 || !key.bytes().any(|b| b.is_ascii_digit()) {
            return;
        }
        for &slot in self.identifiers.get(&key).into_iter().flatten() {
            let entity = &self.entities[slot as usize];
            if is_dead(dead, slot)
                || query
                    .lists
                    .is_some_and(|lists| !lists.contains(&entity.list))
            {
                continue;
            }
            let matched = entity
                .identifiers
                .iter()
                .find(|i| identifier_key(&i.value) == key)
                .map_or_else(String::new, |i| i.value.clone());
            best.insert(
                slot,
                Hit {
                    entity: Arc::clone(entity),
                    score: 1.0,
                    matched_name: matched,
                    matched_kind: NameKind::Identifier,
                    features: vec![Feature {
                        name: "identifier_match",
                        value: 1.0,
                        weight: 1.0,
                    }],
                    same_party: Vec::new(),
                },
            );
        }
    }
}
