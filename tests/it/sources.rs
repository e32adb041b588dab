//! Sources and refresh: a list served over HTTP on loopback is loaded, changed, refreshed and
//! broken; subscribers see exactly the difference, screening follows, and bad files or a dead
//! server never take the last good data away.

use crate::support::{authed, expect_status, spawn_server, TestServer};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::Code;
use tonic_health::pb::{health_client::HealthClient, HealthCheckRequest};
use watchlist::core::import::Format;
use watchlist::feeds::config::{Location, SourceSpec};
use watchlist::proto::v1::{
    ChangeEvent, ChangeType, ReloadSourceRequest, ScreenRequest, SourceInfo, SourceState,
    SubscribeRequest,
};

const HEADER: &str = "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids";
const EL: &str = "Entity List (EL) - Bureau of Industry and Security";

/// One Entity List row of a CSL CSV.
fn el_row(name: &str, aliases: &str, city: &str) -> String {
    format!(
        "\"\",\"{EL}\",\"\",\"\",\"\",\"{name}\",\"\",\"1 Road, {city}, , , CN\",\"85 FR 34503\",\"2020-06-05\",\"\",\"\",\"For all items subject to the EAR.\",\"Presumption of denial.\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"\",\"{aliases}\",\"\",\"\",\"\",\"\",\"\",\"\""
    )
}

fn csl(rows: &[String]) -> Vec<u8> {
    let mut text = format!("{HEADER}\n{HEADER}\n");
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text.into_bytes()
}

/// What the test HTTP server answers: a body with its ETag, or a bare status.
struct Served {
    status: u16,
    body: Vec<u8>,
    etag: String,
    requests: usize,
}

/// A minimal HTTP/1.1 server on loopback: GET answers 200 with the body and its ETag, or 304
/// when `If-None-Match` names the current ETag.
async fn http_server(served: Arc<Mutex<Served>>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let served = Arc::clone(&served);
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let request = String::from_utf8_lossy(&request).to_ascii_lowercase();
                let response = {
                    let mut s = served.lock().unwrap();
                    s.requests += 1;
                    let etag = s.etag.to_ascii_lowercase();
                    if s.status != 200 {
                        format!(
                            "HTTP/1.1 {} Oops\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                            s.status
                        )
                        .into_bytes()
                    } else if request.contains(&format!("if-none-match: {etag}")) {
                        format!(
                            "HTTP/1.1 304 Not Modified\r\netag: {}\r\nconnection: close\r\n\r\n",
                            s.etag
                        )
                        .into_bytes()
                    } else {
                        let mut r = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: text/csv\r\ncontent-length: {}\r\netag: {}\r\nconnection: close\r\n\r\n",
                            s.body.len(),
                            s.etag
                        )
                        .into_bytes();
                        r.extend_from_slice(&s.body);
                        r
                    }
                };
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    addr
}

fn publish(served: &Arc<Mutex<Served>>, body: Vec<u8>, etag: &str) {
    let mut s = served.lock().unwrap();
    s.body = body;
    s.etag = format!("\"{etag}\"");
    s.status = 200;
}

fn url_source(addr: std::net::SocketAddr) -> SourceSpec {
    let mut spec = SourceSpec::new(
        "csl",
        Format::CslCsv,
        Location::Url(format!("http://{addr}/downloadable/consolidated.csv")),
    );
    spec.refresh = Duration::from_secs(3600);
    spec
}

async fn source(server: &TestServer, id: &str) -> SourceInfo {
    server
        .sources()
        .await
        .sources
        .into_iter()
        .find(|s| s.id == id)
        .unwrap()
}

