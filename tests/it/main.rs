//! Integration tests: each starts the real server on 127.0.0.1:0 with the bundled seeds and
//! talks gRPC to it.

#[path = "../corpus/mod.rs"]
mod corpus;

/// The allocator the binary runs on (see `src/main.rs`), so that the servers tested are the
/// servers shipped.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

mod admin;
mod bad_input;
mod batch;
mod catalog;
mod changes;
mod dashboard;
mod durability;
mod eval;
mod fixtures;
mod generated;
mod hostile;
mod imports;
mod incremental;
mod ops;
mod props;
mod screening;
mod seeds;
mod server;
mod sources;
mod support;
mod tidy;
mod watches;
mod xref;
