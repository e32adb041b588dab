//! Assembles the service: loads the data, registers the gRPC services with health and
//! reflection, serves on a listener it is given, and shuts down when told.

use crate::api::auth::{Auth, Client, Role, Secret};
use crate::api::deadline::DeadlineLayer;
use crate::api::{
    admin::AdminService, catalog::CatalogService, changes::ChangesService,
    screening::ScreeningService, watches::WatchesService, Limits, Shared,
};
use crate::core::store::Store;
use crate::core::watches::{WatchLimits, Watches};
use crate::feeds::config::SourceSpec;
use crate::feeds::{Feeds, SourceState};
use crate::proto::{
    v1::{
        admin_server::AdminServer, catalog_server::CatalogServer, changes_server::ChangesServer,
        screening_server::ScreeningServer, watches_server::WatchesServer,
    },
    FILE_DESCRIPTOR_SET,
};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_stream::wrappers::TcpListenerStream;
use tokio_stream::StreamExt;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};
use tonic_health::pb::health_server::HealthServer;
use tonic_health::server::HealthReporter;
use tonic_health::ServingStatus;
use tower::layer::util::{Identity as NoLayer, Stack};

/// Everything `run` needs to know; `main` builds it from flags and environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The sources to load and keep refreshed, in order (the first to load a list owns it).
    pub sources: Vec<SourceSpec>,
    /// Where the last good copy of each remote source is kept.
    pub cache_dir: Option<PathBuf>,
    /// Bearer token for the admin service; `None` refuses every write.
    pub admin_token: Option<Secret>,
    /// The clients of `--clients`: who may call Watches (and Admin), by token digest.
    pub clients: Vec<Client>,
    /// Limits on standing watches.
    pub watches: WatchLimits,
    /// Default screening threshold, 0..1.
    pub threshold: f64,
    /// Number of changes retained for subscribers to resume from.
    pub history: usize,
    /// Changes older than this are no longer retained, where set.
    pub history_max_age: Option<Duration>,
    /// Where state is kept durably; `None` runs in memory from the sources.
    pub data_dir: Option<PathBuf>,
    /// TLS for the gRPC listeners; `None` serves plaintext.
    pub tls: Option<TlsFiles>,
    /// Heartbeat interval of idle subscriptions.
    pub heartbeat: Duration,
    pub max_subscribers: usize,
    /// Deliveries buffered per subscriber.
    pub subscriber_buffer: usize,
    /// How long a subscriber may accept nothing while changes wait before it is ended.
    pub subscriber_stall: Duration,
    /// How long health reports NOT_SERVING before the listeners close at shutdown, so that
    /// load balancers and pollers see it.
    pub shutdown_grace: Duration,
    /// How long shutdown waits for open calls to finish.
    pub drain: Duration,
}

impl Settings {
    /// Settings serving the native list files of the directory `seeds`.
    pub fn new(seeds: impl Into<PathBuf>) -> Self {
        Self::with_sources(vec![SourceSpec::seeds(&seeds.into())])
    }

    pub fn with_sources(sources: Vec<SourceSpec>) -> Self {
        Settings {
            sources,
            cache_dir: None,
            admin_token: None,
            clients: Vec::new(),
            watches: WatchLimits::default(),
            threshold: crate::core::query::DEFAULT_THRESHOLD,
            history: 100_000,
            history_max_age: None,
            data_dir: None,
            tls: None,
            heartbeat: Duration::from_secs(15),
            max_subscribers: 1024,
            subscriber_buffer: 256,
            subscriber_stall: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(2),
            drain: Duration::from_secs(10),
        }
    }
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Largest request message accepted by Screening, Catalog and Changes: far above any real
/// screen request (a name is at most 512 characters), far below what could hurt the server.
pub const MAX_REQUEST: usize = 64 * 1024;
/// Largest Admin request: room for replacing a whole large list in one call.
pub const MAX_ADMIN_REQUEST: usize = 64 * 1024 * 1024;
/// HTTP/2 flow-control windows of the gRPC listeners (see `run_with`).
const STREAM_WINDOW: u32 = 64 * 1024;
const CONNECTION_WINDOW: u32 = 4 * 1024 * 1024;

/// PEM files for TLS on every gRPC listener; with `client_ca`, clients must present a
/// certificate it signed (mutual TLS).
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub client_ca: Option<PathBuf>,
}

