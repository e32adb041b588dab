//! Reading the parties to screen: CSV with a header row, or JSON Lines, one party per row.
//! A row that cannot be screened is returned as `Rejected` with its line; reading goes on.

use crate::config::FileFormat;
use crate::core::import::countries;
use crate::core::model::EntityType;
use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// One party to screen, as the file gives it.
#[derive(Debug, Clone)]
pub struct Party {
    /// 1-based line of the row in the file.
    pub line: u64,
    /// The caller's reference, or the line number when the file has none.
    pub reference: String,
    pub name: String,
    pub entity_type: Option<EntityType>,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: Vec<String>,
    /// (type, value), e.g. ("uscc", "91110000...").
    pub identifiers: Vec<(String, String)>,
}

/// A row that was not screened, and why.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub line: u64,
    pub reference: String,
    pub name: String,
    pub reason: String,
}

pub type Item = Result<Party, Rejected>;

/// The format a path's extension names, if any.
pub fn format_of(path: &Path) -> Option<FileFormat> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" | "tsv" => Some(FileFormat::Csv),
        "jsonl" | "ndjson" | "json" => Some(FileFormat::Jsonl),
        _ => None,
    }
}

/// Reads parties from a file, counting the bytes consumed for progress.
pub struct Reader {
    inner: Inner,
    size: Option<u64>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader").field("size", &self.size).finish()
    }
}

enum Inner {
    Csv {
        reader: csv::Reader<Box<dyn Read>>,
        columns: Columns,
        width: usize,
        record: csv::ByteRecord,
    },
    Jsonl {
        reader: Box<dyn BufRead>,
        line: u64,
        consumed: u64,
        buffer: Vec<u8>,
    },
}

/// Column positions of a CSV header.
#[derive(Debug)]
struct Columns {
    reference: Option<usize>,
    name: usize,
    kind: Option<usize>,
    countries: Option<usize>,
    identifiers: Option<usize>,
}

impl Reader {
    /// Opens `path` (`-`: stdin) and, for CSV, reads and checks its header.
    pub fn open(path: &Path, format: FileFormat) -> Result<Reader, String> {
        let (source, size): (Box<dyn Read>, Option<u64>) = if path == Path::new("-") {
            (Box::new(std::io::stdin()), None)
        } else {
            let file =
                File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let size = file.metadata().ok().map(|m| m.len());
            (Box::new(file), size)
        };
        let inner = match format {
            FileFormat::Csv => {
                let mut source = BufReader::with_capacity(1 << 16, source);
                let delimiter = delimiter(
                    source
                        .fill_buf()
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
                );
                let mut reader = csv::ReaderBuilder::new()
                    .delimiter(delimiter)
                    .flexible(true)
                    .has_headers(true)
                    .from_reader(Box::new(source) as Box<dyn Read>);
                let header = reader
                    .byte_headers()
                    .map_err(|e| format!("{}: cannot read the header row: {e}", path.display()))?
                    .clone();
                let columns = columns(&header).map_err(|e| format!("{}: {e}", path.display()))?;
                Inner::Csv {
                    reader,
                    columns,
                    width: header.len(),
                    record: csv::ByteRecord::new(),
                }
            }
            FileFormat::Jsonl => Inner::Jsonl {
                reader: Box::new(BufReader::with_capacity(1 << 16, source)),
                line: 0,
                consumed: 0,
                buffer: Vec::new(),
            },
        };
        Ok(Reader { inner, size })
    }

    /// The file's size in bytes, when known (not for stdin).
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// Bytes read so far.
    pub fn position(&self) -> u64 {
        match &self.inner {
            Inner::Csv { reader, .. } => reader.position().byte(),
            Inner::Jsonl { consumed, .. } => *consumed,
        }
    }

