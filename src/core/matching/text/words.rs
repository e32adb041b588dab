//! The word lists of normalisation that are split by script (legal forms, generic words:
//! Latin words and Han characters share one table in `src/core/tables/`), and the number
//! words, which are code. The other word lists are read from `core::tables` where they are
//! used.

use super::is_han;
use crate::core::tables;
use std::sync::OnceLock;

/// Legal forms and company-type words in Latin script that never identify a party (after
/// abbreviation expansion). Dropped from both sides.
pub(super) fn legal_forms() -> &'static [&'static str] {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| latin_only(tables::legal_forms()))
}

/// Chinese legal-form suffixes, longest first; stripped from the end of a Han run.
pub(super) fn han_legal_suffixes() -> &'static [&'static str] {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| han_only(tables::legal_forms()))
}

/// Words that carry the class of a name but little of its identity: they weigh little.
pub(super) fn generic() -> &'static [&'static str] {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| latin_only(tables::generic_words()))
}

/// Han characters that, like the words above, mostly carry class or place.
pub(super) fn generic_han() -> &'static str {
    static CHARS: OnceLock<String> = OnceLock::new();
    CHARS.get_or_init(|| han_only(tables::generic_words()).concat())
}

fn latin_only(words: &[&'static str]) -> Vec<&'static str> {
    let han = |w: &&str| w.chars().any(is_han);
    words.iter().copied().filter(|w| !han(w)).collect()
}

fn han_only(words: &[&'static str]) -> Vec<&'static str> {
    words
        .iter()
        .copied()
        .filter(|w| w.chars().any(is_han))
        .collect()
}

pub(super) const UNITS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
pub(super) const UNIT_ORDINALS: &[&str] = &[
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
];
pub(super) const TENS: &[&str] = &[
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
pub(super) const TENS_ORDINALS: &[&str] = &[
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "sixtieth",
    "seventieth",
    "eightieth",
    "ninetieth",
];
