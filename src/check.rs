//! `watchlist check FILE --format F`: parses a list file as the service would and reports what
//! it holds and what it rejected, for people preparing data. Exit status 0: clean; 1: some
//! records rejected; 2: the file is unusable.

use crate::config::CheckArgs;
use crate::core::import;
use std::process::ExitCode;
use std::time::Instant;

pub fn run(args: &CheckArgs) -> ExitCode {
    let started = Instant::now();
    let imported = match import::read_path(args.format, &args.file) {
        Ok(imported) => imported,
        Err(e) => {
            eprintln!("{}: unusable as {}: {e}", args.file.display(), args.format);
            return ExitCode::from(2);
        }
    };
    println!(
        "{} ({}): {} records read, {} entities accepted, {} rejected, {} warnings, in {:.0?}",
        args.file.display(),
        args.format,
        imported.records,
        imported.entity_count(),
        imported.rejected.len(),
        imported.warnings.len(),
        started.elapsed()
    );
    if let Some(declared) = imported.declared {
        println!("the file declares {declared} records");
    }
    if !imported.issued.is_empty() {
        println!("issued {}", imported.issued);
    }
    for (meta, entities) in &imported.lists {
        println!("  {:<16} {:>7}  {}", meta.code, entities.len(), meta.name);
    }
    for rejected in imported.rejected.iter().take(args.show) {
        println!("rejected: {rejected}");
    }
    for warning in imported.warnings.iter().take(args.show) {
        println!("warning: {warning}");
    }
    let hidden = imported.rejected.len().saturating_sub(args.show)
        + imported.warnings.len().saturating_sub(args.show);
    if hidden > 0 {
        println!("... {hidden} more not shown (--show N)");
    }
    if imported.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
