//! The generated protobuf and gRPC code, contained in one module with its lint exemptions, and
//! the encoded descriptor set that server reflection serves.

#[allow(
    clippy::all,
    clippy::pedantic,
    missing_debug_implementations,
    unreachable_pub
)]
pub mod v1 {
    tonic::include_proto!("watchlist.v1");
}

/// Descriptors of `proto/watchlist/v1/*.proto` (and the well-known types they import).
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/watchlist_descriptor.bin"));
