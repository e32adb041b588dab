//! `watchlist screen` throughput, run with `cargo bench --bench batch` (it prints a table and
//! asserts nothing). The real binary screens CSV files of 10k, 100k and 400k names, end to end
//! as a user runs it:
//!
//! * against the bundled seeds and against the full real lists of `../shared/data` (about
//!   20,000 entities, written at bench time as native files in a temporary directory, never
//!   committed), with 1 thread and with every core, so the cost's growth with the input and
//!   the gain from the second core are both visible;
//! * through a running service's `ScreenStream` (`--server`, the same binary serving the
//!   seeds on loopback).
//!
//! The input is the generated evaluation's queries (listed names perturbed 16 ways, and
//! unlisted names of the same shapes; fixed seed), then unlisted company names made from a
//! fixed word list, so a larger file is not the same names again. The figure is the
//! binary's own screening rate (input read, screened, output written; loading excluded, and
//! shown apart as "ready"), and the whole run's wall time.
//!
//! `WATCHLIST_BENCH_BINARIES=old,new` runs each row with each of those binaries in turn (the
//! same inputs, alternated), to compare two builds in one run.

#[path = "../tests/corpus/mod.rs"]
mod corpus;

use corpus::generated::{self, SplitMix64};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use watchlist::core::model::{Entity, ListMeta, Measure};

const SIZES: [usize; 3] = [10_000, 100_000, 400_000];
const SEED: u64 = 0x5eed_ba7c;

fn main() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let entities = corpus::real_lists();
    let names = book(
        entities.as_deref().unwrap_or(&[]),
        *SIZES.last().unwrap_or(&0),
    );
    let mut inputs = Vec::new();
    for size in SIZES {
        let path = dir.path().join(format!("book-{size}.csv"));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("input"));
        writeln!(file, "reference,name,type,countries").expect("write");
        for (i, (name, kind, countries)) in names.iter().take(size).enumerate() {
            writeln!(
                file,
                "{i},\"{}\",{kind},{countries}",
                name.replace('"', "\"\"")
            )
            .expect("write");
        }
        file.flush().expect("flush");
        inputs.push((size, path));
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("watchlist screen, release binary, {cores} cores; names/s = the binary's own screening rate");
    println!(
        "{:<34} {:>8} {:>8} {:>12} {:>9} {:>9} {:>10}",
        "data", "names", "threads", "names/s", "ready s", "wall s", "hit names"
    );
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut datasets = vec![(
        "seeds (705 entities)".to_string(),
        format!("native={}", seeds.display()),
    )];
    match &entities {
        Some(entities) => {
            let native = dir.path().join("real");
            let count = write_native(entities, &native);
            datasets.push((
                format!("real lists ({count} entities)"),
                format!("native={}", native.display()),
            ));
        }
        None => println!("(../shared/data is absent: the real lists are skipped)"),
    }
    let binaries: Vec<String> = match std::env::var("WATCHLIST_BENCH_BINARIES") {
        Ok(list) => list.split(',').map(str::to_string).collect(),
        Err(_) => vec![env!("CARGO_BIN_EXE_watchlist").to_string()],
    };
    let tagged = |label: &str, b: usize| match binaries.len() {
        1 => label.to_string(),
        _ => format!("[{b}] {label}"),
    };
    for (label, source) in &datasets {
        for (size, input) in &inputs {
            for threads in [1, cores] {
                for (b, binary) in binaries.iter().enumerate() {
                    let threads = threads.to_string();
                    let run = screen(binary, input, &["--source", source, "--threads", &threads]);
                    run.print(&tagged(label, b), *size, &threads);
                }
            }
        }
    }
    let probe = dir.path().join("probe.csv");
    std::fs::write(&probe, "name\nprobe\n").expect("probe");
    let mut server = Served::start(&seeds, &probe);
    for (size, input) in &inputs {
        let run = screen(&binaries[0], input, &["--server", &server.address]);
        run.print("seeds via --server (ScreenStream)", *size, "server");
    }
    server.stop();
}

