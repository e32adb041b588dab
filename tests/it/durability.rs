//! Durable state: with a data directory, a restart restores the same entities, lists and
//! sequence, keeps numbering from there, and serves retained changes to subscribers resuming
//! from before the restart; a crash (SIGKILL at a random moment, repeated) loses no
//! acknowledged write and no event.

use crate::support::{authed, seeds_dir, spawn_server, TOKEN};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tonic::transport::Channel;
use tonic::Code;
use tonic_health::pb::{health_client::HealthClient, HealthCheckRequest};
use watchlist::core::journal::Journal;
use watchlist::proto::v1::{
    admin_client::AdminClient, catalog_client::CatalogClient, changes_client::ChangesClient,
    ChangeType, Entity, EntityType, GetEntityRequest, ListSourcesRequest, Listing,
    SubscribeRequest, UpsertEntitiesRequest,
};

fn upsert(id: &str, name: &str) -> UpsertEntitiesRequest {
    UpsertEntitiesRequest {
        entities: vec![Entity {
            id: id.into(),
            r#type: EntityType::Organization as i32,
            primary_name: name.into(),
            listings: vec![Listing {
                list_code: "CN-MOFCOM-UEL".into(),
                listed_on: "2026-11-23".into(),
                citation: "durability test".into(),
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

/// Waits until the journal in `dir` can be opened again (the previous server has let go).
async fn released(dir: &Path) {
    let mut last = String::new();
    for _ in 0..200 {
        match Journal::open(dir) {
            Ok(_) => return,
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the data directory is still in use: {last}");
}

#[tokio::test]
async fn a_restart_restores_state_sequence_and_history() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_path_buf();
    let d = dir.clone();
    let mut server = spawn_server(move |s| s.data_dir = Some(d)).await;
    let seeded = server.sources().await.sequence;
    assert!(seeded > 700, "the seeds load as one event per entity");
    let added = server
        .admin()
        .upsert_entities(authed(upsert("DUR:acme", "Acme Durable Avionics")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(added.sequence, seeded + 1);
    let before = server.sources().await;
    server.stop();
    (&mut server.handle).await.unwrap();
    released(&dir).await;
    // A second apart, so that a source read again would say it was read later.
    tokio::time::sleep(Duration::from_millis(1_100)).await;

    let d = dir.clone();
    let server = spawn_server(move |s| s.data_dir = Some(d)).await;
    let after = server.sources().await;
    // The seeds did not change and neither did the binary: they are not read again, and their
    // status is the one the first run recorded.
    for (a, b) in after.sources.iter().zip(&before.sources) {
        assert_eq!(
            (&a.id, a.entities, &a.digest, &a.data_fetched_at),
            (&b.id, b.entities, &b.digest, &b.data_fetched_at),
            "a source unchanged since the last run is skipped"
        );
    }
    assert_eq!(
        after.sequence, before.sequence,
        "unchanged seeds add no events on restart"
    );
    for (a, b) in after.lists.iter().zip(&before.lists) {
        assert_eq!(
            (&a.code, a.entity_count, &a.content_hash),
            (&b.code, b.entity_count, &b.content_hash)
        );
    }
    let entity = server
        .catalog()
        .get_entity(GetEntityRequest {
            id: "DUR:acme".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(entity.entity.unwrap().primary_name, "Acme Durable Avionics");

    // A subscriber resuming from before the restart gets the retained change, then new ones,
    // numbered on from the restored sequence.
    let mut events = server
        .changes()
        .subscribe(SubscribeRequest {
            from_sequence: Some(seeded),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let first = events.message().await.unwrap().unwrap();
    assert_eq!(
        (first.sequence, first.r#type),
        (seeded + 1, ChangeType::Added as i32)
    );
    let next = server
        .admin()
        .upsert_entities(authed(upsert("DUR:beta", "Beta Durable Optics")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(next.sequence, seeded + 2);
    let second = loop {
        let e = events.message().await.unwrap().unwrap();
        if e.r#type != ChangeType::Heartbeat as i32 {
            break e;
        }
    };
    assert_eq!(second.sequence, seeded + 2);
}

#[tokio::test]
async fn a_bounded_history_answers_old_positions_with_out_of_range_after_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_path_buf();
    let d = dir.clone();
    let mut server = spawn_server(move |s| {
        s.data_dir = Some(d);
        s.history = 10;
    })
    .await;
    let latest = server.sources().await.sequence;
    server.stop();
    (&mut server.handle).await.unwrap();
    released(&dir).await;
    let d = dir.clone();
    let server = spawn_server(move |s| {
        s.data_dir = Some(d);
        s.history = 10;
    })
    .await;
    let status = server
        .changes()
        .subscribe(SubscribeRequest {
            from_sequence: Some(1),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::OutOfRange);
    let oldest = latest - 9;
    assert!(
        status.message().contains(&format!(
            "oldest retained change is {oldest}, latest is {latest}"
        )),
        "{}",
        status.message()
    );
    let mut ok = server
        .changes()
        .subscribe(SubscribeRequest {
            from_sequence: Some(oldest - 1),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ok.message().await.unwrap().unwrap().sequence, oldest);
}

/// Entities per upsert in the crash test.
const BATCH: usize = 50;

/// The real binary on a data directory, killed with SIGKILL.
pub(crate) struct Process {
    pub(crate) child: Child,
    pub(crate) channel: Channel,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// The child is owned by `Process`, whose `Drop` kills and reaps it on every path.
#[allow(clippy::zombie_processes)]
pub(crate) async fn start_binary(dir: &Path) -> Process {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_watchlist"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--history",
            "1000000",
        ])
        .arg("--seeds")
        .arg(seeds_dir())
        .arg("--data-dir")
        .arg(dir)
        .env("WATCHLIST_ADMIN_TOKEN", TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Some(child);
    let started = Instant::now();
    loop {
        if let Ok(channel) = Channel::from_shared(format!("http://127.0.0.1:{port}"))
            .unwrap()
            .connect()
            .await
        {
            let health = HealthClient::new(channel.clone())
                .check(HealthCheckRequest {
                    service: String::new(),
                })
                .await
                .map(|r| r.into_inner().status);
            if health.ok() == Some(1) {
                if let Some(child) = child.take() {
                    return Process { child, channel };
                }
            }
        }
        if started.elapsed() > Duration::from_secs(60) {
            if let Some(mut child) = child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
            panic!("the binary never became SERVING");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Records every event after `from` until the stream breaks.
fn record_events(
    channel: Channel,
    from: u64,
    events: Arc<Mutex<Vec<(u64, String)>>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Ok(stream) = ChangesClient::new(channel)
            .subscribe(SubscribeRequest {
                from_sequence: Some(from),
                ..Default::default()
            })
            .await
        else {
            return;
        };
        let mut stream = stream.into_inner();
        while let Ok(Some(e)) = stream.message().await {
            if e.r#type != ChangeType::Heartbeat as i32 {
                events
                    .lock()
                    .unwrap()
                    .push((e.sequence, e.entity.map(|e| e.id).unwrap_or_default()));
            }
        }
    })
}

#[tokio::test]
async fn sigkill_at_random_moments_loses_no_acknowledged_write_and_no_event() {
    let data = tempfile::tempdir().unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    // (ids of one acknowledged request, in order; the sequence of its last change)
    let mut acked: Vec<(Vec<String>, u64)> = Vec::new();
    let seed = Instant::now().elapsed().subsec_nanos() as u64 ^ std::process::id() as u64;
    for round in 0..4u64 {
        let mut process = start_binary(data.path()).await;
        let from = events.lock().unwrap().last().map_or(0, |(s, _)| *s);
        let subscriber = record_events(process.channel.clone(), from, Arc::clone(&events));
        let writer = {
            let channel = process.channel.clone();
            tokio::spawn(async move {
                let mut admin = AdminClient::new(channel);
                let mut acked = Vec::new();
                for i in 0.. {
                    let batch: Vec<Entity> = (0..BATCH)
                        .map(|j| {
                            let id = format!("CRASH:{round}-{i}-{j}");
                            let name = format!("Crash Round {round} Batch {i} Entity {j} Trading");
                            upsert(&id, &name).entities.remove(0)
                        })
                        .collect();
                    let ids: Vec<String> = batch.iter().map(|e| e.id.clone()).collect();
                    let request = UpsertEntitiesRequest { entities: batch };
                    match admin.upsert_entities(authed(request)).await {
                        Ok(r) => acked.push((ids, r.into_inner().sequence)),
                        Err(_) => break,
                    }
                }
                acked
            })
        };
        // Kill points spread over the first 1.5 s of writing, different each round and run.
        let delay = 300 + (seed.wrapping_mul(round + 7).wrapping_add(round * 389) % 1700);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        process.child.kill().unwrap(); // SIGKILL
        process.child.wait().unwrap();
        acked.extend(writer.await.unwrap());
        let _ = subscriber.await;
    }
    // A last restart: every acknowledged write is there, and resuming from the last event seen
    // fills the stream up to the latest sequence with no gap and no repeat.
    let process = start_binary(data.path()).await;
    let latest = CatalogClient::new(process.channel.clone())
        .list_sources(ListSourcesRequest {})
        .await
        .unwrap()
        .into_inner()
        .sequence;
    let written: usize = acked.iter().map(|(ids, _)| ids.len()).sum();
    eprintln!(
        "crash test: {written} entities acknowledged in {} requests over 4 kills",
        acked.len()
    );
    // Each write rebuilds the index (about 30 ms for the seeds in a debug build, more while
    // other tests compete for the two cores): a few hundred writes is the usual pace.
    assert!(
        written >= 150,
        "the writer made progress: {written} entities"
    );
    let max_acked = acked.iter().map(|(_, s)| *s).max().unwrap();
    assert!(
        latest >= max_acked,
        "sequences continue: latest {latest} < acked {max_acked}"
    );
    let mut catalog = CatalogClient::new(process.channel.clone());
    for id in acked.iter().flat_map(|(ids, _)| ids) {
        catalog
            .get_entity(GetEntityRequest { id: id.clone() })
            .await
            .unwrap_or_else(|e| panic!("acknowledged {id} is missing: {e}"));
    }
    let from = events.lock().unwrap().last().map_or(0, |(s, _)| *s);
    let subscriber = record_events(process.channel.clone(), from, Arc::clone(&events));
    let waited = Instant::now();
    while events.lock().unwrap().last().map_or(0, |(s, _)| *s) < latest {
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "the resumed stream stalled"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    subscriber.abort();
    let events = events.lock().unwrap();
    let sequences: Vec<u64> = events.iter().map(|(s, _)| *s).collect();
    let expected: Vec<u64> = (1..=latest).collect();
    assert_eq!(
        sequences, expected,
        "every event exactly once, in order, without a gap"
    );
    for (ids, last) in &acked {
        let first = last + 1 - ids.len() as u64;
        for (k, id) in ids.iter().enumerate() {
            let sequence = first + k as u64;
            assert_eq!(
                &events[(sequence - 1) as usize].1,
                id,
                "event {sequence} is the write acknowledged with it"
            );
        }
    }
}

/// Group commit: 32 writers at once on a data directory are each acknowledged with their own
/// sequence, the change stream holds each write once and densely, and all of them are there
/// after a restart.
#[tokio::test]
async fn concurrent_durable_writers_share_syncs_and_lose_nothing() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_path_buf();
    let d = dir.clone();
    let mut server = spawn_server(move |s| s.data_dir = Some(d)).await;
    let seeded = server.sources().await.sequence;
    let writers: Vec<_> = (0..32)
        .map(|i| {
            let mut admin = server.admin();
            tokio::spawn(async move {
                admin
                    .upsert_entities(authed(upsert(
                        &format!("DUR:group-{i}"),
                        &format!("Group Commit Optics {i}"),
                    )))
                    .await
                    .unwrap()
                    .into_inner()
                    .sequence
            })
        })
        .collect();
    let mut sequences = Vec::new();
    for writer in writers {
        sequences.push(writer.await.unwrap());
    }
    sequences.sort_unstable();
    let dense: Vec<u64> = (seeded + 1..=seeded + 32).collect();
    assert_eq!(
        sequences, dense,
        "each write acknowledged with its own sequence"
    );
    let mut events = server
        .changes()
        .subscribe(SubscribeRequest {
            from_sequence: Some(seeded),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let mut seen = Vec::new();
    while seen.len() < 32 {
        let e = events.message().await.unwrap().unwrap();
        if e.r#type != ChangeType::Heartbeat as i32 {
            seen.push((e.sequence, e.entity.unwrap().id));
        }
    }
    assert_eq!(seen.iter().map(|(s, _)| *s).collect::<Vec<_>>(), dense);
    let ids: std::collections::BTreeSet<&String> = seen.iter().map(|(_, id)| id).collect();
    assert_eq!(ids.len(), 32);
    server.stop();
    (&mut server.handle).await.unwrap();
    released(&dir).await;
    let d = dir.clone();
    let server = spawn_server(move |s| s.data_dir = Some(d)).await;
    assert_eq!(server.sources().await.sequence, seeded + 32);
    for i in 0..32 {
        server
            .catalog()
            .get_entity(GetEntityRequest {
                id: format!("DUR:group-{i}"),
            })
            .await
            .unwrap();
    }
}
