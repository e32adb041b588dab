//! Reads OFAC's Advanced Sanctions List Standard XML (`sdn_advanced.xml`, `cons_advanced.xml`;
//! root `Sanctions`, namespace `http://www.un.org/sanctions/1.0`). The layout is described in
//! `shared/data/FORMATS.md`, "Advanced XML (ASLS) layout", and in OFAC's `sdn_advanced.xsd`.

use super::id_type;
use super::record::Record;
use super::xml::{self, child, children, is, line_of, push_nonempty, text_of, trimmed, Parsed};
use crate::core::model::{EntityType, Identifier};
use roxmltree::Node;
use std::collections::HashMap;

mod names;
use names::*;

/// Parses a whole file. Err(String) only when the file as a whole is unusable (not UTF-8, not
/// well-formed XML, or the wrong root element); a single bad record is pushed to `rejected` as
/// (line, reason) and parsing goes on.
pub fn parse(bytes: &[u8]) -> Result<Parsed, String> {
    let text = xml::text(bytes)?;
    let doc = xml::document(text, "Sanctions", "OFAC advanced XML")?;
    let root = doc.root_element();

    let tables = Tables::new(root);
    let mut parsed = Parsed {
        issued: child(root, "DateOfIssue")
            .and_then(date_of)
            .unwrap_or_default(),
        ..Parsed::default()
    };
    for list in root.children().filter(|n| is(*n, "DistinctParties")) {
        for party in list.children().filter(|n| is(*n, "DistinctParty")) {
            let line = line_of(&doc, party);
            let profiles: Vec<Node> = children(party, "Profile").collect();
            if profiles.is_empty() {
                let reason = format!("DistinctParty {} has no Profile", fixed_ref(party));
                parsed.rejected.push((line, reason));
            }
            for profile in &profiles {
                // OFAC gives one Profile per DistinctParty, with the same ID; should there be
                // several, each is told apart by its own ID.
                let mut uid = fixed_ref(party);
                if profiles.len() > 1 || uid.is_empty() {
                    uid = attr(*profile, "ID").to_string();
                }
                match read_profile(&tables, party, *profile, uid) {
                    Ok(mut found) => {
                        found.line = line;
                        parsed.parties.push(found);
                    }
                    Err(reason) => parsed.rejected.push((line, reason)),
                }
            }
        }
    }
    Ok(parsed)
}

/// The reference values and the top-level lists a profile points into, keyed by ID.
struct Tables<'a, 'i> {
    /// (value set name, ID) → the value element, e.g. ("CountryValues", "11065") → `<Country>`.
    values: HashMap<(&'a str, &'a str), Node<'a, 'i>>,
    locations: HashMap<&'a str, Node<'a, 'i>>,
    /// IdentityID → its IDRegDocuments.
    documents: HashMap<&'a str, Vec<Node<'a, 'i>>>,
    /// ProfileID → its SanctionsEntries.
    entries: HashMap<&'a str, Vec<Node<'a, 'i>>>,
}

impl<'a, 'i> Tables<'a, 'i> {
    fn new(root: Node<'a, 'i>) -> Self {
        let mut tables = Tables {
            values: HashMap::new(),
            locations: HashMap::new(),
            documents: HashMap::new(),
            entries: HashMap::new(),
        };
        for sets in children(root, "ReferenceValueSets") {
            for set in sets.children().filter(Node::is_element) {
                let set_name = set.tag_name().name();
                for value in set.children().filter(Node::is_element) {
                    tables.values.insert((set_name, attr(value, "ID")), value);
                }
            }
        }
        for list in children(root, "Locations") {
            for location in children(list, "Location") {
                tables.locations.insert(attr(location, "ID"), location);
            }
        }
        for list in children(root, "IDRegDocuments") {
            for document in children(list, "IDRegDocument") {
                let identity = attr(document, "IdentityID");
                tables.documents.entry(identity).or_default().push(document);
            }
        }
        for list in children(root, "SanctionsEntries") {
            for entry in children(list, "SanctionsEntry") {
                let profile = attr(entry, "ProfileID");
                tables.entries.entry(profile).or_default().push(entry);
            }
        }
        tables
    }

