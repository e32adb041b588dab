//! Prometheus metrics, served as text on `--metrics-listen` at `GET /metrics`: screens and
//! their latency, matches, entities per list, data age per source, subscribers, events sent,
//! disconnects by reason and admin mutations. Counters are updated by the gRPC handlers; the
//! gauges that describe state (lists, sources, sequence) are sampled at scrape time through a
//! function the server hands in (`State`), so they are never stale and this module knows
//! nothing of the handlers' state.

use http_body_util::Full;
use hyper::body::Bytes;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The state the gauges show, sampled at scrape time.
#[derive(Debug, Clone, Default)]
pub struct State {
    pub sequence: u64,
    /// The oldest retained change (0 when none is).
    pub retained_oldest: u64,
    pub subscribers: usize,
    pub lists: Vec<ListGauge>,
    pub sources: Vec<SourceGauge>,
    pub watches: WatchGauge,
}

/// Standing watches: how many, their parties, and the alerts delivered since start (new,
/// changed, cleared).
#[derive(Debug, Clone, Default)]
pub struct WatchGauge {
    pub watches: usize,
    pub parties: usize,
    pub alerts: [u64; 3],
}

/// One list: its code, the imposing country, the source that loads it, its entities.
#[derive(Debug, Clone)]
pub struct ListGauge {
    pub list: String,
    pub imposed_by: String,
    pub source: String,
    pub entities: usize,
}

/// One source: the age of its data in seconds (NaN when it has none), and whether its last
/// refresh succeeded.
#[derive(Debug, Clone)]
pub struct SourceGauge {
    pub source: String,
    pub age_seconds: f64,
    pub up: bool,
}
use tokio::sync::watch;

