//! OFAC's legacy CSV files: `sdn.csv` (or the consolidated `cons_prim.csv`) with its siblings
//! `add.csv`, `alt.csv` and `sdn_comments.csv`, joined on the entity number. No header row,
//! `-0-` for an empty field, CRLF lines and a trailing 0x1A byte.

use super::record::Record;
use super::{countries, csv_records, date, lists, Parties};
use crate::core::model::{EntityType, Identifier};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

const MAIN_FIELDS: usize = 12;

/// The rows of one file: (line, fields), with `-0-` turned into "".
struct Rows {
    rows: Vec<(usize, Vec<String>)>,
    rejected: Vec<(usize, String)>,
}

fn rows(bytes: &[u8], min_fields: usize) -> Rows {
    let end = bytes
        .iter()
        .rposition(|b| !matches!(b, 0x1A | b'\r' | b'\n' | b' '))
        .map_or(0, |i| i + 1);
    let mut out = Rows {
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    for (line, record) in csv_records(&bytes[..end]) {
        let record = match record {
            Ok(r) => r,
            Err(reason) => {
                out.rejected.push((line, reason));
                continue;
            }
        };
        if record.len() < min_fields {
            out.rejected.push((
                line,
                format!("row has {} fields, expected {min_fields}", record.len()),
            ));
            continue;
        }
        let fields: Result<Vec<String>, String> = record
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let text = std::str::from_utf8(f).map_err(|e| {
                    format!(
                        "field {} is not UTF-8 (bad byte at offset {})",
                        i + 1,
                        e.valid_up_to()
                    )
                })?;
                let text = text.trim();
                Ok(if text == "-0-" {
                    String::new()
                } else {
                    text.to_string()
                })
            })
            .collect();
        match fields {
            Ok(f) => out.rows.push((line, f)),
            Err(reason) => out.rejected.push((line, reason)),
        }
    }
    out
}

pub fn parse(
    path: &Path,
    main: &[u8],
    siblings: &HashMap<String, Vec<u8>>,
) -> Result<Parties, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let consolidated = name.to_ascii_lowercase().starts_with("cons");
    let main_rows = rows(main, MAIN_FIELDS);
    if main_rows.rows.is_empty() && !main_rows.rejected.is_empty() {
        return Err(format!(
            "no row has OFAC's {MAIN_FIELDS} fields (ent_num, SDN_Name, SDN_Type, Program, ...); first problem: line {}: {}",
            main_rows.rejected[0].0, main_rows.rejected[0].1
        ));
    }
    let mut out = Parties {
        native_source: "OFAC",
        rejected: main_rows.rejected,
        ..Parties::default()
    };
    let mut parties: BTreeMap<u64, Record> = BTreeMap::new();
    let mut order = Vec::new();
    for (line, f) in main_rows.rows {
        let Ok(ent_num) = f[0].parse::<u64>() else {
            out.rejected
                .push((line, format!("ent_num {:?} is not a number", f[0])));
            continue;
        };
        if f[1].is_empty() {
            out.rejected.push((line, "SDN_Name is empty".into()));
            continue;
        }
        if parties.contains_key(&ent_num) {
            out.rejected
                .push((line, format!("ent_num {ent_num} appears more than once")));
            continue;
        }
        parties.insert(ent_num, main_party(ent_num, &f, line));
        order.push(ent_num);
    }
    if parties.is_empty() && !out.rejected.is_empty() {
        let (line, reason) = &out.rejected[0];
        return Err(format!(
            "no row is an OFAC record (ent_num, SDN_Name, SDN_Type, Program, ...); first problem: line {line}: {reason}"
        ));
    }
    let sibling = |n: usize| -> Option<(&str, &Vec<u8>)> {
        let wanted = super::Format::OfacCsv.siblings(&name).into_iter().nth(n)?;
        siblings
            .get_key_value(&wanted)
            .map(|(k, v)| (k.as_str(), v))
    };
    // add.csv: ent_num, add_num, address, city/state/postal, country, remarks
    if let Some((file, bytes)) = sibling(0) {
        join(file, bytes, 5, &mut parties, &mut out.rejected, |p, f| {
            let parts: Vec<&str> = f[2..5]
                .iter()
                .map(String::as_str)
                .filter(|s| !s.is_empty())
                .collect();
            if let Some(code) = countries::iso2(&f[4]) {
                p.add_country(code);
            }
            if !parts.is_empty() {
                p.addresses.push(parts.join(", "));
            }
        });
    }
    // alt.csv: ent_num, alt_num, alt_type, alt_name, remarks
    if let Some((file, bytes)) = sibling(1) {
        join(file, bytes, 4, &mut parties, &mut out.rejected, |p, f| {
            p.add_alias(&f[3])
        });
    }
    // sdn_comments.csv: ent_num, remarks extension
    if let Some((file, bytes)) = sibling(2) {
        join(file, bytes, 2, &mut parties, &mut out.rejected, |p, f| {
            if !f[1].is_empty() {
                p.remarks.push_str(&f[1]);
                let extension = f[1].clone();
                read_remarks(p, &extension);
            }
        });
    }
    for ent_num in order {
        if let Some(p) = parties.remove(&ent_num) {
            let list = if consolidated {
                lists::ofac_consolidated(&p.programs)
            } else {
                "US-OFAC-SDN"
            };
            out.items
                .push((list.to_string(), Some(ent_num.to_string()), p));
        }
    }
    Ok(out)
}

