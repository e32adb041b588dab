//! Sources and their refresh: each configured source is read (file, directory or URL), parsed
//! by its format's importer, enriched with the cross-reference's Chinese names, checked, and
//! applied to the store as one atomic change per source, which emits one event per added,
//! changed or removed entity. A failed fetch, parse or check keeps the last good data serving
//! and is reported in the source's status.
//!
//! One task per source owns its refreshes (on its interval, or when `Admin/ReloadSource` asks),
//! so refreshes of one source never overlap; the first load runs source by source, in
//! configuration order, before the service reports SERVING.

pub mod config;
mod fetch;
pub(crate) use fetch::error_chain;
pub mod files;

use crate::core::enrich::{self, Enriched};
use crate::core::import::{self, Format, Imported, Input};
use crate::core::journal::SourceMark;
use crate::core::store::{Outcome, Store};
use crate::core::{Error, Result};
use config::{Location, SourceSpec};
use fetch::{Body, Cache, Fetched};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot, watch};

/// How a source's last refresh went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceState {
    /// Not read yet.
    Pending,
    /// The last refresh succeeded (or found nothing new).
    Ok,
    /// The last refresh failed; the data from the last good one is still served.
    Failed,
}

/// What the service knows about one source, for `Catalog/ListSources` and health.
#[derive(Debug, Clone)]
pub struct SourceStatus {
    pub id: String,
    pub format: Format,
    pub location: String,
    pub refresh: Duration,
    pub state: SourceState,
    /// The lists this source loaded.
    pub lists: Vec<String>,
    pub last_attempt: Option<SystemTime>,
    pub last_success: Option<SystemTime>,
    /// When the bytes now served were fetched or read: the age of the data.
    pub data_fetched_at: Option<SystemTime>,
    pub last_error: String,
    pub last_error_at: Option<SystemTime>,
    /// Records read from the file now served, entities loaded, records rejected.
    pub records: u64,
    pub entities: u64,
    pub rejected: u64,
    pub warnings: u64,
    /// The first few rejections, as "file:line: reason".
    pub rejected_examples: Vec<String>,
    pub etag: String,
    pub last_modified: String,
    pub digest: String,
    /// The data served came from the on-disk cache, not a fetch made by this process.
    pub from_cache: bool,
}

/// What a refresh did.
#[derive(Debug, Clone)]
pub struct Refreshed {
    pub outcome: Outcome,
    /// False when the source had not changed (same digest, or HTTP 304).
    pub changed: bool,
    pub status: SourceStatus,
}

struct Reload {
    force: bool,
    reply: oneshot::Sender<Result<Refreshed>>,
}

struct Source {
    spec: SourceSpec,
    status: Mutex<SourceStatus>,
    reload: mpsc::Sender<Reload>,
}

/// A source task not started yet, with the channel its reloads arrive on.
type Pending = (Runner, mpsc::Receiver<Reload>);

/// Every configured source.
pub struct Feeds {
    sources: Vec<Arc<Source>>,
    /// Bumped on every status change (for health reporting).
    changed: watch::Sender<u64>,
    /// The source tasks, until `start` runs them.
    start: Mutex<Option<Vec<Pending>>>,
}

impl std::fmt::Debug for Feeds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feeds")
            .field("sources", &self.sources.len())
            .finish()
    }
}

impl Feeds {
    pub fn new(
        specs: Vec<SourceSpec>,
        store: Arc<Store>,
        cache_dir: Option<PathBuf>,
    ) -> Arc<Feeds> {
        let client = fetch::client();
        let (changed, _) = watch::channel(0);
        let mut sources = Vec::new();
        let mut runners = Vec::new();
        for spec in specs {
            let (tx, rx) = mpsc::channel(8);
            let source = Arc::new(Source {
                status: Mutex::new(SourceStatus {
                    id: spec.id.clone(),
                    format: spec.format,
                    location: spec.location.redacted(),
                    refresh: spec.refresh,
                    state: SourceState::Pending,
                    lists: Vec::new(),
                    last_attempt: None,
                    last_success: None,
                    data_fetched_at: None,
                    last_error: String::new(),
                    last_error_at: None,
                    records: 0,
                    entities: 0,
                    rejected: 0,
                    warnings: 0,
                    rejected_examples: Vec::new(),
                    etag: String::new(),
                    last_modified: String::new(),
                    digest: String::new(),
                    from_cache: false,
                }),
                reload: tx,
                spec: spec.clone(),
            });
            runners.push((
                Runner {
                    cache: cache_dir.as_deref().and_then(|d| Cache::new(d, &spec)),
                    source: Arc::clone(&source),
                    store: Arc::clone(&store),
                    client: client.clone(),
                    held: None,
                    changed: changed.clone(),
                },
                rx,
            ));
            sources.push(source);
        }
        Arc::new(Feeds {
            sources,
            changed,
            start: Mutex::new(Some(runners)),
        })
    }

