//! OpenSanctions FollowTheMoney JSON lines (`entities.ftm.json`, and the `targets.nested.json`
//! style where a target carries its `Sanction` objects inline): one JSON object per line with
//! `id`, `schema` and `properties` (each property an array). Persons, organisations,
//! companies, legal entities, vessels and aircraft become parties; `Sanction` entities say
//! which list each one is on; other schemas (addresses, ownerships ...) are skipped.

use super::record::Record;
use super::{countries, date, lists, utf8, Parties};
use crate::core::model::{EntityType, Identifier, ListMeta, Measure};
use crate::core::uscc;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

#[derive(Deserialize)]
struct Line {
    id: Option<String>,
    schema: Option<String>,
    #[serde(default)]
    properties: BTreeMap<String, Value>,
    #[serde(default)]
    datasets: Vec<String>,
}

/// What a `Sanction` entity says, for the target it names.
#[derive(Debug, Clone, Default)]
struct Sanction {
    program_id: String,
    program: String,
    authority: String,
    country: String,
    listed_on: String,
    ended: bool,
    url: String,
}

pub fn parse(bytes: &[u8]) -> Result<Parties, String> {
    let text = utf8(bytes)?;
    let mut out = Parties {
        native_source: "OpenSanctions (FollowTheMoney)",
        ..Parties::default()
    };
    let mut targets: Vec<(Record, Vec<String>)> = Vec::new();
    let mut sanctions: HashMap<String, Vec<Sanction>> = HashMap::new();
    let mut lines_seen = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        lines_seen += 1;
        let entity: Line = match serde_json::from_str(raw) {
            Ok(e) => e,
            Err(e) => {
                out.rejected.push((line, format!("not a JSON object: {e}")));
                continue;
            }
        };
        let Some(schema) = entity.schema.as_deref() else {
            out.rejected.push((line, "has no \"schema\"".into()));
            continue;
        };
        let Some(id) = entity.id.clone().filter(|id| !id.is_empty()) else {
            out.rejected.push((line, "has no \"id\"".into()));
            continue;
        };
        if schema == "Sanction" {
            let s = sanction(&entity.properties);
            for target in strings(&entity.properties, "entity") {
                sanctions.entry(target).or_default().push(s.clone());
            }
            continue;
        }
        let Some(kind) = kind(schema) else {
            continue; // Address, Ownership, Identification ...: not a listed party
        };
        let mut party = party(&id, kind, &entity.properties, line);
        if party.name.is_empty() {
            out.rejected
                .push((line, format!("{schema} {id} has no name")));
            continue;
        }
        if let Some(Value::Array(nested)) = entity.properties.get("sanctions") {
            for n in nested {
                if let Some(props) = n
                    .get("properties")
                    .and_then(|p| serde_json::from_value::<BTreeMap<String, Value>>(p.clone()).ok())
                {
                    sanctions
                        .entry(id.clone())
                        .or_default()
                        .push(sanction(&props));
                }
            }
        }
        party.uid = id;
        targets.push((party, entity.datasets));
    }
    if lines_seen > 0 && targets.is_empty() && out.rejected.len() == lines_seen {
        return Err(format!(
            "no line is a FollowTheMoney entity; first problem: line {}: {}",
            out.rejected[0].0, out.rejected[0].1
        ));
    }
    for (mut party, datasets) in targets {
        let mut on: BTreeMap<String, Sanction> = BTreeMap::new();
        for s in sanctions.remove(&party.uid).unwrap_or_default() {
            if s.ended {
                continue;
            }
            let list = match lists::opensanctions_program(&s.program_id) {
                Some(code) => code.to_string(),
                None => dataset_list(&mut out, datasets.first(), &s),
            };
            on.entry(list).or_insert(s);
        }
        if on.is_empty() {
            let list = dataset_list(&mut out, datasets.first(), &Sanction::default());
            on.insert(list, Sanction::default());
        }
        let uid = party.uid.clone();
        for (list, s) in on {
            party.listed_on = s.listed_on.clone();
            party.citation = [s.program.as_str(), s.authority.as_str()]
                .iter()
                .filter(|v| !v.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("; ");
            if !s.url.is_empty() {
                party.url = s.url.clone();
            }
            out.items.push((list, Some(uid.clone()), party.clone()));
        }
    }
    Ok(out)
}

