//! Screening: finds listed parties from both sides and in both scripts, rejects bad input,
//! and streams.

use crate::support::{expect_status, spawn_server};
use tonic::Code;
use watchlist::core::matching::ALGORITHM_VERSION;
use watchlist::proto::v1::{EntityType, ScreenRequest, ScreenResponse};

fn request(name: &str) -> ScreenRequest {
    ScreenRequest {
        name: name.into(),
        request_id: format!("req-{name}"),
        ..Default::default()
    }
}

fn ids(response: &ScreenResponse) -> Vec<&str> {
    response
        .matches
        .iter()
        .map(|m| m.entity.as_ref().unwrap().id.as_str())
        .collect()
}

#[tokio::test]
async fn finds_listed_parties_from_both_directions() {
    let server = spawn_server(|_| {}).await;
    let mut client = server.screening();
    // (query, an id that must be among the matches, the side that imposed it)
    let cases = [
        ("Kharon", "CN-MFA-AFSL:kharon", "CN"),
        ("Edmund Xu", "CN-MFA-AFSL:edmund-xu", "CN"),
        ("XU, Edmund", "CN-MFA-AFSL:edmund-xu", "CN"),
        ("许勐", "CN-MFA-AFSL:edmund-xu", "CN"),
        ("Nicole Morgret", "CN-MFA-AFSL:nicole-morgret", "CN"),
        (
            "Aksu Huafu Textiles Co.",
            "US-BIS-EL:aksu-huafu-textiles",
            "US",
        ),
        (
            "CloudWalk Technology",
            "US-BIS-EL:cloudwalk-technology",
            "US",
        ),
        (
            "Huawei Technologies Co., Ltd.",
            "US-BIS-EL:huawei-technologies",
            "US",
        ),
        (
            "HUAWEI TECHNOLOGIES COMPANY LIMITED",
            "US-BIS-EL:huawei-technologies",
            "US",
        ),
        ("华为技术有限公司", "US-BIS-EL:huawei-technologies", "US"),
        (
            "Lockheed Martin Corporation",
            "CN-MOFCOM-UEL:lockheed-martin-corporation",
            "CN",
        ),
        (
            "洛克希德•马丁公司",
            "CN-MOFCOM-UEL:lockheed-martin-corporation",
            "CN",
        ),
        (
            "Hangzhou Hikvision Digital Technology Co., Ltd.",
            "US-BIS-EL:hangzhou-hikvision-digital-technology",
            "US",
        ),
    ];
    for (name, id, side) in cases {
        let response = client.screen(request(name)).await.unwrap().into_inner();
        let found = response
            .matches
            .iter()
            .find(|m| m.entity.as_ref().unwrap().id == id)
            .unwrap_or_else(|| panic!("{name}: {id} not in {:?}", ids(&response)));
        assert!(found.score >= 0.9, "{name}: score {}", found.score);
        assert_eq!(found.band, "strong");
        assert!(!found.matched_name.is_empty());
        assert!(found.features.iter().any(|f| f.name == "query_coverage"));
        let listing = &found.entity.as_ref().unwrap().listings[0];
        assert_eq!(listing.imposing_country, side, "{name}");
        assert!(!listing.citation.is_empty());
        assert_eq!(response.request_id, format!("req-{name}"));
        assert!(response.sequence > 0);
        assert_eq!(response.algorithm_version, ALGORITHM_VERSION);
    }
}

#[tokio::test]
async fn unlisted_names_do_not_match() {
    let server = spawn_server(|_| {}).await;
    let mut client = server.screening();
    for name in [
        "Acme Bakery Supplies LLC",
        "Banana Republic",
        "China Bakery Group Co., Ltd.",
        "Co., Ltd.",
        "Beijing International Trading Company",
        "Zhang Wei",
        "通用电气公司",
    ] {
        let response = client.screen(request(name)).await.unwrap().into_inner();
        assert!(response.matches.is_empty(), "{name}: {:?}", ids(&response));
    }
}

