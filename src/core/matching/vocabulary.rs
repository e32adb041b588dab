//! Resolving a query token to vocabulary tokens: exactly, through romanisation and nickname
//! variants, and within typo-weighted edits (the deletion-neighbourhood index); token weights.

use super::*;

/// How a query token matches one vocabulary token.
#[derive(Debug, Clone, Copy)]
pub(super) struct TokenMatch {
    pub(super) id: u32,
    pub(super) sim: f64,
    /// The vocabulary token's weight, kept here to spare reading it.
    pub(super) weight: f64,
    /// A nickname pair, which only means something for persons.
    pub(super) person_only: bool,
    /// Another romanisation of the same syllable (Xu ~ Hui): see `Alignment::align`.
    pub(super) variant: bool,
}

#[derive(Debug)]
pub(super) struct Resolved {
    pub(super) text: String,
    /// Vocabulary tokens this one matches, with their similarity.
    pub(super) matches: Arc<[TokenMatch]>,
    pub(super) weight: f64,
    pub(super) generic: bool,
    pub(super) numeric: bool,
    /// A single letter: an initial, matched against name parts without the vocabulary.
    pub(super) initial: bool,
    /// May be an acronym (2–4 letters).
    pub(super) acronym: bool,
}

/// A query token in one form: its resolution (shared between forms) and its segment.
#[derive(Debug, Clone)]
pub(super) struct QueryToken {
    pub(super) resolved: Arc<Resolved>,
    pub(super) segment: u16,
}

impl std::ops::Deref for QueryToken {
    type Target = Resolved;
    fn deref(&self) -> &Resolved {
        &self.resolved
    }
}

/// The query tokens of one search, each resolved once, whichever form or planning step asks
/// first. A search may span several indexes (a base and its segments, see `LiveIndex`): a
/// token is then resolved in each, and what it weighs, whether it is generic and how many
/// edits it allows are decided over all of them, as one index of the same words would.
pub(super) struct Resolver<'a> {
    mode: Mode,
    /// The base first.
    indexes: Vec<&'a Index>,
    /// Per index, its removed entities (one bit per slot, empty when none): a word only they
    /// hold is one the index no longer has.
    dead: Vec<&'a [u64]>,
    /// By whether derived from Chinese script (see `narrow_allowance`), then text: one
    /// resolution per index.
    resolved: [FastMap<String, Vec<Arc<Resolved>>>; 2],
}

