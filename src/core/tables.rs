//! The curated tables the matcher reads, compiled into the binary from `src/core/tables/*.tsv`
//! (each file documents its format, sources and how rows are chosen):
//!
//! * `brands.tsv`: published Chinese names, brands and abbreviations of listed parties and the
//!   Latin name they stand for (中兴 → ZTE, 海思 → HiSilicon), each with its citation. Pinyin
//!   cannot bridge these, and most list files carry no Chinese at all.
//! * `transliterations.tsv`: standard Chinese transliterations of Western given names and
//!   common surnames (埃德蒙 → Edmund), as PRC notices write them.
//! * `wade_giles.tsv`, `cantonese.tsv`: Wade–Giles and Cantonese/Hong Kong spellings of
//!   pinyin syllables (Hsu → xu, Kwok → guo).
//! * `nicknames.tsv`: English short forms of given names (Jim → James).
//! * `countries.tsv`: country names as the sanctions files write them, with their ISO code
//!   (read by the importers, not the matcher).
//! * the word lists of normalisation: `legal_forms.tsv`, `abbreviations.tsv`, `generic.tsv`,
//!   `honorifics.tsv`, `glossary.tsv` (Chinese words translated, not romanised) and
//!   `romanisations.tsv` (spellings of one Chinese syllable).
//!
//! `chinese_names.tsv`, the cross-reference of listed parties' registered Chinese names, is
//! not a matching table: it adds names to entities at load, and `enrich.rs` reads it.
//!
//! Rows are parsed once, on first use; a malformed row is a build-time bug caught by the unit
//! tests below, never a runtime failure.

use std::sync::OnceLock;

/// The rows of a table: `#` lines and blank lines skipped, the header dropped.
fn rows(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .skip(1)
}

/// Tab-separated rows of a table, every row cut into its first two columns (both non-empty).
fn pairs(text: &'static str) -> Vec<(&'static str, &'static str)> {
    rows(text)
        .filter_map(|line| {
            let mut cols = line.split('\t').map(str::trim);
            Some((cols.next()?, cols.next()?))
        })
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .collect()
}

/// The first column of every row.
fn column(text: &'static str) -> Vec<&'static str> {
    rows(text)
        .filter_map(|line| line.split('\t').next().map(str::trim))
        .filter(|word| !word.is_empty())
        .collect()
}

macro_rules! list {
    ($fn:ident, $file:literal, $doc:literal) => {
        #[doc = $doc]
        pub fn $fn() -> &'static [&'static str] {
            static ROWS: OnceLock<Vec<&'static str>> = OnceLock::new();
            ROWS.get_or_init(|| column(include_str!(concat!("tables/", $file))))
        }
    };
}

macro_rules! table {
    ($fn:ident, $file:literal, $doc:literal) => {
        #[doc = $doc]
        pub fn $fn() -> &'static [(&'static str, &'static str)] {
            static ROWS: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
            ROWS.get_or_init(|| pairs(include_str!(concat!("tables/", $file))))
        }
    };
}

table!(
    brands,
    "brands.tsv",
    "(Chinese name or brand, Latin name) pairs."
);
table!(
    transliterations,
    "transliterations.tsv",
    "(Chinese transliteration, Latin name) pairs."
);
table!(
    wade_giles,
    "wade_giles.tsv",
    "(Wade–Giles spelling, pinyin syllable) pairs."
);
table!(
    cantonese,
    "cantonese.tsv",
    "(Cantonese spelling, pinyin syllable) pairs."
);
table!(
    nicknames,
    "nicknames.tsv",
    "(short form, formal given name) pairs."
);

table!(
    countries,
    "countries.tsv",
    "(country name in folded form, ISO 3166-1 alpha-2 code) pairs."
);
table!(
    abbreviations,
    "abbreviations.tsv",
    "(word, what it becomes) pairs."
);
list!(
    legal_forms,
    "legal_forms.tsv",
    "Legal forms: Latin words, then Han suffixes longest first."
);
list!(
    generic_words,
    "generic.tsv",
    "Generic words, then generic Han characters."
);
list!(honorifics, "honorifics.tsv", "Titles and post-nominals.");

/// (Chinese word, English words) pairs; empty English drops the word.
pub fn glossary() -> &'static [(&'static str, &'static str)] {
    static ROWS: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    ROWS.get_or_init(|| {
        rows(include_str!("tables/glossary.tsv"))
            .filter_map(|line| {
                let (zh, en) = line.split_once('\t').unwrap_or((line, ""));
                let zh = zh.trim();
                (!zh.is_empty()).then_some((zh, en.trim()))
            })
            .collect()
    })
}

/// Groups of spellings of one Chinese syllable, pinyin first.
pub fn romanisations() -> &'static [Vec<&'static str>] {
    static ROWS: OnceLock<Vec<Vec<&'static str>>> = OnceLock::new();
    ROWS.get_or_init(|| {
        rows(include_str!("tables/romanisations.tsv"))
            .map(|line| line.split_whitespace().collect::<Vec<_>>())
            .filter(|group| group.len() >= 2)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_well_formed() {
        for (name, rows, min) in [
            ("brands", brands(), 50),
            ("transliterations", transliterations(), 100),
            ("wade_giles", wade_giles(), 300),
            ("cantonese", cantonese(), 100),
            ("nicknames", nicknames(), 100),
        ] {
            assert!(rows.len() >= min, "{name}: only {} rows", rows.len());
            for (a, b) in rows {
                assert!(
                    !a.contains(char::is_whitespace) || name == "brands",
                    "{name}: {a:?}"
                );
                assert!(!b.starts_with("http"), "{name}: {a:?} → {b:?}");
            }
        }
        for (name, words, min) in [
            ("legal_forms", legal_forms(), 40),
            ("generic", generic_words(), 150),
            ("honorifics", honorifics(), 20),
        ] {
            assert!(words.len() >= min, "{name}: only {} rows", words.len());
            for word in words {
                assert!(!word.contains(char::is_whitespace), "{name}: {word:?}");
                assert_eq!(word.to_lowercase(), *word, "{name}: {word:?}");
            }
        }
        assert!(glossary().len() >= 80 && romanisations().len() >= 30);
        let zh: Vec<_> = brands().iter().map(|(zh, _)| *zh).collect();
        let mut unique = zh.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(
            unique.len(),
            zh.len(),
            "brands: a Chinese name appears twice"
        );
    }
}