    /// Loads every source once, in order, then keeps each refreshing on its interval until
    /// `stop` turns true. Returns when the first load is done.
    pub async fn start(&self, stop: watch::Receiver<bool>) {
        let runners = self.start.lock().unwrap_or_else(|e| e.into_inner()).take();
        for (mut runner, rx) in runners.unwrap_or_default() {
            let first = runner.refresh(false).await;
            if let Err(e) = first {
                tracing::error!(source = %runner.source.spec.id, error = %e, "first load failed");
            }
            tokio::spawn(runner.run(rx, stop.clone()));
        }
    }

    pub fn statuses(&self) -> Vec<SourceStatus> {
        self.sources
            .iter()
            .map(|s| s.status.lock().unwrap_or_else(|e| e.into_inner()).clone())
            .collect()
    }

    /// A receiver that sees a new value whenever a source's status changes.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Refreshes one source now and waits for the result.
    pub async fn reload(&self, id: &str, force: bool) -> Result<Refreshed> {
        let source = self
            .sources
            .iter()
            .find(|s| s.spec.id == id)
            .ok_or_else(|| {
                let ids: Vec<&str> = self.sources.iter().map(|s| s.spec.id.as_str()).collect();
                Error::NotFound(format!(
                    "no source has the id {id:?}; configured sources: {} (see Catalog/ListSources)",
                    ids.join(", ")
                ))
            })?;
        let (reply, answer) = oneshot::channel();
        source
            .reload
            .send(Reload { force, reply })
            .await
            .map_err(|_| Error::Unavailable("the server is shutting down".into()))?;
        answer
            .await
            .map_err(|_| Error::Unavailable("the server is shutting down".into()))?
    }
}

/// Completes when `stop` turns true (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// The task that owns one source's refreshes.
struct Runner {
    source: Arc<Source>,
    store: Arc<Store>,
    client: reqwest::Client,
    cache: Option<Cache>,
    /// The bytes now served (for URLs: kept for conditional GETs and the cache).
    held: Option<Body>,
    changed: watch::Sender<u64>,
}

