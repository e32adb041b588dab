//! Importers of official list formats: each parser reads a whole file into [`Record`]s,
//! and this module maps them into entities on our list codes, with stable ids, rejecting bad
//! records one by one (with their line) and a file that is unusable as a whole.
//!
//! Formats: trade.gov CSL (CSV, JSON), OFAC legacy CSV (with its add/alt/comments siblings),
//! OFAC SDN.XML and advanced XML, OpenSanctions FollowTheMoney JSON lines, and our own native
//! format. Layouts are described in `seeds/README.md` and each parser's header.

pub mod countries;
mod csl;
mod ftm;
pub mod lists;
mod ofac_advanced;
mod ofac_csv;
mod ofac_xml;
pub mod record;
mod xml;

use super::model::{Entity, EntityType, ListMeta};
use super::native::{self, Rejected};
use super::{uscc, Error, Result};
use record::Record;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// A file format the service reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    CslCsv,
    CslJson,
    OfacCsv,
    OfacXml,
    OfacAdvancedXml,
    FtmJson,
    Native,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::CslCsv,
        Format::CslJson,
        Format::OfacCsv,
        Format::OfacXml,
        Format::OfacAdvancedXml,
        Format::FtmJson,
        Format::Native,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::CslCsv => "csl-csv",
            Format::CslJson => "csl-json",
            Format::OfacCsv => "ofac-csv",
            Format::OfacXml => "ofac-xml",
            Format::OfacAdvancedXml => "ofac-advanced-xml",
            Format::FtmJson => "ftm-json",
            Format::Native => "native",
        }
    }

    /// The sibling files read beside `main` (by file name), present or not: OFAC's legacy CSV
    /// keeps addresses, aliases and remark overflow in `add.csv`, `alt.csv` and
    /// `sdn_comments.csv` (`cons_add.csv` ... beside `cons_prim.csv`), in the main file's case.
    pub fn siblings(self, main: &str) -> Vec<String> {
        if self != Format::OfacCsv {
            return Vec::new();
        }
        let upper = main.chars().any(|c| c.is_ascii_uppercase());
        let names: [&str; 3] = if main.to_ascii_lowercase().starts_with("cons_") {
            ["cons_add.csv", "cons_alt.csv", "cons_comments.csv"]
        } else {
            ["add.csv", "alt.csv", "sdn_comments.csv"]
        };
        names
            .iter()
            .map(|n| {
                if upper {
                    n.to_ascii_uppercase()
                } else {
                    n.to_string()
                }
            })
            .collect()
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
                format!("unknown format {s:?}; use one of {}", names.join(", "))
            })
    }
}

/// Sibling files by file name (OFAC legacy CSV).
pub type Siblings = HashMap<String, Vec<u8>>;

/// The bytes of one source: the main file and the siblings that exist, by file name.
#[derive(Debug)]
pub struct Input<'a> {
    /// Names the file in messages.
    pub path: &'a Path,
    pub main: &'a [u8],
    pub siblings: &'a Siblings,
}

/// What a file held: entities grouped by list, and what was rejected or warned about.
#[derive(Debug, Default)]
pub struct Imported {
    /// Each list with its entities, in list code order.
    pub lists: Vec<(ListMeta, Vec<Entity>)>,
    /// Records read, accepted or not.
    pub records: usize,
    pub rejected: Vec<Rejected>,
    pub warnings: Vec<Rejected>,
    /// The record count the file declares about itself, where it does (SDN.XML).
    pub declared: Option<usize>,
    /// The publication date the file gives, `YYYY-MM-DD`, where it does.
    pub issued: String,
}

impl Imported {
    pub fn entity_count(&self) -> usize {
        self.lists.iter().map(|(_, e)| e.len()).sum()
    }
}

