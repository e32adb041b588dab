//! The `watchlist` binary: parses configuration, starts logging, binds the listener and hands
//! it to `server::run` with a shutdown signal.

use clap::Parser;
use std::process::ExitCode;
use watchlist::config::{Cli, Command, LogFormat};
use watchlist::feeds::config::Location;
use watchlist::server::Listeners;

/// jemalloc, not the system allocator. After a large load glibc's malloc, at the next large
/// allocation, coalesced the millions of small blocks the load had freed: a one-time stall of
/// 250–340 ms in the first writes after a 1M-name load, seen at every subscriber. jemalloc has
/// no such pass, and it also used the least memory of the three allocators measured (README,
/// "What a change costs").
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let args = match cli.command {
        Command::Serve(args) => args,
        Command::Check(args) => return watchlist::check::run(&args),
        Command::CheckXref(args) => return watchlist::check::run_xref(&args),
        Command::Screen(args) => {
            // Only what needs a person's attention: a source that failed, a record rejected.
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .init();
            return watchlist::batch::run(&args).await;
        }
    };
    init_tracing(args.log_format);
    let settings = match args.settings() {
        Ok(settings) => settings,
        Err(message) => {
            tracing::error!("{message}");
            return ExitCode::from(2);
        }
    };
    if settings
        .sources
        .iter()
        .any(|s| matches!(s.location, Location::Url(_)))
        && settings.cache_dir.is_none()
    {
        tracing::warn!(
            "remote sources without --cache-dir: a restart without network will not serve them"
        );
    }
    if settings.admin_token.is_none() {
        tracing::warn!("no admin token configured: Admin calls are refused");
    }
    let bind = |address: std::net::SocketAddr, what: &'static str| async move {
        tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| format!("cannot listen on {address} ({what}): {e}"))
    };
    let listeners = async {
        Ok::<_, String>(Listeners {
            grpc: bind(args.listen, "--listen").await?,
            admin: match args.admin_listen {
                Some(a) => Some(bind(a, "--admin-listen").await?),
                None => None,
            },
            metrics: match args.metrics_listen {
                Some(a) => Some(bind(a, "--metrics-listen").await?),
                None => None,
            },
        })
    };
    let listeners = match listeners.await {
        Ok(listeners) => listeners,
        Err(message) => {
            tracing::error!("{message}");
            return ExitCode::FAILURE;
        }
    };
    match watchlist::server::run_with(listeners, settings, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
