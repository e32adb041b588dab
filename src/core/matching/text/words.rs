//! The word lists of normalisation, read from `src/core/tables/*.tsv` (`core::tables`): legal
//! forms, abbreviations, generic class and place words, honorifics, the glossary of translated
//! Chinese words and romanisation spellings; and the number words, which are code.

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

/// Abbreviations seen in list data and queries, expanded on both sides.
pub(super) fn abbreviations() -> &'static [(&'static str, &'static str)] {
    tables::abbreviations()
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

/// Titles and post-nominals that are no part of a person's name (Mr, Dr, JP, GBS ...).
pub(super) fn honorifics() -> &'static [&'static str] {
    tables::honorifics()
}

/// Chinese words that English renderings translate rather than romanise, with the English
/// word they become (already in normalised form; empty: dropped). Applied longest first to
/// Han runs before the remaining characters are romanised.
pub(super) fn glossary() -> &'static [(&'static str, &'static str)] {
    tables::glossary()
}

/// Spellings of the same Chinese surname or syllable in pinyin, Wade–Giles, Cantonese/HK
/// and Taiwanese usage. Romanisation is lossy both ways, so these are equivalent candidates
/// scored a little below an exact match, never folded into one.
pub(super) fn romanisations() -> &'static [Vec<&'static str>] {
    tables::romanisations()
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
