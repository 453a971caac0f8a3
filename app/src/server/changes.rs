//! Which organisations' incidents just changed, for the browsers that show them live
//! (`/api/events`). A message names an organisation and nothing else: whoever listens asks
//! again through the server functions, which decide what the user may see.

use crate::domain::ids::OrgId;
use tokio::sync::broadcast;

/// The hub of one server process: changes made by this process. Streams also refresh on a
/// timer, which covers changes made by other processes sharing the database.
#[derive(Clone, Debug)]
pub struct Changes(broadcast::Sender<OrgId>);

impl Default for Changes {
    fn default() -> Self {
        // A listener that falls this far behind only misses notices, and refreshes anyway.
        Self(broadcast::channel(1024).0)
    }
}

impl Changes {
    pub fn incidents_changed(&self, org: OrgId) {
        // No listener is no error: nobody is looking.
        let _ = self.0.send(org);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<OrgId> {
        self.0.subscribe()
    }
}

/// Tells the listeners of this request's process that `org`'s incidents changed.
pub fn publish(org: OrgId) {
    if let Some(changes) = leptos::prelude::use_context::<Changes>() {
        changes.incidents_changed(org);
    }
}
