//! The most a name can score, known before it is scored: the bound the candidate stage works
//! from. It sits beside the scorer it bounds (`score.rs`) and must stay above it.

use super::*;

/// The weight of query tokens a name must hold to reach `threshold`: any name, and a Western
/// person's name (whose unmatched middle names weigh `MIDDLE_NAME`). A score is at most
/// `query_coverage^QUERY_EXP`, so coverage must reach `r = threshold^(1/QUERY_EXP)`.
pub(super) fn coverage_needed(query: &[QueryToken], threshold: f64) -> (f64, f64) {
    let total: f64 = query.iter().map(|t| t.weight).sum();
    let r = threshold.clamp(0.0, 1.0).powf(1.0 / QUERY_EXP);
    (
        r * total,
        r * MIDDLE_NAME / (1.0 - r + r * MIDDLE_NAME) * total,
    )
}

/// The most a name can score, known before it is scored: the scorer rules that reject
/// outright (no distinctive token matched, one part of a person's name, a generic query not
/// matched word for word), then coverage on both sides as if every token that can match did,
/// at its best similarity, with unmatched tokens weighing what they weigh at the least (a
/// middle name's share). Every other factor is at most 1. It is computed twice: from the
/// query tokens a name holds and its total weight while candidates are counted, without
/// reading the name, then from the name's tokens. The indexed and the exhaustive search
/// agree (a test checks), so it changes no answer.
#[derive(Debug)]
pub(super) struct Ceiling {
    pub(super) weights: Vec<f64>,
    pub(super) total: f64,
    /// The query tokens' best similarity.
    pub(super) sims: Vec<f64>,
    /// The most name weight a query token can match: its heaviest vocabulary match, one
    /// token of weight at most 1 for an initial, one per letter for an acronym.
    pub(super) cover: Vec<f64>,
    /// Initials, which may match any name token without the vocabulary.
    pub(super) initials: u64,
    /// Each initial's bit, and its letter as in `letters`.
    pub(super) initial_letters: Vec<(u64, u32)>,
    /// Acronyms, which match the names their postings hold without the vocabulary.
    pub(super) acronyms: u64,
    pub(super) distinctive: u64,
    pub(super) all: u64,
    pub(super) any_distinctive: bool,
    pub(super) factor: f64,
}

impl Ceiling {
    /// `None` for a query of more tokens than counting handles (whose candidates are not
    /// counted, so the acronyms they may spell are not known).
    pub(super) fn new(query: &[QueryToken], any_distinctive: bool, factor: f64) -> Option<Ceiling> {
        if query.len() > TOKEN_BITS {
            return None;
        }
        let bits = |test: &dyn Fn(&QueryToken) -> bool| -> u64 {
            query
                .iter()
                .enumerate()
                .filter(|(_, t)| test(t))
                .fold(0, |bits, (i, _)| bits | 1 << i)
        };
        let initials = bits(&|t| t.initial);
        let acronyms = bits(&|t| t.acronym);
        Some(Ceiling {
            weights: query.iter().map(|t| t.weight).collect(),
            total: query.iter().map(|t| t.weight).sum(),
            sims: query
                .iter()
                .map(|t| {
                    let best = t.matches.iter().map(|m| m.sim).fold(0.0, f64::max);
                    if t.initial || t.acronym {
                        best.max(ACRONYM_SIM.max(INITIAL_SIM))
                    } else {
                        best
                    }
                })
                .collect(),
            cover: query
                .iter()
                .map(|t| {
                    let heaviest = t.matches.iter().map(|m| m.weight).fold(0.0, f64::max);
                    if t.initial || t.acronym {
                        heaviest.max(t.text.len() as f64)
                    } else {
                        heaviest
                    }
                })
                .collect(),
            initials,
            initial_letters: query
                .iter()
                .enumerate()
                .filter(|(_, t)| t.initial)
                .map(|(i, t)| (1u64 << i, letters(&t.text)))
                .collect(),
            acronyms,
            distinctive: bits(&|t| !t.generic),
            all: (1 << query.len()) - 1,
            any_distinctive,
            factor,
        })
    }

