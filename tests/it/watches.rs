//! Standing watches.
//!
//! * `incremental_watch_equals_a_full_rescreen`: a book made from the real lists (generated
//!   perturbations of listed names, and negatives) is watched while seeded random list changes
//!   (entities added, renamed, removed, merges) and party edits are applied; after each step
//!   the watch's hits (ids and scores) equal a fresh screen of the whole book, and only a
//!   share of the book was screened again.
//! * `a_watch_over_the_wire`: the Watches service end to end on a real server with two
//!   clients: a refresh adding 20 listed parties gives exactly 20 NEW_HIT, a delisting
//!   CLEARED, a false-positive decision silences an unrelated update until a name change
//!   brings the hit back as CHANGED_HIT, and another client can neither see nor touch the
//!   watch.

use crate::corpus::generated::{cases, SplitMix64};
use crate::support::{expect_status, spawn_server, with_auth, TestServer, TOKEN};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use tonic::Code;
use watchlist::core::model::{Entity, ListMeta, Measure};
use watchlist::core::store::Store;
use watchlist::core::watches::{NewWatch, Party, WatchLimits, Watches};

fn list(code: &str) -> ListMeta {
    ListMeta {
        code: code.into(),
        name: code.into(),
        authority: "test".into(),
        imposing_country: "US".into(),
        legal_basis: "test".into(),
        measures: vec![Measure::AssetFreeze],
        meaning: "test".into(),
        url: String::new(),
    }
}

/// The watch's hits, every page: party → entity → score at the API's 4 decimals.
fn watch_hits(watches: &Watches, id: &str) -> BTreeMap<(String, String), i64> {
    let mut out = BTreeMap::new();
    let mut token = String::new();
    loop {
        let page = watches.hits("owner", id, 1000, &token).unwrap();
        for h in &page.hits {
            out.insert(
                (h.party.clone(), h.hit.entity.id.clone()),
                (h.hit.score * 10_000.0).round() as i64,
            );
        }
        if page.next_page_token.is_empty() {
            return out;
        }
        token = page.next_page_token;
    }
}

/// A fresh screen of every party, as the watch's hits would be.
fn fresh(store: &Store, book: &BTreeMap<String, Party>) -> BTreeMap<(String, String), i64> {
    let snapshot = store.snapshot();
    let mut out = BTreeMap::new();
    for party in book.values() {
        let hits = snapshot.screen_party(
            &party.name,
            party.kind,
            &party.countries,
            &party.identifiers,
            None,
            0.75,
            watchlist::core::watches::PARTY_HITS,
        );
        for h in hits {
            out.insert(
                (party.reference.clone(), h.entity.id.clone()),
                (h.score * 10_000.0).round() as i64,
            );
        }
    }
    out
}

fn differences(
    got: &BTreeMap<(String, String), i64>,
    want: &BTreeMap<(String, String), i64>,
) -> Vec<String> {
    let keys: BTreeSet<_> = got.keys().chain(want.keys()).collect();
    keys.into_iter()
        .filter(|k| got.get(*k) != want.get(*k))
        .map(|k| format!("{k:?}: watch {:?}, fresh {:?}", got.get(k), want.get(k)))
        .collect()
}

