//! `watchlist.v1.Changes`: the resumable change stream.

use super::{convert, deadline, Shared, SubscriberGuard, SubscriberInfo};
use crate::core::changes::{Delivery, EndReason, Ending, Entry, Filter, Log, SubscribeOptions};
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
        let filter = Filter {
            lists: r.lists.into_iter().collect(),
            imposed_by: imposed_by.into_iter().collect(),
        };
        let shared = Arc::clone(&self.shared);
        let stream = open(
            &self.shared,
            self.shared.store.log(),
            r.from_sequence,
            move |change| filter.accepts(change),
            deadline,
            "subscribe again with from_sequence",
            Box::new(move |delivery| {
                if let Delivery::Change(_) = delivery {
                    shared.metrics.event_sent();
                }
                convert::delivery(delivery, &shared.store.snapshot())
            }),
        )?;
        Ok(Response::new(Box::pin(stream)))
    }
}

/// A subscription to `log` from `from` (see `Log::start`), admitted within
/// `--max-subscribers`, its task spawned: the stream the client reads, each delivery turned
/// into what it receives by `event`, ending with a status that says how to `resume`.
pub(super) fn open<T: Entry, O>(
    shared: &Arc<Shared>,
    log: &Arc<Log<T>>,
    from: Option<u64>,
    filter: impl Fn(&T) -> bool + Send + 'static,
    deadline: Option<std::time::Instant>,
    resume: &'static str,
    event: ToEvent<T, O>,
) -> Result<Deliveries<T, O>, Status> {
    let start = log.start(from);
    let (id, guard, ending) = admit(shared, from)?;
    let (deliveries, task) = log.subscribe(
        start,
        filter,
        options(shared, deadline),
        shared.shutdown.clone(),
        ending.clone(),
        guard,
    )?;
    tokio::spawn(task);
    tracing::info!(subscriber = id, "subscribed");
    Ok(Deliveries {
        deliveries,
        ending,
        position: start,
        ended: false,
        resume,
        event,
    })
}

/// Admits one more subscriber (a change or alert stream) within `--max-subscribers`: its
/// id, the guard that holds its slot while its task runs, and where its end is recorded.
fn admit(
    shared: &Arc<Shared>,
    from_sequence: Option<u64>,
) -> Result<(u64, SubscriberGuard, Ending), Status> {
    let id = shared.next_subscriber.fetch_add(1, Ordering::Relaxed);
    shared.subscribers.insert(
        id,
        SubscriberInfo {
            since: SystemTime::now(),
            from_sequence,
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
        shared: Arc::clone(shared),
        ending: ending.clone(),
    };
    Ok((id, guard, ending))
}

/// How a subscription runs: the server's heartbeat, buffer and stall limit, the caller's
/// deadline.
fn options(shared: &Shared, deadline: Option<std::time::Instant>) -> SubscribeOptions {
    SubscribeOptions {
        heartbeat: shared.limits.heartbeat,
        buffer: shared.limits.subscriber_buffer,
        stall: shared.limits.subscriber_stall,
        deadline,
    }
}

/// Turns a delivery into what the client receives.
pub(super) type ToEvent<T, O> = Box<dyn Fn(&Delivery<T>) -> O + Send>;

/// The stream a subscriber reads: its deliveries in order, then, if the server ended the
/// subscription, one last status that says why and where to resume.
pub(super) struct Deliveries<T, O> {
    deliveries: mpsc::Receiver<crate::core::Result<Delivery<T>>>,
    ending: Ending,
    /// The sequence this stream has delivered up to: where the client resumes.
    position: u64,
    ended: bool,
    /// How the client resumes, e.g. "subscribe again with from_sequence".
    resume: &'static str,
    /// A delivery as the client receives it.
    event: ToEvent<T, O>,
}

impl<T: Entry, O> Stream for Deliveries<T, O> {
    type Item = Result<O, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        match self.deliveries.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(delivery))) => {
                self.position = match &delivery {
                    Delivery::Change(entry) => entry.sequence(),
                    Delivery::Heartbeat { sequence, .. } => *sequence,
                };
                Poll::Ready(Some(Ok((self.event)(&delivery))))
            }
            Poll::Ready(Some(Err(error))) => {
                self.ended = true;
                Poll::Ready(Some(Err(Status::from(error))))
            }
            Poll::Ready(None) => {
                self.ended = true;
                Poll::Ready(self.ending.get().map(|(reason, error)| {
                    let status = Status::from(error);
                    if matches!(reason, EndReason::FellBehind | EndReason::Closed) {
                        return Err(status); // its message says how to recover, or that it is over
                    }
                    Err(Status::new(
                        status.code(),
                        format!(
                            "{}; this stream delivered everything up to sequence {}: {} = {}",
                            status.message(),
                            self.position,
                            self.resume,
                            self.position
                        ),
                    ))
                }))
            }
        }
    }
}