/// The sockets the service listens on: gRPC (always), and optionally a separate one for the
/// Admin service (which then is not served on the main one) and one for Prometheus metrics.
#[derive(Debug)]
pub struct Listeners {
    pub grpc: TcpListener,
    pub admin: Option<TcpListener>,
    pub metrics: Option<TcpListener>,
}

/// Serves on one gRPC listener (Admin included, no metrics) until `shutdown` completes.
pub async fn run(
    listener: TcpListener,
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), BoxError> {
    let listeners = Listeners {
        grpc: listener,
        admin: None,
        metrics: None,
    };
    run_with(listeners, settings, shutdown).await
}

/// Serves until `shutdown` completes. Health is NOT_SERVING until the data is loaded and again
/// from the moment shutdown starts; subscriptions end, then open calls get `drain` to finish.
pub async fn run_with(
    listeners: Listeners,
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), BoxError> {
    crate::feeds::config::validate(&settings.sources)?;
    crate::feeds::config::check_paths(&settings.sources)?;
    let tls = settings.tls.as_ref().map(tls_config).transpose()?;
    let store = Arc::new(open_store(&settings)?);
    let feeds = Feeds::new(
        settings.sources.clone(),
        Arc::clone(&store),
        settings.cache_dir.clone(),
    );
    let (stop_tx, stop_rx) = watch::channel(false);
    store.merge_signal();
    tokio::spawn(merge_index(Arc::clone(&store), stop_rx.clone()));
    let shared = Shared::new(
        Arc::clone(&store),
        Arc::clone(&feeds),
        Limits {
            default_threshold: settings.threshold,
            heartbeat: settings.heartbeat,
            max_subscribers: settings.max_subscribers,
            subscriber_buffer: settings.subscriber_buffer,
            subscriber_stall: settings.subscriber_stall,
        },
        stop_rx.clone(),
    );

    let health = tonic_health::server::HealthReporter::new();
    let health_service = HealthServer::new(crate::api::health::HealthService::new(
        health.clone(),
        stop_rx.clone(),
    ));
    set_health(&health, ServingStatus::NotServing).await;
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1()?;
    let reflection_v1alpha = reflection().build_v1alpha()?;

    let auth = Auth::new(settings.admin_token.as_ref(), &settings.clients);
    let admin = InterceptedService::new(
        AdminServer::new(AdminService::new(Arc::clone(&shared)))
            .max_decoding_message_size(MAX_ADMIN_REQUEST),
        {
            let auth = auth.clone();
            move |request: tonic::Request<()>| {
                auth.check(request.metadata(), Role::Admin)
                    .map(|_| request)
                    .map_err(tonic::Status::from)
            }
        },
    );
    let limits = WatchLimits {
        default_threshold: settings.threshold,
        ..settings.watches.clone()
    };
    let watches = Arc::new(match &settings.data_dir {
        Some(dir) => Watches::open(limits, dir)?,
        None => Watches::new(limits),
    });
    shared.attach_watches(Arc::clone(&watches));
    tokio::spawn(crate::api::watches::evaluate(
        Arc::clone(&shared),
        Arc::clone(&watches),
        stop_rx.clone(),
    ));
    let watches_service = InterceptedService::new(
        WatchesServer::new(WatchesService::new(Arc::clone(&shared), watches))
            .max_decoding_message_size(MAX_ADMIN_REQUEST),
        move |mut request: tonic::Request<()>| {
            let client = auth.check(request.metadata(), Role::Watch)?;
            request.extensions_mut().insert(client);
            Ok(request)
        },
    );

    let local = listeners.grpc.local_addr()?;
    tokio::spawn({
        let health = health.clone();
        let grace = settings.shutdown_grace;
        async move {
            shutdown.await;
            tracing::info!(
                ?grace,
                "shutting down: NOT_SERVING, then the listeners close"
            );
            set_health(&health, ServingStatus::NotServing).await;
            tokio::time::sleep(grace).await;
            stop_tx.send_replace(true);
        }
    });
    let builder = || -> Result<Server<Stack<DeadlineLayer, NoLayer>>, BoxError> {
        // A client may pause reading a ScreenStream while it keeps sending: what it sends then
        // waits in the HTTP/2 layer, which ends a connection whose buffered small frames cost
        // more than half its connection window (h2's defence against tiny-frame floods). A
        // stream window of 64 KiB under a 4 MiB connection window keeps one paused stream,
        // even of the smallest requests, within that budget, so the client is paused by flow
        // control instead of disconnected. Requests here are at most `MAX_REQUEST` anyway.
        let builder = Server::builder()
            .http2_keepalive_interval(Some(Duration::from_secs(30)))
            .http2_keepalive_timeout(Some(Duration::from_secs(10)))
            .initial_stream_window_size(STREAM_WINDOW)
            .initial_connection_window_size(CONNECTION_WINDOW)
            .layer(DeadlineLayer);
        Ok(match &tls {
            Some(tls) => builder.tls_config(tls.clone())?,
            None => builder,
        })
    };
    let (admin_on_main, admin_apart) = match listeners.admin {
        Some(listener) => (None, Some((admin, listener))),
        None => (Some(admin), None),
    };
    let main = builder()?
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(
            ScreeningServer::new(ScreeningService::new(Arc::clone(&shared)))
                .max_decoding_message_size(MAX_REQUEST),
        )
        .add_service(
            CatalogServer::new(CatalogService::new(Arc::clone(&shared)))
                .max_decoding_message_size(MAX_REQUEST),
        )
        .add_service(
            ChangesServer::new(ChangesService::new(Arc::clone(&shared)))
                .max_decoding_message_size(MAX_REQUEST),
        )
        .add_service(watches_service)
        .add_optional_service(admin_on_main)
        .serve_with_incoming_shutdown(incoming(listeners.grpc), stopped(stop_rx.clone()));
    tracing::info!(%local, tls = tls.is_some(), "listening");
    let admin_server = match admin_apart {
        Some((admin, listener)) => {
            tracing::info!(admin = %listener.local_addr()?, "Admin service on its own listener");
            Some(
                builder()?
                    .add_service(admin)
                    .serve_with_incoming_shutdown(incoming(listener), stopped(stop_rx.clone())),
            )
        }
        None => None,
    };
    if let Some(listener) = listeners.metrics {
        tracing::info!(metrics = %listener.local_addr()?, "metrics at /metrics");
        let sampled = Arc::clone(&shared);
        let render = Arc::new(move || sampled.metrics.render(&sampled.metrics_state()));
        tokio::spawn(crate::metrics::serve(listener, render, stop_rx.clone()));
    }

    let loader = {
        let shared = Arc::clone(&shared);
        let health = health.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            tokio::spawn(report_sources(Arc::clone(&feeds), health.clone()));
            feeds.start(stop.clone()).await;
            shared.set_ready();
            if !*stop.borrow_and_update() {
                set_health(&health, ServingStatus::Serving).await;
            }
        })
    };

    let servers = async move {
        match admin_server {
            Some(admin) => tokio::try_join!(main, admin).map(drop),
            None => main.await,
        }
    };
    tokio::pin!(servers);
    let mut stopping = stop_rx;
    let drain = settings.drain;
    let result = tokio::select! {
        result = &mut servers => result.map_err(BoxError::from),
        _ = async {
            let _ = stopping.wait_for(|stop| *stop).await;
            tokio::time::sleep(drain).await;
        } => {
            tracing::warn!(?drain, "open calls did not finish within the drain time; closing");
            Ok(())
        }
    };
    loader.abort();
    result
}

