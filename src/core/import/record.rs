//! The intermediate record every official-format parser produces before it is mapped into an
//! [`Entity`](crate::core::model::Entity): what the file says about one listed party, with
//! nothing decided yet about ids or lists.

use crate::core::model::{EntityType, Identifier};

/// One party as a source file publishes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// The record's own id in the file (OFAC ent_num / uid / FixedRef, CSL _id, FTM id).
    pub uid: String,
    pub kind: Option<EntityType>,
    /// The primary name, as published.
    pub name: String,
    /// Other Latin-script names (a.k.a., f.k.a., n.k.a.), as published, without duplicates.
    pub aliases: Vec<String>,
    /// Names in a non-Latin script (Chinese, Cyrillic, Arabic ...), as published.
    pub native_names: Vec<String>,
    /// Sanctions programmes, e.g. "SDGT", "CMIC-EO13959".
    pub programs: Vec<String>,
    /// ISO 3166-1 alpha-2 codes from addresses, nationality and citizenship, first seen first.
    pub countries: Vec<String>,
    /// One line per address, parts joined with ", ".
    pub addresses: Vec<String>,
    pub identifiers: Vec<Identifier>,
    /// `YYYY-MM-DD` or `YYYY` when the file gives one, else empty.
    pub birth_date: String,
    /// `YYYY-MM-DD` when the file gives a listing date, else empty.
    pub listed_on: String,
    /// Federal Register citation or other legal reference, if any.
    pub citation: String,
    pub url: String,
    pub remarks: String,
    /// Line in the file where the record starts (1-based), for messages.
    pub line: usize,
}

impl Record {
    /// Adds `name` as an alias unless it is empty or already known (case-insensitively).
    pub fn add_alias(&mut self, name: &str) {
        let name = name.trim();
        if name.is_empty()
            || name.eq_ignore_ascii_case(&self.name)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
        {
            return;
        }
        self.aliases.push(name.to_string());
    }

    /// Adds an ISO alpha-2 code once.
    pub fn add_country(&mut self, code: &str) {
        if !code.is_empty() && !self.countries.iter().any(|c| c == code) {
            self.countries.push(code.to_string());
        }
    }
}