    /// The next row, or `None` at the end. An I/O error ends the input with `Err`.
    pub fn next_item(&mut self) -> Option<Result<Item, String>> {
        match &mut self.inner {
            Inner::Csv {
                reader,
                columns,
                width,
                record,
            } => {
                let line = reader.position().line();
                match reader.read_byte_record(record) {
                    Ok(false) => None,
                    Ok(true) => {
                        let line = record.position().map_or(line, csv::Position::line);
                        Some(Ok(csv_row(record, columns, *width, line)))
                    }
                    Err(e) => match e.kind() {
                        csv::ErrorKind::Io(_) => Some(Err(format!("reading the input: {e}"))),
                        _ => Some(Ok(Err(Rejected {
                            line,
                            reference: line.to_string(),
                            name: String::new(),
                            reason: format!("not CSV: {e}"),
                        }))),
                    },
                }
            }
            Inner::Jsonl {
                reader,
                line,
                consumed,
                buffer,
            } => loop {
                buffer.clear();
                match reader.read_until(b'\n', buffer) {
                    Ok(0) => return None,
                    Ok(n) => {
                        *line += 1;
                        *consumed += n as u64;
                        if buffer.iter().all(u8::is_ascii_whitespace) {
                            continue;
                        }
                        return Some(Ok(json_row(buffer, *line)));
                    }
                    Err(e) => return Some(Err(format!("reading the input: {e}"))),
                }
            },
        }
    }
}

/// The delimiter of a CSV file, from its header line: a comma, or the semicolon that
/// spreadsheets write where the comma is the decimal mark, or a tab (TSV), whichever the
/// header has most of.
fn delimiter(start: &[u8]) -> u8 {
    let header = start.split(|&b| b == b'\n').next().unwrap_or_default();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| (header.iter().filter(|&&b| b == d).count(), d == b','))
        .unwrap_or(b',')
}

fn columns(header: &csv::ByteRecord) -> Result<Columns, String> {
    let names: Vec<String> = header
        .iter()
        .map(|field| {
            String::from_utf8_lossy(field)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
    let find = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
    let name = find(&["name"]).ok_or_else(|| {
        format!(
            "the header row has no \"name\" column (it has: {}); the columns are reference, name, \
             and optionally type, countries, identifiers",
            names.join(", ")
        )
    })?;
    Ok(Columns {
        reference: find(&["reference", "ref"]),
        name,
        kind: find(&["type", "entity_type"]),
        countries: find(&["countries", "country"]),
        identifiers: find(&["identifiers", "identifier"]),
    })
}

fn csv_row(record: &csv::ByteRecord, columns: &Columns, width: usize, line: u64) -> Item {
    let field = |i: Option<usize>| -> Result<String, String> {
        match i.and_then(|i| record.get(i)) {
            None => Ok(String::new()),
            Some(bytes) => String::from_utf8(bytes.to_vec())
                .map(|s| s.trim().to_string())
                .map_err(|_| "is not UTF-8 (save the file as UTF-8)".to_string()),
        }
    };
    let reference = field(columns.reference)
        .ok()
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| line.to_string());
    let name = field(Some(columns.name)).unwrap_or_default();
    let reject = |reason: String| Rejected {
        line,
        reference: reference.clone(),
        name: name.clone(),
        reason,
    };
    if record.len() != width {
        return Err(reject(format!(
            "{} fields where the header has {width} (a name with a comma must be in double quotes)",
            record.len()
        )));
    }
    let text = |i: Option<usize>, what: &str| field(i).map_err(|e| format!("the {what} {e}"));
    let name = text(Some(columns.name), "name").map_err(reject)?;
    let kind = text(columns.kind, "type").map_err(reject)?;
    let countries = text(columns.countries, "countries").map_err(reject)?;
    let identifiers = text(columns.identifiers, "identifiers").map_err(reject)?;
    party(
        line,
        reference.clone(),
        name,
        &kind,
        split(&countries),
        split(&identifiers),
    )
}

fn json_row(bytes: &[u8], line: u64) -> Item {
    let reject = |reference: String, name: String, reason: String| Rejected {
        line,
        reference,
        name,
        reason,
    };
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(e) => {
            return Err(reject(
                line.to_string(),
                String::new(),
                format!("not JSON: {e}"),
            ))
        }
    };
    let Value::Object(object) = value else {
        return Err(reject(
            line.to_string(),
            String::new(),
            "not a JSON object (each line must be one object with a \"name\")".into(),
        ));
    };
    let reference = match object.get("reference") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => line.to_string(),
    };
    let name = match object.get("name") {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(_) => {
            return Err(reject(
                reference,
                String::new(),
                "\"name\" must be a string".into(),
            ))
        }
        None => String::new(),
    };
    let strings = |key: &str| -> Result<Vec<String>, String> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(split(s)),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.trim().to_string()),
                    Value::Object(o) if key == "identifiers" => {
                        match (o.get("type"), o.get("value")) {
                            (Some(Value::String(t)), Some(Value::String(v))) => {
                                Ok(format!("{}:{}", t.trim(), v.trim()))
                            }
                            _ => Err(format!(
                                "each of \"{key}\" must be a string or {{\"type\", \"value\"}}"
                            )),
                        }
                    }
                    _ => Err(format!("each of \"{key}\" must be a string")),
                })
                .collect(),
            Some(_) => Err(format!("\"{key}\" must be a string or an array of strings")),
        }
    };
    let kind = match object.get("type") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            return Err(reject(reference, name, "\"type\" must be a string".into()));
        }
    };
    let countries = strings("countries").map_err(|e| reject(reference.clone(), name.clone(), e))?;
    let identifiers =
        strings("identifiers").map_err(|e| reject(reference.clone(), name.clone(), e))?;
    party(line, reference, name, &kind, countries, identifiers)
}

