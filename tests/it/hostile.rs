//! Hostile clients: no request can stall the service. Worst-case names within a fixed work
//! budget (counted, not timed), a raw HTTP/2 client that never grants flow-control window, a
//! `ScreenStream` client that pauses reading, unreadable stream items, deadlines, and what
//! shutdown tells streams.

use crate::support::{authed, expect_status, seeds_dir, spawn_server, stream_end};
use bytes::Bytes;
use std::sync::Arc;
use std::time::Duration;
use tonic::{Code, Request};
use watchlist::core::matching::{Index, Query};
use watchlist::core::{query::check_name, work};
use watchlist::proto::v1::{
    Entity, EntityType, Listing, ScreenRequest, SubscribeRequest, UpsertEntitiesRequest,
};

/// Work units (normalised characters, postings read, name × query token pairs scored, edit
/// cells, deletion keys) one screening may cost on the seeds. Before the bounds, one 512-letter
/// word made 131,000 deletion keys and 华 × 512 scored every name holding 华 at 512 tokens.
pub const BUDGET: u64 = 60_000;

/// The worst names of each kind a client can send, at and beyond the limits.
fn worst_names() -> Vec<(&'static str, String)> {
    let letters: String = (0..512)
        .map(|i| (b'a' + (i * 7 % 26) as u8) as char)
        .collect();
    let han = "中国科技集团有限公司电子研究所航空工业大学深圳北京上海华为技术信息网络通信设备";
    vec![
        ("a 512-letter word", letters.clone()),
        ("'ab' x 256", "ab".repeat(256)),
        (
            "U+3300 x 128 (512 letters after NFKC)",
            "\u{3300}".repeat(128),
        ),
        (
            "U+3300 x 512 (2,048 letters after NFKC)",
            "\u{3300}".repeat(512),
        ),
        ("华 x 512", "华".repeat(512)),
        (
            "512 varied Han characters",
            han.chars().cycle().take(512).collect(),
        ),
        (
            "words of 32 letters",
            (0..15)
                .map(|i| letters[i..i + 32].to_string())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        ("256 one-letter words", "a ".repeat(256)),
        (
            "mixed scripts",
            (0..100)
                .map(|i| format!("华{}", &letters[i..i + 3]))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        (
            "common words, mistyped",
            "chinna technollogy internationnal tradingg groupp electronnics compannny industrry "
                .repeat(6),
        ),
    ]
}

#[test]
fn worst_names_cost_a_bounded_amount_of_work() {
    let entities: Vec<Arc<watchlist::core::model::Entity>> =
        watchlist::feeds::files::load_dir(&seeds_dir())
            .unwrap()
            .into_iter()
            .flat_map(|(_, loaded)| loaded.unwrap().entities)
            .map(Arc::new)
            .collect();
    let index = Index::build(entities.iter());
    for (label, name) in worst_names() {
        // What the service accepts of it: the name itself, or its longest accepted prefix (the
        // worst a client can get past the limits).
        let mut accepted: String = name.chars().take(512).collect();
        while check_name(&accepted).is_err() {
            accepted.pop();
        }
        let (_, cost) = work::measure(|| {
            index.search(&Query {
                name: &accepted,
                threshold: 0.5,
                limit: 100,
                ..Query::default()
            })
        });
        assert!(
            cost.total() <= BUDGET,
            "{label}: {} characters accepted cost {cost:?} = {} work units, above the budget of {BUDGET}",
            accepted.chars().count(),
            cost.total()
        );
    }
}

#[tokio::test]
async fn worst_names_are_answered_or_refused_clearly_and_health_keeps_answering() {
    let server = spawn_server(|_| {}).await;
    let mut calls = Vec::new();
    for (label, name) in worst_names() {
        let mut client = server.screening();
        calls.push(tokio::spawn(async move {
            let result = client
                .screen(ScreenRequest {
                    name: name.clone(),
                    ..Default::default()
                })
                .await;
            match result {
                Ok(_) => {}
                Err(status) => {
                    assert_eq!(status.code(), Code::InvalidArgument, "{label}: {status:?}");
                    assert!(status.message().contains("at most"), "{label}: {status:?}");
                }
            }
        }));
    }
    let mut health = tonic_health::pb::health_client::HealthClient::new(server.channel.clone());
    health
        .check(tonic_health::pb::HealthCheckRequest::default())
        .await
        .unwrap();
    for call in calls {
        call.await.unwrap();
    }
    for invisible in ["\u{200B}\u{200D}", "\u{3164}\u{3164}", " \u{FEFF} ", "·—·"] {
        expect_status(
            server
                .screening()
                .screen(ScreenRequest {
                    name: invisible.into(),
                    ..Default::default()
                })
                .await,
            Code::InvalidArgument,
            "no letters or digits",
        );
    }
}

fn entity(id: &str, name: &str, remarks: &str) -> Entity {
    Entity {
        id: id.into(),
        r#type: EntityType::Organization as i32,
        primary_name: name.into(),
        remarks: remarks.into(),
        listings: vec![Listing {
            list_code: "CN-MFA-AFSL".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn upsert(entities: Vec<Entity>) -> Request<UpsertEntitiesRequest> {
    authed(UpsertEntitiesRequest { entities })
}

/// One gRPC message as it goes on the wire: the flag byte, the length, the bytes.
fn grpc_frame(message: &[u8], claimed: Option<u32>) -> Bytes {
    let mut frame = vec![0u8];
    frame.extend_from_slice(&claimed.unwrap_or(message.len() as u32).to_be_bytes());
    frame.extend_from_slice(message);
    Bytes::from(frame)
}

/// Opens a raw HTTP/2 call whose client never grants the server any flow-control window for
/// its responses (it still answers PINGs and SETTINGS: its connection task runs).
async fn raw_call(
    addr: std::net::SocketAddr,
    path: &str,
    body: Bytes,
    window: u32,
    headers: &[(&str, &str)],
) -> h2::client::ResponseFuture {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut client, connection) = h2::client::Builder::new()
        .initial_window_size(window)
        .handshake::<_, Bytes>(tcp)
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut request = http::Request::builder()
        .method("POST")
        .uri(format!("http://{addr}{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(()).unwrap();
    let (response, mut send) = client.send_request(request, false).unwrap();
    send.send_data(body, true).unwrap();
    // The client handle must outlive the call.
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(120)).await;
        drop(client);
    });
    response
}

/// The grpc-status and grpc-message of a raw call: in its headers (a trailers-only answer) or
/// in its trailers after the body.
async fn final_status(response: http::Response<h2::RecvStream>) -> (String, Option<String>) {
    let status_in = |headers: &http::HeaderMap| {
        headers.get("grpc-status").map(|v| {
            (
                v.to_str().unwrap().to_string(),
                headers
                    .get("grpc-message")
                    .map(|m| m.to_str().unwrap().to_string()),
            )
        })
    };
    if let Some(found) = status_in(response.headers()) {
        return found;
    }
    let mut body = response.into_body();
    while let Some(data) = body.data().await {
        let data = data.unwrap();
        let _ = body.flow_control().release_capacity(data.len());
    }
    let trailers = body.trailers().await.unwrap().expect("no trailers");
    status_in(&trailers).expect("no grpc-status")
}

#[tokio::test]
async fn subscribers_that_never_grant_window_are_ended_and_free_their_slots() {
    let server = spawn_server(|s| {
        s.max_subscribers = 2;
        s.history = 5;
        s.subscriber_buffer = 1;
        s.subscriber_stall = Duration::from_secs(2);
    })
    .await;
    let mut stalled = Vec::new();
    for _ in 0..2 {
        let response = raw_call(
            server.addr,
            "/watchlist.v1.Changes/Subscribe",
            grpc_frame(&[], None),
            0,
            &[],
        )
        .await;
        stalled.push(response.await.unwrap()); // headers need no window
    }
    expect_status(
        server
            .changes()
            .subscribe(SubscribeRequest::default())
            .await,
        Code::ResourceExhausted,
        "maximum of 2 subscribers",
    );
    // Changes the stalled clients cannot take: large enough to fill what HTTP/2 buffers.
    let remarks = "R".repeat(8000);
    let mut admitted = false;
    for round in 0..40 {
        let batch = (0..10)
            .map(|i| {
                entity(
                    &format!("T:stall-{round}-{i}"),
                    &format!("Stall Test {round} {i}"),
                    &remarks,
                )
            })
            .collect();
        server.admin().upsert_entities(upsert(batch)).await.unwrap();
        if server
            .changes()
            .subscribe(SubscribeRequest::default())
            .await
            .is_ok()
        {
            admitted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(admitted, "the stalled subscribers kept their slots");
}

#[tokio::test]
async fn a_screen_stream_client_that_pauses_reading_is_paused_not_disconnected() {
    let server = spawn_server(|_| {}).await;
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let mut responses = server
        .screening()
        .screen_stream(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    const ITEMS: usize = 4000;
    let sender = tokio::spawn(async move {
        for i in 0..ITEMS {
            let request = ScreenRequest {
                name: ["Huawei Technologies", "China Electronics", "Kharon", "a b"][i % 4].into(),
                request_id: i.to_string(),
                threshold: Some(0.3),
                limit: 100,
                ..Default::default()
            };
            if tx.send(request).await.is_err() {
                return;
            }
        }
    });
    tokio::time::sleep(Duration::from_secs(4)).await; // reads nothing meanwhile
    let mut received = 0;
    while let Some(response) = tokio::time::timeout(Duration::from_secs(30), responses.message())
        .await
        .expect("the stream stopped answering")
        .expect("the stream failed after a pause")
    {
        assert_eq!(response.request_id, received.to_string());
        received += 1;
    }
    assert_eq!(received, ITEMS);
    sender.await.unwrap();
}

#[tokio::test]
async fn an_oversized_stream_item_ends_the_stream_with_a_status_naming_it() {
    let server = spawn_server(|_| {}).await;
    let items = vec![
        ScreenRequest {
            name: "Huawei".into(),
            request_id: "0".into(),
            ..Default::default()
        },
        ScreenRequest {
            name: "Huawei".into(),
            request_id: "x".repeat(70_000),
            ..Default::default()
        },
        ScreenRequest {
            name: "Huawei".into(),
            request_id: "2".into(),
            ..Default::default()
        },
    ];
    let mut responses = server
        .screening()
        .screen_stream(tokio_stream::iter(items))
        .await
        .unwrap()
        .into_inner();
    let first = responses.message().await.unwrap().unwrap();
    assert_eq!(first.request_id, "0");
    let end = responses.message().await;
    let status = end.expect_err("the stream ended OK with an item unanswered");
    assert!(status.message().contains("item 1"), "{status:?}");
}

#[tokio::test]
async fn a_truncated_stream_item_ends_the_stream_with_a_status_naming_it() {
    let server = spawn_server(|_| {}).await;
    // A frame that claims 100 bytes and carries 10, then the end of the stream.
    let response = raw_call(
        server.addr,
        "/watchlist.v1.Screening/ScreenStream",
        grpc_frame(
            &[0x0a, 0x08, b'H', b'u', b'a', b'w', b'e', b'i', b'x', b'y'],
            Some(100),
        ),
        1 << 20,
        &[],
    )
    .await
    .await
    .unwrap();
    let (status, message) = final_status(response).await;
    assert_ne!(status, "0", "a truncated item ended the stream with OK");
    let message = message.unwrap_or_default();
    assert!(
        message.contains("item%200") || message.contains("item 0"),
        "{message}"
    );
}

#[tokio::test]
async fn deadlines_are_answered_deadline_exceeded() {
    let server = spawn_server(|_| {}).await;
    // Passed before the request is even read: tonic's own timer would say CANCELLED. (A raw
    // call: tonic's client would give up on its own first.)
    let message = prost::Message::encode_to_vec(&ScreenRequest {
        name: "Huawei Technologies".into(),
        ..Default::default()
    });
    for timeout in ["1n", "1u", "0m"] {
        let response = raw_call(
            server.addr,
            "/watchlist.v1.Screening/Screen",
            grpc_frame(&message, None),
            1 << 20,
            &[("grpc-timeout", timeout)],
        )
        .await
        .await
        .unwrap();
        let (status, message) = final_status(response).await;
        assert_eq!(status, "4", "grpc-timeout {timeout}: {message:?}");
    }
    // A generous deadline is no obstacle.
    let mut request = Request::new(ScreenRequest {
        name: "Huawei Technologies".into(),
        ..Default::default()
    });
    request.set_timeout(Duration::from_secs(10));
    server.screening().screen(request).await.unwrap();
    let mut request = Request::new(SubscribeRequest::default());
    request.set_timeout(Duration::from_millis(500));
    let mut stream = server
        .changes()
        .subscribe(request)
        .await
        .unwrap()
        .into_inner();
    let end = stream_end(&mut stream, Duration::from_secs(10), "the subscription").await;
    expect_status(end, Code::DeadlineExceeded, "deadline");
}

#[tokio::test]
async fn from_sequence_zero_is_the_start_of_the_retained_history() {
    let server = spawn_server(|s| s.history = 3).await;
    let batch = (0..5)
        .map(|i| entity(&format!("T:zero-{i}"), &format!("Zero Test {i}"), ""))
        .collect();
    server.admin().upsert_entities(upsert(batch)).await.unwrap();
    let latest = server.sources().await.sequence;
    let mut stream = server
        .changes()
        .subscribe(SubscribeRequest {
            from_sequence: Some(0),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let first = stream.message().await.unwrap().unwrap();
    assert_eq!(first.sequence, latest - 2, "{first:?}");
}

#[tokio::test]
async fn shutdown_reports_not_serving_first_and_ends_streams_unavailable() {
    let mut server = spawn_server(|s| s.shutdown_grace = Duration::from_millis(800)).await;
    let mut subscription = server
        .changes()
        .subscribe(SubscribeRequest::default())
        .await
        .unwrap()
        .into_inner();
    let mut health = tonic_health::pb::health_client::HealthClient::new(server.channel.clone());
    let mut watch = health
        .watch(tonic_health::pb::HealthCheckRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(watch.message().await.unwrap().unwrap().status, 1); // SERVING
    server.stop();
    // Within the grace period the listener still answers, and says NOT_SERVING.
    assert_eq!(watch.message().await.unwrap().unwrap().status, 2);
    let status = health
        .check(tonic_health::pb::HealthCheckRequest::default())
        .await
        .unwrap()
        .into_inner()
        .status;
    assert_eq!(status, 2, "NOT_SERVING during the grace period");
    let end = stream_end(
        &mut subscription,
        Duration::from_secs(5),
        "the subscription",
    )
    .await;
    expect_status(end, Code::Unavailable, "from_sequence");
    let end = tokio::time::timeout(Duration::from_secs(5), watch.message())
        .await
        .expect("the health watch outlived shutdown");
    expect_status(end, Code::Unavailable, "shutting down");
    tokio::time::timeout(Duration::from_secs(5), &mut server.handle)
        .await
        .expect("server did not stop")
        .unwrap();
}
