//! The Grafana dashboard in `deploy/grafana/` queries only what the service exports: every
//! metric its queries name, and every label they select or group by, is read from a live
//! `/metrics` after the server has screened, streamed, written and ended a subscription.

use crate::admin::entity;
use crate::ops::{scrape, with_metrics};
use crate::support::authed;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use watchlist::proto::v1::{
    admin_client::AdminClient, changes_client::ChangesClient, screening_client::ScreeningClient,
    ScreenRequest, SubscribeRequest, UpsertEntitiesRequest,
};

/// Labels every Prometheus server adds to what it scrapes, and the histogram bucket label.
const ADDED_BY_PROMETHEUS: [&str; 2] = ["instance", "job"];

/// Sample names of an exposition, each with the label names seen on it.
fn exported(text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut metrics: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (name, rest) = match line.find(['{', ' ']) {
            Some(i) => line.split_at(i),
            None => continue,
        };
        let labels = metrics.entry(name.to_string()).or_default();
        if let Some(inner) = rest.strip_prefix('{').and_then(|r| r.split_once('}')) {
            for pair in inner.0.split(',') {
                if let Some((label, _)) = pair.split_once('=') {
                    labels.insert(label.trim().to_string());
                }
            }
        }
    }
    metrics
}

/// Every query string of the dashboard: panel targets and template variables.
fn queries(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("expr" | "definition", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => queries(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| queries(v, out)),
        _ => {}
    }
}

/// What one PromQL expression reads: metric names, the labels matched on each, and the
/// labels of `by`, `without`, `on`, `ignoring` and of `label_values(metric, label)`.
struct Reads {
    metrics: Vec<String>,
    matched: Vec<(String, String)>,
    grouped: Vec<String>,
}

fn reads(expr: &str) -> Reads {
    let chars: Vec<char> = expr.chars().collect();
    let mut reads = Reads {
        metrics: Vec::new(),
        matched: Vec::new(),
        grouped: Vec::new(),
    };
    let mut i = 0;
    let mut last_word = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            // A string: skip it.
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += 1 + usize::from(chars[i] == '\\');
            }
            i += 1;
        } else if c == '[' {
            while i < chars.len() && chars[i] != ']' {
                i += 1;
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if word.starts_with("watchlist_") {
                reads.metrics.push(word.clone());
                if chars.get(i) == Some(&'{') {
                    let end = chars[i..].iter().position(|&c| c == '}').unwrap() + i;
                    let inner: String = chars[i + 1..end].iter().collect();
                    for matcher in inner.split(',') {
                        let label: String = matcher
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        reads.matched.push((word.clone(), label.trim().to_string()));
                    }
                    i = end + 1;
                }
            } else if word == "label_values" {
                let end = chars[i..].iter().position(|&c| c == ')').unwrap() + i;
                let inner: String = chars[i + 1..end].iter().collect();
                let (metric, label) = inner.split_once(',').unwrap();
                reads.metrics.push(metric.trim().to_string());
                reads.grouped.push(label.trim().to_string());
                i = end + 1;
            }
            last_word = word;
        } else if c == '(' && ["by", "without", "on", "ignoring"].contains(&last_word.as_str()) {
            let end = chars[i..].iter().position(|&c| c == ')').unwrap() + i;
            let inner: String = chars[i + 1..end].iter().collect();
            reads
                .grouped
                .extend(inner.split(',').map(|l| l.trim().to_string()));
            last_word.clear();
            i = end + 1;
        } else {
            if !c.is_whitespace() {
                last_word.clear();
            }
            i += 1;
        }
    }
    reads
}

#[tokio::test]
async fn the_dashboard_reads_only_what_the_service_exports() {
    let (_server, channel, metrics_addr) = with_metrics().await;

    // Every path that fills a labelled metric: both screening RPCs (a hit, no hit, an error),
    // an admin write, a subscription that the client ends.
    let mut screening = ScreeningClient::new(channel.clone());
    for name in ["Kharon", "Lakeside Dental Clinic", ""] {
        let _ = screening
            .screen(ScreenRequest {
                name: name.into(),
                ..Default::default()
            })
            .await;
    }
    let streamed = screening
        .screen_stream(tokio_stream::iter(vec![ScreenRequest {
            name: "CloudWalk Technology".into(),
            ..Default::default()
        }]))
        .await
        .unwrap()
        .into_inner();
    drop(streamed);
    let mut subscription = ChangesClient::new(channel.clone())
        .subscribe(SubscribeRequest::default())
        .await
        .unwrap()
        .into_inner();
    AdminClient::new(channel.clone())
        .upsert_entities(authed(UpsertEntitiesRequest {
            entities: vec![entity(
                "TEST:dashboard",
                "Zyxwv Dashboard Trading",
                "CN-MOFCOM-UEL",
            )],
        }))
        .await
        .unwrap();
    let _ = subscription.message().await;
    drop(subscription);

    let mut text = String::new();
    for _ in 0..200 {
        text = scrape(metrics_addr).await;
        if text.contains("watchlist_subscriber_disconnects_total{") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let exported = exported(&text);

    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/grafana/watchlist.json");
    let dashboard: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut exprs = Vec::new();
    queries(&dashboard, &mut exprs);
    assert!(
        exprs.len() >= 12,
        "{} queries in the dashboard",
        exprs.len()
    );
    let mut problems = Vec::new();
    let mut used = BTreeSet::new();
    for expr in &exprs {
        let reads = reads(expr);
        if reads.metrics.is_empty() {
            problems.push(format!("{expr}: reads no watchlist metric"));
        }
        let mut labels: BTreeSet<&str> = BTreeSet::new();
        for metric in &reads.metrics {
            used.insert(metric.clone());
            match exported.get(metric) {
                None => problems.push(format!("{expr}: {metric} is not exported")),
                Some(l) => labels.extend(l.iter().map(String::as_str)),
            }
        }
        for (metric, label) in &reads.matched {
            let known = exported.get(metric).is_some_and(|l| l.contains(label));
            if !known && !ADDED_BY_PROMETHEUS.contains(&label.as_str()) {
                problems.push(format!("{expr}: {metric} has no label {label}"));
            }
        }
        for label in &reads.grouped {
            if !labels.contains(label.as_str()) && !ADDED_BY_PROMETHEUS.contains(&label.as_str()) {
                problems.push(format!("{expr}: no metric it reads has the label {label}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{problems:#?}\nexported: {exported:#?}"
    );
    // And the dashboard shows every family the service exports.
    let families: BTreeSet<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let unshown: Vec<&&str> = families
        .iter()
        .filter(|family| !used.iter().any(|m| m.starts_with(**family)))
        .collect();
    assert!(
        unshown.is_empty(),
        "metrics the dashboard does not show: {unshown:?}"
    );
}
