//! The pages of each mode, with the action that opens them. Navigation shows a page only when
//! the session may do its action; the page's server functions check again.

use crate::domain::authz::Action;

/// (label, path, action needed, one-line description)
pub type NavEntry = (&'static str, &'static str, Action, &'static str);

/// Customer mode; pages under `/settings` are listed under *Settings*.
pub const CUSTOMER_PAGES: &[NavEntry] = &[
    (
        "Rooms",
        "/rooms",
        Action::ViewRooms,
        "The rooms you manage: health, enrollment, update rings and the enrollment key.",
    ),
    (
        "Room groups",
        "/room-groups",
        Action::ViewRoomGroups,
        "Named sets of rooms, by hand or by country/region and site.",
    ),
    (
        "Update rings",
        "/update-rings",
        Action::ViewUpdateRings,
        "When rooms take software updates: rings and their deferral.",
    ),
    (
        "Incidents & tickets",
        "/incidents",
        Action::ViewTickets,
        "What went wrong in your rooms, and the tickets people work on.",
    ),
    (
        "Reports",
        "/reports",
        Action::ViewReports,
        "Health now, incidents over time, and each room's availability.",
    ),
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
    (
        "Roles",
        "/settings/roles",
        Action::ViewRoles,
        "Built-in and custom roles, and who holds them over which rooms.",
    ),
    (
        "Partners",
        "/settings/partners",
        Action::ViewPartners,
        "Partners that manage some of your rooms, their roles, invitations.",
    ),
    (
        "Approvals",
        "/settings/approvals",
        Action::ViewPartners,
        "Partners' changes waiting for your approval, and past decisions.",
    ),
    (
        "General",
        "/settings/general",
        Action::ViewSettings,
        "Service settings: notifications, maintenance window, offline threshold.",
    ),
    (
        "Audit logs",
        "/settings/audit-logs",
        Action::ViewAuditLog,
        "Every change and refused attempt, on screen and as a CSV export.",
    ),
];

pub const PARTNER_PAGES: &[NavEntry] = &[
    (
        "Tenants",
        "/partner/tenants",
        Action::ViewTenants,
        "Your customers and their invitations: accept, deny, primary admins.",
    ),
    (
        "Tenant managers",
        "/partner/tenant-managers",
        Action::ViewTenantManagers,
        "The people who see and accept customers' invitations.",
    ),
];

/// What a partner user works on for one customer, under `/partner/c/<customer>`: the customer
/// mode pages, showing and allowing what the user's partner roles give inside the relationship.
pub const TENANT_PAGES: &[NavEntry] = &[
    (
        "Rooms",
        "/rooms",
        Action::ViewRooms,
        "The customer's rooms in your scope.",
    ),
    (
        "Change requests",
        "/requests",
        Action::ViewRooms,
        "Your changes waiting for the customer's approval, and their decisions.",
    ),
    (
        "Room groups",
        "/room-groups",
        Action::ViewRoomGroups,
        "The customer's room groups in your scope.",
    ),
    (
        "Update rings",
        "/update-rings",
        Action::ViewUpdateRings,
        "When the customer's rooms take updates.",
    ),
    (
        "Incidents & tickets",
        "/incidents",
        Action::ViewTickets,
        "The customer's incidents in your scope, and their tickets.",
    ),
    (
        "Reports",
        "/reports",
        Action::ViewReports,
        "Health, incidents and availability of the customer's rooms in your scope.",
    ),
    (
        "Roles",
        "/settings/roles",
        Action::ViewRoles,
        "Your organisation's partner roles for this customer: Primary admins and custom roles.",
    ),
];

/// Whether a link to `href` is the open page's, or (unless `exact`) one of its ancestors': the
/// sidebar's `aria-current`, decided as the router's `<A>` decides it (`/settings/roles` for
/// `/settings/roles/new` too).
pub fn is_current(href: &str, path: &str, exact: bool) -> bool {
    if exact {
        return path == href;
    }
    let mut segments = href.split('/');
    path.split('/')
        .zip(segments.by_ref())
        .enumerate()
        .all(|(i, (here, there))| here == there || there.is_empty() && i > 1)
        && matches!(segments.next(), None | Some(""))
}

#[cfg(test)]
mod tests {
    use super::is_current;

    #[test]
    fn a_link_is_current_on_its_page_and_below_it_unless_exact() {
        assert!(is_current("/settings/roles", "/settings/roles", false));
        assert!(is_current("/settings/roles", "/settings/roles/new", false));
        assert!(!is_current("/settings/roles", "/settings/roles-old", false));
        assert!(!is_current("/settings/roles", "/settings", false));
        assert!(!is_current("/rooms", "/room-groups", false));
        assert!(is_current("/", "/", true));
        assert!(!is_current("/", "/rooms", true));
        assert!(!is_current("/partner", "/partner/tenants", true));
        assert!(is_current(
            "/partner/c/7/rooms",
            "/partner/c/7/rooms",
            false
        ));
        assert!(!is_current(
            "/partner/c/7/rooms",
            "/partner/c/8/rooms",
            false
        ));
    }
}
