//! A generated evaluation over the real lists (issue 14): thousands of queries made from listed
//! names the way people mistype and reshape them, and thousands of names that are not listed,
//! each labelled with its kind. Deterministic (a fixed seed and a self-contained SplitMix64), and
//! derived from `../shared/data` at test time, so nothing of it is committed.
//!
//! The perturbations model typing, not the matcher: keyboard neighbours on a QWERTY layout,
//! doubled, dropped and swapped letters, a missed first letter, on a word that tells the party
//! apart (never a legal form, a class word or a place); reordered person names; legal forms,
//! cities and "China" added or dropped; pinyin syllables split or joined; case and punctuation;
//! the Chinese name in either script. A perturbation that finds no suitable word is skipped for
//! that name, never forced. `tests/it/generated.rs` runs the cases through the server's index.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap, HashSet};
use unicode_normalization::UnicodeNormalization;
use watchlist::core::model::{Entity, EntityType};
use words::*;

mod words;

/// The seed of the committed baseline (`tests/eval/generated-baseline.tsv`).
pub const SEED: u64 = 0x14_6e6e_7261_7465;

/// The kinds of positive cases, in report order.
pub const POSITIVE_KINDS: &[&str] = &[
    "typo-neighbour",
    "typo-double",
    "typo-drop",
    "typo-transpose",
    "typo-first",
    "typo2-long-word",
    "typo2-two-words",
    "typo-reorder",
    "typo-case",
    "typo-legal-form",
    "typo-pinyin-split-join",
    "exact",
    "alias",
    "case-punct",
    "legal-form",
    "reorder",
    "patronymic-dropped",
    "city",
    "china-dropped",
    "chinese-script",
    "chinese-variant",
];

/// The kinds of negative cases, in report order: every one starts with `neg-`.
pub const NEGATIVE_KINDS: &[&str] = &[
    "neg-coined",
    "neg-city-industry",
    "neg-person-chinese",
    "neg-person-korean",
    "neg-person-western",
    "neg-company",
];

/// Positives per kind, where the data allows.
const POSITIVES_PER_KIND: usize = 300;

/// One generated query.
#[derive(Debug, Clone)]
pub struct GenCase {
    pub kind: &'static str,
    pub query: String,
    /// The listed name the query was made from (empty for negatives).
    pub source: String,
    /// Every entity one of whose names equals `source` after `name_key` (empty for negatives).
    pub expected: Vec<String>,
    pub entity_type: Option<EntityType>,
    pub countries: Vec<String>,
}

impl GenCase {
    pub fn is_negative(&self) -> bool {
        self.kind.starts_with("neg-")
    }
}

/// The cases, and how many negatives were dropped because they are a listed name.
#[derive(Debug)]
pub struct Generated {
    pub cases: Vec<GenCase>,
    pub dropped_negatives: BTreeMap<&'static str, usize>,
}

