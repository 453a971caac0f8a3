//! *Settings > Roles*: built-in and custom roles, their assignments (members over a scope), and
//! the grants a user holds through them. Nobody grants more than they hold
//! (`authz::authorize_grant`).

use super::audit::{Attempt, Category, Operation};
use super::directory::describe;
use super::membership::{facts, group_defs};
use crate::domain::access::{grants_for, groups_of, AssignmentDef};
use crate::domain::authz::{
    authorize_grant, authorize_hand_over, authorize_role_permissions, Action, Actor, BuiltInRole,
    Grant, Holdings, OrgRole, Permission, Resource, Scope, Standing,
};
use crate::domain::directory::{Principal, PrincipalView};
use crate::domain::ids::{
    GroupId, OrgId, RelationshipId, RoleAssignmentId, RoleId, RoomGroupId, RoomId, UserId,
};
use crate::domain::roles::{AssignmentDraft, AssignmentView, RoleDetail, RoleDraft, RoleView};
use crate::domain::validation::Valid;
use crate::server::entity::{
    partner_relationship, role, role_assignment, role_assignment_member, role_assignment_scope,
    role_permission, room, room_group,
};
use crate::server::error::{ConflictKind, ServiceError};
use crate::server::scope::{Scoped, TenantScope};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// Whose roles a request is about, from the actor's standing in the organisation: its own roles,
/// or, for a partner's user, the partner roles of their relationship with that customer. Both
/// live in the customer's tables; partner roles' members come from the partner's directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RoleSet {
    Own(OrgId),
    Partner {
        customer: OrgId,
        relationship: RelationshipId,
        partner: OrgId,
    },
}

impl RoleSet {
    fn of(actor: &Actor, org: OrgId) -> Self {
        match actor.standing(org) {
            Standing::Partner(p) => RoleSet::Partner {
                customer: org,
                relationship: p.relationship,
                partner: actor.org,
            },
            Standing::Home | Standing::Stranger => RoleSet::Own(org),
        }
    }

    fn resource(self) -> Resource {
        match self {
            RoleSet::Own(org) => Resource::Org(org),
            RoleSet::Partner {
                customer,
                relationship,
                ..
            } => Resource::Relationship {
                org: customer,
                relationship,
            },
        }
    }

    fn relationship(self) -> Option<RelationshipId> {
        match self {
            RoleSet::Own(_) => None,
            RoleSet::Partner { relationship, .. } => Some(relationship),
        }
    }

    /// The roles of this set among the organisation's.
    fn roles(self) -> Condition {
        match self.relationship() {
            None => Condition::all().add(role::Column::RelationshipId.is_null()),
            Some(id) => Condition::all().add(role::Column::RelationshipId.eq(id)),
        }
    }

    /// Where the members of this set's roles come from: the organisation's own directory, or
    /// the partner's (the actor's home, established by their session).
    fn directory(self, scope: &TenantScope) -> TenantScope {
        match self {
            RoleSet::Own(_) => *scope,
            RoleSet::Partner { partner, .. } => TenantScope::trusted(partner),
        }
    }
}

