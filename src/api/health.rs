//! `grpc.health.v1.Health`: tonic-health's service, with one difference: a `Watch` stream ends
//! with `UNAVAILABLE` when the server stops, instead of holding shutdown open until the drain
//! limit (tonic-health's streams only end when their client goes).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::watch;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};
use tonic_health::pb::health_server::Health;
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};
use tonic_health::server::HealthReporter;

#[derive(Debug)]
pub struct HealthService {
    inner: tonic_health::server::HealthService,
    stop: watch::Receiver<bool>,
}

impl HealthService {
    /// Serves the statuses `reporter` sets; open watches end when `stop` turns true.
    pub fn new(reporter: HealthReporter, stop: watch::Receiver<bool>) -> Self {
        HealthService {
            inner: tonic_health::server::HealthService::from_health_reporter(reporter),
            stop,
        }
    }
}

#[tonic::async_trait]
impl Health for HealthService {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        self.inner.check(request).await
    }

    type WatchStream =
        Pin<Box<dyn Stream<Item = Result<HealthCheckResponse, Status>> + Send + 'static>>;

    async fn watch(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        let statuses = self.inner.watch(request).await?.into_inner();
        let mut stop = self.stop.clone();
        let stopped = Box::pin(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        });
        Ok(Response::new(Box::pin(UntilStopped {
            statuses: Box::pin(statuses),
            stopped: Some(stopped),
        })))
    }
}

/// The statuses of a watch until the server stops, then `UNAVAILABLE`, then nothing.
struct UntilStopped<S> {
    statuses: Pin<Box<S>>,
    /// `None` once the end was sent.
    stopped: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

impl<S: Stream<Item = Result<HealthCheckResponse, Status>>> Stream for UntilStopped<S> {
    type Item = Result<HealthCheckResponse, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(stopped) = self.stopped.as_mut() else {
            return Poll::Ready(None);
        };
        if stopped.as_mut().poll(cx).is_ready() {
            self.stopped = None;
            return Poll::Ready(Some(Err(Status::unavailable(
                "the server is shutting down; watch again (another replica, or this one after its restart)",
            ))));
        }
        self.statuses.as_mut().poll_next(cx)
    }
}
