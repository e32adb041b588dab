//! Reading a source's bytes: local files (and the seeds directory) compared by digest, URLs
//! fetched with conditional GETs (ETag / Last-Modified), and the on-disk cache of the last good
//! copy of each remote source.

use super::config::{Location, SourceSpec};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Largest file accepted from a URL (the full CSL CSV is about 17 MB, SDN.XML about 30 MB).
pub const MAX_DOWNLOAD: u64 = 512 * 1024 * 1024;

/// The bytes of one version of a source.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub main: Vec<u8>,
    pub siblings: HashMap<String, Vec<u8>>,
    pub etag: String,
    pub last_modified: String,
    /// SHA-256 (hex) over every file: equal digests, equal content.
    pub digest: String,
    /// When these bytes were fetched (for a cached copy: when it was first fetched).
    pub fetched_at: u64,
    /// For a local source, its files' stamp taken before they were read (`local_stamp`).
    pub stamp: String,
}

pub enum Fetched {
    /// The server says the copy we hold is current.
    NotModified,
    Body(Body),
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The files a local source reads: a directory's native files in name order, or a file and
/// the siblings its format reads beside it that exist.
fn local_files(spec: &SourceSpec, path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("cannot read the directory {}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        files.sort();
        return Ok(files);
    }
    let siblings = super::files::sibling_paths(spec.format, path);
    Ok(std::iter::once(path.to_path_buf())
        .chain(siblings.into_iter().map(|(_, p)| p))
        .collect())
}

/// A local source's files as seen from outside: each one's path, size and modification time.
/// A poll that finds the stamp it applied last skips reading and hashing the files (a large
/// source is hundreds of megabytes). Empty, so never equal, when a file cannot be read or was
/// modified in the last two seconds (a write within the clock's granularity could leave size
/// and time unchanged).
pub fn local_stamp(spec: &SourceSpec, path: &Path) -> String {
    let recent = SystemTime::now() - Duration::from_secs(2);
    let mut stamp = String::new();
    for file in local_files(spec, path).unwrap_or_default() {
        let Ok(meta) = std::fs::metadata(&file) else {
            return String::new();
        };
        let Some(modified) = meta.modified().ok().filter(|m| *m < recent) else {
            return String::new();
        };
        let nanos = modified
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        stamp.push_str(&format!("{}\t{}\t{nanos}\n", file.display(), meta.len()));
    }
    stamp
}

/// Reads a local file (with its siblings) or a directory of native files.
pub fn read_local(spec: &SourceSpec, path: &Path) -> Result<Body, String> {
    let mut body = Body {
        fetched_at: now_secs(),
        // Before reading: a change made while reading shows in the next poll's stamp.
        stamp: local_stamp(spec, path),
        ..Body::default()
    };
    let mut hasher = Sha256::new();
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    if path.is_dir() {
        for file in local_files(spec, path)? {
            hasher.update(file.to_string_lossy().as_bytes());
            hasher.update(read(&file)?);
        }
    } else {
        (body.main, body.siblings) =
            super::files::read_files(spec.format, path).map_err(|e| e.to_string())?;
        hasher.update(&body.main);
        let mut names: Vec<&String> = body.siblings.keys().collect();
        names.sort();
        for name in names {
            hasher.update(name.as_bytes());
            hasher.update(&body.siblings[name]);
        }
    }
    body.digest = hex(&hasher.finalize());
    Ok(body)
}

/// Fetches a URL source, conditionally on the validators of the copy we hold. Siblings (OFAC
/// CSV) are fetched beside the main file when it changed; a missing sibling is skipped.
pub async fn fetch_url(
    client: &reqwest::Client,
    spec: &SourceSpec,
    url: &str,
    held: Option<&Body>,
) -> Result<Fetched, String> {
    let shown = spec.location.redacted();
    let mut request = client.get(url);
    if let Some(held) = held {
        if !held.etag.is_empty() {
            request = request.header(reqwest::header::IF_NONE_MATCH, &held.etag);
        }
        if !held.last_modified.is_empty() {
            request = request.header(reqwest::header::IF_MODIFIED_SINCE, &held.last_modified);
        }
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("GET {shown} failed: {}", error_chain(&e)))?;
    if response.status() == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(Fetched::NotModified);
    }
    if !response.status().is_success() {
        return Err(format!("GET {shown} answered {}", response.status()));
    }
    let header = |name: reqwest::header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (etag, last_modified) = (
        header(reqwest::header::ETAG),
        header(reqwest::header::LAST_MODIFIED),
    );
    let main = read_body(response, &shown).await?;
    let mut hasher = Sha256::new();
    hasher.update(&main);
    let mut siblings = HashMap::new();
    for sibling in spec.format.siblings(file_name(url)) {
        let sibling_url = format!(
            "{}{sibling}",
            &url[..url.len() - url.rsplit('/').next().unwrap_or("").len()]
        );
        let response = client
            .get(&sibling_url)
            .send()
            .await
            .map_err(|e| format!("GET {sibling} beside {shown} failed: {}", error_chain(&e)))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            continue;
        }
        if !response.status().is_success() {
            return Err(format!(
                "GET {sibling} beside {shown} answered {}",
                response.status()
            ));
        }
        let bytes = read_body(response, &sibling).await?;
        hasher.update(sibling.as_bytes());
        hasher.update(&bytes);
        siblings.insert(sibling, bytes);
    }
    Ok(Fetched::Body(Body {
        main,
        siblings,
        etag,
        last_modified,
        digest: hex(&hasher.finalize()),
        fetched_at: now_secs(),
        stamp: String::new(),
    }))
}

