//! The name index and its scorer: an immutable structure built from one snapshot of the
//! entities, searched by many readers at once.
//!
//! Candidates come from an inverted index of normalised tokens plus a character-trigram index
//! over the vocabulary (for typos in distinctive tokens). Each candidate name is scored by
//! aligning query tokens to name tokens, each token weighted by how informative it is, so
//! that the score (0..1) means the same for every query.

use super::model::{Entity, EntityType, NameKind};
use super::normalize::{self, Script, Token};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Changes whenever a change to the scorer can change a score.
pub const ALGORITHM_VERSION: &str = "wl-match-5";

/// Token pairs below this similarity do not match.
const FUZZY_MIN: f64 = 0.8;
/// Similarity of two romanisations of one Chinese syllable (Xu ~ Hsu, Zhang ~ Cheung).
const ROMANISATION_SIM: f64 = 0.9;
/// Similarity of an initial to the name part it abbreviates.
const INITIAL_SIM: f64 = 0.8;
/// Weight multiplier of generic tokens (China, Technology, Beijing ...).
const GENERIC_WEIGHT: f64 = 0.2;
/// Exponents of the query and name coverage in the score.
const QUERY_EXP: f64 = 0.6;
const NAME_EXP: f64 = 0.4;
const NUMBER_MISMATCH: f64 = 0.6;
const TYPE_MISMATCH: f64 = 0.85;
const COUNTRY_MISMATCH: f64 = 0.95;
/// Romanisation loses information: a perfect cross-script match scores this much.
const CROSS_SCRIPT: f64 = 0.95;
/// The name's most informative token (usually the trade name) found nowhere in the query.
const DISTINCTIVE_MISSING: f64 = 0.8;

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

/// Which form of a name is indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// The name's own tokens.
    Plain,
    /// A name with Chinese script, translated and romanised to pinyin.
    HanRoman,
    /// An all-Latin name with its pinyin words split into syllables.
    LatinSyllable,
}

/// Which form of the query is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QueryForm {
    Plain,
    /// A query with Chinese script, romanised: compared with Latin names.
    Roman,
    /// A Latin query split into pinyin syllables: compared with romanised Chinese names.
    Syllable,
}

impl QueryForm {
    fn compares_with(self, form: Form) -> bool {
        matches!(
            (self, form),
            (QueryForm::Plain, Form::Plain)
                | (QueryForm::Roman, Form::Plain | Form::LatinSyllable)
                | (QueryForm::Syllable, Form::HanRoman)
        )
    }
}

#[derive(Debug)]
struct IndexedName {
    entity: u32,
    kind: NameKind,
    form: Form,
    /// Position among the entity's names (see `Entity::names`).
    position: u16,
    tokens: Box<[u32]>,
}

#[derive(Debug)]
struct TokenInfo {
    text: Box<str>,
    weight: f64,
    generic: bool,
    numeric: bool,
    /// Names that contain the token, ascending, no repeats.
    postings: Vec<u32>,
}

/// An immutable index over a set of entities.
#[derive(Debug, Default)]
pub struct Index {
    entities: Vec<Arc<Entity>>,
    names: Vec<IndexedName>,
    vocab: HashMap<Box<str>, u32>,
    tokens: Vec<TokenInfo>,
    /// Character trigram → Latin tokens containing it.
    grams: HashMap<u64, Vec<u32>>,
    /// Identifier value (upper case, letters and digits only) → entities carrying it.
    identifiers: HashMap<String, Vec<u32>>,
}

