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

/// The permission catalogue, one variant per row of the specification's table. Stored by the
/// stable identifiers below (custom roles' permissions).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, EnumIter,
)]
#[cfg_attr(feature = "ssr", derive(sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "ssr",
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")
)]
pub enum Permission {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rooms.view"))]
    RoomsView,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rooms.modify"))]
    RoomsModify,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rooms.reset_key"))]
    RoomsResetKey,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rooms.download_key"))]
    RoomsDownloadKey,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rooms.unenroll"))]
    RoomsUnenroll,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "rooms.create"))]
    RoomsCreate,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "groups.view"))]
    GroupsView,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "groups.modify"))]
    GroupsModify,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "groups.create"))]
    GroupsCreate,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "update_rings.view"))]
    UpdateRingsView,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "update_rings.modify"))]
    UpdateRingsModify,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "update_rings.create"))]
    UpdateRingsCreate,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "reports.view"))]
    ReportsView,
    #[cfg_attr(
        feature = "ssr",
        sea_orm(string_value = "reports.create_customer_incident")
    )]
    ReportsCreateCustomerIncident,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "tickets.view"))]
    TicketsView,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "tickets.update"))]
    TicketsUpdate,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "settings.view"))]
    SettingsView,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "settings.modify"))]
    SettingsModify,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "roles.view"))]
    RolesView,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "roles.modify"))]
    RolesModify,
}

impl Permission {
    /// (feature, permission) as the catalogue names them.
    pub fn labels(self) -> (&'static str, &'static str) {
        use Permission::*;
        match self {
            RoomsView => ("Rooms", "View"),
            RoomsModify => ("Rooms", "Modify"),
            RoomsResetKey => ("Rooms", "Reset key"),
            RoomsDownloadKey => ("Rooms", "Download key"),
            RoomsUnenroll => ("Rooms", "Unenroll"),
            RoomsCreate => ("Rooms", "Create"),
            GroupsView => ("Group management", "View"),
            GroupsModify => ("Group management", "Modify"),
            GroupsCreate => ("Group management", "Create"),
            UpdateRingsView => ("Update ring management", "View"),
            UpdateRingsModify => ("Update ring management", "Modify"),
            UpdateRingsCreate => ("Update ring management", "Create"),
            ReportsView => ("Reports", "View"),
            ReportsCreateCustomerIncident => ("Reports", "Create customer incident"),
            TicketsView => ("Tickets management", "View"),
            TicketsUpdate => ("Tickets management", "Update"),
            SettingsView => ("MMR settings", "View"),
            SettingsModify => ("MMR settings", "Modify"),
            RolesView => ("Role management", "View"),
            RolesModify => ("Role management", "Modify"),
        }
    }

    /// Whether the permission allows anything on a single room or room group, so that a grant
    /// over some rooms gives something with it (organisation-wide permissions need a grant over
    /// all rooms to allow anything).
    pub fn acts_on_rooms(self) -> bool {
        Action::iter().any(|a| {
            !a.is_org_wide() && matches!(a.requirement(), Requirement::Permission(p) if p == self)
        })
    }

    /// "Rooms: Reset key".
    pub fn describe(self) -> String {
        let (feature, name) = self.labels();
        format!("{feature}: {name}")
    }
}