/// Creates the built-in roles of a new organisation.
pub async fn create_built_in_roles(
    db: &impl ConnectionTrait,
    org: OrgId,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    for built_in in BuiltInRole::CUSTOMER {
        role::ActiveModel {
            id: Set(RoleId::new()),
            org_id: Set(org),
            name: Set(built_in.name().to_owned()),
            name_lower: Set(built_in.name().to_lowercase()),
            description: Set(built_in.description().to_owned()),
            built_in: Set(Some(built_in)),
            created_at: Set(now),
            relationship_id: Set(None),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Each role's permissions: the matrix for built-in roles, stored rows for custom ones.
async fn permissions_of(
    db: &impl ConnectionTrait,
    scope: &impl Scoped,
    roles: &[role::Model],
) -> Result<BTreeMap<RoleId, BTreeSet<Permission>>, ServiceError> {
    let mut stored: BTreeMap<RoleId, BTreeSet<Permission>> = BTreeMap::new();
    for p in scope
        .select::<role_permission::Entity>()
        .filter(role_permission::Column::RoleId.is_in(roles.iter().map(|r| r.id)))
        .all(db)
        .await?
    {
        stored.entry(p.role_id).or_default().insert(p.permission);
    }
    Ok(roles
        .iter()
        .map(|r| {
            let perms = match r.built_in {
                Some(b) => b.permissions(),
                None => stored.remove(&r.id).unwrap_or_default(),
            };
            (r.id, perms)
        })
        .collect())
}

/// The grants `user` holds in their home organisation through role assignments, directly or
/// through `user_groups`.
pub async fn grants_of(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    user: UserId,
    user_groups: &BTreeSet<GroupId>,
) -> Result<Vec<Grant>, ServiceError> {
    let memberships = scope
        .select::<role_assignment_member::Entity>()
        .filter(
            Condition::any()
                .add(role_assignment_member::Column::UserId.eq(user))
                .add(role_assignment_member::Column::GroupId.is_in(user_groups.iter().copied())),
        )
        .all(db)
        .await?;
    if memberships.is_empty() {
        return Ok(vec![]);
    }
    let ids: BTreeSet<RoleAssignmentId> = memberships.iter().map(|m| m.assignment_id).collect();
    let defs = assignment_defs(db, scope, &ids, &memberships).await?;
    Ok(grants_for(user, user_groups, &defs))
}

async fn assignment_defs(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    ids: &BTreeSet<RoleAssignmentId>,
    memberships: &[role_assignment_member::Model],
) -> Result<Vec<AssignmentDef>, ServiceError> {
    let assignments = assignments_among(db, scope, ids.iter().copied()).await?;
    let (grants, _) = permissions_and_scopes(db, scope, &assignments).await?;
    Ok(assignments
        .into_iter()
        .zip(grants)
        .map(|(a, (permissions, scope))| AssignmentDef {
            org: a.org_id,
            permissions,
            scope,
            users: memberships
                .iter()
                .filter(|m| m.assignment_id == a.id)
                .filter_map(|m| m.user_id)
                .collect(),
            groups: memberships
                .iter()
                .filter(|m| m.assignment_id == a.id)
                .filter_map(|m| m.group_id)
                .collect(),
        })
        .collect())
}

/// Each assignment's role permissions and scope, in the assignments' order, and the scope rows
/// they were read from.
type GrantsRead = (
    Vec<(BTreeSet<Permission>, Scope)>,
    Vec<role_assignment_scope::Model>,
);

/// Each of `assignments`' role permissions and scope, in their order, with the scope rows read.
pub(crate) async fn permissions_and_scopes(
    db: &impl ConnectionTrait,
    scope: &impl Scoped,
    assignments: &[role_assignment::Model],
) -> Result<GrantsRead, ServiceError> {
    let role_ids: BTreeSet<RoleId> = assignments.iter().map(|a| a.role_id).collect();
    let roles = scope
        .select::<role::Entity>()
        .filter(role::Column::Id.is_in(role_ids))
        .all(db)
        .await?;
    grants_with(db, scope, &roles, assignments).await
}

/// [`permissions_and_scopes`] with the assignments' roles already read.
pub(crate) async fn grants_with(
    db: &impl ConnectionTrait,
    scope: &impl Scoped,
    roles: &[role::Model],
    assignments: &[role_assignment::Model],
) -> Result<GrantsRead, ServiceError> {
    let perms = permissions_of(db, scope, roles).await?;
    let narrow: Vec<RoleAssignmentId> = assignments
        .iter()
        .filter(|a| !a.all_rooms)
        .map(|a| a.id)
        .collect();
    let scopes = if narrow.is_empty() {
        vec![]
    } else {
        scope
            .select::<role_assignment_scope::Entity>()
            .filter(role_assignment_scope::Column::AssignmentId.is_in(narrow))
            .all(db)
            .await?
    };
    // Indexed once: a partner user can hold thousands of assignments across customers.
    let mut rows: BTreeMap<RoleAssignmentId, Vec<&role_assignment_scope::Model>> = BTreeMap::new();
    for s in &scopes {
        rows.entry(s.assignment_id).or_default().push(s);
    }
    let grants = assignments
        .iter()
        .map(|a| {
            let permissions = perms.get(&a.role_id).cloned().unwrap_or_default();
            let scope = if a.all_rooms {
                Scope::AllRooms
            } else {
                let mine = rows.get(&a.id).map(Vec::as_slice).unwrap_or_default();
                Scope::Some {
                    rooms: mine.iter().filter_map(|s| s.room_id).collect(),
                    room_groups: mine.iter().filter_map(|s| s.room_group_id).collect(),
                }
            };
            (permissions, scope)
        })
        .collect();
    Ok((grants, scopes))
}

fn scope_of(a: &role_assignment::Model, rows: &[role_assignment_scope::Model]) -> Scope {
    if a.all_rooms {
        return Scope::AllRooms;
    }
    let mine = rows.iter().filter(|s| s.assignment_id == a.id);
    Scope::Some {
        rooms: mine.clone().filter_map(|s| s.room_id).collect(),
        room_groups: mine.filter_map(|s| s.room_group_id).collect(),
    }
}

/// What `assignments` confer (each role's permissions over each scope) together with
/// `org_roles`, with the current room groups of every room the scopes name: what changing who
/// they name hands over (`authz::authorize_hand_over`).
pub(crate) async fn holdings(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    org_roles: BTreeSet<OrgRole>,
    assignments: &[role_assignment::Model],
) -> Result<Holdings, ServiceError> {
    let (grants, scopes) = permissions_and_scopes(db, scope, assignments).await?;
    Ok(Holdings {
        org_roles,
        grants,
        groups_of_rooms: groups_of_rooms(db, scope, scopes.iter().filter_map(|s| s.room_id))
            .await?,
    })
}

/// The role assignments whose scope names room group `group`.
pub(crate) async fn assignments_scoped_to(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    group: RoomGroupId,
) -> Result<Vec<role_assignment::Model>, ServiceError> {
    let rows = scope
        .select::<role_assignment_scope::Entity>()
        .filter(role_assignment_scope::Column::RoomGroupId.eq(group))
        .all(db)
        .await?;
    assignments_among(db, scope, rows.iter().map(|s| s.assignment_id)).await
}

/// The role assignments that name security group `group` among their members.
pub(crate) async fn assignments_naming(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    group: GroupId,
) -> Result<Vec<role_assignment::Model>, ServiceError> {
    let rows = scope
        .select::<role_assignment_member::Entity>()
        .filter(role_assignment_member::Column::GroupId.eq(group))
        .all(db)
        .await?;
    assignments_among(db, scope, rows.iter().map(|m| m.assignment_id)).await
}

pub(crate) async fn assignments_among(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    ids: impl Iterator<Item = RoleAssignmentId>,
) -> Result<Vec<role_assignment::Model>, ServiceError> {
    let ids: BTreeSet<RoleAssignmentId> = ids.collect();
    Ok(scope
        .select::<role_assignment::Entity>()
        .filter(role_assignment::Column::Id.is_in(ids))
        .all(db)
        .await?)
}

/// The current room groups of `rooms`, for checking grants over scopes that name them.
pub(crate) async fn groups_of_rooms(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    rooms: impl IntoIterator<Item = RoomId>,
) -> Result<BTreeMap<RoomId, BTreeSet<RoomGroupId>>, ServiceError> {
    let rooms: BTreeSet<RoomId> = rooms.into_iter().collect();
    if rooms.is_empty() {
        return Ok(BTreeMap::new());
    }
    let defs = group_defs(db, scope).await?;
    Ok(scope
        .select::<room::Entity>()
        .filter(room::Column::Id.is_in(rooms))
        .all(db)
        .await?
        .iter()
        .map(|r| (r.id, groups_of(&facts(r), &defs)))
        .collect())
}

/// Refuses (and audits) a change that takes away what `assignments` confer, unless the actor
/// could hand all of it out directly: nobody removes grants above their own.
async fn ensure_may_take_away(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    attempt: &Attempt<'_>,
    assignments: &[role_assignment::Model],
) -> Result<(), ServiceError> {
    let held = holdings(db, scope, BTreeSet::new(), assignments).await?;
    let decision = authorize_hand_over(attempt.actor(), scope.org(), &held);
    attempt.refuse_unless(db, scope.org(), decision).await
}

/// # Authorization
/// `Action::ViewRoles` on the organisation.
pub async fn list_roles(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
) -> Result<Vec<RoleView>, ServiceError> {
    let set = RoleSet::of(actor, org);
    let scope = TenantScope::authorize(actor, Action::ViewRoles, &set.resource())?;
    let roles = scope
        .select::<role::Entity>()
        .filter(set.roles())
        .order_by_asc(role::Column::BuiltIn)
        .order_by_asc(role::Column::NameLower)
        .all(db)
        .await?;
    let perms = permissions_of(db, &scope, &roles).await?;
    let mut counts: BTreeMap<RoleId, u64> = BTreeMap::new();
    for a in scope
        .select::<role_assignment::Entity>()
        .filter(role_assignment::Column::RoleId.is_in(roles.iter().map(|r| r.id)))
        .all(db)
        .await?
    {
        *counts.entry(a.role_id).or_default() += 1;
    }
    let mut views: Vec<RoleView> = roles
        .into_iter()
        .map(|r| RoleView {
            permissions: perms
                .get(&r.id)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .collect(),
            assignment_count: counts.get(&r.id).copied().unwrap_or(0),
            id: r.id,
            name: r.name,
            description: r.description,
            built_in: r.built_in,
        })
        .collect();
    // Built-in roles first, in the catalogue's order, then custom roles by name.
    views.sort_by_key(|v| (v.built_in.is_none(), v.built_in, v.name.to_lowercase()));
    Ok(views)
}

async fn find_role(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    set: RoleSet,
    id: RoleId,
) -> Result<role::Model, ServiceError> {
    scope
        .select::<role::Entity>()
        .filter(role::Column::Id.eq(id))
        .filter(set.roles())
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// # Authorization
/// `Action::ViewRoles` on the organisation.
pub async fn get_role(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    id: RoleId,
) -> Result<RoleDetail, ServiceError> {
    let set = RoleSet::of(actor, org);
    let scope = TenantScope::authorize(actor, Action::ViewRoles, &set.resource())?;
    let role = find_role(db, &scope, set, id).await?;
    let perms = permissions_of(db, &scope, std::slice::from_ref(&role)).await?;
    let assignments = scope
        .select::<role_assignment::Entity>()
        .filter(role_assignment::Column::RoleId.eq(id))
        .order_by_asc(role_assignment::Column::CreatedAt)
        .all(db)
        .await?;
    let ids: Vec<RoleAssignmentId> = assignments.iter().map(|a| a.id).collect();
    let members = scope
        .select::<role_assignment_member::Entity>()
        .filter(role_assignment_member::Column::AssignmentId.is_in(ids.clone()))
        .all(db)
        .await?;
    let scopes = scope
        .select::<role_assignment_scope::Entity>()
        .filter(role_assignment_scope::Column::AssignmentId.is_in(ids))
        .all(db)
        .await?;
    let room_names: BTreeMap<RoomId, String> = scope
        .select::<room::Entity>()
        .filter(room::Column::Id.is_in(scopes.iter().filter_map(|s| s.room_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.display_name))
        .collect();
    let group_names: BTreeMap<RoomGroupId, String> = scope
        .select::<room_group::Entity>()
        .filter(room_group::Column::Id.is_in(scopes.iter().filter_map(|s| s.room_group_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    let principal_of = |m: &role_assignment_member::Model| match (m.user_id, m.group_id) {
        (Some(u), _) => Some(Principal::User(u)),
        (None, Some(g)) => Some(Principal::Group(g)),
        (None, None) => None,
    };
    // Every member of every assignment described in one pass, then handed out.
    let all: Vec<Principal> = members.iter().filter_map(principal_of).collect();
    let described: BTreeMap<Principal, PrincipalView> = describe(db, &set.directory(&scope), &all)
        .await?
        .into_iter()
        .map(|v| (v.principal, v))
        .collect();
    let mut views = Vec::with_capacity(assignments.len());
    for a in assignments {
        let mut principals: Vec<PrincipalView> = members
            .iter()
            .filter(|m| m.assignment_id == a.id)
            .filter_map(principal_of)
            .filter_map(|p| described.get(&p).cloned())
            .collect();
        principals.sort_by_key(|p| p.name.to_lowercase());
        let Scope::Some { rooms, room_groups } = scope_of(&a, &scopes) else {
            views.push(view_of(a, principals.clone(), vec![], vec![], true));
            continue;
        };
        let rooms = rooms
            .into_iter()
            .filter_map(|r| room_names.get(&r).map(|n| (r, n.clone())))
            .collect();
        let groups = room_groups
            .into_iter()
            .filter_map(|g| group_names.get(&g).map(|n| (g, n.clone())))
            .collect();
        views.push(view_of(a, principals, rooms, groups, false));
    }
    Ok(RoleDetail {
        role: RoleView {
            permissions: perms
                .get(&role.id)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .collect(),
            assignment_count: views.len() as u64,
            id: role.id,
            name: role.name,
            description: role.description,
            built_in: role.built_in,
        },
        assignments: views,
    })
}

fn view_of(
    a: role_assignment::Model,
    members: Vec<crate::domain::directory::PrincipalView>,
    rooms: Vec<(RoomId, String)>,
    room_groups: Vec<(RoomGroupId, String)>,
    all_rooms: bool,
) -> AssignmentView {
    AssignmentView {
        id: a.id,
        name: a.name,
        description: a.description,
        notify: a.notify,
        members,
        all_rooms,
        rooms,
        room_groups,
    }
}

fn name_conflict(err: sea_orm::DbErr) -> ServiceError {
    match ServiceError::from(err) {
        ServiceError::Conflict(_) => ServiceError::Conflict(ConflictKind::NameTaken),
        other => other,
    }
}

/// Checks that a draft's members, rooms and groups exist in the organisation, and that the actor
/// may hand out `permissions` over its scope. A refusal is audited.
async fn check_assignment(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    set: RoleSet,
    permissions: &BTreeSet<Permission>,
    draft: &Valid<AssignmentDraft>,
    attempt: &Attempt<'_>,
) -> Result<(), ServiceError> {
    let d = draft.get();
    if describe(db, &set.directory(scope), &d.members).await?.len() != d.members.len() {
        return Err(ServiceError::NotFound);
    }
    let rooms: Vec<room::Model> = scope
        .select::<room::Entity>()
        .filter(room::Column::Id.is_in(d.rooms.iter().copied()))
        .all(db)
        .await?;
    let groups = scope
        .select::<room_group::Entity>()
        .filter(room_group::Column::Id.is_in(d.room_groups.iter().copied()))
        .all(db)
        .await?;
    if rooms.len() != d.rooms.len() || groups.len() != d.room_groups.len() {
        return Err(ServiceError::NotFound);
    }
    let groups_of_rooms = groups_of_rooms(db, scope, rooms.iter().map(|r| r.id)).await?;
    let decision = authorize_grant(
        attempt.actor(),
        scope.org(),
        permissions,
        &draft.scope(),
        &groups_of_rooms,
    );
    attempt.refuse_unless(db, scope.org(), decision).await
}

async fn insert_assignment(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    id: RoleAssignmentId,
    role: RoleId,
    draft: &Valid<AssignmentDraft>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let d = draft.get();
    role_assignment::ActiveModel {
        id: Set(id),
        org_id: Set(scope.org()),
        role_id: Set(role),
        name: Set(d.name.clone()),
        description: Set(d.description.clone()),
        notify: Set(d.notify),
        all_rooms: Set(d.all_rooms),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    write_members_and_scope(db, scope, id, draft).await
}

async fn write_members_and_scope(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    id: RoleAssignmentId,
    draft: &Valid<AssignmentDraft>,
) -> Result<(), ServiceError> {
    let d = draft.get();
    for member in &d.members {
        let (user, group) = match member {
            Principal::User(u) => (Some(*u), None),
            Principal::Group(g) => (None, Some(*g)),
        };
        role_assignment_member::ActiveModel {
            id: Set(Uuid::new_v4()),
            org_id: Set(scope.org()),
            assignment_id: Set(id),
            user_id: Set(user),
            group_id: Set(group),
        }
        .insert(db)
        .await?;
    }
    let rooms = d.rooms.iter().map(|r| (Some(*r), None));
    let groups = d.room_groups.iter().map(|g| (None, Some(*g)));
    for (room_id, room_group_id) in rooms.chain(groups) {
        role_assignment_scope::ActiveModel {
            id: Set(Uuid::new_v4()),
            org_id: Set(scope.org()),
            assignment_id: Set(id),
            room_id: Set(room_id),
            room_group_id: Set(room_group_id),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Whether `name` is free for a new role of the actor's roles there (the organisation's own, or
/// a partner's for this customer): the wizard asks on its first step, so that a taken name is
/// said where it was typed. Creating checks again, by the unique index.
///
/// # Authorization
/// `Action::ModifyRoles`, as creating.
pub async fn check_role_name(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    name: &str,
) -> Result<(), ServiceError> {
    let set = RoleSet::of(actor, org);
    let scope = TenantScope::authorize(actor, Action::ModifyRoles, &set.resource())?;
    let taken = scope
        .select::<role::Entity>()
        .filter(set.roles())
        .filter(role::Column::NameLower.eq(name.to_lowercase()))
        .count(db)
        .await?;
    if taken > 0 {
        return Err(ServiceError::Conflict(ConflictKind::NameTaken));
    }
    Ok(())
}

/// # Authorization
/// `Action::ModifyRoles` on the organisation; every permission must be held by the actor, and
/// the first assignment (the wizard's) must be within what the actor holds.
pub async fn create_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    draft: Valid<RoleDraft>,
    assignment: Option<Valid<AssignmentDraft>>,
    now: DateTime<Utc>,
) -> Result<RoleId, ServiceError> {
    let name = draft.get().name.clone();
    let attempt = Attempt::new(actor, Category::Role, Operation::Create, &name, now);
    let set = RoleSet::of(actor, org);
    let scope = attempt
        .authorize(db, Action::ModifyRoles, &set.resource())
        .await?;
    let permissions = draft.permissions();
    let decision = authorize_role_permissions(actor, org, &permissions);
    attempt.refuse_unless(db, org, decision).await?;
    if let Some(a) = &assignment {
        check_assignment(db, &scope, set, &permissions, a, &attempt).await?;
    }
    let tx = super::begin_write(db).await?;
    let id = RoleId::new();
    role::ActiveModel {
        id: Set(id),
        org_id: Set(scope.org()),
        name: Set(name.clone()),
        name_lower: Set(name.to_lowercase()),
        description: Set(draft.get().description.clone()),
        built_in: Set(None),
        created_at: Set(now),
        relationship_id: Set(set.relationship()),
    }
    .insert(&tx)
    .await
    .map_err(name_conflict)?;
    write_permissions(&tx, &scope, id, &permissions).await?;
    attempt.record(&tx, &scope).await?;
    if let Some(a) = &assignment {
        insert_assignment(&tx, &scope, RoleAssignmentId::new(), id, a, now).await?;
        let object = format!("{name}: {}", a.get().name);
        Attempt::new(actor, Category::Assignment, Operation::Create, &object, now)
            .record(&tx, &scope)
            .await?;
    }
    tx.commit().await?;
    Ok(id)
}

async fn write_permissions(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    role: RoleId,
    permissions: &BTreeSet<Permission>,
) -> Result<(), ServiceError> {
    for p in permissions {
        role_permission::ActiveModel {
            role_id: Set(role),
            permission: Set(*p),
            org_id: Set(scope.org()),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// A custom role; built-in ones are refused with a conflict the page explains.
async fn custom_role(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    set: RoleSet,
    id: RoleId,
) -> Result<role::Model, ServiceError> {
    let role = find_role(db, scope, set, id).await?;
    if role.built_in.is_some() {
        return Err(ServiceError::Conflict(ConflictKind::BuiltInRole));
    }
    Ok(role)
}

/// # Authorization
/// `Action::ModifyRoles` on the organisation; a permission added to the role must be one the
/// actor may hand out over the scope of every existing assignment of it.
pub async fn update_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RoleId,
    draft: Valid<RoleDraft>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let name = draft.get().name.clone();
    let attempt = Attempt::new(actor, Category::Role, Operation::Update, &name, now);
    let set = RoleSet::of(actor, org);
    let scope = attempt
        .authorize(db, Action::ModifyRoles, &set.resource())
        .await?;
    let role = custom_role(db, &scope, set, id).await?;
    let before = permissions_of(db, &scope, std::slice::from_ref(&role))
        .await?
        .remove(&id)
        .unwrap_or_default();
    let after = draft.permissions();
    let added: BTreeSet<Permission> = after.difference(&before).copied().collect();
    let decision = authorize_role_permissions(actor, org, &added);
    attempt.refuse_unless(db, org, decision).await?;
    // Adding a permission grants it, and removing one takes it away, to every member of every
    // assignment of the role, over that assignment's scope.
    let changed: BTreeSet<Permission> = after.symmetric_difference(&before).copied().collect();
    let assignments = scope
        .select::<role_assignment::Entity>()
        .filter(role_assignment::Column::RoleId.eq(id))
        .all(db)
        .await?;
    let mut held = holdings(db, &scope, BTreeSet::new(), &assignments).await?;
    for (permissions, _) in &mut held.grants {
        *permissions = changed.clone();
    }
    let decision = authorize_hand_over(actor, org, &held);
    attempt.refuse_unless(db, org, decision).await?;
    let object = if role.name == name {
        name.clone()
    } else {
        format!("{} -> {name}", role.name)
    };
    let tx = super::begin_write(db).await?;
    let mut active = role.into_active_model();
    active.name = Set(name.clone());
    active.name_lower = Set(name.to_lowercase());
    active.description = Set(draft.get().description.clone());
    active.update(&tx).await.map_err(name_conflict)?;
    scope
        .delete_many::<role_permission::Entity>()
        .filter(role_permission::Column::RoleId.eq(id))
        .exec(&tx)
        .await?;
    write_permissions(&tx, &scope, id, &after).await?;
    attempt.naming(&object).record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(())
}

/// # Authorization
/// `Action::ModifyRoles` on the organisation; built-in roles cannot be deleted. Its assignments
/// go with it, and their members lose what they held through it on their next request.
pub async fn delete_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RoleId,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let blind = format!("role {id}");
    let attempt = Attempt::new(actor, Category::Role, Operation::Delete, &blind, now);
    let set = RoleSet::of(actor, org);
    attempt
        .authorize(db, Action::ViewRoles, &set.resource())
        .await?;
    let role = custom_role(db, &TenantScope::describing(org), set, id).await?;
    let attempt = attempt.naming(&role.name);
    let scope = attempt
        .authorize(db, Action::ModifyRoles, &set.resource())
        .await?;
    let assignments = scope
        .select::<role_assignment::Entity>()
        .filter(role_assignment::Column::RoleId.eq(id))
        .all(db)
        .await?;
    ensure_may_take_away(db, &scope, &attempt, &assignments).await?;
    let tx = super::begin_write(db).await?;
    scope
        .delete_many::<role::Entity>()
        .filter(role::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(())
}

/// # Authorization
/// `Action::ModifyRoles` on the organisation, and the role's permissions over the draft's scope
/// must be the actor's to hand out.
pub async fn save_assignment(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    role_id: RoleId,
    existing: Option<RoleAssignmentId>,
    draft: Valid<AssignmentDraft>,
    now: DateTime<Utc>,
) -> Result<RoleAssignmentId, ServiceError> {
    let operation = if existing.is_some() {
        Operation::Update
    } else {
        Operation::Create
    };
    let blind = format!("role {role_id}: {}", draft.get().name);
    let attempt = Attempt::new(actor, Category::Assignment, operation, &blind, now);
    let set = RoleSet::of(actor, org);
    attempt
        .authorize(db, Action::ViewRoles, &set.resource())
        .await?;
    let look = TenantScope::describing(org);
    let role = find_role(db, &look, set, role_id).await?;
    let object = format!("{}: {}", role.name, draft.get().name);
    let attempt = attempt.naming(&object);
    let scope = attempt
        .authorize(db, Action::ModifyRoles, &set.resource())
        .await?;
    let permissions = permissions_of(db, &scope, std::slice::from_ref(&role))
        .await?
        .remove(&role_id)
        .unwrap_or_default();
    check_assignment(db, &scope, set, &permissions, &draft, &attempt).await?;
    if let Some(id) = existing {
        // An edit takes the assignment from its current members and scope, too.
        let current = scope
            .select::<role_assignment::Entity>()
            .filter(role_assignment::Column::Id.eq(id))
            .filter(role_assignment::Column::RoleId.eq(role_id))
            .all(db)
            .await?;
        ensure_may_take_away(db, &scope, &attempt, &current).await?;
    }
    let tx = super::begin_write(db).await?;
    let primary_admins = match set.relationship() {
        Some(rel) if role.built_in == Some(BuiltInRole::PrimaryAdmins) => {
            Some(lock_relationship(&tx, &scope, rel).await?)
        }
        _ => None,
    };
    let id = match existing {
        None => {
            let id = RoleAssignmentId::new();
            insert_assignment(&tx, &scope, id, role_id, &draft, now).await?;
            id
        }
        Some(id) => {
            let current = scope
                .select::<role_assignment::Entity>()
                .filter(role_assignment::Column::Id.eq(id))
                .filter(role_assignment::Column::RoleId.eq(role_id))
                .one(&tx)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let d = draft.get();
            let mut active = current.into_active_model();
            active.name = Set(d.name.clone());
            active.description = Set(d.description.clone());
            active.notify = Set(d.notify);
            active.all_rooms = Set(d.all_rooms);
            active.update(&tx).await?;
            scope
                .delete_many::<role_assignment_member::Entity>()
                .filter(role_assignment_member::Column::AssignmentId.eq(id))
                .exec(&tx)
                .await?;
            scope
                .delete_many::<role_assignment_scope::Entity>()
                .filter(role_assignment_scope::Column::AssignmentId.eq(id))
                .exec(&tx)
                .await?;
            write_members_and_scope(&tx, &scope, id, &draft).await?;
            id
        }
    };
    if primary_admins.is_some() && primary_admin_members(&tx, &scope, role_id).await? == 0 {
        tx.rollback().await?;
        return Err(ServiceError::Conflict(ConflictKind::LastPrimaryAdmin));
    }
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(id)
}

/// Takes the row lock that every change to a relationship's Primary admins takes first, so that
/// on PostgreSQL two concurrent removals run one after the other and the second sees the first's
/// (without it, each would count the other's member as remaining). SQLite runs one writing
/// transaction at a time anyway.
async fn lock_relationship(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    relationship: RelationshipId,
) -> Result<partner_relationship::Model, ServiceError> {
    scope
        .select::<partner_relationship::Entity>()
        .filter(partner_relationship::Column::Id.eq(relationship))
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Refuses deleting security group `group` when it is the last member of the Primary admins
/// role of `relationship` among `assignments` (those naming the group).
pub(crate) async fn ensure_primary_admins_outlive(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    relationship: RelationshipId,
    assignments: &[role_assignment::Model],
    group: GroupId,
) -> Result<(), ServiceError> {
    let primary = scope
        .select::<role::Entity>()
        .filter(role::Column::RelationshipId.eq(relationship))
        .filter(role::Column::BuiltIn.eq(BuiltInRole::PrimaryAdmins))
        .one(db)
        .await?;
    let Some(primary) = primary else {
        return Ok(());
    };
    if !assignments.iter().any(|a| a.role_id == primary.id) {
        return Ok(());
    }
    let all = scope
        .select::<role_assignment::Entity>()
        .filter(role_assignment::Column::RoleId.eq(primary.id))
        .all(db)
        .await?;
    let others = scope
        .select::<role_assignment_member::Entity>()
        .filter(role_assignment_member::Column::AssignmentId.is_in(all.iter().map(|a| a.id)))
        .filter(
            Condition::any()
                .add(role_assignment_member::Column::GroupId.is_null())
                .add(role_assignment_member::Column::GroupId.ne(group)),
        )
        .count(db)
        .await?;
    if others == 0 {
        return Err(ServiceError::Conflict(ConflictKind::LastPrimaryAdmin));
    }
    Ok(())
}

/// How many members (users or groups) all assignments of `role` have together.
async fn primary_admin_members(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    role: RoleId,
) -> Result<u64, ServiceError> {
    let assignments = scope
        .select::<role_assignment::Entity>()
        .filter(role_assignment::Column::RoleId.eq(role))
        .all(db)
        .await?;
    Ok(scope
        .select::<role_assignment_member::Entity>()
        .filter(
            role_assignment_member::Column::AssignmentId.is_in(assignments.iter().map(|a| a.id)),
        )
        .count(db)
        .await?)
}

/// # Authorization
/// `Action::ModifyRoles` on the organisation.
pub async fn delete_assignment(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RoleAssignmentId,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let blind = format!("assignment {id}");
    let attempt = Attempt::new(actor, Category::Assignment, Operation::Delete, &blind, now);
    let set = RoleSet::of(actor, org);
    attempt
        .authorize(db, Action::ViewRoles, &set.resource())
        .await?;
    let look = TenantScope::describing(org);
    let assignment = look
        .select::<role_assignment::Entity>()
        .filter(role_assignment::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let role = find_role(db, &look, set, assignment.role_id).await?;
    let object = format!("{}: {}", role.name, assignment.name);
    let attempt = attempt.naming(&object);
    let scope = attempt
        .authorize(db, Action::ModifyRoles, &set.resource())
        .await?;
    ensure_may_take_away(db, &scope, &attempt, std::slice::from_ref(&assignment)).await?;
    let tx = super::begin_write(db).await?;
    let primary_admins = match set.relationship() {
        Some(rel) if role.built_in == Some(BuiltInRole::PrimaryAdmins) => {
            Some(lock_relationship(&tx, &scope, rel).await?)
        }
        _ => None,
    };
    scope
        .delete_many::<role_assignment::Entity>()
        .filter(role_assignment::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    if primary_admins.is_some() && primary_admin_members(&tx, &scope, role.id).await? == 0 {
        tx.rollback().await?;
        return Err(ServiceError::Conflict(ConflictKind::LastPrimaryAdmin));
    }
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(())
}
