//! Reads OFAC's Advanced Sanctions List Standard XML (`sdn_advanced.xml`, `cons_advanced.xml`;
//! root `Sanctions`, namespace `http://www.un.org/sanctions/1.0`). The layout is described in
//! `shared/data/FORMATS.md`, "Advanced XML (ASLS) layout", and in OFAC's `sdn_advanced.xsd`.

use super::id_type;
use super::record::Record;
use super::xml::{self, child, children, is, line_of, push_nonempty, text_of, trimmed, Parsed};
use crate::core::model::{EntityType, Identifier};
use roxmltree::Node;
use std::collections::HashMap;

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

#[derive(Default)]
struct Names {
    /// The name of the primary Latin alias.
    primary: Option<String>,
    /// Every other Latin-script name, in file order.
    latin: Vec<String>,
    /// Names in other scripts, without duplicates.
    native: Vec<String>,
}

fn read_names(tables: &Tables, profile: Node, person: bool) -> Names {
    let mut names = Names::default();
    for identity in children(profile, "Identity") {
        // NamePartGroup ID → name part type, e.g. "Last Name".
        let mut part_types = HashMap::new();
        for group in identity.descendants().filter(|n| is(*n, "NamePartGroup")) {
            let part_type = tables.text("NamePartTypeValues", attr(group, "NamePartTypeID"));
            part_types.insert(attr(group, "ID"), part_type);
        }
        for alias in children(identity, "Alias") {
            let primary = attr(alias, "Primary") == "true";
            for documented in children(alias, "DocumentedName") {
                let mut parts = Vec::new();
                let mut script = "";
                for value in documented.descendants().filter(|n| is(*n, "NamePartValue")) {
                    let text = trimmed(value);
                    if text.is_empty() {
                        continue;
                    }
                    if script.is_empty() {
                        script = attr(value, "ScriptID");
                    }
                    let group = attr(value, "NamePartGroupID");
                    let part_type = part_types.get(group).copied().unwrap_or_default();
                    parts.push((part_type, text));
                }
                if parts.is_empty() {
                    continue;
                }
                let latin = tables
                    .is_latin_script(script)
                    .unwrap_or_else(|| parts.iter().all(|(_, text)| looks_latin(text)));
                if !latin {
                    let name = native_name(&parts);
                    if !names.native.contains(&name) {
                        names.native.push(name);
                    }
                } else if primary && names.primary.is_none() {
                    names.primary = Some(latin_name(&parts, person));
                } else {
                    names.latin.push(latin_name(&parts, person));
                }
            }
        }
    }
    names
}

/// For persons `Last, First Middle` (the legacy CSV order); for others the parts in file order.
fn latin_name(parts: &[(&str, &str)], person: bool) -> String {
    if !person {
        return join_parts(parts.iter().map(|(_, text)| *text), " ");
    }
    let last = join_parts(
        parts
            .iter()
            .filter(|(kind, _)| is_last_name(kind))
            .map(|(_, text)| *text),
        " ",
    );
    let mut rest: Vec<&(&str, &str)> = parts
        .iter()
        .filter(|(kind, _)| !is_last_name(kind))
        .collect();
    rest.sort_by_key(|(kind, _)| given_name_rank(kind));
    let rest = join_parts(rest.iter().map(|(_, text)| *text), " ");
    match (last.is_empty(), rest.is_empty()) {
        (false, false) => format!("{last}, {rest}"),
        (false, true) => last,
        _ => rest,
    }
}

fn is_last_name(kind: &str) -> bool {
    kind.eq_ignore_ascii_case("Last Name")
}

/// Order of the parts after the comma: first names, middle names, patronymic, the rest.
fn given_name_rank(kind: &str) -> u8 {
    match kind.to_ascii_lowercase().as_str() {
        "first name" => 0,
        "middle name" => 1,
        "patronymic" => 2,
        "matronymic" => 3,
        _ => 4,
    }
}

/// Parts in file order: run together when all are CJK, else separated by spaces.
fn native_name(parts: &[(&str, &str)]) -> String {
    let cjk = parts.iter().all(|(_, text)| text.chars().all(is_cjk));
    join_parts(
        parts.iter().map(|(_, text)| *text),
        if cjk { "" } else { " " },
    )
}

fn join_parts<'s>(parts: impl Iterator<Item = &'s str>, separator: &str) -> String {
    parts.collect::<Vec<_>>().join(separator)
}

