//! The scorer: a greedy one-to-one alignment of query and name tokens, coverage on both sides,
//! the multipliers (all at most 1), and the features that explain a score.

use super::text::is_han;
use super::*;

/// What the query as a whole is like, beyond its tokens.
#[derive(Debug, Clone, Copy)]
pub(super) struct QueryTraits {
    /// One short Latin word.
    pub(super) short: bool,
    /// Two Chinese characters.
    pub(super) short_han: bool,
    /// Generic words only, in translation.
    pub(super) generic: bool,
    /// Two to four Chinese syllables, each a word, as a Chinese personal name is written.
    pub(super) chinese_style: bool,
}

/// The numbers behind one score; features are built only for hits that are kept.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ScoreBreakdown {
    pub(super) score: f64,
    pub(super) query_coverage: f64,
    pub(super) name_coverage: f64,
    pub(super) fuzzy: u8,
    pub(super) acronyms: u8,
    pub(super) initials: u8,
    pub(super) penalties: Penalties,
    /// The cap of a surname-only rendering (`SURNAME_ONLY` or `SURNAME_ALONE`).
    pub(super) surname_only: Option<f64>,
}

impl ScoreBreakdown {
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
        features.extend(self.penalties.iter().map(|p| Feature {
            name: p.feature(),
            value: 1.0,
            weight: p.multiplier(),
        }));
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

/// One query and one candidate name, with the similarity each token was aligned at (0 when
/// unaligned): what every step of scoring reads.
struct Alignment<'a> {
    index: &'a Index,
    query: &'a [QueryToken],
    name: &'a IndexedName,
    q_sim: &'a mut [f64],
    n_sim: &'a mut [f64],
    /// The name token each query token is aligned with (`UNALIGNED` when none).
    q_to_n: &'a mut [usize],
}

/// `Alignment::q_to_n` of a query token aligned with no name token.
const UNALIGNED: usize = usize::MAX;

impl Index {
    /// Scores one candidate name; `None` when it is no match whatever the threshold. The
    /// steps: align query and name tokens one to one, then initials and acronyms; apply the
    /// rules that reject outright; measure coverage on both sides; apply the penalties.
    pub(super) fn score(
        &self,
        query: &[QueryToken],
        matches: &QueryMatches,
        name: &IndexedName,
        any_distinctive: bool,
        traits: QueryTraits,
        scratch: &mut Scratch,
    ) -> Option<ScoreBreakdown> {
        let Scratch {
            pairs,
            q_sim,
            n_sim,
            q_to_n,
        } = scratch;
        q_sim.clear();
        q_sim.resize(query.len(), 0.0);
        n_sim.clear();
        n_sim.resize(name.tokens.len(), 0.0);
        q_to_n.clear();
        q_to_n.resize(query.len(), UNALIGNED);
        let mut at = Alignment {
            index: self,
            query,
            name,
            q_sim,
            n_sim,
            q_to_n,
        };
        let mut scored = ScoreBreakdown::default();
        let (fuzzy, distinctive_hit) = at.align(matches, pairs)?;
        scored.fuzzy = fuzzy;
        if any_distinctive && !distinctive_hit {
            return None;
        }
        scored.initials = at.pair_initials();
        if name.form == Form::Plain {
            scored.acronyms = at.pair_acronyms();
        }
        let matched = at.matched_parts();
        // A surname-only rendering is judged on the query parts it matched; the rest of the
        // query (the given name) cannot be checked, so the score is capped.
        let mut in_scope = None;
        if name.surname_only {
            let (scope, cap) = at.surname_scope()?;
            in_scope = Some(scope);
            scored.surname_only = Some(cap);
        } else if name.needs_two_parts() && matched < 2 {
            // One shared name part is not a match for a person (OFAC's triage rule): "Ross",
            // "Edmund" or 陈 alone must not flag everyone who bears it. A person listed under
            // one name only (Hannibal) is matched by that name.
            return None;
        }
        let (query_coverage, name_coverage) = at.coverage(matched, in_scope.as_deref())?;
        if !any_distinctive && !at.generic_query_matched_word_for_word() {
            return None;
        }
        scored.query_coverage = query_coverage;
        scored.name_coverage = name_coverage;
        let mut score = query_coverage.powf(QUERY_EXP) * name_coverage.powf(NAME_EXP);
        scored.penalties = at.penalties(traits);
        for penalty in scored.penalties.iter() {
            score *= penalty.multiplier();
        }
        if let Some(cap) = scored.surname_only {
            score = score.min(cap);
        }
        scored.score = score;
        Some(scored)
    }
}

