//! Every conversion between the generated protobuf types and the core's types, in one file.

use crate::core::changes::{Change, ChangeKind, Delivery};
use crate::core::matching::Hit;
use crate::core::model::{Entity, EntityType, Identifier, ListMeta, Measure, XrefName};
use crate::core::query::{EntityFilter, ScreenRequest, Screened};
use crate::core::snapshot::{ListState, Snapshot};
use crate::core::watches::{
    Alert, AlertKind, Decision, DecisionRecord, HitView, NewWatch, Party, WatchInfo,
};
use crate::core::{Error, Result};
use crate::feeds::{Refreshed, SourceState, SourceStatus};
use crate::proto::v1 as pb;
use std::time::SystemTime;

pub fn timestamp(time: SystemTime) -> prost_types::Timestamp {
    let since = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    prost_types::Timestamp {
        seconds: since.as_secs() as i64,
        nanos: since.subsec_nanos() as i32,
    }
}

/// A request's entity type: `None` for "unspecified" (any type).
pub fn entity_type(field: &str, value: i32) -> Result<Option<EntityType>> {
    match pb::EntityType::try_from(value) {
        Ok(pb::EntityType::Unspecified) => Ok(None),
        Ok(pb::EntityType::Person) => Ok(Some(EntityType::Person)),
        Ok(pb::EntityType::Organization) => Ok(Some(EntityType::Organization)),
        Ok(pb::EntityType::Vessel) => Ok(Some(EntityType::Vessel)),
        Ok(pb::EntityType::Aircraft) => Ok(Some(EntityType::Aircraft)),
        Ok(pb::EntityType::Unknown) => Ok(Some(EntityType::Unknown)),
        Err(_) => Err(Error::invalid(
            field,
            format!("{value} is not an EntityType"),
        )),
    }
}

pub fn entity_type_to_proto(kind: EntityType) -> pb::EntityType {
    match kind {
        EntityType::Person => pb::EntityType::Person,
        EntityType::Organization => pb::EntityType::Organization,
        EntityType::Vessel => pb::EntityType::Vessel,
        EntityType::Aircraft => pb::EntityType::Aircraft,
        EntityType::Unknown => pb::EntityType::Unknown,
    }
}

fn measure_to_proto(measure: Measure) -> pb::Measure {
    match measure {
        Measure::AssetFreeze => pb::Measure::AssetFreeze,
        Measure::EntryBan => pb::Measure::EntryBan,
        Measure::LicenceRequirement => pb::Measure::LicenceRequirement,
        Measure::ExportBan => pb::Measure::ExportBan,
        Measure::ImportBan => pb::Measure::ImportBan,
        Measure::InvestmentBan => pb::Measure::InvestmentBan,
        Measure::TransactionBan => pb::Measure::TransactionBan,
        Measure::SecuritiesBan => pb::Measure::SecuritiesBan,
        Measure::ProcurementBan => pb::Measure::ProcurementBan,
        Measure::EquipmentAuthorisationBan => pb::Measure::EquipmentAuthorisationBan,
        Measure::EnhancedDueDiligence => pb::Measure::EnhancedDueDiligence,
    }
}

fn measures(meta: &ListMeta) -> Vec<i32> {
    meta.measures
        .iter()
        .map(|m| measure_to_proto(*m) as i32)
        .collect()
}

pub fn entity(entity: &Entity, snapshot: &Snapshot) -> pb::Entity {
    let meta = snapshot.lists.get(&entity.list).map(|l| &*l.meta);
    pb::Entity {
        id: entity.id.clone(),
        r#type: entity_type_to_proto(entity.kind) as i32,
        primary_name: entity.name.clone(),
        aliases: entity.aliases.clone(),
        native_names: entity
            .native_names
            .iter()
            .chain(entity.xref_names.iter().map(|x| &x.name))
            .cloned()
            .collect(),
        native_source: entity.native_source.clone(),
        native_name_provenance: native_name_provenance(entity),
        countries: entity.countries.clone(),
        addresses: entity.addresses.clone(),
        identifiers: entity
            .identifiers
            .iter()
            .map(|i| pb::Identifier {
                r#type: i.kind.clone(),
                value: i.value.clone(),
                checksum_valid: i.checksum_valid,
            })
            .collect(),
        listings: vec![pb::Listing {
            list_code: entity.list.clone(),
            list_name: meta.map(|m| m.name.clone()).unwrap_or_default(),
            imposing_country: meta.map(|m| m.imposing_country.clone()).unwrap_or_default(),
            authority: meta.map(|m| m.authority.clone()).unwrap_or_default(),
            measures: meta.map(measures).unwrap_or_default(),
            listed_on: entity.listed_on.clone(),
            citation: entity.citation.clone(),
            url: entity.url.clone(),
        }],
        birth_date: entity.birth_date.clone(),
        remarks: entity.remarks.clone(),
    }
}

