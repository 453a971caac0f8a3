//! Tenant isolation in one place. A `TenantScope` can only be made by passing [`authorize`], and
//! every read, update and delete of a tenant-owned table goes through it, which adds
//! `org_id = <scope>` to the query. Services never call `Entity::find()` on a tenant-owned table;
//! an ID of another organisation therefore yields "not found", never its row.
//!
//! A partner reads its customers' rows through one door only, [`CustomerScopes`], which is made
//! from the customers' relationship rows naming the partner: no relationship, no rows.

use super::entity::{
    audit_log, change_request, group_member, incident, org_role_assignment, org_settings,
    partner_approval, partner_invited_admin, partner_relationship, partner_scope_item, role,
    role_assignment, role_assignment_member, role_assignment_scope, role_permission, room,
    room_component, room_group, room_group_member, security_group, ticket, ticket_event,
    update_ring, user,
};
use super::error::ServiceError;
use crate::domain::authz::{
    authorize, may_see, Action, Actor, BuiltInRole, Decision, DenyReason, Permission, Resource,
};
use crate::domain::ids::{GroupId, OrgId, RoomId, UserId};
use crate::domain::partners::RelationshipState;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, DeleteMany, EntityTrait, QueryFilter, Select, UpdateMany};
use std::collections::BTreeSet;

/// A table whose rows belong to one organisation.
pub trait TenantOwned: EntityTrait {
    fn org_column() -> Self::Column;
}

