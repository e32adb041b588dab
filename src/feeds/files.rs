//! Reading sources from disk: a directory of native list files (the seeds), or one file of
//! any format with the sibling files its format reads beside it. The importers in
//! `core::import` and `core::native` only ever see bytes; every file system access is here.

use crate::core::import::{parse, Format, Imported, Input, Siblings};
use crate::core::native::{self, Loaded, Rejected};
use crate::core::{Error, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Reads a source that is a directory of native files (the seeds) or one file of any format.
pub fn read_path(format: Format, path: &Path) -> Result<Imported> {
    if format == Format::Native && path.is_dir() {
        let mut out = Imported::default();
        for (file, loaded) in load_dir(path)? {
            match loaded {
                Ok(l) => {
                    out.records += l.entities.len() + l.rejected.len();
                    out.rejected.extend(l.rejected);
                    out.warnings.extend(l.warnings);
                    out.lists.push((l.meta, l.entities));
                }
                Err(e) => out.rejected.push(Rejected {
                    file,
                    line: 0,
                    reason: format!("the whole file was rejected: {e}"),
                }),
            }
        }
        out.lists.sort_by(|a, b| a.0.code.cmp(&b.0.code));
        return Ok(out);
    }
    let (main, siblings) = read_files(format, path)?;
    parse(
        format,
        &Input {
            path,
            main: &main,
            siblings: &siblings,
        },
    )
}

/// The bytes of a file and of the siblings its format reads beside it that exist.
pub fn read_files(format: Format, path: &Path) -> Result<(Vec<u8>, Siblings)> {
    let main = read_file(path)?;
    let mut siblings = HashMap::new();
    for (sibling, p) in sibling_paths(format, path) {
        siblings.insert(sibling, read_file(&p)?);
    }
    Ok((main, siblings))
}

/// The siblings `format` reads beside the file at `path` that exist: name and path.
pub fn sibling_paths(format: Format, path: &Path) -> Vec<(String, PathBuf)> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format
        .siblings(&name)
        .into_iter()
        .map(|sibling| {
            let p = dir.join(&sibling);
            (sibling, p)
        })
        .filter(|(_, p)| p.exists())
        .collect()
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::NotFound(format!("cannot read {}: {e}", path.display())))
}

/// Every `*.jsonl` file of a directory, in name order. Fails if the directory cannot be read.
pub fn load_dir(dir: &Path) -> Result<Vec<(PathBuf, Result<Loaded>)>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::NotFound(format!(
            "cannot read the seeds directory {}: {e}",
            dir.display()
        ))
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    Ok(files
        .into_iter()
        .map(|path| {
            let loaded = std::fs::read(&path)
                .map_err(|e| Error::Internal(format!("cannot read {}: {e}", path.display())))
                .and_then(|bytes| native::parse(&path, &bytes));
            (path, loaded)
        })
        .collect())
}
