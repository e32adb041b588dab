//! `watchlist.v1.Catalog`: entities and lists.

use super::{convert, Shared};
use crate::core::Error;
use crate::proto::v1::{self as pb, catalog_server::Catalog};
use std::sync::Arc;
use tonic::{Request, Response, Status};

#[derive(Debug, Clone)]
pub struct CatalogService {
    shared: Arc<Shared>,
}

impl CatalogService {
    pub fn new(shared: Arc<Shared>) -> Self {
        CatalogService { shared }
    }
}

#[tonic::async_trait]
impl Catalog for CatalogService {
    #[tracing::instrument(skip_all, fields(id = %request.get_ref().id))]
    async fn get_entity(
        &self,
        request: Request<pb::GetEntityRequest>,
    ) -> Result<Response<pb::GetEntityResponse>, Status> {
        let id = &request.get_ref().id;
        if id.is_empty() {
            return Err(Error::invalid("id", "must not be empty").into());
        }
        let snapshot = self.shared.snapshot()?;
        let entity = snapshot.entities.get(id).ok_or_else(|| {
            Error::NotFound(format!(
                "no entity has the id {id:?}; ids look like \"US-BIS-EL:huawei-technologies\" (see Catalog/ListEntities)"
            ))
        })?;
        Ok(Response::new(pb::GetEntityResponse {
            entity: Some(convert::entity(entity, &snapshot)),
            sequence: snapshot.sequence,
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_entities(
        &self,
        request: Request<pb::ListEntitiesRequest>,
    ) -> Result<Response<pb::ListEntitiesResponse>, Status> {
        let r = request.get_ref();
        let filter = convert::entity_filter(r)?;
        let snapshot = self.shared.snapshot()?;
        let page = snapshot.list_entities(&filter, r.page_size, &r.page_token)?;
        Ok(Response::new(pb::ListEntitiesResponse {
            entities: page
                .entities
                .iter()
                .map(|e| convert::entity(e, &snapshot))
                .collect(),
            next_page_token: page.next_page_token,
            sequence: page.sequence,
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn list_sources(
        &self,
        _request: Request<pb::ListSourcesRequest>,
    ) -> Result<Response<pb::ListSourcesResponse>, Status> {
        let snapshot = self.shared.snapshot()?;
        Ok(Response::new(pb::ListSourcesResponse {
            lists: snapshot.lists.values().map(convert::list_info).collect(),
            sequence: snapshot.sequence,
            sources: self
                .shared
                .feeds
                .statuses()
                .iter()
                .map(convert::source_info)
                .collect(),
        }))
    }
}