#[test]
fn incremental_watch_equals_a_full_rescreen() {
    let Some(mut all) = crate::corpus::real_lists() else {
        eprintln!("skipped: ../shared/data is absent");
        return;
    };
    let generated = cases(&all, 16);
    let mut rng = SplitMix64(16);
    rng.shuffle(&mut all);
    // The entities the book's positives were made from, half listed now and half later; and
    // as many others.
    let by_id: BTreeMap<String, Entity> = all.iter().map(|e| (e.id.clone(), e.clone())).collect();
    let mut picked: Vec<_> = generated.cases.clone();
    rng.shuffle(&mut picked);
    picked.truncate(900);
    let sources: BTreeSet<String> = picked
        .iter()
        .flat_map(|c| c.expected.iter().cloned())
        .collect();
    let mut later: Vec<Entity> = Vec::new();
    let mut listed: BTreeMap<String, Entity> = BTreeMap::new();
    for (i, id) in sources.iter().enumerate() {
        if let Some(e) = by_id.get(id) {
            if i % 2 == 0 {
                listed.insert(id.clone(), e.clone());
            } else {
                later.push(e.clone());
            }
        }
    }
    for e in &mut all {
        if !e.native_names.is_empty() && e.native_source.is_empty() {
            e.native_source = "test".into();
        }
    }
    let by_id: BTreeMap<String, Entity> = all.iter().map(|e| (e.id.clone(), e.clone())).collect();
    for (id, e) in listed.iter_mut() {
        *e = by_id[id].clone();
    }
    for e in &mut later {
        *e = by_id[&e.id].clone();
    }
    for e in all.iter().filter(|e| !sources.contains(&e.id)).take(2_500) {
        listed.insert(e.id.clone(), e.clone());
    }
    let lists: BTreeSet<String> = all.iter().map(|e| e.list.clone()).collect();
    let store = Store::new(100_000);
    let by_list = |entities: &BTreeMap<String, Entity>| -> Vec<(ListMeta, Vec<Entity>)> {
        lists
            .iter()
            .map(|code| {
                (
                    list(code),
                    entities
                        .values()
                        .filter(|e| &e.list == code)
                        .cloned()
                        .collect(),
                )
            })
            .collect()
    };
    store.replace_source("real", by_list(&listed)).unwrap();

    let parties: Vec<Party> = picked
        .iter()
        .enumerate()
        .map(|(i, c)| Party {
            reference: format!("P{i:04}"),
            name: c.query.clone(),
            kind: c.entity_type,
            countries: c.countries.clone(),
            identifiers: Vec::new(),
        })
        .collect();
    let (first, rest) = parties.split_at(700);
    let mut book: BTreeMap<String, Party> = first
        .iter()
        .map(|p| (p.reference.clone(), p.clone()))
        .collect();
    let mut spare: Vec<Party> = rest.to_vec();
    let watches = Watches::new(WatchLimits::default());
    let id = watches
        .create(
            "owner",
            NewWatch {
                name: "property".into(),
                ..NewWatch::default()
            },
            first.to_vec(),
            &store.snapshot(),
        )
        .unwrap()
        .id;
    let mut problems = Vec::new();
    let diff = differences(&watch_hits(&watches, &id), &fresh(&store, &book));
    problems.extend(diff.into_iter().map(|d| format!("created: {d}")));
    let (mut rescored, mut steps, mut hits_seen) = (0usize, 0usize, 0usize);
    for step in 0..12 {
        let before = watches.screened();
        match step % 4 {
            // Entities held back are listed (new hits), a few renamed, a few delisted.
            0 | 2 => {
                let mut upserts: Vec<Entity> = (0..20).filter_map(|_| later.pop()).collect();
                let ids: Vec<String> = listed.keys().cloned().collect();
                for _ in 0..5 {
                    let mut e = listed[&ids[rng.below(ids.len())]].clone();
                    let donor = &all[rng.below(all.len())];
                    e.name.clone_from(&donor.name);
                    e.aliases.clone_from(&donor.aliases);
                    upserts.push(e);
                }
                for e in &upserts {
                    listed.insert(e.id.clone(), e.clone());
                }
                store.upsert(upserts).unwrap();
                let gone: Vec<String> = (0..8)
                    .map(|_| ids[rng.below(ids.len())].clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .filter(|id| listed.contains_key(id))
                    .collect();
                for id in &gone {
                    listed.remove(id);
                }
                store.remove(&gone).unwrap();
            }
            // The client edits its book.
            1 => {
                let added: Vec<Party> = (0..40).filter_map(|_| spare.pop()).collect();
                for p in &added {
                    book.insert(p.reference.clone(), p.clone());
                }
                watches
                    .add_parties("owner", &id, added, &store.snapshot())
                    .unwrap();
                let refs: Vec<String> = book.keys().cloned().collect();
                let gone: Vec<String> = (0..15)
                    .map(|_| refs[rng.below(refs.len())].clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                for r in &gone {
                    book.remove(r);
                }
                watches.remove_parties("owner", &id, &gone).unwrap();
            }
            // The index merges what changed (new weights: the whole book is screened again).
            _ => {
                while store.merge() {}
                let e = later.pop().unwrap();
                listed.insert(e.id.clone(), e.clone());
                store.upsert(vec![e]).unwrap();
            }
        }
        let snapshot = store.snapshot();
        if std::env::var("WATCH_DEBUG").is_ok() {
            for name in ["ALITE TECHNOLOGIES CO., LTD.", "Petr TOLSTOY"] {
                let hits = snapshot.screen_party(name, None, &[], &[], None, 0.75, 100);
                for h in hits
                    .iter()
                    .filter(|h| h.entity.id.ends_with(":9750") || h.entity.id.ends_with(":37379"))
                {
                    eprintln!(
                        "step {step} seg {} gen {} {name}: {:.4} {:?}",
                        snapshot.index.segment_count(),
                        snapshot.index.generation(),
                        h.score,
                        h.features
                    );
                }
            }
        }
        watches
            .evaluate(&snapshot, store.log(), store.log().latest())
            .unwrap();
        let got = watch_hits(&watches, &id);
        hits_seen += got.len();
        let diff = differences(&got, &fresh(&store, &book));
        problems.extend(diff.into_iter().map(|d| format!("step {step}: {d}")));
        if step % 4 != 3 {
            rescored += (watches.screened() - before) as usize;
            steps += 1;
        }
    }
    eprintln!(
        "watch of {} parties: {hits_seen} hits checked over 12 steps; {rescored} parties \
         screened again in {steps} steps without a merge ({:.1}% of the book per step)",
        book.len(),
        100.0 * rescored as f64 / (steps * book.len()) as f64
    );
    assert!(hits_seen > 100, "the book must have hits to compare");
    let snapshot = store.snapshot();
    let mut shown = BTreeSet::new();
    for problem in problems
        .iter()
        .filter(|p| shown.insert(p.split_once(':').map(|x| x.1.to_string())))
        .take(8)
    {
        if let Some((party, entity)) = problem
            .split_once("(\"")
            .and_then(|(_, r)| r.split_once("\", \""))
            .map(|(p, r)| (p.to_string(), r.split('"').next().unwrap_or("").to_string()))
        {
            let names: Vec<&str> = snapshot
                .entities
                .get(&entity)
                .map(|e| e.names().map(|(_, n)| n).collect())
                .unwrap_or_default();
            eprintln!(
                "{party} {:?} ~ {entity} {names:?}",
                book.get(&party).map(|p| &p.name)
            );
        }
    }
    assert!(
        problems.is_empty(),
        "{} differences:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ---- over the wire ----

use watchlist::core::import::Format;
use watchlist::feeds::config::{Location, SourceSpec};
use watchlist::proto::v1::{
    watches_client::WatchesClient, AddPartiesRequest, Alert, AlertKind, AlertsRequest,
    CreateWatchRequest, DecideHitRequest, Decision, DeleteWatchRequest, GetWatchRequest,
    ListHitsRequest, ListWatchesRequest, Party as PbParty, ReloadSourceRequest,
    RemovePartiesRequest, WatchHit,
};

const BANK: &str = "bank-token-1";
const OTHER: &str = "other-token-2";
const SCREEN_ONLY: &str = "screen-token-3";

fn sha256_hex(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn clients_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("clients.toml");
    let mut text = String::new();
    for (id, token, roles) in [
        ("bank", BANK, "[\"watch\"]"),
        ("other", OTHER, "[\"watch\"]"),
        ("ops", SCREEN_ONLY, "[\"admin\"]"),
    ] {
        text.push_str(&format!(
            "[[clients]]\nid = \"{id}\"\ntoken_sha256 = \"{}\"\nroles = {roles}\n\n",
            sha256_hex(token)
        ));
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn call<T>(message: T, token: &str) -> tonic::Request<T> {
    with_auth(message, &format!("Bearer {token}"))
}

/// Invented company names, each distinctive: the listings a refresh adds.
fn coined(i: usize) -> String {
    const WORDS: &[&str] = &[
        "Zorvexa",
        "Quillmont",
        "Brastavik",
        "Orrindell",
        "Velquarra",
        "Mistrovan",
        "Kelthorne",
        "Dravenport",
        "Ulmaryx",
        "Sarquinel",
        "Toblenzia",
        "Femrucado",
        "Gaspirelle",
        "Hunzavik",
        "Ibromanta",
        "Jorvastel",
        "Lupridane",
        "Nexquorra",
        "Pallivent",
        "Rostumbrel",
    ];
    const TRADES: &[&str] = &["Avionics", "Photonics", "Cryogenics", "Hydraulics"];
    format!("{} {} Co., Ltd.", WORDS[i], TRADES[i % 4])
}

/// A native list file (our own format) of `entries`: (reference, name, aliases, remarks).
fn native_file(path: &std::path::Path, entries: &[(String, String, Vec<String>, String)]) {
    let mut text = String::from(
        r#"{"list":{"code":"TEST-WATCH","name":"Watch test list","authority":"test","imposing_country":"US","legal_basis":"test","measures":["asset_freeze"],"meaning":"test"}}"#,
    );
    text.push('\n');
    for (reference, name, aliases, remarks) in entries {
        text.push_str(
            &serde_json::json!({
                "ref": reference,
                "type": "organization",
                "name": name,
                "aliases": aliases,
                "countries": ["CN"],
                "listed_on": "2026-12-01",
                "citation": "test",
                "remarks": remarks,
            })
            .to_string(),
        );
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

async fn reload(server: &TestServer) {
    server
        .admin()
        .reload_source(call(
            ReloadSourceRequest {
                source_id: "test".into(),
                force: false,
            },
            TOKEN,
        ))
        .await
        .unwrap();
}

/// Reads alerts until one of `kind` for `party`, skipping heartbeats; panics after 20 s.
async fn next_alert(stream: &mut tonic::Streaming<Alert>) -> Alert {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let alert = stream.message().await.unwrap().expect("stream open");
            if alert.kind != AlertKind::Heartbeat as i32 {
                return alert;
            }
        }
    })
    .await
    .expect("an alert within 20 s")
}

/// Waits until no alert (heartbeats aside) arrives for `quiet`, returning what did.
async fn drain(stream: &mut tonic::Streaming<Alert>, quiet: Duration) -> Vec<Alert> {
    let mut got = Vec::new();
    let mut until = tokio::time::Instant::now() + quiet;
    while let Ok(Ok(Some(alert))) = tokio::time::timeout_at(until, stream.message()).await {
        if alert.kind != AlertKind::Heartbeat as i32 {
            got.push(alert);
            until = tokio::time::Instant::now() + quiet;
        }
    }
    got
}

#[tokio::test]
async fn a_watch_over_the_wire() {
    let dir = tempfile::tempdir().unwrap();
    let clients = clients_file(dir.path());
    let file = dir.path().join("test-list");
    std::fs::create_dir_all(&file).unwrap();
    let list_path = file.join("test-watch.jsonl");
    // One listing before the watch exists, for the decision: "Halvorsen Maritime Logistics".
    let base = vec![(
        "hml-1".to_string(),
        "Halvorsen Maritime Logistics Ltd".to_string(),
        Vec::new(),
        "first".to_string(),
    )];
    native_file(&list_path, &base);
    let server = spawn_server(|s| {
        let mut spec = SourceSpec::new("test", Format::Native, Location::Path(file.clone()));
        spec.refresh = Duration::from_secs(3600);
        s.sources.push(spec);
        s.clients = watchlist::api::auth::read_clients(&clients).unwrap();
        s.heartbeat = Duration::from_secs(1);
    })
    .await;
    let mut bank = WatchesClient::new(server.channel.clone());

    // A book of 10,000: 20 parties named as the listings about to come, one as the existing
    // listing, the rest customers whose names match nothing.
    let mut parties: Vec<PbParty> = (0..9_979)
        .map(|i| PbParty {
            reference: format!("C{i:05}"),
            name: format!("Customer {i:05} Account"),
            ..PbParty::default()
        })
        .collect();
    parties.extend((0..20).map(|i| PbParty {
        reference: format!("T{i:02}"),
        name: coined(i).to_uppercase(),
        ..PbParty::default()
    }));
    parties.push(PbParty {
        reference: "HML".into(),
        name: "Halvorsen Maritime Logistics".into(),
        ..PbParty::default()
    });
    let watch = bank
        .create_watch(call(
            CreateWatchRequest {
                name: "customers".into(),
                lists: vec!["TEST-WATCH".into()],
                parties,
                ..CreateWatchRequest::default()
            },
            BANK,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(watch.party_count, 10_000);
    assert_eq!(
        watch.hit_count, 1,
        "only the existing listing matches: {watch:?}"
    );
    let mut alerts = bank
        .alerts(call(
            AlertsRequest {
                watch_id: watch.id.clone(),
                from_alert: Some(0),
            },
            BANK,
        ))
        .await
        .unwrap()
        .into_inner();
    let first = next_alert(&mut alerts).await;
    assert_eq!(first.kind, AlertKind::NewHit as i32);
    assert_eq!(first.party_reference, "HML");
    assert_eq!(first.sequence, 1);

    // The refresh lists the 20: exactly 20 NEW_HIT, one per party, each with its cause.
    let mut entries = base.clone();
    entries.extend((0..20).map(|i| (format!("t-{i}"), coined(i), Vec::new(), String::new())));
    native_file(&list_path, &entries);
    reload(&server).await;
    let mut new: Vec<Alert> = Vec::new();
    for _ in 0..20 {
        new.push(next_alert(&mut alerts).await);
    }
    new.extend(drain(&mut alerts, Duration::from_millis(1500)).await);
    assert_eq!(new.len(), 20, "{new:#?}");
    let refs: BTreeSet<&str> = new.iter().map(|a| a.party_reference.as_str()).collect();
    assert_eq!(refs.len(), 20);
    assert!(new.iter().all(|a| a.kind == AlertKind::NewHit as i32
        && a.party_reference.starts_with('T')
        && a.cause_sequence > 0));
    let seqs: Vec<u64> = new.iter().map(|a| a.sequence).collect();
    assert_eq!(seqs, (2..22).collect::<Vec<u64>>(), "dense alert sequences");

    // A delisting clears the hit.
    entries.retain(|e| e.0 != "t-3");
    native_file(&list_path, &entries);
    reload(&server).await;
    let cleared = next_alert(&mut alerts).await;
    assert_eq!(cleared.kind, AlertKind::Cleared as i32, "{cleared:?}");
    assert_eq!(cleared.party_reference, "T03");
    assert_eq!(cleared.reason, "delisted");

    // A false positive stays quiet through an unrelated update...
    let decided: WatchHit = bank
        .decide_hit(call(
            DecideHitRequest {
                watch_id: watch.id.clone(),
                party_reference: "HML".into(),
                entity_id: "TEST-WATCH:hml-1".into(),
                decision: Decision::FalsePositive as i32,
                note: "different company, Bergen".into(),
            },
            BANK,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        decided.decision.as_ref().unwrap().decided_by,
        "bank",
        "{decided:?}"
    );
    entries[0].3 = "remarks changed".into();
    native_file(&list_path, &entries);
    reload(&server).await;
    let quiet = drain(&mut alerts, Duration::from_millis(2500)).await;
    assert!(quiet.is_empty(), "an unrelated update alerted: {quiet:?}");
    // ...until the entity's names change: CHANGED_HIT says why it came back.
    entries[0].2 = vec!["Halvorsen Maritime Logistics Limited".into()];
    native_file(&list_path, &entries);
    reload(&server).await;
    let back = next_alert(&mut alerts).await;
    assert_eq!(back.kind, AlertKind::ChangedHit as i32, "{back:?}");
    assert_eq!(back.party_reference, "HML");
    assert!(
        back.reason.contains("names or identifiers changed"),
        "{back:?}"
    );

    // Hits and counts.
    let got = bank
        .get_watch(call(
            GetWatchRequest {
                watch_id: watch.id.clone(),
            },
            BANK,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(got.hit_count, 20, "{got:?}");
    assert_eq!(got.open_hit_count, 20, "the decision went with the change");
    let hits = bank
        .list_hits(call(
            ListHitsRequest {
                watch_id: watch.id.clone(),
                page_size: 7,
                ..ListHitsRequest::default()
            },
            BANK,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(hits.hits.len(), 7);
    assert!(!hits.next_page_token.is_empty());

    // Bad input: each its own status.
    let duplicate = bank
        .add_parties(call(
            AddPartiesRequest {
                watch_id: watch.id.clone(),
                parties: vec![PbParty {
                    reference: "T00".into(),
                    name: "x".into(),
                    ..PbParty::default()
                }],
            },
            BANK,
        ))
        .await;
    expect_status(duplicate, Code::InvalidArgument, "already in the watch");
    let empty = bank
        .add_parties(call(
            AddPartiesRequest {
                watch_id: watch.id.clone(),
                parties: vec![PbParty {
                    reference: "NEW".into(),
                    name: "  ".into(),
                    ..PbParty::default()
                }],
            },
            BANK,
        ))
        .await;
    expect_status(empty, Code::InvalidArgument, "parties[0].name");
    let threshold = bank
        .create_watch(call(
            CreateWatchRequest {
                name: "bad".into(),
                threshold: Some(1.5),
                ..CreateWatchRequest::default()
            },
            BANK,
        ))
        .await;
    expect_status(threshold, Code::InvalidArgument, "threshold");
    let unknown_ref = bank
        .remove_parties(call(
            RemovePartiesRequest {
                watch_id: watch.id.clone(),
                references: vec!["T01".into(), "NOPE".into()],
            },
            BANK,
        ))
        .await;
    expect_status(unknown_ref, Code::NotFound, "nothing was removed");
    let unchanged = bank
        .get_watch(call(
            GetWatchRequest {
                watch_id: watch.id.clone(),
            },
            BANK,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(unchanged.party_count, 10_000, "nothing half-applied");

    // Another client cannot see or touch the watch: NOT_FOUND, as for no watch at all.
    let mut other = WatchesClient::new(server.channel.clone());
    let w = || watch.id.clone();
    // Each call as the other client must fail as for a watch that does not exist.
    macro_rules! hidden {
        ($method:ident, $request:expr) => {
            expect_status(
                other.$method(call($request, OTHER)).await,
                Code::NotFound,
                "no watch",
            )
        };
    }
    hidden!(get_watch, GetWatchRequest { watch_id: w() });
    hidden!(
        list_hits,
        ListHitsRequest {
            watch_id: w(),
            ..ListHitsRequest::default()
        }
    );
    hidden!(
        decide_hit,
        DecideHitRequest {
            watch_id: w(),
            party_reference: "T00".into(),
            entity_id: "TEST-WATCH:t-0".into(),
            decision: Decision::Confirmed as i32,
            note: String::new(),
        }
    );
    hidden!(
        alerts,
        AlertsRequest {
            watch_id: w(),
            from_alert: Some(0),
        }
    );
    hidden!(
        add_parties,
        AddPartiesRequest {
            watch_id: w(),
            parties: vec![PbParty {
                reference: "X".into(),
                name: "Intruder Trading".into(),
                ..PbParty::default()
            }],
        }
    );
    hidden!(delete_watch, DeleteWatchRequest { watch_id: w() });
    let listed = other
        .list_watches(call(ListWatchesRequest::default(), OTHER))
        .await
        .unwrap()
        .into_inner();
    assert!(listed.watches.is_empty());
    // No token, an unknown token, a client without the watch role.
    expect_status(
        other.list_watches(ListWatchesRequest::default()).await,
        Code::Unauthenticated,
        "missing credentials",
    );
    expect_status(
        other
            .list_watches(call(ListWatchesRequest::default(), "nobody"))
            .await,
        Code::Unauthenticated,
        "not one of a known client",
    );
    expect_status(
        other
            .list_watches(call(ListWatchesRequest::default(), SCREEN_ONLY))
            .await,
        Code::PermissionDenied,
        "role",
    );

    // The owner deletes it; its stream ends with NOT_FOUND.
    let deleted = bank
        .delete_watch(call(
            DeleteWatchRequest {
                watch_id: watch.id.clone(),
            },
            BANK,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(deleted.party_count, 10_000);
    let ended =
        crate::support::stream_end(&mut alerts, Duration::from_secs(10), "the alert stream").await;
    expect_status(ended, Code::NotFound, "was deleted");
    expect_status(
        bank.get_watch(call(
            GetWatchRequest {
                watch_id: watch.id.clone(),
            },
            BANK,
        ))
        .await,
        Code::NotFound,
        "no watch",
    );
}

// ---- across kill -9 ----

/// A made-up word for listing `i`: four syllables from `i`'s digits, so no two listings share
/// a word.
fn coined_word(i: u64) -> String {
    const SYLLABLES: &[&str] = &[
        "ka", "ro", "mi", "zu", "te", "lo", "vi", "na", "shu", "pe", "dor", "fin", "gal", "hex",
        "jor", "kim", "lum", "mox", "nir", "quo",
    ];
    let mut n = i.wrapping_mul(7_919).wrapping_add(104_729);
    let mut word = String::new();
    for _ in 0..4 {
        word.push_str(SYLLABLES[(n % 20) as usize]);
        n /= 20;
    }
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn listing_name(i: u64) -> String {
    format!("{} {} Holdings", coined_word(i), coined_word(i + 50_000))
}

/// Reads alerts after `from` into `seen` until the stream breaks.
fn record_alerts(
    channel: tonic::transport::Channel,
    watch: String,
    from: u64,
    seen: Arc<std::sync::Mutex<Vec<(u64, i32, String)>>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Ok(stream) = WatchesClient::new(channel)
            .alerts(call(
                AlertsRequest {
                    watch_id: watch,
                    from_alert: Some(from),
                },
                TOKEN,
            ))
            .await
        else {
            return;
        };
        let mut stream = stream.into_inner();
        while let Ok(Some(a)) = stream.message().await {
            if a.kind != AlertKind::Heartbeat as i32 {
                seen.lock()
                    .unwrap()
                    .push((a.sequence, a.kind, a.party_reference));
            }
        }
    })
}

#[tokio::test]
async fn a_watch_loses_and_repeats_no_alert_across_sigkill() {
    use watchlist::proto::v1::{
        admin_client::AdminClient, Entity as PbEntity, Listing, UpsertEntitiesRequest,
    };
    let data = tempfile::tempdir().unwrap();
    const ROUNDS: u64 = 3;
    const PER_ROUND: u64 = 120;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut watch = String::new();
    let mut acked: Vec<u64> = Vec::new();
    let seed = std::process::id() as u64;
    for round in 0..ROUNDS {
        let mut process = crate::durability::start_binary(data.path()).await;
        if round == 0 {
            // The book: one party per listing to come, and as many that match nothing.
            let parties: Vec<PbParty> = (0..ROUNDS * PER_ROUND)
                .flat_map(|i| {
                    [
                        PbParty {
                            reference: format!("L{i:04}"),
                            name: listing_name(i).to_uppercase(),
                            ..PbParty::default()
                        },
                        PbParty {
                            reference: format!("N{i:04}"),
                            name: format!("{} Bakery", coined_word(i + 90_000)),
                            ..PbParty::default()
                        },
                    ]
                })
                .collect();
            watch = WatchesClient::new(process.channel.clone())
                .create_watch(call(
                    CreateWatchRequest {
                        name: "crash".into(),
                        parties,
                        ..CreateWatchRequest::default()
                    },
                    TOKEN,
                ))
                .await
                .unwrap()
                .into_inner()
                .id;
        }
        let from = seen.lock().unwrap().last().map_or(0, |(s, _, _)| *s);
        let reader = record_alerts(
            process.channel.clone(),
            watch.clone(),
            from,
            Arc::clone(&seen),
        );
        let writer = {
            let channel = process.channel.clone();
            tokio::spawn(async move {
                let mut admin = AdminClient::new(channel);
                let mut acked = Vec::new();
                for i in round * PER_ROUND..(round + 1) * PER_ROUND {
                    let entity = PbEntity {
                        id: format!("CRASHW:{i}"),
                        r#type: watchlist::proto::v1::EntityType::Organization as i32,
                        primary_name: listing_name(i),
                        listings: vec![Listing {
                            list_code: "CN-MOFCOM-UEL".into(),
                            listed_on: "2026-12-07".into(),
                            citation: "crash test".into(),
                            ..Listing::default()
                        }],
                        ..PbEntity::default()
                    };
                    let request = UpsertEntitiesRequest {
                        entities: vec![entity],
                    };
                    match admin.upsert_entities(call(request, TOKEN)).await {
                        Ok(_) => acked.push(i),
                        Err(_) => break,
                    }
                }
                acked
            })
        };
        let delay = 400 + (seed.wrapping_mul(round + 3).wrapping_add(round * 577) % 1200);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        process.child.kill().unwrap(); // SIGKILL
        process.child.wait().unwrap();
        acked.extend(writer.await.unwrap());
        let _ = reader.await;
    }
    // A last restart: the watch catches up, and resuming from the last alert seen gives the
    // rest, numbered on without a gap or a repeat.
    let process = crate::durability::start_binary(data.path()).await;
    let mut client = WatchesClient::new(process.channel.clone());
    let latest = process_latest(&process.channel).await;
    for _ in 0..600 {
        let w = client
            .get_watch(call(
                GetWatchRequest {
                    watch_id: watch.clone(),
                },
                TOKEN,
            ))
            .await
            .unwrap()
            .into_inner();
        if w.sequence >= latest {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let from = seen.lock().unwrap().last().map_or(0, |(s, _, _)| *s);
    let reader = record_alerts(
        process.channel.clone(),
        watch.clone(),
        from,
        Arc::clone(&seen),
    );
    tokio::time::sleep(Duration::from_secs(4)).await;
    reader.abort();
    let seen = seen.lock().unwrap().clone();
    let sequences: Vec<u64> = seen.iter().map(|(s, _, _)| *s).collect();
    assert_eq!(
        sequences,
        (1..=sequences.len() as u64).collect::<Vec<_>>(),
        "alerts numbered 1.. without a gap or a repeat"
    );
    let new_hits: Vec<&str> = seen
        .iter()
        .filter(|(_, kind, _)| *kind == AlertKind::NewHit as i32)
        .map(|(_, _, party)| party.as_str())
        .collect();
    let distinct: BTreeSet<&str> = new_hits.iter().copied().collect();
    assert_eq!(distinct.len(), new_hits.len(), "no NEW_HIT twice");
    for i in &acked {
        assert!(
            distinct.contains(format!("L{i:04}").as_str()),
            "acknowledged listing {i} was never alerted ({} alerts, {} acknowledged)",
            seen.len(),
            acked.len()
        );
    }
    eprintln!(
        "watch crash test: {} listings acknowledged over {ROUNDS} kills, {} alerts, none lost or repeated",
        acked.len(),
        seen.len()
    );
    assert!(
        acked.len() >= 20,
        "the writer made progress: {}",
        acked.len()
    );
}

async fn process_latest(channel: &tonic::transport::Channel) -> u64 {
    watchlist::proto::v1::catalog_client::CatalogClient::new(channel.clone())
        .list_sources(watchlist::proto::v1::ListSourcesRequest {})
        .await
        .unwrap()
        .into_inner()
        .sequence
}
