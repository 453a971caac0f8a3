//! The pages of each mode, with the action that opens them. Navigation shows a page only when
//! the session may do its action; the page's server functions check again.

use crate::domain::authz::Action;

/// (label, path, action needed, one-line description)
pub type NavEntry = (&'static str, &'static str, Action, &'static str);

pub const CUSTOMER_PAGES: &[NavEntry] = &[
    (
        "Administrators",
        "/settings/administrators",
        Action::ViewAdministrators,
        "Global admins and Managed Service Administrators of your organisation.",
    ),
    (
        "Security groups",
        "/settings/security-groups",
        Action::ViewSecurityGroups,
        "Named sets of your users, to give roles to many people at once.",
    ),
];

pub const PARTNER_PAGES: &[NavEntry] = &[(
    "Tenant managers",
    "/partner/tenant-managers",
    Action::ViewTenantManagers,
    "The people who see and accept customers' invitations.",
)];
