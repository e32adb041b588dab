//! `watchlist.v1.Admin`: authenticated mutations. Authentication happens in the interceptor
//! (`auth::AdminAuth`) before any handler runs.

use super::{convert, Shared};
use crate::core::store::{Outcome, Store};
use crate::core::{Error, Result};
use crate::proto::v1::{self as pb, admin_server::Admin};
use std::sync::Arc;
use tonic::{Request, Response, Status};

#[derive(Debug, Clone)]
pub struct AdminService {
    shared: Arc<Shared>,
}

impl AdminService {
    pub fn new(shared: Arc<Shared>) -> Self {
        AdminService { shared }
    }

    /// Runs a mutation on a blocking thread: rebuilding the index is CPU work that must not
    /// stall the async workers serving screens.
    async fn mutate(
        &self,
        what: &'static str,
        f: impl FnOnce(&Store) -> Result<Outcome> + Send + 'static,
    ) -> Result<Response<pb::MutationResponse>, Status> {
        self.shared.snapshot()?; // refuse writes until the data is loaded
        let store = Arc::clone(&self.shared.store);
        let outcome = tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| Error::Internal(format!("{what} task failed: {e}")))
            .and_then(|r| r);
        self.shared
            .metrics
            .admin(what, if outcome.is_ok() { "ok" } else { "error" });
        let outcome = outcome?;
        tracing::info!(
            what,
            sequence = outcome.sequence,
            added = outcome.added,
            updated = outcome.updated,
            removed = outcome.removed,
            "admin mutation"
        );
        Ok(Response::new(convert::outcome(outcome)))
    }
}

#[tonic::async_trait]
impl Admin for AdminService {
    #[tracing::instrument(skip_all, fields(count = request.get_ref().entities.len()))]
    async fn upsert_entities(
        &self,
        request: Request<pb::UpsertEntitiesRequest>,
    ) -> Result<Response<pb::MutationResponse>, Status> {
        let entities = convert::entities_from_proto(request.into_inner().entities, None)?;
        if entities.is_empty() {
            return Err(Error::invalid("entities", "give at least one entity").into());
        }
        self.mutate("upsert", move |store| store.upsert(entities))
            .await
    }

    #[tracing::instrument(skip_all, fields(count = request.get_ref().ids.len()))]
    async fn remove_entities(
        &self,
        request: Request<pb::RemoveEntitiesRequest>,
    ) -> Result<Response<pb::MutationResponse>, Status> {
        let ids = request.into_inner().ids;
        if ids.is_empty() {
            return Err(Error::invalid("ids", "give at least one id").into());
        }
        self.mutate("remove", move |store| store.remove(&ids)).await
    }

    #[tracing::instrument(skip_all, fields(list = %request.get_ref().list_code))]
    async fn replace_source(
        &self,
        request: Request<pb::ReplaceSourceRequest>,
    ) -> Result<Response<pb::MutationResponse>, Status> {
        let r = request.into_inner();
        if r.list_code.is_empty() {
            return Err(Error::invalid("list_code", "must name the list to replace").into());
        }
        let entities = convert::entities_from_proto(r.entities, Some(&r.list_code))?;
        let code = r.list_code;
        self.mutate("replace_source", move |store| {
            store.replace_list(&code, entities)
        })
        .await
    }

    #[tracing::instrument(skip_all, fields(source = %request.get_ref().source_id))]
    async fn reload_source(
        &self,
        request: Request<pb::ReloadSourceRequest>,
    ) -> Result<Response<pb::ReloadSourceResponse>, Status> {
        let r = request.into_inner();
        if r.source_id.is_empty() {
            return Err(Error::invalid(
                "source_id",
                "must name a source (see Catalog/ListSources)",
            )
            .into());
        }
        self.shared.snapshot()?; // the first load must finish before a reload
        let refreshed = self.shared.feeds.reload(&r.source_id, r.force).await;
        self.shared.metrics.admin(
            "reload_source",
            if refreshed.is_ok() { "ok" } else { "error" },
        );
        let refreshed = refreshed?;
        tracing::info!(
            changed = refreshed.changed,
            sequence = refreshed.outcome.sequence,
            added = refreshed.outcome.added,
            updated = refreshed.outcome.updated,
            removed = refreshed.outcome.removed,
            force = r.force,
            "source reloaded"
        );
        Ok(Response::new(convert::refreshed(&refreshed)))
    }
}
