//! Ranking: the best hits in order, and hits that are the same party on several lists.

use super::*;

/// Orders the hits (each entity's best, with what tells its party apart), best first, and
/// marks the ones that are the same party on several lists.
pub(super) fn rank(query: &Query, best: Vec<(Hit, &Party)>) -> Vec<Hit> {
    // Only hits that can make the cut are ordered: those scoring at least the `limit`-th best
    // score.
    let mut scores: Vec<f64> = best.iter().map(|(h, _)| h.score).collect();
    let cut = if scores.len() > query.limit && query.limit > 0 {
        let (_, kth, _) = scores.select_nth_unstable_by(query.limit - 1, |a, b| b.total_cmp(a));
        *kth
    } else {
        f64::MIN
    };
    // Ties (two names equal after normalisation) go to the name closest to the query as typed,
    // then the shorter name, then the id; closeness is computed once per hit.
    let typed = query.name.to_lowercase();
    let mut ranked: Vec<(f64, (Hit, &Party))> = best
        .into_iter()
        .filter(|(h, _)| h.score >= cut)
        .map(|(h, party)| {
            let closeness = strsim::normalized_levenshtein(&typed, &h.matched_name.to_lowercase());
            (closeness, (h, party))
        })
        .collect();
    ranked.sort_by(|(ca, (a, _)), (cb, (b, _))| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| cb.total_cmp(ca))
            .then_with(|| a.matched_name.len().cmp(&b.matched_name.len()))
            .then_with(|| a.entity.id.cmp(&b.entity.id))
    });
    let mut ranked: Vec<(Hit, &Party)> = ranked.into_iter().map(|(_, item)| item).collect();
    ranked.truncate(query.limit);
    let same: Vec<Vec<String>> = (0..ranked.len())
        .map(|i| {
            (0..ranked.len())
                .filter(|&j| j != i && ranked[j].0.entity.list != ranked[i].0.entity.list)
                .filter(|&j| ranked[i].1.same_as(ranked[j].1))
                .map(|j| ranked[j].0.entity.id.clone())
                .collect()
        })
        .collect();
    ranked
        .into_iter()
        .zip(same)
        .map(|((hit, _), same_party)| Hit { same_party, ..hit })
        .collect()
}

/// What tells one party from another across lists: its normalised primary name and its
/// identifiers.
#[derive(Debug)]
pub(super) struct Party {
    pub(super) name: Box<str>,
    pub(super) identifiers: Box<[String]>,
}

impl Party {
    /// `primary` is the entity's primary name, tokenized.
    pub(super) fn of(entity: &Entity, primary: Option<&Vec<Token>>) -> Party {
        let name: Vec<&str> = primary
            .into_iter()
            .flatten()
            .map(|t| t.text.as_str())
            .collect();
        Party {
            name: name.join(" ").into(),
            identifiers: entity
                .identifiers
                .iter()
                .map(|i| identifier_key(&i.value))
                .filter(|k| k.len() >= 6)
                .collect(),
        }
    }

    pub(super) fn same_as(&self, other: &Party) -> bool {
        self.name == other.name
            || self
                .identifiers
                .iter()
                .any(|k| other.identifiers.contains(k))
    }
}

/// Optional evidence from the request: entity type and countries. With `features`, records
/// what it applied.
pub(super) fn evidence(
    mut score: f64,
    entity: &Entity,
    query: &Query,
    mut features: Option<&mut Vec<Feature>>,
) -> f64 {
    let mut apply = |name: &'static str, weight: f64| {
        score *= weight;
        if let Some(features) = features.as_deref_mut() {
            features.push(Feature {
                name,
                value: 1.0,
                weight,
            });
        }
    };
    if let Some(wanted) = query.entity_type {
        let known = |t: EntityType| t != EntityType::Unknown;
        if known(wanted) && known(entity.kind) && wanted != entity.kind {
            apply("type_mismatch", TYPE_MISMATCH);
        }
    }
    if !query.countries.is_empty() && !entity.countries.is_empty() {
        if query.countries.iter().any(|c| entity.countries.contains(c)) {
            apply("country_match", 1.0);
        } else {
            apply("country_mismatch", COUNTRY_MISMATCH);
        }
    }
    score
}