/// Each native name with its origin, in the order of `pb::Entity::native_names`.
fn native_name_provenance(entity: &Entity) -> Vec<pb::NativeName> {
    let own = entity.native_names.iter().map(|name| pb::NativeName {
        name: name.clone(),
        origin: pb::NameOrigin::List as i32,
        source: entity.native_source.clone(),
    });
    let xref = entity.xref_names.iter().map(|x| pb::NativeName {
        name: x.name.clone(),
        origin: pb::NameOrigin::CrossReference as i32,
        source: x.source.clone(),
    });
    own.chain(xref).collect()
}

/// An entity sent to the admin API. It needs exactly one listing, whose list code may be left
/// empty when `default_list` (ReplaceSource's list) supplies it.
pub fn entity_from_proto(field: &str, e: pb::Entity, default_list: Option<&str>) -> Result<Entity> {
    let kind = entity_type(&format!("{field}.type"), e.r#type)?.unwrap_or(EntityType::Unknown);
    let listing = match (e.listings.len(), default_list) {
        (1, _) => e.listings.into_iter().next().unwrap_or_default(),
        (0, Some(_)) => pb::Listing::default(),
        (n, _) => {
            return Err(Error::invalid(
                format!("{field}.listings"),
                format!("has {n} entries; give exactly one, naming the entity's list_code"),
            ))
        }
    };
    let list = match (listing.list_code.as_str(), default_list) {
        ("", Some(code)) => code.to_string(),
        ("", None) => {
            return Err(Error::invalid(
                format!("{field}.listings[0].list_code"),
                "must name the entity's list (see Catalog/ListSources)",
            ))
        }
        (code, _) => code.to_string(),
    };
    // Names marked as the cross-reference's keep that provenance (a GetEntity result written
    // back is unchanged); every other native name is the caller's own.
    let xref_names: Vec<XrefName> = e
        .native_name_provenance
        .into_iter()
        .filter(|n| n.origin == pb::NameOrigin::CrossReference as i32)
        .map(|n| XrefName {
            name: n.name,
            source: n.source,
        })
        .collect();
    let native_names = e
        .native_names
        .into_iter()
        .filter(|name| !xref_names.iter().any(|x| &x.name == name))
        .collect();
    Ok(Entity {
        id: e.id,
        list,
        kind,
        name: e.primary_name,
        aliases: e.aliases,
        native_names,
        native_source: e.native_source,
        xref_names,
        countries: e.countries,
        addresses: e.addresses,
        identifiers: e
            .identifiers
            .into_iter()
            .map(|i| Identifier {
                kind: i.r#type,
                value: i.value,
                checksum_valid: None,
            })
            .collect(),
        listed_on: listing.listed_on,
        citation: listing.citation,
        url: listing.url,
        birth_date: e.birth_date,
        remarks: e.remarks,
    })
}

pub fn entities_from_proto(
    entities: Vec<pb::Entity>,
    default_list: Option<&str>,
) -> Result<Vec<Entity>> {
    entities
        .into_iter()
        .enumerate()
        .map(|(i, e)| entity_from_proto(&format!("entities[{i}]"), e, default_list))
        .collect()
}

pub fn screen_request(r: &pb::ScreenRequest) -> Result<ScreenRequest> {
    Ok(ScreenRequest {
        name: r.name.clone(),
        entity_type: entity_type("entity_type", r.entity_type)?,
        countries: r
            .countries
            .iter()
            .map(|c| c.trim().to_ascii_uppercase())
            .collect(),
        lists: r.lists.clone(),
        imposed_by: r
            .imposed_by
            .iter()
            .map(|c| c.trim().to_ascii_uppercase())
            .collect(),
        threshold: r.threshold,
        limit: r.limit,
    })
}

pub fn screen_response(
    request_id: String,
    screened: Screened,
    snapshot: &Snapshot,
    algorithm_version: &str,
) -> pb::ScreenResponse {
    pb::ScreenResponse {
        request_id,
        matches: screened.hits.iter().map(|h| hit(h, snapshot)).collect(),
        sequence: screened.sequence,
        algorithm_version: algorithm_version.to_string(),
        error: None,
        threshold: screened.threshold,
    }
}

pub fn hit(h: &Hit, snapshot: &Snapshot) -> pb::Match {
    pb::Match {
        entity: Some(entity(&h.entity, snapshot)),
        score: (h.score * 10_000.0).round() / 10_000.0,
        matched_name: h.matched_name.clone(),
        matched_name_kind: h.matched_kind.as_str().to_string(),
        band: band(h.score).to_string(),
        features: h
            .features
            .iter()
            .map(|f| pb::Feature {
                name: f.name.to_string(),
                value: (f.value * 10_000.0).round() / 10_000.0,
                weight: f.weight,
            })
            .collect(),
        same_party_ids: h.same_party.clone(),
    }
}

/// The documented score bands.
pub fn band(score: f64) -> &'static str {
    if score >= 0.9 {
        "strong"
    } else if score >= 0.75 {
        "review"
    } else {
        "weak"
    }
}

