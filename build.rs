//! Compiles `proto/watchlist/v1/*.proto` with protox (pure Rust, no system `protoc`) into
//! `OUT_DIR`, and keeps the encoded file descriptor set for server reflection.

use prost::Message;
use std::{env, fs, path::PathBuf};

const PROTOS: &[&str] = &[
    "proto/watchlist/v1/model.proto",
    "proto/watchlist/v1/screening.proto",
    "proto/watchlist/v1/catalog.proto",
    "proto/watchlist/v1/changes.proto",
    "proto/watchlist/v1/admin.proto",
    "proto/watchlist/v1/watches.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let fds = protox::compile(PROTOS, ["proto"])?;
    let out = PathBuf::from(env::var("OUT_DIR")?);
    fs::write(out.join("watchlist_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