/// Parses one source's bytes. An error means the file as a whole is unusable (wrong format,
/// missing columns, broken XML); bad records are rejected one by one in [`Imported::rejected`].
pub fn parse(format: Format, input: &Input) -> Result<Imported> {
    let whole = |reason: String| Error::invalid(input.path.display().to_string(), reason);
    match format {
        Format::Native => parse_native(input),
        Format::CslCsv => csl::parse_csv(input.main)
            .map_err(whole)
            .map(|p| p.finish(input)),
        Format::CslJson => csl::parse_json(input.main)
            .map_err(whole)
            .map(|p| p.finish(input)),
        Format::OfacCsv => ofac_csv::parse(input.path, input.main, input.siblings)
            .map_err(whole)
            .map(|p| p.finish(input)),
        Format::OfacXml => {
            let parsed = ofac_xml::parse(input.main).map_err(whole)?;
            let mut out =
                Parties::ofac(parsed.parties, parsed.rejected, |_| "US-OFAC-SDN").finish(input);
            out.declared = parsed.declared_count;
            out.issued = parsed.issued;
            Ok(out)
        }
        Format::OfacAdvancedXml => {
            let parsed = ofac_advanced::parse(input.main).map_err(whole)?;
            // OFAC publishes the SDN list (`sdn_advanced.xml`) and the consolidated non-SDN
            // lists (`cons_advanced.xml`) in the same layout; the file name tells them apart.
            let consolidated = input
                .path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().to_ascii_lowercase().starts_with("cons"));
            let mut out = Parties::ofac(parsed.parties, parsed.rejected, |p| {
                if consolidated {
                    lists::ofac_consolidated(&p.programs)
                } else {
                    "US-OFAC-SDN"
                }
            })
            .finish(input);
            out.issued = parsed.issued;
            Ok(out)
        }
        Format::FtmJson => ftm::parse(input.main)
            .map_err(whole)
            .map(|p| p.finish(input)),
    }
}

fn parse_native(input: &Input) -> Result<Imported> {
    let loaded = native::parse(input.path, input.main)?;
    let records = loaded.entities.len() + loaded.rejected.len();
    Ok(Imported {
        lists: vec![(loaded.meta, loaded.entities)],
        records,
        rejected: loaded.rejected,
        warnings: loaded.warnings,
        declared: None,
        issued: String::new(),
    })
}

/// Parties as a parser produced them, each with the list it goes to and the id it gets.
#[derive(Default)]
pub(crate) struct Parties {
    /// (list code, record id within the list, party); `None` id: derive it from the name.
    pub items: Vec<(String, Option<String>, Record)>,
    /// Metadata for lists that are not in [`lists::meta`] (FTM datasets).
    pub extra_lists: Vec<ListMeta>,
    pub rejected: Vec<(usize, String)>,
    /// Where native-script names came from, for `Entity::native_source`.
    pub native_source: &'static str,
}

impl Parties {
    /// OFAC records, keyed by their entity number.
    fn ofac(
        parties: Vec<Record>,
        rejected: Vec<(usize, String)>,
        list: impl Fn(&Record) -> &'static str,
    ) -> Parties {
        Parties {
            items: parties
                .into_iter()
                .map(|p| (list(&p).to_string(), Some(p.uid.clone()), p))
                .collect(),
            extra_lists: Vec::new(),
            rejected,
            native_source: "OFAC advanced sanctions data (name in original script)",
        }
    }

    /// Maps parties into entities: ids, list metadata, validation.
    fn finish(self, input: &Input) -> Imported {
        let at = |line: usize, reason: String| Rejected {
            file: input.path.to_path_buf(),
            line,
            reason,
        };
        let mut out = Imported {
            records: self.items.len() + self.rejected.len(),
            rejected: self.rejected.into_iter().map(|(l, r)| at(l, r)).collect(),
            ..Imported::default()
        };
        let ids = record_ids(&self.items);
        let mut by_list: BTreeMap<String, Vec<Entity>> = BTreeMap::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for ((list, _, party), id) in self.items.into_iter().zip(ids) {
            let line = party.line;
            let id = format!("{list}:{id}");
            if let Some(first) = seen.insert(id.clone(), line) {
                out.rejected.push(at(
                    line,
                    format!("record id {id} is already used by the record at line {first}"),
                ));
                continue;
            }
            match entity(id, &list, party, self.native_source) {
                Ok((entity, warnings)) => {
                    out.warnings
                        .extend(warnings.into_iter().map(|w| at(line, w)));
                    by_list.entry(list).or_default().push(entity);
                }
                Err(reason) => out.rejected.push(at(line, reason)),
            }
        }
        out.rejected.sort_by_key(|r| r.line);
        for (code, entities) in by_list {
            let meta = lists::meta(&code)
                .or_else(|| self.extra_lists.iter().find(|m| m.code == code).cloned());
            match meta {
                Some(meta) => out.lists.push((meta, entities)),
                // Parsers only produce codes they know; this is a bug, reported, not hidden.
                None => out.rejected.push(at(
                    0,
                    format!(
                        "{} records for list {code}, which has no metadata",
                        entities.len()
                    ),
                )),
            }
        }
        out
    }
}