/// Simple normalisation for labels: NFKC, lower case, letters and digits only.
pub fn name_key(name: &str) -> String {
    if name.is_ascii() {
        // ASCII has nothing to compose: the same key, without the tables.
        return name
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect();
    }
    name.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Every name of an entity: primary, aliases, native and cross-referenced names.
pub fn names_of(entity: &Entity) -> impl Iterator<Item = &str> {
    std::iter::once(entity.name.as_str())
        .chain(entity.aliases.iter().map(String::as_str))
        .chain(entity.native_names.iter().map(String::as_str))
        .chain(entity.xref_names.iter().map(|x| x.name.as_str()))
}

/// Generates the cases. Names are drawn from the real lists among `entities` (ids `REAL-…`, as
/// `real_lists` makes them), weighted by the square root of each list's size so that small
/// lists are heard and the SDN does not drown them; every entity in `entities` (the whole
/// index) counts when labelling positives and dropping negatives.
pub fn cases<E: Borrow<Entity>>(entities: &[E], seed: u64) -> Generated {
    let entities: Vec<&Entity> = entities.iter().map(Borrow::borrow).collect();
    let lex = Lexicon::new();
    let listed = Listed::new(&entities);
    let pool = Pool::new(&entities, &lex);
    let mut cases = Vec::new();
    for &kind in POSITIVE_KINDS {
        let mut rng = SplitMix64::for_kind(seed, kind);
        let han = kind.starts_with("chinese-");
        let made = pool.draw(&mut rng, han, POSITIVES_PER_KIND, |rng, source| {
            positive(kind, rng, source, &lex)
        });
        cases.extend(made.into_iter().map(|(source, query)| GenCase {
            kind,
            query,
            expected: listed.ids(source.name),
            source: source.name.to_string(),
            entity_type: hint(source.entity.kind),
            countries: Vec::new(),
        }));
    }
    let vocabulary = Vocabulary::new(&entities);
    let mut dropped_negatives = BTreeMap::new();
    for &kind in NEGATIVE_KINDS {
        let mut rng = SplitMix64::for_kind(seed, kind);
        let (target, entity_type) = match kind {
            "neg-coined" | "neg-city-industry" => (450, EntityType::Organization),
            "neg-person-chinese" => (400, EntityType::Person),
            "neg-person-korean" | "neg-person-western" => (350, EntityType::Person),
            _ => (usize::MAX, EntityType::Organization),
        };
        let names = match kind {
            "neg-coined" => pool
                .draw(&mut rng, false, target * 2, |rng, source| {
                    coined_negative(rng, source, &lex, &vocabulary)
                })
                .into_iter()
                .map(|(_, query)| query)
                .collect(),
            "neg-city-industry" => made_up(&mut rng, target * 2, city_industry),
            "neg-person-chinese" => made_up(&mut rng, target * 2, chinese_person),
            "neg-person-korean" => made_up(&mut rng, target * 2, korean_person),
            "neg-person-western" => made_up(&mut rng, target * 2, western_person),
            _ => COMPANIES.iter().map(|c| c.to_string()).collect(),
        };
        let mut kept = 0;
        for query in names {
            if kept == target {
                break;
            }
            if listed.contains(&query) {
                *dropped_negatives.entry(kind).or_default() += 1;
                continue;
            }
            kept += 1;
            cases.push(GenCase {
                kind,
                query,
                source: String::new(),
                expected: Vec::new(),
                entity_type: Some(entity_type),
                countries: Vec::new(),
            });
        }
    }
    Generated {
        cases,
        dropped_negatives,
    }
}

/// The type a screener states for the party: known for persons and organisations.
fn hint(kind: EntityType) -> Option<EntityType> {
    matches!(kind, EntityType::Person | EntityType::Organization).then_some(kind)
}

// ---------------------------------------------------------------------------------------------
// Randomness, labels, sources

/// SplitMix64 (Steele, Lea, Flood 2014): the same sequence on every machine.
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The stream of one kind: a kind's cases do not change when another kind's generator does.
    pub fn for_kind(seed: u64, kind: &str) -> SplitMix64 {
        SplitMix64(seed ^ fnv1a(kind.bytes()))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub fn pick_opt<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// Name key → the ids of the entities holding a name with that key.
struct Listed(HashMap<String, Vec<String>>);

impl Listed {
    fn new(entities: &[&Entity]) -> Listed {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for entity in entities {
            for name in names_of(entity) {
                let ids = map.entry(name_key(name)).or_default();
                if !ids.contains(&entity.id) {
                    ids.push(entity.id.clone());
                }
            }
        }
        Listed(map)
    }

    fn ids(&self, name: &str) -> Vec<String> {
        self.0.get(&name_key(name)).cloned().unwrap_or_default()
    }

    fn contains(&self, name: &str) -> bool {
        self.0.contains_key(&name_key(name))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Class {
    Person,
    Org,
    /// A party of unknown type with no organisation word: maybe a person, maybe a brand.
    Other,
}

/// One listed name to make a query from.
struct Source<'a> {
    entity: &'a Entity,
    name: &'a str,
    /// `name_key(name)`.
    key: String,
    primary: bool,
    class: Class,
    /// A Chinese party: a Chinese country, or a Chinese name.
    chinese: bool,
    /// A party in China, Hong Kong, Macau or Taiwan.
    in_china: bool,
}

/// The listed names of the real lists, Latin and Han apart, grouped by list.
struct Pool<'a> {
    sources: Vec<Source<'a>>,
    /// (list weight, source indices): Latin names, then Han names.
    latin: Vec<(f64, Vec<usize>)>,
    han: Vec<(f64, Vec<usize>)>,
}

impl<'a> Pool<'a> {
    fn new(entities: &[&'a Entity], lex: &Lexicon) -> Pool<'a> {
        let mut sources = Vec::new();
        let mut latin: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut han: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &entity in entities {
            if !entity.list.starts_with("REAL-") {
                continue;
            }
            let class = match entity.kind {
                EntityType::Person => Class::Person,
                EntityType::Organization => Class::Org,
                EntityType::Vessel | EntityType::Aircraft => continue,
                EntityType::Unknown => {
                    if words(&entity.name)
                        .iter()
                        .any(|w| lex.is_class_word(&w.lower(&entity.name)))
                    {
                        Class::Org
                    } else {
                        Class::Other
                    }
                }
            };
            let in_china = entity
                .countries
                .iter()
                .any(|c| matches!(c.as_str(), "CN" | "HK" | "MO" | "TW"));
            let chinese = in_china || names_of(entity).any(has_han);
            for (i, name) in names_of(entity).enumerate() {
                let n = words(name).len();
                // A one-word alias of a person is a weak AKA (a given name, a nickname); a name
                // with an address or a list in it is a compiler's slip, not a name.
                let weak = i > 0 && class != Class::Org && !has_han(name) && n < 2;
                // A foreign person's Chinese name of three characters or fewer, in one piece, is
                // as a PRC notice writes a surname (罗斯 for Ross, 曼钦 for Manchin): alone it
                // must not match (DOMAIN.md case 10), so it is no positive case.
                let surname_alone = class == Class::Person
                    && !in_china
                    && has_han(name)
                    && name.chars().count() <= 3;
                if weak || surname_alone || n > 14 || name.len() > 120 || name.contains(';') {
                    continue;
                }
                let bucket = if has_han(name) {
                    &mut han
                } else if name.chars().any(|c| c.is_ascii_alphabetic()) {
                    &mut latin
                } else {
                    continue;
                };
                bucket.entry(&entity.list).or_default().push(sources.len());
                sources.push(Source {
                    entity,
                    name,
                    key: name_key(name),
                    primary: i == 0,
                    class,
                    chinese,
                    in_china,
                });
            }
        }
        let weighted = |lists: BTreeMap<&str, Vec<usize>>| {
            lists
                .into_values()
                .map(|v| ((v.len() as f64).sqrt(), v))
                .collect()
        };
        Pool {
            sources,
            latin: weighted(latin),
            han: weighted(han),
        }
    }

    /// Up to `target` queries from `make`, each from a different listed name (and a different
    /// query), a list chosen by weight for each.
    fn draw(
        &self,
        rng: &mut SplitMix64,
        han: bool,
        target: usize,
        mut make: impl FnMut(&mut SplitMix64, &Source) -> Option<String>,
    ) -> Vec<(&Source<'a>, String)> {
        // Each listed name has its own place in the order and its own stream for `make`, both
        // drawn from its key: a name added to the lists (a cross-reference row giving a party
        // its Chinese name, say) changes the cases it is drawn into, not every later case.
        let base = rng.next_u64();
        let own = |source: &Source| SplitMix64(base ^ fnv1a(source.key.bytes()));
        let mut lists: Vec<(f64, Vec<usize>)> = if han { &self.han } else { &self.latin }.clone();
        for (_, list) in &mut lists {
            // Popped from the end: the lowest draws first.
            list.sort_by_cached_key(|&i| std::cmp::Reverse(own(&self.sources[i]).next_u64()));
        }
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        while out.len() < target && !lists.is_empty() {
            let total: f64 = lists.iter().map(|(w, _)| w).sum();
            let mut x = rng.unit() * total;
            let mut li = 0;
            while li + 1 < lists.len() && x >= lists[li].0 {
                x -= lists[li].0;
                li += 1;
            }
            loop {
                let Some(i) = lists[li].1.pop() else {
                    lists.remove(li);
                    break;
                };
                let source = &self.sources[i];
                if seen.contains(&source.key) {
                    continue;
                }
                let Some(query) = make(&mut own(source), source) else {
                    continue;
                };
                if query.trim().is_empty() || !seen.insert(name_key(&query)) {
                    continue;
                }
                seen.insert(source.key.clone());
                out.push((source, query));
                break;
            }
        }
        out
    }
}

/// `n` distinct names from `make`.
fn made_up(rng: &mut SplitMix64, n: usize, make: fn(&mut SplitMix64) -> String) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for _ in 0..n * 20 {
        if out.len() == n {
            break;
        }
        let name = make(rng);
        if seen.insert(name_key(&name)) {
            out.push(name);
        }
    }
    out
}

fn has_han(name: &str) -> bool {
    name.chars().any(is_han)
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2EBEF)
}

// ---------------------------------------------------------------------------------------------
// Words of a name

/// A word of a name: a run of letters or digits, as a byte range.
#[derive(Debug, Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
}

impl Word {
    fn text<'n>(&self, name: &'n str) -> &'n str {
        &name[self.start..self.end]
    }

    fn lower(&self, name: &str) -> String {
        self.text(name).to_lowercase()
    }

    /// ASCII letters only: a word a keyboard typo can be made in.
    fn is_plain(&self, name: &str) -> bool {
        self.text(name).bytes().all(|b| b.is_ascii_alphabetic())
    }
}