async fn read_body(mut response: reqwest::Response, shown: &str) -> Result<Vec<u8>, String> {
    if response.content_length().is_some_and(|n| n > MAX_DOWNLOAD) {
        return Err(format!(
            "{shown} is larger than the {MAX_DOWNLOAD}-byte limit"
        ));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("reading {shown} failed: {}", error_chain(&e)))?
    {
        body.extend_from_slice(&chunk);
        if body.len() as u64 > MAX_DOWNLOAD {
            return Err(format!(
                "{shown} is larger than the {MAX_DOWNLOAD}-byte limit"
            ));
        }
    }
    Ok(body)
}

/// An error with its causes, which transport errors (reqwest, tonic) keep out of their own
/// message.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The file name a URL ends in, without its query: what the format's siblings are named after.
pub fn file_name(url: &str) -> &str {
    let last = url.rsplit('/').next().unwrap_or("");
    last.split('?').next().unwrap_or("")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("watchlist/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        .timeout(Duration::from_secs(300))
        .build()
        .unwrap_or_default()
}

/// The cache of one remote source: `<cache_dir>/<id>/` holding `main`, `sibling.<name>` and
/// `meta.json` (validators, digest, fetch time).
pub struct Cache {
    dir: PathBuf,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
    location: String,
    etag: String,
    last_modified: String,
    digest: String,
    fetched_at: u64,
    siblings: Vec<String>,
}

impl Cache {
    pub fn new(cache_dir: &Path, spec: &SourceSpec) -> Option<Cache> {
        matches!(spec.location, Location::Url(_)).then(|| Cache {
            dir: cache_dir.join(&spec.id),
        })
    }

    /// The cached copy, if there is a whole one.
    pub fn load(&self) -> Option<Body> {
        let meta: Meta =
            serde_json::from_slice(&std::fs::read(self.dir.join("meta.json")).ok()?).ok()?;
        let mut body = Body {
            main: std::fs::read(self.dir.join("main")).ok()?,
            etag: meta.etag,
            last_modified: meta.last_modified,
            digest: meta.digest,
            fetched_at: meta.fetched_at,
            siblings: HashMap::new(),
            stamp: String::new(),
        };
        for name in meta.siblings {
            let bytes = std::fs::read(self.dir.join(format!("sibling.{name}"))).ok()?;
            body.siblings.insert(name, bytes);
        }
        Some(body)
    }

    /// Stores a copy that loaded well. Each file is written beside and renamed into place,
    /// `meta.json` last, so a crash leaves the previous copy or the new one, never a mix that
    /// `load` would accept.
    pub fn store(&self, spec: &SourceSpec, body: &Body) -> Result<(), String> {
        let io = |e: std::io::Error| format!("cannot write the cache {}: {e}", self.dir.display());
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let _ = std::fs::remove_file(self.dir.join("meta.json"));
        let write = |name: &str, bytes: &[u8]| -> Result<(), String> {
            let tmp = self.dir.join(format!("{name}.tmp"));
            std::fs::write(&tmp, bytes).map_err(io)?;
            std::fs::rename(&tmp, self.dir.join(name)).map_err(io)
        };
        write("main", &body.main)?;
        for (name, bytes) in &body.siblings {
            write(&format!("sibling.{name}"), bytes)?;
        }
        let meta = Meta {
            location: spec.location.redacted(),
            etag: body.etag.clone(),
            last_modified: body.last_modified.clone(),
            digest: body.digest.clone(),
            fetched_at: body.fetched_at,
            siblings: body.siblings.keys().cloned().collect(),
        };
        write(
            "meta.json",
            &serde_json::to_vec_pretty(&meta).unwrap_or_default(),
        )
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::import::Format;

    #[test]
    fn a_stamp_changes_with_size_or_time_and_is_not_trusted_when_recent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.jsonl");
        let spec = SourceSpec::new(
            "test",
            Format::Native,
            Location::Path(dir.path().to_path_buf()),
        );
        let write = |text: &str, age: u64| {
            std::fs::write(&path, text).unwrap();
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(SystemTime::now() - Duration::from_secs(age))
                .unwrap();
        };
        write("{\"a\": 1}\n", 60);
        let first = local_stamp(&spec, dir.path());
        assert!(!first.is_empty());
        assert_eq!(first, local_stamp(&spec, dir.path()), "nothing changed");
        write("{\"a\": 2}\n", 30);
        let same_size = local_stamp(&spec, dir.path());
        assert_ne!(first, same_size, "same size, another time");
        write("{\"a\": 22}\n", 30);
        assert_ne!(same_size, local_stamp(&spec, dir.path()), "another size");
        write("{\"a\": 3}\n", 0);
        assert_eq!(local_stamp(&spec, dir.path()), "", "modified just now");
        // A read records the stamp taken before it.
        write("{\"a\": 4}\n", 60);
        let body = read_local(&spec, dir.path()).unwrap();
        assert_eq!(body.stamp, local_stamp(&spec, dir.path()));
    }
}
