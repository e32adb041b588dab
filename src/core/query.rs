//! Read operations on one snapshot: screening and paged listing, with the validation of their
//! parameters. Every answer carries the snapshot's sequence.

use super::matching::text;
use super::matching::{Hit, Query};
use super::model::{check_country, Entity, EntityType};
use super::snapshot::{unknown_list_message, Snapshot};
use super::{Error, Result};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::sync::Arc;

/// Longest name accepted for screening, in characters, as sent and again after Unicode
/// normalisation (NFKC can turn one character into up to eighteen).
pub const MAX_QUERY_CHARS: usize = 512;
/// Most words (each Chinese character counts as one) a name screened may have after
/// normalisation: as many as the candidate stage counts (`matching::COUNTED_TOKENS`), so every
/// query takes the counted path, whose work is bounded. The longest real names have 24 (a
/// Chinese institute's full name); the few real "names" above 28 are a name with its addresses
/// or its aliases run in.
pub const MAX_QUERY_TOKENS: usize = super::matching::COUNTED_TOKENS;
/// The threshold a screen applies when neither the request nor the service's settings give one.
pub const DEFAULT_THRESHOLD: f64 = 0.75;
pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 100;
pub const DEFAULT_PAGE_SIZE: u32 = 100;
pub const MAX_PAGE_SIZE: u32 = 1000;

/// A screening request in domain terms.
#[derive(Debug, Clone, Default)]
pub struct ScreenRequest {
    pub name: String,
    pub entity_type: Option<EntityType>,
    pub countries: Vec<String>,
    pub lists: Vec<String>,
    pub imposed_by: Vec<String>,
    pub threshold: Option<f64>,
    pub limit: u32,
}

#[derive(Debug)]
pub struct Screened {
    pub hits: Vec<Hit>,
    pub sequence: u64,
    pub threshold: f64,
}

/// Filters of `ListEntities`.
#[derive(Debug, Clone, Default)]
pub struct EntityFilter {
    pub lists: Vec<String>,
    pub imposed_by: Vec<String>,
    pub entity_type: Option<EntityType>,
    pub countries: Vec<String>,
}

#[derive(Debug)]
pub struct Page {
    pub entities: Vec<Arc<Entity>>,
    pub next_page_token: String,
    pub sequence: u64,
}

/// Checks a name to screen against the input limits and returns it trimmed. The limits bound
/// the work of one screening by design: characters as sent and after normalisation, words
/// after normalisation (the matcher's own caps on fuzzy word length do the rest).
pub fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "must not be empty"));
    }
    let chars = name.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(Error::invalid(
            "name",
            format!("is {chars} characters long; at most {MAX_QUERY_CHARS} are accepted"),
        ));
    }
    let (normalised, tokens) = text::normalise(name);
    if normalised > MAX_QUERY_CHARS {
        return Err(Error::invalid(
            "name",
            format!(
                "is {normalised} characters long after Unicode normalisation (NFKC: some \
                 characters, such as ㌀, stand for several letters); at most {MAX_QUERY_CHARS} \
                 are accepted"
            ),
        ));
    }
    let tokens = tokens.len();
    if tokens == 0 {
        return Err(Error::invalid(
            "name",
            "has no letters or digits (only punctuation, spaces or invisible characters)",
        ));
    }
    if tokens > MAX_QUERY_TOKENS {
        return Err(Error::invalid(
            "name",
            format!(
                "has {tokens} words after normalisation (each Chinese character counts as \
                 one); at most {MAX_QUERY_TOKENS} are accepted: screen the name without \
                 addresses or other names run into it"
            ),
        ));
    }
    Ok(name)
}

