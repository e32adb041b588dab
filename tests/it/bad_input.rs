//! Bad input, as a table: each malformed request gets its own status and a message naming
//! what to fix, and the server keeps serving afterwards.

use crate::support::{authed, spawn_server, with_auth};
use tonic::Code;
use watchlist::proto::v1::{
    Entity, GetEntityRequest, ListEntitiesRequest, ReloadSourceRequest, RemoveEntitiesRequest,
    ScreenRequest, SubscribeRequest, UpsertEntitiesRequest,
};

fn screen(f: impl FnOnce(&mut ScreenRequest)) -> ScreenRequest {
    let mut r = ScreenRequest {
        name: "Kharon".into(),
        ..Default::default()
    };
    f(&mut r);
    r
}

#[tokio::test]
async fn every_malformed_request_gets_the_right_status() {
    let server = spawn_server(|s| s.history = 100).await;
    let latest = server.sources().await.sequence;
    // (what, result code, a fragment of the message)
    let mut outcomes: Vec<(&str, Result<(), tonic::Status>, Code, &str)> = Vec::new();
    let mut screening = server.screening();
    let mut catalog = server.catalog();
    let mut admin = server.admin();
    let mut changes = server.changes();
    macro_rules! case {
        ($what:expr, $call:expr, $code:expr, $fragment:expr) => {
            outcomes.push(($what, $call.await.map(drop), $code, $fragment));
        };
    }
    case!(
        "empty name",
        screening.screen(screen(|r| r.name.clear())),
        Code::InvalidArgument,
        "name"
    );
    case!(
        "blank name",
        screening.screen(screen(|r| r.name = "  \t ".into())),
        Code::InvalidArgument,
        "name"
    );
    case!(
        "huge name",
        screening.screen(screen(|r| r.name = "x".repeat(600))),
        Code::InvalidArgument,
        "512"
    );
    case!(
        "threshold above 1",
        screening.screen(screen(|r| r.threshold = Some(1.5))),
        Code::InvalidArgument,
        "threshold"
    );
    case!(
        "limit too high",
        screening.screen(screen(|r| r.limit = 1000)),
        Code::InvalidArgument,
        "limit"
    );
    case!(
        "unknown list",
        screening.screen(screen(|r| r.lists = vec!["US-NOPE".into()])),
        Code::InvalidArgument,
        "unknown list code"
    );
    case!(
        "bad country",
        screening.screen(screen(|r| r.countries = vec!["China".into()])),
        Code::InvalidArgument,
        "country"
    );
    case!(
        "request over the size limit",
        screening.screen(screen(|r| r.name = "y".repeat(2 * 1024 * 1024))),
        Code::OutOfRange,
        "too large"
    );
    case!(
        "empty entity id",
        catalog.get_entity(GetEntityRequest { id: String::new() }),
        Code::InvalidArgument,
        "id"
    );
    case!(
        "unknown entity id",
        catalog.get_entity(GetEntityRequest {
            id: "US-BIS-EL:nope".into()
        }),
        Code::NotFound,
        "no entity has the id"
    );
    case!(
        "page too large",
        catalog.list_entities(ListEntitiesRequest {
            page_size: 5000,
            ..Default::default()
        }),
        Code::InvalidArgument,
        "page_size"
    );
    case!(
        "forged page token",
        catalog.list_entities(ListEntitiesRequest {
            page_token: "p1.zz.zz".into(),
            ..Default::default()
        }),
        Code::InvalidArgument,
        "page_token"
    );
    case!(
        "invalid imposing-country filter",
        catalog.list_entities(ListEntitiesRequest {
            imposed_by: vec!["USA".into()],
            ..Default::default()
        }),
        Code::InvalidArgument,
        "imposed_by"
    );
    case!(
        "write without a token",
        admin.remove_entities(RemoveEntitiesRequest {
            ids: vec!["x".into()]
        }),
        Code::Unauthenticated,
        "authorization"
    );
    case!(
        "write with a wrong token",
        admin.remove_entities(with_auth(
            RemoveEntitiesRequest {
                ids: vec!["x".into()]
            },
            "Bearer wrong"
        )),
        Code::Unauthenticated,
        ""
    );
    case!(
        "empty upsert",
        admin.upsert_entities(authed(UpsertEntitiesRequest::default())),
        Code::InvalidArgument,
        "entities"
    );
    case!(
        "entity without a listing",
        admin.upsert_entities(authed(UpsertEntitiesRequest {
            entities: vec![Entity {
                id: "X:1".into(),
                primary_name: "X".into(),
                ..Default::default()
            }]
        })),
        Code::InvalidArgument,
        "list"
    );
    case!(
        "remove an unknown id",
        admin.remove_entities(authed(RemoveEntitiesRequest {
            ids: vec!["X:none".into()]
        })),
        Code::NotFound,
        "nothing was removed"
    );
    case!(
        "reload an unknown source",
        admin.reload_source(authed(ReloadSourceRequest {
            source_id: "nope".into(),
            force: false
        })),
        Code::NotFound,
        "configured sources"
    );
    case!(
        "subscribe from a position no longer retained",
        changes.subscribe(SubscribeRequest {
            from_sequence: Some(1),
            ..Default::default()
        }),
        Code::OutOfRange,
        "no longer retained"
    );
    case!(
        "subscribe from a position ahead of the latest",
        changes.subscribe(SubscribeRequest {
            from_sequence: Some(latest + 10),
            ..Default::default()
        }),
        Code::OutOfRange,
        "ahead of the latest"
    );
    case!(
        "subscribe to an unknown list",
        changes.subscribe(SubscribeRequest {
            lists: vec!["CN-NOPE".into()],
            ..Default::default()
        }),
        Code::InvalidArgument,
        "unknown list code"
    );
    let mut failures = Vec::new();
    for (what, result, code, fragment) in &outcomes {
        match result {
            Ok(()) => failures.push(format!("{what}: succeeded, expected {code:?}")),
            Err(status) if status.code() != *code || !status.message().contains(fragment) => {
                failures.push(format!(
                    "{what}: got {:?} {:?}, expected {code:?} with {fragment:?}",
                    status.code(),
                    status.message()
                ))
            }
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(outcomes.len(), 22);
    // Still serving.
    let ok = server
        .screening()
        .screen(screen(|_| {}))
        .await
        .unwrap()
        .into_inner();
    assert!(!ok.matches.is_empty());
}
