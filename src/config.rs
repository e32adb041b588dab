//! Command line and environment: every flag of `watchlist serve` is also a `WATCHLIST_*`
//! variable.

use crate::api::auth::Secret;
use crate::server::Settings;
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
    Serve(ServeArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "WATCHLIST_LISTEN", default_value = "127.0.0.1:50051")]
    pub listen: SocketAddr,
    /// Directory of list files in our native format.
    #[arg(long, env = "WATCHLIST_SEEDS", default_value = "seeds")]
    pub seeds: PathBuf,
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
    /// Default screening threshold (0..1) when a request gives none.
    #[arg(long, env = "WATCHLIST_THRESHOLD", default_value_t = 0.75)]
    pub threshold: f64,
    /// Log format.
    #[arg(long, env = "WATCHLIST_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// Number of changes retained for subscribers to resume from.
    #[arg(long, env = "WATCHLIST_HISTORY", default_value_t = 100_000)]
    pub history: usize,
    /// Seconds between heartbeats on an idle subscription.
    #[arg(long, env = "WATCHLIST_HEARTBEAT_SECS", default_value_t = 15)]
    pub heartbeat_secs: u64,
    /// Maximum number of concurrent subscribers.
    #[arg(long, env = "WATCHLIST_MAX_SUBSCRIBERS", default_value_t = 1024)]
    pub max_subscribers: usize,
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
        let mut settings = Settings::new(&self.seeds);
        settings.admin_token = admin_token;
        settings.threshold = self.threshold;
        settings.history = self.history.max(1);
        settings.heartbeat = Duration::from_secs(self.heartbeat_secs);
        settings.max_subscribers = self.max_subscribers;
        Ok(settings)
    }
}
