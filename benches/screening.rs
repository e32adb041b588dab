//! Screening benchmark, run with `cargo bench --bench screening` (it prints tables and asserts
//! nothing). For 10k, 100k and 1M indexed names, built from every real listed name in
//! `../shared/data` (plus the seeds) and, beyond those, generated names of the same shapes:
//!
//! * index build time and the index's heap per indexed name (a counting allocator);
//! * in-process latency percentiles and single-thread throughput of `Index::search` over a mix
//!   of queries (listed names as typed, the same with one typo, listed Chinese names, unlisted
//!   names);
//! * the brute-force baseline in the same run: `Index::search_exhaustive` (no candidate stage,
//!   every name scored) on a sample of the same queries, and the speed-up as a ratio;
//! * at 100k names, over gRPC against a real server on loopback: unary latency with one
//!   caller (beside the in-process figure), throughput of unary with 32 concurrent callers, and
//!   `ScreenStream`;
//! * what a change costs: one-entity upserts into a `Store` holding the scale (merges in a
//!   background thread, as the server runs them), beside the full build above that every commit
//!   cost before the index had segments; refreshes of a 15,000-entity source with 50 entities
//!   changed; durable upserts from 32 writers at once; screening with 5 % of the entities in
//!   un-merged segments against the same entities merged; and at every scale, over gRPC, one
//!   upsert every 10 ms delivered to 100 subscribers;
//! * the index heap again after the queries, with the caches they filled.
//!
//! `WATCHLIST_BENCH_SCALES=10000,100000` limits the scales. `WATCHLIST_BENCH_DUMP=FILE` writes
//! every in-process answer to FILE, one line per query (the query, then each hit's entity id,
//! score at full precision and primary name), to show that a change to the matching code
//! answers identically, or what it answers differently.

#[path = "../tests/corpus/mod.rs"]
mod corpus;
#[path = "support/heap.rs"]
mod heap;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use watchlist::core::matching::{Index, LiveIndex, MergeKind, Query};
use watchlist::core::model::{Entity, EntityType, ListMeta};
use watchlist::core::store::Store;

const QUERIES: usize = 4000;

/// A small deterministic generator (xorshift64*): the same names on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SYLLABLES: &[&str] = &[
    "an", "bai", "bao", "bei", "bin", "bo", "chang", "chao", "chen", "cheng", "chuan", "da", "dao",
    "de", "ding", "dong", "fa", "fang", "fei", "feng", "fu", "gang", "gao", "guang", "gui", "guo",
    "hai", "han", "hao", "he", "heng", "hong", "hua", "huan", "hui", "jia", "jian", "jiang", "jie",
    "jin", "jing", "jun", "kai", "kang", "ke", "kun", "lan", "lang", "li", "lian", "liang", "lin",
    "ling", "long", "lu", "mei", "meng", "min", "ming", "nan", "ning", "pei", "peng", "ping", "qi",
    "qian", "qiang", "qing", "rong", "rui", "sen", "shan", "sheng", "shi", "shun", "si", "song",
    "tai", "tian", "tong", "wei", "wen", "xiang", "xin", "xing", "xu", "ya", "yang", "yi", "ying",
    "yong", "yu", "yuan", "yue", "yun", "ze", "zhen", "zheng", "zhi", "zhong", "zhou",
];
const PLACES: &[&str] = &[
    "Beijing",
    "Shanghai",
    "Shenzhen",
    "Guangzhou",
    "Tianjin",
    "Chongqing",
    "Hangzhou",
    "Wuhan",
    "Chengdu",
    "Nanjing",
    "Xi'an",
    "Suzhou",
    "Xiamen",
    "Qingdao",
    "Dalian",
    "Shenyang",
    "Harbin",
    "Hefei",
    "Jinan",
    "Zhengzhou",
    "Changsha",
    "Kunming",
    "Fuzhou",
    "Ningbo",
    "Dongguan",
    "Xinjiang",
    "Hong Kong",
    "Zhuhai",
    "Foshan",
    "Urumqi",
];
const TRADES: &[&str] = &[
    "Technology",
    "Electronics",
    "Trading",
    "Import and Export",
    "Industrial",
    "Information Technology",
    "Precision Machinery",
    "New Energy",
    "Optoelectronics",
    "Semiconductor",
    "Logistics",
    "Textile",
    "Chemical",
    "Aviation Technology",
    "Communication Equipment",
    "Software",
    "Materials",
    "Intelligent Equipment",
    "Instruments",
    "Shipping",
    "Biotechnology",
    "Network Technology",
    "Power Equipment",
];
const FORMS: &[&str] = &[
    "Co., Ltd.",
    "Company Limited",
    "Group Co., Ltd.",
    "Corporation",
    "Limited",
    "Holdings Ltd",
    "Inc.",
    "LLC",
];
const SURNAMES: &[&str] = &[
    "WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU", "ZHOU", "XU", "SUN", "MA",
    "ZHU", "HU", "GUO", "HE", "LIN", "LUO", "GAO", "ZHENG", "LIANG", "XIE", "SONG", "TANG", "HAN",
    "FENG", "DENG", "CAO", "PENG",
];
const FIRST: &[&str] = &[
    "James",
    "Robert",
    "John",
    "Michael",
    "David",
    "William",
    "Richard",
    "Joseph",
    "Thomas",
    "Charles",
    "Mary",
    "Patricia",
    "Jennifer",
    "Linda",
    "Elizabeth",
    "Ahmad",
    "Ali",
    "Mohammad",
    "Hassan",
    "Sergey",
    "Dmitry",
    "Alexander",
    "Ivan",
    "Olga",
    "Elena",
];
const LAST: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Moore", "Jackson", "Martin", "Thompson", "Petrov", "Ivanov", "Sokolov", "Karimi",
    "Hosseini", "Rahimi", "Khan", "Hussain", "Farah", "Haddad", "Nasser",
];