fn kind(schema: &str) -> Option<EntityType> {
    Some(match schema {
        "Person" => EntityType::Person,
        "Organization" | "Company" | "PublicBody" => EntityType::Organization,
        "LegalEntity" => EntityType::Unknown,
        "Vessel" => EntityType::Vessel,
        "Airplane" => EntityType::Aircraft,
        _ => return None,
    })
}

/// The string values of a property (nested entity objects are skipped).
fn strings(props: &BTreeMap<String, Value>, name: &str) -> Vec<String> {
    match props.get(name) {
        Some(Value::Array(values)) => values
            .iter()
            .filter_map(|v| v.as_str())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim().to_string()],
        _ => Vec::new(),
    }
}

fn first(props: &BTreeMap<String, Value>, name: &str) -> String {
    strings(props, name).into_iter().next().unwrap_or_default()
}

fn sanction(props: &BTreeMap<String, Value>) -> Sanction {
    Sanction {
        program_id: first(props, "programId"),
        program: first(props, "program"),
        authority: first(props, "authority"),
        country: first(props, "country"),
        listed_on: ["listingDate", "startDate", "date"]
            .iter()
            .find_map(|p| date(&first(props, p)).filter(|d| d.len() == 10))
            .unwrap_or_default(),
        ended: ended(&first(props, "endDate")),
        url: first(props, "sourceUrl"),
    }
}

/// Whether a sanction's end date has passed (a date still to come keeps it in force).
fn ended(end: &str) -> bool {
    let Some(end) = date(end) else {
        return false;
    };
    end.as_str() <= today().as_str()
}

fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    super::civil_date(days as i64)
}

/// Whether a name is written (mostly) outside the Latin script.
fn non_latin(name: &str) -> bool {
    let letters: Vec<char> = name.chars().filter(|c| c.is_alphabetic()).collect();
    let foreign = letters.iter().filter(|c| (**c as u32) > 0x24F).count();
    !letters.is_empty() && foreign * 2 > letters.len()
}

fn party(id: &str, kind: EntityType, props: &BTreeMap<String, Value>, line: usize) -> Record {
    let mut p = Record {
        uid: id.to_string(),
        kind: Some(kind),
        line,
        ..Record::default()
    };
    let mut names = strings(props, "name");
    for extra in ["alias", "previousName", "weakAlias", "abbreviation"] {
        names.extend(strings(props, extra));
    }
    for name in names {
        if non_latin(&name) {
            if !p.native_names.contains(&name) {
                p.native_names.push(name);
            }
        } else if p.name.is_empty() {
            p.name = name;
        } else {
            p.add_alias(&name);
        }
    }
    if p.name.is_empty() {
        // A party published only in its own script keeps that name as primary.
        if !p.native_names.is_empty() {
            p.name = p.native_names.remove(0);
        }
    }
    for prop in [
        "country",
        "nationality",
        "citizenship",
        "jurisdiction",
        "mainCountry",
        "flag",
    ] {
        for c in strings(props, prop) {
            if let Some(code) = countries::iso2(&c) {
                p.add_country(code);
            }
        }
    }
    p.addresses = strings(props, "address");
    p.birth_date = date(&first(props, "birthDate")).unwrap_or_default();
    for prop in [
        "registrationNumber",
        "taxNumber",
        "innCode",
        "ogrnCode",
        "leiCode",
        "imoNumber",
        "mmsi",
        "swiftBic",
        "idNumber",
        "passportNumber",
        "callSign",
    ] {
        for value in strings(props, prop) {
            let kind = if uscc::check(&uscc::normalize(&value)).is_some() && value.len() == 18 {
                "uscc".to_string()
            } else {
                prop.to_ascii_lowercase()
            };
            p.identifiers.push(Identifier {
                kind,
                value,
                checksum_valid: None,
            });
        }
    }
    let notes: Vec<String> = ["notes", "summary", "description", "position"]
        .iter()
        .flat_map(|n| strings(props, n))
        .collect();
    p.remarks = notes.join("; ");
    p.url = first(props, "sourceUrl");
    p
}

