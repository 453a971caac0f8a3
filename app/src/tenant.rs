//! Which organisation the pages work on. In customer mode it is the user's own; in partner mode
//! it is the customer named in the URL (`/partner/c/<customer>/rooms`), so that a page is
//! bookmarkable, two tabs can work on two customers, and nothing about the choice is kept on the
//! server (where it would outlive a revoked relationship). The rooms, room groups, update rings
//! and roles pages read it instead of the session's organisation and are the same pages in
//! both modes; the server decides again on every request from the `org` it is sent.

use crate::domain::ids::OrgId;
use crate::domain::session::SessionView;
use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    pub org: OrgId,
    /// The customer's name in partner mode; `None` for the user's own organisation.
    pub customer_name: Option<String>,
    /// "" in customer mode, "/partner/c/<customer>" in partner mode.
    base: String,
}

impl Tenant {
    pub fn own(session: &SessionView) -> Self {
        Self {
            org: session.org(),
            customer_name: None,
            base: String::new(),
        }
    }

    pub fn customer(org: OrgId, name: String) -> Self {
        Self {
            org,
            customer_name: Some(name),
            base: format!("/partner/c/{org}"),
        }
    }

    /// The address of a page of this tenant: `href("/rooms")`.
    pub fn href(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// The tenant of the page being shown, with whether the session may do `action` there (for
/// showing buttons; the server decides again).
pub fn use_tenant() -> Option<(Tenant, SessionView)> {
    let session = use_context::<SessionView>()?;
    let tenant = use_context::<Tenant>().unwrap_or_else(|| Tenant::own(&session));
    Some((tenant, session))
}
