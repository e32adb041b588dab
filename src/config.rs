//! Command line and environment: every flag of `watchlist serve` is also a `WATCHLIST_*`
//! variable.

use crate::api::auth::Secret;
use crate::core::import::Format;
use crate::feeds::{self, config::SourceSpec};
use crate::server::{Settings, TlsFiles};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "watchlist",
    version,
    about = "Screens names against US and PRC sanctions lists over gRPC"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the gRPC API.
    Serve(Box<ServeArgs>),
    /// Screen every name of a CSV or JSON Lines file and write the hits. Exit status 0: no
    /// hit; 1: hits found; 2: the input, the options, the data or the server was unusable.
    Screen(Box<ScreenArgs>),
    /// Parse a list file and report its counts and rejected rows, without serving it.
    Check(CheckArgs),
    /// Check the cross-reference of Chinese names against list files: malformed rows,
    /// ambiguous names, rows matching no entity or several, and coverage per list.
    CheckXref(CheckXrefArgs),
}

#[derive(Debug, Args)]
pub struct CheckXrefArgs {
    /// A list file as FORMAT=PATH (repeatable), as for `serve --source`: e.g.
    /// csl-csv=csl.csv, ofac-csv=cons_prim.csv, native=seeds.
    #[arg(long = "source", required = true)]
    pub sources: Vec<String>,
    /// Check this table instead of the one built in (same format as
    /// src/core/tables/chinese_names.tsv).
    #[arg(long)]
    pub table: Option<PathBuf>,
    /// Rows to print for each kind of finding (all are counted).
    #[arg(long, default_value_t = 50)]
    pub show: usize,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The file to check (for ofac-csv: sdn.csv or cons_prim.csv; siblings are read beside it).
    pub file: PathBuf,
    /// Its format: csl-csv, csl-json, ofac-csv, ofac-xml, ofac-advanced-xml, ftm-json, native.
    #[arg(long)]
    pub format: Format,
    /// Rejected rows to print (all are counted).
    #[arg(long, default_value_t = 50)]
    pub show: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where the listed entities come from: the same flags for `serve` and `screen`.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// Directory of list files in our native format, served when no --config or --source is
    /// given.
    #[arg(long, env = "WATCHLIST_SEEDS", default_value = "seeds")]
    pub seeds: PathBuf,
    /// TOML file of sources (see the README's "Sources" section).
    #[arg(long, env = "WATCHLIST_CONFIG")]
    pub config: Option<PathBuf>,
    /// A source as FORMAT=PATH_OR_URL (repeatable), e.g. csl-csv=https://.../consolidated.csv.
    #[arg(long = "source", env = "WATCHLIST_SOURCES", value_delimiter = ',')]
    pub sources: Vec<String>,
    /// Directory for the last good copy of each remote source, so a restart without network
    /// still serves.
    #[arg(long, env = "WATCHLIST_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
}

impl DataArgs {
    /// The configured sources (the seeds when none is given) and the cache directory.
    pub fn sources(&self) -> Result<(Vec<SourceSpec>, Option<PathBuf>), String> {
        let mut sources = Vec::new();
        let mut cache_dir = self.cache_dir.clone();
        if let Some(path) = &self.config {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the config file {}: {e}", path.display()))?;
            let base = path.parent().unwrap_or(std::path::Path::new("."));
            let file = feeds::config::from_toml(&text, base)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            sources.extend(file.sources);
            cache_dir = cache_dir.or(file.cache_dir);
        }
        for flag in &self.sources {
            sources.push(SourceSpec::from_flag(flag)?);
        }
        if sources.is_empty() {
            sources.push(SourceSpec::seeds(&self.seeds));
        }
        feeds::config::validate(&sources)?;
        Ok((sources, cache_dir))
    }