    /// The fifth power of the score a candidate needs before the form's factor: the ceiling
    /// `q^0.6 · n^0.4 · factor ≥ t` raised to the fifth power needs no powf in the inner loop.
    pub(super) fn fifth_power_needed(&self, threshold: f64) -> f64 {
        (threshold / self.factor - 1e-9).max(0.0).powi(5)
    }

    /// Whether a candidate may reach the threshold (`t`, from `fifth_power_needed`) on the query side
    /// alone, while counting: what counting found of it; `assumed`, the query tokens assumed
    /// held; `western`, whether middle names weigh little.
    pub(super) fn counted_query(
        &self,
        found: &NameCount,
        assumed: u64,
        western: bool,
        t: f64,
    ) -> bool {
        self.within(found, assumed, western, t, None)
    }

    /// Then with its `shape` (its weight and the letters its tokens start with, see
    /// `Index::shapes`), read only for the names the query side leaves a chance.
    pub(super) fn counted_name(
        &self,
        found: &NameCount,
        assumed: u64,
        western: bool,
        t: f64,
        shape: u64,
    ) -> bool {
        let (total, letters) = (shape_total(shape), (shape >> 32) as u32);
        // An initial matches a name token it starts.
        let mut missing = 0u64;
        for &(bit, letter) in &self.initial_letters {
            if letters & letter == 0 {
                missing |= bit;
            }
        }
        self.within(found, assumed & !missing, western, t, Some(total))
    }

    /// The ceiling test of `counted_query` and `counted_name`; the name side only when the
    /// name's weight is known.
    pub(super) fn within(
        &self,
        found: &NameCount,
        assumed: u64,
        western: bool,
        t: f64,
        total: Option<f64>,
    ) -> bool {
        let counted = found.bits & !assumed;
        let known = counted.count_ones() as usize;
        let tokens = if found.exact { found.tokens } else { known };
        if western && known.min(tokens) + (assumed.count_ones() as usize) < 2 {
            return false;
        }
        let least = if western { MIDDLE_NAME } else { 1.0 };
        // Name weight matched: what counting found, plus what the assumed tokens may match.
        let found_weight = |bits: u64| -> f64 {
            if found.exact {
                found.weight + self.cover(assumed).0
            } else {
                self.cover(bits).0
            }
        };
        let (q_cov, held) = if known <= tokens {
            let reach = counted | assumed;
            (self.query_coverage(reach, least), found_weight(reach))
        } else {
            // Only `tokens` of the counted query tokens can match: the best of them. The
            // query side is then bounded through its hit alone: q_hit / (least · W + (1 −
            // least) · q_hit), as q_held ≥ q_hit.
            let mut gains = [0.0f64; TOKEN_BITS];
            let mut covers = [0.0f64; TOKEN_BITS];
            let mut k = 0;
            for i in bits(counted) {
                gains[k] = self.weights[i] * self.sims[i];
                covers[k] = self.cover[i];
                k += 1;
            }
            let best = |values: &mut [f64]| -> f64 {
                values.sort_unstable_by(|a, b| b.total_cmp(a));
                values[..tokens].iter().sum()
            };
            let q_hit = best(&mut gains[..k]) + self.gain(assumed);
            let held = if found.exact {
                found_weight(0)
            } else {
                self.cover(assumed).0 + best(&mut covers[..k])
            };
            let q_cov = q_hit / (least * self.total + (1.0 - least) * q_hit).max(f64::MIN_POSITIVE);
            (q_cov.min(1.0), held)
        };
        let Some(total) = total else {
            return q_cov.powi(QUERY_FIFTHS) >= t;
        };
        // The name side as if every token it may match did, at similarity 1.
        let held = held.min(total);
        let n_cov = name_coverage(held, held, total, least);
        q_cov.powi(QUERY_FIFTHS) * n_cov.powi(NAME_FIFTHS) >= t
    }

