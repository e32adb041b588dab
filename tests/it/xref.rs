//! The cross-reference of Chinese names on real servers: loaded from the official files only
//! (no seeds), screening a row's registered Chinese name finds its party first with a strong
//! score, and GetEntity says where each native name comes from; a durable store restarted
//! with a new table applies it to an unchanged file and streams the difference.

use crate::imports::shared;
use crate::support::{authed, spawn_server};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use watchlist::core::enrich::{self, key, Row};
use watchlist::core::import::Format;
use watchlist::core::model::{Entity, EntityType};
use watchlist::core::store::Store;
use watchlist::feeds::config::{Location, SourceSpec};
use watchlist::feeds::files::read_path;
use watchlist::proto::v1::{
    ChangeType, GetEntityRequest, NameOrigin, NativeName, ScreenRequest, SubscribeRequest,
    UpsertEntitiesRequest,
};

/// A Chinese name to screen and the entities (one party, possibly on several lists) that
/// must come first.
struct Expected {
    query: String,
    parties: BTreeSet<String>,
}

/// What screening the table's names must find in `entities`: each registered name, and each
/// short name, with the entities of every row carrying that name (as the table applies it).
fn expectations(entities: &[Entity]) -> (Vec<Expected>, Vec<Expected>, usize) {
    let table = enrich::builtin();
    let audit = table.audit(entities);
    let mut by_name: BTreeMap<String, Expected> = BTreeMap::new();
    let mut registered = BTreeSet::new();
    let mut rows = 0;
    for (row, ids) in table.rows().iter().zip(&audit.matched) {
        if ids.is_empty() {
            continue;
        }
        rows += 1;
        registered.insert(key(&row.zh));
        for name in row.chinese() {
            by_name
                .entry(key(name))
                .or_insert_with(|| Expected {
                    query: name.to_string(),
                    parties: BTreeSet::new(),
                })
                .parties
                .extend(ids.iter().cloned());
        }
    }
    let (zh, short) = by_name
        .into_iter()
        .partition(|(name, _)| registered.contains(name));
    let values = |m: BTreeMap<String, Expected>| m.into_values().collect();
    (values(zh), values(short), rows)
}