/// Splits a `;`-separated cell (commas accepted too), dropping empty parts.
fn split(cell: &str) -> Vec<String> {
    cell.split([';', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Checks the fields every format shares and builds the party.
fn party(
    line: u64,
    reference: String,
    name: String,
    kind: &str,
    countries: Vec<String>,
    identifiers: Vec<String>,
) -> Item {
    let reject = |reason: String| Rejected {
        line,
        reference: reference.clone(),
        name: name.clone(),
        reason,
    };
    if name.is_empty() {
        return Err(reject("the name is empty".into()));
    }
    let entity_type = match kind.trim().to_ascii_lowercase().as_str() {
        "" => None,
        "person" | "individual" => Some(EntityType::Person),
        "organization" | "organisation" | "company" | "entity" => Some(EntityType::Organization),
        "vessel" | "ship" => Some(EntityType::Vessel),
        "aircraft" => Some(EntityType::Aircraft),
        "unknown" => Some(EntityType::Unknown),
        other => {
            return Err(reject(format!(
                "type \"{other}\" is not one of person, organization, vessel, aircraft"
            )))
        }
    };
    let countries = countries
        .iter()
        .map(|c| {
            country(c).ok_or_else(|| {
                reject(format!(
                "country \"{c}\" is neither an ISO 3166-1 alpha-2 code (e.g. CN, HK, US) nor a \
                 country name we know"
            ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let identifiers = identifiers
        .iter()
        .map(|i| match i.split_once(':') {
            Some((kind, value)) if !kind.trim().is_empty() && !value.trim().is_empty() => {
                Ok((kind.trim().to_ascii_lowercase(), value.trim().to_string()))
            }
            _ => Err(reject(format!(
                "identifier \"{i}\" is not TYPE:VALUE (e.g. uscc:91330000733796106P)"
            ))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Party {
        line,
        reference,
        name,
        entity_type,
        countries,
        identifiers,
    })
}

/// An ISO 3166-1 alpha-2 code from a code or a country name.
fn country(text: &str) -> Option<String> {
    if text.len() == 2 && text.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(text.to_ascii_uppercase());
    }
    countries::iso2(text).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, format: FileFormat) -> Vec<Item> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input");
        std::fs::write(&path, text).unwrap();
        let mut reader = Reader::open(&path, format).unwrap();
        let mut items = Vec::new();
        while let Some(item) = reader.next_item() {
            items.push(item.unwrap());
        }
        assert_eq!(reader.position(), text.len() as u64);
        items
    }

    #[test]
    fn csv_rows_with_their_lines() {
        let items = read(
            "\u{feff}Reference,Name,Type,Countries,Identifiers,Notes\n\
             s-1,\"Hikvision, Inc.\",organization,CN;HK,uscc:91330000733796106P,x\n\
             s-2,,person,,,x\n\
             s-3,Acme,robot,,,x\n\
             s-4,Acme,,China,,x\n\
             s-5,Acme,,Narnia,,x\n\
             s-6,Acme Hikvision, Inc.,,,,x\n",
            FileFormat::Csv,
        );
        let party = items[0].as_ref().unwrap();
        assert_eq!(
            (party.line, party.reference.as_str()),
            (2, "s-1"),
            "{party:?}"
        );
        assert_eq!(party.name, "Hikvision, Inc.");
        assert_eq!(party.countries, ["CN", "HK"]);
        assert_eq!(party.identifiers[0].0, "uscc");
        let reasons: Vec<String> = items[1..]
            .iter()
            .map(|i| match i {
                Ok(p) => format!("ok {}", p.countries.join(";")),
                Err(r) => format!("{}: {}", r.line, r.reason),
            })
            .collect();
        assert!(
            reasons[0].starts_with("3: the name is empty"),
            "{reasons:?}"
        );
        assert!(reasons[1].starts_with("4: type \"robot\""), "{reasons:?}");
        assert_eq!(reasons[2], "ok CN");
        assert!(
            reasons[3].starts_with("6: country \"Narnia\""),
            "{reasons:?}"
        );
        assert!(reasons[4].starts_with("7: 7 fields where"), "{reasons:?}");
    }

    #[test]
    fn semicolons_and_tabs_as_spreadsheets_write_them() {
        for text in [
            "reference;name;countries\n1;Hikvision, Inc.;CN\n",
            "reference\tname\tcountries\n1\tHikvision, Inc.\tCN\n",
        ] {
            let items = read(text, FileFormat::Csv);
            let party = items[0].as_ref().unwrap();
            assert_eq!(
                (party.name.as_str(), party.countries.as_slice()),
                ("Hikvision, Inc.", ["CN".to_string()].as_slice()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn csv_without_a_name_column_is_unusable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.csv");
        std::fs::write(&path, "reference,company\n1,Acme\n").unwrap();
        let error = Reader::open(&path, FileFormat::Csv).unwrap_err();
        assert!(error.contains("no \"name\" column"), "{error}");
    }

    #[test]
    fn json_lines_with_their_lines() {
        let items = read(
            "{\"reference\": 7, \"name\": \"CloudWalk\", \"countries\": [\"CN\"], \
             \"identifiers\": [{\"type\": \"uscc\", \"value\": \"x1\"}, \"isin:y\"]}\n\
             \n\
             not json\n\
             [1]\n\
             {\"name\": 3}\n\
             {\"name\": \"Kharon\", \"identifiers\": \"bare\"}\n",
            FileFormat::Jsonl,
        );
        let party = items[0].as_ref().unwrap();
        assert_eq!(party.reference, "7");
        assert_eq!(
            party.identifiers,
            [("uscc".into(), "x1".into()), ("isin".into(), "y".into())]
        );
        let lines: Vec<u64> = items[1..]
            .iter()
            .map(|i| i.as_ref().unwrap_err().line)
            .collect();
        assert_eq!(lines, [3, 4, 5, 6]);
        assert!(items[4].as_ref().unwrap_err().reason.contains("TYPE:VALUE"));
    }
}
