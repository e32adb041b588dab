//! `spawn_server` and small helpers shared by the integration tests.

use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::oneshot;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};
use tonic_health::pb::{
    health_check_response::ServingStatus, health_client::HealthClient, HealthCheckRequest,
};
use watchlist::core::import::Imported;
use watchlist::core::model::Entity as ImportedEntity;
use watchlist::proto::v1::{
    admin_client::AdminClient, catalog_client::CatalogClient, changes_client::ChangesClient,
    screening_client::ScreeningClient, ListSourcesRequest, ListSourcesResponse,
};
use watchlist::server::Settings;

pub const TOKEN: &str = "test-token-7f3a";

pub fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// A running server; dropping it (or calling `stop`) shuts it down.
pub struct TestServer {
    pub addr: std::net::SocketAddr,
    pub channel: Channel,
    stop: Option<oneshot::Sender<()>>,
    pub handle: tokio::task::JoinHandle<()>,
}

impl TestServer {
    pub fn screening(&self) -> ScreeningClient<Channel> {
        ScreeningClient::new(self.channel.clone())
    }
    pub fn catalog(&self) -> CatalogClient<Channel> {
        CatalogClient::new(self.channel.clone())
    }
    pub fn changes(&self) -> ChangesClient<Channel> {
        ChangesClient::new(self.channel.clone())
    }
    pub fn admin(&self) -> AdminClient<Channel> {
        AdminClient::new(self.channel.clone())
    }
    /// `Catalog/ListSources`: every list and the current sequence.
    pub async fn sources(&self) -> ListSourcesResponse {
        self.catalog()
            .list_sources(ListSourcesRequest {})
            .await
            .unwrap()
            .into_inner()
    }
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts a server on the bundled seeds with the admin token set; `tune` adjusts settings.
pub async fn spawn_server(tune: impl FnOnce(&mut Settings)) -> TestServer {
    let mut settings = Settings::new(seeds_dir());
    settings.admin_token = Some(TOKEN.parse().unwrap());
    settings.drain = Duration::from_secs(2);
    settings.shutdown_grace = Duration::ZERO;
    tune(&mut settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        watchlist::server::run(listener, settings, async {
            let _ = stop_rx.await;
        })
        .await
        .expect("server failed");
    });
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = HealthClient::new(channel.clone());
    // Up to a minute: a debug build loading a real list file while other tests run in parallel
    // on two cores has taken over 5 s.
    for _ in 0..2400 {
        let status = health
            .check(HealthCheckRequest {
                service: String::new(),
            })
            .await
            .map(|r| r.into_inner().status);
        if status.ok() == Some(ServingStatus::Serving as i32) {
            return TestServer {
                addr,
                channel,
                stop: Some(stop_tx),
                handle,
            };
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("server on {addr} never became SERVING");
}

/// Wraps a message with the admin bearer token.
pub fn authed<T>(message: T) -> Request<T> {
    with_auth(message, &format!("Bearer {TOKEN}"))
}

pub fn with_auth<T>(message: T, header: &str) -> Request<T> {
    let mut request = Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", header.parse().unwrap());
    request
}

/// Asserts a call failed with `code` and a message containing `fragment`.
pub fn expect_status<T: std::fmt::Debug>(result: Result<T, Status>, code: Code, fragment: &str) {
    match result {
        Ok(value) => panic!("expected {code:?}, got {value:?}"),
        Err(status) => {
            assert_eq!(status.code(), code, "{status:?}");
            assert!(
                status.message().contains(fragment),
                "message {:?} lacks {fragment:?}",
                status.message()
            );
        }
    }
}

/// Entities per list code of an import, in list order.
pub fn counts(imported: &Imported) -> Vec<(&str, usize)> {
    imported
        .lists
        .iter()
        .map(|(m, e)| (m.code.as_str(), e.len()))
        .collect()
}

/// The imported entity with `id`; panics listing the ids there are.
pub fn find<'a>(imported: &'a Imported, id: &str) -> &'a ImportedEntity {
    let mut all = imported.lists.iter().flat_map(|(_, e)| e);
    all.clone().find(|e| e.id == id).unwrap_or_else(|| {
        let ids: Vec<&str> = all.by_ref().map(|e| e.id.as_str()).collect();
        panic!("{id} not imported; got {ids:?}")
    })
}

/// Reads a stream past every message to how it ended (`Ok(None)` for OK), within `within`;
/// panics saying `what` outlived it otherwise.
pub async fn stream_end<T>(
    stream: &mut tonic::Streaming<T>,
    within: Duration,
    what: &str,
) -> Result<Option<T>, Status> {
    tokio::time::timeout(within, async {
        loop {
            match stream.message().await {
                Ok(Some(_)) => continue,
                other => return other,
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what} did not end within {within:?}"))
}
