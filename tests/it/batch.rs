//! `watchlist screen`: the real binary screening files, here and through a running server's
//! ScreenStream; both formats, bad rows, exit statuses.

use crate::support::{seeds_dir, spawn_server, TestServer};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use watchlist::proto::v1::ListEntitiesRequest;

/// Runs the binary with `args`; returns its exit status and stderr. Blocking work goes to its
/// own thread, so the server under test keeps running on the test's runtime.
async fn screen(args: Vec<String>) -> (i32, String) {
    tokio::task::spawn_blocking(move || {
        let output = Command::new(env!("CARGO_BIN_EXE_watchlist"))
            .arg("screen")
            .args(&args)
            .arg("--seeds")
            .arg(seeds_dir())
            .env_remove("WATCHLIST_SOURCES")
            .env_remove("WATCHLIST_CONFIG")
            .output()
            .expect("the binary runs");
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    })
    .await
    .unwrap()
}

fn args(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

/// Every seed entity's primary name, from the server's catalog.
async fn seed_names(server: &TestServer) -> Vec<(String, String)> {
    let mut names = Vec::new();
    let mut token = String::new();
    loop {
        let page = server
            .catalog()
            .list_entities(ListEntitiesRequest {
                page_size: 1000,
                page_token: token.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        names.extend(page.entities.into_iter().map(|e| (e.id, e.primary_name)));
        if page.next_page_token.is_empty() {
            return names;
        }
        token = page.next_page_token;
    }
}

/// A name with one typing error: the middle letter of its longest word doubled.
fn mistyped(name: &str) -> String {
    let longest = name
        .split(' ')
        .max_by_key(|w| w.chars().count())
        .unwrap_or(name);
    let chars: Vec<char> = longest.chars().collect();
    let doubled: String = chars[..chars.len() / 2]
        .iter()
        .chain(&chars[chars.len() / 2..chars.len() / 2 + 1])
        .chain(&chars[chars.len() / 2..])
        .collect();
    name.replacen(longest, &doubled, 1)
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// The local index and the service give the same rows, byte for byte, for every seed name,
/// a mistyped form of each and names that are on no list; and every seed name finds its own
/// entity.
#[tokio::test]
async fn a_file_screened_here_equals_the_service() {
    let server = spawn_server(|_| {}).await;
    let names = seed_names(&server).await;
    assert!(names.len() > 500, "{} seed entities", names.len());
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("book.csv");
    let mut text = String::from("reference,name,countries\n");
    for (i, (_, name)) in names.iter().enumerate() {
        text.push_str(&format!("exact-{i},{},\n", quoted(name)));
        text.push_str(&format!("typo-{i},{},CN\n", quoted(&mistyped(name))));
    }
    for (i, name) in [
        "Acme Bakery Supplies GmbH",
        "Lakeside Dental Clinic",
        "Nordic Timber AS",
    ]
    .iter()
    .enumerate()
    {
        text.push_str(&format!("clean-{i},{name},\n"));
    }
    std::fs::write(&input, text).unwrap();
    let (here, there) = (dir.path().join("here.csv"), dir.path().join("there.csv"));
    let address = format!("http://{}", server.addr);
    let (local, remote) = tokio::join!(
        screen(args(&[
            "--input",
            &path(&input),
            "--output",
            &path(&here),
            "--all"
        ])),
        screen(args(&[
            "--input",
            &path(&input),
            "--output",
            &path(&there),
            "--all",
            "--server",
            &address,
        ])),
    );
    assert_eq!(local.0, 1, "{}", local.1);
    assert_eq!(remote.0, 1, "{}", remote.1);
    let (here, there) = (
        std::fs::read_to_string(here).unwrap(),
        std::fs::read_to_string(there).unwrap(),
    );
    assert!(here == there, "local and remote outputs differ");
    let mut reader = csv::Reader::from_reader(here.as_bytes());
    let mut found = BTreeSet::new();
    let mut clean = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let (reference, entity) = (&row[0], &row[2]);
        if let Some(i) = reference.strip_prefix("exact-") {
            let i: usize = i.parse().unwrap();
            if entity == names[i].0 {
                found.insert(i);
            }
        }
        if reference.starts_with("clean-") {
            assert_eq!(&row[7], "none", "{row:?}");
            clean += 1;
        }
    }
    assert_eq!(clean, 3);
    let missed: Vec<&str> = (0..names.len())
        .filter(|i| !found.contains(i))
        .map(|i| names[i].1.as_str())
        .collect();
    assert!(
        missed.is_empty(),
        "seed names not finding themselves: {missed:?}"
    );
}

/// CSV and JSON Lines give the same hits; bad rows are reported with their line and skipped;
/// the exit status says whether anything was found; unusable input or options exit 2 with a
/// message, before any data is loaded.
#[tokio::test]
async fn formats_bad_rows_and_exit_statuses() {
    let server = spawn_server(|_| {}).await;
    let address = format!("http://{}", server.addr);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        path(&p)
    };
    let csv_in = write(
        "book.csv",
        "reference,name,type,countries,identifiers\n\
         s-1,Hangzhou Hikvision Digital Technology,organization,CN,\n\
         s-2,,person,,\n\
         s-3,Kharon,robot,,\n\
         s-4,Nordic Timber AS,,NO,\n\
         s-5,CloudWalk Technology,organisation,China,\n\
         s-6,Acme, Inc.,,,\n\
         s-7,Zhejiang Example Trading,,,uscc:91330000733796106P\n",
    );
    let json_in = write(
        "book.jsonl",
        "{\"reference\": \"s-1\", \"name\": \"Hangzhou Hikvision Digital Technology\", \
         \"type\": \"organization\", \"countries\": [\"CN\"]}\n\
         {\"reference\": \"s-2\", \"name\": \"\", \"type\": \"person\"}\n\
         {\"reference\": \"s-3\", \"name\": \"Kharon\", \"type\": \"robot\"}\n\
         {\"reference\": \"s-4\", \"name\": \"Nordic Timber AS\", \"countries\": \"NO\"}\n\
         {\"reference\": \"s-5\", \"name\": \"CloudWalk Technology\", \"countries\": [\"China\"]}\n\
         this line is not JSON\n\
         {\"reference\": \"s-7\", \"name\": \"Zhejiang Example Trading\", \
         \"identifiers\": [{\"type\": \"uscc\", \"value\": \"91330000733796106P\"}]}\n",
    );
    let csv_out = dir.path().join("hits.csv");
    let json_out = dir.path().join("hits.jsonl");
    let (status, stderr) = screen(args(&[
        "--input",
        &csv_in,
        "--output",
        &path(&csv_out),
        "--server",
        &address,
    ]))
    .await;
    assert_eq!(status, 1, "{stderr}");
    for line in [
        "line 3 (reference s-2)",
        "line 4 (reference s-3)",
        "line 7 (reference s-6)",
    ] {
        assert!(stderr.contains(line), "{line} not reported:\n{stderr}");
    }
    assert!(stderr.contains("3 rows rejected"), "{stderr}");
    let (status, stderr) = screen(args(&[
        "--input",
        &json_in,
        "--output",
        &path(&json_out),
        "--server",
        &address,
    ]))
    .await;
    assert_eq!(status, 1, "{stderr}");
    assert!(
        stderr.contains("line 6 (reference 6): skipped: not JSON"),
        "{stderr}"
    );

    // The same hits either way: (reference, entity, score).
    let mut from_csv = Vec::new();
    for row in csv::Reader::from_path(&csv_out).unwrap().records() {
        let row = row.unwrap();
        from_csv.push((row[0].to_string(), row[2].to_string(), row[6].to_string()));
    }
    let mut from_json = Vec::new();
    for line in std::fs::read_to_string(&json_out).unwrap().lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        from_json.push((
            row["reference"].as_str().unwrap().to_string(),
            row["entity_id"].as_str().unwrap().to_string(),
            format!("{:.4}", row["score"].as_f64().unwrap()),
        ));
    }
    assert_eq!(from_csv, from_json);
    let references: BTreeSet<&str> = from_csv.iter().map(|r| r.0.as_str()).collect();
    // s-7 only by its identifier (Hikvision's USCC), under another name.
    assert_eq!(
        references,
        BTreeSet::from(["s-1", "s-5", "s-7"]),
        "{from_csv:?}"
    );

    // Nothing found: exit 0.
    let clean = write(
        "clean.csv",
        "reference,name\n1,Nordic Timber AS\n2,Lakeside Dental Clinic\n",
    );
    let (status, stderr) = screen(args(&["--input", &clean, "--server", &address])).await;
    assert_eq!(status, 0, "{stderr}");

    // Unusable input or options: exit 2 with a message.
    let unnamed = write("unnamed.csv", "reference,company\n1,Acme\n");
    let odd = write("book.xlsx", "");
    let missing = path(&dir.path().join("missing.csv"));
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    for (case, fragment) in [
        (vec!["--input", &missing], "cannot read"),
        (vec!["--input", &unnamed], "no \"name\" column"),
        (vec!["--input", &odd], "cannot tell the format"),
        (
            vec!["--input", &clean, "--threshold", "1.5"],
            "outside 0..1",
        ),
        (vec!["--input", &clean, "--limit", "0"], "outside 1..100"),
        (
            vec![
                "--input",
                &clean,
                "--source",
                "csl-csv=/nonexistent/csl.csv",
            ],
            "cannot read /nonexistent/csl.csv",
        ),
        (
            vec![
                "--input", &clean, "--server", &address, "--lists", "XX-NOPE",
            ],
            "XX-NOPE",
        ),
        (
            vec![
                "--input",
                &clean,
                "--server",
                &address,
                "--source",
                "native=seeds",
            ],
            "do not apply with --server",
        ),
        (
            vec!["--input", &clean, "--server", &closed],
            "cannot reach the service",
        ),
    ] {
        let (status, stderr) = screen(args(&case)).await;
        assert_eq!(status, 2, "{case:?}: {stderr}");
        assert!(
            stderr.contains(fragment),
            "{case:?}: {fragment:?} not in {stderr}"
        );
    }
}

/// Through a service that requires client certificates: with `--tls-ca`, `--tls-cert` and
/// `--tls-key` the file is screened; without the client certificate the run exits 2.
#[tokio::test]
async fn a_file_screened_through_mutual_tls() {
    use crate::ops::{listener, serving, start, tls_file};
    use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
    let grpc = listener().await;
    let port = grpc.local_addr().unwrap().port();
    let _server = start(
        watchlist::server::Listeners {
            grpc,
            admin: None,
            metrics: None,
        },
        |s| {
            s.tls = Some(watchlist::server::TlsFiles {
                cert: tls_file("server.pem"),
                key: tls_file("server.key"),
                client_ca: Some(tls_file("ca.pem")),
            })
        },
    );
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(
            std::fs::read(tls_file("ca.pem")).unwrap(),
        ))
        .identity(Identity::from_pem(
            std::fs::read(tls_file("client.pem")).unwrap(),
            std::fs::read(tls_file("client.key")).unwrap(),
        ))
        .domain_name("localhost");
    let channel = Channel::from_shared(format!("https://localhost:{port}"))
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect_lazy();
    serving(&channel).await;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("book.csv");
    std::fs::write(&input, "reference,name\n1,Kharon\n").unwrap();
    let server = format!("https://localhost:{port}");
    let (ca, cert, key) = (
        path(&tls_file("ca.pem")),
        path(&tls_file("client.pem")),
        path(&tls_file("client.key")),
    );
    let input = path(&input);
    let (status, stderr) = screen(args(&[
        "--input",
        &input,
        "--server",
        &server,
        "--tls-ca",
        &ca,
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
    ]))
    .await;
    assert_eq!(status, 1, "{stderr}");
    let (status, stderr) = screen(args(&[
        "--input", &input, "--server", &server, "--tls-ca", &ca,
    ]))
    .await;
    assert_eq!(status, 2, "{stderr}");
}