impl Snapshot {
    pub fn screen(&self, request: &ScreenRequest, default_threshold: f64) -> Result<Screened> {
        let name = check_name(&request.name)?;
        let threshold = request.threshold.unwrap_or(default_threshold);
        if !(0.0..=1.0).contains(&threshold) {
            return Err(Error::invalid(
                "threshold",
                format!("{threshold} is outside 0..1"),
            ));
        }
        let limit = match request.limit {
            0 => DEFAULT_LIMIT,
            n if n > MAX_LIMIT => {
                return Err(Error::invalid(
                    "limit",
                    format!("{n} is above the maximum of {MAX_LIMIT}"),
                ))
            }
            n => n,
        };
        for (i, c) in request.countries.iter().enumerate() {
            check_country(&format!("countries[{i}]"), c)?;
        }
        let scope = self.scope(&request.lists, &request.imposed_by)?;
        let hits = self.index.search(&Query {
            name,
            entity_type: request.entity_type,
            countries: &request.countries,
            lists: scope.as_ref(),
            threshold,
            limit: limit as usize,
        });
        Ok(Screened {
            hits,
            sequence: self.sequence,
            threshold,
        })
    }

    /// One party screened with its identifiers: the name's hits (at most `limit`), with each
    /// identifier's exact matches merged in (the better score of an entity found both ways),
    /// best first. The caller has checked the name (`check_name`) and the countries.
    #[allow(clippy::too_many_arguments)]
    pub fn screen_party(
        &self,
        name: &str,
        entity_type: Option<EntityType>,
        countries: &[String],
        identifiers: &[super::model::Identifier],
        scope: Option<&HashSet<String>>,
        threshold: f64,
        limit: usize,
    ) -> Vec<Hit> {
        let query = |name| Query {
            name,
            entity_type,
            countries,
            lists: scope,
            threshold,
            limit,
        };
        let mut hits = self.index.search(&query(name));
        let before = hits.len();
        for identifier in identifiers {
            for found in self.index.search(&query(&identifier.value)) {
                if !found.features.iter().any(|f| f.name == "identifier_match") {
                    continue;
                }
                match hits.iter_mut().find(|h| h.entity.id == found.entity.id) {
                    Some(known) if known.score >= found.score => {}
                    Some(known) => *known = found,
                    None => hits.push(found),
                }
            }
        }
        if hits.len() != before || !identifiers.is_empty() {
            hits.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then(a.entity.id.cmp(&b.entity.id))
            });
        }
        hits
    }

    /// The list codes a watch's filter selects now: like `scope`, but a list that has gone
    /// since the filter was checked selects nothing instead of failing.
    pub fn scope_now(&self, lists: &[String], imposed_by: &[String]) -> Option<HashSet<String>> {
        if lists.is_empty() && imposed_by.is_empty() {
            return None;
        }
        Some(
            self.lists
                .iter()
                .filter(|(code, _)| lists.is_empty() || lists.contains(code))
                .filter(|(_, state)| {
                    imposed_by.is_empty() || imposed_by.contains(&state.meta.imposing_country)
                })
                .map(|(code, _)| code.clone())
                .collect(),
        )
    }

    /// The set of list codes a `lists` + `imposed_by` filter selects; `None` for all lists.
    pub fn scope(
        &self,
        lists: &[String],
        imposed_by: &[String],
    ) -> Result<Option<HashSet<String>>> {
        for (i, code) in lists.iter().enumerate() {
            if !self.lists.contains_key(code) {
                return Err(Error::invalid(
                    format!("lists[{i}]"),
                    unknown_list_message(self, code),
                ));
            }
        }
        for (i, country) in imposed_by.iter().enumerate() {
            check_country(&format!("imposed_by[{i}]"), country)?;
        }
        Ok(self.scope_now(lists, imposed_by))
    }

    /// One page of entities in id order. The page token carries the last id and a
    /// fingerprint of the filters, so it cannot be replayed with other filters.
    pub fn list_entities(
        &self,
        filter: &EntityFilter,
        page_size: u32,
        page_token: &str,
    ) -> Result<Page> {
        let page_size = page_size_of(page_size)?;
        for (i, c) in filter.countries.iter().enumerate() {
            check_country(&format!("countries[{i}]"), c)?;
        }
        let scope = self.scope(&filter.lists, &filter.imposed_by)?;
        let fingerprint = fingerprint(filter);
        let after = decode_token(page_token, &fingerprint)?;
        let from = match &after {
            Some(id) => std::ops::Bound::Excluded(id.as_str()),
            None => std::ops::Bound::Unbounded,
        };
        // With lists selected, only their members are read (merged in id order), so a page of
        // a small list costs what that list holds, not the store.
        let in_order: Box<dyn Iterator<Item = &Arc<Entity>>> = match &scope {
            None => Box::new(
                self.entities
                    .range::<_, str>((from, std::ops::Bound::Unbounded))
                    .map(|(_, e)| e),
            ),
            Some(lists) => Box::new(merged(
                lists
                    .iter()
                    .filter_map(|code| self.members.get(code))
                    .map(|set| {
                        set.range::<_, str>((from, std::ops::Bound::Unbounded))
                            .map(|m| &m.0)
                    })
                    .collect(),
            )),
        };
        let mut entities = Vec::with_capacity(page_size);
        let mut more = false;
        for entity in in_order.filter(|e| {
            filter.entity_type.is_none_or(|t| t == e.kind)
                && (filter.countries.is_empty()
                    || e.countries.iter().any(|c| filter.countries.contains(c)))
        }) {
            if entities.len() == page_size {
                more = true;
                break;
            }
            entities.push(Arc::clone(entity));
        }
        let next_page_token = match (more, entities.last()) {
            (true, Some(last)) => encode_token(&last.id, &fingerprint),
            _ => String::new(),
        };
        Ok(Page {
            entities,
            next_page_token,
            sequence: self.sequence,
        })
    }
}

