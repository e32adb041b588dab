//! Loader of our own `native` format (JSON Lines, one file per list; see `seeds/README.md`).
//! A bad record is rejected with its file, line and reason and the rest still loads; a file
//! without a valid list header is rejected whole.

use super::model::{Entity, EntityType, Identifier, ListMeta};
use super::{Error, Result};
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// A record that was not loaded, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub file: PathBuf,
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.reason)
    }
}

/// One parsed file: its list, the good entities, and what was rejected or warned about.
#[derive(Debug)]
pub struct Loaded {
    pub meta: ListMeta,
    pub entities: Vec<Entity>,
    pub rejected: Vec<Rejected>,
    pub warnings: Vec<Rejected>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    list: ListMeta,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(rename = "type")]
    kind: EntityType,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    native_names: Vec<String>,
    #[serde(default)]
    native_source: String,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    addresses: Vec<String>,
    #[serde(default)]
    identifiers: Vec<Identifier>,
    listed_on: String,
    citation: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    remarks: String,
}

/// Parses one file's bytes. `path` names the file in messages, and its stem must be the list
/// code in lower case.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Loaded> {
    let whole = |reason: String| Error::invalid(path.display().to_string(), reason);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        whole(format!(
            "is not UTF-8 (first bad byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let (header_line, header) = lines
        .next()
        .ok_or_else(|| whole("is empty: the first record must be the list header".into()))?;
    let header: Header = serde_json::from_str(header).map_err(|e| {
        whole(format!(
            "line {header_line}: the first record must be the list header {{\"list\": {{...}}}}: {e}"
        ))
    })?;
    let meta = header.list;
    meta.validate()
        .map_err(|e| whole(format!("line {header_line}: {e}")))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_uppercase())
        .unwrap_or_default();
    if stem != meta.code {
        return Err(whole(format!(
            "line {header_line}: list code {} does not match the file name (expected {}.jsonl)",
            meta.code,
            meta.code.to_ascii_lowercase()
        )));
    }
    let mut loaded = Loaded {
        meta,
        entities: Vec::new(),
        rejected: Vec::new(),
        warnings: Vec::new(),
    };
    let mut refs = std::collections::HashMap::new();
    for (line, raw) in lines {
        let at = |reason: String| Rejected {
            file: path.to_path_buf(),
            line,
            reason,
        };
        match record(&loaded.meta.code, raw) {
            Err(reason) => loaded.rejected.push(at(reason)),
            Ok((entity, warnings)) => {
                if let Some(first) = refs.insert(entity.id.clone(), line) {
                    loaded.rejected.push(at(format!(
                        "ref of {} is already used on line {first}",
                        entity.id
                    )));
                    continue;
                }
                loaded.warnings.extend(warnings.into_iter().map(at));
                loaded.entities.push(entity);
            }
        }
    }
    Ok(loaded)
}

fn record(list: &str, raw: &str) -> std::result::Result<(Entity, Vec<String>), String> {
    let r: Record = serde_json::from_str(raw).map_err(|e| e.to_string())?;
    if r.reference.is_empty()
        || !r
            .reference
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!(
            "ref {:?} must be made of a-z, 0-9 and '-'",
            r.reference
        ));
    }
    if r.listed_on.is_empty() {
        return Err("listed_on: must not be empty".into());
    }
    if r.citation.trim().is_empty() {
        return Err("citation: must not be empty".into());
    }
    let mut entity = Entity {
        id: format!("{list}:{}", r.reference),
        list: list.to_string(),
        kind: r.kind,
        name: r.name,
        aliases: r.aliases,
        native_names: r.native_names,
        native_source: r.native_source,
        xref_names: Vec::new(),
        countries: r.countries,
        addresses: r.addresses,
        identifiers: r.identifiers,
        listed_on: r.listed_on,
        citation: r.citation,
        url: r.url,
        birth_date: r.birth_date,
        remarks: r.remarks,
    };
    let warnings = entity.validate().map_err(|e| e.to_string())?;
    Ok((entity, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = r#"{"list": {"code": "CN-TEST", "name": "Test list", "authority": "MOFCOM", "imposing_country": "CN", "legal_basis": "AFSL", "measures": ["export_ban"], "meaning": "No exports."}}"#;

    /// Parses `body` after the header and compares accepted ids and rejected lines.
    fn check(body: &str, ids: &[&str], rejected_lines: &[usize]) {
        let text = format!("{HEADER}\n{body}");
        let loaded = parse(Path::new("seeds/cn-test.jsonl"), text.as_bytes()).unwrap();
        let got: Vec<&str> = loaded.entities.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(got, ids);
        let lines: Vec<usize> = loaded.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, rejected_lines, "{:?}", loaded.rejected);
    }

    #[test]
    fn records() {
        let good = r#"{"ref": "kharon", "type": "organization", "name": "Kharon", "listed_on": "2023-12-26", "citation": "MFA decision"}"#;
        check(good, &["CN-TEST:kharon"], &[]);
        check(
            &format!("# comment\n\n{good}\n{good}"),
            &["CN-TEST:kharon"],
            &[5],
        );
        check(
            r#"{"ref": "Bad Ref", "type": "person", "name": "x", "listed_on": "2023-12-26", "citation": "c"}"#,
            &[],
            &[2],
        );
        check(
            r#"{"ref": "a", "type": "robot", "name": "x", "listed_on": "2023-12-26", "citation": "c"}"#,
            &[],
            &[2],
        );
        check(
            r#"{"ref": "a", "type": "person", "name": "", "listed_on": "2023-12-26", "citation": "c"}"#,
            &[],
            &[2],
        );
        check(
            r#"{"ref": "a", "type": "person", "name": "x", "listed_on": "26.12.2023", "citation": "c"}"#,
            &[],
            &[2],
        );
        check(
            r#"{"ref": "a", "type": "person", "name": "x", "listed_on": "2023-12-26"}"#,
            &[],
            &[2],
        );
        check(
            r#"{"ref": "a", "type": "person", "name": "x", "native_names": ["许勐"], "listed_on": "2023-12-26", "citation": "c"}"#,
            &[],
            &[2],
        );
        check(
            r#"{"ref": "a", "type": "person", "name": "x", "listed_on": "2023-12-26", "citation": "c", "colour": "red"}"#,
            &[],
            &[2],
        );
        check("{not json", &[], &[2]);
    }

    #[test]
    fn whole_file_failures() {
        let fail = |name: &str, bytes: &[u8], fragment: &str| {
            let err = parse(Path::new(name), bytes).unwrap_err().to_string();
            assert!(err.contains(fragment), "{err}");
        };
        fail("seeds/cn-test.jsonl", b"", "is empty");
        fail("seeds/cn-test.jsonl", b"\xff\xfe", "not UTF-8");
        fail("seeds/cn-test.jsonl", br#"{"ref": "a"}"#, "list header");
        fail(
            "seeds/other.jsonl",
            HEADER.as_bytes(),
            "does not match the file name",
        );
    }
}
