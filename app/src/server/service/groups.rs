//! Security groups: an organisation's named sets of its own users (customer mode *Settings >
//! Security groups*). A group grants to its members as of each request.

use super::audit::{Attempt, Category, Operation};
use super::org_roles::{ensure_global_admin_remains, Change};
use super::roles;
use crate::domain::authz::{authorize_hand_over, Action, Actor, Resource};
use crate::domain::directory::{GroupDetailView, GroupView, MemberView};
use crate::domain::ids::{GroupId, OrgId, UserId};
use crate::domain::validation::GroupName;
use crate::server::entity::{group_member, org_role_assignment, security_group, user};
use crate::server::error::{ConflictKind, ServiceError};
use crate::server::scope::TenantScope;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionSession, TransactionTrait,
};
use std::collections::BTreeMap;

/// # Authorization
/// `Action::ViewSecurityGroups` on the organisation.
pub async fn list_groups(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
) -> Result<Vec<GroupView>, ServiceError> {
    let scope = TenantScope::authorize(actor, Action::ViewSecurityGroups, &Resource::Org(org))?;
    let groups = scope
        .select::<security_group::Entity>()
        .order_by_asc(security_group::Column::NameLower)
        .all(db)
        .await?;
    let mut counts: BTreeMap<GroupId, u64> = BTreeMap::new();
    for m in scope.select::<group_member::Entity>().all(db).await? {
        *counts.entry(m.group_id).or_default() += 1;
    }
    Ok(groups
        .into_iter()
        .map(|g| GroupView {
            member_count: counts.get(&g.id).copied().unwrap_or(0),
            id: g.id,
            name: g.name,
        })
        .collect())
}