fn words(name: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in name.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(Word { start: s, end: i });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Word {
            start: s,
            end: name.len(),
        });
    }
    out
}

fn splice(name: &str, start: usize, end: usize, with: &str) -> String {
    format!("{}{with}{}", &name[..start], &name[end..])
}

/// Collapses runs of spaces and trims spaces and commas at the ends.
fn tidy(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ,", ",")
        .trim_matches(|c: char| c == ',' || c == ' ')
        .to_string()
}

/// Whether a name is written in capitals (then what is added to it is too).
fn is_upper(name: &str) -> bool {
    name.chars().any(char::is_alphabetic) && !name.chars().any(char::is_lowercase)
}

/// `word` in the case style of `like`: capitals, lower case, or capitalised.
fn styled(word: &str, like: &str) -> String {
    if is_upper(like) && like.chars().filter(|c| c.is_alphabetic()).count() > 1 {
        word.to_uppercase()
    } else if like.chars().next().is_some_and(char::is_lowercase) {
        word.to_lowercase()
    } else {
        capitalised(word)
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Positives

fn positive(kind: &str, rng: &mut SplitMix64, s: &Source, lex: &Lexicon) -> Option<String> {
    match kind {
        "typo-neighbour" => with_typo(rng, s.name, Typo::Neighbour, lex),
        "typo-double" => with_typo(rng, s.name, Typo::Double, lex),
        "typo-drop" => with_typo(rng, s.name, Typo::Drop, lex),
        "typo-transpose" => with_typo(rng, s.name, Typo::Transpose, lex),
        "typo-first" => with_typo(rng, s.name, Typo::MissingFirst, lex),
        "typo2-long-word" => {
            let targets = lex.typo_targets(s.name, 8);
            let word = *rng.pick_opt(&targets)?;
            let text = word.text(s.name);
            for _ in 0..8 {
                let once = random_typo(rng, text)?;
                let Some(twice) = random_typo(rng, &once) else {
                    continue;
                };
                if osa_distance(&text.to_lowercase(), &twice.to_lowercase()) == 2 {
                    return Some(splice(s.name, word.start, word.end, &twice));
                }
            }
            None
        }
        "typo2-two-words" => {
            let mut targets = lex.typo_targets(s.name, 5);
            if targets.len() < 2 {
                return None;
            }
            rng.shuffle(&mut targets);
            let (mut a, mut b) = (targets[0], targets[1]);
            if a.start > b.start {
                std::mem::swap(&mut a, &mut b);
            }
            let new_b = random_typo(rng, b.text(s.name))?;
            let new_a = random_typo(rng, a.text(s.name))?;
            let name = splice(s.name, b.start, b.end, &new_b);
            Some(splice(&name, a.start, a.end, &new_a))
        }
        "typo-reorder" => {
            let name = (s.class == Class::Person).then(|| reorder(s.name))??;
            with_any_typo(rng, &name, lex)
        }
        "typo-case" => {
            let name = case_change(rng, s.name)?;
            with_any_typo(rng, &name, lex)
        }
        "typo-legal-form" => {
            let name = legal_form_change(rng, s.name, lex)?;
            with_any_typo(rng, &name, lex)
        }
        "typo-pinyin-split-join" => {
            let name = pinyin_split_join(rng, s, lex)?;
            with_any_typo(rng, &name, lex)
        }
        "exact" => s.primary.then(|| s.name.to_string()),
        "alias" => {
            let letters = name_key(s.name)
                .chars()
                .filter(|c| c.is_alphabetic())
                .count();
            let primary = name_key(&s.entity.name);
            (!s.primary && letters >= 4 && name_key(s.name) != primary && lex.has_content(s.name))
                .then(|| s.name.to_string())
        }
        "case-punct" => case_punct(rng, s.name),
        "legal-form" => legal_form_change(rng, s.name, lex),
        "reorder" => (s.class == Class::Person).then(|| reorder(s.name))?,
        "patronymic-dropped" => (s.class == Class::Person).then(|| drop_patronymic(s.name))?,
        "city" => city_change(rng, s, lex),
        "china-dropped" => drop_china(s.name, lex),
        "chinese-script" => {
            (s.name.chars().filter(|&c| is_han(c)).count() >= 2).then(|| s.name.to_string())
        }
        "chinese-variant" => {
            let simplified = fast2s::convert(s.name);
            let variant = if simplified != s.name {
                simplified
            } else {
                s.name.chars().map(|c| lex.traditional(c)).collect()
            };
            (variant != s.name && s.name.chars().filter(|&c| is_han(c)).count() >= 2)
                .then_some(variant)
        }
        other => panic!("no generator for kind {other}"),
    }
}

#[derive(Debug, Clone, Copy)]
enum Typo {
    Neighbour,
    Double,
    Drop,
    Transpose,
    MissingFirst,
}

const TYPOS: [Typo; 5] = [
    Typo::Neighbour,
    Typo::Double,
    Typo::Drop,
    Typo::Transpose,
    Typo::MissingFirst,
];

/// The keys around each letter on a QWERTY keyboard (same row and the rows above and below).
fn qwerty_neighbours(c: char) -> &'static str {
    match c {
        'q' => "wa",
        'w' => "qeas",
        'e' => "wrsd",
        'r' => "etdf",
        't' => "ryfg",
        'y' => "tugh",
        'u' => "yihj",
        'i' => "uojk",
        'o' => "ipkl",
        'p' => "ol",
        'a' => "qwsz",
        's' => "awedxz",
        'd' => "serfcx",
        'f' => "drtgvc",
        'g' => "ftyhbv",
        'h' => "gyujnb",
        'j' => "huikmn",
        'k' => "jiolm",
        'l' => "kop",
        'z' => "asx",
        'x' => "zsdc",
        'c' => "xdfv",
        'v' => "cfgb",
        'b' => "vghn",
        'n' => "bhjm",
        'm' => "njk",
        _ => "",
    }
}

/// One typing error in an ASCII word, case kept where letters move.
fn typo(rng: &mut SplitMix64, word: &str, kind: Typo) -> Option<String> {
    let mut chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    if n < 3 {
        return None;
    }
    let same_case = |c: char, like: char| {
        if like.is_uppercase() {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        }
    };
    match kind {
        Typo::Neighbour => {
            let i = rng.below(n);
            let keys: Vec<char> = qwerty_neighbours(chars[i].to_ascii_lowercase())
                .chars()
                .collect();
            chars[i] = same_case(*rng.pick_opt(&keys)?, chars[i]);
        }
        Typo::Double => {
            let i = 1 + rng.below(n - 1);
            chars.insert(i, chars[i]);
        }
        Typo::Drop => {
            chars.remove(1 + rng.below(n - 1));
        }
        Typo::Transpose => {
            let spots: Vec<usize> = (0..n - 1)
                .filter(|&i| !chars[i].eq_ignore_ascii_case(&chars[i + 1]))
                .collect();
            let i = *rng.pick_opt(&spots)?;
            let (a, b) = (chars[i], chars[i + 1]);
            chars[i] = same_case(b, a);
            chars[i + 1] = same_case(a, b);
        }
        Typo::MissingFirst => {
            chars.remove(0);
        }
    }
    let out: String = chars.into_iter().collect();
    (osa_distance(&word.to_lowercase(), &out.to_lowercase()) == 1).then_some(out)
}

fn random_typo(rng: &mut SplitMix64, word: &str) -> Option<String> {
    let kind = rng.pick(&TYPOS);
    typo(rng, word, kind)
}

fn with_any_typo(rng: &mut SplitMix64, name: &str, lex: &Lexicon) -> Option<String> {
    let kind = rng.pick(&TYPOS);
    with_typo(rng, name, kind, lex)
}

/// One typing error of `kind` in a distinctive word of at least five letters.
fn with_typo(rng: &mut SplitMix64, name: &str, kind: Typo, lex: &Lexicon) -> Option<String> {
    let targets = lex.typo_targets(name, 5);
    let word = *rng.pick_opt(&targets)?;
    let typed = typo(rng, word.text(name), kind)?;
    Some(splice(name, word.start, word.end, &typed))
}

/// Optimal string alignment distance: edits and adjacent transpositions.
fn osa_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// A person's name the other way round: "SURNAME, Given" → "Given SURNAME"; "Given Surname" →
/// "Surname Given" (two or three words).
fn reorder(name: &str) -> Option<String> {
    let parts: Vec<&str> = name.split(',').map(str::trim).collect();
    match parts.as_slice() {
        [surname, given] if !surname.is_empty() && !given.is_empty() => {
            Some(format!("{given} {surname}"))
        }
        [_] => {
            let ws: Vec<&str> = name.split_whitespace().collect();
            (2..=3)
                .contains(&ws.len())
                .then(|| format!("{} {}", ws[ws.len() - 1], ws[..ws.len() - 1].join(" ")))
        }
        _ => None,
    }
}

/// A person listed with a patronymic (LUKASHENKO, Alexandr Grigorievich; Alisher
/// Burhanovich Usmanov) as people write them: given name and surname, in natural order.
fn drop_patronymic(name: &str) -> Option<String> {
    const SUFFIXES: [&str; 9] = [
        "ovich", "evich", "ovitch", "evitch", "ovych", "evych", "ovna", "evna", "ivna",
    ];
    let patronymic = |w: &str| {
        let w = w.to_lowercase();
        w.chars().count() >= 7 && SUFFIXES.iter().any(|s| w.ends_with(s))
    };
    let parts: Vec<&str> = name.split(',').map(str::trim).collect();
    match parts.as_slice() {
        [surname, given] => {
            let given: Vec<&str> = given.split_whitespace().collect();
            match given.as_slice() {
                [first, middle] if patronymic(middle) && !surname.is_empty() => {
                    Some(format!("{first} {surname}"))
                }
                _ => None,
            }
        }
        [_] => match name.split_whitespace().collect::<Vec<_>>().as_slice() {
            [first, middle, last] if patronymic(middle) => Some(format!("{first} {last}")),
            _ => None,
        },
        _ => None,
    }
}

/// The name in another case: capitals, lower case or capitalised words.
fn case_change(rng: &mut SplitMix64, name: &str) -> Option<String> {
    let title = {
        let mut out = name.to_string();
        for w in words(name).iter().rev() {
            out = splice(&out, w.start, w.end, &capitalised(w.text(name)));
        }
        out
    };
    let options: Vec<String> = [name.to_uppercase(), name.to_lowercase(), title]
        .into_iter()
        .filter(|v| v != name)
        .collect();
    rng.pick_opt(&options).cloned()
}

/// Punctuation dropped: `&` becomes "and", apostrophes go, the rest becomes spaces.
fn without_punctuation(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        match c {
            '&' => out.push_str(" and "),
            '\'' | '’' => {}
            c if c.is_alphanumeric() || c.is_whitespace() => out.push(c),
            _ => out.push(' '),
        }
    }
    tidy(&out)
}