async fn top_id(server: &TestServer, name: &str) -> Option<String> {
    let response = server
        .screening()
        .screen(ScreenRequest {
            name: name.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    response
        .matches
        .first()
        .map(|m| m.entity.as_ref().unwrap().id.clone())
}

async fn reload(
    server: &TestServer,
    force: bool,
) -> Result<watchlist::proto::v1::ReloadSourceResponse, tonic::Status> {
    server
        .admin()
        .reload_source(authed(ReloadSourceRequest {
            source_id: "csl".into(),
            force,
        }))
        .await
        .map(|r| r.into_inner())
}

async fn next_event(stream: &mut tonic::Streaming<ChangeEvent>) -> Option<ChangeEvent> {
    loop {
        let event = tokio::time::timeout(Duration::from_millis(1500), stream.message())
            .await
            .ok()?
            .unwrap()
            .expect("stream ended");
        if event.r#type != ChangeType::Heartbeat as i32 {
            return Some(event);
        }
    }
}

async fn source_health(server: &TestServer, id: &str) -> i32 {
    HealthClient::new(server.channel.clone())
        .check(HealthCheckRequest {
            service: format!("watchlist.source.{id}"),
        })
        .await
        .unwrap()
        .into_inner()
        .status
}

#[tokio::test]
async fn a_changed_list_file_reaches_subscribers_as_exactly_its_difference() {
    let served = Arc::new(Mutex::new(Served {
        status: 200,
        body: Vec::new(),
        etag: String::new(),
        requests: 0,
    }));
    let v1 = csl(&[
        el_row("Aksu Huafu Textiles Co., Ltd.", "Huafu Textiles", "Aksu"),
        el_row("CloudWalk Technology Co., Ltd.", "", "Guangzhou"),
        el_row("Harbin Engineering University", "HEU", "Harbin"),
    ]);
    publish(&served, v1, "v1");
    let addr = http_server(Arc::clone(&served)).await;
    let cache = tempfile::tempdir().unwrap();
    let cache_dir = cache.path().to_path_buf();
    let server = spawn_server(|s| {
        s.sources = vec![url_source(addr)];
        s.cache_dir = Some(cache_dir);
    })
    .await;

    let info = source(&server, "csl").await;
    assert_eq!(info.state, SourceState::Ok as i32, "{info:?}");
    assert_eq!((info.records, info.entities, info.rejected), (3, 3, 0));
    assert_eq!(info.lists, ["US-BIS-EL"]);
    assert_eq!(info.etag, "\"v1\"");
    let lists = server.sources().await.lists;
    assert_eq!(
        lists.len(),
        1,
        "only the configured source is loaded, not the seeds"
    );
    assert_eq!(lists[0].source_id, "csl");
    let cloudwalk = top_id(&server, "CloudWalk Technology").await.unwrap();
    assert!(cloudwalk.starts_with("US-BIS-EL:cloudwalk"), "{cloudwalk}");

    // An unchanged file: 304, no change, no event.
    let sequence = server.sources().await.sequence;
    let unchanged = reload(&server, false).await.unwrap();
    assert!(!unchanged.changed);
    assert_eq!(unchanged.mutation.unwrap().sequence, sequence);

    let mut events = server
        .changes()
        .subscribe(SubscribeRequest {
            from_sequence: Some(sequence),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();

    // One addition, one alias change, one removal.
    publish(
        &served,
        csl(&[
            el_row(
                "Aksu Huafu Textiles Co., Ltd.",
                "Huafu Textiles; Aksu Huafu Dyeing",
                "Aksu",
            ),
            el_row("Harbin Engineering University", "HEU", "Harbin"),
            el_row("Nanchang Hangkong University", "NCHU", "Nanchang"),
        ]),
        "v2",
    );
    let response = reload(&server, false).await.unwrap();
    assert!(response.changed);
    let m = response.mutation.unwrap();
    assert_eq!((m.added, m.updated, m.removed, m.unchanged), (1, 1, 1, 1));
    let mut seen = Vec::new();
    for _ in 0..3 {
        let e = next_event(&mut events)
            .await
            .expect("an event for each change");
        seen.push((e.r#type, e.entity.unwrap().primary_name));
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            (
                ChangeType::Added as i32,
                "Nanchang Hangkong University".to_string()
            ),
            (
                ChangeType::Updated as i32,
                "Aksu Huafu Textiles Co., Ltd.".to_string()
            ),
            (
                ChangeType::Removed as i32,
                "CloudWalk Technology Co., Ltd.".to_string()
            ),
        ]
    );
    assert!(
        next_event(&mut events).await.is_none(),
        "exactly three events"
    );
    assert!(top_id(&server, "Nanchang Hangkong University")
        .await
        .is_some());
    assert!(top_id(&server, "Aksu Huafu Dyeing").await.is_some());
    assert_eq!(top_id(&server, "CloudWalk Technology").await, None);

    // A broken file: refused, the last good data keeps serving, the failure is visible.
    publish(&served, b"name,city\nAcme,Beijing\n".to_vec(), "broken");
    let broken = reload(&server, false).await;
    expect_status(broken, Code::FailedPrecondition, "lacks the column");
    assert!(top_id(&server, "Nanchang Hangkong University")
        .await
        .is_some());
    let info = source(&server, "csl").await;
    assert_eq!(info.state, SourceState::Failed as i32);
    assert!(
        info.last_error
            .contains("still serving the data fetched at"),
        "{}",
        info.last_error
    );
    assert_eq!(info.entities, 3);
    assert_eq!(
        source_health(&server, "csl").await,
        2,
        "NOT_SERVING while failing"
    );

    // The server fails: UNAVAILABLE, data kept.
    served.lock().unwrap().status = 503;
    expect_status(reload(&server, false).await, Code::Unavailable, "503");
    assert!(top_id(&server, "Harbin Engineering University")
        .await
        .is_some());

    // A file that lost most of its records is refused unless forced.
    publish(
        &served,
        csl(&[el_row("Harbin Engineering University", "HEU", "Harbin")]),
        "v3",
    );
    expect_status(
        reload(&server, false).await,
        Code::FailedPrecondition,
        "reload with force",
    );
    assert!(top_id(&server, "Nanchang Hangkong University")
        .await
        .is_some());
    let forced = reload(&server, true).await.unwrap().mutation.unwrap();
    assert_eq!(forced.removed, 2);
    assert_eq!(source(&server, "csl").await.state, SourceState::Ok as i32);
    assert_eq!(source_health(&server, "csl").await, 1, "SERVING again");
    assert!(next_event(&mut events).await.is_some());
    drop(server);

    // A restart without network serves the cached last good copy.
    let dead = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap()
    };
    let cache_dir = cache.path().to_path_buf();
    let restarted = spawn_server(|s| {
        let mut spec = url_source(dead);
        spec.location = Location::Url(format!("http://{dead}/downloadable/consolidated.csv"));
        s.sources = vec![spec];
        s.cache_dir = Some(cache_dir);
    })
    .await;
    let info = source(&restarted, "csl").await;
    assert!(info.from_cache, "{info:?}");
    assert_eq!(info.entities, 1);
    assert_eq!(info.state, SourceState::Failed as i32);
    assert!(top_id(&restarted, "Harbin Engineering University")
        .await
        .is_some());
}

#[tokio::test]
async fn a_local_file_is_polled_and_unknown_sources_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("consolidated.csv");
    std::fs::write(
        &path,
        csl(&[el_row("CloudWalk Technology Co., Ltd.", "", "Guangzhou")]),
    )
    .unwrap();
    let mut spec = SourceSpec::new("el", Format::CslCsv, Location::Path(path.clone()));
    spec.refresh = Duration::from_secs(1);
    let server = spawn_server(|s| s.sources = vec![spec]).await;
    let mut events = server
        .changes()
        .subscribe(SubscribeRequest::default())
        .await
        .unwrap()
        .into_inner();
    std::fs::write(
        &path,
        csl(&[
            el_row("CloudWalk Technology Co., Ltd.", "", "Guangzhou"),
            el_row("Aksu Huafu Textiles Co., Ltd.", "", "Aksu"),
        ]),
    )
    .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(e) = next_event(&mut events).await {
                return e;
            }
        }
    })
    .await
    .expect("the poll picks up the change");
    assert_eq!(event.r#type, ChangeType::Added as i32);
    assert_eq!(
        event.entity.unwrap().primary_name,
        "Aksu Huafu Textiles Co., Ltd."
    );

    let unknown = server
        .admin()
        .reload_source(authed(ReloadSourceRequest {
            source_id: "nope".into(),
            force: false,
        }))
        .await;
    expect_status(unknown, Code::NotFound, "configured sources: el");
    let anonymous = server
        .admin()
        .reload_source(ReloadSourceRequest {
            source_id: "el".into(),
            force: false,
        })
        .await;
    expect_status(anonymous, Code::Unauthenticated, "");
}