fn trade_name(rng: &mut Rng) -> String {
    let a = rng.pick(SYLLABLES);
    let b = rng.pick(SYLLABLES);
    let mut name = format!("{a}{b}");
    name[..1].make_ascii_uppercase();
    name
}

/// One generated party in the shapes of the real lists: a Chinese company, a variant of a
/// real company name with another trade name, a Chinese person, or a Western person.
fn generated(rng: &mut Rng, real: &[Entity], n: usize) -> Entity {
    let roll = rng.below(100);
    let (kind, name) = if roll < 35 {
        let name = format!(
            "{} {} {} {}",
            rng.pick(PLACES),
            trade_name(rng),
            rng.pick(TRADES),
            rng.pick(FORMS)
        );
        (EntityType::Organization, name)
    } else if roll < 60 {
        let base = &real[rng.below(real.len())].name;
        let mut words: Vec<String> = base.split_whitespace().map(String::from).collect();
        let at = rng.below(words.len());
        words[at] = trade_name(rng);
        (EntityType::Organization, words.join(" "))
    } else if roll < 85 {
        let given = if rng.below(3) == 0 {
            trade_name(rng)
        } else {
            let mut g = format!("{}-{}", rng.pick(SYLLABLES), rng.pick(SYLLABLES));
            g[..1].make_ascii_uppercase();
            g
        };
        (
            EntityType::Person,
            format!("{}, {given}", rng.pick(SURNAMES)),
        )
    } else {
        let middle = (b'A' + rng.below(26) as u8) as char;
        let name = format!(
            "{} {middle}. {} {}",
            rng.pick(FIRST),
            rng.pick(LAST),
            trade_name(rng)
        );
        (EntityType::Person, name)
    };
    let mut entity = Entity::new(&format!("BENCH:{n}"), "BENCH", kind, &name);
    if rng.below(5) == 0 {
        entity
            .aliases
            .push(format!("{} {}", trade_name(rng), rng.pick(TRADES)));
    }
    entity
}

fn name_count(entities: &[Entity]) -> usize {
    entities.iter().map(|e| e.names().count()).sum()
}

/// The real entities, then generated ones until `target` names are indexed (or the real ones
/// cut down to it).
fn scale(real: &[Entity], target: usize) -> Vec<Entity> {
    let mut out = Vec::new();
    let mut names = 0;
    for e in real {
        if names >= target {
            return out;
        }
        names += e.names().count();
        out.push(e.clone());
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    while names < target {
        let e = generated(&mut rng, real, out.len());
        names += e.names().count();
        out.push(e);
    }
    out
}

/// Queries in equal parts: indexed names as listed, the same with two letters swapped,
/// Chinese names of listed parties, and unlisted names of the same shapes.
fn queries(indexed: &[Entity]) -> Vec<String> {
    let mut rng = Rng(0x51_7cc1_b727_220a);
    let chinese: Vec<&String> = indexed.iter().flat_map(|e| &e.native_names).collect();
    let mut out = Vec::with_capacity(QUERIES);
    while out.len() < QUERIES {
        let e = &indexed[rng.below(indexed.len())];
        out.push(e.name.clone());
        let mut chars: Vec<char> = e.name.chars().collect();
        if chars.len() > 6 {
            let at = 2 + rng.below(chars.len() - 4);
            chars.swap(at, at + 1);
        }
        out.push(chars.into_iter().collect());
        if !chinese.is_empty() {
            out.push(chinese[rng.below(chinese.len())].clone());
        }
        // Unlisted: generated with a generator the index never saw.
        let mut other = Rng(rng.next() | 1);
        out.push(generated(&mut other, indexed, 0).name);
    }
    out.truncate(QUERIES);
    out
}

fn percentiles(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p) as usize];
    format!(
        "p50 {:>8.1?} p95 {:>8.1?} p99 {:>8.1?} max {:>8.1?}",
        at(0.5),
        at(0.95),
        at(0.99),
        samples[samples.len() - 1]
    )
}

