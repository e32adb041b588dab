//! Reads OFAC's classic `SDN.XML` (root `sdnList`, namespace `http://tempuri.org/sdnList.xsd`).
//! The element layout is described in `shared/data/FORMATS.md`, section 2, "Classic `SDN.XML`
//! element layout", after OFAC's SDN data specification.

use super::record::Record;
use super::xml::{self, child, children, is, line_of, push_nonempty, text_of, trimmed, Parsed};
use super::{date, id_type};
use crate::core::model::{EntityType, Identifier};
use roxmltree::Node;

/// Parses a whole file. Err(String) only when the file as a whole is unusable (not UTF-8, not
/// well-formed XML, or the wrong root element); a single bad record is pushed to `rejected` as
/// (line, reason) and parsing goes on.
pub fn parse(bytes: &[u8]) -> Result<Parsed, String> {
    let text = xml::text(bytes)?;
    let doc = xml::document(text, "sdnList", "OFAC SDN.XML")?;
    let root = doc.root_element();

    let mut parsed = Parsed::default();
    if let Some(info) = child(root, "publshInformation") {
        parsed.declared_count = text_of(info, "Record_Count").parse().ok();
        parsed.issued = us_date(text_of(info, "Publish_Date")).unwrap_or_default();
    }
    for entry in root.children().filter(|n| is(*n, "sdnEntry")) {
        let line = line_of(&doc, entry);
        match parse_entry(entry, line) {
            Ok(party) => parsed.parties.push(party),
            Err(reason) => parsed.rejected.push((line, reason)),
        }
    }
    Ok(parsed)
}

fn parse_entry(entry: Node, line: usize) -> Result<Record, String> {
    let uid = text_of(entry, "uid");
    if uid.is_empty() {
        return Err("sdnEntry has no uid".to_string());
    }
    let last = text_of(entry, "lastName");
    if last.is_empty() {
        return Err(format!("sdnEntry uid {uid} has no lastName"));
    }
    let mut party = Record {
        name: legacy_name(last, text_of(entry, "firstName")),
        kind: entity_type(text_of(entry, "sdnType")),
        uid: uid.to_string(),
        line,
        ..Record::default()
    };
    let mut remarks = Vec::new();
    push_nonempty(&mut remarks, text_of(entry, "remarks"));
    let title = text_of(entry, "title");
    if !title.is_empty() {
        remarks.push(format!("Title {title}"));
    }

    for program in list_items(entry, "programList", "program") {
        let program = trimmed(program);
        if !program.is_empty() && !party.programs.iter().any(|p| p == program) {
            party.programs.push(program.to_string());
        }
    }

    for id in list_items(entry, "idList", "id") {
        let value = text_of(id, "idNumber");
        if value.is_empty() {
            continue;
        }
        let identifier = Identifier {
            kind: id_type(text_of(id, "idType")),
            value: value.to_string(),
            checksum_valid: None,
        };
        if !party.identifiers.contains(&identifier) {
            party.identifiers.push(identifier);
        }
    }

    for aka in list_items(entry, "akaList", "aka") {
        let last = text_of(aka, "lastName");
        party.add_alias(&legacy_name(last, text_of(aka, "firstName")));
    }

    for address in list_items(entry, "addressList", "address") {
        let parts: Vec<&str> = [
            "address1",
            "address2",
            "address3",
            "city",
            "stateOrProvince",
            "postalCode",
            "region",
            "country",
        ]
        .iter()
        .map(|name| text_of(address, name))
        .filter(|part| !part.is_empty())
        .collect();
        if !parts.is_empty() {
            let line = parts.join(", ");
            if !party.addresses.contains(&line) {
                party.addresses.push(line);
            }
        }
        add_country_name(&mut party, text_of(address, "country"));
    }

    for item in list_items(entry, "nationalityList", "nationality") {
        add_country_name(&mut party, text_of(item, "country"));
    }
    for item in list_items(entry, "citizenshipList", "citizenship") {
        add_country_name(&mut party, text_of(item, "country"));
    }

    let mut births: Vec<Node> = list_items(entry, "dateOfBirthList", "dateOfBirthItem").collect();
    // The main entry first, then the others in file order.
    births.sort_by_key(|item| text_of(*item, "mainEntry") != "true");
    for item in births {
        let text = text_of(item, "dateOfBirth");
        if text.is_empty() {
            continue;
        }
        match date(text) {
            Some(date) if party.birth_date.is_empty() => party.birth_date = date,
            _ if party.birth_date.is_empty() => remarks.push(format!("DOB {text}")),
            _ => remarks.push(format!("alt. DOB {text}")),
        }
    }

    for item in list_items(entry, "placeOfBirthList", "placeOfBirthItem") {
        let place = text_of(item, "placeOfBirth");
        if !place.is_empty() {
            remarks.push(format!("POB {place}"));
        }
    }

    if let Some(vessel) = child(entry, "vesselInfo") {
        for (element, label) in [
            ("callSign", "Call Sign"),
            ("vesselType", "Vessel Type"),
            ("vesselFlag", "Flag"),
            ("vesselOwner", "Vessel Owner"),
            ("tonnage", "Tonnage"),
            ("grossRegisteredTonnage", "GRT"),
        ] {
            let value = text_of(vessel, element);
            if !value.is_empty() {
                remarks.push(format!("{label} {value}"));
            }
        }
    }

    party.remarks = remarks.join("; ");
    Ok(party)
}

