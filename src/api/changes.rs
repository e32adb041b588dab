//! `watchlist.v1.Changes`: the resumable change stream.

use super::{convert, Shared, SubscriberGuard, SubscriberInfo};
use crate::core::changes::{Delivery, Filter};
use crate::core::Error;
use crate::proto::v1::{self as pb, changes_server::Changes};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::SystemTime;
use tokio_stream::{wrappers::ReceiverStream, Stream, StreamExt};
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
        let guard = SubscriberGuard {
            id,
            shared: Arc::clone(&shared),
            fell_behind: AtomicBool::new(false),
        };
        if shared.subscribers.len() > shared.limits.max_subscribers {
            return Err(Error::ResourceExhausted(format!(
                "this server already serves its maximum of {} subscribers; retry later or raise --max-subscribers",
                shared.limits.max_subscribers
            ))
            .into());
        }
        let filter = Filter {
            lists: r.lists.into_iter().collect(),
            imposed_by: imposed_by.into_iter().collect(),
        };
        let rx = shared.store.log().subscribe(
            r.from_sequence,
            filter,
            shared.limits.heartbeat,
            shared.limits.subscriber_buffer,
            shared.shutdown.clone(),
        )?;
        tracing::info!(subscriber = id, "subscribed");
        let stream = ReceiverStream::new(rx).map(move |item| {
            let _registered = &guard; // dropped with the stream: unregisters the subscriber
            match item {
                Ok(delivery) => {
                    if matches!(delivery, Delivery::Change(_)) {
                        guard.shared.metrics.event_sent();
                    }
                    Ok(convert::delivery(&delivery, &guard.shared.store.snapshot()))
                }
                Err(error) => {
                    guard.fell_behind.store(true, Ordering::Relaxed);
                    Err(Status::from(error))
                }
            }
        });
        Ok(Response::new(Box::pin(stream)))
    }
}