/// `count` names to screen: the generated evaluation's queries, then unlisted company names.
fn book(entities: &[Entity], count: usize) -> Vec<(String, &'static str, String)> {
    let mut names: Vec<(String, &'static str, String)> = generated::cases(entities, SEED)
        .cases
        .into_iter()
        .map(|c| {
            let kind = match c.entity_type {
                Some(watchlist::core::model::EntityType::Person) => "person",
                Some(watchlist::core::model::EntityType::Organization) => "organization",
                _ => "",
            };
            (c.query, kind, c.countries.join(";"))
        })
        .collect();
    const CITIES: [&str; 12] = [
        "Shenzhen",
        "Ningbo",
        "Hamburg",
        "Rotterdam",
        "Austin",
        "Lyon",
        "Osaka",
        "Busan",
        "Dubai",
        "Pune",
        "Santos",
        "Gdansk",
    ];
    const WORDS: [&str; 24] = [
        "Global",
        "Trading",
        "Logistics",
        "Textile",
        "Foods",
        "Energy",
        "Systems",
        "Capital",
        "Marine",
        "Supply",
        "Import",
        "Export",
        "Machinery",
        "Software",
        "Digital",
        "Pharma",
        "Northern",
        "Pacific",
        "Golden",
        "River",
        "Bright",
        "Union",
        "Metal",
        "Chemical",
    ];
    const FORMS: [&str; 5] = ["Co., Ltd.", "GmbH", "LLC", "S.A.", "Pte. Ltd."];
    let mut rng = SplitMix64(SEED);
    while names.len() < count {
        let name = format!(
            "{} {} {} {} {}",
            CITIES[rng.below(CITIES.len())],
            WORDS[rng.below(WORDS.len())],
            WORDS[rng.below(WORDS.len())],
            rng.below(1000),
            FORMS[rng.below(FORMS.len())]
        );
        names.push((name, "organization", String::new()));
    }
    names.truncate(count);
    names
}

/// Writes `entities` as native list files (one per list) under `dir`; returns how many.
fn write_native(entities: &[Entity], dir: &Path) -> usize {
    std::fs::create_dir_all(dir).expect("native directory");
    let mut by_list: std::collections::BTreeMap<&str, Vec<&Entity>> = Default::default();
    for e in entities {
        by_list.entry(&e.list).or_default().push(e);
    }
    let mut count = 0;
    for (list, members) in by_list {
        let meta = ListMeta {
            code: list.to_string(),
            name: format!("{list} (bench copy)"),
            authority: "bench".into(),
            imposing_country: if list.contains("-CN") { "CN" } else { "US" }.into(),
            legal_basis: "bench".into(),
            measures: vec![Measure::EnhancedDueDiligence],
            meaning: "A copy of a real list for the benchmark.".into(),
            url: String::new(),
        };
        let mut out = serde_json::to_string(&serde_json::json!({ "list": meta })).expect("json");
        out.push('\n');
        for (i, e) in members.iter().enumerate() {
            let record = serde_json::json!({
                "ref": format!("e{i}"),
                "type": e.kind,
                "name": e.name,
                "aliases": e.aliases,
                "native_names": e.native_names,
                "countries": e.countries,
                "identifiers": e.identifiers,
                "listed_on": "2020-01-01",
                "citation": "bench",
            });
            out.push_str(&record.to_string());
            out.push('\n');
            count += 1;
        }
        std::fs::write(
            dir.join(format!("{}.jsonl", list.to_ascii_lowercase())),
            out,
        )
        .expect("native file");
    }
    count
}

struct Run {
    rate: String,
    ready: String,
    wall: Duration,
    hits: String,
}

impl Run {
    fn print(&self, label: &str, size: usize, threads: &str) {
        println!(
            "{label:<34} {size:>8} {threads:>8} {:>12} {:>9} {:>9.2} {:>10}",
            self.rate,
            self.ready,
            self.wall.as_secs_f64(),
            self.hits
        );
    }
}

/// Runs `binary` on `input` and reads its summary.
fn screen(binary: &str, input: &Path, extra: &[&str]) -> Run {
    let output = input.with_extension("out.csv");
    let started = Instant::now();
    let result = Command::new(binary)
        .arg("screen")
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(&output)
        .arg("--no-progress")
        .args(extra)
        .output()
        .expect("the binary runs");
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        matches!(result.status.code(), Some(0 | 1)),
        "screen failed: {stderr}"
    );
    let between = |after: &str, before: &str| -> String {
        stderr
            .split_once(after)
            .and_then(|(_, rest)| rest.split_once(before))
            .map_or("?".into(), |(value, _)| value.trim().to_string())
    };
    Run {
        rate: between("s (", " names/s)"),
        ready: between("ready in ", " s"),
        wall,
        hits: stderr
            .lines()
            .find(|l| l.contains("names with a hit"))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or("?")
            .to_string(),
    }
}

/// The binary serving the seeds on a free loopback port.
struct Served {
    child: Child,
    address: String,
}

impl Served {
    fn start(seeds: &Path, probe: &Path) -> Served {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let address = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_watchlist"))
            .args(["serve", "--listen", &address, "--seeds"])
            .arg(seeds)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve");
        // Ready once a screen through it succeeds (the probe connects and checks the options).
        for _ in 0..600 {
            let status = Command::new(env!("CARGO_BIN_EXE_watchlist"))
                .args(["screen", "--input"])
                .arg(probe)
                .args(["--no-progress", "--server", &address])
                .stderr(Stdio::null())
                .stdout(Stdio::null())
                .status()
                .expect("probe");
            if status.code() != Some(2) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Served {
            child,
            address: format!("http://{address}"),
        }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
