//! Writing the hits: CSV or JSON Lines, one row per hit (and, with `--all`, one per party
//! without a hit or rejected), in the order of the input.

use super::input::{Party, Rejected};
use crate::config::FileFormat;
use crate::proto::v1 as pb;
use serde_json::{json, Map, Value};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// The columns of the CSV output, and the keys of the JSON output.
const COLUMNS: [&str; 12] = [
    "reference",
    "name",
    "entity_id",
    "entity_name",
    "list",
    "imposed_by",
    "score",
    "band",
    "matched_name",
    "matched_kind",
    "features",
    "error",
];

/// An output file being written.
pub struct Writer {
    sink: Sink,
    all: bool,
    /// Rows written, header excluded.
    pub rows: u64,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").field("rows", &self.rows).finish()
    }
}

enum Sink {
    Csv(Box<csv::Writer<Box<dyn Write>>>),
    Jsonl(BufWriter<Box<dyn Write>>),
}

impl Writer {
    /// Creates `path` (`-`: stdout); CSV gets its header row.
    pub fn create(path: &Path, format: FileFormat, all: bool) -> Result<Writer, String> {
        let out: Box<dyn Write> = if path == Path::new("-") {
            Box::new(std::io::stdout())
        } else {
            Box::new(
                File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?,
            )
        };
        let sink = match format {
            FileFormat::Csv => {
                let mut writer = csv::WriterBuilder::new()
                    .buffer_capacity(1 << 16)
                    .from_writer(out);
                writer
                    .write_record(COLUMNS)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                Sink::Csv(Box::new(writer))
            }
            FileFormat::Jsonl => Sink::Jsonl(BufWriter::with_capacity(1 << 16, out)),
        };
        Ok(Writer { sink, all, rows: 0 })
    }

    /// The rows of one screened party: one per match, or one "none" row with `--all`.
    pub fn screened(&mut self, party: &Party, matches: &[pb::Match]) -> std::io::Result<()> {
        if matches.is_empty() && self.all {
            return self.row(&party.reference, &party.name, None, "none", "");
        }
        for m in matches {
            self.row(&party.reference, &party.name, Some(m), &m.band, "")?;
        }
        Ok(())
    }

    /// A rejected row, written only with `--all`.
    pub fn rejected(&mut self, rejected: &Rejected) -> std::io::Result<()> {
        if !self.all {
            return Ok(());
        }
        let reason = format!("line {}: {}", rejected.line, rejected.reason);
        self.row(
            &rejected.reference,
            &rejected.name,
            None,
            "rejected",
            &reason,
        )
    }

    fn row(
        &mut self,
        reference: &str,
        name: &str,
        hit: Option<&pb::Match>,
        band: &str,
        error: &str,
    ) -> std::io::Result<()> {
        self.rows += 1;
        let entity = hit.and_then(|m| m.entity.as_ref());
        let listings = |f: fn(&pb::Listing) -> &str| -> String {
            entity.map_or(String::new(), |e| {
                e.listings.iter().map(f).collect::<Vec<_>>().join(";")
            })
        };
        let list = listings(|l| &l.list_code);
        let imposed_by = listings(|l| &l.imposing_country);
        match &mut self.sink {
            Sink::Csv(writer) => {
                let score = hit.map_or(String::new(), |m| format!("{:.4}", m.score));
                let features = hit.map_or(String::new(), |m| {
                    m.features
                        .iter()
                        .map(|f| format!("{}={}", f.name, f.value))
                        .collect::<Vec<_>>()
                        .join(";")
                });
                writer.write_record([
                    reference,
                    name,
                    entity.map_or("", |e| &e.id),
                    entity.map_or("", |e| &e.primary_name),
                    &list,
                    &imposed_by,
                    &score,
                    band,
                    hit.map_or("", |m| &m.matched_name),
                    hit.map_or("", |m| &m.matched_name_kind),
                    &features,
                    error,
                ])?;
                Ok(())
            }
            Sink::Jsonl(out) => {
                let mut row = Map::new();
                row.insert("reference".into(), json!(reference));
                row.insert("name".into(), json!(name));
                if let (Some(m), Some(e)) = (hit, entity) {
                    row.insert("entity_id".into(), json!(e.id));
                    row.insert("entity_name".into(), json!(e.primary_name));
                    row.insert("list".into(), json!(list));
                    row.insert("imposed_by".into(), json!(imposed_by));
                    row.insert("score".into(), json!(m.score));
                    row.insert("band".into(), json!(band));
                    row.insert("matched_name".into(), json!(m.matched_name));
                    row.insert("matched_kind".into(), json!(m.matched_name_kind));
                    let features: Map<String, Value> = m
                        .features
                        .iter()
                        .map(|f| (f.name.clone(), json!(f.value)))
                        .collect();
                    row.insert("features".into(), Value::Object(features));
                } else {
                    row.insert("band".into(), json!(band));
                }
                if !error.is_empty() {
                    row.insert("error".into(), json!(error));
                }
                serde_json::to_writer(&mut *out, &Value::Object(row))?;
                out.write_all(b"\n")
            }
        }
    }

    /// Flushes everything written.
    pub fn finish(self) -> std::io::Result<()> {
        match self.sink {
            Sink::Csv(mut writer) => writer.flush(),
            Sink::Jsonl(mut out) => out.flush(),
        }
    }
}
