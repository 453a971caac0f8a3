//! What the browser knows about the signed-in user.

use super::authz::{authorize, Action, Actor, Decision, Resource};
use super::ids::OrgId;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub user_name: String,
    pub upn: String,
    pub org_name: String,
    pub actor: Actor,
}

impl SessionView {
    pub fn org(&self) -> OrgId {
        self.actor.org
    }

    /// Whether to offer an action in the user's own organisation: organisation-wide actions need
    /// a grant over all rooms, the others a grant over any rooms (the page then lists only those).
    /// Only for showing and hiding: the server decides again on every request.
    pub fn may(&self, action: Action) -> bool {
        let org = self.actor.org;
        let resource = if action.is_org_wide() {
            Resource::Org(org)
        } else {
            Resource::SomeRooms(org)
        };
        authorize(&self.actor, action, &resource) == Decision::Allow
    }

    /// Whether an action is allowed on the organisation as a whole (for example renaming an
    /// update ring, which changes it for every room in it).
    pub fn may_org_wide(&self, action: Action) -> bool {
        authorize(&self.actor, action, &Resource::Org(self.actor.org)) == Decision::Allow
    }

    pub fn has_partner_mode(&self) -> bool {
        self.actor.org_manages_customers
    }

    pub fn may_any(&self, actions: &[Action]) -> bool {
        actions.iter().any(|a| self.may(*a))
    }
}