/// Applies each row of a sibling file to the party it names. Rows naming no party are counted
/// in one rejection per file, not one per row.
fn join(
    file: &str,
    bytes: &[u8],
    min_fields: usize,
    parties: &mut BTreeMap<u64, Record>,
    rejected: &mut Vec<(usize, String)>,
    mut apply: impl FnMut(&mut Record, &[String]),
) {
    let rows = rows(bytes, min_fields);
    for (line, reason) in rows.rejected {
        rejected.push((0, format!("{file} line {line}: {reason}")));
    }
    let (mut orphans, mut first) = (0, 0);
    for (line, f) in rows.rows {
        match f[0].parse::<u64>().ok().and_then(|n| parties.get_mut(&n)) {
            Some(p) => apply(p, &f),
            None => {
                orphans += 1;
                if first == 0 {
                    first = line;
                }
            }
        }
    }
    if orphans > 0 {
        rejected.push((
            0,
            format!("{file}: {orphans} row(s) name an ent_num that is not in the main file (first at line {first})"),
        ));
    }
}

fn main_party(ent_num: u64, f: &[String], line: usize) -> Record {
    let mut p = Record {
        uid: ent_num.to_string(),
        kind: Some(match f[2].to_ascii_lowercase().as_str() {
            "individual" => EntityType::Person,
            "vessel" => EntityType::Vessel,
            "aircraft" => EntityType::Aircraft,
            _ => EntityType::Organization,
        }),
        name: f[1].clone(),
        programs: f[3]
            .trim_matches(|c| c == '[' || c == ']')
            .split("] [")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        line,
        ..Record::default()
    };
    if !f[5].is_empty() {
        p.identifiers.push(Identifier {
            kind: "call sign".into(),
            value: f[5].clone(),
            checksum_valid: None,
        });
    }
    let mut remarks = Vec::new();
    if !p.programs.is_empty() {
        remarks.push(format!("Programs: {}", p.programs.join(", ")));
    }
    for (label, i) in [
        ("Title", 4),
        ("Vessel type", 6),
        ("Tonnage", 7),
        ("GRT", 8),
        ("Flag", 9),
        ("Owner", 10),
    ] {
        if !f[i].is_empty() {
            remarks.push(format!("{label}: {}", f[i]));
        }
    }
    if !f[11].is_empty() {
        remarks.push(f[11].clone());
    }
    p.remarks = remarks.join("; ");
    read_remarks(&mut p, &f[11]);
    p
}

/// Identifier phrases of OFAC remarks, with our identifier type.
const ID_PHRASES: [(&str, &str); 9] = [
    ("ISIN ", "isin"),
    ("alt. ISIN ", "isin"),
    ("Unified Social Credit Code (USCC) ", "uscc"),
    ("Registration ID ", "registration"),
    ("Vessel Registration Identification IMO ", "imo"),
    ("Passport ", "passport"),
    ("alt. Passport ", "passport"),
    ("National ID No. ", "national id"),
    ("Tax ID No. ", "tax id"),
];