/// Screens every query; returns the ones whose first match is not one of their parties with
/// a strong score, with what came first instead.
async fn misses(
    server: &crate::support::TestServer,
    expected: &[Expected],
) -> Vec<(String, String)> {
    let mut client = server.screening();
    let mut missed = Vec::new();
    for e in expected {
        let response = client
            .screen(ScreenRequest {
                name: e.query.clone(),
                limit: 5,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let first = response.matches.first();
        let found = first.is_some_and(|m| {
            m.band == "strong"
                && m.score >= 0.9
                && e.parties.contains(&m.entity.as_ref().unwrap().id)
        });
        if !found {
            let got = first.map_or("nothing".into(), |m| {
                format!("{} at {:.2}", m.entity.as_ref().unwrap().id, m.score)
            });
            missed.push((e.query.clone(), got));
        }
    }
    missed
}

/// The native names of an entity that the cross-reference added, by normalised name, with
/// their sources.
fn from_xref(provenance: &[NativeName]) -> BTreeMap<String, String> {
    provenance
        .iter()
        .filter(|n| n.origin == NameOrigin::CrossReference as i32)
        .map(|n| (key(&n.name), n.source.clone()))
        .collect()
}

/// One official file served alone, no seeds: every registered Chinese name of a row whose
/// party is in the file finds it first, strongly; GetEntity reports the cross-reference and
/// the row's source for it. Returns the rows matched.
async fn check_file(format: Format, relative: &str, min_rows: usize) -> Option<usize> {
    let path = shared(relative)?;
    let imported = read_path(format, &path).unwrap();
    let entities: Vec<Entity> = imported.lists.into_iter().flat_map(|(_, e)| e).collect();
    let (registered, short, rows) = expectations(&entities);
    assert!(
        rows >= min_rows,
        "{relative}: only {rows} table rows match an entity (at least {min_rows} did)"
    );
    let spec = SourceSpec::new("official", format, Location::Path(path.clone()));
    let server = spawn_server(move |s| s.sources = vec![spec]).await;

    let missed = misses(&server, &registered).await;
    assert!(
        missed.is_empty(),
        "{relative}: {} of {} registered names do not find their party first, strongly: {missed:?}",
        missed.len(),
        registered.len()
    );
    let missed_short = misses(&server, &short).await;
    let recall = 1.0 - missed_short.len() as f64 / short.len().max(1) as f64;
    eprintln!(
        "{relative}: {rows} rows match; registered names {n} of {n} found first and strong; short names {} of {} ({:.1} %); missed: {missed_short:?}",
        short.len() - missed_short.len(),
        short.len(),
        recall * 100.0,
        n = registered.len(),
    );
    assert!(
        recall >= 0.95,
        "{relative}: short names found first and strong for only {:.1} %: {missed_short:?}",
        recall * 100.0
    );

    // Provenance: every matched entity shows each row's registered name as the
    // cross-reference's, with the source of a row giving that name.
    let table = enrich::builtin();
    let audit = table.audit(&entities);
    let mut catalog = server.catalog();
    let sources: BTreeMap<String, BTreeSet<&str>> =
        table.rows().iter().fold(BTreeMap::new(), |mut m, r: &Row| {
            m.entry(key(&r.zh)).or_default().insert(r.source.as_str());
            m
        });
    for (row, ids) in table.rows().iter().zip(&audit.matched) {
        for id in ids {
            let entity = catalog
                .get_entity(GetEntityRequest { id: id.clone() })
                .await
                .unwrap()
                .into_inner()
                .entity
                .unwrap();
            let added = from_xref(&entity.native_name_provenance);
            let source = added.get(&key(&row.zh)).unwrap_or_else(|| {
                panic!(
                    "{id}: {} is not reported as the cross-reference's: {:?}",
                    row.zh, entity.native_name_provenance
                )
            });
            assert!(sources[&key(&row.zh)].contains(source.as_str()), "{id}");
            let named: Vec<&String> = entity
                .native_name_provenance
                .iter()
                .map(|n| &n.name)
                .collect();
            assert_eq!(
                entity.native_names.iter().collect::<Vec<_>>(),
                named,
                "{id}"
            );
        }
    }
    Some(rows)
}

#[tokio::test]
async fn registered_chinese_names_find_their_party_in_the_csl() {
    check_file(
        Format::CslCsv,
        "moov-io-watchman/test/testdata/csl.csv",
        120,
    )
    .await;
}

#[tokio::test]
async fn registered_chinese_names_find_their_party_in_the_ofac_consolidated_list() {
    check_file(
        Format::OfacCsv,
        "moov-io-watchman/test/testdata/cons_prim.csv",
        70,
    )
    .await;
}

/// A one-entity native list in `dir` naming the party of `row`, with the row's registered
/// name as the list's own Chinese name.
fn write_list(dir: &Path, row: &Row) {
    let seeds =
        std::fs::read_to_string(crate::support::seeds_dir().join("us-bis-el.jsonl")).unwrap();
    let header = seeds.lines().find(|l| l.starts_with('{')).unwrap();
    let record = serde_json::json!({
        "ref": "xref-party",
        "type": "organization",
        "name": row.name.to_uppercase(),
        "countries": ["CN"],
        "native_names": [row.zh],
        "native_source": "test notice",
        "listed_on": "2020-01-01",
        "citation": "test",
    });
    std::fs::write(dir.join("us-bis-el.jsonl"), format!("{header}\n{record}\n")).unwrap();
}

#[tokio::test]
async fn a_new_table_reaches_a_durable_store_and_its_subscribers_when_the_file_is_unchanged() {
    // A row that alone names its party, with two short names distinct from its registered one.
    let table = enrich::builtin();
    let (_, row) = table
        .rows()
        .iter()
        .enumerate()
        .find(|(i, r)| {
            let mut party = Entity::new("X:1", "X", EntityType::Organization, &r.name);
            party.countries = vec!["CN".into()];
            let names: BTreeSet<String> = r.chinese().map(key).collect();
            r.short.len() >= 2 && names.len() == 1 + r.short.len() && table.matches(&party) == [*i]
        })
        .unwrap();
    let lists = tempfile::tempdir().unwrap();
    write_list(lists.path(), row);
    let data = tempfile::tempdir().unwrap();
    let spec = SourceSpec::new(
        "lists",
        Format::Native,
        Location::Path(lists.path().to_path_buf()),
    );

    // What an earlier binary, without these rows, left in the data directory: the same file
    // applied without the cross-reference (importers do not enrich).
    let before = {
        let store = Store::open(data.path(), 1000, None).unwrap();
        let imported = read_path(Format::Native, lists.path()).unwrap();
        assert!(imported.lists[0].1[0].xref_names.is_empty());
        store
            .replace_source("lists", imported.lists)
            .unwrap()
            .sequence
    };

    let (d, s) = (data.path().to_path_buf(), spec.clone());
    let server = spawn_server(move |settings| {
        settings.data_dir = Some(d);
        settings.sources = vec![s];
    })
    .await;
    let mut events = server
        .changes()
        .subscribe(SubscribeRequest {
            from_sequence: Some(before),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let event = events.message().await.unwrap().unwrap();
    assert_eq!(
        (event.sequence, event.r#type),
        (before + 1, ChangeType::Updated as i32)
    );
    let entity = event.entity.unwrap();
    assert_eq!(entity.id, "US-BIS-EL:xref-party");

    // The list's own name stays the list's; the short names are the cross-reference's.
    let expected: Vec<(String, i32, String)> = std::iter::once((
        row.zh.clone(),
        NameOrigin::List as i32,
        "test notice".to_string(),
    ))
    .chain(row.short.iter().map(|s| {
        (
            s.clone(),
            NameOrigin::CrossReference as i32,
            row.source.clone(),
        )
    }))
    .collect();
    let got: Vec<(String, i32, String)> = entity
        .native_name_provenance
        .iter()
        .map(|n| (n.name.clone(), n.origin, n.source.clone()))
        .collect();
    assert_eq!(got, expected);
    let names: Vec<&String> = expected.iter().map(|(n, _, _)| n).collect();
    assert_eq!(entity.native_names.iter().collect::<Vec<_>>(), names);
    assert_eq!(server.sources().await.sequence, before + 1);

    // GetEntity shows the same, and writing it back through the Admin API changes nothing.
    let got = server
        .catalog()
        .get_entity(GetEntityRequest {
            id: entity.id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .entity
        .unwrap();
    assert_eq!(got, entity);
    let written = server
        .admin()
        .upsert_entities(authed(UpsertEntitiesRequest {
            entities: vec![got],
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((written.updated, written.unchanged), (0, 1));

    // Screening a short name finds the party through the cross-reference.
    let response = server
        .screening()
        .screen(ScreenRequest {
            name: row.short[0].clone(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let first = &response.matches[0];
    assert_eq!(first.entity.as_ref().unwrap().id, entity.id);
    assert_eq!(first.matched_name_kind, "native");
}

/// Unlisted Chinese company names of the listed parties' shape (city + trade name + industry +
/// 有限公司), generated with a fixed seed from syllables and words no table row carries: the
/// official files with the cross-reference applied must not alarm on more of them than
/// without it.
#[test]
fn unlisted_chinese_company_names_alarm_no_more_with_the_cross_reference() {
    use std::sync::Arc;
    use watchlist::core::matching::{Index, Query};
    let mut plain: Vec<Entity> = Vec::new();
    for (format, relative) in [
        (Format::CslCsv, "moov-io-watchman/test/testdata/csl.csv"),
        (
            Format::OfacCsv,
            "moov-io-watchman/test/testdata/cons_prim.csv",
        ),
    ] {
        let Some(path) = shared(relative) else {
            return; // ../shared/data is not here
        };
        let imported = read_path(format, &path).unwrap();
        plain.extend(imported.lists.into_iter().flat_map(|(_, e)| e));
    }
    let enriched: Vec<Entity> = plain
        .iter()
        .cloned()
        .map(|mut e| {
            enrich::builtin().enrich(&mut e);
            e
        })
        .collect();
    let build = |entities: &[Entity]| {
        let arcs: Vec<Arc<Entity>> = entities.iter().cloned().map(Arc::new).collect();
        Index::build(arcs.iter())
    };
    let (plain, enriched) = (build(&plain), build(&enriched));
    const CITIES: &[&str] = &[
        "北京", "上海", "深圳", "广州", "杭州", "南京", "苏州", "武汉", "成都", "西安", "天津",
        "重庆", "青岛", "厦门", "合肥", "长沙",
    ];
    const TRADE: &[&str] = &[
        "瑞", "博", "恒", "鑫", "盛", "宏", "嘉", "泰", "源", "丰", "润", "凯", "德", "安", "达",
        "信", "诚", "和", "远", "新", "佳", "悦", "晟", "睿",
    ];
    const INDUSTRY: &[&str] = &[
        "科技",
        "电子",
        "贸易",
        "实业",
        "机械",
        "信息技术",
        "新材料",
        "物流",
        "生物科技",
        "光电",
        "精密仪器",
        "软件",
    ];
    let mut state: u64 = 0x2026_1207;
    let mut pick = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let listed: BTreeSet<String> = enrich::builtin()
        .rows()
        .iter()
        .flat_map(|r| r.chinese().map(key).collect::<Vec<_>>())
        .collect();
    let mut names = BTreeSet::new();
    while names.len() < 2000 {
        let name = format!(
            "{}{}{}{}有限公司",
            CITIES[pick(CITIES.len())],
            TRADE[pick(TRADE.len())],
            TRADE[pick(TRADE.len())],
            INDUSTRY[pick(INDUSTRY.len())]
        );
        if !listed.contains(&key(&name)) {
            names.insert(name);
        }
    }
    let alarms = |index: &Index| {
        names
            .iter()
            .filter(|name| {
                !index
                    .search(&Query {
                        name,
                        threshold: 0.75,
                        limit: 1,
                        ..Query::default()
                    })
                    .is_empty()
            })
            .count()
    };
    let (before, after) = (alarms(&plain), alarms(&enriched));
    eprintln!("unlisted Chinese company names alarming: {before} of 2000 without the cross-reference, {after} with it");
    assert!(
        after <= before,
        "the cross-reference makes {after} of 2000 unlisted company names alarm (without it: {before})"
    );
}
