//! Screening benchmark: index build time and in-process latency percentiles on the bundled
//! seeds and on the real list names in `../shared/data`, then gRPC throughput (unary with
//! concurrency, and `ScreenStream`) against a real server on loopback. Run with
//! `cargo bench --bench screening`; it prints a table and asserts nothing.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use watchlist::core::index::{Index, Query};
use watchlist::core::model::{Entity, EntityType};
use watchlist::core::native;

const QUERIES: usize = 3000;

fn entity(list: &str, id: usize, name: &str, aliases: Vec<String>) -> Entity {
    let mut entity = Entity::new(&format!("{list}:{id}"), list, EntityType::Unknown, name);
    entity.aliases = aliases;
    entity
}

fn seeds() -> Vec<Entity> {
    native::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds"))
        .expect("seeds")
        .into_iter()
        .flat_map(|(_, loaded)| loaded.expect("seed file").entities)
        .collect()
}

/// The real names of the Entity List (eCFR JSON) and the OFAC SDN list (legacy CSV).
fn shared_data() -> Option<Vec<Entity>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    let el: serde_json::Value = serde_json::from_slice(
        &std::fs::read(data.join("phagehunter-nsfreg/bis_entity_list.json")).ok()?,
    )
    .ok()?;
    let mut out = Vec::new();
    for (i, e) in el["entities"].as_array()?.iter().enumerate() {
        let aliases = e["aliases"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        out.push(entity("US-BIS-EL", i, e["name"].as_str()?, aliases));
    }
    let sdn = std::fs::read(data.join("markschaver-sdn/data.csv")).ok()?;
    for line in String::from_utf8_lossy(&sdn).lines() {
        // ent_num,"NAME",... : the name is the first quoted field.
        let mut parts = line.splitn(3, '"');
        let (Some(num), Some(name)) = (parts.next(), parts.next()) else {
            continue;
        };
        if let Ok(num) = num.trim_end_matches(',').parse::<usize>() {
            out.push(entity("US-OFAC-SDN", num, name, vec![]));
        }
    }
    Some(out)
}

/// Listed names, the same with one typo, and names that are on no list, in equal parts.
fn queries(entities: &[Entity]) -> Vec<String> {
    let mut out = Vec::with_capacity(QUERIES);
    let unlisted = [
        "Acme Bakery Supplies",
        "Riverside Dental Clinic",
        "Maple Leaf Logistics",
        "Jonathan Appleseed",
        "Golden Harvest Farms",
    ];
    let step = (entities.len() / (QUERIES / 3)).max(1);
    for (i, e) in entities.iter().step_by(step).take(QUERIES / 3).enumerate() {
        out.push(e.name.clone());
        let mut chars: Vec<char> = e.name.chars().collect();
        if chars.len() > 6 {
            chars.swap(3, 4);
        }
        out.push(chars.into_iter().collect());
        out.push(format!("{} {}", unlisted[i % unlisted.len()], i));
    }
    out
}

fn percentiles(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p) as usize];
    format!(
        "p50 {:>7.1?} p95 {:>7.1?} p99 {:>7.1?} max {:>7.1?}",
        at(0.5),
        at(0.95),
        at(0.99),
        samples[samples.len() - 1]
    )
}

fn in_process(label: &str, entities: &[Entity]) {
    let arcs: Vec<Arc<Entity>> = entities.iter().cloned().map(Arc::new).collect();
    let start = Instant::now();
    let index = Index::build(arcs.iter());
    let build = start.elapsed();
    let queries = queries(entities);
    let mut samples = Vec::with_capacity(queries.len());
    let mut matched = 0;
    let total = Instant::now();
    for q in &queries {
        let t = Instant::now();
        let hits = index.search(&Query {
            name: q,
            threshold: 0.75,
            limit: 10,
            ..Query::default()
        });
        samples.push(t.elapsed());
        matched += usize::from(!hits.is_empty());
    }
    let elapsed = total.elapsed();
    println!(
        "{label:<28} {:>6} entities {:>6} names  build {:>8.1?}  screen {}  {:>7.0}/s single-thread  ({matched}/{} queries matched)",
        index.entity_count(),
        index.name_count(),
        build,
        percentiles(samples),
        queries.len() as f64 / elapsed.as_secs_f64(),
        queries.len()
    );
}

async fn over_grpc(entities: &[Entity]) {
    use tonic::transport::Channel;
    use watchlist::proto::v1::{screening_client::ScreeningClient, ScreenRequest};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let settings =
        watchlist::server::Settings::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds"));
    tokio::spawn(watchlist::server::run(
        listener,
        settings,
        std::future::pending(),
    ));
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
    tokio::time::sleep(Duration::from_millis(500)).await; // seeds load
    let queries = Arc::new(queries(entities));

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
        "gRPC unary, 32 concurrent     {:>6} screens  {}  {:>7.0}/s",
        samples.len(),
        percentiles(samples.clone()),
        samples.len() as f64 / elapsed.as_secs_f64()
    );

    // ScreenStream: 10 rounds over the queries on one stream.
    let mut client = ScreeningClient::new(channel.clone());
    let items: Vec<ScreenRequest> = (0..10)
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
    while stream.message().await.unwrap().is_some() {
        received += 1;
    }
    assert_eq!(received, n);
    println!(
        "gRPC ScreenStream, 1 stream   {n:>6} screens  {:>8.1?} total  {:>7.0}/s",
        start.elapsed(),
        n as f64 / start.elapsed().as_secs_f64()
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return; // `cargo test --benches` asks to list; there is nothing to run as a test
    }
    let seeds = seeds();
    println!(
        "watchlist screening benchmark ({} queries per set: listed, one typo, unlisted)",
        QUERIES
    );
    in_process("in-process, seeds", &seeds);
    match shared_data() {
        Some(mut real) => {
            real.extend(seeds.iter().cloned());
            in_process("in-process, real EL+SDN", &real);
        }
        None => println!("!! ../shared/data not found: the real-list measurement was SKIPPED"),
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(over_grpc(&seeds));
}