    /// The element `id` names in the value set `set` (e.g. "CountryValues").
    fn value(&self, set: &str, id: &str) -> Option<Node<'a, 'i>> {
        if id.is_empty() {
            return None;
        }
        self.values.get(&(set, id)).copied()
    }

    /// The text of that element, empty when unknown.
    fn text(&self, set: &str, id: &str) -> &'a str {
        self.value(set, id).map(trimmed).unwrap_or_default()
    }

    /// `PartySubType` → `PartyType`: Individual, Entity, Vessel, Aircraft.
    fn kind(&self, sub_type_id: &str) -> Option<EntityType> {
        let sub_type = self.value("PartySubTypeValues", sub_type_id)?;
        match trimmed(sub_type).to_ascii_lowercase().as_str() {
            "vessel" => return Some(EntityType::Vessel),
            "aircraft" => return Some(EntityType::Aircraft),
            _ => {}
        }
        let party_type = self.text("PartyTypeValues", attr(sub_type, "PartyTypeID"));
        Some(match party_type.to_ascii_lowercase().as_str() {
            "individual" => EntityType::Person,
            "entity" | "other entity" => EntityType::Organization,
            "vessel" => EntityType::Vessel,
            "aircraft" => EntityType::Aircraft,
            _ => EntityType::Unknown,
        })
    }

    /// Whether a ScriptID stands for the Latin script; None when the ID is not in ScriptValues.
    fn is_latin_script(&self, script_id: &str) -> Option<bool> {
        let script = self.value("ScriptValues", script_id)?;
        let code = match attr(script, "ScriptCode") {
            "" => trimmed(script),
            code => code,
        };
        Some(code.eq_ignore_ascii_case("latin"))
    }

    /// A country's ISO code: the file's own ISO2 attribute, else the code for its name.
    fn country_code(&self, country_id: &str) -> Option<&'a str> {
        let country = self.value("CountryValues", country_id)?;
        let iso = attr(country, "ISO2");
        if iso.len() == 2 && iso.bytes().all(|b| b.is_ascii_uppercase()) {
            return Some(iso);
        }
        super::countries::iso2(trimmed(country))
    }

    /// A location's country as (name, ISO code), from LocationCountry or else LocationAreaCode.
    fn location_country(&self, location: Node<'a, 'i>) -> (&'a str, Option<&'a str>) {
        if let Some(country) = child(location, "LocationCountry") {
            let id = attr(country, "CountryID");
            return (self.text("CountryValues", id), self.country_code(id));
        }
        if let Some(area) = child(location, "LocationAreaCode") {
            if let Some(area) = self.value("AreaCodeValues", attr(area, "AreaCodeID")) {
                let code = trimmed(area);
                let code = (code.len() == 2).then_some(code);
                return (attr(area, "Description"), code);
            }
        }
        ("", None)
    }
}

fn read_profile(
    tables: &Tables,
    party: Node,
    profile: Node,
    uid: String,
) -> Result<Record, String> {
    let kind = tables.kind(attr(profile, "PartySubTypeID"));
    let mut found = Record {
        uid,
        kind,
        ..Record::default()
    };
    let mut remarks = Vec::new();
    if let Some(comment) = child(party, "Comment") {
        push_nonempty(&mut remarks, trimmed(comment));
    }

    let names = read_names(tables, profile, kind == Some(EntityType::Person));
    let Some(name) = names.primary.or_else(|| names.latin.first().cloned()) else {
        return Err(format!(
            "DistinctParty {} has no Latin-script name",
            found.uid
        ));
    };
    found.name = name;
    for alias in &names.latin {
        found.add_alias(alias);
    }
    found.native_names = names.native;

    for identity in children(profile, "Identity") {
        let Some(documents) = tables.documents.get(attr(identity, "ID")) else {
            continue;
        };
        for document in documents {
            let value = text_of(*document, "IDRegistrationNo");
            if value.is_empty() {
                continue;
            }
            let doc_type = tables.text("IDRegDocTypeValues", attr(*document, "IDRegDocTypeID"));
            let identifier = Identifier {
                kind: id_type(doc_type),
                value: value.to_string(),
                checksum_valid: None,
            };
            if !found.identifiers.contains(&identifier) {
                found.identifiers.push(identifier);
            }
        }
    }

    for feature in children(profile, "Feature") {
        let feature_type = tables.text("FeatureTypeValues", attr(feature, "FeatureTypeID"));
        for version in children(feature, "FeatureVersion") {
            read_feature(tables, feature_type, version, &mut found, &mut remarks);
        }
    }

    read_entries(tables, attr(profile, "ID"), &mut found);
    found.remarks = remarks.join("; ");
    Ok(found)
}