impl Runner {
    async fn run(mut self, mut reloads: mpsc::Receiver<Reload>, mut stop: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(self.source.spec.refresh);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await; // the first tick is immediate; the first load already ran
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(e) = self.refresh(false).await {
                        tracing::warn!(source = %self.source.spec.id, error = %e, "refresh failed; serving the last good data");
                    }
                }
                Some(request) = reloads.recv() => {
                    let result = self.refresh(request.force).await;
                    let _ = request.reply.send(result);
                }
                _ = stopped(&mut stop) => break,
            }
        }
    }

    fn update(&self, f: impl FnOnce(&mut SourceStatus)) -> SourceStatus {
        let mut status = self.source.status.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut status);
        let copy = status.clone();
        drop(status);
        self.changed.send_modify(|n| *n += 1);
        copy
    }

    fn fail(&self, error: Error) -> Error {
        let now = SystemTime::now();
        let message = error.to_string();
        self.update(|s| {
            s.state = SourceState::Failed;
            s.last_error = message;
            s.last_error_at = Some(now);
        });
        error
    }

    /// On the first load after a restart, what the data directory says this binary applied
    /// from this source, if the store still holds its lists.
    fn restored_mark(&self) -> Option<SourceMark> {
        if self.held.is_some() {
            return None;
        }
        let mark = self.store.source_mark(&self.source.spec.id)?;
        let snapshot = self.store.snapshot();
        let held = mark.lists.iter().all(|code| {
            snapshot
                .lists
                .get(code)
                .is_some_and(|l| l.source == self.source.spec.id)
        });
        (held && !build_mark().is_empty() && mark.build == build_mark()).then_some(mark)
    }

    /// A source skipped because the data directory holds what these bytes load: its status
    /// as the load that applied them reported it.
    fn skipped(&self, mark: SourceMark) -> Refreshed {
        self.update(|s| {
            s.lists = mark.lists;
            s.records = mark.records;
            s.entities = mark.entities;
            s.rejected = mark.rejected;
            s.warnings = mark.warnings;
            s.rejected_examples = mark.rejected_examples;
            s.etag = mark.etag;
            s.last_modified = mark.last_modified;
            s.digest = mark.digest;
            s.data_fetched_at = Some(UNIX_EPOCH + Duration::from_secs(mark.fetched_at));
        });
        tracing::info!(source = %self.source.spec.id, "unchanged since the last run: not read again");
        self.unchanged()
    }

    async fn refresh(&mut self, force: bool) -> Result<Refreshed> {
        let spec = self.source.spec.clone();
        self.update(|s| s.last_attempt = Some(SystemTime::now()));
        let marked = if force { None } else { self.restored_mark() };
        // The validators of what the data directory holds, for a conditional GET.
        let validators = marked.as_ref().map(|m| Body {
            main: Vec::new(),
            siblings: Default::default(),
            etag: m.etag.clone(),
            last_modified: m.last_modified.clone(),
            digest: m.digest.clone(),
            fetched_at: m.fetched_at,
            stamp: String::new(),
        });
        let fetched = match &spec.location {
            Location::Path(path) => {
                let (spec2, path) = (spec.clone(), path.clone());
                // Files that look as they did when last applied are not read again.
                let applied = (self.held.as_ref())
                    .map(|h| h.stamp.clone())
                    .filter(|stamp| !force && !stamp.is_empty());
                tokio::task::spawn_blocking(move || {
                    if applied.is_some_and(|stamp| stamp == fetch::local_stamp(&spec2, &path)) {
                        return Ok(Fetched::NotModified);
                    }
                    fetch::read_local(&spec2, &path).map(Fetched::Body)
                })
                .await
                .map_err(|e| Error::Internal(e.to_string()))?
            }
            Location::Url(url) => {
                let held = self.held.as_ref().or(validators.as_ref());
                fetch::fetch_url(&self.client, &spec, url, held).await
            }
        };
        let (fresh, fetch_error) = match fetched {
            Ok(Fetched::Body(body)) => (Some(body), None),
            Ok(Fetched::NotModified) => (None, None),
            Err(e) => (None, Some(e)),
        };
        // Nothing served yet (first load) and no fresh bytes: fall back to the cached copy.
        let from_cache = fresh.is_none() && self.held.is_none();
        let body = match fresh {
            Some(body) => Some(body),
            None if from_cache => self.cache.as_ref().and_then(Cache::load),
            None => None,
        };
        let Some(body) = body else {
            return match fetch_error {
                None if marked.is_some() => Ok(self.skipped(marked.unwrap_or_default())),
                Some(e) => {
                    let when = self.served_since();
                    Err(self.fail(Error::Unavailable(format!(
                        "source {}: {e}; {when}",
                        spec.id
                    ))))
                }
                None => Ok(self.unchanged()),
            };
        };
        // The same bytes as the copy this process applied: nothing to do. What is applied also
        // depends on the cross-reference of Chinese names, but that is compiled in and cannot
        // change under a running process; a new binary holds nothing yet, so it re-applies
        // every source on its first load and the store emits whatever a new table changed,
        // even for a file that did not.
        if !force && self.held.as_ref().is_some_and(|h| h.digest == body.digest) {
            return Ok(self.unchanged());
        }
        // The same bytes as a previous run of this binary applied, which the data directory
        // still holds: not read again.
        if let Some(mark) = marked.filter(|m| m.digest == body.digest && fetch_error.is_none()) {
            self.held = Some(body);
            return Ok(self.skipped(mark));
        }
        let imported = {
            let (spec, body) = (spec.clone(), body.clone());
            tokio::task::spawn_blocking(move || load(&spec, &body))
                .await
                .map_err(|e| Error::Internal(e.to_string()))?
        };
        let (imported, enriched) = match imported {
            Ok(i) => i,
            Err(e) => {
                return Err(self.fail(Error::FailedPrecondition(format!(
                    "source {}: the file was not loaded: {e}; {}",
                    spec.id,
                    self.served_since()
                ))))
            }
        };
        let lists: Vec<_> = imported
            .lists
            .iter()
            .filter(|(meta, _)| spec.wants(&meta.code))
            .cloned()
            .collect();
        let new_count: usize = lists.iter().map(|(_, e)| e.len()).sum();
        let old_count: usize = {
            let snapshot = self.store.snapshot();
            snapshot
                .lists
                .values()
                .filter(|l| l.source == spec.id)
                .map(|l| l.entity_count)
                .sum()
        };
        if !force && old_count > 0 && (new_count as f64) < old_count as f64 * (1.0 - spec.max_drop)
        {
            return Err(self.fail(Error::FailedPrecondition(format!(
                "source {}: the new file has {new_count} entities, down from {old_count}; more than {:.0}% would vanish at once, so it was refused as suspicious. Check the file, then reload with force to accept it; {}",
                spec.id,
                spec.max_drop * 100.0,
                self.served_since()
            ))));
        }
        let outcome = {
            let (store, id) = (Arc::clone(&self.store), spec.id.clone());
            tokio::task::spawn_blocking(move || store.replace_source(&id, lists))
                .await
                .map_err(|e| Error::Internal(e.to_string()))?
        };
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => return Err(self.fail(e)),
        };
        if let (Some(cache), false) = (&self.cache, from_cache) {
            if let Err(e) = cache.store(&spec, &body) {
                tracing::warn!(source = %spec.id, error = %e, "could not cache the source");
            }
        }
        let now = SystemTime::now();
        let fetched_at = UNIX_EPOCH + Duration::from_secs(body.fetched_at);
        let status = self.update(|s| {
            if fetch_error.is_none() {
                s.state = SourceState::Ok;
                s.last_success = Some(now);
            }
            s.lists = imported
                .lists
                .iter()
                .map(|(m, _)| m.code.clone())
                .filter(|c| spec.wants(c))
                .collect();
            s.data_fetched_at = Some(fetched_at);
            s.records = imported.records as u64;
            s.entities = new_count as u64;
            s.rejected = imported.rejected.len() as u64;
            s.warnings = imported.warnings.len() as u64;
            s.rejected_examples = imported
                .rejected
                .iter()
                .take(5)
                .map(|r| r.to_string())
                .collect();
            s.etag = body.etag.clone();
            s.last_modified = body.last_modified.clone();
            s.digest = body.digest.clone();
            s.from_cache = from_cache;
        });
        if fetch_error.is_none() {
            let mark = SourceMark {
                digest: body.digest.clone(),
                etag: body.etag.clone(),
                last_modified: body.last_modified.clone(),
                fetched_at: body.fetched_at,
                build: build_mark().to_string(),
                lists: status.lists.clone(),
                records: status.records,
                entities: status.entities,
                rejected: status.rejected,
                warnings: status.warnings,
                rejected_examples: status.rejected_examples.clone(),
            };
            if let Err(e) = self.store.mark_source(&spec.id, mark) {
                tracing::warn!(source = %spec.id, error = %e, "could not record the source's digest");
            }
        }
        if let Some(e) = fetch_error {
            // Served from the cache because the fetch failed: loaded, but still a failure.
            self.held = Some(body);
            return Err(self.fail(Error::Unavailable(format!(
                "source {}: {e}; serving the cached copy fetched at {}",
                spec.id,
                rfc3339(fetched_at)
            ))));
        }
        for rejected in imported.rejected.iter().take(20) {
            tracing::warn!(source = %spec.id, %rejected, "record rejected");
        }
        tracing::info!(
            source = %spec.id,
            entities = new_count,
            rejected = imported.rejected.len(),
            sequence = outcome.sequence,
            added = outcome.added,
            updated = outcome.updated,
            removed = outcome.removed,
            enriched = enriched.entities,
            from_cache,
            "source loaded"
        );
        self.held = Some(body);
        Ok(Refreshed {
            outcome,
            changed: true,
            status,
        })
    }

    fn unchanged(&self) -> Refreshed {
        let now = SystemTime::now();
        let status = self.update(|s| {
            s.state = SourceState::Ok;
            s.last_success = Some(now);
        });
        Refreshed {
            outcome: Outcome {
                sequence: self.store.snapshot().sequence,
                unchanged: status.entities as u32,
                ..Outcome::default()
            },
            changed: false,
            status,
        }
    }

    /// "still serving data fetched at T", or "nothing from this source is served yet".
    fn served_since(&self) -> String {
        match &self.held {
            Some(b) => format!(
                "still serving the data fetched at {}",
                rfc3339(UNIX_EPOCH + Duration::from_secs(b.fetched_at))
            ),
            None => "nothing from this source is served yet".into(),
        }
    }
}