/// Pulls what the free-text remarks state in OFAC's fixed phrases: `DOB`, `nationality`,
/// `citizen`, `a.k.a. 'X'`, and identifiers such as the Unified Social Credit Code.
fn read_remarks(p: &mut Record, remarks: &str) {
    for clause in remarks.split(';').map(str::trim) {
        let clause = clause.trim_end_matches('.');
        if let Some(rest) = clause.strip_prefix("DOB ") {
            if p.birth_date.is_empty() {
                let first = rest.split(" to ").next().unwrap_or(rest);
                if let Some(d) = date(first.trim_start_matches("circa ")) {
                    p.birth_date = d;
                }
            }
        } else if let Some(rest) = clause
            .strip_prefix("nationality ")
            .or_else(|| clause.strip_prefix("citizen "))
        {
            if let Some(code) = countries::iso2(rest) {
                p.add_country(code);
            }
        } else if let Some(rest) = clause.strip_prefix("Listing Date (CMIC) ") {
            if let Some(d) = date(rest).filter(|d| d.len() == 10) {
                p.listed_on = d;
            }
        } else if let Some(rest) = clause
            .strip_prefix("Issuer Name ")
            .or_else(|| clause.strip_prefix("alt. Issuer Name "))
        {
            p.add_alias(rest);
        } else if let Some((kind, rest)) = ID_PHRASES
            .iter()
            .find_map(|(phrase, kind)| clause.strip_prefix(phrase).map(|rest| (*kind, rest)))
        {
            // "Unified Social Credit Code (USCC) 9111000071093019X7 (China)"
            let value = match rest.trim().rsplit_once(" (") {
                Some((value, _country)) => value,
                None => rest.trim(),
            };
            if !value.is_empty() && !value.contains(' ') {
                p.identifiers.push(Identifier {
                    kind: kind.into(),
                    value: value.to_string(),
                    checksum_valid: None,
                });
            }
        }
        for aka in clause.split("a.k.a. ").skip(1) {
            if let Some(name) = aka
                .strip_prefix('\'')
                .and_then(|rest| rest.split('\'').next())
            {
                p.add_alias(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remarks_yield_dates_countries_aliases_and_ids() {
        let mut p = Record::default();
        read_remarks(
            &mut p,
            "DOB 12 Jan 1965; POB Beijing, China; nationality China; a.k.a. 'ACME'; a.k.a. 'ACME TRADING'; Unified Social Credit Code (USCC) 91440300279583285T (China); Passport E123 (China).",
        );
        assert_eq!(p.birth_date, "1965-01-12");
        assert_eq!(p.countries, ["CN"]);
        assert_eq!(p.aliases, ["ACME", "ACME TRADING"]);
        assert_eq!(p.identifiers[0].kind, "uscc");
        assert_eq!(p.identifiers[0].value, "91440300279583285T");
        assert_eq!(
            (
                p.identifiers[1].kind.as_str(),
                p.identifiers[1].value.as_str()
            ),
            ("passport", "E123")
        );
    }

    #[test]
    fn rows_and_siblings_join_on_ent_num() {
        let main = b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n37,\"X\"\r\nabc,\"Y\",-0- ,\"P\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a";
        let mut siblings = HashMap::new();
        siblings.insert(
            "add.csv".to_string(),
            b"36,25,-0- ,\"Havana\",\"Cuba\",-0- \r\n99,1,-0- ,-0- ,\"China\",-0- \r\n\x1a"
                .to_vec(),
        );
        siblings.insert(
            "alt.csv".to_string(),
            b"36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \r\n\x1a".to_vec(),
        );
        let parsed = parse(Path::new("sdn.csv"), main, &siblings).unwrap();
        assert_eq!(parsed.items.len(), 1);
        let (list, id, p) = &parsed.items[0];
        assert_eq!((list.as_str(), id.as_deref()), ("US-OFAC-SDN", Some("36")));
        assert_eq!(p.kind, Some(EntityType::Organization));
        assert_eq!(p.programs, ["CUBA"]);
        assert_eq!(p.addresses, ["Havana, Cuba"]);
        assert_eq!(p.countries, ["CU"]);
        assert_eq!(p.aliases, ["AERO-CARIBBEAN"]);
        let reasons: Vec<&str> = parsed.rejected.iter().map(|(_, r)| r.as_str()).collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons[0].contains("2 fields"));
        assert!(reasons[1].contains("not a number"));
        assert!(reasons[2].contains("add.csv: 1 row(s)"));
    }
}