/// One FeatureVersion: an address, a nationality or citizenship, a birth date, or a remark.
fn read_feature(
    tables: &Tables,
    feature_type: &str,
    version: Node,
    found: &mut Record,
    remarks: &mut Vec<String>,
) {
    let lower = feature_type.to_ascii_lowercase();
    let locations: Vec<Node> = children(version, "VersionLocation")
        .filter_map(|v| tables.locations.get(attr(v, "LocationID")).copied())
        .collect();

    if lower == "location" {
        for location in locations {
            let (country, code) = tables.location_country(location);
            let mut parts = location_parts(location);
            if !country.is_empty() && !country.eq_ignore_ascii_case("undetermined") {
                parts.push(country);
            }
            if !parts.is_empty() {
                let address = parts.join(", ");
                if !found.addresses.contains(&address) {
                    found.addresses.push(address);
                }
            }
            if let Some(code) = code {
                found.add_country(code);
            }
        }
        return;
    }

    if lower.contains("nationality") || lower.contains("citizenship") {
        // OFAC writes these as a Location with no LocationCountry and the country's name
        // as its only LocationPart.
        for location in locations {
            let code = tables.location_country(location).1.or_else(|| {
                location_parts(location)
                    .into_iter()
                    .find_map(super::countries::iso2)
            });
            if let Some(code) = code {
                found.add_country(code);
            }
        }
        return;
    }

    if lower == "birthdate" {
        let Some(period) = child(version, "DatePeriod") else {
            return;
        };
        match birth_date(period) {
            BirthDate::Exact(date) if found.birth_date.is_empty() => found.birth_date = date,
            BirthDate::Exact(date) => remarks.push(format!("alt. DOB {date}")),
            BirthDate::Range(text) if found.birth_date.is_empty() => {
                remarks.push(format!("DOB {text}"))
            }
            BirthDate::Range(text) => remarks.push(format!("alt. DOB {text}")),
            BirthDate::Unreadable => {}
        }
        return;
    }

    // Anything else (place of birth, SWIFT/BIC, website, gender, directives ...) as a remark.
    let mut values: Vec<&str> = Vec::new();
    for detail in children(version, "VersionDetail") {
        let text = trimmed(detail);
        if !text.is_empty() {
            values.push(text);
        } else {
            let id = attr(detail, "DetailReferenceID");
            push_str(&mut values, tables.text("DetailReferenceValues", id));
        }
    }
    let place: Vec<String> = locations
        .iter()
        .map(|location| {
            let mut parts = location_parts(*location);
            parts.push(tables.location_country(*location).0);
            join_parts(parts.into_iter().filter(|p| !p.is_empty()), ", ")
        })
        .collect();
    values.extend(place.iter().map(String::as_str).filter(|p| !p.is_empty()));
    if !values.is_empty() {
        remarks.push(format!("{feature_type} {}", values.join(", ")));
    }
}

/// The primary value of each LocationPart, in file order.
fn location_parts<'a>(location: Node<'a, '_>) -> Vec<&'a str> {
    let mut parts = Vec::new();
    for part in children(location, "LocationPart") {
        let values: Vec<Node> = children(part, "LocationPartValue").collect();
        let chosen = values
            .iter()
            .find(|v| attr(**v, "Primary") == "true")
            .or_else(|| values.first());
        if let Some(value) = chosen {
            push_str(&mut parts, text_of(*value, "Value"));
        }
    }
    parts
}

enum BirthDate {
    /// `YYYY-MM-DD` or `YYYY`.
    Exact(String),
    /// Text for a span of years or an approximate date, e.g. `1958 to 1960`, `circa 1958`.
    Range(String),
    Unreadable,
}