fn query(name: &str) -> Query<'_> {
    Query {
        name,
        threshold: 0.75,
        limit: 10,
        ..Query::default()
    }
}

fn in_process(label: &str, entities: &[Entity]) -> Arc<Index> {
    let arcs: Vec<Arc<Entity>> = entities.iter().cloned().map(Arc::new).collect();
    let before = heap::live();
    let start = Instant::now();
    let index = Index::build(arcs.iter());
    let build = start.elapsed();
    let heap = heap::live().saturating_sub(before);
    let names = name_count(entities);
    println!(
        "\n{label}: {} entities, {names} names ({} indexed forms); build {build:.2?}; index heap {:.1} MiB = {:.0} B per name",
        index.entity_count(),
        index.name_count(),
        heap as f64 / (1024.0 * 1024.0),
        heap as f64 / names as f64,
    );
    let queries = queries(entities);
    let mut samples = Vec::with_capacity(queries.len());
    let mut matched = 0;
    let dump = std::env::var_os("WATCHLIST_BENCH_DUMP");
    let mut lines = Vec::new();
    let before_queries = heap::live();
    let total = Instant::now();
    for q in &queries {
        let t = Instant::now();
        let hits = index.search(&query(q));
        samples.push(t.elapsed());
        matched += usize::from(!hits.is_empty());
        if dump.is_some() {
            let mut line = q.clone();
            for h in &hits {
                line.push_str(&format!(
                    "\t{} {:?} {:?}",
                    h.entity.id, h.score, h.entity.name
                ));
            }
            lines.push(line);
        }
    }
    let elapsed = total.elapsed();
    // What the queries left behind: each vocabulary word they resolved keeps its variants and
    // typo neighbours with the index (`samples` was allocated before, `lines` only with a dump).
    let warmed = heap + heap::live().saturating_sub(before_queries);
    if let Some(path) = &dump {
        // Appended, so that several scales in one run land in one file, each under its label.
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("WATCHLIST_BENCH_DUMP file");
        writeln!(file, "# {label}").unwrap();
        for line in &lines {
            writeln!(file, "{line}").unwrap();
        }
    }
    // WATCHLIST_BENCH_SLOWEST=N prints the N slowest queries, to see where time goes.
    if let Some(n) = std::env::var("WATCHLIST_BENCH_SLOWEST")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        let mut slowest: Vec<(Duration, &String)> = samples.iter().copied().zip(&queries).collect();
        slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        for (took, q) in slowest.into_iter().take(n) {
            println!("    {took:>9.1?}  {q}");
        }
    }
    println!(
        "  indexed     {:>5} queries  {}  {:>7.0}/s one thread  ({matched} matched); heap after them {:.0} B per name",
        queries.len(),
        percentiles(samples.clone()),
        queries.len() as f64 / elapsed.as_secs_f64(),
        warmed as f64 / names as f64,
    );
    // The brute-force baseline on a sample of the same queries (WATCHLIST_BENCH_BRUTE=0 skips it).
    if std::env::var("WATCHLIST_BENCH_BRUTE").is_ok_and(|v| v == "0") {
        return Arc::new(index);
    }
    let sample = match names {
        0..=20_000 => 200,
        20_001..=200_000 => 40,
        _ => 8,
    };
    let step = queries.len() / sample;
    let (mut fast, mut slow) = (Duration::ZERO, Duration::ZERO);
    let mut slow_samples = Vec::new();
    for q in queries.iter().step_by(step).take(sample) {
        let t = Instant::now();
        let a = index.search(&query(q));
        fast += t.elapsed();
        let t = Instant::now();
        let b = index.search_exhaustive(&query(q));
        let e = t.elapsed();
        slow += e;
        slow_samples.push(e);
        assert_eq!(
            a.iter().map(|h| &h.entity.id).collect::<Vec<_>>(),
            b.iter().map(|h| &h.entity.id).collect::<Vec<_>>(),
            "{q}: the candidate stage lost a match"
        );
    }
    println!(
        "  brute force {sample:>5} queries  {}  mean {:>8.1?} vs indexed {:>8.1?} on the same queries: {:.0}x",
        percentiles(slow_samples),
        slow / sample as u32,
        fast / sample as u32,
        slow.as_secs_f64() / fast.as_secs_f64()
    );
    Arc::new(index)
}

