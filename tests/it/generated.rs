//! The generated evaluation (`tests/corpus/generated.rs`), run with the server's own index over
//! the seeds and every real list, judged as the full-list evaluation judges: a positive passes
//! when a hit at the default threshold is one of its expected entities, a negative when no hit
//! reaches it (bar hits that cover query and name whole: the query is a listed name). Each
//! kind's pass rate is ratcheted against `tests/eval/generated-baseline.tsv`; record with
//! `WATCHLIST_EVAL_RECORD=1 cargo test --test it generated`. The misses go to stderr;
//! `WATCHLIST_GEN_DUMP=FILE` writes every case to FILE (it is derived from the lists: keep it
//! out of the repository).

use crate::corpus::generated::{self, GenCase, NEGATIVE_KINDS, POSITIVE_KINDS};
use crate::eval::{names_the_party, FullLists, DEFAULT_THRESHOLD};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;
use watchlist::core::matching::{Hit, Index, Query};

/// A kind may fall this far (a fraction) below its recorded pass rate.
const TOLERANCE: f64 = 0.005;
/// Misses written out per kind.
const MISSES_SHOWN: usize = 20;

fn baseline_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/eval/generated-baseline.tsv")
}

fn search(index: &Index, case: &GenCase, threshold: f64) -> Vec<Hit> {
    index.search(&Query {
        name: &case.query,
        entity_type: case.entity_type,
        countries: &case.countries,
        lists: None,
        threshold,
        limit: 100,
    })
}

fn passes(case: &GenCase, hits: &[Hit]) -> bool {
    if case.is_negative() {
        hits.iter().all(names_the_party)
    } else {
        hits.iter().any(|h| case.expected.contains(&h.entity.id))
    }
}

/// One line on a miss: what was asked, what was meant, and what came back (looked for again
/// below the threshold, so that a near miss shows how near).
fn describe_miss(index: &Index, case: &GenCase, hits: &[Hit]) -> String {
    let show = |h: &Hit| format!("{} {:?} {:.3}", h.entity.id, h.matched_name, h.score);
    if case.is_negative() {
        let alarm = hits.iter().find(|h| !names_the_party(h)).unwrap();
        return format!("[{}] {:?} → alarm {}", case.kind, case.query, show(alarm));
    }
    let near = search(index, case, 0.3);
    let top = near.first().map_or("nothing at 0.3".to_string(), show);
    let expected = near
        .iter()
        .find(|h| case.expected.contains(&h.entity.id))
        .map_or("not found at 0.3".to_string(), |h| {
            format!("{:.3}", h.score)
        });
    format!(
        "[{}] {:?} → {:?}: top {top}; expected scores {expected}",
        case.kind, case.query, case.source
    )
}

