//! The name index and its scorer: an immutable structure built from one snapshot of the
//! entities, searched by many readers at once.
//!
//! Every name is indexed in its plain form and in one cross-script form (see `Form`). A query
//! is searched in several forms too (`QueryForm`), each compared only with the name forms it
//! can meaningfully meet. Query tokens resolve to vocabulary tokens exactly, through
//! romanisation and nickname variants, and within one or two edits (a symmetric
//! deletion-neighbourhood index, so no pair within the edit limit is missed).
//!
//! Scoring is a greedy one-to-one alignment of query tokens with name tokens, each weighted by
//! how informative it is: `score = query_coverage^0.6 × name_coverage^0.4 × multipliers`,
//! every multiplier at most 1. That shape gives a recall-safe candidate stage: a name can only
//! reach the threshold if it holds query tokens worth a known share of the query's weight, so
//! only the postings of the heaviest tokens need reading (`candidates`). `search_exhaustive`
//! scores every name with the same scorer, the baseline the tests and benchmarks compare with.

use super::hash::FastMap;
use super::model::{Entity, EntityType, NameKind};
use super::normalize::{self, Script, Token};
use super::work;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Changes whenever a change to the scorer can change a score.
pub const ALGORITHM_VERSION: &str = "wl-match-6";

/// Token pairs below this similarity do not match (a five-letter word with a consonant added
/// or dropped, 0.8, does not).
const FUZZY_MIN: f64 = 0.81;
/// Similarity of two romanisations of one Chinese syllable (Xu ~ Hsu, Zhang ~ Cheung).
const ROMANISATION_SIM: f64 = 0.9;
/// Similarity of a short form of a given name to the formal one (Jim ~ James); persons only.
const NICKNAME_SIM: f64 = 0.9;
/// Similarity of an initial to the name part it abbreviates.
const INITIAL_SIM: f64 = 0.8;
/// Similarity of an acronym to the words it abbreviates (MFC ~ Missiles and Fire Control).
const ACRONYM_SIM: f64 = 0.85;
/// Weight multiplier of generic tokens (China, Technology, Beijing ...) and of initials.
const GENERIC_WEIGHT: f64 = 0.2;
/// Exponents of the query and name coverage in the score.
const QUERY_EXP: f64 = 0.6;
const NAME_EXP: f64 = 0.4;
const NUMBER_MISMATCH: f64 = 0.6;
/// The caller says person and the listed entity is an organisation, or the reverse: a
/// perfect name match drops below the default threshold.
const TYPE_MISMATCH: f64 = 0.7;
const COUNTRY_MISMATCH: f64 = 0.95;
/// Romanisation loses information: a perfect cross-script match scores this much.
const CROSS_SCRIPT: f64 = 0.95;
/// Matching by sound classes (near-homophone transliterations) loses more.
const PHONETIC: f64 = 0.9;
/// The name's most informative token (usually the trade name) found nowhere in the query.
const DISTINCTIVE_MISSING: f64 = 0.75;
/// Weight of an unmatched middle name of a person, on either side, once two parts matched.
const MIDDLE_NAME: f64 = 0.35;
/// A Chinese personal name with a syllable the query does not have (Chen Ming ≠ Chen Mingguo).
const SYLLABLE_MISSING: f64 = 0.7;
/// A surname-only Chinese rendering of a Western name (罗斯 for Wilbur Ross) matched by one
/// part of a query that also has a given name: the given name cannot be checked.
const SURNAME_ONLY: f64 = 0.8;
/// The same rendering matched by a query that is only the surname: never a match by default.
const SURNAME_ALONE: f64 = 0.6;
/// A query of one short word ("King", "Wu") that covers only part of a name, or matches only
/// approximately (Nice ~ Nico), or of two Chinese characters that leave a name's own characters
/// unmatched (通用 in 通用动力, 罗斯 in 尼罗斯科技): short names must not flood results.
const SHORT_PARTIAL: f64 = 0.75;
/// The query and the name each have a class word the other lacks (Applied Materials vs
/// Applied Technologies Group): the shared word is a name two businesses can bear.
const DESCRIPTOR_CONFLICT: f64 = 0.8;
/// While counting candidates, a name's mask holds the query tokens it matches in its low
/// bits (so a query of more tokens is not counted), then how many distinct vocabulary
/// tokens matched (one name token matches one query token at most; eight bits), then the sum
/// of their weights in fixed point (at most 255 tokens of weight at most 1).
const TOKEN_BITS: usize = 28;
/// Query tokens the candidate stage counts; a longer query reads every postings list it
/// touches, so the service refuses it (`query::MAX_QUERY_TOKENS`).
pub const COUNTED_TOKENS: usize = TOKEN_BITS;
const TOKEN_MASK: u64 = (1 << TOKEN_BITS) - 1;
const ONE_TOKEN: u64 = 1 << TOKEN_BITS;
const WEIGHT_SHIFT: usize = TOKEN_BITS + 8;
const WEIGHT_UNIT: f64 = (1u64 << 20) as f64;
/// While counting candidates, a generic token's postings are read when they are at most this
/// many times the names collected; beyond, the token is assumed held.
const SCAN_RATIO: usize = 32;
/// Words skipped when reading an acronym off a name (Missiles and Fire Control → MFC).
const ACRONYM_SKIP: &[&str] = &["of", "and", "the", "for", "de"];

thread_local! {
    /// While one search counts candidates, for one block of names: what each holds (see
    /// `TOKEN_BITS`). All zero between searches.
    static MASKS: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Names are counted a block at a time, so that their masks stay in cache (64 in unit tests,
/// so that small indexes span many blocks).
#[cfg(not(test))]
const BLOCK: usize = 1 << 16;
#[cfg(test)]
const BLOCK: usize = 64;

/// One postings list read while counting candidates.
struct Read<'a> {
    /// The query tokens it stands for.
    bits: u64,
    /// What it adds to a name's mask: one token, and its weight.
    adds: u64,
    /// The postings not yet read.
    postings: &'a [u32],
    role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Its names are collected.
    Collect,
    /// Its Western persons' names are collected; it adds to the others.
    CollectPersons,
    /// It only adds to names collected.
    Add,
}

impl<'a> Read<'a> {
    fn new(bits: u64, weight: f64, postings: &'a [u32]) -> Read<'a> {
        work::count(|w| w.postings += postings.len() as u64);
        // Rounded up: the weight found is never less than the weight held.
        let units = (weight * WEIGHT_UNIT).ceil() as u64;
        Read {
            bits,
            adds: ONE_TOKEN + (units << WEIGHT_SHIFT),
            postings,
            role: Role::Add,
        }
    }

    /// The postings below `end`, consumed. Searched by galloping from the front, where the
    /// block ends near: the probes stay close together.
    fn block(&mut self, end: u32) -> &'a [u32] {
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
struct Found {
    bits: u64,
    tokens: usize,
    weight: f64,
    exact: bool,
}

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

/// Which form of a name is indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// The name's own tokens.
    Plain,
    /// A name with Chinese script, translated and romanised to pinyin.
    HanRoman,
    /// A transliterated foreign name in Chinese script, as sound classes.
    HanPhonetic,
    /// A Western person's Latin name as consonant outlines (Morgret → mlgld).
    Outline,
}

/// Which form of the query is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QueryForm {
    Plain,
    /// A query with Chinese script, romanised: compared with Latin names.
    Roman,
    /// A Latin query split into pinyin syllables: compared with romanised Chinese names.
    Syllable,
    /// A query with Chinese script as sound classes: compared with transliterations.
    Phonetic,
    /// A Chinese-script query with separated parts, as consonant outlines: compared with
    /// Western persons' Latin names (尼科尔·莫格雷特 ~ Nicole Morgret).
    Outline,
    /// A Latin query that spells a listed brand in pinyin, read as the brand.
    Brand,
}

impl Form {
    /// Which postings list of a token holds names of this form: 0 plain, 1 derived.
    fn group(self) -> usize {
        usize::from(self != Form::Plain)
    }
}

impl QueryForm {
    /// Which postings list holds the names this form compares with.
    fn group(self) -> usize {
        match self {
            QueryForm::Plain | QueryForm::Brand | QueryForm::Roman => 0,
            QueryForm::Syllable | QueryForm::Phonetic | QueryForm::Outline => 1,
        }
    }

    fn compares_with(self, form: Form) -> bool {
        matches!(
            (self, form),
            (QueryForm::Plain | QueryForm::Brand, Form::Plain)
                | (QueryForm::Roman, Form::Plain)
                | (QueryForm::Syllable, Form::HanRoman)
                | (QueryForm::Phonetic, Form::HanPhonetic)
                | (QueryForm::Outline, Form::Outline)
        )
    }

    /// The feature and factor of a form that is not the query as typed.
    fn factor(self) -> Option<(&'static str, f64)> {
        match self {
            QueryForm::Plain => None,
            QueryForm::Roman | QueryForm::Syllable => Some(("cross_script", CROSS_SCRIPT)),
            QueryForm::Brand => Some(("brand_table", CROSS_SCRIPT)),
            QueryForm::Phonetic => Some(("phonetic", PHONETIC)),
            QueryForm::Outline => Some(("transliteration", PHONETIC)),
        }
    }
}

#[derive(Debug)]
struct IndexedName {
    entity: u32,
    kind: NameKind,
    form: Form,
    /// Position among the entity's names (see `Entity::names`).
    position: u16,
    /// A surname-only rendering of a Western person's name (罗斯 for Wilbur Ross).
    surname_only: bool,
    /// A Chinese personal name, where every syllable counts.
    chinese_person: bool,
    /// A person's Latin name in Western style, where middle names weigh little.
    western: bool,
    /// The entity is a person.
    person: bool,
    tokens: Box<[u32]>,
    /// The name part of each token, for persons' names in Chinese script with several parts
    /// (汤姆·莫斯): parts, not characters, are what must match twice.
    parts: Option<Box<[u16]>>,
}

#[derive(Debug)]
struct TokenInfo {
    text: Box<str>,
    weight: f64,
    generic: bool,
    numeric: bool,
    /// Names that contain the token, ascending, no repeats: plain names, then the derived
    /// forms (see `Form::group`), so that a query form reads only the names it compares with.
    postings: [Vec<u32>; 2],
    /// The vocabulary tokens it matches as a query token, once asked (see
    /// `Index::token_matches`).
    matches: std::sync::OnceLock<Arc<[TokenMatch]>>,
}

/// An immutable index over a set of entities.
#[derive(Debug, Default)]
pub struct Index {
    entities: Vec<Arc<Entity>>,
    names: Vec<IndexedName>,
    vocab: FastMap<Box<str>, u32>,
    tokens: Vec<TokenInfo>,
    /// Deletion-neighbourhood key → (start, len) in `deletion_ids`: the Latin tokens that
    /// reduce to the key by deleting up to their edit allowance of characters.
    deletions: FastMap<u64, (u32, u32)>,
    deletion_ids: Vec<u32>,
    /// Acronym of 2–4 consecutive name words → names (ascending).
    acronyms: FastMap<Box<str>, Vec<u32>>,
    /// Token → surname-only names holding it: such names are candidates on any shared token.
    surname_only: FastMap<u32, Vec<u32>>,
    /// Identifier value (upper case, letters and digits only) → entities carrying it.
    identifiers: HashMap<String, Vec<u32>>,
    /// Per entity, what tells it apart as a party (see `Hit::same_party`).
    parties: Vec<Party>,
    /// Per name, the sum of its tokens' weights (an `f32`, low half) and the letters its
    /// tokens start with (high half, see `letters`), read together while counting.
    shapes: Vec<u64>,
    /// One bit per name: a Western person's Latin name (`IndexedName::western`), read while
    /// collecting candidates without touching the names.
    western: Vec<u64>,
    /// One bit per name that holds a token twice (where one vocabulary token may match two
    /// query tokens), or more tokens than counting keeps count of.
    repeats: Vec<u64>,
}

/// How a query token matches one vocabulary token.
#[derive(Debug, Clone, Copy)]
struct TokenMatch {
    id: u32,
    sim: f64,
    /// The vocabulary token's weight, kept here to spare reading it.
    weight: f64,
    /// A nickname pair, which only means something for persons.
    person_only: bool,
}

#[derive(Debug)]
struct Resolved {
    text: String,
    /// Vocabulary tokens this one matches, with their similarity.
    matches: Arc<[TokenMatch]>,
    weight: f64,
    generic: bool,
    numeric: bool,
    /// A single letter: an initial, matched against name parts without the vocabulary.
    initial: bool,
    /// May be an acronym (2–4 letters).
    acronym: bool,
}

/// A query token in one form: its resolution (shared between forms) and its segment.
#[derive(Debug, Clone)]
struct QueryToken {
    resolved: Arc<Resolved>,
    segment: u16,
}

impl std::ops::Deref for QueryToken {
    type Target = Resolved;
    fn deref(&self) -> &Resolved {
        &self.resolved
    }
}

/// What the query as a whole is like, beyond its tokens.
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// One short Latin word.
    short: bool,
    /// Two Chinese characters.
    short_han: bool,
    /// Generic words only, in translation.
    generic: bool,
}