/// # Authorization
/// `Action::ViewSecurityGroups` on the organisation.
pub async fn get_group(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    id: GroupId,
) -> Result<GroupDetailView, ServiceError> {
    let scope = TenantScope::authorize(actor, Action::ViewSecurityGroups, &Resource::Org(org))?;
    let group = find(db, &scope, id).await?;
    let member_ids: Vec<UserId> = scope
        .select::<group_member::Entity>()
        .filter(group_member::Column::GroupId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let members = scope
        .select::<user::Entity>()
        .filter(user::Column::Id.is_in(member_ids))
        .order_by_asc(user::Column::NameLower)
        .all(db)
        .await?
        .into_iter()
        .map(|u| MemberView {
            user: u.id,
            name: u.display_name,
            upn: u.upn,
        })
        .collect();
    Ok(GroupDetailView {
        id: group.id,
        name: group.name,
        members,
    })
}

/// # Authorization
/// `Action::ManageSecurityGroups` on the organisation.
pub async fn create_group(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    name: GroupName,
    now: DateTime<Utc>,
) -> Result<GroupView, ServiceError> {
    let attempt = Attempt::new(actor, Category::User, Operation::Create, name.as_str(), now);
    let scope = attempt
        .authorize(db, Action::ManageSecurityGroups, &Resource::Org(org))
        .await?;
    ensure_name_free(db, &scope, &name, None).await?;
    let tx = super::begin_write(db).await?;
    let id = GroupId::new();
    security_group::ActiveModel {
        id: Set(id),
        org_id: Set(scope.org()),
        name: Set(name.as_str().to_owned()),
        name_lower: Set(name.as_str().to_lowercase()),
        created_at: Set(now),
    }
    .insert(&tx)
    .await
    .map_err(name_conflict)?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(GroupView {
        id,
        name: name.as_str().to_owned(),
        member_count: 0,
    })
}

/// # Authorization
/// `Action::ManageSecurityGroups` on the organisation.
pub async fn rename_group(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: GroupId,
    name: GroupName,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let object = format!("security group {id}");
    let attempt = Attempt::new(actor, Category::User, Operation::Update, &object, now);
    let scope = attempt
        .authorize(db, Action::ManageSecurityGroups, &Resource::Org(org))
        .await?;
    let group = find(db, &scope, id).await?;
    ensure_name_free(db, &scope, &name, Some(id)).await?;
    let tx = super::begin_write(db).await?;
    let old = group.name.clone();
    let mut active = group.into_active_model();
    active.name = Set(name.as_str().to_owned());
    active.name_lower = Set(name.as_str().to_lowercase());
    active.update(&tx).await.map_err(name_conflict)?;
    let object = format!("{old} -> {}", name.as_str());
    attempt.naming(&object).record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(())
}

/// # Authorization
/// `Action::ManageSecurityGroups` on the organisation; refused with `LastGlobalAdmin` if the
/// group's members were the only Global admins.
pub async fn delete_group(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: GroupId,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let object = format!("security group {id}");
    let attempt = Attempt::new(actor, Category::User, Operation::Delete, &object, now);
    let scope = attempt
        .authorize(db, Action::ManageSecurityGroups, &Resource::Org(org))
        .await?;
    let group = find(db, &scope, id).await?;
    let attempt = attempt.naming(&group.name);
    ensure_may_hand_over(db, &scope, &attempt, id, true).await?;
    let tx = super::begin_write(db).await?;
    let action = Action::ManageSecurityGroups;
    let tx = ensure_global_admin_remains(db, tx, &attempt, &scope, action, Change::DeleteGroup(id))
        .await?;
    // Members and role assignments of the group go with it (foreign keys cascade).
    scope
        .delete_many::<security_group::Entity>()
        .filter(security_group::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(())
}

/// # Authorization
/// `Action::ManageSecurityGroups` on the organisation; the user must be of the same organisation.
pub async fn add_group_member(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: GroupId,
    member: UserId,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let object = format!("member of security group {id}");
    let attempt = Attempt::new(actor, Category::User, Operation::Update, &object, now);
    let scope = attempt
        .authorize(db, Action::ManageSecurityGroups, &Resource::Org(org))
        .await?;
    let group = find(db, &scope, id).await?;
    let member = scope
        .select::<user::Entity>()
        .filter(user::Column::Id.eq(member))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let already = scope
        .select::<group_member::Entity>()
        .filter(group_member::Column::GroupId.eq(id))
        .filter(group_member::Column::UserId.eq(member.id))
        .count(db)
        .await?;
    if already > 0 {
        return Err(ServiceError::Conflict(ConflictKind::AlreadyMember));
    }
    let object = format!("{}: {}", group.name, member.upn);
    let attempt = attempt.naming(&object);
    ensure_may_hand_over(db, &scope, &attempt, id, false).await?;
    let tx = super::begin_write(db).await?;
    group_member::ActiveModel {
        group_id: Set(id),
        user_id: Set(member.id),
        org_id: Set(scope.org()),
    }
    .insert(&tx)
    .await?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(())
}

/// # Authorization
/// `Action::ManageSecurityGroups` on the organisation; refused with `LastGlobalAdmin` if the
/// member is the last Global admin through this group.
pub async fn remove_group_member(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: GroupId,
    member: UserId,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let object = format!("member of security group {id}");
    let attempt = Attempt::new(actor, Category::User, Operation::Update, &object, now);
    let scope = attempt
        .authorize(db, Action::ManageSecurityGroups, &Resource::Org(org))
        .await?;
    let group = find(db, &scope, id).await?;
    let upn = scope
        .select::<user::Entity>()
        .filter(user::Column::Id.eq(member))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?
        .upn;
    let object = format!("{}: removed {upn}", group.name);
    let attempt = attempt.naming(&object);
    ensure_may_hand_over(db, &scope, &attempt, id, false).await?;
    let tx = super::begin_write(db).await?;
    let action = Action::ManageSecurityGroups;
    let change = Change::RemoveMember(id, member);
    let tx = ensure_global_admin_remains(db, tx, &attempt, &scope, action, change).await?;
    let removed = scope
        .delete_many::<group_member::Entity>()
        .filter(group_member::Column::GroupId.eq(id))
        .filter(group_member::Column::UserId.eq(member))
        .exec(&tx)
        .await?;
    if removed.rows_affected == 0 {
        return Err(ServiceError::NotFound);
    }
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses (and audits) a change of who is in `group`, or its deletion, unless the actor could
/// assign and remove everything the group holds directly: organisation roles and role
/// assignments alike. Otherwise managing groups would be a back door to every role a group holds.
async fn ensure_may_hand_over(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    attempt: &Attempt<'_>,
    group: GroupId,
    deleting: bool,
) -> Result<(), ServiceError> {
    let org_roles = scope
        .select::<org_role_assignment::Entity>()
        .filter(org_role_assignment::Column::GroupId.eq(group))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.role)
        .collect();
    let assignments = roles::assignments_naming(db, scope, group).await?;
    let held = roles::holdings(db, scope, org_roles, &assignments).await?;
    let decision = authorize_hand_over(attempt.actor(), scope.org(), &held);
    attempt.refuse_unless(db, scope.org(), decision).await?;
    // A partner's group may hold partner roles in its customers, too.
    super::partners::ensure_may_change_group_in_customers(db, attempt, scope.org(), group, deleting)
        .await
}

async fn find(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    id: GroupId,
) -> Result<security_group::Model, ServiceError> {
    scope
        .select::<security_group::Entity>()
        .filter(security_group::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

async fn ensure_name_free(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    name: &GroupName,
    except: Option<GroupId>,
) -> Result<(), ServiceError> {
    let mut query = scope
        .select::<security_group::Entity>()
        .filter(security_group::Column::NameLower.eq(name.as_str().to_lowercase()));
    if let Some(id) = except {
        query = query.filter(security_group::Column::Id.ne(id));
    }
    if query.count(db).await? > 0 {
        return Err(ServiceError::Conflict(ConflictKind::GroupNameTaken));
    }
    Ok(())
}

/// A concurrent create or rename of the same name loses on the unique index.
fn name_conflict(err: sea_orm::DbErr) -> ServiceError {
    match ServiceError::from(err) {
        ServiceError::Conflict(_) => ServiceError::Conflict(ConflictKind::GroupNameTaken),
        other => other,
    }
}