/// Built-in roles whose permissions are fixed by the specification.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, EnumIter,
)]
#[cfg_attr(feature = "ssr", derive(sea_orm::DeriveActiveEnum))]
#[cfg_attr(
    feature = "ssr",
    sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")
)]
pub enum BuiltInRole {
    /// "MMR Admin": the customer's Managed Service Administrator role for rooms.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "mmr_admin"))]
    MmrAdmin,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "site_lead"))]
    SiteLead,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "site_tech"))]
    SiteTech,
    /// The partner's built-in role per customer.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "primary_admins"))]
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
    /// The built-in roles every customer organisation has in *Settings > Roles*.
    pub const CUSTOMER: [BuiltInRole; 3] = [
        BuiltInRole::MmrAdmin,
        BuiltInRole::SiteLead,
        BuiltInRole::SiteTech,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BuiltInRole::MmrAdmin => "MMR Admin",
            BuiltInRole::SiteLead => "Site Lead",
            BuiltInRole::SiteTech => "Site Tech",
            BuiltInRole::PrimaryAdmins => "Primary admins",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            BuiltInRole::MmrAdmin => {
                "Managed Service Administrator: everything about rooms, groups, update rings, settings and roles."
            }
            BuiltInRole::SiteLead => {
                "Runs the rooms of a site: rooms, groups, update rings, reports and tickets."
            }
            BuiltInRole::SiteTech => "Looks after rooms on site: rooms, keys and tickets.",
            BuiltInRole::PrimaryAdmins => "The partner's administrators for this customer.",
        }
    }

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
    ViewAuditLog,
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
            Action::ViewAuditLog => R::OrgRole(ADMINS),
        }
    }

    /// Actions that are only ever done to the organisation as a whole, so they need a grant over
    /// all rooms. The others are done to rooms or room groups and a narrower scope can allow them.
    pub fn is_org_wide(self) -> bool {
        matches!(
            self,
            Action::ResetEnrollmentKey
                | Action::CreateRoomGroup
                | Action::CreateUpdateRing
                | Action::ViewSettings
                | Action::ModifySettings
                | Action::ViewRoles
                | Action::ModifyRoles
        )
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
    /// Some of the organisation's rooms: lists filtered to the actor's reach, and things any
    /// scope needs (downloading the enrollment key). Allowed by a grant over any scope.
    SomeRooms(OrgId),
    /// One room, with the room groups it belongs to now, statically or by rule (scopes may name
    /// either).
    Room {
        org: OrgId,
        room: RoomId,
        room_groups: BTreeSet<RoomGroupId>,
    },
    /// One room group itself (rename, delete, members): a scope must name the group.
    RoomGroup { org: OrgId, group: RoomGroupId },
}

