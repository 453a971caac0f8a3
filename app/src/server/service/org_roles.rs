//! Organisation roles: Global admins and Managed Service Administrators (customer mode
//! *Settings > Administrators*) and Tenant managers (partner mode *Tenant managers*), each held
//! by users or security groups. The organisation always keeps at least one Global admin.

use super::audit::{Attempt, Category, Operation};
use super::directory::describe;
use crate::domain::authz::{authorize, Action, Actor, Decision, OrgRole, Resource};
use crate::domain::directory::{OrgRoleAssignmentView, Principal, RoleFamily};
use crate::domain::ids::{GroupId, OrgId, OrgRoleAssignmentId, UserId};
use crate::server::entity::{group_member, org_role_assignment, organisation};
use crate::server::error::{ConflictKind, ServiceError};
use crate::server::scope::TenantScope;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use std::collections::BTreeSet;

/// # Authorization
/// The family's view action (`ViewAdministrators` or `ViewTenantManagers`) on the organisation.
pub async fn list_org_roles(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    family: RoleFamily,
) -> Result<Vec<OrgRoleAssignmentView>, ServiceError> {
    let scope = TenantScope::authorize(actor, family.view_action(), &Resource::Org(org))?;
    let rows = scope
        .select::<org_role_assignment::Entity>()
        .filter(org_role_assignment::Column::Role.is_in(family.roles().iter().copied()))
        .order_by_asc(org_role_assignment::Column::CreatedAt)
        .all(db)
        .await?;
    let principals: Vec<Principal> = rows.iter().filter_map(principal_of).collect();
    let names = describe(db, &scope, &principals).await?;
    let mut views: Vec<OrgRoleAssignmentView> = rows
        .iter()
        .filter_map(|row| {
            let principal = principal_of(row)?;
            let view = names.iter().find(|n| n.principal == principal)?.clone();
            Some(OrgRoleAssignmentView {
                id: row.id,
                role: row.role,
                principal: view,
            })
        })
        .collect();
    views.sort_by(|a, b| {
        (a.role, a.principal.name.to_lowercase()).cmp(&(b.role, b.principal.name.to_lowercase()))
    });
    Ok(views)
}

/// # Authorization
/// The role's manage action (`ManageAdministrators` or `ManageTenantManagers`) on the organisation.
pub async fn assign_org_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    role: OrgRole,
    principal: Principal,
    now: DateTime<Utc>,
) -> Result<OrgRoleAssignmentView, ServiceError> {
    let attempt = Attempt::new(
        actor,
        Category::Assignment,
        Operation::Create,
        role.label(),
        now,
    );
    let scope = attempt
        .authorize(
            db,
            RoleFamily::of(role).manage_action(),
            &Resource::Org(org),
        )
        .await?;
    let view = describe(db, &scope, &[principal])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound)?;
    let (user_id, group_id) = match principal {
        Principal::User(u) => (Some(u), None),
        Principal::Group(g) => (None, Some(g)),
    };
    let already = scope
        .select::<org_role_assignment::Entity>()
        .filter(org_role_assignment::Column::Role.eq(role))
        .filter(match principal {
            Principal::User(u) => org_role_assignment::Column::UserId.eq(u),
            Principal::Group(g) => org_role_assignment::Column::GroupId.eq(g),
        })
        .count(db)
        .await?;
    if already > 0 {
        return Err(ServiceError::Conflict(ConflictKind::AlreadyAssigned));
    }
    let tx = super::begin_write(db).await?;
    let id = OrgRoleAssignmentId::new();
    org_role_assignment::ActiveModel {
        id: Set(id),
        org_id: Set(scope.org()),
        role: Set(role),
        user_id: Set(user_id),
        group_id: Set(group_id),
        created_at: Set(now),
    }
    .insert(&tx)
    .await?;
    let object = format!("{}: {}", role.label(), view.name);
    attempt.naming(&object).record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(OrgRoleAssignmentView {
        id,
        role,
        principal: view,
    })
}

