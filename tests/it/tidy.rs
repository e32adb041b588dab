//! Architecture checks, in the manner of rust-analyzer's tidy: the core stays pure.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn core_never_imports_grpc_or_generated_code() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files = Vec::new();
    rust_files(&core, &mut files);
    assert!(files.len() >= 5);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            // Of tokio, the core uses channels (`sync`), timers (`time`) and `select!`; it
            // spawns nothing and does no I/O.
            for banned in [
                "tonic",
                "prost",
                "crate::proto",
                "crate::api",
                "hyper",
                "tower",
                "tokio::spawn",
                "tokio::task",
                "tokio::net",
                "tokio::fs",
                "tokio::io",
                "tokio::runtime",
            ] {
                assert!(
                    !line.contains(banned),
                    "{}:{}: the core must not use {banned}: {line}",
                    file.display(),
                    i + 1
                );
            }
        }
    }
}

#[test]
fn every_source_file_says_what_it_is_for() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("//!"),
            "{} must open with a //! line",
            file.display()
        );
    }
}

/// grpcurl `describe` is the API documentation users read: every service, rpc, message, enum,
/// field and enum value carries a comment.
#[test]
fn every_proto_element_is_commented() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("proto/watchlist/v1");
    let mut undocumented = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for (i, line) in lines.iter().enumerate() {
            let declares = ["service ", "rpc ", "message ", "enum "]
                .iter()
                .any(|k| line.starts_with(k))
                || (line.ends_with(';') && line.contains(" = ") && !line.starts_with("option"));
            if !declares {
                continue;
            }
            let previous = lines[..i]
                .iter()
                .rev()
                .find(|l| !l.is_empty())
                .copied()
                .unwrap_or("");
            if !previous.starts_with("//") {
                undocumented.push(format!("{}:{}: {line}", path.display(), i + 1));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "uncommented:\n{}",
        undocumented.join("\n")
    );
}

/// Lines of a file that are code (not comments) and contain `needle`.
fn code_lines_with(file: &str, needle: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//") && line.contains(needle))
        .map(|(i, line)| format!("{file}:{}: {line}", i + 1))
        .collect()
}

/// The import circles stay broken: metrics are handed a sampling function instead of reading
/// the handlers' state, and the journal knows the snapshot's types, not the store that owns it.
#[test]
fn no_import_circles() {
    for (file, banned) in [
        ("src/metrics.rs", "crate::api"),
        ("src/core/journal.rs", "store::"),
        ("src/core/snapshot.rs", "store::"),
    ] {
        let found = code_lines_with(file, banned);
        assert!(
            found.is_empty(),
            "{file} must not use {banned}:\n{}",
            found.join("\n")
        );
    }
}

/// Importers and the matcher take bytes and text: every file system access is in `feeds/`
/// (and the journal, which owns the data directory).
#[test]
fn only_feeds_and_the_journal_touch_files() {
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files = Vec::new();
    rust_files(&core, &mut files);
    let mut found = Vec::new();
    for file in files {
        if file.ends_with("journal.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, line) in text.lines().enumerate() {
            if !line.trim_start().starts_with("//") && line.contains("std::fs") {
                found.push(format!("{}:{}: {line}", file.display(), i + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "file access in the core:\n{}",
        found.join("\n")
    );
}

/// A file is a room a reader can hold in their head: none under `src/` runs over 800 lines.
/// The curated tables (`*.tsv`) and the generated code (in `OUT_DIR`) are not `.rs` files here.
#[test]
fn no_source_file_is_over_800_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut long = Vec::new();
    for file in files {
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        let name = file
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if lines > 800 {
            long.push(format!("{name}: {lines} lines"));
        }
    }
    assert!(
        long.is_empty(),
        "files over 800 lines:\n{}",
        long.join("\n")
    );
}
