//! The matching engine: an immutable index of names built from one snapshot of the entities,
//! searched by many readers at once, and the scorer behind every screening answer
//! (`ALGORITHM_VERSION`).
//!
//! # The algorithm, in one page
//!
//! Every name is normalised (`text`: NFKC, case, diacritics, legal forms dropped, Han split
//! into characters) and indexed in its plain form and in cross-script forms (`Form`): romanised
//! Chinese, pinyin syllables, a sound form for transliterated foreign names, and a consonant
//! outline for Western persons' Latin names (`build.rs`). A query is searched in several forms
//! too (`QueryForm`, planned once in `plan.rs`), each compared only with the name forms it can
//! meaningfully meet (`search.rs`). Query tokens resolve to vocabulary tokens exactly, through romanisation and
//! nickname variants, and within one or two typo-weighted edits (`vocabulary.rs`, with the edit
//! distance and the symmetric deletion-neighbourhood keys in `similarity.rs`, so no pair within
//! the edit limit is missed).
//!
//! Scoring (`score.rs`) is a greedy one-to-one alignment of query tokens with name tokens, each
//! weighted by how informative it is: `score = query_coverage^0.6 × name_coverage^0.4 ×
//! multipliers`, every multiplier at most 1 (`params.rs` holds every constant). That shape gives
//! a recall-safe candidate stage: a name can only reach the threshold if it holds query tokens
//! worth a known share of the query's weight (`ceiling.rs`), so only the postings of the
//! heaviest tokens need reading, and names are counted a block at a time before any is scored
//! (`candidates.rs`). The best hit per entity is kept and ordered (`rank.rs`).
//! `search_exhaustive` scores every name with the same scorer, the baseline the tests and
//! benchmarks compare with.
//!
//! The rooms share one namespace (each opens with `use super::*`): the split is by role, not
//! by API, and nothing is visible outside `matching` but the items re-exported here and
//! `text`, the normalisation that validation and the loaders share with the index.

mod build;
mod candidates;
mod ceiling;
mod index;
mod live;
mod params;
mod plan;
mod rank;
mod score;
mod search;
mod similarity;
#[cfg(test)]
mod tests;
pub mod text;
mod vocabulary;

use crate::core::hash::FastMap;
use crate::core::model::{Entity, EntityType, NameKind};
use crate::core::work;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use text::{Script, Token};

use build::*;
use candidates::*;
use ceiling::*;
use index::*;
use params::*;
use plan::*;
use rank::*;
use score::*;
use search::*;
use similarity::*;
use vocabulary::*;

pub use index::Index;
pub use live::{LiveIndex, MergeKind, Merged};
pub use params::{ALGORITHM_VERSION, COUNTED_TOKENS, MAX_SEGMENTS, MERGE_MIN, MERGE_SHARE};
pub use search::{Feature, Hit, Query};
pub use similarity::FUZZY_MAX_CHARS;