/// # Authorization
/// The family's manage action on the organisation; refused with `LastGlobalAdmin` if no user
/// would remain a Global admin.
pub async fn remove_org_role(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    family: RoleFamily,
    id: OrgRoleAssignmentId,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let object = format!("role assignment {id}");
    let attempt = Attempt::new(actor, Category::Assignment, Operation::Delete, &object, now);
    let scope = attempt
        .authorize(db, family.manage_action(), &Resource::Org(org))
        .await?;
    let row = scope
        .select::<org_role_assignment::Entity>()
        .filter(org_role_assignment::Column::Id.eq(id))
        .filter(org_role_assignment::Column::Role.is_in(family.roles().iter().copied()))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let name = match principal_of(&row) {
        Some(p) => describe(db, &scope, &[p])
            .await?
            .pop()
            .map(|v| v.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let object = format!("{}: {}", row.role.label(), name);
    let attempt = attempt.naming(&object);
    let change = Change::RemoveAssignment(id);
    let tx = super::begin_write(db).await?;
    let tx = ensure_global_admin_remains(db, tx, &attempt, &scope, family.manage_action(), change)
        .await?;
    scope
        .delete_many::<org_role_assignment::Entity>()
        .filter(org_role_assignment::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(())
}

fn principal_of(row: &org_role_assignment::Model) -> Option<Principal> {
    match (row.user_id, row.group_id) {
        (Some(u), _) => Some(Principal::User(u)),
        (None, Some(g)) => Some(Principal::Group(g)),
        (None, None) => None,
    }
}

/// A change that may take the Global admin role away from someone.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Change {
    RemoveAssignment(OrgRoleAssignmentId),
    DeleteGroup(GroupId),
    RemoveMember(GroupId, UserId),
}

/// Authorizes `action` as a change to who holds organisation roles. It is decided inside the
/// change's transaction, so that two removals at once cannot both pass: refused with
/// `LastGlobalAdmin` when no user would remain a Global admin after `change`, and then the
/// transaction is rolled back and the refusal written as a `Failed` entry.
pub(crate) async fn ensure_global_admin_remains<T: ConnectionTrait + TransactionSession>(
    db: &impl ConnectionTrait,
    tx: T,
    attempt: &Attempt<'_>,
    scope: &TenantScope,
    action: Action,
    change: Change,
) -> Result<T, ServiceError> {
    // Every change that may take Global admin from someone takes this row lock first, so that on
    // PostgreSQL two of them in one organisation run one after the other: without it each would
    // count the other's Global admin as remaining and both would commit. (SQLite runs one
    // writing transaction at a time anyway; it has no row locks and SeaORM leaves them out.)
    organisation::Entity::find_by_id(scope.org())
        .lock_exclusive()
        .one(&tx)
        .await?;
    let after = global_admins_after(&tx, scope, change).await?;
    let resource = Resource::OrgRoleChange {
        org: scope.org(),
        global_admins_after: after,
    };
    match authorize(attempt.actor(), action, &resource) {
        Decision::Allow => Ok(tx),
        Decision::Deny(reason) => {
            tx.rollback().await?;
            Err(attempt.refused(db, scope.org(), reason).await)
        }
    }
}

/// How many distinct users would hold Global admin, directly or through a group, after `change`.
async fn global_admins_after(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    change: Change,
) -> Result<usize, ServiceError> {
    let assignments = scope
        .select::<org_role_assignment::Entity>()
        .filter(org_role_assignment::Column::Role.eq(OrgRole::GlobalAdmin))
        .all(db)
        .await?;
    let mut users: BTreeSet<UserId> = BTreeSet::new();
    let mut groups: BTreeSet<GroupId> = BTreeSet::new();
    for a in assignments {
        if matches!(change, Change::RemoveAssignment(id) if id == a.id) {
            continue;
        }
        users.extend(a.user_id);
        groups.extend(
            a.group_id
                .filter(|g| !matches!(change, Change::DeleteGroup(d) if d == *g)),
        );
    }
    let members = scope
        .select::<group_member::Entity>()
        .filter(group_member::Column::GroupId.is_in(groups))
        .all(db)
        .await?;
    users.extend(
        members
            .into_iter()
            .filter(|m| !matches!(change, Change::RemoveMember(g, u) if g == m.group_id && u == m.user_id))
            .map(|m| m.user_id),
    );
    Ok(users.len())
}

/// Makes `user` the first Global admin of a new organisation. Operator-only (seeding and
/// provisioning): nobody can hold the role yet to grant it.
pub async fn grant_first_global_admin(
    db: &impl ConnectionTrait,
    org: OrgId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<OrgRoleAssignmentId, ServiceError> {
    let id = OrgRoleAssignmentId::new();
    org_role_assignment::ActiveModel {
        id: Set(id),
        org_id: Set(TenantScope::trusted(org).org()),
        role: Set(OrgRole::GlobalAdmin),
        user_id: Set(Some(user)),
        group_id: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(id)
}