/// The list for targets whose programme we do not map: one per OpenSanctions dataset,
/// described from the dataset name and the sanction's authority.
fn dataset_list(out: &mut Parties, dataset: Option<&String>, s: &Sanction) -> String {
    let dataset = dataset.map_or("unknown", String::as_str);
    let code: String = format!("OS-{dataset}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if !out.extra_lists.iter().any(|m| m.code == code) {
        // The sanction's country, else the dataset's prefix ("cn_sanctions" → CN).
        let country = countries::iso2(&s.country)
            .or_else(|| {
                dataset
                    .split_once('_')
                    .and_then(|(prefix, _)| countries::iso2(prefix))
            })
            .unwrap_or("ZZ");
        out.extra_lists.push(ListMeta {
            code: code.clone(),
            name: format!("OpenSanctions dataset {dataset}"),
            authority: if s.authority.is_empty() {
                format!("as published in the OpenSanctions dataset {dataset}")
            } else {
                s.authority.clone()
            },
            imposing_country: country.to_string(),
            legal_basis: "the programme named in each entity's citation".into(),
            measures: vec![Measure::EnhancedDueDiligence],
            meaning: "Listed in a dataset this service does not map to one of its lists; read the citation and the source before dealing with the party.".into(),
            url: format!("https://www.opensanctions.org/datasets/{dataset}/"),
        });
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_go_to_the_lists_of_their_sanctions() {
        let text = r#"{"id":"c1","schema":"Company","properties":{"name":["Example Defense Corp"],"alias":["示例防务公司"],"country":["us"]},"datasets":["cn_sanctions"]}
{"id":"s1","schema":"Sanction","properties":{"entity":["c1"],"programId":["CN-UEL"],"listingDate":["2023-02-16"],"authority":["MOFCOM"]}}
{"id":"s2","schema":"Sanction","properties":{"entity":["c1"],"programId":["CN-ECL"],"startDate":["2025-01-02"]}}
{"id":"s3","schema":"Sanction","properties":{"entity":["c1"],"programId":["CN-CML"],"endDate":["2001-01-01"]}}
{"id":"a1","schema":"Address","properties":{"full":["Somewhere"]}}
{"id":"p1","schema":"Person","properties":{"name":["Jane Roe"]},"datasets":["other_ds"]}
not json
{"id":"x","properties":{}}
{"id":"p2","schema":"Person","properties":{}}"#;
        let parsed = parse(text.as_bytes()).unwrap();
        let got: Vec<(&str, &str)> = parsed
            .items
            .iter()
            .map(|(l, id, _)| (l.as_str(), id.as_deref().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                ("CN-MOFCOM-ECL", "c1"),
                ("CN-MOFCOM-UEL", "c1"),
                ("OS-OTHER-DS", "p1")
            ]
        );
        let c1 = &parsed.items[1].2;
        assert_eq!(c1.native_names, ["示例防务公司"]);
        assert_eq!(c1.countries, ["US"]);
        assert_eq!(c1.listed_on, "2023-02-16");
        let lines: Vec<usize> = parsed.rejected.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [7, 8, 9]);
        assert_eq!(parsed.extra_lists[0].code, "OS-OTHER-DS");
    }

    #[test]
    fn today_is_a_date() {
        assert!(date(&today()).is_some_and(|d| d.len() == 10));
    }
}
