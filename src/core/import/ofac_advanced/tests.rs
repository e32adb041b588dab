//! The advanced XML reader on a small sample written by hand, and on its edge cases.

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
