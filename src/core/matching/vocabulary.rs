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

/// The query tokens of one search, each resolved once (`Index::resolve`), whichever form or
/// planning step asks first.
pub(super) struct Resolver {
    mode: Mode,
    /// By text, and whether derived from Chinese script (see `narrow_allowance`).
    resolved: FastMap<(String, bool), Arc<Resolved>>,
}

impl Resolver {
    pub(super) fn new(mode: Mode) -> Resolver {
        Resolver {
            mode,
            resolved: FastMap::default(),
        }
    }

    pub(super) fn resolve(&mut self, index: &Index, token: &Token, derived: bool) -> Arc<Resolved> {
        let key = (token.text.clone(), derived);
        if let Some(resolved) = self.resolved.get(&key) {
            return Arc::clone(resolved);
        }
        let resolved = Arc::new(index.resolve(token, self.mode, derived));
        self.resolved.insert(key, Arc::clone(&resolved));
        resolved
    }

    /// Whether the vocabulary has the word, or one at similarity `least` or more.
    pub(super) fn near_word(&mut self, index: &Index, token: &Token, least: f64) -> bool {
        index.vocab.contains_key(token.text.as_str())
            || self
                .resolve(index, token, false)
                .matches
                .iter()
                .any(|m| m.sim >= least)
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
        derived: bool,
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
            // A word the vocabulary has was most likely typed as listed: only a word with no
            // exact match is looked for with two edits below 10 letters (as is a word derived
            // from Chinese script, which has no typing errors at all).
            let narrow = derived || exact.is_some();
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
                    for key in query_deletion_keys(&token.text, narrow) {
                        let Some(&(start, len)) = self.deletions.get(&key) else {
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

    /// Resolves a query token: what it matches (see `token_matches`), what it weighs, and
    /// what kind of token it is.
    pub(super) fn resolve(&self, token: &Token, mode: Mode, derived: bool) -> Resolved {
        let exact = self.vocab.get(token.text.as_str()).copied();
        // A word of the vocabulary is resolved once per index, the first time it is asked; it
        // is looked up narrowly whether typed or derived (see `token_matches`), so one answer
        // serves both.
        let matches: Arc<[TokenMatch]> = match exact {
            Some(id) if mode == Mode::Indexed && token.script == Script::Latin => Arc::clone(
                self.tokens[id as usize]
                    .matches
                    .get_or_init(|| self.token_matches(token, exact, mode, derived).into()),
            ),
            _ => self.token_matches(token, exact, mode, derived).into(),
        };
        // A misspelt generic word (Technologie, Gruop) is as generic as the word it stands
        // for.
        let generic = text::is_generic(token)
            || (exact.is_none()
                && matches
                    .iter()
                    .any(|m| m.sim >= 0.85 && self.tokens[m.id as usize].generic));
        let letters = token.text.chars().count();
        let syllable = token.script == Script::Latin && text::is_syllable(&token.text);
        let alphabetic =
            token.script == Script::Latin && token.text.chars().all(char::is_alphabetic);
        let initial = alphabetic && letters == 1;
        let mut weight = match exact {
            Some(id) => self.tokens[id as usize].weight,
            None => matches
                .iter()
                .map(|m| m.weight)
                .fold(None, |acc: Option<f64>, w| {
                    Some(acc.map_or(w, |a| a.max(w)))
                })
                .unwrap_or_else(|| token_weight(0, self.names.len() as f64, generic)),
        };
        if initial {
            weight *= GENERIC_WEIGHT;
        }
        Resolved {
            text: token.text.clone(),
            matches,
            weight,
            generic,
            numeric: token.is_numeric(),
            initial,
            // A pinyin syllable (de, ke, xi) is a word, not an acronym.
            acronym: alphabetic && (2..=4).contains(&letters) && !syllable,
        }
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
