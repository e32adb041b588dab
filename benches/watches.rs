//! Standing watches at scale: a book of N parties (10k, 100k, 1M; `WATCHLIST_BENCH_BOOKS`
//! overrides) watched against the real lists of `../shared/data`.
//!
//! * creation: parties screened per second, and the heap the watch holds per party beyond
//!   the party's own text (a counting allocator);
//! * a change of 50 entities (25 listed, 25 renamed), committed and evaluated as the server's
//!   evaluator does: the time from the commit to the last alert, and the share of the book
//!   screened again. Five changes per size; each is reported.
//!
//! Book names are made from the lists' own words (two to four words and a legal form, or a
//! two-word person name), so every party shares vocabulary with the listed names: the
//! evaluator's reverse search finds as many candidates as it ever will. One party in a
//! thousand is a listed name, so the book has hits. Run: `cargo bench --bench watches`
//! (`WATCHLIST_BENCH_DURABLE=1`: the watch kept in a data directory, as with `--data-dir`).

#[path = "../tests/corpus/mod.rs"]
mod corpus;
#[path = "support/heap.rs"]
mod heap;

use std::collections::BTreeSet;
use std::time::Instant;
use watchlist::core::model::{Entity, ListMeta, Measure};
use watchlist::core::store::Store;
use watchlist::core::watches::{NewWatch, Party, WatchLimits, Watches};

fn list(code: &str) -> ListMeta {
    ListMeta {
        code: code.into(),
        name: code.into(),
        authority: "bench".into(),
        imposing_country: "US".into(),
        legal_basis: "bench".into(),
        measures: vec![Measure::AssetFreeze],
        meaning: "bench".into(),
        url: String::new(),
    }
}

fn lists_of(entities: &[Entity]) -> Vec<(ListMeta, Vec<Entity>)> {
    let codes: BTreeSet<&str> = entities.iter().map(|e| e.list.as_str()).collect();
    codes
        .into_iter()
        .map(|code| {
            (
                list(code),
                entities
                    .iter()
                    .filter(|e| e.list == code)
                    .cloned()
                    .collect(),
            )
        })
        .collect()
}

fn book(
    n: usize,
    words: &[String],
    listed: &[Entity],
    rng: &mut corpus::generated::SplitMix64,
) -> Vec<Party> {
    const FORMS: &[&str] = &["Co., Ltd.", "Limited", "LLC", "Inc.", "GmbH", "Trading Co."];
    (0..n)
        .map(|i| {
            let name = if i % 1000 == 999 {
                // A listed name as a party would give it (not a run-on name of 29+ words).
                let mut name = listed[rng.below(listed.len())].name.clone();
                while name.split_whitespace().count() > 12 {
                    name.clone_from(&listed[rng.below(listed.len())].name);
                }
                name
            } else if rng.chance(0.3) {
                format!(
                    "{} {}",
                    words[rng.below(words.len())],
                    words[rng.below(words.len())]
                )
            } else {
                let k = 2 + rng.below(3);
                let mut parts: Vec<&str> = (0..k)
                    .map(|_| words[rng.below(words.len())].as_str())
                    .collect();
                parts.push(FORMS[rng.below(FORMS.len())]);
                parts.join(" ")
            };
            Party {
                reference: format!("R{i:07}"),
                name,
                kind: None,
                countries: Vec::new(),
                identifiers: Vec::new(),
            }
        })
        .collect()
}

fn main() {
    let Some(mut all) = corpus::real_lists() else {
        eprintln!("watches bench: ../shared/data is absent");
        return;
    };
    for e in &mut all {
        if !e.native_names.is_empty() && e.native_source.is_empty() {
            e.native_source = "bench".into();
        }
    }
    let mut seen = BTreeSet::new();
    all.retain(|e| seen.insert(e.id.clone()));
    let mut rng = corpus::generated::SplitMix64(42);
    rng.shuffle(&mut all);
    let held = all.split_off(all.len() - 400);
    let words: Vec<String> = all
        .iter()
        .flat_map(|e| e.name.split_whitespace())
        .filter(|w| w.chars().all(char::is_alphabetic) && w.chars().count() >= 3)
        .map(str::to_string)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let sizes: Vec<usize> = std::env::var("WATCHLIST_BENCH_BOOKS")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000]);
    println!(
        "watches: {} listed entities, {} words to make book names from, {} cores",
        all.len(),
        words.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for n in sizes {
        let store = Store::new(100_000);
        store.replace_source("real", lists_of(&all)).unwrap();
        let parties = book(n, &words, &all, &mut rng);
        let text: usize = parties
            .iter()
            .map(|p| p.name.len() + p.reference.len())
            .sum();
        let limits = WatchLimits {
            max_parties: n,
            ..WatchLimits::default()
        };
        // The book in memory; with `WATCHLIST_BENCH_DURABLE`, kept in a data directory
        // (every change to the watch fsynced before its alerts are delivered).
        let dir = tempfile::tempdir().unwrap();
        let durable = std::env::var_os("WATCHLIST_BENCH_DURABLE").is_some();
        let watches = if durable {
            Watches::open(limits, dir.path()).unwrap()
        } else {
            Watches::new(limits)
        };
        let before = heap::live();
        let started = Instant::now();
        let info = watches
            .create(
                "bench",
                NewWatch {
                    name: "book".into(),
                    ..NewWatch::default()
                },
                parties,
                &store.snapshot(),
            )
            .unwrap();
        let took = started.elapsed();
        let heap = heap::live().saturating_sub(before);
        println!(
            "book {n:>9}{}: created in {:>7.2} s = {:>8.0} parties/s; {} hits; heap {:.0} B/party \
             ({:.0} B/party beyond the party's text, alerts included)",
            if durable { " (durable)" } else { "" },
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64(),
            info.hits,
            heap as f64 / n as f64,
            heap.saturating_sub(text) as f64 / n as f64
        );
        let mut pool = held.clone();
        for round in 0..5 {
            let snapshot = store.snapshot();
            let ids: Vec<&String> = snapshot.entities.keys().collect();
            let mut change: Vec<Entity> = (0..25).filter_map(|_| pool.pop()).collect();
            for _ in 0..25 {
                let mut e = (*snapshot.entities[ids[rng.below(ids.len())]]).clone();
                let donor = &all[rng.below(all.len())];
                e.name.clone_from(&donor.name);
                e.aliases.clone_from(&donor.aliases);
                change.push(e);
            }
            drop(ids);
            let screened_before = watches.screened();
            let alerts_before = watches.get("bench", &info.id).unwrap().last_alert;
            let started = Instant::now();
            store.upsert(change).unwrap();
            let snapshot = store.snapshot();
            watches
                .evaluate(&snapshot, store.log(), store.log().latest())
                .unwrap();
            let took = started.elapsed();
            let screened = watches.screened() - screened_before;
            let alerts = watches.get("bench", &info.id).unwrap().last_alert - alerts_before;
            println!(
                "book {n:>9}: change {round} of 50 entities: commit to last alert {:>8.1} ms; \
                 {screened} parties screened again ({:.3}% of the book); {alerts} alerts",
                took.as_secs_f64() * 1e3,
                100.0 * screened as f64 / n as f64
            );
        }
    }
}