#[tokio::test]
async fn two_sources_cannot_load_the_same_list() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("consolidated.csv");
    std::fs::write(
        &path,
        csl(&[el_row("CloudWalk Technology Co., Ltd.", "", "Guangzhou")]),
    )
    .unwrap();
    let server = spawn_server(|s| {
        s.sources = vec![
            SourceSpec::seeds(&crate::support::seeds_dir()),
            SourceSpec::new("csl", Format::CslCsv, Location::Path(path.clone())),
        ]
    })
    .await;
    let info = source(&server, "csl").await;
    assert_eq!(info.state, SourceState::Failed as i32);
    assert!(
        info.last_error
            .contains("list US-BIS-EL is already loaded from source \"seeds\""),
        "{}",
        info.last_error
    );
    // With a filter, the seeds keep the PRC lists and the file supplies the Entity List.
    let mut seeds = SourceSpec::seeds(&crate::support::seeds_dir());
    seeds.lists = vec!["CN-*".into()];
    let server = spawn_server(|s| {
        s.sources = vec![
            seeds,
            SourceSpec::new("csl", Format::CslCsv, Location::Path(path)),
        ]
    })
    .await;
    let lists = server.sources().await.lists;
    let el = lists.iter().find(|l| l.code == "US-BIS-EL").unwrap();
    assert_eq!((el.source_id.as_str(), el.entity_count), ("csl", 1));
    assert!(lists
        .iter()
        .any(|l| l.code == "CN-MOFCOM-UEL" && l.source_id == "seeds"));
}