/// Whether candidates come from the postings or from every name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Indexed,
    Exhaustive,
}

/// The numbers behind one score; features are built only for hits that are kept.
#[derive(Debug, Clone, Copy, Default)]
struct Scored {
    score: f64,
    query_coverage: f64,
    name_coverage: f64,
    fuzzy: u8,
    acronyms: u8,
    initials: u8,
    distinctive_missing: bool,
    number_mismatch: bool,
    syllable_missing: bool,
    short_partial: bool,
    descriptor_conflict: bool,
    surname_only: Option<f64>,
}

impl Scored {
    fn features(&self) -> Vec<Feature> {
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
    pub fn build<'a>(entities: impl IntoIterator<Item = &'a Arc<Entity>>) -> Index {
        let entities: Vec<&Arc<Entity>> = entities.into_iter().collect();
        // Normalising the names is most of the work and needs nothing shared: it runs on
        // every core, in chunks; interning stays on one thread, in entity order.
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let chunk = entities.len().div_ceil(threads).max(1);
        let prepared: Vec<Prepared> = std::thread::scope(|scope| {
            let workers: Vec<_> = entities
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || part.iter().map(|e| prepare(e)).collect::<Vec<_>>())
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().expect("index build worker"))
                .collect()
        });
        let mut index = Index::default();
        for (entity, prepared) in entities.into_iter().zip(prepared) {
            let slot = index.entities.len() as u32;
            index.entities.push(Arc::clone(entity));
            for id in &entity.identifiers {
                let key = identifier_key(&id.value);
                if key.len() >= 6 {
                    index.identifiers.entry(key).or_default().push(slot);
                }
            }
            index.commit(slot, prepared);
        }
        let n = index.names.len() as f64;
        for token in &mut index.tokens {
            let df = token.postings[0].len() + token.postings[1].len();
            token.weight = token_weight(df, n, token.generic);
        }
        // Totals rounded down, so that a ceiling computed from them is never too low.
        index.shapes = index
            .names
            .iter()
            .map(|name| {
                let (mut total, mut starts) = (0.0, 0u32);
                for &id in name.tokens.iter() {
                    let token = &index.tokens[id as usize];
                    total += token.weight;
                    starts |= letters(&token.text);
                }
                let total = (total * (1.0 - 1e-6)) as f32;
                u64::from(total.to_bits()) | u64::from(starts) << 32
            })
            .collect();
        let words = index.names.len().div_ceil(64);
        index.western = vec![0; words];
        index.repeats = vec![0; words];
        for (n, name) in index.names.iter().enumerate() {
            if name.western {
                index.western[n / 64] |= 1 << (n % 64);
            }
            let mut ids = name.tokens.to_vec();
            ids.sort_unstable();
            if ids.len() > 255 || ids.windows(2).any(|w| w[0] == w[1]) {
                index.repeats[n / 64] |= 1 << (n % 64);
            }
        }
        index.build_deletions();
        index
    }

    fn commit(&mut self, slot: u32, prepared: Prepared) {
        let Prepared {
            party,
            person,
            names,
        } = prepared;
        self.parties.push(party);
        for (position, kind, form, tokens, surname_only, chinese) in names {
            self.add_name(
                IndexedName {
                    entity: slot,
                    kind,
                    form,
                    position,
                    surname_only,
                    chinese_person: chinese,
                    western: person && !chinese && form == Form::Plain,
                    person,
                    tokens: Box::default(),
                    parts: None,
                },
                &tokens,
            );
        }
    }
}

/// One name form ready to index: position, kind, form, tokens, surname-only, Chinese person.
type PreparedName = (u16, NameKind, Form, Vec<Token>, bool, bool);

/// An entity with its names normalised into every indexed form: the part of building an
/// index that needs no shared state.
struct Prepared {
    party: Party,
    person: bool,
    names: Vec<PreparedName>,
}

fn prepare(entity: &Entity) -> Prepared {
    let person = entity.kind == EntityType::Person;
    let foreign = !entity.countries.is_empty()
        && !entity
            .countries
            .iter()
            .any(|c| matches!(c.as_str(), "CN" | "HK" | "MO" | "TW"));
    // A name with a parenthesis ("National University of Defense Technology (NUDT)") is
    // also indexed without it: the bracket holds an acronym, a former name or a place.
    let names: Vec<(u16, NameKind, Vec<Token>)> = entity
        .names()
        .enumerate()
        .flat_map(|(position, (kind, name))| {
            let bare = without_brackets(name);
            std::iter::once(name.to_string())
                .chain(bare.filter(|b| !b.trim().is_empty()))
                .map(move |text| (position as u16, kind, normalize::tokenize(&text)))
        })
        .filter(|(_, _, tokens)| !tokens.is_empty())
        .collect();
    // A person's Latin name words, plain and as syllables: a Chinese rendering that shares
    // none of them renders only the surname (罗斯 for Wilbur Ross), not the whole name.
    let mut latin_words: HashSet<String> = HashSet::new();
    if person {
        for (_, _, tokens) in &names {
            let syllables = normalize::syllabify(tokens).unwrap_or_default();
            latin_words.extend(tokens.iter().chain(&syllables).map(|t| t.text.clone()));
        }
    }
    let mut added: Vec<PreparedName> = Vec::new();
    for (position, kind, tokens) in &names {
        let (position, kind) = (*position, *kind);
        if !tokens.iter().any(|t| t.script == Script::Han) {
            let chinese = person && chinese_style(tokens);
            added.push((position, kind, Form::Plain, tokens.clone(), false, chinese));
            if person && !chinese {
                let outline = normalize::latin_outline(tokens);
                if outline.len() >= 2 {
                    added.push((position, kind, Form::Outline, outline, false, false));
                }
            }
            continue;
        }
        let segments: HashSet<u16> = tokens
            .iter()
            .filter(|t| t.script == Script::Han)
            .map(|t| t.segment)
            .collect();
        let roman = normalize::romanize(tokens).unwrap_or_default();
        // Only a known transliteration of one of the Latin name's words, or a rendering
        // with the same consonants as one (霍利 ~ Hawley), is taken for a surname-only
        // rendering: a Chinese name of a Westerner (郑国恩 for Adrian Zenz) is a whole name.
        let han: String = tokens.iter().map(|t| t.text.as_str()).collect();
        let surname_only = person
            && segments.len() == 1
            && (normalize::transliteration(&han)
                .is_some_and(|latin| latin.iter().any(|w| latin_words.contains(w.as_str())))
                || normalize::han_consonants(&han).is_some_and(|sound| {
                    sound.len() >= 2
                        && latin_words
                            .iter()
                            .any(|w| normalize::latin_consonants(w) == sound)
                }));
        let chinese = person && !surname_only && segments.len() == 1 && tokens.len() <= 4;
        added.push((
            position,
            kind,
            Form::Plain,
            tokens.clone(),
            surname_only,
            chinese,
        ));
        // The brand table's reading (大疆 → dji) and the pinyin a Latin spelling of the
        // name has (da jiang) are both forms of the name.
        let pinyin = normalize::romanize_pinyin(tokens).filter(|p| *p != roman);
        for form in std::iter::once(roman).chain(pinyin) {
            if !form.is_empty() {
                added.push((position, kind, Form::HanRoman, form, surname_only, chinese));
            }
        }
        if foreign || segments.len() > 1 || surname_only {
            if let Some(sounds) = normalize::phonetic(tokens).filter(|t| !t.is_empty()) {
                added.push((
                    position,
                    kind,
                    Form::HanPhonetic,
                    sounds,
                    surname_only,
                    false,
                ));
            }
        }
    }
    Prepared {
        // The primary name comes first, as typed (position 0).
        party: Party::of(
            entity,
            names.first().filter(|(p, _, _)| *p == 0).map(|n| &n.2),
        ),
        person,
        names: added,
    }
}

