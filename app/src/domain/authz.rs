//! The authorization core: the permission catalogue of the specification (section 3), the built-in
//! role matrix as data, and the one pure function that decides (actor, action, resource).
//!
//! Every server function and route that touches organisation data calls [`authorize`] before it
//! reads or writes anything but the rows needed to describe the resource. The UI may call it to
//! hide a button; only the server's call counts.

use super::ids::{OrgId, RoomGroupId, RoomId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use strum::{EnumIter, IntoEnumIterator};
// Named by the `DeriveActiveEnum` expansion of `OrgRole`.
#[cfg(feature = "ssr")]
use sea_orm::sea_query::StringLen;

/// The permission catalogue, one variant per row of the specification's table.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, EnumIter,
)]
pub enum Permission {
    RoomsView,
    RoomsModify,
    RoomsResetKey,
    RoomsDownloadKey,
    RoomsUnenroll,
    RoomsCreate,
    GroupsView,
    GroupsModify,
    GroupsCreate,
    UpdateRingsView,
    UpdateRingsModify,
    UpdateRingsCreate,
    ReportsView,
    ReportsCreateCustomerIncident,
    TicketsView,
    TicketsUpdate,
    SettingsView,
    SettingsModify,
    RolesView,
    RolesModify,
}

/// Built-in roles whose permissions are fixed by the specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter)]
pub enum BuiltInRole {
    /// "MMR Admin": the customer's Managed Service Administrator role for rooms.
    MmrAdmin,
    SiteLead,
    SiteTech,
    /// The partner's built-in role per customer.
    PrimaryAdmins,
}

/// The built-in role matrix of section 3, as data: (permission, [MMR Admin, Site Lead, Site Tech,
/// Primary admins]).
const ROLE_MATRIX: [(Permission, [bool; 4]); 20] = {
    use Permission::*;
    const Y: bool = true;
    const N: bool = false;
    [
        (RoomsView, [Y, Y, Y, Y]),
        (RoomsModify, [Y, Y, Y, Y]),
        (RoomsResetKey, [Y, N, N, N]),
        (RoomsDownloadKey, [Y, Y, Y, N]),
        (RoomsUnenroll, [Y, Y, Y, N]),
        (RoomsCreate, [Y, Y, N, N]),
        (GroupsView, [Y, Y, N, Y]),
        (GroupsModify, [Y, Y, N, N]),
        (GroupsCreate, [Y, Y, N, N]),
        (UpdateRingsView, [Y, Y, N, Y]),
        (UpdateRingsModify, [Y, Y, N, Y]),
        (UpdateRingsCreate, [Y, N, N, N]),
        (ReportsView, [Y, Y, N, Y]),
        (ReportsCreateCustomerIncident, [Y, Y, Y, Y]),
        (TicketsView, [Y, Y, Y, Y]),
        (TicketsUpdate, [Y, Y, Y, Y]),
        (SettingsView, [Y, N, N, N]),
        (SettingsModify, [Y, N, N, N]),
        (RolesView, [Y, N, N, Y]),
        (RolesModify, [Y, N, N, Y]),
    ]
};

impl BuiltInRole {
    fn column(self) -> usize {
        match self {
            BuiltInRole::MmrAdmin => 0,
            BuiltInRole::SiteLead => 1,
            BuiltInRole::SiteTech => 2,
            BuiltInRole::PrimaryAdmins => 3,
        }
    }

    /// The permissions this built-in role holds.
    pub fn permissions(self) -> BTreeSet<Permission> {
        ROLE_MATRIX
            .iter()
            .filter(|(_, cells)| cells[self.column()])
            .map(|(p, _)| *p)
            .collect()
    }
}

/// Roles held in the organisation itself (customer mode *Settings > Administrators*, partner mode
/// *Tenant managers*). Stored as an active enum.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, EnumIter,
)]
#[cfg_attr(feature = "ssr", derive(sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "ssr",
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")
)]
pub enum OrgRole {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "global_admin"))]
    GlobalAdmin,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "managed_service_admin"))]
    ManagedServiceAdmin,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "tenant_manager"))]
    TenantManager,
}

impl OrgRole {
    pub fn label(self) -> &'static str {
        match self {
            OrgRole::GlobalAdmin => "Global admin",
            OrgRole::ManagedServiceAdmin => "Managed Service Administrator",
            OrgRole::TenantManager => "Tenant manager",
        }
    }

    /// Stable identifier used in forms, URLs and the demo directory.
    pub fn key(self) -> &'static str {
        match self {
            OrgRole::GlobalAdmin => "global_admin",
            OrgRole::ManagedServiceAdmin => "managed_service_admin",
            OrgRole::TenantManager => "tenant_manager",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        OrgRole::iter().find(|r| r.key() == key)
    }

    /// Global admin and MSA have full access to their own organisation.
    fn is_org_admin(self) -> bool {
        match self {
            OrgRole::GlobalAdmin | OrgRole::ManagedServiceAdmin => true,
            OrgRole::TenantManager => false,
        }
    }
}