/// Parses the bytes just fetched and adds the cross-reference's Chinese names to the entities:
/// the one place every source, seeds and official files alike, is enriched before the store
/// sees it.
fn load(spec: &SourceSpec, body: &Body) -> Result<(Imported, Enriched)> {
    let mut imported = parse(spec, body)?;
    let enriched = enrich::enrich(enrich::builtin(), &mut imported.lists);
    Ok((imported, enriched))
}

/// Parses the bytes just fetched (a directory of native files is read as a whole).
fn parse(spec: &SourceSpec, body: &Body) -> Result<Imported> {
    let path = match &spec.location {
        Location::Path(path) if path.is_dir() => {
            return crate::feeds::files::read_path(spec.format, path)
        }
        Location::Path(path) => path.as_path(),
        Location::Url(url) => Path::new(fetch::file_name(url)),
    };
    import::parse(
        spec.format,
        &Input {
            path,
            main: &body.main,
            siblings: &body.siblings,
        },
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ`, for messages.
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let date = crate::core::import::civil_date(days as i64);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// This binary, as the SHA-256 of its file: a source applied by another binary (other
/// importers, another cross-reference) is read again. Empty when the file cannot be read,
/// which skips nothing.
fn build_mark() -> &'static str {
    static MARK: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    MARK.get_or_init(|| {
        use sha2::{Digest, Sha256};
        std::env::current_exe()
            .and_then(std::fs::read)
            .map(|bytes| {
                Sha256::digest(bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect()
            })
            .unwrap_or_default()
    })
}