fn case_punct(rng: &mut SplitMix64, name: &str) -> Option<String> {
    let bare = without_punctuation(name);
    let out = if bare != tidy(name) {
        match rng.below(3) {
            0 => bare,
            1 => case_change(rng, &bare)?,
            _ => case_change(rng, name)?,
        }
    } else {
        case_change(rng, name)?
    };
    (out != name).then_some(out)
}

/// A legal form found in a name: its byte range, its family and whether it leads the name.
struct FoundForm {
    start: usize,
    end: usize,
    family: &'static [&'static str],
    prefix: bool,
}

fn find_legal_form(name: &str, lex: &Lexicon) -> Option<FoundForm> {
    let ws = words(name);
    let lower: Vec<String> = ws.iter().map(|w| w.lower(name)).collect();
    for (form, family, prefix) in &lex.legal_forms {
        let n = form.len();
        if ws.len() <= n {
            continue;
        }
        if *prefix && lower[..n] == form[..] {
            return Some(FoundForm {
                start: 0,
                end: ws[n - 1].end,
                family,
                prefix: true,
            });
        }
        if !*prefix && lower[ws.len() - n..] == form[..] {
            return Some(FoundForm {
                start: ws[ws.len() - n].start,
                end: name.len(),
                family,
                prefix: false,
            });
        }
    }
    None
}

