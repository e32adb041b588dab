//! Importers on the real list files in `../shared/data` (by path; they are never copied into
//! the repo): exact record counts and known records field by field. Where the directory is
//! absent each test says so loudly and checks nothing.

use crate::support::{counts, find};
use std::path::{Path, PathBuf};
use watchlist::core::import::Format;
use watchlist::core::model::EntityType;
use watchlist::feeds::files::read_path;

/// The path of a shared data file, or `None` (with a loud message) where it is absent.
pub fn shared(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "\n*** SKIPPED: {} is absent; the real-file import checks did not run ***\n",
            path.display()
        );
        None
    }
}

#[test]
fn consolidated_screening_list_csv() {
    let Some(path) = shared("moov-io-watchman/test/testdata/csl.csv") else {
        return;
    };
    let csl = read_path(Format::CslCsv, &path).unwrap();
    assert_eq!(csl.records, 4227);
    assert_eq!(
        counts(&csl),
        [
            ("US-BIS-DPL", 577),
            ("US-BIS-EL", 919),
            ("US-BIS-MEU", 71),
            ("US-BIS-UVL", 186),
            ("US-OFAC-CAPTA", 1),
            ("US-OFAC-FSE", 1),
            ("US-OFAC-NSCMIC", 68),
            ("US-OFAC-NSMBS", 14),
            ("US-OFAC-PLC", 78),
            ("US-OFAC-SDN", 1737),
            ("US-OFAC-SSI", 288),
            ("US-STATE-DTC", 142),
            ("US-STATE-ISN", 144),
        ]
    );
    // The partial file ends in the middle of its last row (an SDN record).
    assert_eq!(csl.rejected.len(), 1);
    assert_eq!(csl.rejected[0].line, 4233);
    assert!(csl.rejected[0].reason.contains("8 fields"));

    let casc = find(
        &csl,
        "US-BIS-EL:china-aerospace-science-and-technology-corporation-casc",
    );
    assert_eq!(
        casc.name,
        "China Aerospace Science and Technology Corporation (CASC)"
    );
    assert_eq!(
        casc.aliases,
        [
            "13th Institute",
            "Beijing Institute of Aerospace Control Devices (BIACD)",
            "230 Factory",
            "Beijing Aerospace Times Optical-Electronic Technology Co., Ltd."
        ]
    );
    assert_eq!(casc.citation, "66 FR 24265; 84 FR 40241");
    assert_eq!(casc.listed_on, "2001-05-14");
    assert_eq!(casc.countries, ["CN"]);
    assert_eq!(
        casc.addresses,
        ["No.1 Fengying East Road, Haidian District, Beijing, 100094, CN"]
    );
    assert_eq!(casc.kind, EntityType::Unknown);
    assert!(casc
        .remarks
        .contains("License requirement: For all items subject to the EAR"));
}

#[test]
fn consolidated_screening_list_csv_2025_layout() {
    let Some(path) = shared("moov-io-watchman/internal/cslustest/testdata/consolidated.csv") else {
        return;
    };
    let csl = read_path(Format::CslCsv, &path).unwrap();
    assert_eq!(
        (csl.records, csl.entity_count(), csl.rejected.len()),
        (13, 13, 0)
    );
}

#[test]
fn ofac_sdn_csv_alone() {
    let Some(path) = shared("markschaver-sdn/data.csv") else {
        return;
    };
    let sdn = read_path(Format::OfacCsv, &path).unwrap();
    assert_eq!(counts(&sdn), [("US-OFAC-SDN", 15_443)]);
    assert!(sdn.rejected.is_empty(), "{:?}", &sdn.rejected[..1]);
    let bnc = find(&sdn, "US-OFAC-SDN:306");
    assert_eq!(bnc.name, "BANCO NACIONAL DE CUBA");
    assert_eq!(
        bnc.aliases,
        ["BNC"],
        "from the remarks: no alt.csv beside this file"
    );
    assert_eq!(bnc.kind, EntityType::Organization);
}

