//! Importers on the small hand-written files of `tests/fixtures/import/` (their README lists
//! every record): each format yields the documented entities, and malformed input (bad
//! encoding, missing columns, short rows, truncated XML, broken JSON) is rejected where the
//! README says, record by record or whole file.

use crate::support::{counts, find};
use std::path::PathBuf;
use watchlist::core::import::{Format, Imported};
use watchlist::core::model::EntityType;
use watchlist::feeds::files::read_path;

fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(relative)
}

fn import(format: Format, relative: &str) -> Imported {
    read_path(format, &fixture(relative)).unwrap_or_else(|e| panic!("{relative} as {format}: {e}"))
}

fn rejected_lines(imported: &Imported) -> Vec<usize> {
    imported.rejected.iter().map(|r| r.line).collect()
}

fn whole_file_error(format: Format, relative: &str) -> String {
    read_path(format, &fixture(relative))
        .map(|i| format!("imported {} entities", i.entity_count()))
        .expect_err("the whole file must be rejected")
        .to_string()
}

#[test]
fn csl_csv_and_json_import_to_the_same_entities() {
    let csv = import(Format::CslCsv, "csl/consolidated.csv");
    let json = import(Format::CslJson, "csl/consolidated.json");
    let expected = [
        ("US-BIS-DPL", 1),
        ("US-BIS-EL", 2),
        ("US-BIS-MEU", 1),
        ("US-BIS-UVL", 1),
        ("US-OFAC-NSCMIC", 1),
        ("US-OFAC-SDN", 2),
    ];
    assert_eq!(counts(&csv), expected);
    assert_eq!(
        (csv.records, csv.rejected.len()),
        (8, 0),
        "{:?}",
        csv.rejected
    );
    assert_eq!(
        csv.lists, json.lists,
        "CSV and JSON give identical entities"
    );

    let huawei = find(&csv, "US-BIS-EL:huawei-technologies-co-ltd");
    assert_eq!(huawei.aliases, ["Huawei", "Huawei Technologies"]);
    assert_eq!(
        (huawei.citation.as_str(), huawei.listed_on.as_str()),
        ("84 FR 22961", "2019-05-16")
    );
    assert_eq!(huawei.countries, ["CN"]);
    let chen = find(&csv, "US-OFAC-SDN:90001");
    assert_eq!(
        (chen.kind, chen.birth_date.as_str()),
        (EntityType::Person, "1955")
    );
    assert_eq!(chen.countries, ["CN"]);
    let hikvision = find(&csv, "US-OFAC-NSCMIC:90101");
    let uscc = hikvision
        .identifiers
        .iter()
        .find(|i| i.kind == "uscc")
        .unwrap();
    assert_eq!(
        (uscc.value.as_str(), uscc.checksum_valid),
        ("91330000733796106P", Some(true))
    );
    assert!(hikvision
        .identifiers
        .iter()
        .any(|i| i.kind == "isin" && i.value == "CNE100000PM8"));
}

#[test]
fn csl_csv_rejects_bad_rows_one_by_one_and_a_file_without_names_whole() {
    let bad = import(Format::CslCsv, "csl/bad-rows.csv");
    assert_eq!(bad.entity_count(), 3);
    assert_eq!(rejected_lines(&bad), [3, 5, 6], "{:?}", bad.rejected);
    let reasons: Vec<&str> = bad.rejected.iter().map(|r| r.reason.as_str()).collect();
    assert!(reasons[0].contains("not UTF-8"), "{reasons:?}");
    assert!(reasons[1].contains("10 fields"), "{reasons:?}");
    assert!(reasons[2].contains("unknown source"), "{reasons:?}");

    let error = whole_file_error(Format::CslCsv, "csl/missing-name-column.csv");
    assert!(error.contains("lacks the column(s) [\"name\"]"), "{error}");
}