pub fn entity_filter(r: &pb::ListEntitiesRequest) -> Result<EntityFilter> {
    Ok(EntityFilter {
        lists: r.lists.clone(),
        imposed_by: r
            .imposed_by
            .iter()
            .map(|c| c.trim().to_ascii_uppercase())
            .collect(),
        entity_type: entity_type("entity_type", r.entity_type)?,
        countries: r
            .countries
            .iter()
            .map(|c| c.trim().to_ascii_uppercase())
            .collect(),
    })
}

pub fn list_info(state: &ListState) -> pb::ListInfo {
    let meta = &state.meta;
    pb::ListInfo {
        code: meta.code.clone(),
        name: meta.name.clone(),
        authority: meta.authority.clone(),
        imposing_country: meta.imposing_country.clone(),
        legal_basis: meta.legal_basis.clone(),
        measures: measures(meta),
        meaning: meta.meaning.clone(),
        url: meta.url.clone(),
        entity_count: state.entity_count as u64,
        last_change_sequence: state.last_change_sequence,
        content_hash: state.content_hash.clone(),
        loaded_at: Some(timestamp(state.loaded_at)),
        source_id: state.source.clone(),
    }
}

pub fn source_info(s: &SourceStatus) -> pb::SourceInfo {
    let state = match s.state {
        SourceState::Pending => pb::SourceState::Pending,
        SourceState::Ok => pb::SourceState::Ok,
        SourceState::Failed => pb::SourceState::Failed,
    };
    pb::SourceInfo {
        id: s.id.clone(),
        format: s.format.to_string(),
        location: s.location.clone(),
        refresh_interval_seconds: s.refresh.as_secs(),
        state: state as i32,
        lists: s.lists.clone(),
        last_attempt: s.last_attempt.map(timestamp),
        last_success: s.last_success.map(timestamp),
        data_fetched_at: s.data_fetched_at.map(timestamp),
        data_age_seconds: s
            .last_success
            .or(s.data_fetched_at)
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .map_or(0, |d| d.as_secs()),
        last_error: s.last_error.clone(),
        last_error_at: s.last_error_at.map(timestamp),
        records: s.records,
        entities: s.entities,
        rejected: s.rejected,
        rejected_examples: s.rejected_examples.clone(),
        etag: s.etag.clone(),
        last_modified: s.last_modified.clone(),
        digest: s.digest.clone(),
        from_cache: s.from_cache,
    }
}

pub fn refreshed(r: &Refreshed) -> pb::ReloadSourceResponse {
    pb::ReloadSourceResponse {
        mutation: Some(outcome(r.outcome)),
        changed: r.changed,
        source: Some(source_info(&r.status)),
    }
}

pub fn delivery(d: &Delivery, snapshot: &Snapshot) -> pb::ChangeEvent {
    match d {
        Delivery::Change(change) => change_event(change, snapshot),
        Delivery::Heartbeat { sequence, time } => pb::ChangeEvent {
            sequence: *sequence,
            r#type: pb::ChangeType::Heartbeat as i32,
            entity: None,
            list_code: String::new(),
            time: Some(timestamp(*time)),
        },
    }
}

fn change_event(change: &Change, snapshot: &Snapshot) -> pb::ChangeEvent {
    let kind = match change.kind {
        ChangeKind::Added => pb::ChangeType::Added,
        ChangeKind::Updated => pb::ChangeType::Updated,
        ChangeKind::Removed => pb::ChangeType::Removed,
    };
    pb::ChangeEvent {
        sequence: change.sequence,
        r#type: kind as i32,
        entity: Some(entity(&change.entity, snapshot)),
        list_code: change.entity.list.clone(),
        time: Some(timestamp(change.time)),
    }
}

