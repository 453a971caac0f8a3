//! The authorization core: the one pure function that decides (actor, action, resource), with the
//! catalogue of permissions and roles it decides over (`catalogue`).
//!
//! An actor stands in one of three ways towards an organisation ([`Standing`]): at home, as a
//! partner through one relationship, or as a stranger. A partner's grants are capped twice: by
//! the Primary admins' permissions and by the rooms the customer put in the relationship's scope
//! (its ceiling), whatever a stored role says.
//!
//! Every server function and route that touches organisation data calls [`authorize`] before it
//! reads or writes anything but the rows needed to describe the resource. The UI may call it to
//! hide a button; only the server's call counts.

use super::ids::{OrgId, RelationshipId, RoomGroupId, RoomId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use strum::{EnumIter, IntoEnumIterator};

mod catalogue;
pub use catalogue::{BuiltInRole, OrgRole, Permission};

impl Permission {
    /// Whether the permission allows anything on a single room or room group, so that a grant
    /// over some rooms gives something with it (organisation-wide permissions need a grant over
    /// all rooms to allow anything).
    pub fn acts_on_rooms(self) -> bool {
        Action::iter().any(|a| {
            !a.is_org_wide() && matches!(a.requirement(), Requirement::Permission(p) if p == self)
        })
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

/// What a partner user holds in one customer through one live relationship.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partnership {
    pub relationship: RelationshipId,
    pub customer: OrgId,
    /// The rooms the customer put in the relationship's scope: no grant reaches past them.
    pub ceiling: Scope,
    /// The partner roles' assignments of this relationship that name the user (directly or
    /// through one of their groups). Their scopes are read inside the ceiling.
    pub grants: Vec<Grant>,
    /// Whether one of those assignments belongs to the built-in Primary admins role.
    pub primary_admin: bool,
}

/// The signed-in user as authorization sees it, loaded from the database on every request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: UserId,
    /// The user's home organisation.
    pub org: OrgId,
    /// Whether the home organisation manages customers (has a partner mode).
    pub org_manages_customers: bool,
    /// Organisation roles held in the home organisation, directly or through a security group.
    pub org_roles: BTreeSet<OrgRole>,
    /// Room-role assignments in the home organisation.
    pub grants: Vec<Grant>,
    /// Live relationships (accepted, not past their end date) in which the user holds a partner
    /// role. Nothing else gives standing in another organisation.
    pub partnerships: Vec<Partnership>,
}

/// How an actor stands towards an organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing<'a> {
    Home,
    Partner(&'a Partnership),
    Stranger,
}

impl Actor {
    pub fn has_org_role(&self, role: OrgRole) -> bool {
        self.org_roles.contains(&role)
    }

    fn is_org_admin(&self) -> bool {
        self.org_roles.iter().any(|r| r.is_org_admin())
    }

    pub fn standing(&self, org: OrgId) -> Standing<'_> {
        if self.org == org {
            return Standing::Home;
        }
        match self.partnerships.iter().find(|p| p.customer == org) {
            Some(p) => Standing::Partner(p),
            None => Standing::Stranger,
        }
    }

    /// The user's partnership for a customer, if they hold a partner role there.
    pub fn partnership(&self, customer: OrgId) -> Option<&Partnership> {
        match self.standing(customer) {
            Standing::Partner(p) => Some(p),
            Standing::Home | Standing::Stranger => None,
        }
    }
}

