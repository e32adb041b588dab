//! `watchlist screen --input FILE --output FILE`: screens every party of a CSV or JSON Lines
//! file, here (the same sources, engine and scores as `serve`) or through a running service's
//! `ScreenStream`, and writes one row per hit in the order of the input.
//!
//! The input is read a chunk at a time, so memory stays flat however long the file; a bad row
//! is reported with its line and skipped. Exit status: 0 no hit at or above the threshold,
//! 1 hits found, 2 the input, the options, the data or the server was unusable.

mod input;
mod output;
mod progress;
mod screener;

use crate::config::{FileFormat, ScreenArgs};
use input::{Item, Reader};
use output::Writer;
use progress::{thousands, Progress};
use screener::{Answer, Local, Options, Remote, Served, Tls};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// Parties read and screened at a time: large enough to keep every thread busy, small enough
/// that progress moves and memory stays flat.
const CHUNK: usize = 4096;
/// Rejected rows printed with their reason (all are counted).
const SHOW_REJECTED: u64 = 20;

/// What a run did, for the summary and the exit status.
#[derive(Debug, Default)]
struct Tally {
    read: u64,
    screened: u64,
    rejected: u64,
    with_hits: u64,
    strong: u64,
    review: u64,
    weak: u64,
}

/// Runs `watchlist screen`; returns the exit status.
pub async fn run(args: &ScreenArgs) -> ExitCode {
    match execute(args).await {
        Ok(tally) if tally.with_hits > 0 => ExitCode::from(1),
        Ok(_) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("watchlist screen: {message}");
            ExitCode::from(2)
        }
    }
}

enum Screener {
    Local(Local),
    Remote(Box<Remote>),
}

impl Screener {
    async fn screen(
        &mut self,
        parties: &[&input::Party],
        options: &Options,
    ) -> Result<Vec<Answer>, String> {
        match self {
            Screener::Local(local) => Ok(local.screen(parties, options)),
            Screener::Remote(remote) => remote.screen(parties, options).await,
        }
    }
}