/// Which rooms a grant covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    AllRooms,
    Some {
        rooms: BTreeSet<RoomId>,
        room_groups: BTreeSet<RoomGroupId>,
    },
}

/// One role assignment the actor is a member of (directly or through a group): a set of
/// permissions over a scope of one organisation's rooms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub org: OrgId,
    pub permissions: BTreeSet<Permission>,
    pub scope: Scope,
}

/// The signed-in user as authorization sees it, loaded once per request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: UserId,
    /// The user's home organisation.
    pub org: OrgId,
    /// Whether the home organisation manages customers (has a partner mode).
    pub org_manages_customers: bool,
    /// Organisation roles held in the home organisation, directly or through a security group.
    pub org_roles: BTreeSet<OrgRole>,
    /// Room-role assignments, in the home organisation or in customers' organisations.
    pub grants: Vec<Grant>,
}

impl Actor {
    pub fn has_org_role(&self, role: OrgRole) -> bool {
        self.org_roles.contains(&role)
    }

    fn is_org_admin(&self) -> bool {
        self.org_roles.iter().any(|r| r.is_org_admin())
    }
}

/// One variant per thing a user can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter)]
pub enum Action {
    SearchDirectory,
    ViewAdministrators,
    ManageAdministrators,
    ViewSecurityGroups,
    ManageSecurityGroups,
    ViewTenantManagers,
    ManageTenantManagers,
    ViewRooms,
    ModifyRoom,
    ResetEnrollmentKey,
    DownloadEnrollmentKey,
    UnenrollRoom,
    CreateRoom,
    ViewRoomGroups,
    ModifyRoomGroup,
    CreateRoomGroup,
    ViewUpdateRings,
    ModifyUpdateRing,
    CreateUpdateRing,
    ViewReports,
    CreateCustomerIncident,
    ViewTickets,
    UpdateTicket,
    ViewSettings,
    ModifySettings,
    ViewRoles,
    ModifyRoles,
}