/// The worst accepted input of each kind: at the input limits (512 characters as sent and after
/// normalisation, 28 words), built to make each expensive step as large as it can be.
fn worst_names(entities: &[Entity]) -> Vec<(&'static str, String)> {
    use watchlist::core::matching::text;
    let mut rng = Rng(0x0bad_c0de_dead_beef);
    let letters = |rng: &mut Rng, n: usize| -> String {
        (0..n)
            .map(|_| char::from(b'a' + rng.below(26) as u8))
            .collect()
    };
    // The most frequent distinctive words of the index: the most postings to read and names
    // to score.
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for e in entities.iter().take(200_000) {
        for token in text::tokenize(&e.name) {
            if token.script == text::Script::Latin && !text::is_legal_form(&token) {
                *counts.entry(token.text).or_default() += 1;
            }
        }
    }
    let mut common: Vec<(String, usize)> = counts.into_iter().collect();
    common.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let common: Vec<String> = common.into_iter().map(|(w, _)| w).collect();
    let words = |from: &[String], n: usize| from.iter().take(n).cloned().collect::<Vec<_>>();
    // Each common word with one letter doubled: every word resolved through edits.
    let typos: Vec<String> = common
        .iter()
        .filter(|w| w.len() >= 5)
        .take(64)
        .map(|w| format!("{w}{}", w.chars().last().unwrap()))
        .collect();
    let han_common =
        "中国科技集团有限公司电子研究所航空工业大学深圳北京上海华为技术信息网络通信设备";
    vec![
        ("one Latin word of 512 letters", letters(&mut rng, 512)),
        ("'ab' x 256 (one word)", "ab".repeat(256)),
        (
            "NFKC expansion: U+3300 x 128 (512 letters)",
            "\u{3300}".repeat(128),
        ),
        (
            "16 words of 32 letters (the fuzzy limit)",
            (0..15)
                .map(|_| letters(&mut rng, 32))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        ("Han run: 华 x 28", "华".repeat(64)),
        (
            "Han run: 28 common characters",
            han_common.chars().cycle().take(64).collect(),
        ),
        (
            "Han parts: 2-character dotted parts",
            han_common
                .chars()
                .take(64)
                .collect::<Vec<_>>()
                .chunks(2)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("·"),
        ),
        (
            "28 most frequent words (the counted limit)",
            words(&common, 28).join(" "),
        ),
        ("28 frequent words, each mistyped", typos.join(" ")),
        (
            "mixed scripts: Han + Latin word, alternating",
            common
                .iter()
                .zip(han_common.chars().cycle())
                .take(32)
                .map(|(w, c)| format!("{c}{w}"))
                .collect::<Vec<_>>()
                .join(" "),
        ),
    ]
    .into_iter()
    .map(|(label, name)| {
        // Cut to the limits, word by word, so that every input is accepted.
        let mut name = name;
        while watchlist::core::query::check_name(&name).is_err() {
            let cut = name
                .rfind([' ', '·'])
                .unwrap_or(name.len() - name.chars().last().unwrap().len_utf8());
            name.truncate(cut);
        }
        (label, name)
    })
    .collect()
}

/// In process: the latency and the work units of each worst accepted input.
fn worst_cases(index: &Index, entities: &[Entity]) {
    use watchlist::core::work;
    println!("  worst accepted inputs (20 runs each; work = normalised chars + postings + scored pairs + edit cells + deletion keys):");
    for (label, name) in worst_names(entities) {
        let mut samples = Vec::new();
        let mut units = work::Work::default();
        for _ in 0..20 {
            let t = Instant::now();
            let (_, w) = work::measure(|| index.search(&query(&name)));
            samples.push(t.elapsed());
            units = w;
        }
        samples.sort();
        println!(
            "    {label:<46} {:>4} chars  p50 {:>9.1?}  max {:>9.1?}  work {:>9} (postings {}, scored {}, pairs {}, edit cells {}, deletion keys {})",
            name.chars().count(),
            samples[samples.len() / 2],
            samples[samples.len() - 1],
            units.total(),
            units.postings,
            units.scored,
            units.score_pairs,
            units.edit_cells,
            units.deletion_keys,
        );
    }
}

/// A native list file of the given entities, for a real server to load.
fn write_native(dir: &Path, entities: &[Entity]) {
    use std::io::Write;
    let mut file = std::io::BufWriter::new(std::fs::File::create(dir.join("bench.jsonl")).unwrap());
    let meta = serde_json::json!({"list": {
        "code": "BENCH", "name": "Benchmark list", "authority": "benchmark",
        "imposing_country": "US", "legal_basis": "none", "measures": ["enhanced_due_diligence"],
        "meaning": "Generated for the benchmark."
    }});
    writeln!(file, "{meta}").unwrap();
    for (i, e) in entities.iter().enumerate() {
        let kind = match e.kind {
            EntityType::Person => "person",
            _ => "organization",
        };
        let record = serde_json::json!({
            "ref": format!("e{i}"), "type": kind, "name": e.name, "aliases": e.aliases,
            "native_names": e.native_names, "native_source": "benchmark",
            "listed_on": "2024-01-01", "citation": "benchmark",
        });
        writeln!(file, "{record}").unwrap();
    }
}

/// A real server on loopback serving the benchmark's entities.
struct Served {
    channel: tonic::transport::Channel,
    _dir: tempfile::TempDir,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), watchlist::server::BoxError>>,
}