macro_rules! tenant_owned {
    ($($module:ident),*) => {$(
        impl TenantOwned for $module::Entity {
            fn org_column() -> Self::Column {
                $module::Column::OrgId
            }
        }
    )*};
}
tenant_owned!(
    user,
    security_group,
    group_member,
    org_role_assignment,
    audit_log,
    org_settings,
    update_ring,
    room,
    room_group,
    room_group_member,
    role,
    role_permission,
    role_assignment,
    role_assignment_member,
    role_assignment_scope,
    partner_relationship,
    partner_scope_item,
    partner_invited_admin,
    partner_approval,
    change_request,
    room_component,
    incident,
    ticket,
    ticket_event
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantScope {
    org: OrgId,
}

impl TenantScope {
    /// Authorizes `action` on `resource` and, if allowed, scopes to the resource's organisation.
    /// Refusals are logged with the reason.
    pub fn authorize(
        actor: &Actor,
        action: Action,
        resource: &Resource,
    ) -> Result<Self, ServiceError> {
        match authorize(actor, action, resource) {
            Decision::Allow => Ok(Self {
                org: resource.org(),
            }),
            Decision::Deny(reason) => {
                tracing::warn!(user = %actor.user, actor_org = %actor.org, org = %resource.org(), ?action, ?reason, "refused");
                Err(refusal(actor, resource, reason))
            }
        }
    }

    /// For reading the few rows that describe a resource (a room's site and groups) before
    /// [`TenantScope::authorize`] decides on it. Nothing read through it is returned to the
    /// actor unless that decision allows.
    pub(crate) fn describing(org: OrgId) -> Self {
        Self { org }
    }

    /// Deletes across every organisation, for retention only (purging expired audit entries).
    pub(crate) fn retention<E: TenantOwned>() -> DeleteMany<E> {
        E::delete_many()
    }

    /// Reads across every organisation, for the portal's own jobs only (writing the life-cycle
    /// events no user makes, such as a relationship reaching its end date). Nothing read
    /// through it is returned to any actor.
    pub(crate) fn portal_job<E: TenantOwned>() -> Select<E> {
        E::find()
    }

    /// For signing in and seeding: the organisation was established by a verified ID token or
    /// by the operator, not by an actor's roles.
    pub(crate) fn trusted(org: OrgId) -> Self {
        Self { org }
    }

    /// The customer of a relationship, for its partner's reads and writes that the caller has
    /// authorized (answering an invitation, listing its partner's tenants).
    pub(crate) fn customer_of(relationship: &partner_relationship::Model) -> Self {
        Self {
            org: relationship.org_id,
        }
    }

    /// The partner of a relationship, for the customer to name the partner's members of its
    /// partner roles. Only directory rows are read through it.
    pub(crate) fn partner_of(relationship: &partner_relationship::Model) -> Self {
        Self {
            org: relationship.partner_org_id,
        }
    }

    pub fn org(&self) -> OrgId {
        self.org
    }

    pub fn select<E: TenantOwned>(&self) -> Select<E> {
        E::find().filter(E::org_column().eq(self.org))
    }

    pub fn update_many<E: TenantOwned>(&self) -> UpdateMany<E> {
        E::update_many().filter(E::org_column().eq(self.org))
    }

    pub fn delete_many<E: TenantOwned>(&self) -> DeleteMany<E> {
        E::delete_many().filter(E::org_column().eq(self.org))
    }
}

/// The error for a refusal: "not found" for what the actor may not even see, so that the answer
/// tells them nothing of it, "forbidden" otherwise.
pub fn refusal(actor: &Actor, resource: &Resource, reason: DenyReason) -> ServiceError {
    if may_see(actor, resource) {
        ServiceError::Forbidden(reason)
    } else {
        ServiceError::NotFound
    }
}

/// Reads something tenant-owned: one organisation ([`TenantScope`]) or a partner's customers
/// ([`CustomerScopes`]). Services that load grants take either.
pub trait Scoped {
    fn select<E: TenantOwned>(&self) -> Select<E>;
}

impl Scoped for TenantScope {
    fn select<E: TenantOwned>(&self) -> Select<E> {
        TenantScope::select(self)
    }
}

/// A table whose rows belong to one room (and so to the room's organisation).
pub trait RoomOwned: TenantOwned {
    fn room_column() -> Self::Column;
}

impl RoomOwned for room::Entity {
    fn room_column() -> Self::Column {
        room::Column::Id
    }
}

impl RoomOwned for room_component::Entity {
    fn room_column() -> Self::Column {
        room_component::Column::RoomId
    }
}

impl RoomOwned for incident::Entity {
    fn room_column() -> Self::Column {
        incident::Column::RoomId
    }
}

/// Rooms whose devices proved them with their credentials, in any organisations: a batch of
/// heartbeats reads and writes these rooms' rows only. Unenrolled rooms hold no credential.
#[derive(Debug, Clone, Default)]
pub struct ProvenRooms {
    rooms: Vec<RoomId>,
    orgs: BTreeSet<OrgId>,
}

impl ProvenRooms {
    /// The rooms whose devices hold the credentials hashed as `hashes`, before anything is
    /// written (a rate may refuse some): no rows of any room are read through it but the proof.
    pub(crate) fn holding<'a>(hashes: impl IntoIterator<Item = &'a str>) -> Select<room::Entity> {
        room::Entity::find().filter(room::Column::DeviceTokenHash.is_in(hashes))
    }

    /// Writes to the rooms whose devices (still) hold the credentials: the statement that proves
    /// them inside the batch's transaction, so that a credential revoked meanwhile proves none.
    pub(crate) fn prove<'a>(hashes: impl IntoIterator<Item = &'a str>) -> UpdateMany<room::Entity> {
        room::Entity::update_many().filter(room::Column::DeviceTokenHash.is_in(hashes))
    }

    /// The rooms [`ProvenRooms::prove`] returned.
    pub(crate) fn of(rooms: impl IntoIterator<Item = (RoomId, OrgId)>) -> Self {
        let (rooms, orgs) = rooms.into_iter().unzip();
        Self { rooms, orgs }
    }

    pub(crate) fn select<E: RoomOwned>(&self) -> Select<E> {
        E::find().filter(E::room_column().is_in(self.rooms.iter().copied()))
    }

    pub(crate) fn update_many<E: RoomOwned>(&self) -> UpdateMany<E> {
        E::update_many().filter(E::room_column().is_in(self.rooms.iter().copied()))
    }

    /// Writes to rows of the rooms' organisations that are not a room's own (a ticket is its
    /// incident's); the caller narrows to the rows of its rooms.
    pub(crate) fn update_many_of_orgs<E: TenantOwned>(&self) -> UpdateMany<E> {
        E::update_many().filter(E::org_column().is_in(self.orgs.iter().copied()))
    }
}