/// `LAST, First` as the legacy SDN CSV writes names; just `LAST` without a first name.
fn legacy_name(last: &str, first: &str) -> String {
    if first.is_empty() {
        last.to_string()
    } else if last.is_empty() {
        first.to_string()
    } else {
        format!("{last}, {first}")
    }
}

fn entity_type(sdn_type: &str) -> Option<EntityType> {
    match sdn_type.to_ascii_lowercase().as_str() {
        "" => None,
        "individual" => Some(EntityType::Person),
        "entity" => Some(EntityType::Organization),
        "vessel" => Some(EntityType::Vessel),
        "aircraft" => Some(EntityType::Aircraft),
        _ => Some(EntityType::Unknown),
    }
}

fn add_country_name(party: &mut Record, name: &str) {
    if let Some(code) = super::countries::iso2(name) {
        party.add_country(code);
    }
}

/// `MM/DD/YYYY` → `YYYY-MM-DD` (the publication date's form; nothing else is accepted).
fn us_date(text: &str) -> Option<String> {
    text.contains('/').then(|| date(text)).flatten()
}

/// The `item` children of the `list` child of `node`.
fn list_items<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    list: &'a str,
    item: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    children(node, list).flat_map(move |n| children(n, item))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" standalone="yes"?>
<sdnList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://tempuri.org/sdnList.xsd">
  <publshInformation>
    <Publish_Date>03/07/2024</Publish_Date>
    <Record_Count>3</Record_Count>
  </publshInformation>
  <sdnEntry>
    <uid>1001</uid>
    <firstName>Jane Q.</firstName>
    <lastName>EXAMPLE</lastName>
    <title>Director</title>
    <sdnType>Individual</sdnType>
    <remarks>Made-up test person.</remarks>
    <programList>
      <program>TEST-ONE</program>
      <program>TEST-TWO</program>
      <program>TEST-ONE</program>
    </programList>
    <idList>
      <id>
        <uid>1</uid>
        <idType>Passport</idType>
        <idNumber>X1234567</idNumber>
        <idCountry>China</idCountry>
      </id>
      <id>
        <uid>2</uid>
        <idType>Unified Social Credit Code (USCC)</idType>
        <idNumber>91110000000000000X</idNumber>
      </id>
      <id>
        <uid>3</uid>
        <idType>Tax ID No.</idType>
        <idNumber></idNumber>
      </id>
    </idList>
    <akaList>
      <aka>
        <uid>11</uid>
        <type>a.k.a.</type>
        <category>strong</category>
        <lastName>SAMPLE</lastName>
        <firstName>Jan</firstName>
      </aka>
      <aka>
        <uid>12</uid>
        <type>f.k.a.</type>
        <category>weak</category>
        <lastName>Example, Jane Q.</lastName>
      </aka>
      <aka>
        <uid>13</uid>
        <type>a.k.a.</type>
        <category>weak</category>
        <lastName>JQ</lastName>
      </aka>
    </akaList>
    <addressList>
      <address>
        <uid>21</uid>
        <address1>1 Test Road</address1>
        <address2>Unit 2</address2>
        <city>Beijing</city>
        <postalCode>100000</postalCode>
        <country>China</country>
      </address>
      <address>
        <uid>22</uid>
        <city>Atlantis</city>
        <country>Lost Continent</country>
      </address>
    </addressList>
    <nationalityList>
      <nationality><uid>31</uid><country>Hong Kong</country><mainEntry>true</mainEntry></nationality>
    </nationalityList>
    <citizenshipList>
      <citizenship><uid>32</uid><country>China</country><mainEntry>true</mainEntry></citizenship>
    </citizenshipList>
    <dateOfBirthList>
      <dateOfBirthItem><uid>41</uid><dateOfBirth>1960</dateOfBirth><mainEntry>false</mainEntry></dateOfBirthItem>
      <dateOfBirthItem><uid>42</uid><dateOfBirth>12 Jan 1958</dateOfBirth><mainEntry>true</mainEntry></dateOfBirthItem>
    </dateOfBirthList>
    <placeOfBirthList>
      <placeOfBirthItem><uid>51</uid><placeOfBirth>Shanghai, China</placeOfBirth><mainEntry>true</mainEntry></placeOfBirthItem>
    </placeOfBirthList>
  </sdnEntry>
  <sdnEntry>
    <uid>1002</uid>
    <lastName>TEST VESSEL</lastName>
    <sdnType>Vessel</sdnType>
    <programList><program>TEST-ONE</program></programList>
    <vesselInfo>
      <callSign>ABCD</callSign>
      <vesselFlag>Korea, North</vesselFlag>
    </vesselInfo>
  </sdnEntry>
  <sdnEntry>
    <uid>1003</uid>
    <firstName>Nobody</firstName>
    <sdnType>Individual</sdnType>
  </sdnEntry>
  <sdnEntry>
    <uid>1004</uid>
    <lastName>CIRCA, Person</lastName>
    <sdnType>Individual</sdnType>
    <dateOfBirthList>
      <dateOfBirthItem><uid>43</uid><dateOfBirth>circa 1970</dateOfBirth><mainEntry>true</mainEntry></dateOfBirthItem>
    </dateOfBirthList>
  </sdnEntry>