impl Served {
    /// Shuts the server down and waits until it has.
    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// A real server on loopback serving `entities` as a native file source, once they are loaded.
async fn serve(entities: &[Entity]) -> Served {
    use tonic::transport::Channel;
    use watchlist::proto::v1::{screening_client::ScreeningClient, ScreenRequest};
    let dir = tempfile::tempdir().unwrap();
    write_native(dir.path(), entities);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut settings = watchlist::server::Settings::new(dir.path());
    settings.admin_token = Some("bench-token".parse().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(watchlist::server::run(listener, settings, async move {
        let _ = stopped.await;
    }));
    let channel = loop {
        if let Ok(c) = Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .tcp_nodelay(true)
            .connect()
            .await
        {
            break c;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // Wait until the list is loaded: a listed name matches.
    let mut probe = ScreeningClient::new(channel.clone());
    let waiting = Instant::now();
    loop {
        if waiting.elapsed() > Duration::from_secs(300) {
            let mut catalog =
                watchlist::proto::v1::catalog_client::CatalogClient::new(channel.clone());
            let sources = catalog
                .list_sources(watchlist::proto::v1::ListSourcesRequest::default())
                .await
                .map(|r| format!("{:?}", r.into_inner().sources));
            panic!("the server did not load the benchmark list: {sources:?}");
        }
        let response = probe
            .screen(ScreenRequest {
                name: entities[entities.len() - 1].name.clone(),
                ..Default::default()
            })
            .await;
        if response.is_ok_and(|r| !r.get_ref().matches.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Served {
        channel,
        _dir: dir,
        stop,
        task,
    }
}

/// Unary `Screen` from one caller, one query after another: each call's latency.
async fn one_caller(channel: &tonic::transport::Channel, queries: &[String], label: &str) {
    use watchlist::proto::v1::{screening_client::ScreeningClient, ScreenRequest};
    let mut client = ScreeningClient::new(channel.clone());
    let mut samples = Vec::new();
    for q in queries {
        let t = Instant::now();
        client
            .screen(ScreenRequest {
                name: q.clone(),
                ..Default::default()
            })
            .await
            .unwrap();
        samples.push(t.elapsed());
    }
    println!(
        "  unary, {label} {:>6} screens  {}",
        samples.len(),
        percentiles(samples)
    );
}

async fn over_grpc(served: &Served, entities: &[Entity]) {
    use watchlist::proto::v1::{screening_client::ScreeningClient, ScreenRequest};
    let channel = served.channel.clone();
    let queries = Arc::new(queries(entities));
    println!("\ngRPC on loopback, {} names:", name_count(entities));

    // Unary, one caller: the same queries one after another, beside the in-process figure
    // above, so that what gRPC itself costs is known (the server's first pass over them).
    one_caller(&channel, &queries[..], "one caller     ").await;

    // Unary, 32 concurrent callers on one connection.
    let start = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..32 {
        let mut client = ScreeningClient::new(channel.clone());
        let queries = Arc::clone(&queries);
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            for q in queries.iter().skip(worker).step_by(32) {
                let t = Instant::now();
                client
                    .screen(ScreenRequest {
                        name: q.clone(),
                        ..Default::default()
                    })
                    .await
                    .unwrap();
                samples.push(t.elapsed());
            }
            samples
        }));
    }
    let mut samples = Vec::new();
    for t in tasks {
        samples.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed();
    println!(
        "  unary, 32 concurrent   {:>6} screens  {}  {:>7.0}/s",
        samples.len(),
        percentiles(samples.clone()),
        samples.len() as f64 / elapsed.as_secs_f64()
    );

    // ScreenStream: one stream, every query 5 times.
    let mut client = ScreeningClient::new(channel.clone());
    let items: Vec<ScreenRequest> = (0..5)
        .flat_map(|_| queries.iter())
        .enumerate()
        .map(|(i, q)| ScreenRequest {
            name: q.clone(),
            request_id: i.to_string(),
            ..Default::default()
        })
        .collect();
    let n = items.len();
    let start = Instant::now();
    let mut stream = client
        .screen_stream(tokio_stream::iter(items))
        .await
        .unwrap()
        .into_inner();
    let mut received = 0;
    while let Some(response) = stream.message().await.unwrap() {
        assert_eq!(response.request_id, received.to_string(), "out of order");
        received += 1;
    }
    assert_eq!(received, n);
    println!(
        "  ScreenStream, 1 stream {n:>6} screens  {:>8.2?} total  {:>7.0}/s",
        start.elapsed(),
        n as f64 / start.elapsed().as_secs_f64()
    );

    // Unary, one caller again, on a server that has seen every query.
    one_caller(
        &channel,
        &queries[..queries.len().min(2000)],
        "1 caller, again",
    )
    .await;

    // Health checks while 4 callers screen the worst accepted inputs without pause.
    use tonic_health::pb::{health_client::HealthClient, HealthCheckRequest};
    let worst: Arc<Vec<String>> =
        Arc::new(worst_names(entities).into_iter().map(|(_, n)| n).collect());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = Vec::new();
    for worker in 0..4 {
        let mut client = ScreeningClient::new(channel.clone());
        let (worst, stop) = (Arc::clone(&worst), Arc::clone(&stop));
        load.push(tokio::spawn(async move {
            let mut done = 0usize;
            for name in worst.iter().cycle().skip(worker) {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let _ = client
                    .screen(ScreenRequest {
                        name: name.clone(),
                        ..Default::default()
                    })
                    .await;
                done += 1;
            }
            done
        }));
    }
    let mut health = HealthClient::new(channel.clone());
    let mut samples = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        let t = Instant::now();
        health.check(HealthCheckRequest::default()).await.unwrap();
        samples.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut screened = 0;
    for task in load {
        screened += task.await.unwrap();
    }
    println!(
        "  health check, 4 callers screening worst inputs ({screened} worst screens in 5 s)  {}",
        percentiles(samples)
    );
}

/// One-entity upserts every 10 ms, each delivered to 100 subscribers: from the call to each
/// subscriber's receipt.
async fn change_to_subscribers(channel: tonic::transport::Channel, entities: &[Entity]) {
    use watchlist::proto::v1::{
        admin_client::AdminClient, changes_client::ChangesClient, ChangeType, Listing,
        SubscribeRequest, UpsertEntitiesRequest,
    };
    let received = Arc::new(std::sync::Mutex::new(Vec::<(u64, Instant)>::new()));
    let mut subscribers = Vec::new();
    for _ in 0..100 {
        let mut stream = ChangesClient::new(channel.clone())
            .subscribe(SubscribeRequest::default())
            .await
            .unwrap()
            .into_inner();
        let received = Arc::clone(&received);
        subscribers.push(tokio::spawn(async move {
            while let Ok(Some(event)) = stream.message().await {
                if event.r#type != ChangeType::Heartbeat as i32 {
                    received
                        .lock()
                        .unwrap()
                        .push((event.sequence, Instant::now()));
                }
            }
        }));
    }
    let mut admin = AdminClient::new(channel);
    let mut sent = std::collections::HashMap::new();
    let mut acks = Vec::new();
    for i in 0..200 {
        let e = &entities[i * 7 % entities.len()];
        let mut request = tonic::Request::new(UpsertEntitiesRequest {
            entities: vec![watchlist::proto::v1::Entity {
                id: format!("BENCH:change-{i}"),
                r#type: watchlist::proto::v1::EntityType::Organization as i32,
                primary_name: format!("{} Change {i}", e.name),
                listings: vec![Listing {
                    list_code: "BENCH".into(),
                    listed_on: "2026-12-07".into(),
                    citation: "benchmark".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }],
        });
        request
            .metadata_mut()
            .insert("authorization", "Bearer bench-token".parse().unwrap());
        let started = Instant::now();
        let sequence = admin
            .upsert_entities(request)
            .await
            .unwrap()
            .into_inner()
            .sequence;
        acks.push(started.elapsed());
        sent.insert(sequence, started);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = received.lock().unwrap().clone();
    let delays: Vec<Duration> = received
        .iter()
        .filter_map(|(sequence, at)| Some(at.duration_since(*sent.get(sequence)?)))
        .collect();
    println!(
        "  upsert acknowledged (one every 10 ms)  {}\n  change at 100 subscribers ({} of {} deliveries)  {}",
        percentiles(acks),
        delays.len(),
        sent.len() * 100,
        percentiles(delays.clone())
    );
    for s in subscribers {
        s.abort();
    }
}

fn seeds() -> Vec<Entity> {
    watchlist::feeds::files::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds"))
        .expect("seeds")
        .into_iter()
        .flat_map(|(_, loaded)| loaded.expect("seed file").entities)
        .collect()
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` asks to list; there is nothing to run as a test
    }
    let mut real = seeds();
    match corpus::real_lists() {
        Some(lists) => real.extend(lists),
        None => println!("!! ../shared/data not found: the scales are built from the seeds only"),
    }
    println!(
        "watchlist screening benchmark: {} real entities ({} names); {QUERIES} queries per scale, \
         threshold 0.75, limit 10; release build, one thread unless said",
        real.len(),
        name_count(&real)
    );
    let scales: Vec<usize> = std::env::var("WATCHLIST_BENCH_SCALES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // WATCHLIST_BENCH_WRITES=only runs the write measurements alone (to profile them);
    // =subscribers only serves the entities and times changes at 100 subscribers.
    let only = std::env::var("WATCHLIST_BENCH_WRITES").unwrap_or_default();
    for target in scales {
        let entities = scale(&real, target);
        match only.as_str() {
            "only" => {
                writes(&entities);
                continue;
            }
            "subscribers" => {
                runtime.block_on(async {
                    let served = serve(&entities).await;
                    change_to_subscribers(served.channel.clone(), &entities).await;
                    served.stop().await;
                });
                continue;
            }
            _ => {}
        }
        let index = in_process(&format!("{} names", target), &entities);
        writes(&entities);
        if target == 100_000 || std::env::var("WATCHLIST_BENCH_WORST").is_ok() {
            worst_cases(&index, &entities);
        }
        drop(index);
        runtime.block_on(async {
            let served = serve(&entities).await;
            if target == 100_000 {
                over_grpc(&served, &entities).await;
            } else {
                println!("\ngRPC on loopback, {} names:", name_count(&entities));
            }
            change_to_subscribers(served.channel.clone(), &entities).await;
            // Stopped and gone before the next scale, whose heap is counted.
            served.stop().await;
        });
    }
}

/// The list every entity of the write benchmarks is on.
fn bench_list() -> ListMeta {
    list_named("BENCH")
}

fn list_named(code: &str) -> ListMeta {
    ListMeta {
        code: code.into(),
        name: "bench".into(),
        authority: "bench".into(),
        imposing_country: "US".into(),
        legal_basis: "bench".into(),
        measures: vec![watchlist::core::model::Measure::AssetFreeze],
        meaning: "bench".into(),
        url: String::new(),
    }
}

/// A thread running the store's merges, as the server's merge task does; stopped when dropped.
struct Merger {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Merger {
    fn start(store: &Arc<Store>) -> Merger {
        store.merge_signal();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let thread = {
            let (store, stop) = (Arc::clone(store), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if !store.merge() {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                }
            })
        };
        Merger {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Merger {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("merger");
        }
    }
}

/// One-entity upserts acknowledged by a store holding `entities` (in memory, and durable with
/// 32 writers at once), and screening with 5 % of them in un-merged segments against the same
/// entities merged.
fn writes(entities: &[Entity]) {
    let mut ids = std::collections::HashSet::new();
    let listed: Vec<Entity> = entities
        .iter()
        .filter(|e| ids.insert(e.id.clone()))
        .cloned()
        .map(|mut e| {
            e.list = "BENCH".into();
            if e.native_source.is_empty() {
                e.native_source = "bench".into();
            }
            e
        })
        // Validated in place, as the importers hand them over.
        .filter_map(|mut e| e.validate().is_ok().then_some(e))
        .collect();
    // A second source of up to 15,000 entities is refreshed below with 50 of them changed.
    let refreshed = 15_000.min(listed.len() / 2);
    let (refresh_part, bench_part) = listed.split_at(refreshed);
    let mut refresh_part: Vec<Entity> = refresh_part
        .iter()
        .cloned()
        .map(|mut e| {
            e.list = "BENCH-REFRESH".into();
            e
        })
        .collect();
    let store = Arc::new(Store::new(10_000));
    let started = Instant::now();
    store
        .replace_source("bench", vec![(bench_list(), bench_part.to_vec())])
        .expect("bench load");
    store
        .replace_source(
            "refresh",
            vec![(list_named("BENCH-REFRESH"), refresh_part.clone())],
        )
        .expect("bench load");
    let load = started.elapsed();
    let merger = Merger::start(&store);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut samples = Vec::new();
    for i in 0..1_000 {
        let mut entity = listed[rng.below(listed.len())].clone();
        entity.id = format!("BENCH-NEW-{i}");
        entity.name = format!("{} {}", entity.name, trade_name(&mut rng));
        let started = Instant::now();
        store.upsert(vec![entity]).expect("bench upsert");
        samples.push(started.elapsed());
    }
    // Refreshes of the second source, each with 50 entities renamed, as a polled file would be.
    let mut refreshes = Vec::new();
    for round in 0..20 {
        for _ in 0..50 {
            let at = rng.below(refresh_part.len());
            let entity = &mut refresh_part[at];
            entity.name = format!("{} {}", entity.name, trade_name(&mut rng));
        }
        let lists = vec![(list_named("BENCH-REFRESH"), refresh_part.clone())];
        let started = Instant::now();
        let outcome = store
            .replace_source("refresh", lists)
            .expect("bench refresh");
        refreshes.push(started.elapsed());
        assert!(outcome.updated > 0, "refresh {round} changed nothing");
    }
    drop(merger);
    let snapshot = store.snapshot();
    println!(
        "  writes: load {load:.1?}; 1,000 one-entity upserts acknowledged: {}; then {} segments, \
         {} entities un-merged",
        percentiles(samples),
        snapshot.index.segment_count(),
        snapshot.index.unmerged()
    );
    println!(
        "  20 refreshes of a {refreshed}-entity source, 50 entities changed in each, committed: {}",
        percentiles(refreshes)
    );
    drop(snapshot);
    drop(store);

    // Durable: 32 writers at once on a data directory, each acknowledged after the fsync that
    // covers it (group commit).
    let dir = tempfile::tempdir().expect("temporary data directory");
    let store = Arc::new(Store::open(dir.path(), 10_000, None).expect("bench journal"));
    store
        .replace_source("bench", vec![(bench_list(), listed.clone())])
        .expect("bench durable load");
    let merger = Merger::start(&store);
    let listed = Arc::new(listed);
    let started = Instant::now();
    let writers: Vec<_> = (0..32)
        .map(|w| {
            let (store, listed) = (Arc::clone(&store), Arc::clone(&listed));
            std::thread::spawn(move || {
                let mut rng = Rng(0x9e37_79b9 + w);
                (0..60)
                    .map(|i| {
                        let mut entity = listed[rng.below(listed.len())].clone();
                        entity.id = format!("BENCH-DURABLE-{w}-{i}");
                        let started = Instant::now();
                        store.upsert(vec![entity]).expect("durable upsert");
                        started.elapsed()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let samples: Vec<Duration> = writers
        .into_iter()
        .flat_map(|w| w.join().expect("writer"))
        .collect();
    let rate = samples.len() as f64 / started.elapsed().as_secs_f64();
    println!(
        "  durable upserts, 32 writers at once: {rate:.0}/s acknowledged; each {}",
        percentiles(samples)
    );
    drop(merger);
    drop(store);

    // 5 % of the entities added in commits of 50 after the base was built (compacted as the
    // policy says, never merged into the base), then the same merged.
    let arcs: Vec<Arc<Entity>> = entities.iter().cloned().map(Arc::new).collect();
    let late = arcs.len() / 20;
    let (early, recent) = arcs.split_at(arcs.len() - late);
    let mut index = LiveIndex::build(early.iter());
    for batch in recent.chunks(50) {
        index = index.apply(std::iter::empty(), batch.iter());
        if index.merge_due() == Some(MergeKind::Compact) {
            let merged = index.merged(MergeKind::Compact);
            index = index.install(merged);
        }
    }
    let queries = queries(entities);
    // Each index twice: the first pass as a fresh index meets the queries, the second with
    // its caches filled, as a running server meets them.
    let timed = |index: &LiveIndex| {
        let pass = || {
            let samples: Vec<Duration> = queries
                .iter()
                .map(|q| {
                    let started = Instant::now();
                    std::hint::black_box(index.search(&query(q)));
                    started.elapsed()
                })
                .collect();
            percentiles(samples)
        };
        let fresh = pass();
        format!("{fresh}\n    again, caches filled: {}", pass())
    };
    let (unmerged, segments) = (index.unmerged(), index.segment_count());
    let before_merge = timed(&index);
    let merged = index.merged(MergeKind::Full);
    let index = index.install(merged);
    println!(
        "  screening with {unmerged} entities in {segments} un-merged segments: {before_merge}\n  \
         the same merged:                {}",
        timed(&index)
    );
}
