//! Property tests: no input makes the importers, the name normaliser or screening panic.
//! Importers get both arbitrary bytes and damaged copies of the fixtures (bytes flipped,
//! inserted, cut), which reach much deeper into each parser than noise does.

use proptest::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;
use watchlist::core::import::{parse, Format, Input};
use watchlist::core::matching::text::{romanize, syllabify, tokenize};
use watchlist::core::query::ScreenRequest;
use watchlist::core::store::Store;
use watchlist::core::work;

/// (format, file name, bytes) of every fixture, read once.
fn fixtures() -> &'static Vec<(Format, &'static str, Vec<u8>)> {
    static FIXTURES: OnceLock<Vec<(Format, &'static str, Vec<u8>)>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import");
        [
            (Format::CslCsv, "csl/consolidated.csv", "consolidated.csv"),
            (
                Format::CslJson,
                "csl/consolidated.json",
                "consolidated.json",
            ),
            (Format::OfacCsv, "ofac/sdn.csv", "sdn.csv"),
            (Format::OfacXml, "ofac/sdn.xml", "sdn.xml"),
            (
                Format::OfacAdvancedXml,
                "ofac/advanced.xml",
                "sdn_advanced.xml",
            ),
            (
                Format::FtmJson,
                "ftm/entities.ftm.json",
                "entities.ftm.json",
            ),
            (
                Format::Native,
                "../../../seeds/cn-mofcom-uel.jsonl",
                "cn-mofcom-uel.jsonl",
            ),
        ]
        .into_iter()
        .map(|(f, path, name)| (f, name, std::fs::read(dir.join(path)).unwrap()))
        .collect()
    })
}

fn import(format: Format, name: &str, main: &[u8], siblings: &HashMap<String, Vec<u8>>) {
    // Ok or Err are both fine; a panic fails the test.
    let _ = parse(
        format,
        &Input {
            path: Path::new(name),
            main,
            siblings,
        },
    );
}

fn store() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(|| {
        let store = Store::new(10);
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        let imported = watchlist::feeds::files::read_path(Format::Native, &seeds).unwrap();
        store.replace_source("seeds", imported.lists).unwrap();
        store
    })
}

/// A damage to apply to a file: (position as a fraction, what to do, a byte).
#[derive(Debug, Clone)]
enum Damage {
    Flip(f64, u8),
    Insert(f64, u8),
    Cut(f64),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (0.0..1.0f64, any::<u8>()).prop_map(|(p, b)| Damage::Flip(p, b)),
        (
            0.0..1.0f64,
            prop_oneof![
                Just(b'"'),
                Just(b','),
                Just(b'<'),
                Just(b'{'),
                Just(b'\n'),
                Just(0xFFu8),
                any::<u8>()
            ]
        )
            .prop_map(|(p, b)| Damage::Insert(p, b)),
        (0.0..1.0f64).prop_map(Damage::Cut),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn importers_survive_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let none = HashMap::new();
        for (format, name, _) in fixtures() {
            import(*format, name, &bytes, &none);
        }
    }

    #[test]
    fn importers_survive_damaged_files(damages in proptest::collection::vec(damage(), 1..6)) {
        let none = HashMap::new();
        for (format, name, original) in fixtures() {
            let mut bytes = original.clone();
            for d in &damages {
                let at = |p: f64, len: usize| ((p * len as f64) as usize).min(len.saturating_sub(1));
                match *d {
                    Damage::Flip(p, b) if !bytes.is_empty() => { let i = at(p, bytes.len()); bytes[i] = b; }
                    Damage::Insert(p, b) => { let i = at(p, bytes.len() + 1); bytes.insert(i.min(bytes.len()), b); }
                    Damage::Cut(p) => { let i = at(p, bytes.len() + 1); bytes.truncate(i); }
                    _ => {}
                }
            }
            import(*format, name, &bytes, &none);
        }
    }

    #[test]
    fn the_normaliser_and_screening_survive_any_name(name in "\\PC{0,80}", mixed in "[a-zA-Z华为科技有限公司·.,&() -]{0,40}", long in "[a-z华㌀ ·]{0,600}") {
        for text in [&name, &mixed, &long] {
            let tokens = tokenize(text);
            let _ = romanize(&tokens);
            let _ = syllabify(&tokens);
            let request = ScreenRequest {
                name: text.clone(),
                entity_type: None,
                countries: Vec::new(),
                lists: Vec::new(),
                imposed_by: Vec::new(),
                threshold: Some(0.3),
                limit: 10,
            };
            // Whatever the name, accepted or refused, its screening stays within the budget
            // (the store is built, its merges included, before the work is counted).
            let snapshot = store().snapshot();
            let (_, cost) = work::measure(|| snapshot.screen(&request, 0.75));
            prop_assert!(cost.total() <= crate::hostile::BUDGET, "{text:?}: {cost:?}");
        }
    }
}