/// A partner organisation's view into its customers: the customers' relationships that name the
/// partner, and through them the customers' rows. Made only from relationship rows read by
/// [`CustomerScopes::relationships_of`], so an organisation that never invited the partner is
/// never in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerScopes {
    partner: OrgId,
    customers: BTreeSet<OrgId>,
}

impl CustomerScopes {
    /// Every relationship (any state) in which `partner` is the partner. The rows belong to the
    /// customers; callers filter by state and dates.
    pub fn relationships_of(partner: OrgId) -> Select<partner_relationship::Entity> {
        partner_relationship::Entity::find()
            .filter(partner_relationship::Column::PartnerOrgId.eq(partner))
    }

    /// The customers of `rows` that name `partner` (others are ignored).
    pub fn of(partner: OrgId, rows: &[partner_relationship::Model]) -> Self {
        Self {
            partner,
            customers: rows
                .iter()
                .filter(|r| r.partner_org_id == partner)
                .map(|r| r.org_id)
                .collect(),
        }
    }

    pub fn partner(&self) -> OrgId {
        self.partner
    }

    /// Whether a partner role of the relationship row being selected (from
    /// [`CustomerScopes::relationships_of`]) has an assignment naming `user` or one of `groups`;
    /// with `built_in`, a role of that kind. Per relationship an indexed probe that stops at the
    /// first match.
    /// Every join stays within the relationship's customer.
    pub fn holds_role(
        user: UserId,
        groups: impl IntoIterator<Item = GroupId>,
        built_in: Option<BuiltInRole>,
    ) -> Expr {
        let mut held = assignments_naming(user, groups);
        if let Some(kind) = built_in {
            held.and_where(Expr::col((role::Entity, role::Column::BuiltIn)).eq(kind));
        }
        // A scalar subquery rather than EXISTS: PostgreSQL turns EXISTS into a semi-join that
        // hashes every membership of the user in every customer (20,000 rows for a page of 50);
        // a scalar subquery stays a probe per relationship, as it is on SQLite.
        held.limit(1);
        Expr::SubQuery(None, Box::new(held.into())).is_not_null()
    }

