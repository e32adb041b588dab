//! Catalog: entity look-ups, paging, and list metadata.

use crate::support::{expect_status, spawn_server};
use std::collections::HashSet;
use tonic::Code;
use watchlist::proto::v1::{EntityType, GetEntityRequest, ListEntitiesRequest};

#[tokio::test]
async fn get_entity_by_id() {
    let server = spawn_server(|_| {}).await;
    let mut client = server.catalog();
    let response = client
        .get_entity(GetEntityRequest {
            id: "CN-MFA-AFSL:edmund-xu".into(),
        })
        .await
        .unwrap()
        .into_inner();
    let entity = response.entity.unwrap();
    assert_eq!(entity.primary_name, "Edmund Xu");
    assert_eq!(entity.r#type, EntityType::Person as i32);
    assert!(entity.native_names.contains(&"许勐".to_string()));
    let listing = &entity.listings[0];
    assert_eq!(listing.list_code, "CN-MFA-AFSL");
    assert_eq!(listing.imposing_country, "CN");
    assert_eq!(listing.listed_on, "2023-12-26");
    assert!(!listing.measures.is_empty());
    assert!(response.sequence > 0);

    expect_status(
        client
            .get_entity(GetEntityRequest {
                id: "US-BIS-EL:nobody".into(),
            })
            .await,
        Code::NotFound,
        "no entity has the id",
    );
    expect_status(
        client
            .get_entity(GetEntityRequest { id: String::new() })
            .await,
        Code::InvalidArgument,
        "id",
    );
}

#[tokio::test]
async fn list_sources_describes_every_list() {
    let server = spawn_server(|_| {}).await;
    let response = server.sources().await;
    let codes: HashSet<&str> = response.lists.iter().map(|l| l.code.as_str()).collect();
    for code in [
        "US-BIS-EL",
        "US-DHS-UFLPA",
        "US-OFAC-NSCMIC",
        "US-DOD-1260H",
        "CN-MFA-AFSL",
        "CN-MOFCOM-UEL",
        "CN-MOFCOM-ECL",
    ] {
        assert!(codes.contains(code), "{code} missing");
    }
    let total: u64 = response.lists.iter().map(|l| l.entity_count).sum();
    assert_eq!(total, response.sequence, "every seed entity was added once");
    for list in &response.lists {
        assert!(list.imposing_country == "US" || list.imposing_country == "CN");
        assert!(
            !list.authority.is_empty() && !list.legal_basis.is_empty() && !list.meaning.is_empty()
        );
        assert!(!list.measures.is_empty());
        assert_eq!(list.content_hash.len(), 64);
        assert!(list.last_change_sequence > 0 && list.last_change_sequence <= response.sequence);
        assert!(list.loaded_at.is_some());
    }
}

/// Reads every page with the given filters; returns the ids in order.
async fn read_all(
    server: &crate::support::TestServer,
    mut request: ListEntitiesRequest,
) -> Vec<String> {
    let mut client = server.catalog();
    let mut ids = Vec::new();
    loop {
        let page = client
            .list_entities(request.clone())
            .await
            .unwrap()
            .into_inner();
        assert!(page.entities.len() <= request.page_size.max(1) as usize || request.page_size == 0);
        ids.extend(page.entities.into_iter().map(|e| e.id));
        if page.next_page_token.is_empty() {
            return ids;
        }
        request.page_token = page.next_page_token;
    }
}

#[tokio::test]
async fn list_entities_pages_through_everything() {
    let server = spawn_server(|_| {}).await;
    let sources = server.sources().await;
    let all = read_all(
        &server,
        ListEntitiesRequest {
            page_size: 97,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(all.len() as u64, sources.sequence);
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, all, "ids come in order, once each");

    let cn_total: u64 = sources
        .lists
        .iter()
        .filter(|l| l.imposing_country == "CN")
        .map(|l| l.entity_count)
        .sum();
    let cn = read_all(
        &server,
        ListEntitiesRequest {
            imposed_by: vec!["CN".into()],
            page_size: 50,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(cn.len() as u64, cn_total);
    assert!(cn.iter().all(|id| id.starts_with("CN-")));
    // The members of the selected lists, merged across pages in one id order.
    assert!(cn.windows(2).all(|w| w[0] < w[1]), "not in id order");

    let persons = read_all(
        &server,
        ListEntitiesRequest {
            lists: vec!["CN-MFA-AFSL".into()],
            entity_type: EntityType::Person as i32,
            page_size: 1000,
            ..Default::default()
        },
    )
    .await;
    assert!(persons.contains(&"CN-MFA-AFSL:edmund-xu".to_string()));
    assert!(!persons.contains(&"CN-MFA-AFSL:kharon".to_string()));

    let hk = read_all(
        &server,
        ListEntitiesRequest {
            countries: vec!["HK".into()],
            page_size: 1000,
            ..Default::default()
        },
    )
    .await;
    assert!(!hk.is_empty());
}

#[tokio::test]
async fn list_entities_rejects_bad_pages() {
    let server = spawn_server(|_| {}).await;
    let mut client = server.catalog();
    expect_status(
        client
            .list_entities(ListEntitiesRequest {
                page_size: 1001,
                ..Default::default()
            })
            .await,
        Code::InvalidArgument,
        "page_size",
    );
    expect_status(
        client
            .list_entities(ListEntitiesRequest {
                page_token: "garbage".into(),
                ..Default::default()
            })
            .await,
        Code::InvalidArgument,
        "page_token",
    );
    expect_status(
        client
            .list_entities(ListEntitiesRequest {
                lists: vec!["XX".into()],
                ..Default::default()
            })
            .await,
        Code::InvalidArgument,
        "unknown list code",
    );
    let first = client
        .list_entities(ListEntitiesRequest {
            page_size: 5,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    expect_status(
        client
            .list_entities(ListEntitiesRequest {
                page_size: 5,
                imposed_by: vec!["US".into()],
                page_token: first.next_page_token,
                ..Default::default()
            })
            .await,
        Code::InvalidArgument,
        "different filters",
    );
}