/// Completes when `stop` turns true.
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

fn tls_config(files: &TlsFiles) -> Result<ServerTlsConfig, BoxError> {
    let read = |path: &PathBuf, what: &str| {
        std::fs::read(path)
            .map_err(|e| format!("cannot read the TLS {what} {}: {e}", path.display()))
    };
    let identity = Identity::from_pem(read(&files.cert, "certificate")?, read(&files.key, "key")?);
    let mut config = ServerTlsConfig::new().identity(identity);
    if let Some(ca) = &files.client_ca {
        config = config.client_ca_root(Certificate::from_pem(read(ca, "client CA")?));
    }
    Ok(config)
}

/// Accepted connections with Nagle's algorithm off: the builder's `tcp_nodelay` applies only
/// to listeners tonic binds itself, and small responses otherwise wait ~40 ms for delayed ACKs.
fn incoming(
    listener: TcpListener,
) -> impl tokio_stream::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    TcpListenerStream::new(listener).map(|accepted| {
        let stream = accepted?;
        stream.set_nodelay(true)?;
        Ok(stream)
    })
}

async fn set_health(health: &HealthReporter, status: ServingStatus) {
    health.set_service_status("", status).await;
    health
        .set_service_status("watchlist.v1.Screening", status)
        .await;
    health
        .set_service_status("watchlist.v1.Catalog", status)
        .await;
    health
        .set_service_status("watchlist.v1.Changes", status)
        .await;
    health
        .set_service_status("watchlist.v1.Admin", status)
        .await;
}