impl Resource {
    pub fn org(&self) -> OrgId {
        match self {
            Resource::Org(org)
            | Resource::OrgRoleChange { org, .. }
            | Resource::SomeRooms(org)
            | Resource::Room { org, .. }
            | Resource::RoomGroup { org, .. } => *org,
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

/// Whether `actor` has any standing in `org`: it is their home organisation, or they hold a
/// grant there. Only then may what they attempt there be written into its audit log.
pub fn has_standing(actor: &Actor, org: OrgId) -> bool {
    actor.org == org || actor.grants.iter().any(|g| g.org == org)
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
        (Scope::Some { room_groups, .. }, Resource::RoomGroup { group, .. }) => {
            room_groups.contains(group)
        }
        (Scope::Some { .. }, Resource::SomeRooms(_)) => true,
        (Scope::Some { .. }, Resource::Org(_) | Resource::OrgRoleChange { .. }) => false,
    }
}

/// The rooms of `org` over which `actor` holds `permission`: `None` for none at all, otherwise
/// the union of the scopes of the grants holding it. List queries filter by this; it allows a
/// room exactly when [`authorize`] allows the permission's action on it.
pub fn reach(actor: &Actor, org: OrgId, permission: Permission) -> Option<Scope> {
    if actor.org == org && actor.is_org_admin() {
        return Some(Scope::AllRooms);
    }
    let mut union: Option<Scope> = None;
    for grant in actor
        .grants
        .iter()
        .filter(|g| g.org == org && g.permissions.contains(&permission))
    {
        union = Some(match (union, &grant.scope) {
            (_, Scope::AllRooms) | (Some(Scope::AllRooms), _) => Scope::AllRooms,
            (None, scope) => scope.clone(),
            (
                Some(Scope::Some {
                    mut rooms,
                    mut room_groups,
                }),
                Scope::Some {
                    rooms: more_rooms,
                    room_groups: more_groups,
                },
            ) => {
                rooms.extend(more_rooms.iter().copied());
                room_groups.extend(more_groups.iter().copied());
                Scope::Some { rooms, room_groups }
            }
        });
    }
    union
}

/// Whether `actor` may hand out `permissions` over `scope` in `org` (creating or changing a role
/// assignment): only what they hold themselves, over rooms they hold it on. `groups_of_rooms`
/// gives the current room groups of every room the scope names. A room group in the scope needs
/// a grant naming that group (or all rooms), since its membership can grow.
pub fn authorize_grant(
    actor: &Actor,
    org: OrgId,
    permissions: &BTreeSet<Permission>,
    scope: &Scope,
    groups_of_rooms: &std::collections::BTreeMap<RoomId, BTreeSet<RoomGroupId>>,
) -> Decision {
    for permission in permissions {
        let held = match reach(actor, org, *permission) {
            None => return Decision::Deny(DenyReason::MissingRole),
            Some(held) => held,
        };
        let covered = match (&held, scope) {
            (Scope::AllRooms, _) => true,
            (Scope::Some { .. }, Scope::AllRooms) => false,
            (
                Scope::Some {
                    rooms: held_rooms,
                    room_groups: held_groups,
                },
                Scope::Some { rooms, room_groups },
            ) => {
                room_groups.is_subset(held_groups)
                    && rooms.iter().all(|room| {
                        held_rooms.contains(room)
                            || groups_of_rooms
                                .get(room)
                                .is_some_and(|groups| !groups.is_disjoint(held_groups))
                    })
            }
        };
        if !covered {
            return Decision::Deny(DenyReason::OutOfScope);
        }
    }
    Decision::Allow
}

/// Everything one holder (a security group, a role assignment) confers on whoever it names:
/// organisation roles, and role permissions over scopes of rooms. Changing who a holder names,
/// or deleting it, hands all of this to people or takes it from them at once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Holdings {
    pub org_roles: BTreeSet<OrgRole>,
    pub grants: Vec<(BTreeSet<Permission>, Scope)>,
    /// The current room groups of every room the grants' scopes name (see [`authorize_grant`]).
    pub groups_of_rooms: std::collections::BTreeMap<RoomId, BTreeSet<RoomGroupId>>,
}

/// Whether `actor` may give `holdings` to someone or take them away, in `org`: only if they could
/// assign or remove each organisation role directly and hand out each grant directly. This is
/// what keeps indirect paths (adding a member to a group that holds a role, deleting such a
/// group, changing an assignment whose members are groups) from granting or revoking more than
/// the direct path would.
pub fn authorize_hand_over(actor: &Actor, org: OrgId, holdings: &Holdings) -> Decision {
    for role in &holdings.org_roles {
        let action = super::directory::RoleFamily::of(*role).manage_action();
        if let Decision::Deny(reason) = authorize(actor, action, &Resource::Org(org)) {
            return Decision::Deny(reason);
        }
    }
    for (permissions, scope) in &holdings.grants {
        let decision = authorize_grant(actor, org, permissions, scope, &holdings.groups_of_rooms);
        if decision != Decision::Allow {
            return decision;
        }
    }
    Decision::Allow
}

/// Whether `actor` may put `permissions` into a role of `org` at all: each must be held over
/// some scope. (Assigning the role then checks the scope with [`authorize_grant`].)
pub fn authorize_role_permissions(
    actor: &Actor,
    org: OrgId,
    permissions: &BTreeSet<Permission>,
) -> Decision {
    if permissions.iter().all(|p| reach(actor, org, *p).is_some()) {
        Decision::Allow
    } else {
        Decision::Deny(DenyReason::MissingRole)
    }
}

#[cfg(test)]
mod hand_over_tests;
#[cfg(test)]
mod tests;
