//! Admin: authentication, upserts, removals and source replacement, and what screening and
//! subscribers see of them.

use crate::support::{authed, expect_status, spawn_server, with_auth};
use tonic::{Code, Request};
use watchlist::proto::v1::{
    ChangeType, Entity, EntityType, Listing, RemoveEntitiesRequest, ReplaceSourceRequest,
    ScreenRequest, SubscribeRequest, UpsertEntitiesRequest,
};

pub fn entity(id: &str, name: &str, list: &str) -> Entity {
    Entity {
        id: id.into(),
        r#type: EntityType::Organization as i32,
        primary_name: name.into(),
        countries: vec!["US".into()],
        listings: vec![Listing {
            list_code: list.into(),
            listed_on: "2026-11-01".into(),
            citation: "test notice".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

async fn top_ids(server: &crate::support::TestServer, name: &str) -> Vec<String> {
    server
        .screening()
        .screen(ScreenRequest {
            name: name.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .matches
        .into_iter()
        .map(|m| m.entity.unwrap().id)
        .collect()
}

#[tokio::test]
async fn writes_need_the_right_token() {
    let server = spawn_server(|_| {}).await;
    let mut admin = server.admin();
    let body = || UpsertEntitiesRequest {
        entities: vec![entity("T:1", "Zyxwv Dynamics", "CN-MOFCOM-UEL")],
    };
    expect_status(
        admin.upsert_entities(Request::new(body())).await,
        Code::Unauthenticated,
        "missing credentials",
    );
    expect_status(
        admin
            .upsert_entities(with_auth(body(), "Bearer wrong"))
            .await,
        Code::Unauthenticated,
        "not valid",
    );
    expect_status(
        admin.upsert_entities(with_auth(body(), "Basic abc")).await,
        Code::Unauthenticated,
        "Bearer",
    );
    expect_status(
        admin
            .remove_entities(Request::new(RemoveEntitiesRequest {
                ids: vec!["x".into()],
            }))
            .await,
        Code::Unauthenticated,
        "missing credentials",
    );

    let closed = spawn_server(|s| s.admin_token = None).await;
    expect_status(
        closed.admin().upsert_entities(authed(body())).await,
        Code::PermissionDenied,
        "admin writes are disabled",
    );
}

#[tokio::test]
async fn upsert_and_remove_change_what_screening_sees() {
    let server = spawn_server(|_| {}).await;
    let mut admin = server.admin();
    assert!(top_ids(&server, "Zyxwv Dynamics").await.is_empty());

    let added = admin
        .upsert_entities(authed(UpsertEntitiesRequest {
            entities: vec![entity("TEST:zyxwv", "Zyxwv Dynamics Inc.", "CN-MOFCOM-UEL")],
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((added.added, added.updated, added.unchanged), (1, 0, 0));
    let found = server
        .screening()
        .screen(ScreenRequest {
            name: "Zyxwv Dynamics".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        found.matches[0].entity.as_ref().unwrap().id,
        "TEST:zyxwv",
        "id kept as given"
    );
    assert_eq!(found.sequence, added.sequence);

    let again = admin
        .upsert_entities(authed(UpsertEntitiesRequest {
            entities: vec![entity("TEST:zyxwv", "Zyxwv Dynamics Inc.", "CN-MOFCOM-UEL")],
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (again.added, again.updated, again.unchanged, again.sequence),
        (0, 0, 1, added.sequence)
    );

    let mut changed = entity("TEST:zyxwv", "Zyxwv Dynamics Inc.", "CN-MOFCOM-UEL");
    changed.aliases = vec!["Qwertz Aerospace".into()];
    let updated = admin
        .upsert_entities(authed(UpsertEntitiesRequest {
            entities: vec![changed],
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((updated.updated, updated.sequence), (1, added.sequence + 1));
    assert_eq!(top_ids(&server, "Qwertz Aerospace").await, ["TEST:zyxwv"]);

    expect_status(
        admin
            .remove_entities(authed(RemoveEntitiesRequest {
                ids: vec!["TEST:zyxwv".into(), "TEST:nobody".into()],
            }))
            .await,
        Code::NotFound,
        "TEST:nobody",
    );
    assert_eq!(
        top_ids(&server, "Zyxwv Dynamics").await,
        ["TEST:zyxwv"],
        "a failed removal removes nothing"
    );
    let removed = admin
        .remove_entities(authed(RemoveEntitiesRequest {
            ids: vec!["TEST:zyxwv".into()],
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (removed.removed, removed.sequence),
        (1, updated.sequence + 1)
    );
    assert!(top_ids(&server, "Zyxwv Dynamics").await.is_empty());
}

#[tokio::test]
async fn bad_writes_are_rejected_whole() {
    let server = spawn_server(|_| {}).await;
    let mut admin = server.admin();
    let before = server.sources().await.sequence;
    let cases: Vec<(Vec<Entity>, &str)> = vec![
        (vec![], "at least one entity"),
        (
            vec![entity("T:1", "Good Name", "NO-SUCH-LIST")],
            "unknown list code",
        ),
        (vec![entity("T:1", "", "CN-MOFCOM-UEL")], "entities[0].name"),
        (vec![entity("", "Name", "CN-MOFCOM-UEL")], "entities[0].id"),
        (
            vec![
                entity("T:1", "A", "CN-MOFCOM-UEL"),
                entity("T:1", "B", "CN-MOFCOM-UEL"),
            ],
            "more than once",
        ),
        (
            vec![Entity {
                listings: vec![],
                ..entity("T:1", "A", "CN-MOFCOM-UEL")
            }],
            "listings",
        ),
        (
            vec![Entity {
                countries: vec!["USA".into()],
                ..entity("T:1", "A", "CN-MOFCOM-UEL")
            }],
            "countries[0]",
        ),
        (
            vec![Entity {
                identifiers: vec![watchlist::proto::v1::Identifier {
                    r#type: "uscc".into(),
                    value: "123".into(),
                    checksum_valid: None,
                }],
                ..entity("T:1", "A", "CN-MOFCOM-UEL")
            }],
            "USCC",
        ),
    ];
    for (entities, fragment) in cases {
        expect_status(
            admin
                .upsert_entities(authed(UpsertEntitiesRequest { entities }))
                .await,
            Code::InvalidArgument,
            fragment,
        );
    }
    expect_status(
        admin
            .replace_source(authed(ReplaceSourceRequest {
                list_code: "NO-SUCH-LIST".into(),
                entities: vec![],
            }))
            .await,
        Code::NotFound,
        "unknown list code",
    );
    let after = server.sources().await.sequence;
    assert_eq!(before, after, "nothing changed");
}

#[tokio::test]
async fn replace_source_streams_exactly_the_difference() {
    let server = spawn_server(|_| {}).await;
    let sources = server.sources().await;
    let ecwl = sources
        .lists
        .iter()
        .find(|l| l.code == "CN-MOFCOM-ECWL")
        .unwrap();
    let old_count = ecwl.entity_count;
    let old_hash = ecwl.content_hash.clone();
    let mut stream = server
        .changes()
        .subscribe(SubscribeRequest {
            from_sequence: Some(sources.sequence),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();

    // Keep one entity as it is, change another, add a new one; the rest are removed.
    let existing = crate::changes::list_entities(&server, "CN-MOFCOM-ECWL").await;
    let kept = existing[0].clone();
    let mut changed = existing[1].clone();
    changed.aliases.push("Renamed Alias KK".into());
    let mut fresh = entity("CN-MOFCOM-ECWL:new-party", "Newparty Optics K.K.", "");
    fresh.listings[0].list_code.clear();
    let outcome = server
        .admin()
        .replace_source(authed(ReplaceSourceRequest {
            list_code: "CN-MOFCOM-ECWL".into(),
            entities: vec![kept.clone(), changed.clone(), fresh],
        }))
        .await
        .unwrap()
        .into_inner();
    let removed = old_count as u32 - 2;
    assert_eq!(
        (
            outcome.added,
            outcome.updated,
            outcome.removed,
            outcome.unchanged
        ),
        (1, 1, removed, 1)
    );
    assert_eq!(outcome.sequence, sources.sequence + u64::from(removed) + 2);

    let mut seen = Vec::new();
    while seen.len() < (removed + 2) as usize {
        let event = stream.message().await.unwrap().unwrap();
        if event.r#type != ChangeType::Heartbeat as i32 {
            seen.push(event);
        }
    }
    let count = |t: ChangeType| seen.iter().filter(|e| e.r#type == t as i32).count() as u32;
    assert_eq!(
        (
            count(ChangeType::Added),
            count(ChangeType::Updated),
            count(ChangeType::Removed)
        ),
        (1, 1, removed)
    );
    assert!(seen.iter().all(|e| e.list_code == "CN-MOFCOM-ECWL"));
    assert!(
        seen.iter()
            .all(|e| e.entity.as_ref().unwrap().id != kept.id),
        "no event for the unchanged entity"
    );
    let sequences: Vec<u64> = seen.iter().map(|e| e.sequence).collect();
    assert_eq!(
        sequences,
        ((sources.sequence + 1)..=outcome.sequence).collect::<Vec<_>>()
    );

    let after = server.sources().await;
    let ecwl = after
        .lists
        .iter()
        .find(|l| l.code == "CN-MOFCOM-ECWL")
        .unwrap();
    assert_eq!(ecwl.entity_count, 3);
    assert_eq!(ecwl.last_change_sequence, outcome.sequence);
    assert_ne!(ecwl.content_hash, old_hash);
    assert_eq!(
        top_ids(&server, "Newparty Optics").await,
        ["CN-MOFCOM-ECWL:new-party"]
    );
}