#[test]
fn ofac_sdn_csv_with_its_siblings() {
    let Some(path) = shared("moov-io-watchman/test/testdata/bench/sdn.csv") else {
        return;
    };
    let sdn = read_path(Format::OfacCsv, &path).unwrap();
    assert_eq!(counts(&sdn), [("US-OFAC-SDN", 8976)]);
    assert!(sdn.rejected.is_empty(), "{:?}", &sdn.rejected[..1]);
    let bnc = find(&sdn, "US-OFAC-SDN:306");
    assert_eq!(bnc.aliases, ["BNC", "NATIONAL BANK OF CUBA"]);
    assert_eq!(bnc.addresses.len(), 4);
    assert_eq!(
        bnc.addresses[0],
        "Zweierstrasse 35, Zurich CH-8022, Switzerland"
    );
    assert_eq!(bnc.countries, ["CH", "ES", "JP", "PA"]);
    assert!(bnc.remarks.starts_with("Programs: CUBA"));
}

#[test]
fn ofac_consolidated_csv() {
    let Some(path) = shared("moov-io-watchman/test/testdata/cons_prim.csv") else {
        return;
    };
    let cons = read_path(Format::OfacCsv, &path).unwrap();
    assert_eq!(
        counts(&cons),
        [
            ("US-OFAC-CAPTA", 1),
            ("US-OFAC-CONS", 9),
            ("US-OFAC-NSCMIC", 68),
            ("US-OFAC-PLC", 78),
            ("US-OFAC-SSI", 286),
        ]
    );
    assert!(cons.rejected.is_empty(), "{:?}", &cons.rejected[..1]);
    let telecom = find(&cons, "US-OFAC-NSCMIC:30882");
    assert_eq!(telecom.name, "CHINA TELECOM CORPORATION LIMITED");
    assert_eq!(telecom.listed_on, "2021-06-03");
    let uscc = telecom
        .identifiers
        .iter()
        .find(|i| i.kind == "uscc")
        .unwrap();
    assert_eq!(uscc.value, "9111000071093019X7");
    assert_eq!(uscc.checksum_valid, Some(true));
    assert!(telecom
        .identifiers
        .iter()
        .any(|i| i.kind == "isin" && i.value == "US1694261033"));
    assert!(telecom
        .aliases
        .iter()
        .any(|a| a == "China Telecom Corp Ltd"));
}

#[test]
fn the_check_command_reports_counts_and_rejections() {
    let Some(path) = shared("moov-io-watchman/test/testdata/csl.csv") else {
        return;
    };
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_watchlist"))
        .args(["check", "--format", "csl-csv"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "rejected rows exit 1: {stdout}"
    );
    assert!(
        stdout.contains("4227 records read, 4226 entities accepted, 1 rejected"),
        "{stdout}"
    );
    assert!(
        stdout.contains("US-BIS-EL") && stdout.contains("919"),
        "{stdout}"
    );
    assert!(stdout.contains(":4233: row has 8 fields"), "{stdout}");

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_watchlist"))
        .args(["check", "--format", "ofac-xml"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "an unusable file exits 2");
    assert!(String::from_utf8_lossy(&output.stderr).contains("unusable as ofac-xml"));
}

#[test]
fn ofac_classic_sdn_xml_sample() {
    let Some(path) = shared("bik-krlvnorg-sample/sdn.xml") else {
        return;
    };
    let sdn = read_path(Format::OfacXml, &path).unwrap();
    assert_eq!(counts(&sdn), [("US-OFAC-SDN", 2)]);
    assert!(sdn.rejected.is_empty());
    // A two-entry excerpt of a file that declared 8,497 records.
    assert_eq!(sdn.declared, Some(8497));
    assert_eq!(sdn.issued, "2020-10-29");
}

#[test]
fn ofac_advanced_xml_consolidated() {
    let Some(path) = shared("radwo-urban-fortnight/cons_advanced.xml") else {
        return;
    };
    let cons = read_path(Format::OfacAdvancedXml, &path).unwrap();
    assert_eq!(
        counts(&cons),
        [
            ("US-OFAC-CAPTA", 1),
            ("US-OFAC-FSE", 6),
            ("US-OFAC-PLC", 78),
            ("US-OFAC-SSI", 290),
        ]
    );
    assert!(cons.rejected.is_empty(), "{:?}", &cons.rejected[..1]);
    assert_eq!(cons.issued, "2020-03-17");
    let haniya = find(&cons, "US-OFAC-PLC:9639");
    assert_eq!(haniya.name, "HANIYA, Ismail Abdul Salah");
    assert_eq!(haniya.kind, EntityType::Person);
    assert_eq!(haniya.birth_date, "1962");
    assert_eq!(haniya.listed_on, "2006-04-12");
}
