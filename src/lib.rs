//! `watchlist`: screens names against sanctions and export-control lists imposed in both
//! directions between the US and China, and streams every change to those lists.
//!
//! Layout (see ARCHITECTURE.md):
//! - [`core`]: the pure core (model, normalisation, index, store, change log, loaders). It
//!   never imports tonic or the generated types.
//! - [`api`]: the gRPC adapters, one file per service, with every proto conversion in
//!   `api/convert.rs` and the one `Error` → `Status` mapping in `api/status.rs`.
//! - [`proto`]: the generated code, contained.
//! - [`feeds`]: configured sources, their fetching (files, URLs, cache) and refresh.
//! - [`check`]: the `watchlist check` and `watchlist check-xref` commands.
//! - [`metrics`]: Prometheus metrics and their HTTP endpoint.
//! - [`server`]: assembly and lifecycle; [`config`]: flags and environment.

pub mod api;
pub mod batch;
pub mod check;
pub mod config;
pub mod core;
pub mod feeds;
pub mod metrics;
pub mod proto;
pub mod server;