#[test]
fn ofac_csv_joins_its_siblings() {
    let sdn = import(Format::OfacCsv, "ofac/sdn.csv");
    assert_eq!(counts(&sdn), [("US-OFAC-SDN", 5)]);
    assert!(sdn.rejected.is_empty(), "{:?}", sdn.rejected);
    let person = find(&sdn, "US-OFAC-SDN:90002");
    assert_eq!(person.kind, EntityType::Person);
    assert_eq!(person.birth_date, "1965-01-12");
    assert_eq!(person.aliases, ["EXAMPLE, Chi-wai"]);
    assert!(person
        .identifiers
        .iter()
        .any(|i| i.kind == "passport" && i.value == "E00000001"));
    let holdings = find(&sdn, "US-OFAC-SDN:90004");
    assert_eq!(
        holdings.aliases,
        [
            "EXTECH",
            "EXAMPLE TECH HOLDINGS",
            "EXAMPLE TECHNOLOGY GROUP LIMITED"
        ]
    );
    assert_eq!(holdings.countries, ["HK", "CN"]);
    assert_eq!(holdings.addresses.len(), 2);
    assert_eq!(holdings.listed_on, "2026-01-15");
    // The remark cut at 1,000 characters continues in sdn_comments.csv, without a separator.
    assert!(
        holdings
            .remarks
            .contains("EXAMPLE MARITIME HOLDINGS LIMITED"),
        "{}",
        holdings.remarks
    );
    assert!(holdings
        .identifiers
        .iter()
        .any(|i| i.kind == "isin" && i.value == "HK00000EXMQ8"));
    let uscc = holdings
        .identifiers
        .iter()
        .find(|i| i.kind == "uscc")
        .unwrap();
    assert_eq!(uscc.value, "91440300MA5EXAMP0C");
    let vessel = find(&sdn, "US-OFAC-SDN:90005");
    assert_eq!(vessel.kind, EntityType::Vessel);
    assert!(vessel
        .identifiers
        .iter()
        .any(|i| i.kind == "call sign" && i.value == "VRXA9"));
    assert!(vessel
        .identifiers
        .iter()
        .any(|i| i.kind == "imo" && i.value == "9999993"));
}

#[test]
fn ofac_consolidated_csv_goes_to_each_programmes_list() {
    let cons = import(Format::OfacCsv, "ofac/cons_prim.csv");
    assert_eq!(
        counts(&cons),
        [
            ("US-OFAC-NSCMIC", 2),
            ("US-OFAC-PLC", 1),
            ("US-OFAC-SSI", 1)
        ]
    );
    let hikvision = find(&cons, "US-OFAC-NSCMIC:90101");
    assert_eq!(hikvision.aliases, ["HIKVISION"]);
    assert_eq!(hikvision.listed_on, "2021-06-03");
    let energy = find(&cons, "US-OFAC-SSI:90103");
    assert_eq!(
        energy.aliases,
        ["EETL"],
        "a weak a.k.a. in the continued remarks"
    );
    assert_eq!(find(&cons, "US-OFAC-PLC:90104").countries, ["PS"]);
}

#[test]
fn ofac_csv_rejects_bad_rows_and_needs_no_siblings() {
    let bad = import(Format::OfacCsv, "ofac/bad/sdn.csv");
    assert_eq!(bad.entity_count(), 2);
    assert_eq!(rejected_lines(&bad), [2, 4], "{:?}", bad.rejected);
}

#[test]
fn ofac_sdn_xml_matches_the_csv() {
    let xml = import(Format::OfacXml, "ofac/sdn.xml");
    assert_eq!(counts(&xml), [("US-OFAC-SDN", 5)]);
    assert!(xml.rejected.is_empty(), "{:?}", xml.rejected);
    assert_eq!(xml.declared, Some(5));
    assert_eq!(xml.issued, "2026-01-15");
    let csv = import(Format::OfacCsv, "ofac/sdn.csv");
    for id in [
        "US-OFAC-SDN:90001",
        "US-OFAC-SDN:90002",
        "US-OFAC-SDN:90003",
        "US-OFAC-SDN:90004",
        "US-OFAC-SDN:90005",
    ] {
        let (x, c) = (find(&xml, id), find(&csv, id));
        assert_eq!((&x.name, x.kind), (&c.name, c.kind), "{id}");
        let mut xa = x.aliases.clone();
        let mut ca = c.aliases.clone();
        xa.sort();
        ca.sort();
        assert_eq!(xa, ca, "{id} aliases");
        assert_eq!(x.countries.len(), c.countries.len(), "{id} countries");
    }
    let error = whole_file_error(Format::OfacXml, "ofac/sdn-truncated.xml");
    assert!(error.contains("237") || error.contains("line"), "{error}");
}

