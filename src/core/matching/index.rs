//! The immutable index: its names, vocabulary and postings, and the name and query forms
//! (which query form compares with which name form).

use super::*;
use crate::core::hash::FastHasher;
use std::hash::BuildHasherDefault;

/// Which form of a name is indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
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
pub(super) enum QueryForm {
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
    pub(super) fn group(self) -> usize {
        usize::from(self != Form::Plain)
    }
}

impl QueryForm {
    /// Which postings list holds the names this form compares with.
    pub(super) fn group(self) -> usize {
        match self {
            QueryForm::Plain | QueryForm::Brand | QueryForm::Roman => 0,
            QueryForm::Syllable | QueryForm::Phonetic | QueryForm::Outline => 1,
        }
    }

    pub(super) fn compares_with(self, form: Form) -> bool {
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
    pub(super) fn factor(self) -> Option<(&'static str, f64)> {
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
pub(super) struct IndexedName {
    pub(super) entity: u32,
    pub(super) kind: NameKind,
    pub(super) form: Form,
    /// Position among the entity's names (see `Entity::names`).
    pub(super) position: u16,
    /// A surname-only rendering of a Western person's name (罗斯 for Wilbur Ross).
    pub(super) surname_only: bool,
    /// A Chinese personal name, where every syllable counts.
    pub(super) chinese_person: bool,
    /// A person's Latin name in Western style, where middle names weigh little.
    pub(super) western: bool,
    /// The entity is a person.
    pub(super) person: bool,
    pub(super) tokens: Box<[u32]>,
    /// The name part of each token, for persons' names in Chinese script with several parts
    /// (汤姆·莫斯): parts, not characters, are what must match twice.
    pub(super) parts: Option<Box<[u16]>>,
}

impl IndexedName {
    /// A person's name is matched on two of its parts at least (OFAC's triage rule), unless
    /// the person is listed under one name only, as written (Hannibal).
    pub(super) fn needs_two_parts(&self) -> bool {
        self.person && !(self.form == Form::Plain && self.tokens.len() == 1)
    }
}

#[derive(Debug)]
pub(super) struct TokenInfo {
    pub(super) text: Box<str>,
    pub(super) weight: f64,
    pub(super) generic: bool,
    pub(super) numeric: bool,
    /// Names that contain the token, ascending, no repeats: plain names, then the derived
    /// forms (see `Form::group`), so that a query form reads only the names it compares with.
    pub(super) postings: [Vec<u32>; 2],
    /// The vocabulary tokens it matches as a query token, once asked (see
    /// `Index::token_matches`).
    pub(super) matches: std::sync::OnceLock<Arc<[TokenMatch]>>,
}

/// An immutable index over a set of entities.
#[derive(Debug, Default)]
pub struct Index {
    pub(super) entities: Vec<Arc<Entity>>,
    pub(super) names: Vec<IndexedName>,
    pub(super) vocab: FastMap<Box<str>, u32>,
    pub(super) tokens: Vec<TokenInfo>,
    /// Deletion-neighbourhood key → (start, len) in `deletion_ids`: the Latin tokens that
    /// reduce to the key by deleting up to their edit allowance of characters.
    pub(super) deletions: FastMap<u64, (u32, u32)>,
    pub(super) deletion_ids: Vec<u32>,
    /// Acronym of 2–4 consecutive name words → names (ascending).
    pub(super) acronyms: FastMap<Box<str>, Vec<u32>>,
    /// Token → surname-only names holding it: such names are candidates on any shared token.
    pub(super) surname_only: FastMap<u32, Vec<u32>>,
    /// Identifier value (upper case, letters and digits only) → entities carrying it.
    pub(super) identifiers: HashMap<String, Vec<u32>>,
    /// Per entity, what tells it apart as a party (see `Hit::same_party`).
    pub(super) parties: Vec<Party>,
    /// Per name, the sum of its tokens' weights (an `f32`, low half) and the letters its
    /// tokens start with (high half, see `letters`), read together while counting.
    pub(super) shapes: Vec<u64>,
    /// One bit per name: a Western person's Latin name (`IndexedName::western`), read while
    /// collecting candidates without touching the names.
    pub(super) western: Vec<u64>,
    /// One bit per name that holds a token twice (where one vocabulary token may match two
    /// query tokens), or more tokens than counting keeps count of.
    pub(super) repeats: Vec<u64>,
    /// What a query word matches here that another index of the snapshot holds and this one
    /// does not (a base word in a small segment, a segment's word in the base): resolved
    /// once per index, as its own words are (`TokenInfo::matches`). Words no index holds
    /// are not kept, so what it holds is bounded by the vocabulary, not by what queries bring.
    pub(super) absent:
        dashmap::DashMap<Box<str>, Arc<[TokenMatch]>, BuildHasherDefault<FastHasher>>,
}

impl Index {
    pub fn entity_count(&self) -> usize {
        self.entities.len()
    }

    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    /// How many names hold the token, in any form.
    pub(super) fn doc_freq(&self, token: u32) -> usize {
        let postings = &self.tokens[token as usize].postings;
        postings[0].len() + postings[1].len()
    }
}