    /// Whether any source was named (the seeds are the default otherwise).
    pub fn given(&self) -> bool {
        self.config.is_some() || !self.sources.is_empty()
    }
}

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// The names to screen: CSV with a header row (columns reference, name, and optionally
    /// type, countries, identifiers) or JSON Lines with the same fields; `-` reads stdin.
    #[arg(long)]
    pub input: PathBuf,
    /// Where the hits go (`-`: stdout, the default).
    #[arg(long, default_value = "-")]
    pub output: PathBuf,
    /// The input's format; by default from its extension (.csv, .jsonl, .ndjson, .json).
    #[arg(long, value_enum)]
    pub input_format: Option<FileFormat>,
    /// The output's format; by default from its extension, CSV on stdout.
    #[arg(long, value_enum)]
    pub output_format: Option<FileFormat>,
    /// One output row for every input row, also without a hit (band "none") or rejected
    /// (band "rejected", with the reason).
    #[arg(long)]
    pub all: bool,
    /// Lowest score (0..1) reported as a hit; by default the service's default, 0.75.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Most hits per name (1..100).
    #[arg(long, default_value_t = 10)]
    pub limit: u32,
    /// Only screen against these lists (codes, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub lists: Vec<String>,
    /// Only screen against lists imposed by these countries (US, CN).
    #[arg(long, value_delimiter = ',')]
    pub imposed_by: Vec<String>,
    /// Screen through a running service's ScreenStream at this address (e.g.
    /// http://127.0.0.1:50051 or https://screening.internal:443) instead of loading the data
    /// here. The data flags (--source, --config, --seeds) do not apply then.
    #[arg(long)]
    pub server: Option<String>,
    /// PEM CA bundle to verify the server's certificate (implies TLS).
    #[arg(long, requires = "server")]
    pub tls_ca: Option<PathBuf>,
    /// The name the server's certificate is checked against, when not the address's host.
    #[arg(long, requires = "server")]
    pub tls_domain: Option<String>,
    /// PEM client certificate for mutual TLS (with --tls-key).
    #[arg(long, requires_all = ["server", "tls_key"])]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Threads screening here (0: one per core). With --server, the service uses its own.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// No progress bar or progress lines (the summary is still printed on stderr).
    #[arg(long)]
    pub no_progress: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

/// A file format of `screen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    Csv,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "WATCHLIST_LISTEN", default_value = "127.0.0.1:50051")]
    pub listen: SocketAddr,
    /// Serve the Admin service on this address only (not on --listen).
    #[arg(long, env = "WATCHLIST_ADMIN_LISTEN")]
    pub admin_listen: Option<SocketAddr>,
    /// Serve Prometheus metrics at http://ADDRESS/metrics.
    #[arg(long, env = "WATCHLIST_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// PEM certificate chain for TLS on the gRPC listeners (with --tls-key).
    #[arg(long, env = "WATCHLIST_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, env = "WATCHLIST_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// PEM CA bundle: clients must present a certificate it signed (mutual TLS).
    #[arg(long, env = "WATCHLIST_TLS_CLIENT_CA", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Bearer token for the Admin service. Prefer --admin-token-file: flags are visible to
    /// other users of the machine.
    #[arg(
        long,
        env = "WATCHLIST_ADMIN_TOKEN",
        hide_env_values = true,
        conflicts_with = "admin_token_file"
    )]
    pub admin_token: Option<Secret>,
    /// File holding the Admin bearer token (surrounding whitespace ignored).
    #[arg(long, env = "WATCHLIST_ADMIN_TOKEN_FILE")]
    pub admin_token_file: Option<PathBuf>,
    /// TOML file of the clients that may call Watches (and Admin): one `[[clients]]` table
    /// each with `id`, `token_sha256` (the SHA-256 of its bearer token, in hex) and `roles`
    /// (`"watch"`, `"admin"`). The admin token keeps working as the client "admin".
    #[arg(long, env = "WATCHLIST_CLIENTS")]
    pub clients: Option<PathBuf>,
    /// Most parties one watch may hold.
    #[arg(long, env = "WATCHLIST_MAX_WATCH_PARTIES", default_value_t = 1_000_000)]
    pub max_watch_parties: usize,
    /// Most watches one client may hold.
    #[arg(long, env = "WATCHLIST_MAX_WATCHES", default_value_t = 100)]
    pub max_watches: usize,
    /// Alerts retained per watch for Alerts to resume from.
    #[arg(long, env = "WATCHLIST_WATCH_ALERT_HISTORY", default_value_t = 100_000)]
    pub watch_alert_history: usize,
    /// Default screening threshold (0..1) when a request gives none.
    #[arg(long, env = "WATCHLIST_THRESHOLD", default_value_t = crate::core::query::DEFAULT_THRESHOLD)]
    pub threshold: f64,
    /// Log format.
    #[arg(long, env = "WATCHLIST_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// Number of changes retained for subscribers to resume from.
    #[arg(long, env = "WATCHLIST_HISTORY", default_value_t = 100_000)]
    pub history: usize,
    /// Also drop retained changes older than this (e.g. 30d, 12h); default: no age limit.
    #[arg(long, env = "WATCHLIST_HISTORY_MAX_AGE")]
    pub history_max_age: Option<String>,
    /// Directory for durable state (entities, lists, sequence, retained changes). Without it
    /// the service runs in memory from its sources.
    #[arg(long, env = "WATCHLIST_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Seconds between heartbeats on an idle subscription.
    #[arg(long, env = "WATCHLIST_HEARTBEAT_SECS", default_value_t = 15)]
    pub heartbeat_secs: u64,
    /// Maximum number of concurrent subscribers.
    #[arg(long, env = "WATCHLIST_MAX_SUBSCRIBERS", default_value_t = 1024)]
    pub max_subscribers: usize,
    /// Seconds a subscriber may accept nothing while changes wait before the server ends its
    /// stream (OUT_OF_RANGE, with the sequence to resume from) and frees its slot.
    #[arg(long, env = "WATCHLIST_SUBSCRIBER_STALL_SECS", default_value_t = 30)]
    pub subscriber_stall_secs: u64,
    /// Milliseconds health reports NOT_SERVING at shutdown before the listeners close.
    #[arg(long, env = "WATCHLIST_SHUTDOWN_GRACE_MS", default_value_t = 2000)]
    pub shutdown_grace_ms: u64,
}

