//! Name normalisation, shared by the index and the query so both sides always agree:
//! Unicode NFKC, traditional → simplified Chinese, case folding, diacritics removed,
//! punctuation and name separators (·•・—) to spaces, abbreviations expanded
//! (Tech → technology), legal forms dropped (Co., Ltd., 有限公司), ordinals reduced to their
//! number, and Chinese script split into characters.
//!
//! The rooms: `fold` (raw name to tokens), `han` and `latin` (each script's runs), `words` (the
//! word lists), `variants` (romanisation and nickname spellings), `romanise` (Han to Latin),
//! `syllables` (pinyin syllables and brands), `sound` (sound forms and outlines).

mod fold;
mod han;
mod latin;
mod romanise;
mod sound;
mod syllables;
#[cfg(test)]
mod tests;
mod variants;
mod words;

use crate::core::hash::{FastMap, FastSet};
use crate::core::tables;
use pinyin::ToPinyin;
use std::sync::OnceLock;
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

pub use fold::*;
use han::*;
use latin::*;
pub use romanise::*;
pub use sound::*;
pub use syllables::*;
pub use variants::*;
use words::*;

/// One token of a normalised name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Token {
    pub text: String,
    pub script: Script,
    /// Which part of the name the token came from: each Latin word and each run of Han
    /// characters between separators (洛克希德·马丁 has two) is one segment.
    pub segment: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    /// Latin letters and digits.
    Latin,
    /// A single Han character.
    Han,
}

impl Token {
    pub fn new(text: impl Into<String>, script: Script, segment: u16) -> Token {
        Token {
            text: text.into(),
            script,
            segment,
        }
    }

    pub fn is_numeric(&self) -> bool {
        self.text.bytes().all(|b| b.is_ascii_digit())
    }
}
