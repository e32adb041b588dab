//! `watchlist.v1.Watches`: standing watches over a client's book. The interceptor
//! (`auth::Auth`, role `watch`) puts the calling client in the request's extensions; every
//! call acts on that client's watches only. Party names are never logged at `info`.

use super::auth::Client;
use super::changes::open;
use super::{convert, deadline, Shared};
use crate::core::watches::Watches;
use crate::core::Error;
use crate::proto::v1::{self as pb, watches_server::Watches as WatchesApi};
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::watch;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

#[derive(Debug, Clone)]
pub struct WatchesService {
    shared: Arc<Shared>,
    watches: Arc<Watches>,
}

impl WatchesService {
    pub fn new(shared: Arc<Shared>, watches: Arc<Watches>) -> Self {
        WatchesService { shared, watches }
    }

    fn latest(&self) -> u64 {
        self.shared.store.log().latest()
    }
}

/// The client the interceptor authenticated.
fn caller<T>(request: &Request<T>) -> Result<Arc<Client>, Status> {
    request
        .extensions()
        .get::<Arc<Client>>()
        .cloned()
        .ok_or_else(|| Status::unauthenticated("no client credentials"))
}

/// Runs screening work off the runtime's workers: a book can hold a million parties.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> crate::core::Result<T> + Send + 'static,
) -> Result<T, Status> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Status::from(Error::Internal(format!("watch task failed: {e}"))))?
        .map_err(Status::from)
}

#[tonic::async_trait]
impl WatchesApi for WatchesService {
    type AlertsStream = Pin<Box<dyn Stream<Item = Result<pb::Alert, Status>> + Send + 'static>>;

    #[tracing::instrument(skip_all, fields(parties = request.get_ref().parties.len()))]
    async fn create_watch(
        &self,
        request: Request<pb::CreateWatchRequest>,
    ) -> Result<Response<pb::Watch>, Status> {
        let client = caller(&request)?;
        let r = request.into_inner();
        let new = convert::new_watch(&r);
        let parties = convert::parties(r.parties)?;
        let snapshot = self.shared.snapshot()?;
        let watches = Arc::clone(&self.watches);
        let info = blocking(move || watches.create(&client.id, new, parties, &snapshot)).await?;
        tracing::info!(watch = %info.id, parties = info.parties, hits = info.hits, "watch created");
        Ok(Response::new(convert::watch(&info, self.latest())))
    }

    #[tracing::instrument(skip_all, fields(watch = %request.get_ref().watch_id))]
    async fn add_parties(
        &self,
        request: Request<pb::AddPartiesRequest>,
    ) -> Result<Response<pb::Watch>, Status> {
        let client = caller(&request)?;
        let r = request.into_inner();
        let parties = convert::parties(r.parties)?;
        let snapshot = self.shared.snapshot()?;
        let watches = Arc::clone(&self.watches);
        let info =
            blocking(move || watches.add_parties(&client.id, &r.watch_id, parties, &snapshot))
                .await?;
        Ok(Response::new(convert::watch(&info, self.latest())))
    }

    #[tracing::instrument(skip_all, fields(watch = %request.get_ref().watch_id))]
    async fn remove_parties(
        &self,
        request: Request<pb::RemovePartiesRequest>,
    ) -> Result<Response<pb::Watch>, Status> {
        let client = caller(&request)?;
        let r = request.into_inner();
        let watches = Arc::clone(&self.watches);
        let info = blocking(move || watches.remove_parties(&client.id, &r.watch_id, &r.references))
            .await?;
        Ok(Response::new(convert::watch(&info, self.latest())))
    }

    async fn get_watch(
        &self,
        request: Request<pb::GetWatchRequest>,
    ) -> Result<Response<pb::Watch>, Status> {
        let client = caller(&request)?;
        let info = self.watches.get(&client.id, &request.get_ref().watch_id)?;
        Ok(Response::new(convert::watch(&info, self.latest())))
    }

    async fn list_watches(
        &self,
        request: Request<pb::ListWatchesRequest>,
    ) -> Result<Response<pb::ListWatchesResponse>, Status> {
        let client = caller(&request)?;
        let r = request.get_ref();
        let (watches, next_page_token) =
            self.watches.list(&client.id, r.page_size, &r.page_token)?;
        let latest = self.latest();
        Ok(Response::new(pb::ListWatchesResponse {
            watches: watches.iter().map(|w| convert::watch(w, latest)).collect(),
            next_page_token,
        }))
    }

