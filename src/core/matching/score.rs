//! The scorer: a greedy one-to-one alignment of query and name tokens, coverage on both sides,
//! the multipliers (all at most 1), and the features that explain a score.

use super::*;

/// What the query as a whole is like, beyond its tokens.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    /// One short Latin word.
    pub(super) short: bool,
    /// Two Chinese characters.
    pub(super) short_han: bool,
    /// Generic words only, in translation.
    pub(super) generic: bool,
}

/// The numbers behind one score; features are built only for hits that are kept.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Scored {
    pub(super) score: f64,
    pub(super) query_coverage: f64,
    pub(super) name_coverage: f64,
    pub(super) fuzzy: u8,
    pub(super) acronyms: u8,
    pub(super) initials: u8,
    pub(super) distinctive_missing: bool,
    pub(super) number_mismatch: bool,
    pub(super) syllable_missing: bool,
    pub(super) short_partial: bool,
    pub(super) descriptor_conflict: bool,
    pub(super) surname_only: Option<f64>,
}

impl Scored {
    pub(super) fn features(&self) -> Vec<Feature> {
        let mut features = vec![
            Feature {
                name: "query_coverage",
                value: self.query_coverage,
                weight: QUERY_EXP,
            },
            Feature {
                name: "name_coverage",
                value: self.name_coverage,
                weight: NAME_EXP,
            },
        ];
        let counts = [
            ("fuzzy_tokens", self.fuzzy),
            ("acronym", self.acronyms),
            ("initials", self.initials),
        ];
        for (name, count) in counts.into_iter().filter(|(_, c)| *c > 0) {
            features.push(Feature {
                name,
                value: f64::from(count),
                weight: 0.0,
            });
        }
        let flags = [
            (
                "distinctive_missing",
                self.distinctive_missing,
                DISTINCTIVE_MISSING,
            ),
            ("number_mismatch", self.number_mismatch, NUMBER_MISMATCH),
            ("syllable_missing", self.syllable_missing, SYLLABLE_MISSING),
            ("short_query_partial", self.short_partial, SHORT_PARTIAL),
            (
                "descriptor_conflict",
                self.descriptor_conflict,
                DESCRIPTOR_CONFLICT,
            ),
        ];
        for (name, _, weight) in flags.into_iter().filter(|(_, on, _)| *on) {
            features.push(Feature {
                name,
                value: 1.0,
                weight,
            });
        }
        if let Some(cap) = self.surname_only {
            features.push(Feature {
                name: "surname_only_rendering",
                value: 1.0,
                weight: cap,
            });
        }
        features
    }
}