#[test]
fn generated_cases_hold_their_baseline() {
    let Some(lists) = FullLists::load("the generated evaluation") else {
        return;
    };
    let start = Instant::now();
    let entities = lists.all();
    let index = Index::build(entities.iter());
    let built = start.elapsed();
    let generated = generated::cases(&entities, generated::SEED);
    let made = start.elapsed() - built;
    if let Some(path) = std::env::var_os("WATCHLIST_GEN_DUMP") {
        let mut tsv = String::from("kind\tquery\tsource\texpected\n");
        for c in &generated.cases {
            let expected = c.expected.join("|");
            tsv.push_str(&format!(
                "{}\t{}\t{}\t{expected}\n",
                c.kind, c.query, c.source
            ));
        }
        std::fs::write(path, tsv).unwrap();
    }

    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut misses: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for case in &generated.cases {
        let hits = search(&index, case, DEFAULT_THRESHOLD);
        let entry = by_kind.entry(case.kind).or_default();
        entry.1 += 1;
        if passes(case, &hits) {
            entry.0 += 1;
        } else {
            let shown = misses.entry(case.kind).or_default();
            if shown.len() < MISSES_SHOWN {
                shown.push(describe_miss(&index, case, &hits));
            }
        }
    }
    let searched = start.elapsed() - built - made;

    // The candidate stage loses nothing on typing errors either: a sample of the typo kinds,
    // searched at a low threshold, answers exactly as scoring every name does.
    let sample: Vec<&GenCase> = generated
        .cases
        .iter()
        .filter(|c| c.kind.starts_with("typo"))
        .step_by(50)
        .collect();
    for case in &sample {
        let query = Query {
            name: &case.query,
            entity_type: case.entity_type,
            countries: &case.countries,
            lists: None,
            threshold: 0.5,
            limit: 1000,
        };
        let answer = |hits: Vec<Hit>| -> Vec<(String, u64)> {
            let mut out: Vec<_> = hits
                .into_iter()
                .map(|h| (h.entity.id.clone(), h.score.to_bits()))
                .collect();
            out.sort();
            out
        };
        assert_eq!(
            answer(index.search(&query)),
            answer(index.search_exhaustive(&query)),
            "{} {:?}: the indexed search differs from scoring every name",
            case.kind,
            case.query
        );
    }
    let compared = start.elapsed() - built - made - searched;

    let mut table = String::from("kind\tpassed\ttotal\trate\n");
    let (mut pos, mut pos_total, mut neg, mut neg_total) = (0, 0, 0, 0);
    for kind in POSITIVE_KINDS.iter().chain(NEGATIVE_KINDS) {
        let Some(&(passed, total)) = by_kind.get(kind) else {
            continue;
        };
        let rate = passed as f64 / total as f64;
        table.push_str(&format!("{kind}\t{passed}\t{total}\t{rate:.4}\n"));
        if kind.starts_with("neg-") {
            (neg, neg_total) = (neg + passed, neg_total + total);
        } else {
            (pos, pos_total) = (pos + passed, pos_total + total);
        }
    }
    let dropped: usize = generated.dropped_negatives.values().sum();
    println!(
        "== generated evaluation: {} entities, {} cases (seed {:#x})\n{table}",
        index.entity_count(),
        generated.cases.len(),
        generated::SEED
    );
    println!(
        "indexed = exhaustive on {} typo'd queries ({:.1} s)",
        sample.len(),
        compared.as_secs_f64()
    );
    println!(
        "recall {pos}/{pos_total} = {:.3}; false alarms {}/{neg_total} = {:.3}",
        pos as f64 / pos_total.max(1) as f64,
        neg_total - neg,
        (neg_total - neg) as f64 / neg_total.max(1) as f64,
    );
    println!(
        "negatives dropped as listed names: {dropped} {:?}",
        generated.dropped_negatives
    );
    println!(
        "time: index {:.1}s, generate {:.1}s, search {:.1}s",
        built.as_secs_f64(),
        made.as_secs_f64(),
        searched.as_secs_f64()
    );
    for (kind, shown) in &misses {
        eprintln!("-- misses of {kind} (first {}):", shown.len());
        for line in shown {
            eprintln!("{line}");
        }
    }

    assert!(pos_total >= 5000, "only {pos_total} positives");
    assert!(neg_total >= 2000, "only {neg_total} negatives");
    if std::env::var_os("WATCHLIST_EVAL_RECORD").is_some() {
        std::fs::write(baseline_path(), &table).unwrap();
        return;
    }
    let baseline =
        std::fs::read_to_string(baseline_path()).expect("tests/eval/generated-baseline.tsv");
    let mut failed = Vec::new();
    for line in baseline.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (kind, rate): (&str, f64) = (cols[0], cols[3].parse().unwrap());
        let Some(&(passed, total)) = by_kind.get(kind) else {
            failed.push(format!("{kind}: no cases any more"));
            continue;
        };
        let now = passed as f64 / total as f64;
        if now < rate - TOLERANCE {
            failed.push(format!(
                "{kind}: {passed}/{total} = {now:.4} passed, baseline {rate:.4}"
            ));
        }
    }
    for kind in by_kind.keys() {
        if !baseline.lines().any(|l| l.split('\t').next() == Some(kind)) {
            failed.push(format!("{kind}: not in the baseline; record it"));
        }
    }
    assert!(
        failed.is_empty(),
        "generated evaluation fell below its baseline:\n{}",
        failed.join("\n")
    );
}

/// A developer's probe, not a check: `WATCHLIST_PROBE='name|name' cargo test --test it
/// probe -- --ignored --nocapture` prints each name's hits on the full lists (down to 0.3),
/// with their features, to see why a generated case passes or fails.
#[test]
#[ignore]
fn probe() {
    let Some(lists) = FullLists::load("the probe") else {
        return;
    };
    let index = Index::build(lists.all().iter());
    let names = std::env::var("WATCHLIST_PROBE").unwrap_or_default();
    for name in names.split('|').filter(|n| !n.trim().is_empty()) {
        println!("== {name}");
        let hits = index.search(&Query {
            name,
            threshold: 0.3,
            limit: 5,
            ..Query::default()
        });
        for h in hits {
            let features: Vec<String> = h
                .features
                .iter()
                .map(|f| format!("{}={:.2}/{:.2}", f.name, f.value, f.weight))
                .collect();
            println!(
                "  {:.3} {} {:?} [{}]",
                h.score,
                h.entity.id,
                h.matched_name,
                features.join(" ")
            );
        }
    }
}