/// A DatePeriod runs from Start/From to End/To. One day → `YYYY-MM-DD`; within one year → `YYYY`
/// (as the classic file's "1958" and "Jan 1958"); anything wider or approximate → a range text.
fn birth_date(period: Node) -> BirthDate {
    let start = child(period, "Start");
    let end = child(period, "End");
    let first = start
        .and_then(|s| child(s, "From").or_else(|| child(s, "To")))
        .and_then(ymd);
    let last = end
        .and_then(|e| child(e, "To").or_else(|| child(e, "From")))
        .and_then(ymd);
    let (Some(first), Some(last)) = (first, last.or(first)) else {
        return BirthDate::Unreadable;
    };
    let approximate = [start, end]
        .iter()
        .flatten()
        .any(|n| attr(*n, "Approximate") == "true");
    let text = if first == last {
        format_ymd(first)
    } else if first.0 == last.0 {
        first.0.to_string()
    } else {
        return BirthDate::Range(format!("{} to {}", first.0, last.0));
    };
    if approximate {
        BirthDate::Range(format!("circa {text}"))
    } else {
        BirthDate::Exact(text)
    }
}

type Ymd = (u32, Option<u32>, Option<u32>);

/// Year, Month and Day children; the year is required.
fn ymd(node: Node) -> Option<Ymd> {
    let number = |name| text_of(node, name).parse::<u32>().ok();
    let year = number("Year").filter(|y| (1..=9999).contains(y))?;
    let month = number("Month").filter(|m| (1..=12).contains(m));
    let day = number("Day").filter(|d| (1..=31).contains(d));
    Some((year, month, day))
}

fn format_ymd((year, month, day): Ymd) -> String {
    match (month, day) {
        (Some(month), Some(day)) => format!("{year:04}-{month:02}-{day:02}"),
        _ => format!("{year:04}"),
    }
}

/// A full date (DateOfIssue, EntryEvent/Date) as `YYYY-MM-DD`.
fn date_of(node: Node) -> Option<String> {
    match ymd(node)? {
        date @ (_, Some(_), Some(_)) => Some(format_ymd(date)),
        _ => None,
    }
}

/// Programmes and the listing date from the profile's SanctionsEntries.
///
/// The programme is the Comment of the SanctionsMeasure whose SanctionsType is "Program"; when an
/// entry has none, the SanctionsProgram of its EntryEvent's LegalBasis. The listing date is the
/// earliest EntryEvent Date.
fn read_entries(tables: &Tables, profile_id: &str, found: &mut Record) {
    let Some(entries) = tables.entries.get(profile_id) else {
        return;
    };
    for entry in entries {
        let mut programs = Vec::new();
        for measure in children(*entry, "SanctionsMeasure") {
            let sanctions_type =
                tables.text("SanctionsTypeValues", attr(measure, "SanctionsTypeID"));
            if sanctions_type.eq_ignore_ascii_case("program") {
                push_str(&mut programs, text_of(measure, "Comment"));
            }
        }
        for event in children(*entry, "EntryEvent") {
            if programs.is_empty() {
                let basis = tables.value("LegalBasisValues", attr(event, "LegalBasisID"));
                let program_id = basis.map(|b| attr(b, "SanctionsProgramID")).unwrap_or("");
                let program = tables.text("SanctionsProgramValues", program_id);
                if !program.eq_ignore_ascii_case("unknown") {
                    push_str(&mut programs, program);
                }
            }
            if let Some(date) = child(event, "Date").and_then(date_of) {
                if found.listed_on.is_empty() || date < found.listed_on {
                    found.listed_on = date;
                }
            }
        }
        for program in programs {
            if !found.programs.iter().any(|p| p == program) {
                found.programs.push(program.to_string());
            }
        }
    }
}

fn fixed_ref<'a>(node: Node<'a, '_>) -> String {
    attr(node, "FixedRef").to_string()
}

fn attr<'a>(node: Node<'a, '_>, name: &str) -> &'a str {
    node.attribute(name).unwrap_or_default().trim()
}

fn push_str<'a>(list: &mut Vec<&'a str>, text: &'a str) {
    if !text.is_empty() && !list.contains(&text) {
        list.push(text);
    }
}

#[cfg(test)]
mod tests;
