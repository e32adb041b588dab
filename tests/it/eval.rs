//! The labelled evaluation set (`tests/eval/*.tsv`), run against the bundled seeds with the
//! same index and scorer the server uses. Every matching change is checked here: the test
//! fails if any category's pass rate drops below the one recorded in
//! `tests/eval/baseline.tsv` (a ratchet: improve, then record with
//! `WATCHLIST_EVAL_RECORD=1 cargo test --test it eval`).

use crate::support::seeds_dir;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use watchlist::core::index::{Index, Query};
use watchlist::core::model::{Entity, EntityType};
use watchlist::core::native;

const DEFAULT_THRESHOLD: f64 = 0.75;

struct Case {
    file: String,
    line: usize,
    category: String,
    query: String,
    expect: String,
    entity_type: Option<EntityType>,
    countries: Vec<String>,
}

fn eval_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval")
}

fn cases() -> Vec<Case> {
    let mut files: Vec<_> = std::fs::read_dir(eval_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tsv") && !p.ends_with("baseline.tsv"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in text.lines().enumerate().skip(1) {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(cols.len() >= 5, "{file}:{}: expected 6 columns", i + 1);
            out.push(Case {
                file: file.clone(),
                line: i + 1,
                category: cols[0].trim().to_string(),
                query: cols[1].to_string(),
                expect: cols[2].trim().to_string(),
                entity_type: match cols[3].trim() {
                    "person" => Some(EntityType::Person),
                    "organization" => Some(EntityType::Organization),
                    "" => None,
                    other => panic!("{file}:{}: entity_type {other:?}", i + 1),
                },
                countries: cols[4]
                    .split(',')
                    .map(|c| c.trim().to_ascii_uppercase())
                    .filter(|c| !c.is_empty())
                    .collect(),
            });
        }
    }
    out
}

fn passes(index: &Index, ids: &BTreeMap<String, ()>, case: &Case) -> bool {
    let hits = index.search(&Query {
        name: &case.query,
        entity_type: case.entity_type,
        countries: &case.countries,
        lists: None,
        threshold: DEFAULT_THRESHOLD,
        limit: 100,
    });
    // An expected id may list alternatives, `A|B` (the same party on two lists).
    let ids_of = |spec: &str| -> Vec<String> {
        spec.split('|')
            .map(|id| {
                assert!(
                    ids.contains_key(id),
                    "{}:{}: unknown entity id {id}",
                    case.file,
                    case.line
                );
                id.to_string()
            })
            .collect()
    };
    let has = |spec: &str| {
        let wanted = ids_of(spec);
        hits.iter().any(|h| wanted.contains(&h.entity.id))
    };
    match case.expect.as_str() {
        "-" => hits.is_empty(),
        e if e.starts_with("top:") => {
            let wanted = ids_of(&e[4..]);
            hits.first().is_some_and(|h| wanted.contains(&h.entity.id))
        }
        e if e.starts_with('!') => !has(&e[1..]),
        e => has(e),
    }
}

#[test]
fn evaluation_set_does_not_regress() {
    let cases = cases();
    if cases.is_empty() {
        panic!("no evaluation cases under {}", eval_dir().display());
    }
    let entities: Vec<Arc<Entity>> = native::load_dir(&seeds_dir())
        .unwrap()
        .into_iter()
        .flat_map(|(_, loaded)| loaded.unwrap().entities)
        .map(Arc::new)
        .collect();
    let ids: BTreeMap<String, ()> = entities.iter().map(|e| (e.id.clone(), ())).collect();
    let index = Index::build(entities.iter());

    let mut by_category: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in &cases {
        let ok = passes(&index, &ids, case);
        let entry = by_category.entry(case.category.clone()).or_default();
        entry.1 += 1;
        if ok {
            entry.0 += 1;
        } else {
            failures.push(format!(
                "{}:{} [{}] {:?} expect {}",
                case.file, case.line, case.category, case.query, case.expect
            ));
        }
    }
    let (mut pos, mut pos_total, mut neg, mut neg_total) = (0, 0, 0, 0);
    let mut report = String::from("category\tpassed\ttotal\n");
    for (category, (passed, total)) in &by_category {
        report.push_str(&format!("{category}\t{passed}\t{total}\n"));
        if category.starts_with("neg-") {
            (neg, neg_total) = (neg + passed, neg_total + total);
        } else {
            (pos, pos_total) = (pos + passed, pos_total + total);
        }
    }
    println!("{report}");
    println!(
        "recall {pos}/{pos_total} = {:.3}; false alarms {}/{neg_total} = {:.3}",
        pos as f64 / pos_total.max(1) as f64,
        neg_total - neg,
        (neg_total - neg) as f64 / neg_total.max(1) as f64
    );
    println!("failing cases:\n{}", failures.join("\n"));

    let baseline_path = eval_dir().join("baseline.tsv");
    if std::env::var_os("WATCHLIST_EVAL_RECORD").is_some() {
        std::fs::write(&baseline_path, &report).unwrap();
        return;
    }
    let baseline = std::fs::read_to_string(&baseline_path).expect("tests/eval/baseline.tsv");
    let mut regressions = Vec::new();
    for line in baseline.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (category, passed, total): (&str, usize, usize) =
            (cols[0], cols[1].parse().unwrap(), cols[2].parse().unwrap());
        let Some(&(now, now_total)) = by_category.get(category) else {
            regressions.push(format!("{category}: no cases any more"));
            continue;
        };
        if (now as f64) / (now_total as f64) < (passed as f64) / (total as f64) - 1e-9 {
            regressions.push(format!(
                "{category}: {now}/{now_total} passed, baseline {passed}/{total}"
            ));
        }
    }
    for category in by_category.keys() {
        if !baseline
            .lines()
            .any(|l| l.split('\t').next() == Some(category))
        {
            regressions.push(format!("{category}: not in the baseline; record it"));
        }
    }
    assert!(
        regressions.is_empty(),
        "evaluation regressed:\n{}",
        regressions.join("\n")
    );
}