    async fn delete_watch(
        &self,
        request: Request<pb::DeleteWatchRequest>,
    ) -> Result<Response<pb::DeleteWatchResponse>, Status> {
        let client = caller(&request)?;
        let id = &request.get_ref().watch_id;
        let parties = self.watches.delete(&client.id, id)?;
        tracing::info!(watch = %id, parties, "watch deleted");
        Ok(Response::new(pb::DeleteWatchResponse {
            party_count: parties as u64,
        }))
    }

    async fn list_hits(
        &self,
        request: Request<pb::ListHitsRequest>,
    ) -> Result<Response<pb::ListHitsResponse>, Status> {
        let client = caller(&request)?;
        let r = request.get_ref();
        let page = self
            .watches
            .hits(&client.id, &r.watch_id, r.page_size, &r.page_token)?;
        let snapshot = self.shared.store.snapshot();
        Ok(Response::new(pb::ListHitsResponse {
            hits: page
                .hits
                .iter()
                .map(|h| convert::watch_hit(h, &snapshot))
                .collect(),
            next_page_token: page.next_page_token,
            sequence: page.sequence,
            last_alert: page.last_alert,
        }))
    }

    async fn decide_hit(
        &self,
        request: Request<pb::DecideHitRequest>,
    ) -> Result<Response<pb::WatchHit>, Status> {
        let client = caller(&request)?;
        let r = request.into_inner();
        let decision = convert::decision("decision", r.decision)?;
        let view = self.watches.decide(
            &client.id,
            &r.watch_id,
            &r.party_reference,
            &r.entity_id,
            decision,
            r.note,
        )?;
        Ok(Response::new(convert::watch_hit(
            &view,
            &self.shared.store.snapshot(),
        )))
    }

    #[tracing::instrument(skip_all, fields(watch = %request.get_ref().watch_id))]
    async fn alerts(
        &self,
        request: Request<pb::AlertsRequest>,
    ) -> Result<Response<Self::AlertsStream>, Status> {
        let client = caller(&request)?;
        let deadline = deadline(request.metadata());
        let r = request.into_inner();
        let log = self.watches.alerts(&client.id, &r.watch_id)?;
        let shared = Arc::clone(&self.shared);
        let stream = open(
            &self.shared,
            &log,
            r.from_alert,
            |_| true,
            deadline,
            "call Alerts again with from_alert",
            Box::new(move |delivery| convert::alert(delivery, &shared.store.snapshot())),
        )?;
        Ok(Response::new(Box::pin(stream)))
    }
}

/// How often the evaluator looks for a merge that rebuilt the base while no change came.
const MERGE_CHECK: std::time::Duration = std::time::Duration::from_secs(2);

/// Keeps every watch current: woken by each append to the change log (and now and then, for
/// a merge's new base), it evaluates what changed for every watch, off the runtime's workers.
/// The writer never waits for it.
pub async fn evaluate(shared: Arc<Shared>, watches: Arc<Watches>, mut stop: watch::Receiver<bool>) {
    let log = Arc::clone(shared.store.log());
    let mut wake = log.wake();
    loop {
        tokio::select! {
            changed = wake.changed() => if changed.is_err() { return },
            _ = tokio::time::sleep(MERGE_CHECK) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let upto = log.latest();
        let snapshot = shared.store.snapshot();
        let (log, watches) = (Arc::clone(&log), Arc::clone(&watches));
        let started = std::time::Instant::now();
        let evaluated =
            tokio::task::spawn_blocking(move || watches.evaluate(&snapshot, &log, upto))
                .await
                .unwrap_or_else(|e| Err(Error::Internal(format!("the evaluation failed: {e}"))));
        match evaluated {
            Ok(0) => {}
            Ok(screened) => {
                let elapsed = started.elapsed();
                shared.metrics.watches_evaluated(elapsed.as_secs_f64());
                tracing::debug!(upto, screened, ?elapsed, "watches evaluated")
            }
            Err(e) => {
                // Nothing unwritten was delivered; the watches stay at their last position.
                tracing::error!(error = %e, "watches are no longer evaluated");
                return;
            }
        }
    }
}