/// The legal form swapped for another of its family, or dropped.
fn legal_form_change(rng: &mut SplitMix64, name: &str, lex: &Lexicon) -> Option<String> {
    let found = find_legal_form(name, lex)?;
    let current = name_key(&name[found.start..found.end]);
    let others: Vec<&str> = found
        .family
        .iter()
        .copied()
        .filter(|f| name_key(f) != current)
        .collect();
    let replacement = if others.is_empty() || rng.chance(0.4) {
        String::new()
    } else {
        let form = rng.pick(&others);
        if is_upper(name) {
            form.to_uppercase()
        } else {
            form.to_string()
        }
    };
    let out = if found.prefix {
        let rest = name[found.end..].trim_start_matches(|c: char| !c.is_alphanumeric());
        tidy(&format!("{replacement} {rest}"))
    } else {
        tidy(&format!("{} {replacement}", &name[..found.start]))
    };
    lex.has_content(&out).then_some(out)
}

/// A city added to the name of a company in China (the city its address gives), or the city
/// or province the name starts with, or holds in brackets, dropped.
fn city_change(rng: &mut SplitMix64, s: &Source, lex: &Lexicon) -> Option<String> {
    if s.class != Class::Org {
        return None;
    }
    let name = s.name;
    let ws = words(name);
    let mut options = Vec::new();
    if ws.len() >= 3 && lex.places.contains(ws[0].lower(name).as_str()) {
        options.push(tidy(&name[ws[0].end..]));
    }
    for w in &ws {
        let bracketed = name[..w.start].ends_with('(') && name[w.end..].starts_with(')');
        if bracketed && lex.places.contains(w.lower(name).as_str()) {
            options.push(tidy(&splice(name, w.start - 1, w.end + 1, " ")));
        }
    }
    let has_place = ws
        .iter()
        .any(|w| lex.places.contains(w.lower(name).as_str()));
    let company_like = ws.len() >= 2 && ws.iter().any(|w| lex.is_class_word(&w.lower(name)));
    let only_in_china = s.in_china
        && (s.entity.countries.iter()).all(|c| matches!(c.as_str(), "CN" | "HK" | "MO" | "TW"));
    if only_in_china && !has_place && company_like {
        let city = s.entity.addresses.iter().find_map(|a| {
            words(a)
                .iter()
                .map(|w| w.lower(a))
                .find(|w| lex.cities.contains(w.as_str()))
        });
        if let Some(city) = city {
            options.push(format!("{} {name}", styled(&city, name)));
        }
    }
    let out = rng.pick_opt(&options)?.clone();
    lex.has_content(&out).then_some(out)
}