/// What an action needs.
enum Requirement {
    /// Any member of the organisation.
    Member,
    /// One of these organisation roles in the organisation itself.
    OrgRole(&'static [OrgRole]),
    /// An organisation role held in an organisation that manages customers.
    PartnerOrgRole(&'static [OrgRole]),
    /// A catalogue permission over the resource.
    Permission(Permission),
}

const ADMINS: &[OrgRole] = &[OrgRole::GlobalAdmin, OrgRole::ManagedServiceAdmin];
const GLOBAL_ADMIN: &[OrgRole] = &[OrgRole::GlobalAdmin];
const PARTNER_STAFF: &[OrgRole] = &[
    OrgRole::GlobalAdmin,
    OrgRole::ManagedServiceAdmin,
    OrgRole::TenantManager,
];

impl Action {
    fn requirement(self) -> Requirement {
        use Permission as P;
        use Requirement as R;
        match self {
            Action::SearchDirectory => R::Member,
            Action::ViewAdministrators => R::OrgRole(ADMINS),
            Action::ManageAdministrators => R::OrgRole(GLOBAL_ADMIN),
            Action::ViewSecurityGroups => R::OrgRole(ADMINS),
            Action::ManageSecurityGroups => R::OrgRole(ADMINS),
            Action::ViewTenantManagers => R::PartnerOrgRole(PARTNER_STAFF),
            Action::ManageTenantManagers => R::PartnerOrgRole(ADMINS),
            Action::ViewRooms => R::Permission(P::RoomsView),
            Action::ModifyRoom => R::Permission(P::RoomsModify),
            Action::ResetEnrollmentKey => R::Permission(P::RoomsResetKey),
            Action::DownloadEnrollmentKey => R::Permission(P::RoomsDownloadKey),
            Action::UnenrollRoom => R::Permission(P::RoomsUnenroll),
            Action::CreateRoom => R::Permission(P::RoomsCreate),
            Action::ViewRoomGroups => R::Permission(P::GroupsView),
            Action::ModifyRoomGroup => R::Permission(P::GroupsModify),
            Action::CreateRoomGroup => R::Permission(P::GroupsCreate),
            Action::ViewUpdateRings => R::Permission(P::UpdateRingsView),
            Action::ModifyUpdateRing => R::Permission(P::UpdateRingsModify),
            Action::CreateUpdateRing => R::Permission(P::UpdateRingsCreate),
            Action::ViewReports => R::Permission(P::ReportsView),
            Action::CreateCustomerIncident => R::Permission(P::ReportsCreateCustomerIncident),
            Action::ViewTickets => R::Permission(P::TicketsView),
            Action::UpdateTicket => R::Permission(P::TicketsUpdate),
            Action::ViewSettings => R::Permission(P::SettingsView),
            Action::ModifySettings => R::Permission(P::SettingsModify),
            Action::ViewRoles => R::Permission(P::RolesView),
            Action::ModifyRoles => R::Permission(P::RolesModify),
        }
    }
}

/// What an action is done to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resource {
    /// Something organisation-wide: the directory, administrators, groups, settings, roles.
    Org(OrgId),
    /// A change to who holds organisation roles; `global_admins_after` is the number of users who
    /// would still be Global admins once it is made.
    OrgRoleChange {
        org: OrgId,
        global_admins_after: usize,
    },
    /// One room, with the room groups it belongs to (scopes may name either).
    Room {
        org: OrgId,
        room: RoomId,
        room_groups: BTreeSet<RoomGroupId>,
    },
}

impl Resource {
    pub fn org(&self) -> OrgId {
        match self {
            Resource::Org(org)
            | Resource::OrgRoleChange { org, .. }
            | Resource::Room { org, .. } => *org,
        }
    }
}

/// Why an action was refused. Typed so the UI can explain and services can choose between
/// "forbidden" and "not found".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum DenyReason {
    #[error("you have no access to this organisation")]
    NotMember,
    #[error("your role does not allow this")]
    MissingRole,
    #[error("only organisations that manage customers have tenant managers")]
    NotAPartner,
    #[error("this is outside the rooms you manage")]
    OutOfScope,
    #[error("the organisation must keep at least one Global admin")]
    LastGlobalAdmin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Decision {
    Allow,
    Deny(DenyReason),
}

/// Decides whether `actor` may do `action` to `resource`. Deny by default.
pub fn authorize(actor: &Actor, action: Action, resource: &Resource) -> Decision {
    let org = resource.org();
    let home = actor.org == org;
    let decision = match action.requirement() {
        Requirement::Member if home => Decision::Allow,
        Requirement::OrgRole(roles) if home => org_role_decision(actor, roles),
        Requirement::PartnerOrgRole(_) if home && !actor.org_manages_customers => {
            Decision::Deny(DenyReason::NotAPartner)
        }
        Requirement::PartnerOrgRole(roles) if home => org_role_decision(actor, roles),
        Requirement::Member | Requirement::OrgRole(_) | Requirement::PartnerOrgRole(_) => {
            Decision::Deny(DenyReason::NotMember)
        }
        Requirement::Permission(_) if home && actor.is_org_admin() => Decision::Allow,
        Requirement::Permission(permission) => permission_decision(actor, permission, resource),
    };
    match (decision, resource) {
        (
            Decision::Allow,
            Resource::OrgRoleChange {
                global_admins_after: 0,
                ..
            },
        ) => Decision::Deny(DenyReason::LastGlobalAdmin),
        (decision, _) => decision,
    }
}

fn org_role_decision(actor: &Actor, roles: &[OrgRole]) -> Decision {
    if roles.iter().any(|r| actor.has_org_role(*r)) {
        Decision::Allow
    } else {
        Decision::Deny(DenyReason::MissingRole)
    }
}

fn permission_decision(actor: &Actor, permission: Permission, resource: &Resource) -> Decision {
    let org = resource.org();
    let mut in_org = actor.grants.iter().filter(|g| g.org == org).peekable();
    if in_org.peek().is_none() {
        return Decision::Deny(DenyReason::NotMember);
    }
    let mut holds_permission = false;
    for grant in in_org.filter(|g| g.permissions.contains(&permission)) {
        holds_permission = true;
        if covers(&grant.scope, resource) {
            return Decision::Allow;
        }
    }
    if holds_permission {
        Decision::Deny(DenyReason::OutOfScope)
    } else {
        Decision::Deny(DenyReason::MissingRole)
    }
}

/// Organisation-wide resources need a grant over all rooms; a room needs a grant naming it or one
/// of its groups.
fn covers(scope: &Scope, resource: &Resource) -> bool {
    match (scope, resource) {
        (Scope::AllRooms, _) => true,
        (
            Scope::Some { rooms, room_groups },
            Resource::Room {
                room,
                room_groups: of_room,
                ..
            },
        ) => rooms.contains(room) || !room_groups.is_disjoint(of_room),
        (Scope::Some { .. }, Resource::Org(_) | Resource::OrgRoleChange { .. }) => false,
    }
}

#[cfg(test)]
mod tests;
