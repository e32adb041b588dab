//! `watchlist.v1.Changes`: the resumable change stream.

use super::{convert, deadline, Shared, SubscriberGuard, SubscriberInfo};
use crate::core::changes::{Delivery, EndReason, Ending, Filter, SubscribeOptions};
use crate::core::Error;
use crate::proto::v1::{self as pb, changes_server::Changes};
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;
use tokio::sync::mpsc;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

#[derive(Debug, Clone)]
pub struct ChangesService {
    shared: Arc<Shared>,
}

impl ChangesService {
    pub fn new(shared: Arc<Shared>) -> Self {
        ChangesService { shared }
    }
}

#[tonic::async_trait]
impl Changes for ChangesService {
    type SubscribeStream =
        Pin<Box<dyn Stream<Item = Result<pb::ChangeEvent, Status>> + Send + 'static>>;

    #[tracing::instrument(skip_all, fields(from = ?request.get_ref().from_sequence))]
    async fn subscribe(
        &self,
        request: Request<pb::SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        let deadline = deadline(request.metadata());
        let r = request.into_inner();
        let imposed_by: Vec<String> = r
            .imposed_by
            .iter()
            .map(|c| c.trim().to_ascii_uppercase())
            .collect();
        let snapshot = self.shared.snapshot()?;
        // Validates list codes and countries; the filter itself matches on the raw values.
        snapshot.scope(&r.lists, &imposed_by)?;
        let shared = Arc::clone(&self.shared);
        let id = shared.next_subscriber.fetch_add(1, Ordering::Relaxed);
        shared.subscribers.insert(
            id,
            SubscriberInfo {
                since: SystemTime::now(),
                from_sequence: r.from_sequence,
            },
        );
        if shared.subscribers.len() > shared.limits.max_subscribers {
            // Never admitted: not a disconnect.
            shared.subscribers.remove(&id);
            return Err(Error::ResourceExhausted(format!(
                "this server already serves its maximum of {} subscribers; retry later or raise --max-subscribers",
                shared.limits.max_subscribers
            ))
            .into());
        }
        let ending = Ending::default();
        let guard = SubscriberGuard {
            id,
            shared: Arc::clone(&shared),
            ending: ending.clone(),
        };
        let filter = Filter {
            lists: r.lists.into_iter().collect(),
            imposed_by: imposed_by.into_iter().collect(),
        };
        let log = shared.store.log();
        let start = log.start(r.from_sequence);
        let (deliveries, task) = log.subscribe(
            start,
            filter,
            SubscribeOptions {
                heartbeat: shared.limits.heartbeat,
                buffer: shared.limits.subscriber_buffer,
                stall: shared.limits.subscriber_stall,
                deadline,
            },
            shared.shutdown.clone(),
            ending.clone(),
            guard,
        )?;
        tokio::spawn(task);
        tracing::info!(subscriber = id, "subscribed");
        Ok(Response::new(Box::pin(Deliveries {
            deliveries,
            ending,
            shared,
            position: start,
            ended: false,
        })))
    }
}

/// The stream a subscriber reads: its deliveries in order, then, if the server ended the
/// subscription, one last status that says why and where to resume.
struct Deliveries {
    deliveries: mpsc::Receiver<crate::core::Result<Delivery>>,
    ending: Ending,
    shared: Arc<Shared>,
    /// The sequence this stream has delivered up to: where the client resumes.
    position: u64,
    ended: bool,
}

impl Stream for Deliveries {
    type Item = Result<pb::ChangeEvent, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        match self.deliveries.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(delivery))) => {
                match &delivery {
                    Delivery::Change(change) => {
                        self.position = change.sequence;
                        self.shared.metrics.event_sent();
                    }
                    Delivery::Heartbeat { sequence, .. } => self.position = *sequence,
                }
                let event = convert::delivery(&delivery, &self.shared.store.snapshot());
                Poll::Ready(Some(Ok(event)))
            }
            Poll::Ready(Some(Err(error))) => {
                self.ended = true;
                Poll::Ready(Some(Err(Status::from(error))))
            }
            Poll::Ready(None) => {
                self.ended = true;
                Poll::Ready(self.ending.get().map(|(reason, error)| {
                    let status = Status::from(error);
                    if reason == EndReason::FellBehind {
                        return Err(status); // its message says how to recover
                    }
                    Err(Status::new(
                        status.code(),
                        format!(
                            "{}; this stream delivered everything up to sequence {}: subscribe again with from_sequence = {}",
                            status.message(),
                            self.position,
                            self.position
                        ),
                    ))
                }))
            }
        }
    }
}
