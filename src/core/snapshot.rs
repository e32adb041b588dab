//! One consistent version of everything a reader can see: the lists with their state, the
//! entities, and the name index built from them. The store publishes a new one per commit;
//! readers (`query.rs`) and the journal read them; nothing here writes.

use super::matching::LiveIndex;
use super::model::{Entity, ListMeta};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

/// A list and its state in one snapshot.
#[derive(Debug, Clone)]
pub struct ListState {
    pub meta: Arc<ListMeta>,
    /// The id of the source that loads this list; its refreshes replace the list's content.
    pub source: String,
    pub entity_count: usize,
    pub last_change_sequence: u64,
    pub content_hash: String,
    pub loaded_at: SystemTime,
}

/// One consistent version of everything a reader can see.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The sequence of the last change included.
    pub sequence: u64,
    pub lists: BTreeMap<String, ListState>,
    /// Persistent maps (shared structure): the next snapshot copies only what a commit
    /// changes.
    pub entities: imbl::OrdMap<String, Arc<Entity>>,
    /// Ids of entities last written through the admin API: a source's refresh never removes
    /// them (it replaces one, and takes it back, only if its own file names that id).
    pub admin: imbl::OrdSet<String>,
    /// The entities of each list, by id: a source's refresh reads its own lists' members, not
    /// every entity.
    pub members: imbl::OrdMap<String, imbl::OrdSet<Member>>,
    pub index: LiveIndex,
}

/// An entity as a member of its list, ordered by id (the set shares the entity, not a copy).
#[derive(Debug, Clone)]
pub struct Member(pub Arc<Entity>);

impl PartialEq for Member {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}

impl Eq for Member {}

impl PartialOrd for Member {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Member {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.id.cmp(&other.0.id)
    }
}

impl std::borrow::Borrow<str> for Member {
    fn borrow(&self) -> &str {
        &self.0.id
    }
}

/// The members of each list of `entities`.
pub fn members<'a>(
    entities: impl Iterator<Item = &'a Arc<Entity>>,
) -> imbl::OrdMap<String, imbl::OrdSet<Member>> {
    let mut members: imbl::OrdMap<String, imbl::OrdSet<Member>> = imbl::OrdMap::new();
    for entity in entities {
        members
            .entry(entity.list.clone())
            .or_default()
            .insert(Member(Arc::clone(entity)));
    }
    members
}

pub fn unknown_list_message(snapshot: &Snapshot, code: &str) -> String {
    let known: Vec<&str> = snapshot.lists.keys().map(String::as_str).collect();
    format!(
        "unknown list code {code:?}; known lists: {} (see Catalog/ListSources)",
        known.join(", ")
    )
}