    /// Whether the relationship row being selected (from [`CustomerScopes::relationships_of`])
    /// names `upn` among its invited admins.
    pub fn invites(upn: &str) -> Expr {
        use partner_invited_admin as i;
        Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(i::Entity)
                .and_where(Expr::col((i::Entity, i::Column::RelationshipId)).equals((
                    partner_relationship::Entity,
                    partner_relationship::Column::Id,
                )))
                .and_where(Expr::col((i::Entity, i::Column::OrgId)).equals((
                    partner_relationship::Entity,
                    partner_relationship::Column::OrgId,
                )))
                .and_where(Expr::col((i::Entity, i::Column::Upn)).eq(upn))
                .to_owned(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// The incidents, in every customer of `partner`, whose tickets `user` (member of `groups`)
    /// may see now: of a room inside the scope of a live relationship with the partner, and
    /// inside the scope of an assignment of one of its partner roles that holds *Tickets:
    /// View* and names the user or one of the groups. The SQL form of `authz::reach` for
    /// tickets across customers, so the all-tickets view is one query and not one per
    /// customer; every join stays within the relationship's customer.
    pub fn incidents_seen_by(
        partner: OrgId,
        user: UserId,
        groups: &[GroupId],
        now: DateTime<Utc>,
    ) -> Select<incident::Entity> {
        use partner_relationship as r;
        use role_assignment as a;
        let ceiling = Condition::any()
            .add(Expr::col((r::Entity, r::Column::AllRooms)).eq(true))
            .add(room_named_by(
                partner_scope_item::Entity,
                (
                    Expr::col((
                        partner_scope_item::Entity,
                        partner_scope_item::Column::RelationshipId,
                    ))
                    .equals((r::Entity, r::Column::Id)),
                    partner_scope_item::Column::OrgId,
                    partner_scope_item::Column::RoomId,
                    partner_scope_item::Column::RoomGroupId,
                ),
            ));
        let mut granted = assignments_naming(user, groups.iter().copied());
        granted
            .cond_where(role_holds(Permission::TicketsView))
            .cond_where(
                Condition::any()
                    .add(Expr::col((a::Entity, a::Column::AllRooms)).eq(true))
                    .add(room_named_by(
                        role_assignment_scope::Entity,
                        (
                            Expr::col((
                                role_assignment_scope::Entity,
                                role_assignment_scope::Column::AssignmentId,
                            ))
                            .equals((a::Entity, a::Column::Id)),
                            role_assignment_scope::Column::OrgId,
                            role_assignment_scope::Column::RoomId,
                            role_assignment_scope::Column::RoomGroupId,
                        ),
                    )),
            );
        let relationship = Query::select()
            .expr(Expr::val(1))
            .from(r::Entity)
            .and_where(
                Expr::col((r::Entity, r::Column::OrgId))
                    .equals((room::Entity, room::Column::OrgId)),
            )
            .and_where(Expr::col((r::Entity, r::Column::PartnerOrgId)).eq(partner))
            .and_where(Expr::col((r::Entity, r::Column::State)).eq(RelationshipState::Active))
            .cond_where(
                Condition::any()
                    .add(Expr::col((r::Entity, r::Column::EndsAt)).is_null())
                    .add(Expr::col((r::Entity, r::Column::EndsAt)).gt(now)),
            )
            .cond_where(ceiling)
            .and_where(Expr::exists(granted.to_owned()))
            .to_owned();
        let room_seen = Query::select()
            .expr(Expr::val(1))
            .from(room::Entity)
            .and_where(
                Expr::col((room::Entity, room::Column::Id))
                    .equals((incident::Entity, incident::Column::RoomId)),
            )
            .and_where(
                Expr::col((room::Entity, room::Column::OrgId))
                    .equals((incident::Entity, incident::Column::OrgId)),
            )
            .and_where(Expr::exists(relationship))
            .to_owned();
        // A partner's roles never give more than Primary admins' permissions (`authz`).
        let capped = BuiltInRole::PrimaryAdmins
            .permissions()
            .contains(&Permission::TicketsView);
        incident::Entity::find()
            .filter(Expr::val(capped).eq(true))
            .filter(Expr::exists(room_seen))
    }
}
/// `SELECT 1` over the assignments of the partner roles of the relationship row being selected
/// (`partner_relationships`) that name `user` or one of `groups`, joined as `roles`,
/// `role_assignments` and `role_assignment_members` for the caller to narrow. Every join stays
/// within the relationship's customer.
fn assignments_naming(user: UserId, groups: impl IntoIterator<Item = GroupId>) -> SelectStatement {
    use role_assignment as a;
    use role_assignment_member as m;
    Query::select()
        .expr(Expr::val(1))
        .from(role::Entity)
        .inner_join(
            a::Entity,
            Expr::col((a::Entity, a::Column::RoleId))
                .equals((role::Entity, role::Column::Id))
                .and(
                    Expr::col((a::Entity, a::Column::OrgId))
                        .equals((role::Entity, role::Column::OrgId)),
                ),
        )
        .inner_join(
            m::Entity,
            Expr::col((m::Entity, m::Column::AssignmentId))
                .equals((a::Entity, a::Column::Id))
                .and(
                    Expr::col((m::Entity, m::Column::OrgId)).equals((a::Entity, a::Column::OrgId)),
                ),
        )
        .and_where(
            Expr::col((role::Entity, role::Column::RelationshipId)).equals((
                partner_relationship::Entity,
                partner_relationship::Column::Id,
            )),
        )
        .and_where(Expr::col((role::Entity, role::Column::OrgId)).equals((
            partner_relationship::Entity,
            partner_relationship::Column::OrgId,
        )))
        .cond_where(
            Condition::any()
                .add(Expr::col((m::Entity, m::Column::UserId)).eq(user))
                .add(Expr::col((m::Entity, m::Column::GroupId)).is_in(groups)),
        )
        .to_owned()
}

/// Whether the role row being selected holds `permission`: by the matrix for a built-in role,
/// by its stored permissions for a custom one (as `roles::permissions_of` reads them).
fn role_holds(permission: Permission) -> Condition {
    use strum::IntoEnumIterator;
    let built_in: Vec<BuiltInRole> = BuiltInRole::iter()
        .filter(|b| b.permissions().contains(&permission))
        .collect();
    let p = role_permission::Entity;
    let stored = Query::select()
        .expr(Expr::val(1))
        .from(p)
        .and_where(
            Expr::col((p, role_permission::Column::RoleId))
                .equals((role::Entity, role::Column::Id)),
        )
        .and_where(
            Expr::col((p, role_permission::Column::OrgId))
                .equals((role::Entity, role::Column::OrgId)),
        )
        .and_where(Expr::col((p, role_permission::Column::Permission)).eq(permission))
        .to_owned();
    Condition::any()
        .add(Expr::col((role::Entity, role::Column::BuiltIn)).is_in(built_in))
        .add(
            Condition::all()
                .add(Expr::col((role::Entity, role::Column::BuiltIn)).is_null())
                .add(Expr::exists(stored)),
        )
}

/// `EXISTS` a row of `table` (`parent` picks the rows of one scope) that names the room being
/// selected (`rooms`): the room itself, or a room group it is in now, statically or by rule.
fn room_named_by<E: EntityTrait>(
    table: E,
    (parent, org, room_col, group_col): (Expr, E::Column, E::Column, E::Column),
) -> Expr {
    let g = room_group::Entity;
    let rooms = room::Entity;
    let rule = Condition::all()
        .add(
            Condition::any()
                .add(Expr::col((g, room_group::Column::RuleCountry)).is_not_null())
                .add(Expr::col((g, room_group::Column::RuleSite)).is_not_null()),
        )
        .add(
            Condition::any()
                .add(Expr::col((g, room_group::Column::RuleCountry)).is_null())
                .add(
                    Expr::col((g, room_group::Column::RuleCountry))
                        .equals((rooms, room::Column::Country)),
                ),
        )
        .add(
            Condition::any()
                .add(Expr::col((g, room_group::Column::RuleSite)).is_null())
                .add(
                    Expr::col((g, room_group::Column::RuleSite))
                        .equals((rooms, room::Column::Site)),
                ),
        );
    let statically = Query::select()
        .expr(Expr::val(1))
        .from(room_group_member::Entity)
        .and_where(
            Expr::col((
                room_group_member::Entity,
                room_group_member::Column::RoomGroupId,
            ))
            .equals((g, room_group::Column::Id)),
        )
        .and_where(
            Expr::col((room_group_member::Entity, room_group_member::Column::RoomId))
                .equals((rooms, room::Column::Id)),
        )
        .and_where(
            Expr::col((room_group_member::Entity, room_group_member::Column::OrgId))
                .equals((rooms, room::Column::OrgId)),
        )
        .to_owned();
    let group_holds = Query::select()
        .expr(Expr::val(1))
        .from(g)
        .and_where(Expr::col((g, room_group::Column::Id)).equals((table, group_col)))
        .and_where(Expr::col((g, room_group::Column::OrgId)).equals((rooms, room::Column::OrgId)))
        .cond_where(Condition::any().add(rule).add(Expr::exists(statically)))
        .to_owned();
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(table)
            .and_where(parent)
            .and_where(Expr::col((table, org)).equals((rooms, room::Column::OrgId)))
            .cond_where(
                Condition::any()
                    .add(Expr::col((table, room_col)).equals((rooms, room::Column::Id)))
                    .add(Expr::exists(group_holds)),
            )
            .to_owned(),
    )
}

impl Scoped for CustomerScopes {
    fn select<E: TenantOwned>(&self) -> Select<E> {
        E::find().filter(E::org_column().is_in(self.customers.iter().copied()))
    }
}
