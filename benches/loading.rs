//! Loading benchmark: time and heap to parse the real list files in `../shared/data` with our
//! importers, time and heap to apply them to the store (index included), and the time from a
//! changed source file to the event reaching a subscriber over gRPC. Run with
//! `cargo bench --bench loading`; it prints tables and asserts nothing.

#[path = "support/heap.rs"]
mod heap;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use watchlist::core::import::Format;
use watchlist::core::store::Store;
use watchlist::feeds::config::{Location, SourceSpec};
use watchlist::feeds::files::read_path;
use watchlist::proto::v1::{
    admin_client::AdminClient, changes_client::ChangesClient, ChangeType, ReloadSourceRequest,
    SubscribeRequest,
};

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn data(relative: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(relative);
    p.exists().then_some(p)
}

const FILES: [(&str, Format, &str); 6] = [
    (
        "OFAC SDN CSV (2024-07)",
        Format::OfacCsv,
        "markschaver-sdn/data.csv",
    ),
    (
        "OFAC SDN CSV + add/alt/comments (2021)",
        Format::OfacCsv,
        "moov-io-watchman/test/testdata/bench/sdn.csv",
    ),
    (
        "OFAC consolidated CSV + siblings",
        Format::OfacCsv,
        "moov-io-watchman/test/testdata/cons_prim.csv",
    ),
    (
        "CSL CSV (2023, partial)",
        Format::CslCsv,
        "moov-io-watchman/test/testdata/csl.csv",
    ),
    (
        "OFAC advanced XML (consolidated)",
        Format::OfacAdvancedXml,
        "radwo-urban-fortnight/cons_advanced.xml",
    ),
    ("seeds (native)", Format::Native, "../main/seeds"),
];

fn main() {
    println!(
        "## Parsing and applying real files (median of 3 runs; heap from a counting allocator)\n"
    );
    println!("| File | Size | Entities | Parse | Parse peak heap | Apply (index) | Store heap | Heap per entity |");
    println!("|---|---|---|---|---|---|---|---|");
    for (label, format, relative) in FILES {
        let path = if relative.starts_with("../main") {
            Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds"))
        } else {
            data(relative)
        };
        let Some(path) = path else {
            println!("| {label} | absent: ../shared/data/{relative} | | | | | | |");
            continue;
        };
        let size = if path.is_dir() {
            std::fs::read_dir(&path)
                .map(|d| {
                    d.filter_map(|e| e.ok()?.metadata().ok())
                        .map(|m| m.len())
                        .sum()
                })
                .unwrap_or(0)
        } else {
            std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        };
        let mut parse_times = Vec::new();
        let mut apply_times = Vec::new();
        let (mut peak, mut store_heap, mut entities) = (0, 0, 0);
        for _ in 0..3 {
            let before = heap::live();
            heap::reset_peak();
            let started = Instant::now();
            let imported = match read_path(format, &path) {
                Ok(imported) => imported,
                Err(e) => {
                    println!("| {label} | unusable: {e} | | | | | | |");
                    break;
                }
            };
            parse_times.push(started.elapsed());
            peak = heap::peak() - before;
            entities = imported.entity_count();
            let lists = imported.lists; // the rest (rejections, warnings) is dropped here
            let store = Store::new(1000);
            let started = Instant::now();
            store.replace_source("bench", lists).expect("apply");
            apply_times.push(started.elapsed());
            // What the store holds: entities, name index, change log.
            store_heap = heap::live().saturating_sub(before);
            drop(store);
        }
        if parse_times.len() < 3 {
            continue;
        }
        parse_times.sort();
        apply_times.sort();
        println!(
            "| {label} | {:.1} MiB | {entities} | {:.0?} | {:.1} MiB | {:.0?} | {:.1} MiB | {:.1} KiB |",
            mib(size as usize),
            parse_times[1],
            mib(peak),
            apply_times[1],
            mib(store_heap),
            store_heap as f64 / 1024.0 / entities.max(1) as f64,
        );
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(change_to_event());
}

/// From a changed file to the event at a subscriber: by `Admin/ReloadSource`, and by the
/// source's own polling (interval 1 s), on a copy of the SDN CSV in a temporary directory.
async fn change_to_event() {
    let Some(sdn) = data("markschaver-sdn/data.csv") else {
        println!("\n(change-to-event skipped: ../shared/data is absent)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("watchlist-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("sdn.csv");
    let original = std::fs::read(&sdn).expect("sdn");
    std::fs::write(&file, &original).expect("copy");
    println!("\n## From a changed file to the event at a subscriber (SDN CSV, 15,443 entities)\n");
    println!("| Trigger | Runs | Median | Max |");
    println!("|---|---|---|---|");
    for (trigger, refresh) in [("Admin/ReloadSource", 3600), ("polling, 1 s interval", 1)] {
        let mut spec = SourceSpec::new("sdn", Format::OfacCsv, Location::Path(file.clone()));
        spec.refresh = Duration::from_secs(refresh);
        let mut settings = watchlist::server::Settings::with_sources(vec![spec]);
        settings.admin_token = Some("bench-token".parse().expect("token"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(watchlist::server::run(listener, settings, async {
            let _ = stop_rx.await;
        }));
        let channel = loop {
            if let Ok(c) = tonic::transport::Channel::from_shared(format!("http://{addr}"))
                .expect("uri")
                .connect()
                .await
            {
                break c;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let mut changes = ChangesClient::new(channel.clone());
        let mut admin = AdminClient::new(channel);
        // Wait until the first load is done (subscriptions are refused before).
        let mut stream = loop {
            match changes.subscribe(SubscribeRequest::default()).await {
                Ok(s) => break s.into_inner(),
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        let mut latencies = Vec::new();
        for run in 0..5 {
            let mut bytes = original.clone();
            // Drop the trailing 0x1A, add one record, keep the file well-formed.
            while bytes
                .last()
                .is_some_and(|b| *b == 0x1A || *b == b'\n' || *b == b'\r')
            {
                bytes.pop();
            }
            bytes.extend_from_slice(
                format!("\r\n{},\"BENCH ADDITION {run}\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a", 990_000 + run).as_bytes(),
            );
            let started = Instant::now();
            std::fs::write(&file, &bytes).expect("write");
            if refresh > 1 {
                let mut request = tonic::Request::new(ReloadSourceRequest {
                    source_id: "sdn".into(),
                    force: false,
                });
                request.metadata_mut().insert(
                    "authorization",
                    "Bearer bench-token".parse().expect("header"),
                );
                admin.reload_source(request).await.expect("reload");
            }
            loop {
                let event = stream.message().await.expect("stream").expect("event");
                if event.r#type != ChangeType::Heartbeat as i32 {
                    break;
                }
            }
            latencies.push(started.elapsed());
            // Let the rest of this change (the removal of the previous addition) arrive.
            if run > 0 {
                let _ = stream.message().await;
            }
        }
        latencies.sort();
        println!(
            "| {trigger} | {} | {} ms | {} ms |",
            latencies.len(),
            latencies[latencies.len() / 2].as_millis(),
            latencies[latencies.len() - 1].as_millis()
        );
        let _ = stop_tx.send(());
        let _ = server.await;
        std::fs::write(&file, &original).expect("restore");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
