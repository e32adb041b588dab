//! Changes: live delivery, replay, filters, heartbeats, retention limits and shutdown.

use crate::support::{authed, expect_status, spawn_server, stream_end, TestServer};
use std::time::Duration;
use tonic::Code;
use watchlist::proto::v1::{
    ChangeEvent, ChangeType, Entity, EntityType, ListEntitiesRequest, Listing, SubscribeRequest,
    UpsertEntitiesRequest,
};

pub async fn list_entities(server: &TestServer, list: &str) -> Vec<Entity> {
    server
        .catalog()
        .list_entities(ListEntitiesRequest {
            lists: vec![list.into()],
            page_size: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .entities
}

async fn next_change(stream: &mut tonic::Streaming<ChangeEvent>) -> ChangeEvent {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), stream.message())
            .await
            .expect("no event within 10 s")
            .unwrap()
            .expect("stream ended");
        if event.r#type != ChangeType::Heartbeat as i32 {
            return event;
        }
    }
}

fn upsert(id: &str, name: &str) -> UpsertEntitiesRequest {
    UpsertEntitiesRequest {
        entities: vec![Entity {
            id: id.into(),
            r#type: EntityType::Person as i32,
            primary_name: name.into(),
            listings: vec![Listing {
                list_code: "CN-MFA-AFSL".into(),
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

#[tokio::test]
async fn subscriber_sees_an_upsert_made_after_it_subscribed() {
    let server = spawn_server(|_| {}).await;
    let mut stream = server
        .changes()
        .subscribe(SubscribeRequest::default())
        .await
        .unwrap()
        .into_inner();
    let outcome = server
        .admin()
        .upsert_entities(authed(upsert("T:late", "Late Person")))
        .await
        .unwrap()
        .into_inner();
    let event = next_change(&mut stream).await;
    assert_eq!(event.r#type, ChangeType::Added as i32);
    assert_eq!(event.sequence, outcome.sequence);
    assert_eq!(event.list_code, "CN-MFA-AFSL");
    assert_eq!(event.entity.unwrap().primary_name, "Late Person");
    assert!(event.time.is_some());
}

#[tokio::test]
async fn replay_from_zero_delivers_every_change_once_in_order() {
    let server = spawn_server(|_| {}).await;
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
    for expected in 1..=latest {
        let event = next_change(&mut stream).await;
        assert_eq!(event.sequence, expected);
        assert_eq!(event.r#type, ChangeType::Added as i32);
    }
    // Resume exactly after a known position: the next event is the next write.
    let outcome = server
        .admin()
        .upsert_entities(authed(upsert("T:next", "Next Person")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(next_change(&mut stream).await.sequence, outcome.sequence);
    let mut resumed = server
        .changes()
        .subscribe(SubscribeRequest {
            from_sequence: Some(latest),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(next_change(&mut resumed).await.sequence, outcome.sequence);
}

#[tokio::test]
async fn filters_select_lists_and_sides() {
    let server = spawn_server(|_| {}).await;
    let mut by_list = server
        .changes()
        .subscribe(SubscribeRequest {
            from_sequence: Some(0),
            lists: vec!["US-OFAC-SDN".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let sdn = list_entities(&server, "US-OFAC-SDN").await.len();
    for _ in 0..sdn {
        assert_eq!(next_change(&mut by_list).await.list_code, "US-OFAC-SDN");
    }
    let mut by_side = server
        .changes()
        .subscribe(SubscribeRequest {
            imposed_by: vec!["us".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    server
        .admin()
        .upsert_entities(authed(upsert("T:cn-side", "Cn Side Person")))
        .await
        .unwrap();
    let mut us = upsert("T:us-side", "Us Side Person");
    us.entities[0].listings[0].list_code = "US-OFAC-SDN".into();
    server.admin().upsert_entities(authed(us)).await.unwrap();
    let event = next_change(&mut by_side).await;
    assert_eq!(
        event.entity.unwrap().id,
        "T:us-side",
        "the CN-side change was filtered out"
    );

    expect_status(
        server
            .changes()
            .subscribe(SubscribeRequest {
                lists: vec!["NOPE".into()],
                ..Default::default()
            })
            .await,
        Code::InvalidArgument,
        "unknown list code",
    );
}

#[tokio::test]
async fn positions_outside_the_history_are_out_of_range() {
    let server = spawn_server(|s| s.history = 10).await;
    let latest = server.sources().await.sequence;
    // 1 is a position (after change 1), long trimmed; 0 would mean "the start of the retained
    // history" (see hostile::from_sequence_zero_is_the_start_of_the_retained_history).
    expect_status(
        server
            .changes()
            .subscribe(SubscribeRequest {
                from_sequence: Some(1),
                ..Default::default()
            })
            .await,
        Code::OutOfRange,
        &format!(
            "oldest retained change is {}, latest is {latest}",
            latest - 9
        ),
    );
    expect_status(
        server
            .changes()
            .subscribe(SubscribeRequest {
                from_sequence: Some(latest + 5),
                ..Default::default()
            })
            .await,
        Code::OutOfRange,
        "ahead of the latest sequence",
    );
    // The oldest resumable position still works.
    let mut stream = server
        .changes()
        .subscribe(SubscribeRequest {
            from_sequence: Some(latest - 10),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(next_change(&mut stream).await.sequence, latest - 9);
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_the_history_is_ended_explicitly() {
    let server = spawn_server(|s| {
        s.history = 20;
        s.subscriber_buffer = 1;
    })
    .await;
    let mut slow = server
        .changes()
        .subscribe(SubscribeRequest::default())
        .await
        .unwrap()
        .into_inner();
    // Far more data than the history, the buffers and HTTP/2 flow control hold, while the
    // subscriber reads nothing: 20 writes of 50 entities with 8 KB of remarks each.
    for batch in 0..20 {
        let mut request = UpsertEntitiesRequest::default();
        for i in 0..50 {
            let mut one = upsert(
                &format!("T:flood-{batch}-{i}"),
                &format!("Flood Person {batch} {i}"),
            );
            one.entities[0].remarks = "r".repeat(8000);
            request.entities.extend(one.entities);
        }
        server
            .admin()
            .upsert_entities(authed(request))
            .await
            .unwrap();
    }
    let mut received = 0;
    let ended = loop {
        match tokio::time::timeout(Duration::from_secs(10), slow.message())
            .await
            .unwrap_or_else(|_| panic!("stream stalled after {received}"))
        {
            Ok(Some(_)) => received += 1,
            Ok(None) => panic!("stream ended without a status"),
            Err(status) => break status,
        }
    };
    assert_eq!(ended.code(), Code::OutOfRange);
    assert!(
        ended.message().contains("no longer retained"),
        "{}",
        ended.message()
    );
}

#[tokio::test]
async fn idle_subscribers_get_heartbeats_with_the_latest_sequence() {
    let server = spawn_server(|s| s.heartbeat = Duration::from_millis(200)).await;
    let latest = server.sources().await.sequence;
    let mut stream = server
        .changes()
        .subscribe(SubscribeRequest::default())
        .await
        .unwrap()
        .into_inner();
    let event = tokio::time::timeout(Duration::from_secs(5), stream.message())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(event.r#type, ChangeType::Heartbeat as i32);
    assert_eq!(event.sequence, latest);
    assert!(event.entity.is_none());
}

#[tokio::test]
async fn the_number_of_subscribers_is_capped() {
    let server = spawn_server(|s| s.max_subscribers = 1).await;
    let first = server
        .changes()
        .subscribe(SubscribeRequest::default())
        .await
        .unwrap()
        .into_inner();
    expect_status(
        server
            .changes()
            .subscribe(SubscribeRequest::default())
            .await,
        Code::ResourceExhausted,
        "maximum of 1 subscribers",
    );
    drop(first);
    // The slot frees once the first stream is gone.
    let mut ok = false;
    for _ in 0..100 {
        if server
            .changes()
            .subscribe(SubscribeRequest::default())
            .await
            .is_ok()
        {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ok, "the slot was never released");
}

#[tokio::test]
async fn shutdown_ends_every_stream() {
    let mut server = spawn_server(|_| {}).await;
    let mut streams = Vec::new();
    for _ in 0..3 {
        streams.push(
            server
                .changes()
                .subscribe(SubscribeRequest::default())
                .await
                .unwrap()
                .into_inner(),
        );
    }
    server.stop();
    for mut stream in streams {
        let _ = stream_end(&mut stream, Duration::from_secs(5), "a stream at shutdown").await;
    }
    tokio::time::timeout(Duration::from_secs(5), &mut server.handle)
        .await
        .expect("server did not stop")
        .unwrap();
}