</sdnList>
"#;

    /// The 1-based line of the first occurrence of `needle` in the sample.
    fn line_in_sample(needle: &str) -> usize {
        let at = SAMPLE.find(needle).expect("needle in sample");
        1 + SAMPLE[..at].matches('\n').count()
    }

    #[test]
    fn reads_every_field() {
        let parsed = parse(SAMPLE.as_bytes()).expect("sample parses");
        assert_eq!(parsed.declared_count, Some(3));
        assert_eq!(parsed.issued, "2024-03-07");
        assert_eq!(parsed.parties.len(), 3);

        let p = &parsed.parties[0];
        assert_eq!(p.uid, "1001");
        assert_eq!(p.line, line_in_sample("<sdnEntry>\n    <uid>1001"));
        assert_eq!(p.kind, Some(EntityType::Person));
        assert_eq!(p.name, "EXAMPLE, Jane Q.");
        assert_eq!(p.aliases, vec!["SAMPLE, Jan", "JQ"]);
        assert_eq!(p.programs, vec!["TEST-ONE", "TEST-TWO"]);
        assert_eq!(p.countries, vec!["CN", "HK"]);
        assert_eq!(
            p.addresses,
            vec![
                "1 Test Road, Unit 2, Beijing, 100000, China",
                "Atlantis, Lost Continent"
            ]
        );
        let ids: Vec<(&str, &str)> = p
            .identifiers
            .iter()
            .map(|i| (i.kind.as_str(), i.value.as_str()))
            .collect();
        assert_eq!(
            ids,
            vec![("passport", "X1234567"), ("uscc", "91110000000000000X")]
        );
        assert!(p.identifiers.iter().all(|i| i.checksum_valid.is_none()));
        assert_eq!(p.birth_date, "1958-01-12");
        assert_eq!(
            p.remarks,
            "Made-up test person.; Title Director; alt. DOB 1960; POB Shanghai, China"
        );

        let v = &parsed.parties[1];
        assert_eq!(v.kind, Some(EntityType::Vessel));
        assert_eq!(v.name, "TEST VESSEL");
        assert_eq!(v.remarks, "Call Sign ABCD; Flag Korea, North");
        assert!(v.countries.is_empty());

        let c = &parsed.parties[2];
        assert_eq!(c.uid, "1004");
        assert_eq!(c.birth_date, "");
        assert_eq!(c.remarks, "DOB circa 1970");

        assert_eq!(
            parsed.rejected,
            vec![(
                line_in_sample("<sdnEntry>\n    <uid>1003"),
                "sdnEntry uid 1003 has no lastName".to_string()
            )]
        );
    }

    #[test]
    fn birth_dates() {
        assert_eq!(date("12 Jan 1958").as_deref(), Some("1958-01-12"));
        assert_eq!(date("3 SEP 1970").as_deref(), Some("1970-09-03"));
        assert_eq!(date("1958").as_deref(), Some("1958"));
        assert_eq!(date("Jan 1958").as_deref(), Some("1958"));
        assert_eq!(date("1958 to 1960"), None);
        assert_eq!(date("circa 1958"), None);
        assert_eq!(date("32 Jan 1958"), None);
        assert_eq!(date(""), None);
    }

    #[test]
    fn publish_dates() {
        assert_eq!(us_date("10/29/2020").as_deref(), Some("2020-10-29"));
        assert_eq!(us_date("1/2/2021").as_deref(), Some("2021-01-02"));
        assert_eq!(us_date("2020-10-29"), None);
        assert_eq!(us_date("13/01/2020"), None);
    }

    #[test]
    fn bom_and_no_namespace_are_fine() {
        let xml = "\u{feff}<sdnList><sdnEntry><uid>7</uid><lastName>ACME</lastName>\
                   <sdnType>Entity</sdnType></sdnEntry></sdnList>";
        let parsed = parse(xml.as_bytes()).expect("parses");
        assert_eq!(parsed.parties.len(), 1);
        assert_eq!(parsed.parties[0].kind, Some(EntityType::Organization));
        assert_eq!(parsed.declared_count, None);
        assert_eq!(parsed.issued, "");
    }

    #[test]
    fn whole_file_errors() {
        let cut = SAMPLE.find("</sdnEntry>").unwrap_or_default();
        let truncated = &SAMPLE[..cut];
        let err = parse(truncated.as_bytes()).unwrap_err();
        assert!(err.starts_with("not well-formed XML at "), "{err}");

        let err = parse(b"<sdnList>\n<a>\xff</a></sdnList>").unwrap_err();
        assert_eq!(err, "not UTF-8: invalid byte at line 2 (byte offset 13)");

        let err = parse(b"<Sanctions/>").unwrap_err();
        assert!(err.contains("expected <sdnList>"), "{err}");

        assert!(parse(b"").is_err());
    }
}
