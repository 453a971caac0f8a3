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
    /// The customers the user works on (holds a partner role for), by name: the tenant switcher.
    /// `actor` holds the partnership of the customer the session was asked about, if any.
    pub customers: Vec<(OrgId, String)>,
}

impl SessionView {
    pub fn org(&self) -> OrgId {
        self.actor.org
    }

    /// Whether to offer an action in the user's own organisation: organisation-wide actions need
    /// a grant over all rooms, the others a grant over any rooms (the page then lists only those).
    /// Only for showing and hiding: the server decides again on every request.
    pub fn may(&self, action: Action) -> bool {
        self.may_in(self.actor.org, action)
    }

    /// Whether to offer an action in `org`: the user's own organisation or a customer. A
    /// partner's roles in a customer are those of its relationship.
    pub fn may_in(&self, org: OrgId, action: Action) -> bool {
        let resource = match self.actor.partnership(org) {
            Some(p) if matches!(action, Action::ViewRoles | Action::ModifyRoles) => {
                Resource::Relationship {
                    org,
                    relationship: p.relationship,
                }
            }
            _ if action.is_org_wide() => Resource::Org(org),
            _ => Resource::SomeRooms(org),
        };
        authorize(&self.actor, action, &resource) == Decision::Allow
    }

    /// Whether an action is allowed on organisation `org` as a whole (for example renaming an
    /// update ring, which changes it for every room in it).
    pub fn may_org_wide(&self, org: OrgId, action: Action) -> bool {
        authorize(&self.actor, action, &Resource::Org(org)) == Decision::Allow
    }

    pub fn has_partner_mode(&self) -> bool {
        self.actor.org_manages_customers
    }

    pub fn may_any(&self, actions: &[Action]) -> bool {
        actions.iter().any(|a| self.may(*a))
    }
}