pub fn outcome(o: crate::core::store::Outcome) -> pb::MutationResponse {
    pb::MutationResponse {
        sequence: o.sequence,
        added: o.added,
        updated: o.updated,
        removed: o.removed,
        unchanged: o.unchanged,
    }
}

/// Upper-cased, trimmed country codes as the core checks them.
fn countries(codes: &[String]) -> Vec<String> {
    codes
        .iter()
        .map(|c| c.trim().to_ascii_uppercase())
        .collect()
}

pub fn party(field: &str, p: pb::Party) -> Result<Party> {
    Ok(Party {
        reference: p.reference,
        name: p.name,
        kind: entity_type(&format!("{field}.entity_type"), p.entity_type)?,
        countries: countries(&p.countries),
        identifiers: p
            .identifiers
            .into_iter()
            .map(|i| Identifier {
                kind: i.r#type.trim().to_ascii_lowercase(),
                value: i.value.trim().to_string(),
                checksum_valid: None,
            })
            .collect(),
    })
}

pub fn parties(parties: Vec<pb::Party>) -> Result<Vec<Party>> {
    parties
        .into_iter()
        .enumerate()
        .map(|(i, p)| party(&format!("parties[{i}]"), p))
        .collect()
}

pub fn new_watch(r: &pb::CreateWatchRequest) -> NewWatch {
    NewWatch {
        name: r.name.clone(),
        threshold: r.threshold,
        lists: r.lists.clone(),
        imposed_by: countries(&r.imposed_by),
    }
}

pub fn watch(w: &WatchInfo, latest: u64) -> pb::Watch {
    pb::Watch {
        id: w.id.clone(),
        name: w.spec.name.clone(),
        threshold: w.spec.threshold,
        lists: w.spec.lists.clone(),
        imposed_by: w.spec.imposed_by.clone(),
        party_count: w.parties as u64,
        hit_count: w.hits as u64,
        open_hit_count: w.open_hits as u64,
        state: if w.sequence >= latest {
            pb::WatchState::Current
        } else {
            pb::WatchState::CatchingUp
        } as i32,
        sequence: w.sequence,
        last_alert: w.last_alert,
        created_at: Some(timestamp(w.created_at)),
    }
}

pub fn decision(field: &str, value: i32) -> Result<Decision> {
    match pb::Decision::try_from(value) {
        Ok(pb::Decision::FalsePositive) => Ok(Decision::FalsePositive),
        Ok(pb::Decision::Confirmed) => Ok(Decision::Confirmed),
        _ => Err(Error::invalid(
            field,
            format!("{value} is not a decision: give FALSE_POSITIVE or CONFIRMED"),
        )),
    }
}

fn hit_decision(d: &DecisionRecord) -> pb::HitDecision {
    pb::HitDecision {
        decision: match d.decision {
            Decision::FalsePositive => pb::Decision::FalsePositive,
            Decision::Confirmed => pb::Decision::Confirmed,
        } as i32,
        note: d.note.clone(),
        decided_by: d.decided_by.clone(),
        decided_at: Some(timestamp(d.decided_at)),
    }
}

pub fn watch_hit(h: &HitView, snapshot: &Snapshot) -> pb::WatchHit {
    pb::WatchHit {
        party_reference: h.party.clone(),
        r#match: Some(hit(&h.hit, snapshot)),
        decision: h.decision.as_ref().map(hit_decision),
        since_sequence: h.since,
    }
}

pub fn alert(d: &Delivery<Alert>, snapshot: &Snapshot) -> pb::Alert {
    match d {
        Delivery::Change(a) => pb::Alert {
            sequence: a.sequence,
            kind: match a.kind {
                AlertKind::NewHit => pb::AlertKind::NewHit,
                AlertKind::ChangedHit => pb::AlertKind::ChangedHit,
                AlertKind::Cleared => pb::AlertKind::Cleared,
            } as i32,
            party_reference: a.party.clone(),
            r#match: Some(hit(&a.hit, snapshot)),
            cause_sequence: a.cause,
            reason: a.reason.clone(),
            time: Some(timestamp(a.time)),
        },
        Delivery::Heartbeat { sequence, time } => pb::Alert {
            sequence: *sequence,
            kind: pb::AlertKind::Heartbeat as i32,
            time: Some(timestamp(*time)),
            ..Default::default()
        },
    }
}