/// True unless the text has a letter outside the Latin blocks (used when a ScriptID is unknown).
fn looks_latin(text: &str) -> bool {
    text.chars()
        .filter(|c| c.is_alphabetic())
        .all(|c| (c as u32) <= 0x024F || ('\u{1E00}'..='\u{1EFF}').contains(&c))
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3134F)
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
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Sanctions xmlns="http://www.un.org/sanctions/1.0" Version="3">
  <DateOfIssue CalendarTypeID="1"><Year>2024</Year><Month>5</Month><Day>6</Day></DateOfIssue>
  <ReferenceValueSets>
    <AliasTypeValues>
      <AliasType ID="1">A.K.A.</AliasType>
      <AliasType ID="2">Name</AliasType>
    </AliasTypeValues>
    <CountryValues>
      <Country ID="100" ISO2="CN">China</Country>
      <Country ID="102">Lost Continent</Country>
      <Country ID="103">undetermined</Country>
    </CountryValues>
    <DetailReferenceValues>
      <DetailReference ID="7">Female</DetailReference>
    </DetailReferenceValues>
    <FeatureTypeValues>
      <FeatureType ID="8">Birthdate</FeatureType>
      <FeatureType ID="9">Place of Birth</FeatureType>
      <FeatureType ID="10">Nationality Country</FeatureType>
      <FeatureType ID="13">SWIFT/BIC</FeatureType>
      <FeatureType ID="25">Location</FeatureType>
      <FeatureType ID="224">Gender</FeatureType>
    </FeatureTypeValues>
    <IDRegDocTypeValues>
      <IDRegDocType ID="1">Passport</IDRegDocType>
      <IDRegDocType ID="2">Unified Social Credit Code (USCC)</IDRegDocType>
    </IDRegDocTypeValues>
    <LegalBasisValues>
      <LegalBasis ID="1" SanctionsProgramID="1">Unknown</LegalBasis>
      <LegalBasis ID="2" SanctionsProgramID="20">Executive Order 99999</LegalBasis>
    </LegalBasisValues>
    <NamePartTypeValues>
      <NamePartType ID="1520">Last Name</NamePartType>
      <NamePartType ID="1521">First Name</NamePartType>
      <NamePartType ID="1522">Middle Name</NamePartType>
      <NamePartType ID="1525">Entity Name</NamePartType>
      <NamePartType ID="1526">Vessel Name</NamePartType>
    </NamePartTypeValues>
    <PartySubTypeValues>
      <PartySubType ID="1" PartyTypeID="4">Vessel</PartySubType>
      <PartySubType ID="3" PartyTypeID="2">Unknown</PartySubType>
      <PartySubType ID="4" PartyTypeID="1">Unknown</PartySubType>
    </PartySubTypeValues>
    <PartyTypeValues>
      <PartyType ID="1">Individual</PartyType>
      <PartyType ID="2">Entity</PartyType>
      <PartyType ID="4">Transport</PartyType>
    </PartyTypeValues>
    <SanctionsProgramValues>
      <SanctionsProgram ID="1">Unknown</SanctionsProgram>
      <SanctionsProgram ID="20">TEST-EO99999</SanctionsProgram>
    </SanctionsProgramValues>
    <SanctionsTypeValues>
      <SanctionsType ID="1">Program</SanctionsType>
      <SanctionsType ID="1705">Block</SanctionsType>
    </SanctionsTypeValues>
    <ScriptValues>
      <Script ID="215" ScriptCode="Latin">Latin</Script>
      <Script ID="216" ScriptCode="Hans">Chinese Simplified</Script>
      <Script ID="220" ScriptCode="Cyrl">Cyrillic</Script>
    </ScriptValues>
  </ReferenceValueSets>
  <Locations>
    <Location ID="1">
      <LocationCountry CountryID="100" />
      <LocationPart LocPartTypeID="1451">
        <LocationPartValue Primary="true"><Value>1 Test Road</Value></LocationPartValue>
      </LocationPart>
      <LocationPart LocPartTypeID="1454">
        <LocationPartValue Primary="false"><Value>Peking</Value></LocationPartValue>
        <LocationPartValue Primary="true"><Value>Beijing</Value></LocationPartValue>
      </LocationPart>
    </Location>
    <Location ID="2">
      <LocationCountry CountryID="102" />
      <LocationPart LocPartTypeID="1454">
        <LocationPartValue Primary="true"><Value>Atlantis</Value></LocationPartValue>
      </LocationPart>
    </Location>
    <Location ID="3">
      <LocationPart LocPartTypeID="1">
        <LocationPartValue Primary="true"><Value>Hong Kong</Value></LocationPartValue>
      </LocationPart>
    </Location>
    <Location ID="4">
      <LocationCountry CountryID="103" />
    </Location>
  </Locations>
  <IDRegDocuments>
    <IDRegDocument ID="1" IDRegDocTypeID="1" IdentityID="11">
      <IDRegistrationNo>X1234567</IDRegistrationNo>
    </IDRegDocument>
    <IDRegDocument ID="2" IDRegDocTypeID="2" IdentityID="21">
      <IDRegistrationNo>91110000000000000X</IDRegistrationNo>
    </IDRegDocument>
    <IDRegDocument ID="3" IDRegDocTypeID="1" IdentityID="21">
      <IDRegistrationNo> </IDRegistrationNo>
    </IDRegDocument>
  </IDRegDocuments>
  <DistinctParties>
    <DistinctParty FixedRef="1001">
      <Comment>Made-up test person.</Comment>
      <Profile ID="1001" PartySubTypeID="4">
        <Identity ID="11" FixedRef="1001" Primary="true" False="false">
          <Alias FixedRef="1001" AliasTypeID="1" Primary="false" LowQuality="true">
            <DocumentedName ID="3">
              <DocumentedNamePart><NamePartValue NamePartGroupID="103" ScriptID="215">JQ</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <Alias FixedRef="1001" AliasTypeID="2" Primary="true" LowQuality="false">
            <DocumentedName ID="1">
              <DocumentedNamePart><NamePartValue NamePartGroupID="101" ScriptID="215">Jane</NamePartValue></DocumentedNamePart>
              <DocumentedNamePart><NamePartValue NamePartGroupID="100" ScriptID="215">EXAMPLE</NamePartValue></DocumentedNamePart>
              <DocumentedNamePart><NamePartValue NamePartGroupID="102" ScriptID="215">Quinn</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <Alias FixedRef="1001" AliasTypeID="1" Primary="false" LowQuality="false">
            <DocumentedName ID="2">
              <DocumentedNamePart><NamePartValue NamePartGroupID="104" ScriptID="220">ПРИМЕР</NamePartValue></DocumentedNamePart>
              <DocumentedNamePart><NamePartValue NamePartGroupID="105" ScriptID="220">Жанна</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <NamePartGroups>
            <MasterNamePartGroup><NamePartGroup ID="100" NamePartTypeID="1520" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="101" NamePartTypeID="1521" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="102" NamePartTypeID="1522" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="103" NamePartTypeID="1521" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="104" NamePartTypeID="1520" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="105" NamePartTypeID="1521" /></MasterNamePartGroup>
          </NamePartGroups>
        </Identity>
        <Feature ID="1" FeatureTypeID="8">
          <FeatureVersion ID="1">
            <DatePeriod CalendarTypeID="1">
              <Start Approximate="false">
                <From><Year>1958</Year><Month>1</Month><Day>12</Day></From>
                <To><Year>1958</Year><Month>1</Month><Day>12</Day></To>
              </Start>
              <End Approximate="false">
                <From><Year>1958</Year><Month>1</Month><Day>12</Day></From>
                <To><Year>1958</Year><Month>1</Month><Day>12</Day></To>
              </End>
            </DatePeriod>
          </FeatureVersion>
        </Feature>
        <Feature ID="2" FeatureTypeID="8">
          <FeatureVersion ID="2">
            <DatePeriod CalendarTypeID="1">
              <Start Approximate="false"><From><Year>1960</Year><Month>1</Month><Day>1</Day></From></Start>
              <End Approximate="false"><To><Year>1961</Year><Month>12</Month><Day>31</Day></To></End>
            </DatePeriod>
          </FeatureVersion>
        </Feature>
        <Feature ID="3" FeatureTypeID="10">
          <FeatureVersion ID="3"><VersionLocation LocationID="3" /></FeatureVersion>
        </Feature>
        <Feature ID="4" FeatureTypeID="9">
          <FeatureVersion ID="4"><VersionDetail DetailTypeID="1432">Shanghai, China</VersionDetail></FeatureVersion>
        </Feature>
        <Feature ID="5" FeatureTypeID="224">
          <FeatureVersion ID="5"><VersionDetail DetailTypeID="1431" DetailReferenceID="7" /></FeatureVersion>
        </Feature>
      </Profile>
    </DistinctParty>
    <DistinctParty FixedRef="1002">
      <Comment />
      <Profile ID="1002" PartySubTypeID="3">
        <Identity ID="21" FixedRef="1002" Primary="true" False="false">
          <Alias FixedRef="1002" AliasTypeID="2" Primary="true" LowQuality="false">
            <DocumentedName ID="21">
              <DocumentedNamePart><NamePartValue NamePartGroupID="200" ScriptID="215">EXAMPLE TRADING CO., LTD.</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <Alias FixedRef="1002" AliasTypeID="1" Primary="false" LowQuality="false">
            <DocumentedName ID="22">
              <DocumentedNamePart><NamePartValue NamePartGroupID="201" ScriptID="216">示例贸易有限公司</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <Alias FixedRef="1002" AliasTypeID="1" Primary="false" LowQuality="false">
            <DocumentedName ID="23">
              <DocumentedNamePart><NamePartValue NamePartGroupID="202" ScriptID="215">Example Trading Co., Ltd.</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <Alias FixedRef="1002" AliasTypeID="1" Primary="false" LowQuality="false">
            <DocumentedName ID="24">
              <DocumentedNamePart><NamePartValue NamePartGroupID="203" ScriptID="215">EXAMPLE</NamePartValue></DocumentedNamePart>
              <DocumentedNamePart><NamePartValue NamePartGroupID="204" ScriptID="215">TRADING</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <Alias FixedRef="1002" AliasTypeID="1" Primary="false" LowQuality="false">
            <DocumentedName ID="25">
              <DocumentedNamePart><NamePartValue NamePartGroupID="205" ScriptID="999">مثال</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <NamePartGroups>
            <MasterNamePartGroup><NamePartGroup ID="200" NamePartTypeID="1525" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="201" NamePartTypeID="1525" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="202" NamePartTypeID="1525" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="203" NamePartTypeID="1525" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="204" NamePartTypeID="1525" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="205" NamePartTypeID="1525" /></MasterNamePartGroup>
          </NamePartGroups>
        </Identity>
        <Feature ID="6" FeatureTypeID="25">
          <FeatureVersion ID="6">
            <VersionLocation LocationID="1" />
            <VersionLocation LocationID="2" />
            <VersionLocation LocationID="4" />
            <VersionLocation LocationID="404" />
          </FeatureVersion>
        </Feature>
        <Feature ID="7" FeatureTypeID="13">
          <FeatureVersion ID="7"><VersionDetail DetailTypeID="1432">EXAMCNBJ</VersionDetail></FeatureVersion>
        </Feature>
      </Profile>
    </DistinctParty>
    <DistinctParty FixedRef="1003">
      <Profile ID="1003" PartySubTypeID="1">
        <Identity ID="31">
          <Alias AliasTypeID="2" Primary="true">
            <DocumentedName ID="31">
              <DocumentedNamePart><NamePartValue NamePartGroupID="300" ScriptID="215">TEST VESSEL</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <NamePartGroups>
            <MasterNamePartGroup><NamePartGroup ID="300" NamePartTypeID="1526" /></MasterNamePartGroup>
          </NamePartGroups>
        </Identity>
      </Profile>
    </DistinctParty>
    <DistinctParty FixedRef="1004">
      <Profile ID="1004" PartySubTypeID="3">
        <Identity ID="41">
          <Alias AliasTypeID="2" Primary="true">
            <DocumentedName ID="41">
              <DocumentedNamePart><NamePartValue NamePartGroupID="400" ScriptID="216">测试</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
        </Identity>
      </Profile>
    </DistinctParty>
    <DistinctParty FixedRef="1005">
      <Comment>No profile.</Comment>
    </DistinctParty>
  </DistinctParties>
  <SanctionsEntries>
    <SanctionsEntry ID="1" ProfileID="1001" ListID="1">
      <EntryEvent ID="1" EntryEventTypeID="1" LegalBasisID="1">
        <Date CalendarTypeID="1"><Year>2020</Year><Month>3</Month><Day>4</Day></Date>
      </EntryEvent>
      <SanctionsMeasure ID="1" SanctionsTypeID="1705"><Comment /></SanctionsMeasure>
      <SanctionsMeasure ID="2" SanctionsTypeID="1"><Comment>TEST-ONE</Comment></SanctionsMeasure>
    </SanctionsEntry>
    <SanctionsEntry ID="2" ProfileID="1001" ListID="2">
      <EntryEvent ID="2" EntryEventTypeID="1" LegalBasisID="1">
        <Date CalendarTypeID="1"><Year>2010</Year><Month>11</Month><Day>12</Day></Date>
      </EntryEvent>
      <SanctionsMeasure ID="3" SanctionsTypeID="1"><Comment>TEST-TWO</Comment></SanctionsMeasure>
      <SanctionsMeasure ID="4" SanctionsTypeID="1"><Comment>TEST-ONE</Comment></SanctionsMeasure>
    </SanctionsEntry>
    <SanctionsEntry ID="3" ProfileID="1002" ListID="1">
      <EntryEvent ID="3" EntryEventTypeID="1" LegalBasisID="1">
        <Date CalendarTypeID="1"><Year>2021</Year><Month>1</Month><Day>2</Day></Date>
      </EntryEvent>
      <SanctionsMeasure ID="5" SanctionsTypeID="1"><Comment>TEST-ONE</Comment></SanctionsMeasure>
    </SanctionsEntry>
    <SanctionsEntry ID="4" ProfileID="1003" ListID="1">
      <EntryEvent ID="4" EntryEventTypeID="1" LegalBasisID="2">
        <Date CalendarTypeID="1"><Year>2022</Year><Month>2</Month><Day>3</Day></Date>
      </EntryEvent>
      <SanctionsMeasure ID="6" SanctionsTypeID="1705"><Comment /></SanctionsMeasure>
    </SanctionsEntry>
  </SanctionsEntries>
  <SanctionsEntryLinks />