async fn execute(args: &ScreenArgs) -> Result<Tally, String> {
    let started = Instant::now();
    if let Some(t) = args.threshold {
        if !(0.0..=1.0).contains(&t) {
            return Err(format!("--threshold {t} is outside 0..1"));
        }
    }
    if !(1..=100).contains(&args.limit) {
        return Err(format!("--limit {} is outside 1..100", args.limit));
    }
    if args.server.is_some() && args.data.given() {
        return Err(
            "--source and --config do not apply with --server: the service screens \
                    against its own data"
                .into(),
        );
    }
    let input_format = pick_format(&args.input, args.input_format, "--input-format")?;
    let output_format = match args.output_format {
        Some(format) => format,
        None if args.output == Path::new("-") => FileFormat::Csv,
        None => pick_format(&args.output, None, "--output-format")?,
    };
    let options = Options {
        threshold: args.threshold,
        limit: args.limit,
        lists: args.lists.iter().map(|l| l.trim().to_string()).collect(),
        imposed_by: args
            .imposed_by
            .iter()
            .map(|c| c.trim().to_ascii_uppercase())
            .collect(),
    };
    // Everything about the input and the options is checked before the data is loaded.
    let mut reader = Reader::open(&args.input, input_format)?;
    let (mut screener, served) = match &args.server {
        Some(address) => {
            let tls = Tls {
                ca: args.tls_ca.clone(),
                domain: args.tls_domain.clone(),
                cert: args.tls_cert.clone(),
                key: args.tls_key.clone(),
            };
            let remote = Remote::connect(address, &tls, &options).await?;
            let served = remote.served();
            (Screener::Remote(Box::new(remote)), served)
        }
        None => {
            let threshold = args
                .threshold
                .unwrap_or(crate::core::query::DEFAULT_THRESHOLD);
            let (local, description) = Local::load(&args.data, threshold, args.threads).await?;
            local.check(&options)?;
            let served = local.served(description);
            (Screener::Local(local), served)
        }
    };
    let loaded = started.elapsed();
    let mut writer = Writer::create(&args.output, output_format, args.all)?;
    let mut progress = Progress::new(reader.size(), !args.no_progress);
    let mut tally = Tally::default();
    let screening = Instant::now();
    let write_error = |e: std::io::Error| format!("cannot write {}: {e}", args.output.display());
    loop {
        let mut chunk: Vec<Item> = Vec::with_capacity(CHUNK);
        while chunk.len() < CHUNK {
            match reader.next_item() {
                None => break,
                Some(item) => chunk.push(item?),
            }
        }
        if chunk.is_empty() {
            break;
        }
        let parties: Vec<&input::Party> = chunk.iter().filter_map(|i| i.as_ref().ok()).collect();
        let mut answers = screener.screen(&parties, &options).await?.into_iter();
        for item in &chunk {
            tally.read += 1;
            let rejected = match item {
                Err(rejected) => rejected.clone(),
                Ok(party) => match answers.next().unwrap_or_else(|| Err("not screened".into())) {
                    Ok(matches) => {
                        tally.screened += 1;
                        tally.with_hits += u64::from(!matches.is_empty());
                        for m in &matches {
                            match m.band.as_str() {
                                "strong" => tally.strong += 1,
                                "review" => tally.review += 1,
                                _ => tally.weak += 1,
                            }
                        }
                        writer.screened(party, &matches).map_err(write_error)?;
                        continue;
                    }
                    Err(reason) => input::Rejected {
                        line: party.line,
                        reference: party.reference.clone(),
                        name: party.name.clone(),
                        reason,
                    },
                },
            };
            tally.rejected += 1;
            if tally.rejected <= SHOW_REJECTED {
                progress.say(&format!(
                    "line {} (reference {}): skipped: {}",
                    rejected.line, rejected.reference, rejected.reason
                ));
            }
            writer.rejected(&rejected).map_err(write_error)?;
        }
        progress.update(reader.position(), tally.screened, tally.with_hits);
    }
    progress.finish();
    let rows = writer.rows;
    writer.finish().map_err(write_error)?;
    summarise(&tally, &served, rows, loaded, screening.elapsed(), args);
    Ok(tally)
}

fn pick_format(path: &Path, given: Option<FileFormat>, flag: &str) -> Result<FileFormat, String> {
    given.or_else(|| input::format_of(path)).ok_or_else(|| {
        format!(
            "cannot tell the format of {} from its extension: name it .csv or .jsonl, or give \
             {flag} csv|jsonl",
            path.display()
        )
    })
}

fn summarise(
    tally: &Tally,
    served: &Served,
    rows: u64,
    loaded: std::time::Duration,
    screening: std::time::Duration,
    args: &ScreenArgs,
) {
    let seconds = screening.as_secs_f64().max(1e-9);
    eprintln!(
        "screened {} of {} names in {:.2} s ({} names/s) against {} at sequence {} ({}); \
         ready in {:.2} s",
        thousands(tally.screened),
        thousands(tally.read),
        seconds,
        thousands((tally.screened as f64 / seconds) as u64),
        served.description,
        served.sequence,
        served.algorithm_version,
        loaded.as_secs_f64(),
    );
    eprintln!(
        "{} names with a hit at or above the threshold; hits by band: {} strong, {} review, {} weak",
        thousands(tally.with_hits),
        thousands(tally.strong),
        thousands(tally.review),
        thousands(tally.weak),
    );
    if tally.rejected > 0 {
        eprintln!(
            "{} {} rejected{}",
            thousands(tally.rejected),
            if tally.rejected == 1 { "row" } else { "rows" },
            if tally.rejected > SHOW_REJECTED {
                format!(" (the first {SHOW_REJECTED} are shown above)")
            } else {
                " (shown above)".to_string()
            }
        );
    }
    eprintln!(
        "{} rows written to {}",
        thousands(rows),
        args.output.display()
    );
}
