//! Operations: Prometheus metrics on their own address, the Admin service on a separate
//! listener, and TLS with client certificates.

use crate::support::{authed, expect_status, seeds_dir, TOKEN};
use std::path::PathBuf;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};
use tonic::Code;
use tonic_health::pb::{health_client::HealthClient, HealthCheckRequest};
use watchlist::proto::v1::{
    admin_client::AdminClient, screening_client::ScreeningClient, RemoveEntitiesRequest,
    ScreenRequest,
};
use watchlist::server::{run_with, Listeners, Settings, TlsFiles};

pub fn tls_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

pub struct Running {
    stop: Option<oneshot::Sender<()>>,
    handle: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.handle.abort();
    }
}

pub async fn listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").await.unwrap()
}

pub fn start(listeners: Listeners, tune: impl FnOnce(&mut Settings)) -> Running {
    let mut settings = Settings::new(seeds_dir());
    settings.admin_token = Some(TOKEN.parse().unwrap());
    settings.drain = Duration::from_secs(1);
    tune(&mut settings);
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        run_with(listeners, settings, async {
            let _ = stopped.await;
        })
        .await
        .expect("server failed");
    });
    Running {
        stop: Some(stop),
        handle,
    }
}

/// Waits until the server behind `channel` is SERVING.
pub async fn serving(channel: &Channel) {
    for _ in 0..400 {
        let status = HealthClient::new(channel.clone())
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .map(|r| r.into_inner().status);
        if status.ok() == Some(1) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("never SERVING");
}

pub async fn plain(addr: std::net::SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_lazy()
}

pub async fn scrape(addr: std::net::SocketAddr) -> String {
    reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// A server on the seeds with metrics on their own address, SERVING: the server, a channel to
/// it and the metrics address.
pub async fn with_metrics() -> (Running, Channel, std::net::SocketAddr) {
    let (grpc, metrics) = (listener().await, listener().await);
    let (grpc_addr, metrics_addr) = (grpc.local_addr().unwrap(), metrics.local_addr().unwrap());
    let server = start(
        Listeners {
            grpc,
            admin: None,
            metrics: Some(metrics),
        },
        |_| {},
    );
    let channel = plain(grpc_addr).await;
    serving(&channel).await;
    (server, channel, metrics_addr)
}

#[tokio::test]
async fn metrics_count_screens_and_describe_lists_and_sources() {
    let (_server, channel, metrics_addr) = with_metrics().await;
    let mut screening = ScreeningClient::new(channel.clone());
    for name in ["Kharon", "CloudWalk Technology"] {
        screening
            .screen(ScreenRequest {
                name: name.into(),
                ..Default::default()
            })
            .await
            .unwrap();
    }
    let bad = screening.screen(ScreenRequest::default()).await;
    expect_status(bad, Code::InvalidArgument, "name");
    let text = scrape(metrics_addr).await;
    for line in [
        "watchlist_screens_total{rpc=\"screen\",outcome=\"ok\"} 2",
        "watchlist_screens_total{rpc=\"screen\",outcome=\"error\"} 1",
        "watchlist_screen_duration_seconds_count{rpc=\"screen\"} 2",
        "watchlist_list_entities{list=\"CN-MOFCOM-UEL\",imposed_by=\"CN\",source=\"seeds\"} 87",
        "watchlist_source_up{source=\"seeds\"} 1",
        "watchlist_subscribers 0",
    ] {
        assert!(text.contains(line), "{line:?} missing from\n{text}");
    }
    assert!(
        text.contains("watchlist_matches_total{band=\"strong\"} "),
        "{text}"
    );
    assert!(
        text.contains("watchlist_screen_results_total{band=\"strong\"} 2"),
        "{text}"
    );
    assert!(text.contains("watchlist_sequence 705"), "{text}");
    let missing = reqwest::get(format!("http://{metrics_addr}/other"))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn the_admin_service_can_live_on_its_own_listener() {
    let (grpc, admin) = (listener().await, listener().await);
    let (grpc_addr, admin_addr) = (grpc.local_addr().unwrap(), admin.local_addr().unwrap());
    let _server = start(
        Listeners {
            grpc,
            admin: Some(admin),
            metrics: None,
        },
        |_| {},
    );
    let channel = plain(grpc_addr).await;
    serving(&channel).await;
    let request = || {
        authed(RemoveEntitiesRequest {
            ids: vec!["nope".into()],
        })
    };
    let on_main = AdminClient::new(channel).remove_entities(request()).await;
    expect_status(on_main, Code::Unimplemented, "");
    let on_admin = AdminClient::new(plain(admin_addr).await)
        .remove_entities(request())
        .await;
    expect_status(on_admin, Code::NotFound, "nope");
}

#[tokio::test]
async fn tls_with_client_certificates() {
    let grpc = listener().await;
    let port = grpc.local_addr().unwrap().port();
    let _server = start(
        Listeners {
            grpc,
            admin: None,
            metrics: None,
        },
        |s| {
            s.tls = Some(TlsFiles {
                cert: tls_file("server.pem"),
                key: tls_file("server.key"),
                client_ca: Some(tls_file("ca.pem")),
            })
        },
    );
    let ca = Certificate::from_pem(std::fs::read(tls_file("ca.pem")).unwrap());
    let identity = Identity::from_pem(
        std::fs::read(tls_file("client.pem")).unwrap(),
        std::fs::read(tls_file("client.key")).unwrap(),
    );
    let with_cert = Channel::from_shared(format!("https://localhost:{port}"))
        .unwrap()
        .tls_config(
            ClientTlsConfig::new()
                .ca_certificate(ca.clone())
                .identity(identity)
                .domain_name("localhost"),
        )
        .unwrap()
        .connect_lazy();
    serving(&with_cert).await;
    let found = ScreeningClient::new(with_cert)
        .screen(ScreenRequest {
            name: "Kharon".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert!(!found.matches.is_empty());

    // Without a client certificate the handshake is refused.
    let without = Channel::from_shared(format!("https://localhost:{port}"))
        .unwrap()
        .tls_config(
            ClientTlsConfig::new()
                .ca_certificate(ca)
                .domain_name("localhost"),
        )
        .unwrap()
        .connect_lazy();
    let refused = ScreeningClient::new(without)
        .screen(ScreenRequest {
            name: "Kharon".into(),
            ..Default::default()
        })
        .await;
    assert!(refused.is_err(), "a client without a certificate got in");
    // Plaintext to a TLS port fails too.
    let plaintext = ScreeningClient::new(plain(([127, 0, 0, 1], port).into()).await)
        .screen(ScreenRequest {
            name: "Kharon".into(),
            ..Default::default()
        })
        .await;
    assert!(plaintext.is_err());
}
