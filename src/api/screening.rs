//! `watchlist.v1.Screening`: unary and streamed screening.

use super::{convert, Shared};
use crate::core::matching::ALGORITHM_VERSION;
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
/// Items of one stream screened at the same time (each on the runtime's worker threads).
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

/// What the reader of a stream hands the writer, in order.
enum Pending {
    Item(tokio::task::JoinHandle<pb::ScreenResponse>),
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
            response.matches.iter().map(|m| m.band.as_str()),
        ),
        Err(_) => shared.metrics.screened(rpc, "error", 0.0, []),
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
        // Screened inline on the runtime: the input limits bound what one screen costs (the
        // worst accepted input takes under 2 ms at 100k names), so no call waits long behind
        // another. Admission control (one screen per core, a spare worker) was measured: it
        // cut health-check p99 under four worst-case callers but cost 10–25 % of gRPC
        // throughput, so it was left out.
        let response = screen_one(&self.shared, "screen", request.get_ref())?;
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
                let task = tokio::spawn(async move { screen_item(&shared, request) });
                if pending_tx.send(Pending::Item(task)).await.is_err() {
                    return;
                }
            }
        });
        tokio::spawn(async move {
            while let Some(pending) = pending_rx.recv().await {
                let response = match pending {
                    Pending::Item(task) => match task.await {
                        Ok(response) => Ok(response),
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
