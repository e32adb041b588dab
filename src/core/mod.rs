//! The pure core: model, normalisation, index, store, change log and loaders. Nothing under
//! `core/` imports tonic, the generated protobuf types or networking; `tests/it/tidy.rs`
//! checks that.

pub mod changes;
pub mod enrich;
mod error;
pub mod hash;
pub mod import;
pub mod journal;
pub mod matching;
pub mod model;
pub mod native;
pub mod query;
pub mod snapshot;
pub mod store;
pub mod tables;
pub mod uscc;
pub mod watches;
pub mod work;

pub use error::{Error, Result};
