//! The trade.gov Consolidated Screening List, CSV (29 columns, a header row that may appear
//! twice, multi-valued fields joined with "; ") and JSON (`{"results": [...]}`, lists as
//! arrays). One file holds many lists; each row goes to the list its `source` names.

use super::record::Record;
use super::{countries, csv_records, date, id_type, lists, utf8, Parties};
use crate::core::model::{EntityType, Identifier};
use serde::Deserialize;
use std::collections::HashMap;

/// Columns a CSL CSV must have; the others are read when present.
const REQUIRED: [&str; 2] = ["source", "name"];

pub fn parse_csv(bytes: &[u8]) -> Result<Parties, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut records = csv_records(bytes);
    let header = match records.next() {
        None => return Err("is empty: a CSL CSV starts with its header row".into()),
        Some((_, Err(e))) => return Err(format!("the header row: {e}")),
        Some((_, Ok(h))) => h,
    };
    let columns: HashMap<String, usize> = header
        .iter()
        .enumerate()
        .map(|(i, c)| (String::from_utf8_lossy(c).trim().to_string(), i))
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !columns.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the header row lacks the column(s) {missing:?}; is this a Consolidated Screening List CSV?"
        ));
    }
    let mut out = parties();
    for (line, record) in records {
        let record = match record {
            Ok(r) => r,
            Err(reason) => {
                out.rejected.push((line, reason));
                continue;
            }
        };
        if record == header {
            continue; // the published file repeats its header line
        }
        if record.len() != header.len() {
            out.rejected.push((
                line,
                format!(
                    "row has {} fields, the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let mut row = HashMap::new();
        let mut bad = None;
        for (name, &i) in &columns {
            match std::str::from_utf8(&record[i]) {
                Ok(v) => {
                    row.insert(name.as_str(), v.trim());
                }
                Err(e) => {
                    bad = Some(format!(
                        "column {name} is not UTF-8 (bad byte at offset {})",
                        e.valid_up_to()
                    ));
                    break;
                }
            }
        }
        if let Some(reason) = bad {
            out.rejected.push((line, reason));
            continue;
        }
        let field = |n: &str| row.get(n).copied().unwrap_or("");
        let multi = |n: &str| split(field(n));
        let row = Row {
            id: field("_id"),
            source: field("source"),
            entity_number: field("entity_number"),
            kind: field("type"),
            programs: multi("programs"),
            name: field("name"),
            title: field("title"),
            addresses: multi("addresses")
                .into_iter()
                .map(|a| {
                    (
                        a.clone(),
                        a.rsplit(',').next().unwrap_or("").trim().to_string(),
                    )
                })
                .collect(),
            federal_register_notice: field("federal_register_notice"),
            start_date: field("start_date"),
            license_requirement: field("license_requirement"),
            license_policy: field("license_policy"),
            remarks: field("remarks"),
            source_list_url: field("source_list_url"),
            alt_names: multi("alt_names"),
            citizenships: multi("citizenships"),
            dates_of_birth: multi("dates_of_birth"),
            nationalities: multi("nationalities"),
            source_information_url: field("source_information_url"),
            ids: multi("ids")
                .iter()
                .map(|i| {
                    let mut parts = i.split(", ");
                    (
                        parts.next().unwrap_or("").to_string(),
                        parts.next().unwrap_or("").to_string(),
                    )
                })
                .collect(),
        };
        add(&mut out, row, line);
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Document {
    Wrapped { results: Vec<serde_json::Value> },
    Bare(Vec<serde_json::Value>),
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct JsonRow {
    id: Option<serde_json::Value>,
    #[serde(rename = "_id")]
    underscore_id: Option<serde_json::Value>,
    source: String,
    entity_number: Option<serde_json::Value>,
    #[serde(rename = "type")]
    kind: Option<String>,
    programs: Vec<String>,
    name: String,
    title: Option<String>,
    addresses: Vec<JsonAddress>,
    federal_register_notice: Option<String>,
    start_date: Option<String>,
    license_requirement: Option<String>,
    license_policy: Option<String>,
    remarks: Option<String>,
    source_list_url: Option<String>,
    alt_names: Vec<String>,
    citizenships: Vec<String>,
    dates_of_birth: Vec<String>,
    nationalities: Vec<String>,
    source_information_url: Option<String>,
    ids: Vec<JsonId>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct JsonAddress {
    address: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct JsonId {
    #[serde(rename = "type")]
    kind: Option<String>,
    number: Option<String>,
}

pub fn parse_json(bytes: &[u8]) -> Result<Parties, String> {
    let text = utf8(bytes)?;
    let doc: Document = serde_json::from_str(text).map_err(|e| {
        format!("is not CSL JSON ({{\"results\": [...]}} or an array of records): {e}")
    })?;
    let values = match doc {
        Document::Wrapped { results } => results,
        Document::Bare(v) => v,
    };
    let mut out = parties();
    for (i, value) in values.into_iter().enumerate() {
        let number = i + 1;
        let r: JsonRow = match serde_json::from_value(value) {
            Ok(r) => r,
            Err(e) => {
                out.rejected.push((number, format!("record {number}: {e}")));
                continue;
            }
        };
        let text = |v: &Option<serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let (id, entity_number) = (
            text(if r.id.is_some() {
                &r.id
            } else {
                &r.underscore_id
            }),
            text(&r.entity_number),
        );
        let opt = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
        let addresses = r
            .addresses
            .iter()
            .map(|a| {
                let parts: Vec<String> =
                    [&a.address, &a.city, &a.state, &a.postal_code, &a.country]
                        .iter()
                        .map(|p| opt(p))
                        .filter(|p| !p.is_empty())
                        .collect();
                (parts.join(", "), opt(&a.country))
            })
            .collect();
        let fields = (
            opt(&r.kind),
            opt(&r.title),
            opt(&r.federal_register_notice),
            opt(&r.start_date),
            opt(&r.license_requirement),
            opt(&r.license_policy),
            opt(&r.remarks),
            opt(&r.source_list_url),
            opt(&r.source_information_url),
        );
        let row = Row {
            id: &id,
            source: r.source.trim(),
            entity_number: &entity_number,
            kind: &fields.0,
            programs: r.programs.clone(),
            name: r.name.trim(),
            title: &fields.1,
            addresses,
            federal_register_notice: &fields.2,
            start_date: &fields.3,
            license_requirement: &fields.4,
            license_policy: &fields.5,
            remarks: &fields.6,
            source_list_url: &fields.7,
            alt_names: r.alt_names.clone(),
            citizenships: r.citizenships.clone(),
            dates_of_birth: r.dates_of_birth.clone(),
            nationalities: r.nationalities.clone(),
            source_information_url: &fields.8,
            ids: r
                .ids
                .iter()
                .map(|i| (opt(&i.kind), opt(&i.number)))
                .collect(),
        };
        add(&mut out, row, number);
    }
    Ok(out)
}

fn parties() -> Parties {
    Parties {
        native_source: "Consolidated Screening List",
        ..Parties::default()
    }
}

/// One CSL record, whichever file it came from.
struct Row<'a> {
    id: &'a str,
    source: &'a str,
    entity_number: &'a str,
    kind: &'a str,
    programs: Vec<String>,
    name: &'a str,
    title: &'a str,
    /// (address line, country code or name)
    addresses: Vec<(String, String)>,
    federal_register_notice: &'a str,
    start_date: &'a str,
    license_requirement: &'a str,
    license_policy: &'a str,
    remarks: &'a str,
    source_list_url: &'a str,
    alt_names: Vec<String>,
    citizenships: Vec<String>,
    dates_of_birth: Vec<String>,
    nationalities: Vec<String>,
    source_information_url: &'a str,
    /// (type, number)
    ids: Vec<(String, String)>,
}

fn add(out: &mut Parties, row: Row, line: usize) {
    let Some(list) = lists::csl_source(row.source) else {
        out.rejected.push((
            line,
            format!(
                "unknown source {:?}: not one of the CSL lists this service maps",
                row.source
            ),
        ));
        return;
    };
    if row.name.is_empty() {
        out.rejected.push((line, "name is empty".into()));
        return;
    }
    let mut p = Record {
        uid: row.id.to_string(),
        kind: match row.kind.to_ascii_lowercase().as_str() {
            "individual" => Some(EntityType::Person),
            "entity" => Some(EntityType::Organization),
            "vessel" => Some(EntityType::Vessel),
            "aircraft" => Some(EntityType::Aircraft),
            _ => None,
        },
        name: row.name.to_string(),
        programs: row.programs,
        citation: row.federal_register_notice.to_string(),
        url: if row.source_information_url.is_empty() {
            row.source_list_url.to_string()
        } else {
            row.source_information_url.to_string()
        },
        line,
        ..Record::default()
    };
    for alias in &row.alt_names {
        // The Entity List writes the last of several aliases as "and X".
        p.add_alias(alias.strip_prefix("and ").unwrap_or(alias));
    }
    for (address, country) in row.addresses {
        if let Some(code) = countries::iso2(&country) {
            p.add_country(code);
        }
        if !address.is_empty() {
            p.addresses.push(address);
        }
    }
    for country in row.nationalities.iter().chain(&row.citizenships) {
        if let Some(code) = countries::iso2(country) {
            p.add_country(code);
        }
    }
    let mut remarks = Vec::new();
    match date(row.start_date) {
        Some(d) if d.len() == 10 => p.listed_on = d,
        _ if !row.start_date.is_empty() => remarks.push(format!("Start date: {}", row.start_date)),
        _ => {}
    }
    if let Some(dob) = row.dates_of_birth.first() {
        match date(dob) {
            Some(d) => p.birth_date = d,
            None => remarks.push(format!("DOB: {dob}")),
        }
    }
    for (kind, number) in row.ids {
        if number.is_empty() {
            continue;
        }
        p.identifiers.push(Identifier {
            kind: id_type(&kind),
            value: number,
            checksum_valid: None,
        });
    }
    if !p.programs.is_empty() {
        remarks.push(format!("Programs: {}", p.programs.join(", ")));
    }
    for (label, value) in [
        ("Title", row.title),
        ("License requirement", row.license_requirement),
        ("License policy", row.license_policy),
        ("", row.remarks),
    ] {
        if !value.is_empty() {
            remarks.push(if label.is_empty() {
                value.to_string()
            } else {
                format!("{label}: {value}")
            });
        }
    }
    p.remarks = remarks.join("; ");
    // Treasury rows carry OFAC's entity number, stable across releases; BIS and State rows
    // carry none, so their id comes from the name.
    let uid = [row.entity_number, row.id]
        .into_iter()
        .find(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .filter(|_| list.starts_with("US-OFAC-"))
        .map(str::to_string);
    out.items.push((list.to_string(), uid, p));
}

/// `a; b; c` → the non-empty parts.
fn split(field: &str) -> Vec<String> {
    field
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
