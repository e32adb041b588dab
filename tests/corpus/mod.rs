//! The real list files in `../shared/data`, read as entities, for the full-list evaluation
//! (`tests/it/eval.rs`) and the scale benchmarks (`benches/screening.rs`). Files in a format the
//! service reads go through its importers; third-party compilations (the Entity List as JSON,
//! OpenSanctions' hand-curated CSVs with Chinese names) are read here, for test use only.
//! Nothing from `../shared/data` is copied into the repository.

#![allow(dead_code)]

pub mod generated;

use std::path::{Path, PathBuf};
use watchlist::core::import::Format;
use watchlist::core::model::{Entity, EntityType};

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

/// Every listed party in `../shared/data`: `None` when the directory is absent.
pub fn real_lists() -> Option<Vec<Entity>> {
    let data = data_dir();
    if !data.is_dir() {
        return None;
    }
    let mut out = Vec::new();
    let imported = [
        (Format::OfacCsv, "markschaver-sdn/data.csv"),
        (Format::CslCsv, "moov-io-watchman/test/testdata/csl.csv"),
        (
            Format::OfacCsv,
            "moov-io-watchman/test/testdata/cons_prim.csv",
        ),
    ];
    for (format, path) in imported {
        let file = watchlist::feeds::files::read_path(format, &data.join(path))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        for (list, entities) in file.lists {
            out.extend(entities.into_iter().map(|mut e| {
                e.id = format!("REAL-{}", e.id);
                e.list = format!("REAL-{}", list.code);
                e
            }));
        }
    }
    for (list, file) in [
        ("REAL-US-BIS-EL", "phagehunter-nsfreg/bis_entity_list.json"),
        ("REAL-US-BIS-MEU", "phagehunter-nsfreg/bis_meu.json"),
        ("REAL-US-DHS-UFLPA", "phagehunter-nsfreg/dhs_uflpa.json"),
        ("REAL-US-DOD-1260H", "phagehunter-nsfreg/dow_1260h.json"),
        ("REAL-US-OFAC-NSCMIC", "phagehunter-nsfreg/ofac_nscmic.json"),
        (
            "REAL-US-STATE-ISN",
            "phagehunter-nsfreg/state_nonproliferation.json",
        ),
    ] {
        out.extend(compilation_json(list, &data.join(file)));
    }
    out.extend(opensanctions_cn(
        &data.join("opensanctions-cn-sanctions/sanctions.csv"),
    ));
    Some(out)
}

/// A `{"entities": [{"name", "aliases", "country"}]}` compilation.
fn compilation_json(list: &str, path: &Path) -> Vec<Entity> {
    let text = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_slice(&text).expect("compilation JSON");
    let Some(entities) = json["entities"].as_array() else {
        return Vec::new();
    };
    entities
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let name = e["name"].as_str()?.trim();
            if name.is_empty() {
                return None;
            }
            let mut entity = Entity::new(&format!("{list}:{i}"), list, EntityType::Unknown, name);
            entity.aliases = e["aliases"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str())
                .map(String::from)
                .collect();
            if e["country"].as_str() == Some("China") {
                entity.countries = vec!["CN".into()];
            }
            Some(entity)
        })
        .collect()
}

/// OpenSanctions' `cn_sanctions` CSV: PRC counter-sanctions with their Chinese names.
fn opensanctions_cn(path: &Path) -> Vec<Entity> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (kind, name, alias, chinese, country) = (
        col("Type"),
        col("Name"),
        col("Alias"),
        col("Chinese name"),
        col("Country"),
    );
    reader
        .records()
        .enumerate()
        .filter_map(|(i, row)| {
            let row = row.ok()?;
            let primary = row.get(name)?.trim();
            if primary.is_empty() {
                return None;
            }
            let kind = match row.get(kind) {
                Some("Person") => EntityType::Person,
                Some("Organization" | "Company") => EntityType::Organization,
                _ => EntityType::Unknown,
            };
            let mut entity = Entity::new(&format!("REAL-CN:{i}"), "REAL-CN", kind, primary);
            let split = |v: Option<&str>| -> Vec<String> {
                v.unwrap_or_default()
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            };
            entity.aliases = split(row.get(alias));
            entity.native_names = split(row.get(chinese));
            entity.countries = split(row.get(country))
                .into_iter()
                .filter(|c| c.len() == 2)
                .map(|c| c.to_ascii_uppercase())
                .collect();
            Some(entity)
        })
        .collect()
}