#[test]
fn ofac_advanced_xml_resolves_its_reference_values() {
    let adv = import(Format::OfacAdvancedXml, "ofac/advanced.xml");
    assert_eq!(counts(&adv), [("US-OFAC-SDN", 3)]);
    assert!(adv.rejected.is_empty(), "{:?}", adv.rejected);
    assert_eq!(adv.issued, "2026-01-15");
    let person = find(&adv, "US-OFAC-SDN:90002");
    assert_eq!(
        (person.name.as_str(), person.kind),
        ("EXAMPLE, Zhiwei", EntityType::Person)
    );
    assert_eq!(person.birth_date, "1965-01-12");
    assert!(person.countries.contains(&"CN".to_string()));
    let holdings = find(&adv, "US-OFAC-SDN:90004");
    assert_eq!(holdings.native_names, ["示例科技控股有限公司"]);
    assert!(
        holdings.aliases.iter().any(|a| a == "EXTECH"),
        "weak aliases are kept"
    );
    let uscc = holdings
        .identifiers
        .iter()
        .find(|i| i.kind == "uscc")
        .unwrap();
    assert_eq!(uscc.value, "91440300MA5EXAMP0C");
    assert_eq!(find(&adv, "US-OFAC-SDN:90008").kind, EntityType::Vessel);
    whole_file_error(Format::OfacAdvancedXml, "ofac/advanced-truncated.xml");
}

#[test]
fn ftm_targets_land_on_the_lists_of_their_sanctions() {
    let ftm = import(Format::FtmJson, "ftm/entities.ftm.json");
    assert_eq!(
        counts(&ftm),
        [
            ("CN-MFA-AFSL", 3),
            ("CN-MOFCOM-ECL", 2),
            ("CN-MOFCOM-UEL", 1),
            ("US-BIS-EL", 1),
        ]
    );
    assert!(ftm.rejected.is_empty(), "{:?}", ftm.rejected);
    let lockheed = find(&ftm, "CN-MOFCOM-UEL:NK-LmFixture00Lockheed01");
    assert_eq!(lockheed.name, "Lockheed Martin Corporation");
    assert_eq!(lockheed.native_names, ["洛克希德·马丁公司"]);
    assert_eq!(
        (lockheed.listed_on.as_str(), lockheed.countries[0].as_str()),
        ("2023-02-16", "US")
    );
    find(&ftm, "CN-MOFCOM-ECL:NK-LmFixture00Lockheed01");
    let xu = find(&ftm, "CN-MFA-AFSL:NK-XuFixture0000Edmund01");
    assert_eq!(
        (xu.kind, xu.native_names[0].as_str()),
        (EntityType::Person, "许勐")
    );
    let vessel = find(&ftm, "CN-MFA-AFSL:NK-VesFixture0Harmony01");
    assert!(vessel.identifiers.iter().any(|i| i.kind == "imonumber"));

    let nested = import(Format::FtmJson, "ftm/nested.json");
    assert_eq!(
        counts(&nested),
        [
            ("CN-MFA-AFSL", 1),
            ("CN-MOFCOM-ECL", 1),
            ("CN-MOFCOM-UEL", 1)
        ]
    );
    assert_eq!(
        find(&nested, "CN-MOFCOM-UEL:NK-LmFixture00Lockheed01"),
        lockheed,
        "nested sanctions give the same entity"
    );

    let bad = import(Format::FtmJson, "ftm/bad.ftm.json");
    assert_eq!(rejected_lines(&bad), [2, 3, 4], "{:?}", bad.rejected);
    assert_eq!(counts(&bad), [("OS-CN-SANCTIONS", 1)]);
    assert_eq!(bad.lists[0].0.imposing_country, "CN");
}

#[test]
fn a_file_of_the_wrong_format_is_rejected_whole() {
    assert!(whole_file_error(Format::OfacXml, "csl/consolidated.csv").contains("XML"));
    assert!(whole_file_error(Format::CslJson, "csl/consolidated.csv").contains("not CSL JSON"));
    assert!(whole_file_error(Format::FtmJson, "csl/consolidated.csv").contains("FollowTheMoney"));
    assert!(
        whole_file_error(Format::OfacCsv, "ftm/bad.ftm.json").contains("no row is an OFAC record")
    );
}