impl Index {
    pub fn build<'a>(entities: impl IntoIterator<Item = &'a Arc<Entity>>) -> Index {
        let mut index = Index::default();
        for entity in entities {
            let slot = index.entities.len() as u32;
            index.entities.push(Arc::clone(entity));
            for id in &entity.identifiers {
                let key = identifier_key(&id.value);
                if key.len() >= 6 {
                    index.identifiers.entry(key).or_default().push(slot);
                }
            }
            for (position, (kind, name)) in entity.names().enumerate() {
                let tokens = normalize::tokenize(name);
                if tokens.is_empty() {
                    continue;
                }
                let other = match normalize::romanize(&tokens) {
                    Some(roman) => Some((Form::HanRoman, roman)),
                    None => normalize::syllabify(&tokens)
                        .filter(|syllables| *syllables != tokens)
                        .map(|syllables| (Form::LatinSyllable, syllables)),
                };
                let position = position as u16;
                index.add_name(slot, kind, position, Form::Plain, &tokens);
                if let Some((form, tokens)) = other.filter(|(_, t)| !t.is_empty()) {
                    index.add_name(slot, kind, position, form, &tokens);
                }
            }
        }
        let n = index.names.len() as f64;
        for token in &mut index.tokens {
            token.weight = token_weight(token.postings.len(), n, token.generic);
        }
        index
    }

    fn add_name(
        &mut self,
        entity: u32,
        kind: NameKind,
        position: u16,
        form: Form,
        tokens: &[Token],
    ) {
        let name_id = self.names.len() as u32;
        let ids: Box<[u32]> = tokens.iter().map(|t| self.intern(t)).collect();
        let mut seen = HashSet::new();
        for &id in ids.iter() {
            if seen.insert(id) {
                self.tokens[id as usize].postings.push(name_id);
            }
        }
        self.names.push(IndexedName {
            entity,
            kind,
            form,
            position,
            tokens: ids,
        });
    }

    fn intern(&mut self, token: &Token) -> u32 {
        if let Some(&id) = self.vocab.get(token.text.as_str()) {
            return id;
        }
        let id = self.tokens.len() as u32;
        self.tokens.push(TokenInfo {
            text: token.text.as_str().into(),
            weight: 0.0,
            generic: normalize::is_generic(token),
            numeric: token.is_numeric(),
            postings: Vec::new(),
        });
        self.vocab.insert(token.text.as_str().into(), id);
        if token.script == Script::Latin && !token.is_numeric() {
            for gram in trigrams(&token.text) {
                self.grams.entry(gram).or_default().push(id);
            }
        }
        id
    }

    pub fn entity_count(&self) -> usize {
        self.entities.len()
    }

    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    /// Screens one name. Returns at most `query.limit` entities scoring at least
    /// `query.threshold`, best first.
    pub fn search(&self, query: &Query) -> Vec<Hit> {
        let tokens = normalize::tokenize(query.name);
        if tokens.is_empty() || tokens.iter().all(normalize::is_legal_form) {
            return Vec::new(); // a legal form never matches on its own
        }
        if tokens.len() == 1 && tokens[0].script == Script::Han {
            return Vec::new(); // one Chinese character is never a name on its own
        }
        let other = match normalize::romanize(&tokens) {
            Some(roman) => (QueryForm::Roman, roman),
            None => (
                QueryForm::Syllable,
                normalize::syllabify(&tokens).unwrap_or_else(|| tokens.clone()),
            ),
        };
        let mut best: HashMap<u32, Hit> = HashMap::new();
        self.search_identifier(query, &mut best);
        let mut forms = vec![(QueryForm::Plain, tokens.clone()), other];
        if let Some(rejoined) = self.rejoin(&tokens) {
            forms.push((QueryForm::Plain, rejoined));
        }
        // The forms mostly share tokens: resolve each distinct token once.
        let mut cache: HashMap<String, Arc<QueryToken>> = HashMap::new();
        for (form, tokens) in forms {
            let resolved: Vec<Arc<QueryToken>> = tokens
                .iter()
                .map(|t| {
                    Arc::clone(
                        cache
                            .entry(t.text.clone())
                            .or_insert_with(|| Arc::new(self.resolve(t))),
                    )
                })
                .collect();
            self.search_form(query, form, &resolved, &mut best);
        }
        // Ties (two names equal after normalisation) go to the one closest as typed; the
        // closeness is computed once per hit, not in every comparison.
        let typed = query.name.to_lowercase();
        let mut ranked: Vec<(f64, Hit)> = best
            .into_values()
            .map(|h| {
                let closeness =
                    strsim::normalized_levenshtein(&typed, &h.matched_name.to_lowercase());
                (closeness, h)
            })
            .collect();
        ranked.sort_by(|(ca, a), (cb, b)| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| cb.total_cmp(ca))
                .then_with(|| a.matched_name.len().cmp(&b.matched_name.len()))
                .then_with(|| a.entity.id.cmp(&b.entity.id))
        });
        let mut hits: Vec<Hit> = ranked.into_iter().map(|(_, h)| h).collect();
        hits.truncate(query.limit);
        hits
    }

    /// Scores the names one form of the query compares with, keeping each entity's best.
    fn search_form(
        &self,
        query: &Query,
        form: QueryForm,
        resolved: &[Arc<QueryToken>],
        best: &mut HashMap<u32, Hit>,
    ) {
        if resolved.is_empty() {
            return;
        }
        let any_distinctive = resolved.iter().any(|t| !t.generic);

        // Candidate names: postings of every matching vocabulary token. Generic tokens are
        // skipped when the query has a distinctive one: a name sharing only generic tokens
        // with such a query cannot reach a threshold (their weight share is too small).
        let mut candidates: Vec<u32> = Vec::new();
        for qt in resolved {
            if any_distinctive && qt.generic {
                continue;
            }
            for &(id, _) in &qt.matches {
                candidates.extend_from_slice(&self.tokens[id as usize].postings);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();

        for name_id in candidates {
            let name = &self.names[name_id as usize];
            if !form.compares_with(name.form) {
                continue;
            }
            let entity = &self.entities[name.entity as usize];
            if query
                .lists
                .is_some_and(|lists| !lists.contains(&entity.list))
            {
                continue;
            }
            let Some((mut score, mut features)) = self.score(
                resolved,
                name,
                any_distinctive,
                entity.kind == EntityType::Person,
            ) else {
                continue;
            };
            if form != QueryForm::Plain {
                score *= CROSS_SCRIPT;
                features.push(Feature {
                    name: "cross_script",
                    value: 1.0,
                    weight: CROSS_SCRIPT,
                });
            }
            let score = evidence(score, entity, query, &mut features);
            if score < query.threshold {
                continue;
            }
            if best.get(&name.entity).is_none_or(|hit| score > hit.score) {
                let matched = entity
                    .names()
                    .nth(name.position as usize)
                    .map_or_else(String::new, |(_, text)| text.to_string());
                best.insert(
                    name.entity,
                    Hit {
                        entity: Arc::clone(entity),
                        score,
                        matched_name: matched,
                        matched_kind: name.kind,
                        features,
                    },
                );
            }
        }
    }

    /// An identifier typed as the name (a USCC, with or without spaces) is the strongest
    /// evidence there is: its entities score 1.
    fn search_identifier(&self, query: &Query, best: &mut HashMap<u32, Hit>) {
        let key = identifier_key(query.name);
        if key.len() < 6 || !key.bytes().any(|b| b.is_ascii_digit()) {
            return;
        }
        for &slot in self.identifiers.get(&key).into_iter().flatten() {
            let entity = &self.entities[slot as usize];
            if query
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
                },
            );
        }
    }

    /// The query with words split or joined where the vocabulary says so: "Sky Dio" →
    /// skydio, "LockheedMartin" → lockheed martin. `None` when nothing changes.
    fn rejoin(&self, tokens: &[Token]) -> Option<Vec<Token>> {
        let known = |text: &str| self.vocab.contains_key(text);
        let latin = |t: &Token| t.script == Script::Latin && !t.is_numeric();
        let mut out: Vec<Token> = Vec::with_capacity(tokens.len() + 1);
        let mut changed = false;
        let mut i = 0;
        while i < tokens.len() {
            let token = &tokens[i];
            if let Some(next) = tokens.get(i + 1).filter(|n| latin(token) && latin(n)) {
                let joined = format!("{}{}", token.text, next.text);
                if known(&joined) {
                    out.push(Token {
                        text: joined,
                        script: Script::Latin,
                    });
                    changed = true;
                    i += 2;
                    continue;
                }
            }
            let split = (latin(token) && !known(&token.text) && token.text.len() >= 5)
                .then(|| {
                    (2..=token.text.len() - 2)
                        .filter(|&at| token.text.is_char_boundary(at))
                        .map(|at| token.text.split_at(at))
                        .find(|(a, b)| known(a) && known(b))
                })
                .flatten();
            match split {
                Some((a, b)) => {
                    out.push(Token {
                        text: a.to_string(),
                        script: Script::Latin,
                    });
                    out.push(Token {
                        text: b.to_string(),
                        script: Script::Latin,
                    });
                    changed = true;
                }
                None => out.push(token.clone()),
            }
            i += 1;
        }
        changed.then_some(out)
    }

    /// Finds the vocabulary tokens a query token matches, exactly or within a few edits.
    fn resolve(&self, token: &Token) -> QueryToken {
        let mut matches = Vec::new();
        let exact = self.vocab.get(token.text.as_str()).copied();
        if let Some(id) = exact {
            matches.push((id, 1.0));
        }
        if token.script == Script::Latin {
            for variant in normalize::romanisation_variants(&token.text) {
                if let Some(&id) = self.vocab.get(variant) {
                    if !matches.iter().any(|&(m, _)| m == id) {
                        matches.push((id, ROMANISATION_SIM));
                    }
                }
            }
        }
        let len = token.text.chars().count();
        if token.script == Script::Latin && !token.is_numeric() && len >= 4 {
            let mut seen = HashSet::new();
            for gram in trigrams(&token.text) {
                for &id in self.grams.get(&gram).into_iter().flatten() {
                    if matches.iter().any(|&(m, _)| m == id) || !seen.insert(id) {
                        continue;
                    }
                    let sim = token_similarity(&token.text, &self.tokens[id as usize].text);
                    if sim >= FUZZY_MIN {
                        matches.push((id, sim));
                    }
                }
            }
        }
        let generic = normalize::is_generic(token);
        let weight = match exact {
            Some(id) => self.tokens[id as usize].weight,
            None => matches
                .iter()
                .map(|&(id, _)| self.tokens[id as usize].weight)
                .fold(None, |acc: Option<f64>, w| {
                    Some(acc.map_or(w, |a| a.max(w)))
                })
                .unwrap_or_else(|| token_weight(0, self.names.len() as f64, generic)),
        };
        QueryToken {
            text: token.text.clone(),
            matches,
            weight,
            generic,
            numeric: token.is_numeric(),
        }
    }

    /// Scores one candidate name. `None` when only generic tokens matched a query that has a
    /// distinctive one.
    fn score(
        &self,
        query: &[Arc<QueryToken>],
        name: &IndexedName,
        any_distinctive: bool,
        person: bool,
    ) -> Option<(f64, Vec<Feature>)> {
        // Every (query token, name token) pair that matches, best first; then a greedy
        // one-to-one alignment.
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        for (qi, qt) in query.iter().enumerate() {
            for (ni, &id) in name.tokens.iter().enumerate() {
                if let Some(&(_, sim)) = qt.matches.iter().find(|(m, _)| *m == id) {
                    pairs.push((sim, qi, ni));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut q_sim = vec![0.0; query.len()];
        let mut n_sim = vec![0.0; name.tokens.len()];
        let mut fuzzy = 0;
        let mut distinctive_hit = false;
        for (sim, qi, ni) in pairs {
            if q_sim[qi] > 0.0 || n_sim[ni] > 0.0 {
                continue;
            }
            q_sim[qi] = sim;
            n_sim[ni] = sim;
            if sim < 1.0 {
                fuzzy += 1;
            }
            if !query[qi].generic {
                distinctive_hit = true;
            }
        }
        // Initials: an unmatched one-letter query token pairs with an unmatched name part
        // that starts with it ("John K. C. Lee" ~ "LEE, John Ka-chiu").
        for (qi, qt) in query.iter().enumerate() {
            let Some(initial) = qt
                .text
                .chars()
                .next()
                .filter(|_| qt.text.chars().count() == 1)
            else {
                continue;
            };
            if q_sim[qi] > 0.0 || !initial.is_alphabetic() {
                continue;
            }
            let free = (0..name.tokens.len()).find(|&ni| {
                n_sim[ni] == 0.0
                    && self.tokens[name.tokens[ni] as usize]
                        .text
                        .starts_with(initial)
            });
            if let Some(ni) = free {
                q_sim[qi] = INITIAL_SIM;
                n_sim[ni] = INITIAL_SIM;
            }
        }
        if any_distinctive && !distinctive_hit {
            return None;
        }
        // One shared name part is not a match for a person (OFAC's triage rule): "Ross",
        // "Edmund" or 陈 alone must not flag everyone who bears it.
        if person && q_sim.iter().filter(|s| **s > 0.0).count() < 2 {
            return None;
        }
        let q_total: f64 = query.iter().map(|t| t.weight).sum();
        let q_hit: f64 = query.iter().zip(&q_sim).map(|(t, s)| t.weight * s).sum();
        let info = |id: &u32| &self.tokens[*id as usize];
        let n_total: f64 = name.tokens.iter().map(|id| info(id).weight).sum();
        let n_hit: f64 = name
            .tokens
            .iter()
            .zip(&n_sim)
            .map(|(id, s)| info(id).weight * s)
            .sum();
        if q_hit <= 0.0 || n_hit <= 0.0 {
            return None;
        }
        let q_cov = q_hit / q_total;
        let n_cov = n_hit / n_total;
        let mut score = q_cov.powf(QUERY_EXP) * n_cov.powf(NAME_EXP);
        let mut features = vec![
            Feature {
                name: "query_coverage",
                value: q_cov,
                weight: QUERY_EXP,
            },
            Feature {
                name: "name_coverage",
                value: n_cov,
                weight: NAME_EXP,
            },
        ];
        let strongest = name
            .tokens
            .iter()
            .zip(&n_sim)
            .max_by(|a, b| info(a.0).weight.total_cmp(&info(b.0).weight));
        // Per-character Han tokens are no trade name on their own: the rule is for words.
        let is_word = |id: &u32| !info(id).text.chars().any(normalize::is_han);
        if let Some((_, &sim)) = strongest.filter(|(id, _)| name.tokens.len() > 1 && is_word(id)) {
            if sim == 0.0 {
                score *= DISTINCTIVE_MISSING;
                features.push(Feature {
                    name: "distinctive_missing",
                    value: 1.0,
                    weight: DISTINCTIVE_MISSING,
                });
            }
        }
        if fuzzy > 0 {
            features.push(Feature {
                name: "fuzzy_tokens",
                value: fuzzy as f64,
                weight: 0.0,
            });
        }
        // Numbers in names (CETC 28 vs CETC 38) discriminate hard: an unmatched number on
        // either side, when both sides have numbers, is a strong sign of a different party.
        let q_nums = query.iter().any(|t| t.numeric);
        let n_nums = name.tokens.iter().any(|id| info(id).numeric);
        let unmatched_number = query
            .iter()
            .zip(&q_sim)
            .any(|(t, s)| t.numeric && *s == 0.0)
            || name
                .tokens
                .iter()
                .zip(&n_sim)
                .any(|(id, s)| info(id).numeric && *s == 0.0);
        if q_nums && n_nums && unmatched_number {
            score *= NUMBER_MISMATCH;
            features.push(Feature {
                name: "number_mismatch",
                value: 1.0,
                weight: NUMBER_MISMATCH,
            });
        }
        Some((score, features))
    }
}

/// Optional evidence from the request: entity type and countries.
fn evidence(mut score: f64, entity: &Entity, query: &Query, features: &mut Vec<Feature>) -> f64 {
    if let Some(wanted) = query.entity_type {
        let known = |t: EntityType| t != EntityType::Unknown;
        if known(wanted) && known(entity.kind) && wanted != entity.kind {
            score *= TYPE_MISMATCH;
            features.push(Feature {
                name: "type_mismatch",
                value: 1.0,
                weight: TYPE_MISMATCH,
            });
        }
    }
    if !query.countries.is_empty() && !entity.countries.is_empty() {
        let shared = query.countries.iter().any(|c| entity.countries.contains(c));
        if shared {
            features.push(Feature {
                name: "country_match",
                value: 1.0,
                weight: 1.0,
            });
        } else {
            score *= COUNTRY_MISMATCH;
            features.push(Feature {
                name: "country_mismatch",
                value: 1.0,
                weight: COUNTRY_MISMATCH,
            });
        }
    }
    score
}

#[derive(Debug)]
struct QueryToken {
    text: String,
    /// Vocabulary tokens this one matches, with their similarity.
    matches: Vec<(u32, f64)>,
    weight: f64,
    generic: bool,
    numeric: bool,
}

/// An identifier reduced to upper-case letters and digits, as OFAC advises searching them.
fn identifier_key(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// How much a token says about identity: rare tokens weigh up to 1, tokens on every name
/// little, generic words a fifth of that.
fn token_weight(doc_freq: usize, names: f64, generic: bool) -> f64 {
    let n = names.max(1.0) + 1.0;
    let idf = ((n / (doc_freq as f64 + 1.0)).ln() / n.ln()).clamp(0.15, 1.0);
    if generic {
        idf * GENERIC_WEIGHT
    } else {
        idf
    }
}

/// Similarity of two distinct tokens from their edit distance: one edit allowed from 4
/// characters, two from 8. Digits never match fuzzily.
fn token_similarity(a: &str, b: &str) -> f64 {
    let (la, lb) = (a.chars().count(), b.chars().count());
    let shorter = la.min(lb);
    let allowed = match shorter {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    if la.abs_diff(lb) > allowed {
        return 0.0;
    }
    let distance = strsim::damerau_levenshtein(a, b);
    if distance > allowed {
        return 0.0;
    }
    1.0 - distance as f64 / la.max(lb) as f64
}

/// Padded character trigrams, packed into a u64 each.
fn trigrams(token: &str) -> impl Iterator<Item = u64> {
    let chars: Vec<char> = std::iter::once('^')
        .chain(token.chars())
        .chain(std::iter::once('$'))
        .collect();
    let grams: Vec<u64> = chars
        .windows(3)
        .map(|w| ((w[0] as u64) << 42) | ((w[1] as u64) << 21) | w[2] as u64)
        .collect();
    grams.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Entity;

    fn entity(id: &str, name: &str, aliases: &[&str], native: &[&str]) -> Arc<Entity> {
        let mut entity = Entity::new(id, "T", EntityType::Organization, name);
        entity.aliases = aliases.iter().map(|s| s.to_string()).collect();
        entity.native_names = native.iter().map(|s| s.to_string()).collect();
        entity.countries = vec!["CN".into()];
        Arc::new(entity)
    }

    fn sample() -> Index {
        let entities = [
            entity(
                "hw",
                "Huawei Technologies Co., Ltd.",
                &[],
                &["华为技术有限公司"],
            ),
            entity("hwd", "Huawei Device Co., Ltd.", &[], &[]),
            entity(
                "hwc",
                "Huawei Cloud Computing Technology Co., Ltd.",
                &[],
                &[],
            ),
            entity(
                "hik",
                "Hangzhou Hikvision Digital Technology Co., Ltd.",
                &["Hikvision"],
                &["杭州海康威视数字技术股份有限公司"],
            ),
            entity(
                "c28",
                "China Electronics Technology Group Corporation No. 28 Research Institute",
                &["CETC 28"],
                &[],
            ),
            entity(
                "c38",
                "China Electronics Technology Group Corporation No. 38 Research Institute",
                &["CETC 38"],
                &[],
            ),
            entity(
                "lm",
                "Lockheed Martin Corporation",
                &[],
                &["洛克希德·马丁公司"],
            ),
            entity("gd", "General Dynamics Corporation", &[], &["通用动力公司"]),
        ];
        Index::build(entities.iter())
    }

    /// Screens `name` at threshold 0.75 and compares the ids of the hits, best first.
    fn check(index: &Index, name: &str, expected: &[&str]) {
        let hits = index.search(&Query {
            name,
            threshold: 0.75,
            limit: 10,
            ..Query::default()
        });
        let got: Vec<&str> = hits.iter().map(|h| h.entity.id.as_str()).collect();
        assert_eq!(got, expected, "{name}: {hits:#?}");
    }

    #[test]
    fn finds_listed_names() {
        let index = sample();
        check(&index, "Huawei Technologies Co., Ltd.", &["hw"]);
        check(&index, "HUAWEI TECHNOLOGIES COMPANY LIMITED", &["hw"]);
        check(&index, "Huawei", &["hw"]);
        check(&index, "华为技术有限公司", &["hw"]);
        check(&index, "Hikvision", &["hik"]);
        check(&index, "杭州海康威视数字技术股份有限公司", &["hik"]);
        check(&index, "Lockheed-Martin Corp.", &["lm"]);
        check(&index, "洛克希德•马丁公司", &["lm"]);
        check(&index, "Hangzhou Hikvsion Digital Technology", &["hik"]);
        check(&index, "華為技術有限公司", &["hw"]);
        check(&index, "华为", &["hw"]);
    }

    #[test]
    fn bridges_scripts_through_pinyin() {
        let entities = [
            entity(
                "lp",
                "Luopu Haishi Dingxin Electronic Technology Co., Ltd.",
                &[],
                &[],
            ),
            entity("chen", "CHEN, Quanguo", &[], &[]),
            entity(
                "lm",
                "Lockheed Martin Corporation",
                &[],
                &["洛克希德·马丁公司"],
            ),
        ];
        let index = Index::build(entities.iter());
        check(&index, "洛浦县海视鼎鑫电子科技有限公司", &["lp"]);
        check(&index, "陳全國", &["chen"]);
        check(&index, "Chen Quanguo", &["chen"]);
        check(&index, "Luokexide Mading", &["lm"]);
        let people = [
            entity("xu", "Edmund Xu", &[], &["许勐"]),
            entity("lam", "LAM CHENG, Yuet-ngor", &["LAM, Carrie"], &[]),
        ];
        let index = Index::build(people.iter());
        check(&index, "Edmund Hsu", &["xu"]);
        check(&index, "HSU, Edmund", &["xu"]);
        check(&index, "Carrie Lam", &["lam"]);
    }

    #[test]
    fn numbers_discriminate() {
        let index = sample();
        check(&index, "CETC 28th Research Institute", &["c28"]);
        check(&index, "CETC 38", &["c38"]);
    }

    #[test]
    fn rejects_unlisted_and_generic_names() {
        let index = sample();
        check(&index, "Co., Ltd.", &[]);
        check(&index, "China Technology Group", &[]);
        check(&index, "Acme Trading", &[]);
        check(&index, "通用电气公司", &[]);
        check(&index, "Huawei Marine Networks", &[]);
    }
}
