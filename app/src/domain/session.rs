//! What the browser knows about the signed-in user.

use super::authz::{Action, Actor, Decision, Resource};
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

    /// Whether to offer an action in the user's own organisation. Only for showing and hiding:
    /// the server decides again on every request.
    pub fn may(&self, action: super::authz::Action) -> bool {
        super::authz::authorize(&self.actor, action, &Resource::Org(self.actor.org))
            == Decision::Allow
    }

    pub fn has_partner_mode(&self) -> bool {
        self.actor.org_manages_customers
    }

    pub fn may_any(&self, actions: &[Action]) -> bool {
        actions.iter().any(|a| self.may(*a))
    }
}