impl ServeArgs {
    /// Turns flags into settings, reading the token file.
    pub fn settings(&self) -> Result<Settings, String> {
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(format!("--threshold {} is outside 0..1", self.threshold));
        }
        if self.heartbeat_secs == 0 {
            return Err("--heartbeat-secs must be at least 1".into());
        }
        if self.subscriber_stall_secs == 0 {
            return Err("--subscriber-stall-secs must be at least 1".into());
        }
        let admin_token = match (&self.admin_token, &self.admin_token_file) {
            (Some(token), _) => Some(token.clone()),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    format!("cannot read the admin token file {}: {e}", path.display())
                })?;
                Some(
                    text.parse()
                        .map_err(|e| format!("{}: {e}", path.display()))?,
                )
            }
            (None, None) => None,
        };
        let (sources, cache_dir) = self.data.sources()?;
        let mut settings = Settings::with_sources(sources);
        settings.cache_dir = cache_dir;
        settings.admin_token = admin_token;
        if let Some(path) = &self.clients {
            settings.clients = crate::api::auth::read_clients(path)?;
        }
        settings.watches = crate::core::watches::WatchLimits {
            max_parties: self.max_watch_parties,
            max_watches: self.max_watches,
            alert_history: self.watch_alert_history.max(1),
            default_threshold: self.threshold,
        };
        settings.threshold = self.threshold;
        settings.history = self.history.max(1);
        settings.history_max_age = self
            .history_max_age
            .as_deref()
            .map(|text| {
                feeds::config::duration(text).map_err(|e| format!("--history-max-age: {e}"))
            })
            .transpose()?;
        settings.data_dir = self.data_dir.clone();
        settings.tls = match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
                client_ca: self.tls_client_ca.clone(),
            }),
            _ => None,
        };
        settings.heartbeat = Duration::from_secs(self.heartbeat_secs);
        settings.max_subscribers = self.max_subscribers;
        settings.subscriber_stall = Duration::from_secs(self.subscriber_stall_secs);
        settings.shutdown_grace = Duration::from_millis(self.shutdown_grace_ms);
        Ok(settings)
    }
}