/// "China" dropped: "… of China" (or on, in, for), "(China)", a leading or inner "China".
fn drop_china(name: &str, lex: &Lexicon) -> Option<String> {
    let ws = words(name);
    let i = ws.iter().position(|w| w.lower(name) == "china")?;
    let w = ws[i];
    let before = (i > 0).then(|| ws[i - 1].lower(name));
    let out = if before.is_some_and(|b| matches!(b.as_str(), "of" | "on" | "in" | "for")) {
        splice(name, ws[i - 1].start, w.end, "")
    } else if name[..w.start].ends_with('(') && name[w.end..].starts_with(')') {
        splice(name, w.start - 1, w.end + 1, "")
    } else {
        splice(name, w.start, w.end, "")
    };
    let out = tidy(&out);
    (words(&out).len() >= 2 && lex.has_content(&out)).then_some(out)
}

/// Pinyin syllables split ("Huawei" → "Hua Wei") or joined ("Ding Xin" → "Dingxin"), where the
/// party is Chinese and its Chinese name shows the word is pinyin (not a transliteration of a
/// foreign name: 纳瓦比 reads "na wa bi", but Nawabi is not pinyin).
fn pinyin_split_join(rng: &mut SplitMix64, s: &Source, lex: &Lexicon) -> Option<String> {
    if !s.in_china {
        return None;
    }
    let readings: Vec<Vec<&'static str>> = names_of(s.entity)
        .filter(|n| has_han(n))
        .map(|n| {
            use pinyin::ToPinyin;
            n.to_pinyin().map(|p| p.map_or("", |p| p.plain())).collect()
        })
        .collect();
    let runs = |len: usize| {
        readings.iter().flat_map(move |r| {
            r.windows(len)
                .filter(|w| w.iter().all(|s| !s.is_empty() && s.is_ascii()))
                .map(|w| w.to_vec())
        })
    };
    let name = s.name;
    let ws = words(name);
    let mut options = Vec::new();
    for w in &ws {
        let lower = w.lower(name);
        if !w.is_plain(name) || lower.len() < 4 || lex.generic.contains(lower.as_str()) {
            continue;
        }
        for len in 2..=4 {
            if let Some(parts) = runs(len).find(|r| r.concat() == lower) {
                let parts: Vec<String> = parts.iter().map(|p| styled(p, w.text(name))).collect();
                options.push(splice(name, w.start, w.end, &parts.join(" ")));
                break;
            }
        }
    }
    for (i, pair) in ws.windows(2).enumerate() {
        let (a, b) = (pair[0], pair[1]);
        let (la, lb) = (a.lower(name), b.lower(name));
        let plain = a.is_plain(name) && b.is_plain(name) && &name[a.end..b.start] == " ";
        let given_name = s.class != Class::Person || i > 0;
        if plain && given_name && runs(2).any(|r| r[0] == la && r[1] == lb) {
            let joined = if is_upper(a.text(name)) && is_upper(b.text(name)) {
                format!("{la}{lb}").to_uppercase()
            } else {
                styled(&format!("{la}{lb}"), a.text(name))
            };
            options.push(splice(name, a.start, b.end, &joined));
        }
    }
    rng.pick_opt(&options).cloned()
}