    /// Over the query tokens `of`: the sum of `values`, and with their similarities.
    pub(super) fn sums(&self, values: &[f64], of: u64) -> (f64, f64) {
        bits(of).fold((0.0, 0.0), |(sum, hit), i| {
            (sum + values[i], hit + values[i] * self.sims[i])
        })
    }

    /// The most name weight the query tokens `of` can match, and with similarities.
    pub(super) fn cover(&self, of: u64) -> (f64, f64) {
        self.sums(&self.cover, of)
    }

    /// The query weight the tokens `of` can match, with similarities.
    pub(super) fn gain(&self, of: u64) -> f64 {
        self.sums(&self.weights, of).1
    }

    /// The ceiling of a name from its tokens. `counted`: the query tokens the candidate stage
    /// found in the name's postings, which includes the acronyms it may spell.
    pub(super) fn of(
        &self,
        matches: &QueryMatches,
        name: &IndexedName,
        total: f64,
        counted: u64,
    ) -> f64 {
        let (mut held, mut word_for_word) = (0u64, 0u64);
        let (mut n_held, mut n_hit) = (0.0, 0.0);
        for &id in name.tokens.iter() {
            let Some(entry) = matches.get(id) else {
                continue;
            };
            let bits = if name.person {
                entry.person_bits
            } else {
                entry.bits
            };
            if bits != 0 {
                held |= bits;
                word_for_word |= entry.word_for_word & bits;
                n_held += entry.weight;
                n_hit += entry.weight * entry.sim;
            }
        }
        let free = self.initials
            | if name.form == Form::Plain {
                counted & self.acronyms
            } else {
                0
            };
        let reach = held | free;
        if held == 0
            || (self.any_distinctive && held & self.distinctive == 0)
            || (!self.any_distinctive && word_for_word != self.all)
            || (name.needs_two_parts() && reach.count_ones() < 2)
        {
            return 0.0;
        }
        // Initials and acronyms may match name tokens outside the vocabulary's matches.
        let rest = (total - n_held).max(0.0);
        let covered = rest.min(self.cover(free).0);
        // A middle name's share for unmatched tokens, where the scorer may give it.
        let least = if name.person && !name.chinese_person && name.form == Form::Plain {
            MIDDLE_NAME
        } else {
            1.0
        };
        let q_cov = self.query_coverage(reach, least);
        let n_cov = name_coverage(n_hit + covered, n_held + covered, total, least);
        q_cov.powf(QUERY_EXP) * n_cov.powf(NAME_EXP) * self.factor
    }

    /// Query coverage at most, for a name that may match the query tokens `reach` (unmatched
    /// ones weighing `least` of their weight at the least).
    pub(super) fn query_coverage(&self, reach: u64, least: f64) -> f64 {
        let (held, hit) = self.sums(&self.weights, reach);
        (hit / (held + least * (self.total - held)).max(f64::MIN_POSITIVE)).min(1.0)
    }
}

/// The positions of the set bits, lowest first.
pub(super) fn bits(mut set: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (set != 0).then(|| {
            let i = set.trailing_zeros() as usize;
            set &= set - 1;
            i
        })
    })
}

/// A name's weight, from its shape (see `Index::shapes`).
pub(super) fn shape_total(shape: u64) -> f64 {
    f64::from(f32::from_bits(shape as u32))
}

/// The first letter of a word as a bit (a–z; any other as bit 26).
pub(super) fn letters(word: &str) -> u32 {
    match word.bytes().next() {
        Some(b @ b'a'..=b'z') => 1 << (b - b'a'),
        Some(_) => 1 << 26,
        None => 0,
    }
}

/// Name coverage at most, for a name of weight `total` that may match tokens weighing `held`
/// of it (`hit` with similarities), unmatched ones weighing `least` of their weight at the
/// least.
pub(super) fn name_coverage(hit: f64, held: f64, total: f64, least: f64) -> f64 {
    (hit / (held + least * (total - held).max(0.0)).max(f64::MIN_POSITIVE)).min(1.0)
}