impl<'a> Resolver<'a> {
    pub(super) fn new(mode: Mode, indexes: Vec<(&'a Index, &'a [u64])>) -> Resolver<'a> {
        let (indexes, dead) = indexes.into_iter().unzip();
        Resolver {
            mode,
            indexes,
            dead,
            resolved: Default::default(),
        }
    }

    /// The word's id in the `at`-th index, if a live name there holds it.
    fn word(&self, at: usize, text: &str) -> Option<u32> {
        let index = self.indexes[at];
        let id = *index.vocab.get(text)?;
        self.live(at, id).then_some(id)
    }

    fn live(&self, at: usize, id: u32) -> bool {
        let (index, dead) = (self.indexes[at], self.dead[at]);
        dead.is_empty()
            || index.tokens[id as usize]
                .postings
                .iter()
                .flatten()
                .any(|&name| !is_dead(dead, index.names[name as usize].entity))
    }

    /// The token resolved in the `at`-th index.
    pub(super) fn resolve(&mut self, at: usize, token: &Token, derived: bool) -> Arc<Resolved> {
        let known = &self.resolved[usize::from(derived)];
        if let Some(resolved) = known.get(token.text.as_str()) {
            return Arc::clone(&resolved[at]);
        }
        let resolved = self.resolve_everywhere(token, derived);
        let one = Arc::clone(&resolved[at]);
        self.resolved[usize::from(derived)].insert(token.text.clone(), resolved);
        one
    }

    fn resolve_everywhere(&self, token: &Token, derived: bool) -> Vec<Arc<Resolved>> {
        let mode = self.mode;
        let exact: Vec<Option<u32>> = (0..self.indexes.len())
            .map(|at| self.word(at, &token.text))
            .collect();
        // A word the vocabulary has was most likely typed as listed: only a word with no
        // exact match is looked for with two edits below 10 letters (as is a word derived
        // from Chinese script, which has no typing errors at all).
        let known = exact.iter().position(Option::is_some);
        let narrow = derived || known.is_some();
        // The same deletion keys are looked up in every index.
        let keys = std::cell::OnceCell::new();
        let matches: Vec<Arc<[TokenMatch]>> = self
            .indexes
            .iter()
            .zip(&exact)
            .map(|(index, &exact)| match exact {
                // A word of the vocabulary is resolved once per index, the first time it is
                // asked; it is looked up narrowly whether typed or derived, so one answer
                // serves both.
                Some(id) if mode == Mode::Indexed && token.script == Script::Latin => {
                    Arc::clone(index.tokens[id as usize].matches.get_or_init(|| {
                        index
                            .token_matches(token, Some(id), mode, true, &keys)
                            .into()
                    }))
                }
                // A word another index holds is looked up narrowly here too (`narrow`), and
                // kept the same way.
                None if mode == Mode::Indexed
                    && token.script == Script::Latin
                    && known.is_some()
                    && !index.vocab.contains_key(token.text.as_str()) =>
                {
                    if let Some(matches) = index.absent.get(token.text.as_str()) {
                        return Arc::clone(&matches);
                    }
                    let matches: Arc<[TokenMatch]> =
                        index.token_matches(token, None, mode, true, &keys).into();
                    index
                        .absent
                        .insert(token.text.as_str().into(), Arc::clone(&matches));
                    matches
                }
                _ => index
                    .token_matches(token, exact, mode, narrow, &keys)
                    .into(),
            })
            .collect();
        // A misspelt generic word (Technologie, Gruop) is as generic as the word it stands
        // for.
        // A query word's weight and genericity are the base's alone, dead names included:
        // until the base is rebuilt, what commits add or remove never re-weighs a query (a
        // standing watch relies on it: a change re-scores only the parties it can match).
        let base = self.indexes.first();
        let in_base = base.and_then(|b| b.vocab.get(token.text.as_str()).copied());
        let generic = text::is_generic(token)
            || (in_base.is_none()
                && base.zip(matches.first()).is_some_and(|(index, matches)| {
                    matches
                        .iter()
                        .any(|m| m.sim >= 0.85 && index.tokens[m.id as usize].generic)
                }));
        let letters = token.text.chars().count();
        let syllable = token.script == Script::Latin && text::is_syllable(&token.text);
        let alphabetic =
            token.script == Script::Latin && token.text.chars().all(char::is_alphabetic);
        let initial = alphabetic && letters == 1;
        let names = base.map_or(0, |base| base.names.len());
        let mut weight = base
            .zip(in_base)
            .map(|(index, id)| index.tokens[id as usize].weight)
            // A word only segments hold weighs as their words do: the base has none of it.
            .or_else(|| known.map(|_| token_weight(0, names as f64, generic)))
            .or_else(|| {
                matches
                    .first()
                    .into_iter()
                    .flat_map(|m| m.iter())
                    .map(|m| m.weight)
                    .fold(None, |acc: Option<f64>, w| {
                        Some(acc.map_or(w, |a| a.max(w)))
                    })
            })
            .unwrap_or_else(|| token_weight(0, names as f64, generic));
        if initial {
            weight *= GENERIC_WEIGHT;
        }
        matches
            .into_iter()
            .map(|matches| {
                Arc::new(Resolved {
                    text: token.text.clone(),
                    matches,
                    weight,
                    generic,
                    numeric: token.is_numeric(),
                    initial,
                    // A pinyin syllable (de, ke, xi) is a word, not an acronym.
                    acronym: alphabetic && (2..=4).contains(&letters) && !syllable,
                })
            })
            .collect()
    }

    /// Whether a vocabulary has the word (held by a live name).
    pub(super) fn knows(&self, text: &str) -> bool {
        (0..self.indexes.len()).any(|at| self.word(at, text).is_some())
    }

    /// Whether a vocabulary has the word, or one at similarity `least` or more of at least
    /// `min_chars` letters.
    pub(super) fn near_word(&mut self, token: &Token, least: f64, min_chars: usize) -> bool {
        self.knows(token.text.as_str())
            || (0..self.indexes.len()).any(|at| {
                let resolved = self.resolve(at, token, false);
                let index = self.indexes[at];
                resolved.matches.iter().any(|m| {
                    m.sim >= least
                        && self.live(at, m.id)
                        && index.tokens[m.id as usize].text.chars().count() >= min_chars
                })
            })
    }
}