/// Entities of several lists, each in id order, merged into one id order (an entity is on
/// one list only, so no id repeats).
fn merged<'a>(
    mut lists: Vec<impl Iterator<Item = &'a Arc<Entity>>>,
) -> impl Iterator<Item = &'a Arc<Entity>> {
    let mut heads: Vec<Option<&'a Arc<Entity>>> = lists.iter_mut().map(Iterator::next).collect();
    std::iter::from_fn(move || {
        let (at, _) = heads
            .iter()
            .enumerate()
            .filter_map(|(i, head)| Some((i, (*head)?)))
            .min_by(|a, b| a.1.id.cmp(&b.1.id))?;
        let next = heads[at];
        heads[at] = lists[at].next();
        next
    })
}

/// A requested page size checked: 0 means the default.
pub fn page_size_of(page_size: u32) -> Result<usize> {
    match page_size {
        0 => Ok(DEFAULT_PAGE_SIZE as usize),
        n if n > MAX_PAGE_SIZE => Err(Error::invalid(
            "page_size",
            format!("{n} is above the maximum of {MAX_PAGE_SIZE}"),
        )),
        n => Ok(n as usize),
    }
}

fn fingerprint(filter: &EntityFilter) -> String {
    let mut hasher = Sha256::new();
    for part in [
        filter.lists.join(","),
        filter.imposed_by.join(","),
        format!("{:?}", filter.entity_type),
        filter.countries.join(","),
    ] {
        hasher.update(part);
        hasher.update([0x1f]);
    }
    hasher.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Page tokens carry the last key of the page and a fingerprint of what the page was read
/// with (filters, a watch), so a token cannot be replayed elsewhere.
const TOKEN_PREFIX: &str = "p1.";

pub fn encode_token(last_id: &str, fingerprint: &str) -> String {
    let hex: String = last_id.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{TOKEN_PREFIX}{fingerprint}.{hex}")
}

pub fn decode_token(token: &str, fingerprint: &str) -> Result<Option<String>> {
    if token.is_empty() {
        return Ok(None);
    }
    let bad = |why: &str| {
        Error::invalid(
            "page_token",
            format!("{why}; pass the next_page_token of the previous page unchanged, or start again without one"),
        )
    };
    let rest = token
        .strip_prefix(TOKEN_PREFIX)
        .ok_or_else(|| bad("is not a token this server issued"))?;
    let (fp, hex) = rest
        .split_once('.')
        .ok_or_else(|| bad("is not a token this server issued"))?;
    if fp != fingerprint {
        return Err(bad("was issued for different filters"));
    }
    if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad("is not a token this server issued"));
    }
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect();
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| bad("is not a token this server issued"))
}
