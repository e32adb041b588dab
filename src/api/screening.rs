//! `watchlist.v1.Screening`: unary and streamed screening.

use super::{convert, Shared};
use crate::core::index::ALGORITHM_VERSION;
use crate::core::Error;
use crate::proto::v1::{self as pb, screening_server::Screening};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;
use tokio_stream::{wrappers::ReceiverStream, Stream, StreamExt};
use tonic::{Request, Response, Status, Streaming};

/// Responses buffered per stream: enough to keep the pipe full, small enough that a client
/// that stops reading stops the screening too.
const STREAM_BUFFER: usize = 64;
/// Items of one stream in flight at the same time (screened on the blocking pool, as many at
/// once as `Shared::screening` admits).
const STREAM_PARALLEL: usize = 8;

#[derive(Debug, Clone)]
pub struct ScreeningService {
    shared: Arc<Shared>,
}

impl ScreeningService {
    pub fn new(shared: Arc<Shared>) -> Self {
        ScreeningService { shared }
    }
}

/// Screens one request against the current snapshot, and counts it.
/// One streamed item: its response, or its own error in the response; the stream goes on.
fn screen_item(shared: &Shared, request: pb::ScreenRequest) -> pb::ScreenResponse {
    screen_one(shared, "stream", &request).unwrap_or_else(|error| {
        let status = Status::from(error);
        pb::ScreenResponse {
            request_id: request.request_id,
            algorithm_version: ALGORITHM_VERSION.to_string(),
            error: Some(pb::ItemError {
                code: status.code() as i32,
                message: status.message().to_string(),
            }),
            ..Default::default()
        }
    })
}

/// Runs CPU-bound screening off the runtime's threads, as many at once as there are cores
/// (`Shared::screening`), so health checks and other calls keep answering however heavy the
/// screens in flight. A caller that goes away while waiting gives up its turn.
async fn screen_blocking<T: Send + 'static>(
    shared: &Arc<Shared>,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    let _permit = shared
        .screening
        .acquire()
        .await
        .map_err(|_| Error::Unavailable("the server is shutting down".into()))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::Internal(format!("a screening task failed: {e}")))
}

/// What the reader of a stream hands the writer, in order.
enum Pending {
    Item(tokio::task::JoinHandle<Result<pb::ScreenResponse, Error>>),
    /// The item at this position could not be read; the stream ends with this status.
    Unreadable(Status),
}

fn screen_one(
    shared: &Shared,
    rpc: &'static str,
    request: &pb::ScreenRequest,
) -> Result<pb::ScreenResponse, Error> {
    let started = Instant::now();
    let screened = convert::screen_request(request).and_then(|domain| {
        let snapshot = shared.snapshot()?;
        let screened = snapshot.screen(&domain, shared.limits.default_threshold)?;
        Ok(convert::screen_response(
            request.request_id.clone(),
            screened,
            &snapshot,
            ALGORITHM_VERSION,
        ))
    });
    match &screened {
        Ok(response) => shared.metrics.screened(
            rpc,
            "ok",
            started.elapsed().as_secs_f64(),
            response.matches.len(),
        ),
        Err(_) => shared.metrics.screened(rpc, "error", 0.0, 0),
    }
    screened
}

#[tonic::async_trait]
impl Screening for ScreeningService {
    #[tracing::instrument(skip_all, fields(request_id = %request.get_ref().request_id))]
    async fn screen(
        &self,
        request: Request<pb::ScreenRequest>,
    ) -> Result<Response<pb::ScreenResponse>, Status> {
        // A deadline that passes first is answered by `deadline::DeadlineLayer`.
        let shared = Arc::clone(&self.shared);
        let request = request.into_inner();
        let inner = Arc::clone(&shared);
        let response =
            screen_blocking(&shared, move || screen_one(&inner, "screen", &request)).await??;
        tracing::debug!(
            matches = response.matches.len(),
            sequence = response.sequence,
            "screened"
        );
        Ok(Response::new(response))
    }

    type ScreenStreamStream =
        Pin<Box<dyn Stream<Item = Result<pb::ScreenResponse, Status>> + Send + 'static>>;

    #[tracing::instrument(skip_all)]
    async fn screen_stream(
        &self,
        request: Request<Streaming<pb::ScreenRequest>>,
    ) -> Result<Response<Self::ScreenStreamStream>, Status> {
        let mut inbound = request.into_inner();
        let (tx, rx) = tokio::sync::mpsc::channel(STREAM_BUFFER);
        // Items are screened in parallel, up to `STREAM_PARALLEL` at a time, and answered in
        // order: the reader hands each item's task to the writer through a bounded queue.
        let (pending_tx, mut pending_rx) = tokio::sync::mpsc::channel(STREAM_PARALLEL);
        let shared = Arc::clone(&self.shared);
        tokio::spawn(async move {
            let mut read = 0u64;
            while let Some(item) = inbound.next().await {
                let request = match item {
                    Ok(request) => request,
                    Err(status) => {
                        // Say which item, after answering every item before it; never end
                        // with OK and items unanswered.
                        let code = match status.code() {
                            tonic::Code::Internal | tonic::Code::Unknown => {
                                tonic::Code::InvalidArgument
                            }
                            code => code,
                        };
                        let status = Status::new(
                            code,
                            format!(
                                "item {read} of the stream (counting from 0) could not be read: {}; \
                                 the items before it were answered, none after it was read",
                                status.message()
                            ),
                        );
                        let _ = pending_tx.send(Pending::Unreadable(status)).await;
                        return;
                    }
                };
                read += 1;
                let shared = Arc::clone(&shared);
                let task = tokio::spawn(async move {
                    let inner = Arc::clone(&shared);
                    screen_blocking(&shared, move || screen_item(&inner, request)).await
                });
                if pending_tx.send(Pending::Item(task)).await.is_err() {
                    return;
                }
            }
        });
        tokio::spawn(async move {
            while let Some(pending) = pending_rx.recv().await {
                let response = match pending {
                    Pending::Item(task) => match task.await {
                        Ok(Ok(response)) => Ok(response),
                        Ok(Err(error)) => Err(Status::from(error)),
                        Err(error) => {
                            tracing::error!(%error, "a screening task failed");
                            Err(Status::internal("screening failed; see the server log"))
                        }
                    },
                    Pending::Unreadable(status) => Err(status),
                };
                let last = response.is_err();
                if tx.send(response).await.is_err() || last {
                    return;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}