/// Whether candidates come from the postings or from every name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Indexed,
    Exhaustive,
}

impl Index {
    /// The vocabulary tokens a query token matches: exactly, as another romanisation or a
    /// nickname, or within its edit allowance.
    pub(super) fn token_matches(
        &self,
        token: &Token,
        exact: Option<u32>,
        mode: Mode,
        narrow: bool,
        keys: &std::cell::OnceCell<Vec<u64>>,
    ) -> Vec<TokenMatch> {
        let mut matches: Vec<TokenMatch> = Vec::new();
        let mut add = |id: u32, sim: f64, person_only: bool, variant: bool| match matches
            .iter_mut()
            .find(|m| m.id == id)
        {
            Some(m) if sim > m.sim || (sim == m.sim && !person_only) => {
                m.sim = sim;
                m.person_only = person_only;
                m.variant = variant;
            }
            Some(_) => {}
            None => matches.push(TokenMatch {
                id,
                sim,
                weight: self.tokens[id as usize].weight,
                person_only,
                variant,
            }),
        };
        if let Some(id) = exact {
            add(id, 1.0, false, false);
        }
        if token.script == Script::Latin && !token.is_numeric() {
            for variant in text::romanisation_variants(&token.text) {
                if let Some(&id) = self.vocab.get(variant.as_str()) {
                    add(id, ROMANISATION_SIM, false, true);
                }
            }
            for variant in text::nickname_variants(&token.text) {
                if let Some(&id) = self.vocab.get(variant.as_str()) {
                    add(id, NICKNAME_SIM, true, false);
                }
            }
        }
        if token.script == Script::Latin && fuzzy_candidate(&token.text) {
            // Two pinyin syllables a letter apart are two names (Ping, Bing; Zhong, Zhang),
            // not a typing error: their known spellings are the romanisation variants above.
            let syllable = text::is_syllable(&token.text);
            let near = |other: &str| {
                if syllable && text::is_syllable(other) {
                    return 0.0;
                }
                similarity(&token.text, other, narrow)
            };
            match mode {
                Mode::Indexed => {
                    let mut seen: FastMap<u32, ()> = FastMap::default();
                    let keys = keys.get_or_init(|| query_deletion_keys(&token.text, narrow));
                    for key in keys {
                        let Some(&(start, len)) = self.deletions.get(key) else {
                            continue;
                        };
                        let ids = &self.deletion_ids[start as usize..(start + len) as usize];
                        for &id in ids {
                            if Some(id) != exact && seen.insert(id, ()).is_none() {
                                let sim = near(&self.tokens[id as usize].text);
                                if sim >= FUZZY_MIN {
                                    add(id, sim, false, false);
                                }
                            }
                        }
                    }
                }
                Mode::Exhaustive => {
                    for (id, info) in self.tokens.iter().enumerate() {
                        if Some(id as u32) != exact && fuzzy_candidate(&info.text) {
                            let sim = near(&info.text);
                            if sim >= FUZZY_MIN {
                                add(id as u32, sim, false, false);
                            }
                        }
                    }
                }
            }
        }
        matches
    }
}

/// How much a token says about identity: rare tokens weigh up to 1, tokens on every name
/// little, generic words a fifth of that.
pub(super) fn token_weight(doc_freq: usize, names: f64, generic: bool) -> f64 {
    let n = names.max(1.0) + 1.0;
    let idf = ((n / (doc_freq as f64 + 1.0)).ln() / n.ln()).clamp(0.15, 1.0);
    if generic {
        idf * GENERIC_WEIGHT
    } else {
        idf
    }
}