impl Index {
    /// Scores one candidate name; `None` when it is no match whatever the threshold.
    pub(super) fn score(
        &self,
        query: &[QueryToken],
        lookup: &Lookup,
        name: &IndexedName,
        any_distinctive: bool,
        shape: Shape,
        scratch: &mut Scratch,
    ) -> Option<Scored> {
        let person = name.person;
        let info = |id: u32| &self.tokens[id as usize];
        // Every (query token, name token) pair that matches, best first; then a greedy
        // one-to-one alignment.
        let Scratch {
            pairs,
            q_sim,
            n_sim,
        } = scratch;
        pairs.clear();
        for (ni, &id) in name.tokens.iter().enumerate() {
            for m in lookup.matches(id) {
                if person || !m.person_only {
                    pairs.push((m.sim, m.query as usize, ni));
                }
            }
        }
        if pairs.is_empty() {
            return None; // initials and acronyms alone are no match
        }
        // A surname-only rendering is one part of the query: align it with the query part
        // that covers most of it (the later one on a tie, as surnames come last), not with
        // characters scattered over the given name (斯 of 肯尼斯).
        if name.surname_only {
            let mut cover: HashMap<u16, HashSet<usize>> = HashMap::new();
            for &(_, qi, ni) in pairs.iter() {
                cover.entry(query[qi].segment).or_default().insert(ni);
            }
            let best = cover
                .iter()
                .max_by_key(|(segment, names)| (names.len(), **segment))
                .map(|(segment, _)| *segment);
            pairs.retain(|&(_, qi, _)| Some(query[qi].segment) == best);
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        q_sim.clear();
        q_sim.resize(query.len(), 0.0);
        n_sim.clear();
        n_sim.resize(name.tokens.len(), 0.0);
        let mut scored = Scored::default();
        let mut distinctive_hit = false;
        for &(sim, qi, ni) in pairs.iter() {
            if q_sim[qi] > 0.0 || n_sim[ni] > 0.0 {
                continue;
            }
            q_sim[qi] = sim;
            n_sim[ni] = sim;
            if sim < 1.0 {
                scored.fuzzy += 1;
            }
            if !query[qi].generic {
                distinctive_hit = true;
            }
        }
        if any_distinctive && !distinctive_hit {
            return None;
        }
        let text = |ni: usize| &*info(name.tokens[ni]).text;
        // Initials: an unmatched one-letter query token pairs with an unmatched name part
        // that starts with it ("John K. C. Lee" ~ "LEE, John Ka-chiu").
        for (qi, qt) in query.iter().enumerate() {
            if !qt.initial || q_sim[qi] > 0.0 {
                continue;
            }
            let free = (0..name.tokens.len()).find(|&ni| {
                n_sim[ni] == 0.0 && !info(name.tokens[ni]).numeric && text(ni).starts_with(&qt.text)
            });
            if let Some(ni) = free {
                q_sim[qi] = INITIAL_SIM;
                n_sim[ni] = INITIAL_SIM;
                scored.initials += 1;
            }
        }
        // Acronyms: an unmatched query token spelling the initials of consecutive unmatched
        // name words ("MFC" ~ Missiles and Fire Control, "KC" ~ Ka Chiu).
        let open_acronym = query
            .iter()
            .zip(q_sim.iter())
            .any(|(t, s)| t.acronym && *s == 0.0);
        if name.form == Form::Plain && open_acronym {
            // The name's words, without "of", "and" ... (at most 64 are looked at).
            let mut words = [0usize; 64];
            let mut count = 0;
            for ni in 0..name.tokens.len().min(64) {
                if !ACRONYM_SKIP.contains(&text(ni)) {
                    words[count] = ni;
                    count += 1;
                }
            }
            let words = &words[..count];
            for (qi, qt) in query.iter().enumerate() {
                if !qt.acronym || q_sim[qi] > 0.0 {
                    continue;
                }
                let letters = qt.text.as_bytes();
                let window = words.windows(letters.len()).find(|at| {
                    at.iter().zip(letters).all(|(&ni, &letter)| {
                        let word = text(ni);
                        n_sim[ni] == 0.0
                            && word.as_bytes().first() == Some(&letter)
                            && word.bytes().all(|b| b.is_ascii_alphabetic())
                    })
                });
                if let Some(at) = window {
                    q_sim[qi] = ACRONYM_SIM;
                    for &ni in at {
                        n_sim[ni] = ACRONYM_SIM;
                    }
                    scored.acronyms += 1;
                }
            }
        }
        let matched = match &name.parts {
            Some(parts) => {
                // A part counts when two thirds of its characters matched: scattered
                // characters (姆 of 汤姆, 斯 of 莫斯) are no name part.
                let mut counts: HashMap<u16, (usize, usize)> = HashMap::new();
                for (part, s) in parts.iter().zip(n_sim.iter()) {
                    let entry = counts.entry(*part).or_default();
                    entry.1 += 1;
                    if *s > 0.0 {
                        entry.0 += 1;
                    }
                }
                counts
                    .values()
                    .filter(|(hit, all)| *hit > 0 && hit * 3 >= all * 2)
                    .count()
            }
            None => q_sim.iter().filter(|s| **s > 0.0).count(),
        };
        // A surname-only rendering is judged on the query parts it matched; the rest of the
        // query (the given name) cannot be checked, so the score is capped.
        let mut in_scope: Option<Vec<bool>> = None;
        if name.surname_only {
            let segments: HashSet<u16> = query
                .iter()
                .zip(q_sim.iter())
                .filter(|(_, s)| **s > 0.0)
                .map(|(t, _)| t.segment)
                .collect();
            let scope: Vec<bool> = query
                .iter()
                .map(|t| segments.contains(&t.segment))
                .collect();
            if n_sim.contains(&0.0) {
                return None; // all of the rendering, or it is another name (库克 ≠ 库楚克)
            }
            let whole = scope.iter().all(|s| *s);
            in_scope = Some(scope);
            let cap = if whole { SURNAME_ALONE } else { SURNAME_ONLY };
            scored.surname_only = Some(cap);
        } else if person && matched < 2 {
            // One shared name part is not a match for a person (OFAC's triage rule): "Ross",
            // "Edmund" or 陈 alone must not flag everyone who bears it.
            return None;
        }
        // Once two parts of a Western-style personal name match, the parts only one side
        // has between matched parts (middle names) weigh little.
        let middle = if person
            && matched >= 2
            && !name.chinese_person
            && !name.surname_only
            && name.form == Form::Plain
        {
            MIDDLE_NAME
        } else {
            1.0
        };
        let q_span = matched_span(q_sim);
        let n_span = matched_span(n_sim);
        let (mut q_total, mut q_hit) = (0.0, 0.0);
        for (i, (t, &s)) in query.iter().zip(q_sim.iter()).enumerate() {
            if in_scope.as_ref().is_none_or(|scope| scope[i]) {
                let between = s == 0.0 && q_span.is_some_and(|(a, b)| a < i && i < b);
                q_total += t.weight * if between { middle } else { 1.0 };
                q_hit += t.weight * s;
            }
        }
        let (mut n_total, mut n_hit) = (0.0, 0.0);
        for (i, (&id, &s)) in name.tokens.iter().zip(n_sim.iter()).enumerate() {
            let between = s == 0.0 && n_span.is_some_and(|(a, b)| a < i && i < b);
            n_total += info(id).weight * if between { middle } else { 1.0 };
            n_hit += info(id).weight * s;
        }
        if q_hit <= 0.0 || n_hit <= 0.0 {
            return None;
        }
        // A query of generic words only ("China Technology", "University of Tokyo", 新疆新能源)
        // names a party only when it is, word for word, all of that party's generic words
        // (and, in Chinese script, all of its characters).
        if !any_distinctive {
            let han_name = (0..name.tokens.len()).any(|ni| text(ni).chars().any(text::is_han));
            let loose_name = name.tokens.iter().zip(n_sim.iter()).any(|(&id, s)| {
                *s == 0.0
                    && (han_name || (info(id).generic && !ACRONYM_SKIP.contains(&&*info(id).text)))
            });
            if q_sim.iter().any(|s| *s < 1.0) || loose_name {
                return None;
            }
        }
        scored.query_coverage = (q_hit / q_total).min(1.0);
        scored.name_coverage = (n_hit / n_total).min(1.0);
        let mut score = scored.query_coverage.powf(QUERY_EXP) * scored.name_coverage.powf(NAME_EXP);
        let strongest = name
            .tokens
            .iter()
            .zip(n_sim.iter())
            .max_by(|a, b| info(*a.0).weight.total_cmp(&info(*b.0).weight));
        // Per-character Han tokens are no trade name on their own: the rule is for words.
        let is_word = |id: u32| !info(id).text.chars().any(text::is_han);
        if let Some((_, &sim)) = strongest.filter(|(id, _)| name.tokens.len() > 1 && is_word(**id))
        {
            if sim == 0.0 {
                score *= DISTINCTIVE_MISSING;
                scored.distinctive_missing = true;
            }
        }
        if name.chinese_person && n_sim.contains(&0.0) {
            score *= SYLLABLE_MISSING;
            scored.syllable_missing = true;
        }
        // Numbers in names (CETC 28 vs CETC 38) discriminate hard: an unmatched number on
        // either side, when both sides have numbers, is a strong sign of a different party.
        let q_nums = query.iter().any(|t| t.numeric);
        let n_nums = name.tokens.iter().any(|&id| info(id).numeric);
        let unmatched_number = query
            .iter()
            .zip(q_sim.iter())
            .any(|(t, s)| t.numeric && *s == 0.0)
            || name
                .tokens
                .iter()
                .zip(n_sim.iter())
                .any(|(&id, s)| info(id).numeric && *s == 0.0);
        if q_nums && n_nums && unmatched_number {
            score *= NUMBER_MISMATCH;
            scored.number_mismatch = true;
        }
        let class_word = |t: &TokenInfo| t.generic && !ACRONYM_SKIP.contains(&&*t.text);
        let query_class = query
            .iter()
            .zip(q_sim.iter())
            .any(|(t, s)| *s == 0.0 && t.generic && !ACRONYM_SKIP.contains(&t.text.as_str()));
        let name_class = name
            .tokens
            .iter()
            .zip(n_sim.iter())
            .any(|(&id, s)| *s == 0.0 && class_word(info(id)));
        if query_class && name_class {
            score *= DESCRIPTOR_CONFLICT;
            scored.descriptor_conflict = true;
        }
        let short_partial = if shape.short {
            n_sim.contains(&0.0) || q_sim.iter().any(|s| *s < 1.0)
        } else if shape.short_han {
            // Only characters that name something count (华为 is all of 华为技术).
            name.tokens.iter().zip(n_sim.iter()).any(|(&id, s)| {
                *s == 0.0 && !info(id).generic && info(id).text.chars().any(text::is_han)
            })
        } else {
            false
        };
        if short_partial {
            score *= SHORT_PARTIAL;
            scored.short_partial = true;
        }
        if let Some(cap) = scored.surname_only {
            score = score.min(cap);
        }
        scored.score = score;
        Some(scored)
    }
}

/// The first and last matched positions: an unmatched position between them is a middle one.
pub(super) fn matched_span(sims: &[f64]) -> Option<(usize, usize)> {
    Some((
        sims.iter().position(|s| *s > 0.0)?,
        sims.iter().rposition(|s| *s > 0.0)?,
    ))
}

/// Buffers one search reuses for every candidate it scores.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    pub(super) pairs: Vec<(f64, usize, usize)>,
    pub(super) q_sim: Vec<f64>,
    pub(super) n_sim: Vec<f64>,
}