// ---------------------------------------------------------------------------------------------
// Negatives

/// The distinctive words of a listed organisation's name replaced by coined words, keeping its
/// class words, place and legal form.
fn coined_negative(
    rng: &mut SplitMix64,
    s: &Source,
    lex: &Lexicon,
    vocabulary: &Vocabulary,
) -> Option<String> {
    let name = s.name;
    if s.class != Class::Org || !name.is_ascii() || name.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let ws = words(name);
    let distinctive: Vec<&Word> = ws
        .iter()
        .filter(|w| lex.is_distinctive(&w.lower(name)))
        .collect();
    let kept_class_word = ws.iter().any(|w| {
        let l = w.lower(name);
        lex.generic.contains(l.as_str()) || lex.places.contains(l.as_str())
    });
    if distinctive.is_empty() || distinctive.len() > 3 || !kept_class_word {
        return None;
    }
    let mut out = name.to_string();
    for w in distinctive.iter().rev() {
        let coined = vocabulary.coin(rng)?;
        out = splice(&out, w.start, w.end, &styled(&coined, w.text(name)));
    }
    Some(out)
}

fn city_industry(rng: &mut SplitMix64) -> String {
    format!(
        "{} {} {}",
        capitalised(rng.pick(CITIES)),
        rng.pick(INDUSTRIES),
        rng.pick(&[
            "Co., Ltd.",
            "Company Limited",
            "Co. Ltd",
            "Industrial Co., Ltd.",
            "Group Co., Ltd.",
            "Trading Co., Ltd.",
        ])
    )
}

fn chinese_person(rng: &mut SplitMix64) -> String {
    let surname = capitalised(rng.pick(CHINESE_SURNAMES));
    let syllables: Vec<&str> = (0..1 + rng.below(2))
        .map(|_| rng.pick(CHINESE_GIVEN))
        .collect();
    let given = capitalised(&syllables.concat());
    match rng.below(6) {
        0 => format!("{}, {given}", surname.to_uppercase()),
        1 => format!("{given} {surname}"),
        2 if syllables.len() == 2 => {
            format!(
                "{surname} {} {}",
                capitalised(syllables[0]),
                capitalised(syllables[1])
            )
        }
        _ => format!("{surname} {given}"),
    }
}

fn korean_person(rng: &mut SplitMix64) -> String {
    let surname = capitalised(rng.pick(KOREAN_SURNAMES));
    let (a, b) = (rng.pick(KOREAN_SYLLABLES), rng.pick(KOREAN_SYLLABLES));
    let hyphenated = format!("{}-{b}", capitalised(a));
    match rng.below(5) {
        0 => format!(
            "{}, {} {}",
            surname.to_uppercase(),
            capitalised(a),
            capitalised(b)
        ),
        1 => format!("{hyphenated} {surname}"),
        2 => format!("{surname} {}", capitalised(&format!("{a}{b}"))),
        _ => format!("{surname} {hyphenated}"),
    }
}