/// Merges the index's segments off the writer's path, whenever the store signals that its
/// merge policy calls for one, until shutdown.
async fn merge_index(store: Arc<Store>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            () = store.merge_signal().notified() => {}
            _ = stop.changed() => return,
        }
        let started = std::time::Instant::now();
        let merging = Arc::clone(&store);
        // One merge may call for the next (a compaction, then a new base).
        let merged = tokio::task::spawn_blocking(move || {
            let mut merges = 0;
            while merging.merge() {
                merges += 1;
            }
            merges
        })
        .await;
        let snapshot = store.snapshot();
        tracing::debug!(
            merges = merged.unwrap_or(0),
            took_ms = started.elapsed().as_millis() as u64,
            segments = snapshot.index.segment_count(),
            unmerged = snapshot.index.unmerged(),
            "index merged"
        );
    }
}

/// The store: restored from the data directory when there is one (lists of sources no longer
/// configured are removed, with their events), else empty and in memory.
fn open_store(settings: &Settings) -> Result<Store, BoxError> {
    let Some(dir) = &settings.data_dir else {
        tracing::warn!("no --data-dir: state is in memory only; a restart reloads the sources and restarts sequences from 1");
        return Ok(Store::new(settings.history));
    };
    let store = Store::open(dir, settings.history, settings.history_max_age)?;
    let snapshot = store.snapshot();
    tracing::info!(
        data_dir = %dir.display(),
        sequence = snapshot.sequence,
        entities = snapshot.entities.len(),
        retained_from = store.log().oldest(),
        "state restored"
    );
    for source in store.sources() {
        if !settings.sources.iter().any(|s| s.id == source) {
            let outcome = store.replace_source(&source, Vec::new())?;
            tracing::warn!(%source, removed = outcome.removed, "source no longer configured: its lists were removed");
        }
    }
    Ok(store)
}

/// Keeps one health entry per source, `watchlist.source.<id>`: SERVING while its last refresh
/// succeeded, NOT_SERVING while it is pending or failing (the last good data is still served).
async fn report_sources(feeds: Arc<Feeds>, health: HealthReporter) {
    let mut changed = feeds.subscribe();
    loop {
        for status in feeds.statuses() {
            let serving = if status.state == SourceState::Ok {
                ServingStatus::Serving
            } else {
                ServingStatus::NotServing
            };
            health
                .set_service_status(format!("watchlist.source.{}", status.id), serving)
                .await;
        }
        if changed.changed().await.is_err() {
            return;
        }
    }
}
