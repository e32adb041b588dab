//! Server lifecycle: configuration mistakes fail fast; bad data files leave only their own
//! list out.

use crate::support::{seeds_dir, spawn_server};
use watchlist::feeds::config::SourceSpec;
use watchlist::server::{run, Settings};

#[tokio::test]
async fn an_unreadable_seeds_directory_fails_at_start() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let error = run(
        listener,
        Settings::new("/nonexistent/seeds"),
        std::future::pending(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("source seeds: cannot read /nonexistent/seeds"),
        "{error}"
    );
}

#[tokio::test]
async fn a_malformed_list_file_leaves_only_its_list_out() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        seeds_dir().join("cn-mfa-afsl.jsonl"),
        dir.path().join("cn-mfa-afsl.jsonl"),
    )
    .unwrap();
    // A file whose header is broken, and a file with one bad record among good ones.
    std::fs::write(
        dir.path().join("cn-broken.jsonl"),
        "{\"list\": {\"code\": \"CN-BROKEN\"\n",
    )
    .unwrap();
    let good = std::fs::read_to_string(seeds_dir().join("us-bis-meu.jsonl")).unwrap();
    let mut lines: Vec<&str> = good.lines().collect();
    let records = |ls: &[&str]| {
        ls.iter()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .count()
    };
    let total = records(&lines) - 1; // the header is not an entity
    lines.insert(2, r#"{"ref": "bad", "type": "organization", "name": "", "listed_on": "2020-01-01", "citation": "x"}"#);
    std::fs::write(dir.path().join("us-bis-meu.jsonl"), lines.join("\n")).unwrap();

    let path = dir.path().to_path_buf();
    let server = spawn_server(move |s| s.sources = vec![SourceSpec::seeds(&path)]).await;
    let lists = server.sources().await.lists;
    let codes: Vec<&str> = lists.iter().map(|l| l.code.as_str()).collect();
    assert_eq!(codes, ["CN-MFA-AFSL", "US-BIS-MEU"]);
    assert_eq!(
        lists[1].entity_count as usize, total,
        "the bad record alone was skipped"
    );
}