#[tokio::test]
async fn filters_scope_the_search() {
    let server = spawn_server(|_| {}).await;
    let mut client = server.screening();
    let mut req = request("Huawei Technologies Co., Ltd.");
    req.imposed_by = vec!["CN".into()];
    assert!(client
        .screen(req.clone())
        .await
        .unwrap()
        .into_inner()
        .matches
        .is_empty());
    req.imposed_by = vec!["us".into()];
    let us = client.screen(req.clone()).await.unwrap().into_inner();
    assert!(ids(&us).contains(&"US-BIS-EL:huawei-technologies"));
    req.imposed_by.clear();
    req.lists = vec!["US-DOD-1260H".into()];
    let only = client.screen(req.clone()).await.unwrap().into_inner();
    assert!(!only.matches.is_empty());
    assert!(ids(&only).iter().all(|id| id.starts_with("US-DOD-1260H:")));
    req.lists.clear();
    req.limit = 1;
    assert_eq!(
        client
            .screen(req.clone())
            .await
            .unwrap()
            .into_inner()
            .matches
            .len(),
        1
    );
    // Evidence, not a filter: a person type lowers an organisation's score.
    req.limit = 0;
    req.threshold = Some(0.5);
    req.entity_type = EntityType::Person as i32;
    let person = client.screen(req).await.unwrap().into_inner();
    assert!(person.matches.iter().all(|m| m.score < 0.9));
    assert!(person.matches[0]
        .features
        .iter()
        .any(|f| f.name == "type_mismatch"));
}

#[tokio::test]
async fn bad_requests_are_rejected_with_clear_errors() {
    let server = spawn_server(|_| {}).await;
    let mut client = server.screening();
    let cases: Vec<(ScreenRequest, &str)> = vec![
        (request(""), "name: must not be empty"),
        (request("   "), "name: must not be empty"),
        (request(&"x".repeat(513)), "at most 512"),
        (
            ScreenRequest {
                lists: vec!["US-NOPE".into()],
                ..request("Huawei")
            },
            "unknown list code \"US-NOPE\"",
        ),
        (
            ScreenRequest {
                imposed_by: vec!["USA".into()],
                ..request("Huawei")
            },
            "imposed_by[0]",
        ),
        (
            ScreenRequest {
                countries: vec!["China".into()],
                ..request("Huawei")
            },
            "countries[0]",
        ),
        (
            ScreenRequest {
                threshold: Some(1.5),
                ..request("Huawei")
            },
            "threshold",
        ),
        (
            ScreenRequest {
                limit: 1000,
                ..request("Huawei")
            },
            "limit",
        ),
        (
            ScreenRequest {
                entity_type: 42,
                ..request("Huawei")
            },
            "entity_type",
        ),
    ];
    for (req, fragment) in cases {
        expect_status(client.screen(req).await, Code::InvalidArgument, fragment);
    }
    // 512 characters is still accepted.
    assert!(client.screen(request(&"x".repeat(512))).await.is_ok());
}

#[tokio::test]
async fn screen_stream_answers_each_item_and_survives_bad_ones() {
    let server = spawn_server(|_| {}).await;
    let mut client = server.screening();
    let items = vec![
        ScreenRequest {
            request_id: "a".into(),
            ..request("Kharon")
        },
        ScreenRequest {
            request_id: "b".into(),
            ..request("")
        },
        ScreenRequest {
            request_id: "c".into(),
            lists: vec!["NOPE".into()],
            ..request("Kharon")
        },
        ScreenRequest {
            request_id: "d".into(),
            ..request("CloudWalk Technology")
        },
    ];
    let mut responses = client
        .screen_stream(tokio_stream::iter(items))
        .await
        .unwrap()
        .into_inner();
    let mut got = Vec::new();
    while let Some(response) = responses.message().await.unwrap() {
        got.push(response);
    }
    let order: Vec<&str> = got.iter().map(|r| r.request_id.as_str()).collect();
    assert_eq!(order, ["a", "b", "c", "d"]);
    assert!(got[0].error.is_none());
    assert_eq!(ids(&got[0])[0], "CN-MFA-AFSL:kharon");
    assert_eq!(
        got[1].error.as_ref().unwrap().code,
        Code::InvalidArgument as i32
    );
    assert!(got[1].error.as_ref().unwrap().message.contains("name"));
    assert!(got[2]
        .error
        .as_ref()
        .unwrap()
        .message
        .contains("unknown list code"));
    assert!(ids(&got[3]).contains(&"US-BIS-EL:cloudwalk-technology"));
}

#[tokio::test]
async fn screen_stream_handles_a_large_batch() {
    let server = spawn_server(|_| {}).await;
    let mut client = server.screening();
    let names = ["Kharon", "Huawei", "Acme Bakery", "Nicole Morgret"];
    let items: Vec<ScreenRequest> = (0..2000)
        .map(|i| ScreenRequest {
            request_id: i.to_string(),
            ..request(names[i % names.len()])
        })
        .collect();
    let mut responses = client
        .screen_stream(tokio_stream::iter(items))
        .await
        .unwrap()
        .into_inner();
    let mut count = 0;
    while let Some(response) = responses.message().await.unwrap() {
        assert_eq!(response.request_id, count.to_string());
        assert_eq!(response.matches.is_empty(), count % 4 == 2, "item {count}");
        count += 1;
    }
    assert_eq!(count, 2000);
}
