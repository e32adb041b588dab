//! `watchlist check FILE --format F`: parses a list file as the service would and reports what
//! it holds and what it rejected, for people preparing data. Exit status 0: clean; 1: some
//! records rejected; 2: the file is unusable.
//!
//! `watchlist check-xref --source FORMAT=PATH ...`: what the cross-reference of Chinese names
//! (`core/enrich.rs`) does to those files, for people reviewing the table. Exit status 0: every
//! row well formed and no name ambiguous; 1: some are not; 2: a file or the table is unusable.

use crate::config::{CheckArgs, CheckXrefArgs};
use crate::core::enrich::{self, CrossReference};
use crate::core::import::{Format, Imported};
use crate::core::matching::text;
use crate::core::model::{Entity, EntityType};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

pub fn run(args: &CheckArgs) -> ExitCode {
    let started = Instant::now();
    let imported = match crate::feeds::files::read_path(args.format, &args.file) {
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

pub fn run_xref(args: &CheckXrefArgs) -> ExitCode {
    let loaded;
    let (table, table_name): (&CrossReference, String) = match &args.table {
        None => (enrich::builtin(), "the built-in cross-reference".into()),
        Some(path) => {
            let parsed = std::fs::read_to_string(path)
                .map_err(|e| e.to_string())
                .and_then(|text| CrossReference::parse(&text));
            match parsed {
                Ok(t) => {
                    loaded = t;
                    (&loaded, path.display().to_string())
                }
                Err(e) => {
                    eprintln!("{}: unusable as a cross-reference: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
        }
    };
    let mut files: Vec<(String, Format, Imported)> = Vec::new();
    for flag in &args.sources {
        let parsed = flag
            .split_once('=')
            .ok_or_else(|| format!("--source {flag:?} must be FORMAT=PATH, e.g. csl-csv=csl.csv"));
        let (format, path) = match parsed.and_then(|(f, p)| Ok((f.parse::<Format>()?, p))) {
            Ok(found) => found,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        };
        match crate::feeds::files::read_path(format, Path::new(path)) {
            Ok(imported) => files.push((path.to_string(), format, imported)),
            Err(e) => {
                eprintln!("{path}: unusable as {format}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let rows = table.rows();
    println!(
        "{table_name}: {} rows, {} malformed, {} ambiguous names",
        rows.len(),
        table.malformed().len(),
        table.ambiguous().count()
    );
    let mut matched: Vec<Vec<String>> = vec![Vec::new(); rows.len()];
    let mut ambiguous: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // By id: the same record in two files is one entity.
    let mut conflicts: BTreeMap<String, String> = BTreeMap::new();
    for (path, format, imported) in &files {
        let entities = imported.lists.iter().flat_map(|(_, e)| e);
        let audit = table.audit(entities.clone());
        let gaining = entities
            .clone()
            .filter(|e| table.enrich(&mut (*e).clone()) > 0)
            .count();
        println!(
            "{path} ({format}): {} entities; {} rows match one, {gaining} entities gain Chinese names",
            imported.entity_count(),
            audit.matched.iter().filter(|ids| !ids.is_empty()).count(),
        );
        println!("  organisations based in CN/HK/MO with a Chinese name (before → after):");
        for (meta, list) in &imported.lists {
            let mut based: Vec<Entity> = list.iter().filter(|e| chinese_org(e)).cloned().collect();
            if based.is_empty() {
                continue;
            }
            let before = based.iter().filter(|e| has_chinese(e)).count();
            for entity in &mut based {
                table.enrich(entity);
            }
            let after = based.iter().filter(|e| has_chinese(e)).count();
            println!(
                "    {:<16} {before:>5} → {after:>5} of {:>5} ({:.0} %)",
                meta.code,
                based.len(),
                100.0 * after as f64 / based.len() as f64
            );
        }
        for (all, found) in matched.iter_mut().zip(audit.matched) {
            all.extend(found);
        }
        for (id, applied) in audit.conflicts {
            let applied: Vec<String> = applied
                .iter()
                .map(|&i| format!("line {}", rows[i].line))
                .collect();
            let applied = if applied.is_empty() {
                "none".to_string()
            } else {
                applied.join(", ")
            };
            conflicts.insert(
                id.clone(),
                format!(
                    "{id} has names matching rows with different Chinese names; applied: {applied}"
                ),
            );
        }
        for (name, ids) in audit.ambiguous {
            ambiguous.entry(name).or_default().extend(ids);
        }
    }
    // The same record in two files (NS-CMIC is in both the CSL and OFAC's consolidated list)
    // has one id: it is one entity.
    for ids in &mut matched {
        ids.sort_unstable();
        ids.dedup();
    }
    let none: Vec<usize> = (0..rows.len()).filter(|&i| matched[i].is_empty()).collect();
    let several: Vec<usize> = (0..rows.len()).filter(|&i| matched[i].len() > 1).collect();
    println!(
        "rows matching an entity in the files given: {} of {} ({} match several)",
        rows.len() - none.len(),
        rows.len(),
        several.len()
    );
    let show = |what: &str, lines: Vec<String>| {
        for line in lines.iter().take(args.show) {
            println!("{what}: {line}");
        }
        if lines.len() > args.show {
            println!(
                "... {} more {what} rows not shown (--show N)",
                lines.len() - args.show
            );
        }
    };
    show(
        "malformed",
        table
            .malformed()
            .iter()
            .map(|m| format!("line {}: {}", m.line, m.reason))
            .collect(),
    );
    show(
        "ambiguous",
        table
            .ambiguous()
            .map(|(name, claims)| {
                let claims: Vec<String> = claims
                    .iter()
                    .map(|r| format!("line {} {}", r.line, r.zh))
                    .collect();
                let carried = ambiguous.get(name).map_or(0, Vec::len);
                format!(
                    "{name:?} is claimed by {}; applied to none of the {carried} entities carrying it",
                    claims.join(", ")
                )
            })
            .collect(),
    );
    show("conflict", conflicts.into_values().collect());
    show(
        "no entity",
        none.iter()
            .map(|&i| format!("line {}: {}", rows[i].line, rows[i].name))
            .collect(),
    );
    show(
        "several",
        several
            .iter()
            .map(|&i| {
                format!(
                    "line {}: {} → {}",
                    rows[i].line,
                    rows[i].name,
                    matched[i].join(", ")
                )
            })
            .collect(),
    );
    if table.malformed().is_empty() && table.ambiguous().next().is_none() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// An organisation (or a party of unknown type) based in mainland China, Hong Kong or Macau.
fn chinese_org(entity: &Entity) -> bool {
    matches!(entity.kind, EntityType::Organization | EntityType::Unknown)
        && entity
            .countries
            .iter()
            .any(|c| matches!(c.as_str(), "CN" | "HK" | "MO"))
}

fn has_chinese(entity: &Entity) -> bool {
    entity
        .names()
        .any(|(_, name)| name.chars().any(text::is_han))
}