/// Record ids within each list: the record's own id where the format has one, else a slug of
/// the name; rows that share a name slug are told apart by a hash of their content, so an id
/// does not depend on the order of rows.
fn record_ids(items: &[(String, Option<String>, Record)]) -> Vec<String> {
    let slugs: Vec<Option<String>> = items
        .iter()
        .map(|(_, id, p)| id.is_none().then(|| slug(&p.name)))
        .collect();
    let mut counts: HashMap<(&str, &str), usize> = HashMap::new();
    for ((list, _, _), s) in items.iter().zip(&slugs) {
        if let Some(s) = s {
            *counts.entry((list, s)).or_default() += 1;
        }
    }
    items
        .iter()
        .zip(&slugs)
        .map(|((list, id, party), s)| match (id, s) {
            (Some(id), _) => sanitize(id),
            (None, Some(s)) if counts[&(list.as_str(), s.as_str())] > 1 => {
                format!("{s}~{}", short_hash(party))
            }
            (None, Some(s)) => s.clone(),
            (None, None) => unreachable!("a slug is made for every record without an id"),
        })
        .collect()
}

/// Lower-case letters and digits of any script, other runs as one '-', at most 100 chars.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.chars().count() >= 100 {
            break;
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "unnamed".into()
    } else {
        trimmed.to_string()
    }
}

fn sanitize(id: &str) -> String {
    id.trim()
        .chars()
        .map(|c| {
            if c.is_control() || c.is_whitespace() {
                '-'
            } else {
                c
            }
        })
        .take(120)
        .collect()
}

/// First 8 hex digits of SHA-256 over what tells same-named rows apart.
fn short_hash(party: &Record) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in party.addresses.iter().chain(&party.countries) {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    h.update(party.citation.as_bytes());
    h.update(party.listed_on.as_bytes());
    h.finalize()[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One party as an entity of `list`, validated; warnings for what was kept but is doubtful.
fn entity(
    id: String,
    list: &str,
    party: Record,
    native_source: &str,
) -> std::result::Result<(Entity, Vec<String>), String> {
    let mut warnings = Vec::new();
    let mut identifiers = party.identifiers;
    for ident in &mut identifiers {
        if ident.kind == "uscc" && uscc::check(&uscc::normalize(&ident.value)).is_none() {
            warnings.push(format!(
                "identifier {:?} is not a well-formed USCC; kept as type \"registration\"",
                ident.value
            ));
            ident.kind = "registration".into();
        }
    }
    let mut entity = Entity {
        id,
        list: list.to_string(),
        kind: party.kind.unwrap_or(EntityType::Unknown),
        name: party.name,
        aliases: party.aliases,
        native_source: if party.native_names.is_empty() {
            String::new()
        } else {
            native_source.to_string()
        },
        native_names: party.native_names,
        xref_names: Vec::new(),
        countries: party.countries,
        addresses: party.addresses,
        identifiers,
        listed_on: party.listed_on,
        citation: party.citation,
        url: party.url,
        birth_date: party.birth_date,
        remarks: truncate(party.remarks, super::model::MAX_TEXT_CHARS),
    };
    warnings.extend(entity.validate().map_err(|e| e.to_string())?);
    Ok((entity, warnings))
}

fn truncate(mut text: String, max: usize) -> String {
    if let Some((at, _)) = text.char_indices().nth(max) {
        text.truncate(at);
    }
    text
}

/// Our identifier type for a published one: the USCC by its usual names ("Unified Social
/// Credit Code (USCC)", "USCC"), any other type lower-cased.
pub(crate) fn id_type(published: &str) -> String {
    let lower = published.trim().to_lowercase();
    if lower.contains("unified social credit code") || lower.contains("(uscc)") || lower == "uscc" {
        "uscc".into()
    } else {
        lower
    }
}

/// The records of a CSV file without a header row (fields as bytes, rows of any width), each
/// with the 1-based line it starts on; an unreadable record is an error naming the problem.
pub(crate) fn csv_records(
    bytes: &[u8],
) -> impl Iterator<Item = (usize, std::result::Result<csv::ByteRecord, String>)> + '_ {
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut lines = Lines::new(bytes);
    reader.into_byte_records().map(move |record| match record {
        Ok(r) => (lines.at(r.position()), Ok(r)),
        Err(e) => (lines.at(e.position()), Err(format!("unreadable CSV: {e}"))),
    })
}

/// The 1-based line at which each CSV record starts, from its byte offset. The csv crate's
/// own line count is one short after CRLF line ends (it places a record's start on the
/// previous line's `\n`); counting from the offsets is right for both. Offsets must grow.
struct Lines<'a> {
    bytes: &'a [u8],
    counted_to: usize,
    newlines: usize,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Lines {
            bytes,
            counted_to: 0,
            newlines: 0,
        }
    }

    fn at(&mut self, position: Option<&csv::Position>) -> usize {
        let Some(position) = position else {
            return 0;
        };
        let end = (position.byte() as usize + 1).min(self.bytes.len());
        if end > self.counted_to {
            self.newlines += self.bytes[self.counted_to..end]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.counted_to = end;
        }
        self.newlines + 1
    }
}