type Labels = Vec<(&'static str, String)>;

/// Every metric the service exports.
pub struct Metrics {
    registry: Registry,
    screens: Family<Labels, Counter>,
    screen_seconds: Family<Labels, Histogram, fn() -> Histogram>,
    matches: Family<Labels, Counter>,
    results: Family<Labels, Counter>,
    events_sent: Counter,
    disconnects: Family<Labels, Counter>,
    admin: Family<Labels, Counter>,
    list_entities: Family<Labels, Gauge>,
    source_age: Family<Labels, Gauge<f64, AtomicU64>>,
    source_up: Family<Labels, Gauge>,
    sequence: Gauge,
    retained_oldest: Gauge,
    subscribers: Gauge,
    watches: Gauge,
    watch_parties: Gauge,
    watch_alerts: Family<Labels, Counter>,
    watch_evaluation_seconds: Histogram,
}

/// 25 µs .. ~0.8 s in doublings.
fn screen_histogram() -> Histogram {
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        25e-6, 2.0, 16,
    ))
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut m = Metrics {
            registry: Registry::with_prefix("watchlist"),
            screens: Family::default(),
            screen_seconds: Family::new_with_constructor(screen_histogram),
            matches: Family::default(),
            results: Family::default(),
            events_sent: Counter::default(),
            disconnects: Family::default(),
            admin: Family::default(),
            list_entities: Family::default(),
            source_age: Family::default(),
            source_up: Family::default(),
            sequence: Gauge::default(),
            retained_oldest: Gauge::default(),
            subscribers: Gauge::default(),
            watches: Gauge::default(),
            watch_parties: Gauge::default(),
            watch_alerts: Family::default(),
            // 1 ms .. ~33 s in doublings.
            watch_evaluation_seconds: Histogram::new(
                prometheus_client::metrics::histogram::exponential_buckets(1e-3, 2.0, 16),
            ),
        };
        let r = &mut m.registry;
        r.register(
            "screens",
            "Names screened, by rpc and outcome",
            m.screens.clone(),
        );
        r.register(
            "screen_duration_seconds",
            "Time to screen one name in the index (excluding transport), by rpc",
            m.screen_seconds.clone(),
        );
        r.register(
            "matches",
            "Matches returned by screening, by band (strong, review, weak)",
            m.matches.clone(),
        );
        r.register(
            "screen_results",
            "Names screened, by the band of their best match (none: no match)",
            m.results.clone(),
        );
        r.register(
            "events_sent",
            "Change events sent to subscribers",
            m.events_sent.clone(),
        );
        r.register(
            "subscriber_disconnects",
            "Subscriptions ended, by reason (client_closed, stalled, fell_behind, deadline, shutdown)",
            m.disconnects.clone(),
        );
        r.register(
            "admin_mutations",
            "Admin calls, by operation and outcome",
            m.admin.clone(),
        );
        r.register(
            "list_entities",
            "Entities per list",
            m.list_entities.clone(),
        );
        r.register(
            "source_data_age_seconds",
            "Seconds since each source's data was last known current",
            m.source_age.clone(),
        );
        r.register(
            "source_up",
            "1 while a source's last refresh succeeded, 0 while it fails or is pending",
            m.source_up.clone(),
        );
        r.register(
            "sequence",
            "Sequence of the last change",
            m.sequence.clone(),
        );
        r.register(
            "retained_oldest_sequence",
            "Oldest change still retained for subscribers (0: none)",
            m.retained_oldest.clone(),
        );
        r.register("subscribers", "Open subscriptions", m.subscribers.clone());
        r.register("watches", "Standing watches", m.watches.clone());
        r.register(
            "watch_parties",
            "Parties in every standing watch",
            m.watch_parties.clone(),
        );
        r.register(
            "watch_alerts",
            "Alerts delivered to standing watches since start, by kind (new_hit, changed_hit, cleared)",
            m.watch_alerts.clone(),
        );
        r.register(
            "watch_evaluation_duration_seconds",
            "Time to evaluate the list changes of one wake-up for every watch (from the commit's append to the last alert written)",
            m.watch_evaluation_seconds.clone(),
        );
        m
    }

    /// One name screened: `bands` are its matches' bands, best first (empty on an error or
    /// when nothing matched).
    pub fn screened<'a>(
        &self,
        rpc: &'static str,
        outcome: &'static str,
        seconds: f64,
        bands: impl IntoIterator<Item = &'a str>,
    ) {
        self.screens
            .get_or_create(&vec![
                ("rpc", rpc.to_string()),
                ("outcome", outcome.to_string()),
            ])
            .inc();
        if outcome != "ok" {
            return;
        }
        self.screen_seconds
            .get_or_create(&vec![("rpc", rpc.to_string())])
            .observe(seconds);
        let mut best = None;
        for band in bands {
            best = best.or(Some(band.to_string()));
            self.matches
                .get_or_create(&vec![("band", band.to_string())])
                .inc();
        }
        self.results
            .get_or_create(&vec![("band", best.unwrap_or_else(|| "none".into()))])
            .inc();
    }

    /// One evaluation of list changes for the watches, that screened something.
    pub fn watches_evaluated(&self, seconds: f64) {
        self.watch_evaluation_seconds.observe(seconds);
    }

    pub fn event_sent(&self) {
        self.events_sent.inc();
    }

    pub fn disconnected(&self, reason: &'static str) {
        self.disconnects
            .get_or_create(&vec![("reason", reason.to_string())])
            .inc();
    }

    pub fn admin(&self, op: &'static str, outcome: &'static str) {
        self.admin
            .get_or_create(&vec![
                ("op", op.to_string()),
                ("outcome", outcome.to_string()),
            ])
            .inc();
    }

    /// The text exposition, with the state gauges set from `state`.
    pub fn render(&self, state: &State) -> String {
        self.sequence.set(state.sequence as i64);
        self.retained_oldest.set(state.retained_oldest as i64);
        self.subscribers.set(state.subscribers as i64);
        self.list_entities.clear();
        for list in &state.lists {
            self.list_entities
                .get_or_create(&vec![
                    ("list", list.list.clone()),
                    ("imposed_by", list.imposed_by.clone()),
                    ("source", list.source.clone()),
                ])
                .set(list.entities as i64);
        }
        for source in &state.sources {
            let labels = vec![("source", source.source.clone())];
            self.source_age
                .get_or_create(&labels)
                .set(source.age_seconds);
            self.source_up
                .get_or_create(&labels)
                .set(i64::from(source.up));
        }
        self.watches.set(state.watches.watches as i64);
        self.watch_parties.set(state.watches.parties as i64);
        for (kind, total) in ["new_hit", "changed_hit", "cleared"]
            .into_iter()
            .zip(state.watches.alerts)
        {
            let counter = self
                .watch_alerts
                .get_or_create(&vec![("kind", kind.to_string())]);
            counter.inc_by(total.saturating_sub(counter.get()));
        }
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}

/// Serves `GET /metrics` (HTTP/1.1), the text `render` makes at each scrape, until `stop`
/// turns true.
pub async fn serve(
    listener: TcpListener,
    render: Arc<dyn Fn() -> String + Send + Sync>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|s| *s) => return,
        };
        let Ok((stream, _)) = accepted else {
            continue;
        };
        let render = Arc::clone(&render);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(
                move |request: hyper::Request<hyper::body::Incoming>| {
                    let render = Arc::clone(&render);
                    async move {
                        let response = if request.uri().path() == "/metrics" {
                            hyper::Response::builder()
                                .header("content-type", "text/plain; version=0.0.4; charset=utf-8")
                                .body(Full::new(Bytes::from(render())))
                        } else {
                            hyper::Response::builder()
                                .status(404)
                                .body(Full::new(Bytes::from_static(b"metrics are at /metrics\n")))
                        };
                        response
                    }
                },
            );
            let io = hyper_util::rt::TokioIo::new(stream);
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await
            {
                tracing::debug!(error = %e, "metrics connection ended");
            }
        });
    }
}