fn western_person(rng: &mut SplitMix64) -> String {
    let (given, surname) = (rng.pick(WESTERN_GIVEN), rng.pick(WESTERN_SURNAMES));
    match rng.below(4) {
        0 => format!("{}, {given}", surname.to_uppercase()),
        1 => {
            let initial = (b'A' + rng.below(26) as u8) as char;
            format!("{given} {initial}. {surname}")
        }
        _ => format!("{given} {surname}"),
    }
}

/// Every Latin word of every listed name, as (hashed) symmetric-deletion keys: a coined word
/// sharing a key with one is within one typing error of a listed word, so it is coined again.
struct Vocabulary(HashSet<u64>);

impl Vocabulary {
    fn new(entities: &[&Entity]) -> Vocabulary {
        let mut keys = HashSet::new();
        let mut seen = HashSet::new();
        for entity in entities {
            for name in names_of(entity) {
                for w in words(name) {
                    let lower = w.lower(name);
                    if (3..=11).contains(&lower.len()) && w.is_plain(name) && seen.insert(lower) {
                        keys.extend(deletion_keys(w.lower(name).as_bytes()));
                    }
                }
            }
        }
        Vocabulary(keys)
    }

    /// A pronounceable coined word, more than one typing error from any listed word.
    fn coin(&self, rng: &mut SplitMix64) -> Option<String> {
        const ONSETS: &[&str] = &[
            "b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "gr",
            "kr", "pl", "st", "tr", "sh",
        ];
        const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "a", "e", "o"];
        const CODAS: &[&str] = &["n", "r", "l", "s", "m", "x"];
        for _ in 0..50 {
            let syllables = 2 + rng.below(2);
            let mut word = String::new();
            for i in 0..syllables {
                word.push_str(rng.pick(ONSETS));
                word.push_str(rng.pick(VOWELS));
                let last = i + 1 == syllables;
                if rng.chance(if last { 0.5 } else { 0.15 }) {
                    word.push_str(rng.pick(CODAS));
                }
            }
            if deletion_keys(word.as_bytes()).all(|k| !self.0.contains(&k)) {
                return Some(word);
            }
        }
        None
    }
}

/// FNV-1a hashes of the word and of the word with each one letter deleted.
fn deletion_keys(word: &[u8]) -> impl Iterator<Item = u64> + '_ {
    (0..=word.len()).map(move |skip| {
        let kept = word.iter().enumerate().filter(move |&(i, _)| i != skip);
        fnv1a(kept.map(|(_, &b)| b))
    })
}

fn fnv1a(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes.fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

// ---------------------------------------------------------------------------------------------
// Word lists, written for this generator

/// The word lists as sets, and the legal forms as word sequences.
struct Lexicon {
    generic: HashSet<&'static str>,
    legal: HashSet<&'static str>,
    places: HashSet<&'static str>,
    cities: HashSet<&'static str>,
    /// (words in lower case, the family's renderings, leads the name), longest first.
    legal_forms: Vec<(Vec<String>, &'static [&'static str], bool)>,
    traditional: HashMap<char, char>,
}

impl Lexicon {
    fn new() -> Lexicon {
        let mut legal_forms = Vec::new();
        for (family, detect, prefix) in LEGAL_FAMILIES {
            for form in family.iter().chain(detect.iter()) {
                let ws: Vec<String> = words(form).iter().map(|w| w.lower(form)).collect();
                legal_forms.push((ws, *family, *prefix));
            }
        }
        legal_forms.sort_by_key(|(ws, _, _)| std::cmp::Reverse(ws.len()));
        let pairs: Vec<char> = SIMPLIFIED_TRADITIONAL
            .chars()
            .filter(|c| is_han(*c))
            .collect();
        Lexicon {
            generic: GENERIC.iter().copied().collect(),
            legal: LEGAL_WORDS.iter().copied().collect(),
            places: CITIES
                .iter()
                .chain(PROVINCES)
                .chain(FOREIGN_PLACES)
                .copied()
                .collect(),
            cities: CITIES.iter().copied().collect(),
            legal_forms,
            traditional: pairs.chunks(2).map(|p| (p[0], p[1])).collect(),
        }
    }

    fn is_class_word(&self, lower: &str) -> bool {
        self.legal.contains(lower) || self.generic.contains(lower)
    }

    fn is_distinctive(&self, lower: &str) -> bool {
        !self.is_class_word(lower) && !self.places.contains(lower) && lower.len() > 1
    }

    /// Whether a name still has a word that tells a party apart.
    fn has_content(&self, name: &str) -> bool {
        words(name)
            .iter()
            .any(|w| self.is_distinctive(&w.lower(name)))
    }

    /// Distinctive ASCII words of at least `min` letters.
    fn typo_targets(&self, name: &str, min: usize) -> Vec<Word> {
        words(name)
            .into_iter()
            .filter(|w| w.is_plain(name) && w.end - w.start >= min)
            .filter(|w| self.is_distinctive(&w.lower(name)))
            .collect()
    }

    fn traditional(&self, c: char) -> char {
        self.traditional.get(&c).copied().unwrap_or(c)
    }
}