</Sanctions>
"#;

    /// The 1-based line of the first occurrence of `needle` in the sample.
    fn line_in_sample(needle: &str) -> usize {
        let at = SAMPLE.find(needle).expect("needle in sample");
        1 + SAMPLE[..at].matches('\n').count()
    }

    #[test]
    fn reads_a_person() {
        let parsed = parse(SAMPLE.as_bytes()).expect("sample parses");
        assert_eq!(parsed.issued, "2024-05-06");
        assert_eq!(parsed.declared_count, None);
        assert_eq!(parsed.parties.len(), 3);

        let p = &parsed.parties[0];
        assert_eq!(p.uid, "1001");
        assert_eq!(p.line, line_in_sample(r#"<DistinctParty FixedRef="1001">"#));
        assert_eq!(p.kind, Some(EntityType::Person));
        assert_eq!(p.name, "EXAMPLE, Jane Quinn");
        assert_eq!(p.aliases, vec!["JQ"]);
        assert_eq!(p.native_names, vec!["ПРИМЕР Жанна"]);
        assert_eq!(p.birth_date, "1958-01-12");
        assert_eq!(p.countries, vec!["HK"]);
        assert!(p.addresses.is_empty());
        assert_eq!(p.programs, vec!["TEST-ONE", "TEST-TWO"]);
        assert_eq!(p.listed_on, "2010-11-12");
        assert_eq!(p.identifiers.len(), 1);
        assert_eq!(p.identifiers[0].kind, "passport");
        assert_eq!(p.identifiers[0].value, "X1234567");
        assert_eq!(p.identifiers[0].checksum_valid, None);
        assert_eq!(
            p.remarks,
            "Made-up test person.; alt. DOB 1960 to 1961; Place of Birth Shanghai, China; \
             Gender Female"
        );
    }

    #[test]
    fn reads_an_entity_and_a_vessel() {
        let parsed = parse(SAMPLE.as_bytes()).expect("sample parses");
        let e = &parsed.parties[1];
        assert_eq!(e.uid, "1002");
        assert_eq!(e.kind, Some(EntityType::Organization));
        assert_eq!(e.name, "EXAMPLE TRADING CO., LTD.");
        assert_eq!(e.aliases, vec!["EXAMPLE TRADING"]);
        assert_eq!(e.native_names, vec!["示例贸易有限公司", "مثال"]);
        assert_eq!(
            e.addresses,
            vec!["1 Test Road, Beijing, China", "Atlantis, Lost Continent"]
        );
        assert_eq!(e.countries, vec!["CN"]);
        assert_eq!(e.identifiers.len(), 1);
        assert_eq!(e.identifiers[0].kind, "uscc");
        assert_eq!(e.identifiers[0].value, "91110000000000000X");
        assert_eq!(e.programs, vec!["TEST-ONE"]);
        assert_eq!(e.listed_on, "2021-01-02");
        assert_eq!(e.birth_date, "");
        assert_eq!(e.remarks, "SWIFT/BIC EXAMCNBJ");

        let v = &parsed.parties[2];
        assert_eq!(v.uid, "1003");
        assert_eq!(v.kind, Some(EntityType::Vessel));
        assert_eq!(v.name, "TEST VESSEL");
        assert_eq!(v.programs, vec!["TEST-EO99999"]);
        assert_eq!(v.listed_on, "2022-02-03");
    }

    #[test]
    fn rejects_parties_without_a_usable_name() {
        let parsed = parse(SAMPLE.as_bytes()).expect("sample parses");
        assert_eq!(
            parsed.rejected,
            vec![
                (
                    line_in_sample(r#"<DistinctParty FixedRef="1004">"#),
                    "DistinctParty 1004 has no Latin-script name".to_string()
                ),
                (
                    line_in_sample(r#"<DistinctParty FixedRef="1005">"#),
                    "DistinctParty 1005 has no Profile".to_string()
                ),
            ]
        );
    }

    #[test]
    fn person_names_follow_the_legacy_order() {
        let parts = [
            ("First Name", "Ivan"),
            ("Patronymic", "Ivanovich"),
            ("Last Name", "IVANOV"),
            ("Middle Name", "M."),
        ];
        assert_eq!(latin_name(&parts, true), "IVANOV, Ivan M. Ivanovich");
        assert_eq!(latin_name(&parts, false), "Ivan Ivanovich IVANOV M.");
        assert_eq!(latin_name(&[("Last Name", "SOLO")], true), "SOLO");
        assert_eq!(latin_name(&[("First Name", "Solo")], true), "Solo");
    }

    fn period(xml: &str) -> BirthDate {
        let doc = roxmltree::Document::parse(xml).expect("test XML parses");
        birth_date(doc.root_element())
    }

    #[test]
    fn birth_date_periods() {
        let year = "<DatePeriod>\
            <Start><From><Year>1962</Year><Month>1</Month><Day>1</Day></From></Start>\
            <End><To><Year>1962</Year><Month>12</Month><Day>31</Day></To></End></DatePeriod>";
        assert!(matches!(period(year), BirthDate::Exact(d) if d == "1962"));
        let only_start = "<DatePeriod><Start><From><Year>1970</Year><Month>2</Month>\
            <Day>3</Day></From></Start></DatePeriod>";
        assert!(matches!(period(only_start), BirthDate::Exact(d) if d == "1970-02-03"));
        let circa = "<DatePeriod><Start Approximate=\"true\"><From><Year>1955</Year></From>\
            </Start><End Approximate=\"true\"><To><Year>1955</Year></To></End></DatePeriod>";
        assert!(matches!(period(circa), BirthDate::Range(d) if d == "circa 1955"));
        let bad = "<DatePeriod><Start><From><Year>x</Year></From></Start></DatePeriod>";
        assert!(matches!(period(bad), BirthDate::Unreadable));
    }

    #[test]
    fn whole_file_errors() {
        let cut = SAMPLE.find("</DistinctParty>").unwrap_or_default();
        let truncated = &SAMPLE[..cut];
        let err = parse(truncated.as_bytes()).unwrap_err();
        assert!(err.starts_with("not well-formed XML at "), "{err}");
        assert!(err.contains("cut short"), "{err}");

        let err = parse(b"<Sanctions>\n<a>\xc3</a></Sanctions>").unwrap_err();
        assert!(
            err.starts_with("not UTF-8: invalid byte at line 2"),
            "{err}"
        );

        let err = parse(b"<sdnList/>").unwrap_err();
        assert!(err.contains("expected <Sanctions>"), "{err}");

        let bom = "\u{feff}<Sanctions xmlns=\"http://www.un.org/sanctions/1.0\"/>";
        let parsed = parse(bom.as_bytes()).expect("empty file parses");
        assert!(parsed.parties.is_empty() && parsed.rejected.is_empty());
        assert_eq!(parsed.issued, "");
    }
}