impl Alignment<'_> {
    fn info(&self, id: u32) -> &TokenInfo {
        &self.index.tokens[id as usize]
    }

    /// The text of the name's token at `ni`.
    fn text(&self, ni: usize) -> &str {
        &self.info(self.name.tokens[ni]).text
    }

    /// Every (query token, name token) pair that matches, best first; then a greedy one-to-one
    /// alignment. Returns how many aligned pairs are approximate and whether a distinctive
    /// query token is aligned; `None` when nothing matches (initials and acronyms alone are
    /// no match).
    fn align(
        &mut self,
        matches: &QueryMatches,
        pairs: &mut Vec<(f64, usize, usize)>,
    ) -> Option<(u8, bool)> {
        let (query, name) = (self.query, self.name);
        pairs.clear();
        // A name romanised from Chinese script is pinyin: another spelling meets it only when
        // the name's syllable is its pinyin reading (Pao meets bao; Li does not meet lai, the
        // Cantonese Lai of 黎, in 蔚来, wei lai).
        let pinyin_name = name.form == Form::HanRoman;
        for (ni, &id) in name.tokens.iter().enumerate() {
            for m in matches.of(id) {
                let misread = m.variant
                    && pinyin_name
                    && !text::is_pinyin_reading(&query[m.query as usize].text, &self.info(id).text);
                if (name.person || !m.person_only) && !misread {
                    pairs.push((m.sim, m.query as usize, ni));
                }
            }
        }
        if pairs.is_empty() {
            return None;
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
        let (mut fuzzy, mut distinctive_hit) = (0, false);
        for &(sim, qi, ni) in pairs.iter() {
            if self.q_sim[qi] > 0.0 || self.n_sim[ni] > 0.0 {
                continue;
            }
            self.q_sim[qi] = sim;
            self.n_sim[ni] = sim;
            self.q_to_n[qi] = ni;
            if sim < 1.0 {
                fuzzy += 1;
            }
            if !query[qi].generic {
                distinctive_hit = true;
            }
        }
        Some((fuzzy, distinctive_hit))
    }

    /// Initials: an unmatched one-letter query token pairs with an unmatched name part that
    /// starts with it ("John K. C. Lee" ~ "LEE, John Ka-chiu"). Returns how many paired.
    fn pair_initials(&mut self) -> u8 {
        let mut paired = 0;
        for (qi, qt) in self.query.iter().enumerate() {
            if !qt.initial || self.q_sim[qi] > 0.0 {
                continue;
            }
            let free = (0..self.name.tokens.len()).find(|&ni| {
                self.n_sim[ni] == 0.0
                    && !self.info(self.name.tokens[ni]).numeric
                    && self.text(ni).starts_with(&qt.text)
            });
            if let Some(ni) = free {
                self.q_sim[qi] = INITIAL_SIM;
                self.n_sim[ni] = INITIAL_SIM;
                paired += 1;
            }
        }
        paired
    }

    /// Acronyms: an unmatched query token spelling the initials of consecutive unmatched name
    /// words ("MFC" ~ Missiles and Fire Control, "KC" ~ Ka Chiu). Returns how many paired.
    fn pair_acronyms(&mut self) -> u8 {
        let open = |at: &Self| {
            at.query
                .iter()
                .zip(at.q_sim.iter())
                .any(|(t, s)| t.acronym && *s == 0.0)
        };
        if !open(self) {
            return 0;
        }
        // The name's words, without "of", "and" ... (at most 64 are looked at).
        let mut words = [0usize; 64];
        let mut count = 0;
        for ni in 0..self.name.tokens.len().min(64) {
            if !ACRONYM_SKIP.contains(&self.text(ni)) {
                words[count] = ni;
                count += 1;
            }
        }
        let words = &words[..count];
        let mut paired = 0;
        for (qi, qt) in self.query.iter().enumerate() {
            if !qt.acronym || self.q_sim[qi] > 0.0 {
                continue;
            }
            let letters = qt.text.as_bytes();
            let window = words.windows(letters.len()).find(|at| {
                at.iter().zip(letters).all(|(&ni, &letter)| {
                    let word = self.text(ni);
                    self.n_sim[ni] == 0.0
                        && word.as_bytes().first() == Some(&letter)
                        && word.bytes().all(|b| b.is_ascii_alphabetic())
                })
            });
            if let Some(at) = window {
                self.q_sim[qi] = ACRONYM_SIM;
                for &ni in at {
                    self.n_sim[ni] = ACRONYM_SIM;
                }
                paired += 1;
            }
        }
        paired
    }

    /// How many parts of the name matched: for a name in parts (a Chinese rendering of a
    /// Western name), the parts two thirds of whose characters matched (scattered characters,
    /// 姆 of 汤姆 or 斯 of 莫斯, are no name part); else the query tokens aligned.
    fn matched_parts(&self) -> usize {
        match &self.name.parts {
            Some(parts) => {
                let mut counts: HashMap<u16, (usize, usize)> = HashMap::new();
                for (part, s) in parts.iter().zip(self.n_sim.iter()) {
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
            None => self.q_sim.iter().filter(|s| **s > 0.0).count(),
        }
    }

    /// For a surname-only rendering: the query tokens in the parts it matched, and the cap on
    /// the score (lower when the query is only the surname). `None` when some of the rendering
    /// is unmatched: it is all of the rendering, or another name (库克 ≠ 库楚克).
    fn surname_scope(&self) -> Option<(Vec<bool>, f64)> {
        let segments: HashSet<u16> = self
            .query
            .iter()
            .zip(self.q_sim.iter())
            .filter(|(_, s)| **s > 0.0)
            .map(|(t, _)| t.segment)
            .collect();
        let scope: Vec<bool> = self
            .query
            .iter()
            .map(|t| segments.contains(&t.segment))
            .collect();
        if self.n_sim.contains(&0.0) {
            return None;
        }
        let whole = scope.iter().all(|s| *s);
        Some((scope, if whole { SURNAME_ALONE } else { SURNAME_ONLY }))
    }

    /// Query and name coverage: the weight aligned over the weight there is, on each side
    /// (query tokens out of `in_scope` left out). Once two parts of a Western-style personal
    /// name match, the parts only one side has between matched parts (middle names) weigh
    /// `MIDDLE_NAME`. `None` when either side has no weight aligned.
    fn coverage(&self, matched: usize, in_scope: Option<&[bool]>) -> Option<(f64, f64)> {
        let name = self.name;
        let middle = if name.person
            && matched >= 2
            && !name.chinese_person
            && !name.surname_only
            && name.form == Form::Plain
        {
            MIDDLE_NAME
        } else {
            1.0
        };
        let q_span = matched_span(self.q_sim);
        let n_span = matched_span(self.n_sim);
        let (mut q_total, mut q_hit) = (0.0, 0.0);
        for (i, (t, &s)) in self.query.iter().zip(self.q_sim.iter()).enumerate() {
            if in_scope.is_none_or(|scope| scope[i]) {
                let between = s == 0.0 && q_span.is_some_and(|(a, b)| a < i && i < b);
                q_total += t.weight * if between { middle } else { 1.0 };
                q_hit += t.weight * s;
            }
        }
        let (mut n_total, mut n_hit) = (0.0, 0.0);
        for (i, (&id, &s)) in name.tokens.iter().zip(self.n_sim.iter()).enumerate() {
            let between = s == 0.0 && n_span.is_some_and(|(a, b)| a < i && i < b);
            n_total += self.info(id).weight * if between { middle } else { 1.0 };
            n_hit += self.info(id).weight * s;
        }
        if q_hit <= 0.0 || n_hit <= 0.0 {
            return None;
        }
        Some(((q_hit / q_total).min(1.0), (n_hit / n_total).min(1.0)))
    }

    /// A query of generic words only ("China Technology", "University of Tokyo", 新疆新能源)
    /// names a party only when it is, word for word (`word_for_word`), all of that party's
    /// generic words (and, in Chinese script, all of its characters).
    fn generic_query_matched_word_for_word(&self) -> bool {
        let han_name = (0..self.name.tokens.len()).any(|ni| self.text(ni).chars().any(is_han));
        let loose_name = self
            .name
            .tokens
            .iter()
            .zip(self.n_sim.iter())
            .any(|(&id, s)| *s == 0.0 && (han_name || self.class_word(self.info(id))));
        let typed = self
            .query
            .iter()
            .zip(self.q_sim.iter())
            .all(|(t, &s)| word_for_word(s, t.text.chars().count()));
        typed && !loose_name
    }

    /// The letters of a query word and of the name word it is aligned with: (the shorter,
    /// the longer); the query word's alone when it is aligned with several, as an acronym.
    fn aligned_chars(&self, qi: usize) -> (usize, usize) {
        let own = self.query[qi].text.chars().count();
        match self.q_to_n[qi] {
            UNALIGNED => (own, own),
            ni => {
                let other = self.text(ni).chars().count();
                (own.min(other), own.max(other))
            }
        }
    }

    /// Whether the query's aligned words meet the name's in the name's order.
    fn in_name_order(&self) -> bool {
        let mut aligned = self.q_to_n.iter().filter(|&&ni| ni != UNALIGNED);
        let Some(mut last) = aligned.next().copied() else {
            return true;
        };
        aligned.all(|&ni| std::mem::replace(&mut last, ni) < ni)
    }

    /// Whether the query or the name has a word (not "of", "and" ...) the other lacks.
    fn any_word_unmatched(&self) -> bool {
        let open = |text: &str, s: f64| s == 0.0 && !ACRONYM_SKIP.contains(&text);
        self.query
            .iter()
            .zip(self.q_sim.iter())
            .any(|(t, &s)| open(&t.text, s))
            || (0..self.name.tokens.len()).any(|ni| open(self.text(ni), self.n_sim[ni]))
    }

    /// Whether the query's aligned syllables, or the name's, are written in no one
    /// romanisation system (`text::romanisation_systems`): Huang Kai ~ Huang Jie meets 杰
    /// only through the Cantonese Kai, and Huang is no Cantonese spelling; Kan Chen meets Qin
    /// Zhen only as a Cantonese Kan beside a Wade–Giles Chen.
    fn romanisations_disagree(&self) -> bool {
        let (mut query_side, mut name_side) = (text::Systems::ANY, text::Systems::ANY);
        for (qi, &ni) in self.q_to_n.iter().enumerate() {
            if ni != UNALIGNED {
                let (q, n) = (self.query[qi].text.as_str(), self.text(ni));
                query_side = query_side.and(text::romanisation_systems(q, n));
                name_side = name_side.and(text::romanisation_systems(n, q));
            }
        }
        query_side.is_empty() || name_side.is_empty()
    }

    /// A generic word that says what kind of party it is (not "of", "and" ...).
    fn class_word(&self, t: &TokenInfo) -> bool {
        t.generic && !ACRONYM_SKIP.contains(&&*t.text)
    }

    /// The penalties this alignment earns (`Penalty`).
    fn penalties(&self, traits: QueryTraits) -> Penalties {
        let (query, name) = (self.query, self.name);
        let (q_sim, n_sim) = (&*self.q_sim, &*self.n_sim);
        let info = |id: u32| self.info(id);
        let mut penalties = Penalties::default();
        // Per-character Han tokens are no trade name on their own: the rule is for words. A
        // person's patronymic, when the name has two other parts, is no distinctive word
        // either: people write Igor Girkin for GIRKIN, Igor Vsevolodovich.
        let patronymic =
            |id: u32| name.person && name.tokens.len() >= 3 && text::is_patronymic(&info(id).text);
        let strongest = name
            .tokens
            .iter()
            .zip(n_sim.iter())
            .filter(|(&id, _)| !patronymic(id))
            .max_by(|a, b| info(*a.0).weight.total_cmp(&info(*b.0).weight));
        if let Some((&id, &sim)) = strongest {
            if name.tokens.len() > 1 && !info(id).text.chars().any(is_han) && sim == 0.0 {
                penalties.add(Penalty::DistinctiveMissing);
            }
        }
        // An organisation's name in Chinese script, read in pinyin, met by a query in Chinese
        // syllables: every character names it (a generic word aside), in its order.
        let han_organisation = traits.chinese_style && name.form == Form::HanRoman && !name.person;
        let han_character_missing = han_organisation
            && name
                .tokens
                .iter()
                .zip(n_sim.iter())
                .any(|(&id, &s)| s == 0.0 && !info(id).generic);
        // A query shaped as a Chinese personal name, met by a listed person of three
        // syllables with one more (Hao Wang ~ YU, Kwang Ho): another given name, another
        // person. A listed part of another kind (the Alex of Alex Yun Cheong Yue) may be left
        // out, and so may a married woman's own surname in a longer name (Lam Yuet-ngor ~ LAM
        // Cheng Yuet-ngor).
        let person_syllable_missing = traits.chinese_style
            && name.person
            && name.tokens.len() <= 3
            && name.tokens.iter().zip(n_sim.iter()).any(|(&id, &s)| {
                let text = &info(id).text;
                s == 0.0 && text.chars().nth(1).is_some() && text::chinese_syllable_word(text)
            });
        if han_character_missing
            || person_syllable_missing
            || (name.chinese_person
                && (n_sim.contains(&0.0) || (traits.chinese_style && q_sim.contains(&0.0))))
        {
            penalties.add(Penalty::SyllableMissing);
        }
        if han_organisation && !self.in_name_order() {
            penalties.add(Penalty::SyllableOrder);
        }
        let open_part = |generic: bool, numeric: bool, s: f64| s == 0.0 && !generic && !numeric;
        if (name.person || name.chinese_person)
            && query
                .iter()
                .zip(q_sim.iter())
                .any(|(t, &s)| open_part(t.generic || t.initial, t.numeric, s))
            && name.tokens.iter().zip(n_sim.iter()).any(|(&id, &s)| {
                // An initial (the M. of Alex M. Azar) may stand for the query's part.
                let t = info(id);
                t.text.chars().nth(1).is_some() && open_part(t.generic, t.numeric, s)
            })
        {
            penalties.add(Penalty::PartConflict);
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
            penalties.add(Penalty::NumberMismatch);
        }
        let query_class = query
            .iter()
            .zip(q_sim.iter())
            .any(|(t, s)| *s == 0.0 && t.generic && !ACRONYM_SKIP.contains(&t.text.as_str()));
        let name_class = name
            .tokens
            .iter()
            .zip(n_sim.iter())
            .any(|(&id, s)| *s == 0.0 && self.class_word(info(id)));
        if query_class && name_class {
            penalties.add(Penalty::DescriptorConflict);
        }
        // An organisation's name met by one short distinctive word, approximately: that is
        // another short word as often as a typing error (Sony ~ Sona, Ross ~ Gross, King ~
        // KingV), and needs more evidence. Either word of four letters is short. Two words of
        // five or six letters, one typing error apart, are a typing error (Storm Technologies ~
        // Stodm Technologies, Unicom ~ Uicom) when the rest of the names agree word for word;
        // beside a word only one side has, five letters are as likely another party's name
        // (Cisco Systems ~ COSCO). Four letters are a typing error too when the names agree
        // word for word on every other word, and have one (AHUA Electronics ~ DAHUA
        // Electronics, Ebit Systems of America ~ Elbit Systems of America): another party
        // one letter away would also have to share the rest of the name.
        let mut distinctive = (0..query.len())
            .filter(|&qi| q_sim[qi] > 0.0 && !query[qi].generic && !query[qi].initial);
        if let (Some(qi), None, false) = (distinctive.next(), distinctive.next(), name.person) {
            let (shorter, longer) = self.aligned_chars(qi);
            let unmatched = self.any_word_unmatched();
            let in_context = || {
                let agreeing = (0..query.len()).filter(|&other| {
                    other != qi
                        && q_sim[other] == 1.0
                        && !ACRONYM_SKIP.contains(&&*query[other].text)
                });
                !unmatched && agreeing.count() >= SHORT_WORD_CONTEXT
            };
            if q_sim[qi] < 1.0
                && ((shorter <= SHORT_WORD && !in_context())
                    || (longer <= SHORT_WORD + 1 && unmatched))
            {
                penalties.add(Penalty::ShortFuzzy);
            }
        }
        if (name.chinese_person || han_organisation) && self.romanisations_disagree() {
            penalties.add(Penalty::MixedRomanisation);
        }
        let short_partial = if traits.short {
            n_sim.contains(&0.0) || q_sim.iter().any(|s| *s < 1.0)
        } else if traits.short_han {
            // Only characters that name something count (华为 is all of 华为技术).
            name.tokens
                .iter()
                .zip(n_sim.iter())
                .any(|(&id, s)| *s == 0.0 && !info(id).generic && info(id).text.chars().any(is_han))
        } else {
            false
        };
        if short_partial {
            penalties.add(Penalty::ShortPartial);
        }
        penalties
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
    pub(super) q_to_n: Vec<usize>,
}