/// One variant per thing a user can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter)]
pub enum Action {
    SearchDirectory,
    /// The overview: what the user holds in their organisation, or, for a partner user, in a
    /// customer they hold a partner role for.
    ViewOverview,
    ViewAdministrators,
    ManageAdministrators,
    ViewSecurityGroups,
    ManageSecurityGroups,
    ViewTenantManagers,
    ManageTenantManagers,
    /// Customer side: *Settings > Partners*, the relationships and their partner roles.
    ViewPartners,
    /// Customer side: invite, withdraw, change scope or end date, delete a partner role, remove.
    ManagePartners,
    /// Partner side: the Tenants list and pending invitations.
    ViewTenants,
    /// Partner side: accept or deny an invitation.
    AnswerInvitation,
    /// Partner side: end the relationship with a customer (its Primary admins only).
    RemoveCustomer,
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
    /// Partner side: the all-tickets view across customers, whose rows are filtered by the
    /// relationships and the user's assignments in each customer (`scope::CustomerScopes`).
    ViewAllTickets,
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
    /// Any member, or any holder of a partner role there (through a live relationship): what
    /// someone holds somewhere is theirs to see.
    MemberOrPartner,
    /// One of these organisation roles in the organisation itself.
    OrgRole(&'static [OrgRole]),
    /// An organisation role held in an organisation that manages customers.
    PartnerOrgRole(&'static [OrgRole]),
    /// Any member of an organisation that manages customers.
    PartnerMember,
    /// Membership of the Primary admins of the relationship acted on.
    PrimaryAdmin,
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
            Action::ViewOverview => R::MemberOrPartner,
            Action::ViewAdministrators => R::OrgRole(ADMINS),
            Action::ManageAdministrators => R::OrgRole(GLOBAL_ADMIN),
            Action::ViewSecurityGroups => R::OrgRole(ADMINS),
            Action::ManageSecurityGroups => R::OrgRole(ADMINS),
            Action::ViewTenantManagers => R::PartnerOrgRole(PARTNER_STAFF),
            Action::ManageTenantManagers => R::PartnerOrgRole(ADMINS),
            Action::ViewPartners => R::OrgRole(ADMINS),
            Action::ManagePartners => R::OrgRole(ADMINS),
            Action::ViewTenants => R::PartnerOrgRole(PARTNER_STAFF),
            Action::AnswerInvitation => R::PartnerOrgRole(PARTNER_STAFF),
            Action::RemoveCustomer => R::PrimaryAdmin,
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
            Action::ViewAllTickets => R::PartnerMember,
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
    /// A partner relationship of customer `org`, with its partner roles.
    Relationship {
        org: OrgId,
        relationship: RelationshipId,
    },
}

impl Resource {
    pub fn org(&self) -> OrgId {
        match self {
            Resource::Org(org)
            | Resource::OrgRoleChange { org, .. }
            | Resource::SomeRooms(org)
            | Resource::Room { org, .. }
            | Resource::RoomGroup { org, .. }
            | Resource::Relationship { org, .. } => *org,
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
    let decision = match actor.standing(resource.org()) {
        Standing::Home => as_member(actor, action, resource),
        Standing::Partner(p) => as_partner(p, action, resource),
        Standing::Stranger => Decision::Deny(DenyReason::NotMember),
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

/// In the actor's own organisation: organisation roles, then grants. Global admins and MSAs
/// hold every permission there. A partner's roles are the customer's to see and delete
/// (`ManagePartners`), never to edit: they are the partner's delegation, not the customer's.
fn as_member(actor: &Actor, action: Action, resource: &Resource) -> Decision {
    match action.requirement() {
        Requirement::Member | Requirement::MemberOrPartner => Decision::Allow,
        Requirement::OrgRole(roles) => org_role_decision(actor, roles),
        Requirement::PartnerOrgRole(_) if !actor.org_manages_customers => {
            Decision::Deny(DenyReason::NotAPartner)
        }
        Requirement::PartnerOrgRole(roles) => org_role_decision(actor, roles),
        Requirement::PartnerMember if !actor.org_manages_customers => {
            Decision::Deny(DenyReason::NotAPartner)
        }
        Requirement::PartnerMember => Decision::Allow,
        Requirement::PrimaryAdmin => Decision::Deny(DenyReason::MissingRole),
        Requirement::Permission(Permission::RolesModify)
            if matches!(resource, Resource::Relationship { .. }) =>
        {
            Decision::Deny(DenyReason::MissingRole)
        }
        Requirement::Permission(_) if actor.is_org_admin() => Decision::Allow,
        Requirement::Permission(permission) => {
            grants_decision(&actor.grants, permission, resource, &Scope::AllRooms)
        }
    }
}

/// In a customer's organisation through a live relationship: never more than Primary admins'
/// permissions, never a room outside the ceiling, and nothing of the customer's own
/// organisation (directory, administrators, groups, partners, settings, own roles, audit log).
fn as_partner(p: &Partnership, action: Action, resource: &Resource) -> Decision {
    if let Resource::Relationship { relationship, .. } = resource {
        if *relationship != p.relationship {
            return Decision::Deny(DenyReason::NotMember);
        }
    }
    let permission = match action.requirement() {
        Requirement::PrimaryAdmin if p.primary_admin => return Decision::Allow,
        Requirement::MemberOrPartner => return Decision::Allow,
        Requirement::Member
        | Requirement::OrgRole(_)
        | Requirement::PartnerOrgRole(_)
        | Requirement::PartnerMember
        | Requirement::PrimaryAdmin => return Decision::Deny(DenyReason::MissingRole),
        Requirement::Permission(permission) => permission,
    };
    if !BuiltInRole::PrimaryAdmins
        .permissions()
        .contains(&permission)
    {
        return Decision::Deny(DenyReason::MissingRole);
    }
    let on_roles = matches!(action, Action::ViewRoles | Action::ModifyRoles);
    match resource {
        // The relationship's own partner roles: a grant over all of the relationship's rooms.
        Resource::Relationship { .. } if on_roles => {
            grants_decision(&p.grants, permission, resource, &Scope::AllRooms)
        }
        Resource::Relationship { .. } => Decision::Deny(DenyReason::MissingRole),
        // The customer's own roles.
        Resource::Org(_) if on_roles => Decision::Deny(DenyReason::MissingRole),
        _ => grants_decision(&p.grants, permission, resource, &p.ceiling),
    }
}

/// Whether `actor` has any standing in `org`: it is their home organisation, or they hold a
/// partner role there through a live relationship. Only then may what they attempt there be
/// written into its audit log.
pub fn has_standing(actor: &Actor, org: OrgId) -> bool {
    actor.standing(org) != Standing::Stranger
}

/// Whether `actor` may see `resource` at all: a room or room group they may view, or anything
/// else of an organisation where they have standing. A refusal of something they may not see
/// answers "not found", so that it tells them nothing about it; a refusal of something they may
/// see answers "forbidden".
pub fn may_see(actor: &Actor, resource: &Resource) -> bool {
    match resource {
        Resource::Room { .. } => authorize(actor, Action::ViewRooms, resource) == Decision::Allow,
        Resource::RoomGroup { .. } => {
            authorize(actor, Action::ViewRoomGroups, resource) == Decision::Allow
        }
        Resource::Org(org)
        | Resource::OrgRoleChange { org, .. }
        | Resource::SomeRooms(org)
        | Resource::Relationship { org, .. } => has_standing(actor, *org),
    }
}

fn org_role_decision(actor: &Actor, roles: &[OrgRole]) -> Decision {
    if roles.iter().any(|r| actor.has_org_role(*r)) {
        Decision::Allow
    } else {
        Decision::Deny(DenyReason::MissingRole)
    }
}

/// Allowed when a grant holding `permission` covers the resource and the ceiling covers it too.
fn grants_decision(
    grants: &[Grant],
    permission: Permission,
    resource: &Resource,
    ceiling: &Scope,
) -> Decision {
    // Grants are loaded per organisation; a grant of another one never counts here.
    let org = resource.org();
    let mut in_org = grants.iter().filter(|g| g.org == org).peekable();
    if in_org.peek().is_none() {
        return Decision::Deny(DenyReason::NotMember);
    }
    let mut holding = in_org
        .filter(|g| g.permissions.contains(&permission))
        .peekable();
    if holding.peek().is_none() {
        return Decision::Deny(DenyReason::MissingRole);
    }
    if covers(ceiling, resource) && holding.any(|g| covers(&g.scope, resource)) {
        Decision::Allow
    } else {
        Decision::Deny(DenyReason::OutOfScope)
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
        (
            Scope::Some { .. },
            Resource::Org(_) | Resource::OrgRoleChange { .. } | Resource::Relationship { .. },
        ) => false,
    }
}

/// The rooms an actor holds a permission on: those the grants' scopes name, inside the
/// ceiling (all rooms at home; the relationship's scope for a partner). A room is in reach
/// exactly when [`authorize`] allows the permission's action on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    pub grants: Scope,
    pub ceiling: Scope,
}

impl Reach {
    /// Whether the reach is every room of the organisation.
    pub fn is_all_rooms(&self) -> bool {
        self.grants == Scope::AllRooms && self.ceiling == Scope::AllRooms
    }

    /// Whether a room with these current room groups is in reach.
    pub fn covers_room(&self, room: RoomId, room_groups: &BTreeSet<RoomGroupId>) -> bool {
        let resource = Resource::Room {
            org: OrgId(uuid::Uuid::nil()),
            room,
            room_groups: room_groups.clone(),
        };
        covers(&self.grants, &resource) && covers(&self.ceiling, &resource)
    }

    /// Whether both the grants and the ceiling name room group `group` itself (or all rooms).
    pub fn names_group(&self, group: RoomGroupId) -> bool {
        [&self.grants, &self.ceiling].iter().all(|s| match s {
            Scope::AllRooms => true,
            Scope::Some { room_groups, .. } => room_groups.contains(&group),
        })
    }
}

/// The rooms of `org` over which `actor` holds `permission`: `None` for none at all. List
/// queries filter by this.
pub fn reach(actor: &Actor, org: OrgId, permission: Permission) -> Option<Reach> {
    let (grants, ceiling) = match actor.standing(org) {
        Standing::Home if actor.is_org_admin() => {
            return Some(Reach {
                grants: Scope::AllRooms,
                ceiling: Scope::AllRooms,
            })
        }
        Standing::Home => (&actor.grants, Scope::AllRooms),
        Standing::Partner(p)
            if BuiltInRole::PrimaryAdmins
                .permissions()
                .contains(&permission) =>
        {
            (&p.grants, p.ceiling.clone())
        }
        Standing::Partner(_) | Standing::Stranger => return None,
    };
    let mut union: Option<Scope> = None;
    for grant in grants
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
    union.map(|grants| Reach { grants, ceiling })
}

/// Whether `held` covers every room of `scope`. A room group in `scope` needs `held` to name
/// that group (or all rooms), since its membership can grow.
fn within(
    held: &Scope,
    scope: &Scope,
    groups_of_rooms: &std::collections::BTreeMap<RoomId, BTreeSet<RoomGroupId>>,
) -> bool {
    match (held, scope) {
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
    }
}

/// Whether `actor` may hand out `permissions` over `scope` in `org` (creating or changing a role
/// assignment): only what they hold themselves, over rooms they hold it on. `groups_of_rooms`
/// gives the current room groups of every room the scope names. A partner's "all rooms" means
/// all of the relationship's rooms (the ceiling applies when a grant is used); a narrower scope
/// must lie inside the ceiling.
pub fn authorize_grant(
    actor: &Actor,
    org: OrgId,
    permissions: &BTreeSet<Permission>,
    scope: &Scope,
    groups_of_rooms: &std::collections::BTreeMap<RoomId, BTreeSet<RoomGroupId>>,
) -> Decision {
    for permission in permissions {
        let Some(held) = reach(actor, org, *permission) else {
            return Decision::Deny(DenyReason::MissingRole);
        };
        let inside_ceiling =
            *scope == Scope::AllRooms || within(&held.ceiling, scope, groups_of_rooms);
        if !(within(&held.grants, scope, groups_of_rooms) && inside_ceiling) {
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
mod partner_tests;
#[cfg(test)]
mod tests;