impl Index {
    fn add_name(&mut self, mut name: IndexedName, tokens: &[Token]) {
        let name_id = self.names.len() as u32;
        let ids: Box<[u32]> = tokens.iter().map(|t| self.intern(t)).collect();
        let mut seen = HashSet::new();
        for &id in ids.iter() {
            if seen.insert(id) {
                self.tokens[id as usize].postings[name.form.group()].push(name_id);
                if name.surname_only {
                    self.surname_only.entry(id).or_default().push(name_id);
                }
            }
        }
        if name.form == Form::Plain {
            let texts: Vec<&str> = ids
                .iter()
                .map(|&id| &*self.tokens[id as usize].text)
                .collect();
            let mut acronyms: Vec<String> = acronym_windows(&texts)
                .map(|(_, acronym)| acronym)
                .collect();
            acronyms.sort_unstable();
            acronyms.dedup();
            for acronym in acronyms {
                self.acronyms
                    .entry(acronym.into_boxed_str())
                    .or_default()
                    .push(name_id);
            }
        }
        let entity = &self.entities[name.entity as usize];
        let han_parts: HashSet<u16> = tokens
            .iter()
            .filter(|t| t.script == Script::Han)
            .map(|t| t.segment)
            .collect();
        if entity.kind == EntityType::Person
            && (han_parts.len() > 1
                || name.form == Form::HanRoman
                || name.form == Form::HanPhonetic)
        {
            let parts: HashSet<u16> = tokens.iter().map(|t| t.segment).collect();
            if parts.len() > 1 {
                name.parts = Some(tokens.iter().map(|t| t.segment).collect());
            }
        }
        name.tokens = ids;
        self.names.push(name);
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
            postings: [Vec::new(), Vec::new()],
            matches: std::sync::OnceLock::new(),
        });
        self.vocab.insert(token.text.as_str().into(), id);
        id
    }

    /// The deletion neighbourhood of every Latin word long enough to be matched with edits.
    fn build_deletions(&mut self) {
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        for (id, token) in self.tokens.iter().enumerate() {
            if !fuzzy_candidate(&token.text) {
                continue;
            }
            for key in deletion_keys(&token.text) {
                pairs.push((key, id as u32));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        self.deletion_ids = pairs.iter().map(|&(_, id)| id).collect();
        let mut start = 0;
        while start < pairs.len() {
            let key = pairs[start].0;
            let end = start + pairs[start..].partition_point(|&(k, _)| k == key);
            self.deletions
                .insert(key, (start as u32, (end - start) as u32));
            start = end;
        }
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
        self.run(query, Mode::Indexed)
    }

    /// The same search with no candidate stage: every vocabulary token is compared with every
    /// query token and every name is scored. The baseline for tests and benchmarks; slow.
    pub fn search_exhaustive(&self, query: &Query) -> Vec<Hit> {
        self.run(query, Mode::Exhaustive)
    }

    fn run(&self, query: &Query, mode: Mode) -> Vec<Hit> {
        let tokens = normalize::tokenize(query.name);
        if tokens.is_empty() || tokens.iter().all(normalize::is_legal_form) {
            return Vec::new(); // a legal form never matches on its own
        }
        if tokens.len() == 1 && tokens[0].script == Script::Han {
            return Vec::new(); // one Chinese character is never a name on its own
        }
        let mut forms: Vec<(QueryForm, Vec<Token>)> = Vec::with_capacity(4);
        if let Some(roman) = normalize::romanize(&tokens) {
            let pinyin = normalize::romanize_pinyin(&tokens).filter(|p| *p != roman);
            // Latin names spell pinyin syllables as words (华为 → hua wei → Huawei): the
            // romanised forms are also read with syllables joined where the vocabulary has
            // the word.
            for form in std::iter::once(roman).chain(pinyin) {
                if let Some(joined) = self.join_syllables(&form) {
                    forms.push((QueryForm::Roman, joined));
                }
                forms.push((QueryForm::Roman, form));
            }
            if let Some(sounds) = normalize::phonetic(&tokens) {
                forms.push((QueryForm::Phonetic, sounds));
            }
            if let Some(outline) = normalize::han_outline(&tokens) {
                forms.push((QueryForm::Outline, outline));
            }
        } else {
            let syllables = normalize::syllabify(&tokens).unwrap_or_else(|| tokens.clone());
            if let Some(brand) = normalize::pinyin_brands(&syllables) {
                forms.push((QueryForm::Brand, brand));
            }
            forms.push((QueryForm::Syllable, syllables));
        }
        if let Some(rejoined) = self.rejoin(&tokens) {
            forms.push((QueryForm::Plain, rejoined));
        }
        // A Chinese query whose translation is generic words only (东京大学 → tokyo
        // university) is judged as generic in every form, characters included.
        let generic = forms.iter().any(|(form, tokens)| {
            *form == QueryForm::Roman && tokens.iter().all(normalize::is_generic)
        });
        // One short word: see `SHORT_PARTIAL`.
        let short = tokens.len() == 1
            && tokens[0].script == Script::Latin
            && tokens[0].text.chars().count() <= 4;
        // Two Chinese characters (通用, 罗斯): see `SHORT_PARTIAL`.
        let short_han = tokens.len() <= 2 && tokens.iter().all(|t| t.script == Script::Han);
        // A derived form longer than the candidate stage counts (words split into syllables or
        // parts) would read every postings list it touches and score every name in them: such
        // forms are not searched. Only queries near the service's word limit have them (no
        // real listed name does); the query as typed is always searched.
        forms.retain(|(_, tokens)| tokens.len() <= TOKEN_BITS);
        forms.insert(0, (QueryForm::Plain, tokens));
        work::count(|w| w.forms += forms.len() as u64);

        let mut best: HashMap<u32, Hit> = HashMap::new();
        self.search_identifier(query, &mut best);
        // The forms mostly share tokens: resolve each distinct token once.
        let mut cache: FastMap<&str, Arc<Resolved>> = FastMap::default();
        for (form, tokens) in &forms {
            let resolved: Vec<QueryToken> = tokens
                .iter()
                .map(|t| QueryToken {
                    resolved: Arc::clone(
                        cache
                            .entry(t.text.as_str())
                            .or_insert_with(|| Arc::new(self.resolve(t, mode))),
                    ),
                    segment: t.segment,
                })
                .collect();
            let shape = Shape {
                short,
                short_han,
                generic,
            };
            self.search_form(query, *form, &resolved, mode, shape, &mut best);
        }
        self.rank(query, best)
    }

    /// Scores the names one form of the query compares with, keeping each entity's best.
    fn search_form(
        &self,
        query: &Query,
        form: QueryForm,
        resolved: &[QueryToken],
        mode: Mode,
        shape: Shape,
        best: &mut HashMap<u32, Hit>,
    ) {
        if resolved.is_empty() {
            return;
        }
        let any_distinctive = !shape.generic && resolved.iter().any(|t| !t.generic);
        let lookup = Lookup::new(resolved);
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
                    &lookup,
                    ceiling.as_ref(),
                );
                (candidates, ceiling)
            }
            Mode::Exhaustive => ((0..self.names.len() as u32).map(|n| (n, 0)).collect(), None),
        };
        // The names this form compares with, and their shapes, read in a loop of nothing
        // else so that the reads overlap.
        let names: Vec<(&IndexedName, u64, u64)> = candidates
            .into_iter()
            .filter_map(|(name_id, held)| {
                let name = &self.names[name_id as usize];
                // A surname-only rendering stands in for a Latin name the entity also has: a
                // Latin query is judged against that, where its given name can be checked.
                let compared = form.compares_with(name.form)
                    && !(name.surname_only && form == QueryForm::Syllable);
                compared.then(|| (name, held, self.shapes[name_id as usize]))
            })
            .collect();
        for (name, held, weighed) in names {
            if let Some(ceiling) = &ceiling {
                // Surname-only renderings are capped, and judged on part of the query.
                if !name.surname_only {
                    let most = ceiling.of(&lookup, name, shape_total(weighed), held);
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
            if query
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
                &lookup,
                name,
                any_distinctive,
                shape,
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
            let mut features = scored.features();
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
            best.insert(
                name.entity,
                Hit {
                    entity: Arc::clone(entity),
                    score,
                    matched_name: matched,
                    matched_kind: name.kind,
                    features,
                    same_party: Vec::new(),
                },
            );
        }
    }

    /// The names of this form that can reach the threshold, ascending, each with the query
    /// tokens found to match it through its postings (bits; none when not counted).
    ///
    /// Every factor of a score is at most 1, so a name must hold query tokens worth a share
    /// `need` of the query's weight (see `needs`); when the query has a distinctive token, it
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
    fn candidates(
        &self,
        query: &[QueryToken],
        form: QueryForm,
        threshold: f64,
        any_distinctive: bool,
        lookup: &Lookup,
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
            // Every query token needs its exact match; none at all when one has none.
            let exact: Option<Vec<&[u32]>> = query
                .iter()
                .map(|t| {
                    let m = t.matches.iter().find(|m| m.sim >= 1.0)?;
                    Some(self.postings(m.id, group))
                })
                .collect();
            let rarest = exact.and_then(|lists| lists.into_iter().min_by_key(|l| l.len()));
            work::count(|w| w.postings += rarest.map_or(0, |l| l.len() as u64));
            out.extend(rarest.unwrap_or_default().iter().map(|&n| (n, 0)));
        } else if let Some(ceiling) = ceiling {
            self.count(query, lookup, group, threshold, ceiling, &mut out);
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
    /// tokens (see `candidates`).
    #[allow(clippy::too_many_arguments)]
    fn count(
        &self,
        query: &[QueryToken],
        lookup: &Lookup,
        group: usize,
        threshold: f64,
        ceiling: &Ceiling,
        out: &mut Vec<(u32, u64)>,
    ) {
        let (need_org, need_person) = needs(query, threshold);
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
        let bit = |set: &[u64], n: u32| set[n as usize / 64] & (1 << (n % 64)) != 0;
        let western = |n: u32| bit(&self.western, n);
        let sourced = sources.iter().fold(0u64, |bits, &i| bits | 1 << i);
        let collected = sourced & !rest_org;
        let for_persons = rest_org & !rest_person;
        // Every list read: the query tokens it stands for, what it adds to a name's mask (one
        // token, its weight), its postings, and whether it collects names (for all, for
        // Western persons only) or only adds to names collected.
        let mut reads: Vec<Read> = lookup
            .ids
            .iter()
            .map(|(&id, entry)| {
                Read::new(entry.person_bits, entry.weight, self.postings(id, group))
            })
            .collect();
        for (i, t) in query.iter().enumerate() {
            let names = self.acronym_names(t, group);
            reads.push(Read::new(1 << i, ceiling.cover[i], names));
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
        MASKS.with(|cell| {
            let masks = &mut *cell.borrow_mut();
            masks.resize(BLOCK, 0);
            let mut touched: Vec<u32> = Vec::new();
            let mut pending: Vec<(u32, Found)> = Vec::new();
            let mut shapes: Vec<u64> = Vec::new();
            let t = ceiling.needs(threshold);
            let mut blocks: Vec<&[u32]> = Vec::with_capacity(reads.len());
            for base in (0..self.names.len()).step_by(BLOCK) {
                let end = (base + BLOCK).min(self.names.len()) as u32;
                touched.clear();
                blocks.clear();
                blocks.extend(reads.iter_mut().map(|r| r.block(end)));
                for (r, &block) in reads.iter().zip(&blocks) {
                    if r.role == Role::Add {
                        continue;
                    }
                    let persons_only = r.role == Role::CollectPersons;
                    for &n in block {
                        if persons_only && !western(n) {
                            continue;
                        }
                        let slot = &mut masks[n as usize - base];
                        if *slot == 0 {
                            touched.push(n);
                        }
                        *slot = (*slot | r.bits) + r.adds;
                    }
                }
                if touched.is_empty() {
                    continue;
                }
                let mut assumed = assumed;
                let mut scanned = rest_org;
                for &(cost, bit) in &generic_cost {
                    let share = cost * BLOCK / self.names.len().max(1);
                    if share <= SCAN_RATIO * touched.len() {
                        assumed &= !bit;
                        scanned |= bit;
                    }
                }
                for (r, &block) in reads.iter().zip(&blocks) {
                    if r.role == Role::Collect || r.bits & scanned == 0 {
                        continue;
                    }
                    let marked = r.role == Role::CollectPersons;
                    for &n in block {
                        let slot = &mut masks[n as usize - base];
                        if *slot != 0 && !(marked && western(n)) {
                            *slot = (*slot | r.bits) + r.adds;
                        }
                    }
                }
                // The query side first; then the names it leaves a chance have their shapes
                // read in a loop of nothing else (so the reads overlap), and are decided.
                pending.clear();
                for &n in &touched {
                    let mask = std::mem::take(&mut masks[n as usize - base]);
                    let found = Found {
                        bits: mask & TOKEN_MASK,
                        tokens: ((mask >> TOKEN_BITS) & 0xff) as usize,
                        weight: (mask >> WEIGHT_SHIFT) as f64 / WEIGHT_UNIT,
                        exact: !bit(&self.repeats, n),
                    };
                    if ceiling.counted_query(&found, assumed, western(n), t) {
                        pending.push((n, found));
                    }
                }
                shapes.clear();
                shapes.extend(pending.iter().map(|(n, _)| self.shapes[*n as usize]));
                for ((n, found), &shape) in pending.iter().zip(&shapes) {
                    if ceiling.counted_name(found, assumed, western(*n), t, shape) {
                        out.push((*n, found.bits));
                    }
                }
            }
        });
    }

    /// The postings of a query token in one group: the names holding a vocabulary token it
    /// matches, and for an acronym the plain names whose words it may abbreviate.
    fn lists<'a>(&'a self, t: &'a QueryToken, group: usize) -> impl Iterator<Item = &'a [u32]> {
        t.matches
            .iter()
            .map(move |m| self.postings(m.id, group))
            .chain(std::iter::once(self.acronym_names(t, group)))
    }

    /// The names of one postings group holding a vocabulary token.
    fn postings(&self, id: u32, group: usize) -> &[u32] {
        &self.tokens[id as usize].postings[group]
    }

    /// For an acronym, the plain names (postings group 0: the acronym rule applies to plain
    /// names only) whose words it may abbreviate.
    fn acronym_names(&self, t: &QueryToken, group: usize) -> &[u32] {
        if group != 0 || !t.acronym {
            return &[];
        }
        self.acronyms
            .get(t.text.as_str())
            .map_or(&[], Vec::as_slice)
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
                    same_party: Vec::new(),
                },
            );
        }
    }

    /// Consecutive pinyin syllables of one name part joined into the longest word the
    /// vocabulary has (hua wei → huawei, chen quan guo → chen quanguo). `None` when nothing
    /// joins.
    fn join_syllables(&self, tokens: &[Token]) -> Option<Vec<Token>> {
        let syllable = |t: &Token| t.script == Script::Latin && normalize::is_syllable(&t.text);
        let mut out = Vec::with_capacity(tokens.len());
        let mut changed = false;
        let mut i = 0;
        let mut joined = String::new();
        while i < tokens.len() {
            let join = (2..=4).rev().find_map(|len| {
                let run = tokens.get(i..i + len)?;
                if !run.iter().all(syllable) || run.iter().any(|t| t.segment != run[0].segment) {
                    return None;
                }
                joined.clear();
                run.iter().for_each(|t| joined.push_str(&t.text));
                self.vocab
                    .contains_key(joined.as_str())
                    .then(|| (joined.clone(), len))
            });
            match join {
                Some((joined, len)) => {
                    out.push(Token::new(joined, Script::Latin, tokens[i].segment));
                    changed = true;
                    i += len;
                }
                None => {
                    out.push(tokens[i].clone());
                    i += 1;
                }
            }
        }
        changed.then_some(out)
    }

    /// The query with words split or joined where the vocabulary says so: "Sky Dio" →
    /// skydio, "Jing Wei Da" → jingweida, "ACT 1" → act1, "LockheedMartin" → lockheed
    /// martin. `None` when nothing changes.
    fn rejoin(&self, tokens: &[Token]) -> Option<Vec<Token>> {
        let known = |text: &str| self.vocab.contains_key(text);
        let latin = |t: &Token| t.script == Script::Latin;
        let mut out: Vec<Token> = Vec::with_capacity(tokens.len() + 1);
        let mut changed = false;
        let mut i = 0;
        let mut joined = String::new();
        while i < tokens.len() {
            let token = &tokens[i];
            let join = (2..=3).rev().find_map(|len| {
                let run = tokens.get(i..i + len)?;
                if !run.iter().all(latin) || token.is_numeric() {
                    return None;
                }
                joined.clear();
                run.iter().for_each(|t| joined.push_str(&t.text));
                known(&joined).then(|| (joined.clone(), len))
            });
            if let Some((joined, len)) = join {
                out.push(Token::new(joined, Script::Latin, token.segment));
                changed = true;
                i += len;
                continue;
            }
            let split = (latin(token)
                && !token.is_numeric()
                && !known(&token.text)
                && token.text.len() >= 5)
                .then(|| {
                    (2..=token.text.len() - 2)
                        .filter(|&at| token.text.is_char_boundary(at))
                        .map(|at| token.text.split_at(at))
                        .find(|(a, b)| known(a) && known(b))
                })
                .flatten();
            match split {
                Some((a, b)) => {
                    out.push(Token::new(a, Script::Latin, token.segment));
                    out.push(Token::new(b, Script::Latin, token.segment));
                    changed = true;
                }
                None => out.push(token.clone()),
            }
            i += 1;
        }
        changed.then_some(out)
    }

    /// The vocabulary tokens a query token matches: exactly, as another romanisation or a
    /// nickname, or within its edit allowance.
    fn token_matches(&self, token: &Token, exact: Option<u32>, mode: Mode) -> Vec<TokenMatch> {
        let mut matches: Vec<TokenMatch> = Vec::new();
        let mut add =
            |id: u32, sim: f64, person_only: bool| match matches.iter_mut().find(|m| m.id == id) {
                Some(m) if sim > m.sim || (sim == m.sim && !person_only) => {
                    m.sim = sim;
                    m.person_only = person_only;
                }
                Some(_) => {}
                None => matches.push(TokenMatch {
                    id,
                    sim,
                    weight: self.tokens[id as usize].weight,
                    person_only,
                }),
            };
        if let Some(id) = exact {
            add(id, 1.0, false);
        }
        if token.script == Script::Latin && !token.is_numeric() {
            for variant in normalize::romanisation_variants(&token.text) {
                if let Some(&id) = self.vocab.get(variant.as_str()) {
                    add(id, ROMANISATION_SIM, false);
                }
            }
            for variant in normalize::nickname_variants(&token.text) {
                if let Some(&id) = self.vocab.get(variant.as_str()) {
                    add(id, NICKNAME_SIM, true);
                }
            }
        }
        if token.script == Script::Latin && fuzzy_candidate(&token.text) {
            match mode {
                Mode::Indexed => {
                    let mut seen: FastMap<u32, ()> = FastMap::default();
                    for key in deletion_keys(&token.text) {
                        let Some(&(start, len)) = self.deletions.get(&key) else {
                            continue;
                        };
                        let ids = &self.deletion_ids[start as usize..(start + len) as usize];
                        for &id in ids {
                            if Some(id) != exact && seen.insert(id, ()).is_none() {
                                let sim =
                                    token_similarity(&token.text, &self.tokens[id as usize].text);
                                if sim >= FUZZY_MIN {
                                    add(id, sim, false);
                                }
                            }
                        }
                    }
                }
                Mode::Exhaustive => {
                    for (id, info) in self.tokens.iter().enumerate() {
                        if Some(id as u32) != exact && fuzzy_candidate(&info.text) {
                            let sim = token_similarity(&token.text, &info.text);
                            if sim >= FUZZY_MIN {
                                add(id as u32, sim, false);
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
    fn resolve(&self, token: &Token, mode: Mode) -> Resolved {
        let exact = self.vocab.get(token.text.as_str()).copied();
        // A word of the vocabulary is resolved once per index, the first time it is asked.
        let matches: Arc<[TokenMatch]> = match exact {
            Some(id) if mode == Mode::Indexed && token.script == Script::Latin => Arc::clone(
                self.tokens[id as usize]
                    .matches
                    .get_or_init(|| self.token_matches(token, exact, mode).into()),
            ),
            _ => self.token_matches(token, exact, mode).into(),
        };
        // A misspelt generic word (Technologie, Gruop) is as generic as the word it stands
        // for.
        let generic = normalize::is_generic(token)
            || (exact.is_none()
                && matches
                    .iter()
                    .any(|m| m.sim >= 0.85 && self.tokens[m.id as usize].generic));
        let letters = token.text.chars().count();
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
            acronym: alphabetic
                && (2..=4).contains(&letters)
                && !normalize::is_syllable(&token.text),
        }
    }

    /// Scores one candidate name; `None` when it is no match whatever the threshold.
    fn score(
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
            let han_name = (0..name.tokens.len()).any(|ni| text(ni).chars().any(normalize::is_han));
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
        let is_word = |id: u32| !info(id).text.chars().any(normalize::is_han);
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
                *s == 0.0 && !info(id).generic && info(id).text.chars().any(normalize::is_han)
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

impl Index {
    /// Orders the hits, best first, and marks the ones that are the same party on several
    /// lists.
    fn rank(&self, query: &Query, best: HashMap<u32, Hit>) -> Vec<Hit> {
        // Only hits that can make the cut are ordered: those scoring at least the
        // `limit`-th best score.
        let mut scores: Vec<f64> = best.values().map(|h| h.score).collect();
        let cut = if scores.len() > query.limit && query.limit > 0 {
            let (_, kth, _) = scores.select_nth_unstable_by(query.limit - 1, |a, b| b.total_cmp(a));
            *kth
        } else {
            f64::MIN
        };
        // Ties (two names equal after normalisation) go to the name closest to the query as
        // typed, then the shorter name, then the id; closeness is computed once per hit.
        let typed = query.name.to_lowercase();
        let mut ranked: Vec<(f64, (u32, Hit))> = best
            .into_iter()
            .filter(|(_, h)| h.score >= cut)
            .map(|(slot, h)| {
                let closeness =
                    strsim::normalized_levenshtein(&typed, &h.matched_name.to_lowercase());
                (closeness, (slot, h))
            })
            .collect();
        ranked.sort_by(|(ca, (_, a)), (cb, (_, b))| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| cb.total_cmp(ca))
                .then_with(|| a.matched_name.len().cmp(&b.matched_name.len()))
                .then_with(|| a.entity.id.cmp(&b.entity.id))
        });
        let mut ranked: Vec<(u32, Hit)> = ranked.into_iter().map(|(_, item)| item).collect();
        ranked.truncate(query.limit);
        let parties: Vec<&Party> = ranked
            .iter()
            .map(|(slot, _)| &self.parties[*slot as usize])
            .collect();
        let same: Vec<Vec<String>> = (0..ranked.len())
            .map(|i| {
                (0..ranked.len())
                    .filter(|&j| j != i && ranked[j].1.entity.list != ranked[i].1.entity.list)
                    .filter(|&j| parties[i].same_as(parties[j]))
                    .map(|j| ranked[j].1.entity.id.clone())
                    .collect()
            })
            .collect();
        let hits: Vec<Hit> = ranked
            .into_iter()
            .zip(same)
            .map(|((_, hit), same_party)| Hit { same_party, ..hit })
            .collect();
        hits
    }
}

/// What tells one party from another across lists: its normalised primary name and its
/// identifiers.
#[derive(Debug)]
struct Party {
    name: Box<str>,
    identifiers: Box<[String]>,
}

impl Party {
    /// `primary` is the entity's primary name, tokenized.
    fn of(entity: &Entity, primary: Option<&Vec<Token>>) -> Party {
        let name: Vec<&str> = primary
            .into_iter()
            .flatten()
            .map(|t| t.text.as_str())
            .collect();
        Party {
            name: name.join(" ").into(),
            identifiers: entity
                .identifiers
                .iter()
                .map(|i| identifier_key(&i.value))
                .filter(|k| k.len() >= 6)
                .collect(),
        }
    }

    fn same_as(&self, other: &Party) -> bool {
        self.name == other.name
            || self
                .identifiers
                .iter()
                .any(|k| other.identifiers.contains(k))
    }
}

/// Optional evidence from the request: entity type and countries. With `features`, records
/// what it applied.
fn evidence(
    mut score: f64,
    entity: &Entity,
    query: &Query,
    mut features: Option<&mut Vec<Feature>>,
) -> f64 {
    let mut apply = |name: &'static str, weight: f64| {
        score *= weight;
        if let Some(features) = features.as_deref_mut() {
            features.push(Feature {
                name,
                value: 1.0,
                weight,
            });
        }
    };
    if let Some(wanted) = query.entity_type {
        let known = |t: EntityType| t != EntityType::Unknown;
        if known(wanted) && known(entity.kind) && wanted != entity.kind {
            apply("type_mismatch", TYPE_MISMATCH);
        }
    }
    if !query.countries.is_empty() && !entity.countries.is_empty() {
        if query.countries.iter().any(|c| entity.countries.contains(c)) {
            apply("country_match", 1.0);
        } else {
            apply("country_mismatch", COUNTRY_MISMATCH);
        }
    }
    score
}

/// Windows of 2–4 consecutive words of a name (skipping "of", "and" ...) with the acronym
/// their initials spell, as positions into `texts`.
fn acronym_windows<'a>(texts: &'a [&'a str]) -> impl Iterator<Item = (Vec<usize>, String)> + 'a {
    let words: Vec<usize> = (0..texts.len())
        .filter(|&i| !ACRONYM_SKIP.contains(&texts[i]))
        .collect();
    (2..=4usize).flat_map(move |len| {
        let words = words.clone();
        (0..words.len().saturating_sub(len - 1)).filter_map(move |start| {
            let at: Vec<usize> = words[start..start + len].to_vec();
            let acronym: Option<String> = at
                .iter()
                .map(|&i| {
                    let word = texts[i];
                    word.chars()
                        .next()
                        .filter(|_| word.chars().all(|c| c.is_ascii_alphabetic()))
                })
                .collect();
            acronym.map(|a| (at, a))
        })
    })
}

/// The name with its bracketed parts removed, when it has any: `None` otherwise.
fn without_brackets(name: &str) -> Option<String> {
    if !name.contains(['(', '（', '[']) {
        return None;
    }
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '(' | '（' | '[' => depth += 1,
            ')' | '）' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    Some(out)
}

/// The weight of query tokens a name must hold to reach `threshold`: any name, and a Western
/// person's name (whose unmatched middle names weigh `MIDDLE_NAME`). A score is at most
/// `query_coverage^QUERY_EXP`, so coverage must reach `r = threshold^(1/QUERY_EXP)`.
fn needs(query: &[QueryToken], threshold: f64) -> (f64, f64) {
    let total: f64 = query.iter().map(|t| t.weight).sum();
    let r = threshold.clamp(0.0, 1.0).powf(1.0 / QUERY_EXP);
    (
        r * total,
        r * MIDDLE_NAME / (1.0 - r + r * MIDDLE_NAME) * total,
    )
}

/// The first and last matched positions: an unmatched position between them is a middle one.
fn matched_span(sims: &[f64]) -> Option<(usize, usize)> {
    Some((
        sims.iter().position(|s| *s > 0.0)?,
        sims.iter().rposition(|s| *s > 0.0)?,
    ))
}

/// The query tokens of one form by the vocabulary tokens they match: what scoring and the
/// score ceiling look up for each token of a name.
struct Lookup {
    /// Vocabulary token → its entry.
    ids: FastMap<u32, LookupEntry>,
    /// The matches, grouped by vocabulary token.
    matches: Vec<LookupMatch>,
}

struct LookupEntry {
    /// Range of `Lookup::matches`.
    start: u32,
    len: u32,
    /// The query tokens it matches (bits), for any name and for persons' names (nicknames).
    bits: u64,
    person_bits: u64,
    /// The query tokens it matches exactly.
    exact: u64,
    /// Its best similarity, and its weight as a name token.
    sim: f64,
    weight: f64,
}

#[derive(Debug, Clone, Copy)]
struct LookupMatch {
    query: u16,
    sim: f64,
    person_only: bool,
}

impl Lookup {
    fn new(query: &[QueryToken]) -> Lookup {
        let mut all: Vec<(u32, LookupMatch, f64)> = Vec::new();
        for (qi, t) in query.iter().enumerate() {
            for m in t.matches.iter() {
                let at = LookupMatch {
                    query: qi as u16,
                    sim: m.sim,
                    person_only: m.person_only,
                };
                all.push((m.id, at, m.weight));
            }
        }
        all.sort_by_key(|(id, m, _)| (*id, m.query));
        let mut ids: FastMap<u32, LookupEntry> = FastMap::default();
        ids.reserve(all.len());
        for (at, &(id, m, weight)) in all.iter().enumerate() {
            let bit = if m.query < 64 { 1u64 << m.query } else { 0 };
            let entry = ids.entry(id).or_insert(LookupEntry {
                start: at as u32,
                len: 0,
                bits: 0,
                person_bits: 0,
                exact: 0,
                sim: 0.0,
                weight,
            });
            entry.len += 1;
            entry.person_bits |= bit;
            if !m.person_only {
                entry.bits |= bit;
            }
            if m.sim >= 1.0 {
                entry.exact |= bit;
            }
            entry.sim = entry.sim.max(m.sim);
        }
        Lookup {
            ids,
            matches: all.into_iter().map(|(_, m, _)| m).collect(),
        }
    }

    fn get(&self, id: u32) -> Option<&LookupEntry> {
        self.ids.get(&id)
    }

    /// The query tokens a vocabulary token matches.
    fn matches(&self, id: u32) -> &[LookupMatch] {
        self.get(id).map_or(&[], |e| {
            &self.matches[e.start as usize..(e.start + e.len) as usize]
        })
    }
}

/// The most a name can score, known before it is scored: the scorer rules that reject
/// outright (no distinctive token matched, one part of a person's name, a generic query not
/// matched word for word), then coverage on both sides as if every token that can match did,
/// at its best similarity, with unmatched tokens weighing what they weigh at the least (a
/// middle name's share). Every other factor is at most 1. It is computed twice: from the
/// query tokens a name holds and its total weight while candidates are counted, without
/// reading the name, then from the name's tokens. The indexed and the exhaustive search
/// agree (a test checks), so it changes no answer.
#[derive(Debug)]
struct Ceiling {
    weights: Vec<f64>,
    total: f64,
    /// The query tokens' best similarity.
    sims: Vec<f64>,
    /// The most name weight a query token can match: its heaviest vocabulary match, one
    /// token of weight at most 1 for an initial, one per letter for an acronym.
    cover: Vec<f64>,
    /// Initials, which may match any name token without the vocabulary.
    initials: u64,
    /// Each initial's bit, and its letter as in `letters`.
    initial_letters: Vec<(u64, u32)>,
    /// Acronyms, which match the names their postings hold without the vocabulary.
    acronyms: u64,
    distinctive: u64,
    all: u64,
    any_distinctive: bool,
    factor: f64,
}

impl Ceiling {
    /// `None` for a query of more tokens than counting handles (whose candidates are not
    /// counted, so the acronyms they may spell are not known).
    fn new(query: &[QueryToken], any_distinctive: bool, factor: f64) -> Option<Ceiling> {
        if query.len() > TOKEN_BITS {
            return None;
        }
        let bits = |test: &dyn Fn(&QueryToken) -> bool| -> u64 {
            query
                .iter()
                .enumerate()
                .filter(|(_, t)| test(t))
                .fold(0, |bits, (i, _)| bits | 1 << i)
        };
        let initials = bits(&|t| t.initial);
        let acronyms = bits(&|t| t.acronym);
        Some(Ceiling {
            weights: query.iter().map(|t| t.weight).collect(),
            total: query.iter().map(|t| t.weight).sum(),
            sims: query
                .iter()
                .map(|t| {
                    let best = t.matches.iter().map(|m| m.sim).fold(0.0, f64::max);
                    if t.initial || t.acronym {
                        best.max(ACRONYM_SIM.max(INITIAL_SIM))
                    } else {
                        best
                    }
                })
                .collect(),
            cover: query
                .iter()
                .map(|t| {
                    let heaviest = t.matches.iter().map(|m| m.weight).fold(0.0, f64::max);
                    if t.initial || t.acronym {
                        heaviest.max(t.text.len() as f64)
                    } else {
                        heaviest
                    }
                })
                .collect(),
            initials,
            initial_letters: query
                .iter()
                .enumerate()
                .filter(|(_, t)| t.initial)
                .map(|(i, t)| (1u64 << i, letters(&t.text)))
                .collect(),
            acronyms,
            distinctive: bits(&|t| !t.generic),
            all: (1 << query.len()) - 1,
            any_distinctive,
            factor,
        })
    }

    /// The fifth power of the score a candidate needs before the form's factor: the ceiling
    /// `q^0.6 · n^0.4 · factor ≥ t` raised to the fifth power needs no powf in the inner loop.
    fn needs(&self, threshold: f64) -> f64 {
        (threshold / self.factor - 1e-9).max(0.0).powi(5)
    }

    /// Whether a candidate may reach the threshold (`t`, from `needs`) on the query side
    /// alone, while counting: what counting found of it; `assumed`, the query tokens assumed
    /// held; `western`, whether middle names weigh little.
    fn counted_query(&self, found: &Found, assumed: u64, western: bool, t: f64) -> bool {
        self.within(found, assumed, western, t, None)
    }

    /// Then with its `shape` (its weight and the letters its tokens start with, see
    /// `Index::shapes`), read only for the names the query side leaves a chance.
    fn counted_name(&self, found: &Found, assumed: u64, western: bool, t: f64, shape: u64) -> bool {
        let (total, letters) = (shape_total(shape), (shape >> 32) as u32);
        // An initial matches a name token it starts.
        let mut missing = 0u64;
        for &(bit, letter) in &self.initial_letters {
            if letters & letter == 0 {
                missing |= bit;
            }
        }
        self.within(found, assumed & !missing, western, t, Some(total))
    }

    /// The ceiling test of `counted_query` and `counted_name`; the name side only when the
    /// name's weight is known.
    fn within(
        &self,
        found: &Found,
        assumed: u64,
        western: bool,
        t: f64,
        total: Option<f64>,
    ) -> bool {
        let counted = found.bits & !assumed;
        let known = counted.count_ones() as usize;
        let tokens = if found.exact { found.tokens } else { known };
        if western && known.min(tokens) + (assumed.count_ones() as usize) < 2 {
            return false;
        }
        let least = if western { MIDDLE_NAME } else { 1.0 };
        // Name weight matched: what counting found, plus what the assumed tokens may match.
        let found_weight = |bits: u64| -> f64 {
            if found.exact {
                found.weight + self.cover(assumed).0
            } else {
                self.cover(bits).0
            }
        };
        let (q_cov, held) = if known <= tokens {
            let reach = counted | assumed;
            (self.query_coverage(reach, least), found_weight(reach))
        } else {
            // Only `tokens` of the counted query tokens can match: the best of them. The
            // query side is then bounded through its hit alone: q_hit / (least · W + (1 −
            // least) · q_hit), as q_held ≥ q_hit.
            let mut gains = [0.0f64; TOKEN_BITS];
            let mut covers = [0.0f64; TOKEN_BITS];
            let mut k = 0;
            for i in bits(counted) {
                gains[k] = self.weights[i] * self.sims[i];
                covers[k] = self.cover[i];
                k += 1;
            }
            let best = |values: &mut [f64]| -> f64 {
                values.sort_unstable_by(|a, b| b.total_cmp(a));
                values[..tokens].iter().sum()
            };
            let q_hit = best(&mut gains[..k]) + self.gain(assumed);
            let held = if found.exact {
                found_weight(0)
            } else {
                self.cover(assumed).0 + best(&mut covers[..k])
            };
            let q_cov = q_hit / (least * self.total + (1.0 - least) * q_hit).max(f64::MIN_POSITIVE);
            (q_cov.min(1.0), held)
        };
        let Some(total) = total else {
            return q_cov.powi(3) >= t;
        };
        // The name side as if every token it may match did, at similarity 1.
        let held = held.min(total);
        let n_cov = name_coverage(held, held, total, least);
        q_cov.powi(3) * n_cov.powi(2) >= t
    }

    /// Over the query tokens `of`: the sum of `values`, and with their similarities.
    fn sums(&self, values: &[f64], of: u64) -> (f64, f64) {
        bits(of).fold((0.0, 0.0), |(sum, hit), i| {
            (sum + values[i], hit + values[i] * self.sims[i])
        })
    }

    /// The most name weight the query tokens `of` can match, and with similarities.
    fn cover(&self, of: u64) -> (f64, f64) {
        self.sums(&self.cover, of)
    }

    /// The query weight the tokens `of` can match, with similarities.
    fn gain(&self, of: u64) -> f64 {
        self.sums(&self.weights, of).1
    }

    /// The ceiling of a name from its tokens. `counted`: the query tokens the candidate stage
    /// found in the name's postings, which includes the acronyms it may spell.
    fn of(&self, lookup: &Lookup, name: &IndexedName, total: f64, counted: u64) -> f64 {
        let (mut held, mut exact) = (0u64, 0u64);
        let (mut n_held, mut n_hit) = (0.0, 0.0);
        for &id in name.tokens.iter() {
            let Some(entry) = lookup.get(id) else {
                continue;
            };
            let bits = if name.person {
                entry.person_bits
            } else {
                entry.bits
            };
            if bits != 0 {
                held |= bits;
                exact |= entry.exact & bits;
                n_held += entry.weight;
                n_hit += entry.weight * entry.sim;
            }
        }
        let free = self.initials
            | if name.form == Form::Plain {
                counted & self.acronyms
            } else {
                0
            };
        let reach = held | free;
        if held == 0
            || (self.any_distinctive && held & self.distinctive == 0)
            || (!self.any_distinctive && exact != self.all)
            || (name.person && reach.count_ones() < 2)
        {
            return 0.0;
        }
        // Initials and acronyms may match name tokens outside the vocabulary's matches.
        let rest = (total - n_held).max(0.0);
        let covered = rest.min(self.cover(free).0);
        // A middle name's share for unmatched tokens, where the scorer may give it.
        let least = if name.person && !name.chinese_person && name.form == Form::Plain {
            MIDDLE_NAME
        } else {
            1.0
        };
        let q_cov = self.query_coverage(reach, least);
        let n_cov = name_coverage(n_hit + covered, n_held + covered, total, least);
        q_cov.powf(QUERY_EXP) * n_cov.powf(NAME_EXP) * self.factor
    }

    /// Query coverage at most, for a name that may match the query tokens `reach` (unmatched
    /// ones weighing `least` of their weight at the least).
    fn query_coverage(&self, reach: u64, least: f64) -> f64 {
        let (held, hit) = self.sums(&self.weights, reach);
        (hit / (held + least * (self.total - held)).max(f64::MIN_POSITIVE)).min(1.0)
    }
}

/// The positions of the set bits, lowest first.
fn bits(mut set: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (set != 0).then(|| {
            let i = set.trailing_zeros() as usize;
            set &= set - 1;
            i
        })
    })
}

/// A name's weight, from its shape (see `Index::shapes`).
fn shape_total(shape: u64) -> f64 {
    f64::from(f32::from_bits(shape as u32))
}

/// The first letter of a word as a bit (a–z; any other as bit 26).
fn letters(word: &str) -> u32 {
    match word.bytes().next() {
        Some(b @ b'a'..=b'z') => 1 << (b - b'a'),
        Some(_) => 1 << 26,
        None => 0,
    }
}

/// Name coverage at most, for a name of weight `total` that may match tokens weighing `held`
/// of it (`hit` with similarities), unmatched ones weighing `least` of their weight at the
/// least.
fn name_coverage(hit: f64, held: f64, total: f64, least: f64) -> f64 {
    (hit / (held + least * (total - held).max(0.0)).max(f64::MIN_POSITIVE)).min(1.0)
}

/// Buffers one search reuses for every candidate it scores.
#[derive(Debug, Default)]
struct Scratch {
    pairs: Vec<(f64, usize, usize)>,
    q_sim: Vec<f64>,
    n_sim: Vec<f64>,
}

/// Whether a Latin personal name reads as a romanised Chinese name (every word a pinyin,
/// Wade–Giles or Cantonese syllable, or pinyin syllables run together): every part counts.
fn chinese_style(tokens: &[Token]) -> bool {
    (2..=4).contains(&tokens.len())
        && tokens.iter().all(|t| {
            normalize::is_syllable(&t.text)
                || !normalize::romanisation_variants(&t.text).is_empty()
                || normalize::syllabify(std::slice::from_ref(t)).is_some_and(|parts| {
                    parts.len() > 1 && parts.iter().all(|p| normalize::is_syllable(&p.text))
                })
        })
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

/// Edits allowed between two words, by the length of the shorter: one from 4 characters
/// (an insertion: Gibs ~ Gibbs), two from 10; `FUZZY_MIN` then rejects what is too far for
/// the longer word.
fn edit_allowance(chars: usize) -> usize {
    match chars {
        0..=3 => 0,
        4 => 1,
        5..=9 => 1,
        _ => 2,
    }
}

/// Longest word matched with edits. No word on the real lists reaches it (the longest has 29
/// letters); a longer one is matched exactly only, so that neither a query nor a stored name
/// can make the deletion neighbourhood (quadratic in the word's length) or the edit-distance
/// table large.
pub const FUZZY_MAX_CHARS: usize = 32;

/// Whether a token takes part in edit-distance matching: Latin letters, long enough, and not
/// longer than `FUZZY_MAX_CHARS`.
fn fuzzy_candidate(text: &str) -> bool {
    let chars = text.chars().count();
    edit_allowance(chars) > 0
        && chars <= FUZZY_MAX_CHARS
        && !text.bytes().all(|b| b.is_ascii_digit())
        && !text.chars().any(normalize::is_han)
}

/// Similarity of two distinct tokens from their edit distance (optimal string alignment, so
/// a swap of neighbours is one edit), within the allowance of the shorter. Edits that typing
/// and spelling produce (a swap, a doubled or undoubled letter, a dropped vowel, one vowel
/// for another, c/k, s/z, m/n ...) cost half, a dropped or added consonant one, and any other
/// substitution one and a half, so a short word with an arbitrary change (Hawley ~ Hanley,
/// Martin ~ Marvin) is another word, not a typo. Digits never match fuzzily.
fn token_similarity(a: &str, b: &str) -> f64 {
    // Words longer than this are compared through the heap; the rest on the stack.
    const SHORT: usize = 40;
    let (mut sa, mut sb) = (['\0'; SHORT], ['\0'; SHORT]);
    let (va, vb): (Vec<char>, Vec<char>);
    let (a, b): (&[char], &[char]) = if a.len() <= SHORT && b.len() <= SHORT {
        let la = a
            .chars()
            .zip(sa.iter_mut())
            .map(|(c, slot)| *slot = c)
            .count();
        let lb = b
            .chars()
            .zip(sb.iter_mut())
            .map(|(c, slot)| *slot = c)
            .count();
        (&sa[..la], &sb[..lb])
    } else {
        (va, vb) = (a.chars().collect(), b.chars().collect());
        (&va, &vb)
    };
    let (la, lb) = (a.len(), b.len());
    let allowed = edit_allowance(la.min(lb));
    if allowed == 0 || la.abs_diff(lb) > allowed {
        return 0.0;
    }
    if a.iter().chain(b).any(char::is_ascii_digit) {
        return 0.0;
    }
    // Letters one word has and the other lacks each take an edit: too many, and no alignment
    // is within the allowance (a cheap test before the table).
    if a.iter().chain(b).all(char::is_ascii_lowercase) {
        let mut counts = [0i8; 26];
        for &c in a {
            counts[c as usize - 'a' as usize] += 1;
        }
        for &c in b {
            counts[c as usize - 'a' as usize] -= 1;
        }
        let (surplus, deficit) = counts.iter().fold((0, 0), |(s, d), &n| {
            (s + i32::from(n.max(0)), d + i32::from((-n).max(0)))
        });
        if surplus.max(deficit) as usize > allowed {
            return 0.0;
        }
    }
    // Every alignment passes through one of any two neighbouring rows (a swap skips one), and
    // costs only add up: once two rows cost more than a match may, the words are too far
    // apart.
    let longest = la.max(lb) as f64;
    work::count(|w| w.edit_cells += (la * lb) as u64);
    let Some((edits, cost)) = weighted_osa(a, b, (1.0 - FUZZY_MIN) * longest) else {
        return 0.0;
    };
    if edits > allowed {
        return 0.0;
    }
    (1.0 - cost / longest).max(0.0)
}

const TYPO_COST: f64 = 0.5;
const EDIT_COST: f64 = 1.5;

/// Letters one is often written for the other: vowels, c/k/q, s/z, m/n, b/p, d/t, v/w/f,
/// g/j.
fn alike(x: char, y: char) -> bool {
    fn class(c: char) -> u8 {
        match c {
            'a' | 'e' | 'i' | 'o' | 'u' | 'y' => 1,
            'c' | 'k' | 'q' => 2,
            's' | 'z' => 3,
            'm' | 'n' => 4,
            'b' | 'p' => 5,
            'd' | 't' => 6,
            'v' | 'w' | 'f' => 7,
            'g' | 'j' => 8,
            _ => 0,
        }
    }
    let cx = class(x);
    cx != 0 && cx == class(y)
}

/// Optimal string alignment with typo-aware costs: (number of edits, total cost) of the
/// cheapest alignment; `None` once every alignment costs more than `budget`.
fn weighted_osa(a: &[char], b: &[char], budget: f64) -> Option<(usize, f64)> {
    let m = b.len();
    // Three rows of the table: two back (for a swap), one back, and the current one.
    let mut rows = vec![(0usize, 0.0f64); 3 * (m + 1)];
    let (back2, rest) = rows.split_at_mut(m + 1);
    let (back, current) = rest.split_at_mut(m + 1);
    let (mut back2, mut back, mut current) = (back2, back, current);
    // Inserting or deleting a letter next to the same letter is doubling it; a dropped or
    // added vowel is a slip too; another letter costs one.
    let indel = |s: &[char], i: usize| {
        let c = s[i];
        let doubled = (i > 0 && s[i - 1] == c) || s.get(i + 1) == Some(&c);
        if doubled || matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y') {
            TYPO_COST
        } else {
            1.0
        }
    };
    for j in 1..=m {
        back[j] = (j, back[j - 1].1 + indel(b, j - 1));
    }
    let better = |x: (usize, f64), y: (usize, f64)| if y.1 < x.1 { y } else { x };
    for i in 1..=a.len() {
        current[0] = (i, back[0].1 + indel(a, i - 1));
        for j in 1..=m {
            let diagonal = back[j - 1];
            let sub = if a[i - 1] == b[j - 1] {
                diagonal
            } else {
                let cost = if alike(a[i - 1], b[j - 1]) {
                    TYPO_COST
                } else {
                    EDIT_COST
                };
                (diagonal.0 + 1, diagonal.1 + cost)
            };
            let del = (back[j].0 + 1, back[j].1 + indel(a, i - 1));
            let ins = (current[j - 1].0 + 1, current[j - 1].1 + indel(b, j - 1));
            let mut best = better(better(sub, del), ins);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                let swap = back2[j - 2];
                best = better(best, (swap.0 + 1, swap.1 + TYPO_COST));
            }
            current[j] = best;
        }
        let over = |row: &[(usize, f64)]| row.iter().all(|cell| cell.1 > budget + 1e-9);
        if i > 1 && over(current) && over(back) {
            return None;
        }
        std::mem::swap(&mut back2, &mut back);
        std::mem::swap(&mut back, &mut current);
    }
    Some(back[m])
}

/// Hashes of the strings a word reduces to by deleting up to its edit allowance of
/// characters (the word itself included). Two words within `d ≤` both allowances of each
/// other (optimal string alignment distance) always share one: that is what makes the
/// candidate stage lose no fuzzy pair.
fn deletion_keys(word: &str) -> Vec<u64> {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    let depth = edit_allowance(n);
    let mut keys = vec![fnv(chars.iter())];
    let without = |skip: &[usize]| fnv((0..n).filter(|i| !skip.contains(i)).map(|i| &chars[i]));
    if depth >= 1 {
        keys.extend((0..n).map(|i| without(&[i])));
    }
    if depth >= 2 {
        keys.extend(
            (0..n)
                .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
                .map(|(i, j)| without(&[i, j])),
        );
    }
    keys.sort_unstable();
    keys.dedup();
    work::count(|w| w.deletion_keys += keys.len() as u64);
    keys
}

/// FNV-1a over the characters of a word.
fn fnv<'a>(chars: impl Iterator<Item = &'a char>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in chars {
        for b in (c as u32).to_le_bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
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

    /// The typo cost table without its shortcuts (letter counts, cost cut-off, rolling rows):
    /// what `token_similarity` must agree with wherever a match is possible.
    fn reference_similarity(a: &str, b: &str) -> f64 {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let (n, m) = (a.len(), b.len());
        let allowed = edit_allowance(n.min(m));
        if allowed == 0 || n.abs_diff(m) > allowed || a.iter().chain(&b).any(char::is_ascii_digit) {
            return 0.0;
        }
        let indel = |s: &[char], i: usize| {
            let c = s[i];
            let doubled = (i > 0 && s[i - 1] == c) || s.get(i + 1) == Some(&c);
            if doubled || "aeiouy".contains(c) {
                TYPO_COST
            } else {
                1.0
            }
        };
        let mut d = vec![vec![(0usize, 0.0f64); m + 1]; n + 1];
        for i in 1..=n {
            d[i][0] = (i, d[i - 1][0].1 + indel(&a, i - 1));
        }
        for j in 1..=m {
            d[0][j] = (j, d[0][j - 1].1 + indel(&b, j - 1));
        }
        let better = |x: (usize, f64), y: (usize, f64)| if y.1 < x.1 { y } else { x };
        for i in 1..=n {
            for j in 1..=m {
                let diagonal = d[i - 1][j - 1];
                let sub = if a[i - 1] == b[j - 1] {
                    diagonal
                } else if alike(a[i - 1], b[j - 1]) {
                    (diagonal.0 + 1, diagonal.1 + TYPO_COST)
                } else {
                    (diagonal.0 + 1, diagonal.1 + EDIT_COST)
                };
                let del = (d[i - 1][j].0 + 1, d[i - 1][j].1 + indel(&a, i - 1));
                let ins = (d[i][j - 1].0 + 1, d[i][j - 1].1 + indel(&b, j - 1));
                let mut best = better(better(sub, del), ins);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    let swap = d[i - 2][j - 2];
                    best = better(best, (swap.0 + 1, swap.1 + TYPO_COST));
                }
                d[i][j] = best;
            }
        }
        let (edits, cost) = d[n][m];
        if edits > allowed {
            return 0.0;
        }
        (1.0 - cost / n.max(m) as f64).max(0.0)
    }

    #[test]
    fn typo_shortcuts_change_no_similarity() {
        let words = [
            "huawei",
            "hikvision",
            "technology",
            "shipping",
            "morgret",
            "kharon",
            "cloudwalk",
            "zhongxing",
            "lockheed",
            "martin",
            "marvin",
            "hawley",
            "hanley",
            "gibbs",
            "group",
            "gruop",
            "international",
            "intrenational",
            "shiping",
            "cheng",
            "zheng",
            "linjiang",
            "lianjiang",
            "nanjing",
            "nanjiang",
            "aerospace",
            "aerospaec",
            "müller",
            "muller",
        ];
        let mut compared = 0;
        for a in words {
            for b in words {
                let (fast, slow) = (token_similarity(a, b), reference_similarity(a, b));
                if slow >= FUZZY_MIN || fast >= FUZZY_MIN {
                    assert_eq!(fast, slow, "{a} ~ {b}");
                    compared += 1;
                }
            }
        }
        assert!(compared > words.len(), "only {compared} pairs within reach");
    }

    /// Counting runs a block of names at a time (64 in unit tests): over an index of many
    /// blocks, the candidate stage still returns exactly what scoring every name returns.
    #[test]
    fn counting_in_blocks_loses_nothing() {
        let syllables = [
            "zhong", "xing", "hua", "wei", "tian", "long", "chen", "zheng", "kai",
        ];
        let trades = [
            "Technology",
            "Shipping",
            "Trading",
            "Electronics",
            "Machinery",
        ];
        let given = ["John", "Edmund", "Nicole", "Robert", "Sergey"];
        let family = ["Xu", "Morgret", "Ivanov", "Martin", "Chen"];
        let mut entities: Vec<Arc<Entity>> = Vec::new();
        let mut queries: Vec<String> = Vec::new();
        for (i, a) in syllables.iter().enumerate() {
            for (j, b) in syllables.iter().enumerate() {
                let trade = trades[(i + j) % trades.len()];
                let name = format!("Beijing {a}{b} {trade} Co., Ltd.");
                let alias = format!("{a} {b} {trade}");
                entities.push(entity(&format!("o{i}{j}"), &name, &[&alias], &[]));
                if j % 3 == 0 {
                    queries.push(name.replace(a, &a[1..]));
                    queries.push(format!("{a} {b}"));
                }
            }
        }
        for (i, g) in given.iter().enumerate() {
            for (j, f) in family.iter().enumerate() {
                let mut person = Entity::new(
                    &format!("p{i}{j}"),
                    "T",
                    EntityType::Person,
                    &format!("{g} {} {f}", &given[(i + j) % given.len()][..1]),
                );
                person.aliases = vec![format!("{}, {g}", f.to_uppercase())];
                entities.push(Arc::new(person));
                queries.push(format!("{g} {f}"));
                queries.push(format!("{f}, {}.", &g[..1]));
            }
        }
        queries
            .extend(["Chen Zheng", "Kai Long", "华为", "Zhongxing Technology"].map(String::from));
        let index = Index::build(entities.iter());
        assert!(
            index.name_count() > 3 * BLOCK,
            "{} names",
            index.name_count()
        );
        let mut compared = 0;
        for name in &queries {
            for threshold in [0.75, 0.5] {
                let query = Query {
                    name,
                    threshold,
                    limit: 1000,
                    ..Query::default()
                };
                let scores = |hits: Vec<Hit>| -> Vec<(String, String)> {
                    hits.iter()
                        .map(|h| (h.entity.id.clone(), format!("{:.9}", h.score)))
                        .collect()
                };
                let slow = scores(index.search_exhaustive(&query));
                assert_eq!(scores(index.search(&query)), slow, "{name} at {threshold}");
                compared += slow.len();
            }
        }
        assert!(compared > queries.len(), "only {compared} matches compared");
    }
}