/// Decodes text that must be UTF-8 (a leading byte-order mark is dropped), naming the offset
/// of the first bad byte.
pub(crate) fn utf8(bytes: &[u8]) -> std::result::Result<&str, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "is not UTF-8 (first bad byte at offset {})",
            e.valid_up_to()
        )
    })
}

/// The `YYYY-MM-DD` date `days` after 1970-01-01 (Howard Hinnant's civil-from-days).
pub fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A published date as `YYYY-MM-DD` (or `YYYY` when only the year is known): ISO dates,
/// "12 Jan 1965", "Jan 1965", "1965", "MM/DD/YYYY" and "DD.MM.YYYY". `None` for anything else.
pub(crate) fn date(text: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let text = text.trim();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let month = |s: &str| {
        let lower = s.to_ascii_lowercase();
        MONTHS
            .iter()
            .position(|m| lower.starts_with(m))
            .map(|i| i + 1)
    };
    let ymd = |y: &str, m: usize, d: &str| -> Option<String> {
        let d: usize = d.parse().ok()?;
        ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| format!("{y}-{m:02}-{d:02}"))
    };
    let parts: Vec<&str> = text
        .split([' ', '-', '/', '.'])
        .filter(|p| !p.is_empty())
        .collect();
    match parts.as_slice() {
        [y] if digits(y, 4) => Some(y.to_string()),
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) && text.contains('-') => {
            ymd(y, m.parse().ok()?, d)
        }
        [m, d, y] if text.contains('/') && digits(y, 4) && m.len() <= 2 && d.len() <= 2 => {
            ymd(y, m.parse().ok()?, d)
        }
        [d, m, y] if text.contains('.') && digits(y, 4) && m.len() <= 2 && d.len() <= 2 => {
            ymd(y, m.parse().ok()?, d)
        }
        [d, m, y] if digits(y, 4) && d.len() <= 2 => ymd(y, month(m)?, d),
        [m, y] if digits(y, 4) && month(m).is_some() => Some(y.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
        }
        assert!("xml".parse::<Format>().unwrap_err().contains("csl-csv"));
    }

    #[test]
    fn siblings_follow_the_main_file() {
        assert_eq!(
            Format::OfacCsv.siblings("sdn.csv"),
            ["add.csv", "alt.csv", "sdn_comments.csv"]
        );
        assert_eq!(
            Format::OfacCsv.siblings("CONS_PRIM.CSV"),
            ["CONS_ADD.CSV", "CONS_ALT.CSV", "CONS_COMMENTS.CSV"]
        );
        assert!(Format::CslCsv.siblings("x.csv").is_empty());
    }

    #[test]
    fn dates() {
        for (input, want) in [
            ("2019-05-21", Some("2019-05-21")),
            ("12 Jan 1965", Some("1965-01-12")),
            ("01 September 1970", Some("1970-09-01")),
            ("Jan 1965", Some("1965")),
            ("1965", Some("1965")),
            ("05/21/2019", Some("2019-05-21")),
            ("21.05.2019", Some("2019-05-21")),
            ("circa 1965", None),
            ("2019-13-01", None),
            ("", None),
        ] {
            assert_eq!(date(input).as_deref(), want, "{input}");
        }
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(19_717), "2023-12-26");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Huawei Technologies Co., Ltd."),
            "huawei-technologies-co-ltd"
        );
        assert_eq!(slug("  —  "), "unnamed");
        assert_eq!(slug("华为技术有限公司"), "华为技术有限公司");
    }

    #[test]
    fn same_names_get_ids_that_do_not_depend_on_order() {
        let party = |name: &str, address: &str| Record {
            name: name.into(),
            addresses: vec![address.into()],
            ..Record::default()
        };
        let items = vec![
            ("L".to_string(), None, party("Acme", "Beijing")),
            ("L".to_string(), None, party("Acme", "Shanghai")),
            ("L".to_string(), None, party("Other", "Beijing")),
            ("L".to_string(), Some("42".to_string()), party("Acme", "x")),
        ];
        let ids = record_ids(&items);
        let mut reversed = items.clone();
        reversed.swap(0, 1);
        let rev = record_ids(&reversed);
        assert_eq!(ids[0], rev[1]);
        assert_ne!(ids[0], ids[1]);
        assert!(ids[0].starts_with("acme~"));
        assert_eq!(ids[2], "other");
        assert_eq!(ids[3], "42");
    }
}
