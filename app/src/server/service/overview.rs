//! The overview page's figures (`domain::overview`): what the user holds, the rooms in their
//! reach by health and enrollment, and the organisation's recent refusals for its admins.

use super::audit;
use super::identity;
use super::membership::rooms_within;
use super::roles::{assignments_among, permissions_and_scopes};
use crate::domain::audit::AuditQuery;
use crate::domain::authz::{
    authorize, reach, Action, Actor, Decision, Permission, Reach, Resource, Scope,
};
use crate::domain::ids::{GroupId, OrgId, RoleAssignmentId};
use crate::domain::overview::{Holding, Overview, Refusals, RoomCounts};
use crate::domain::rooms::{Enrollment, Health};
use crate::server::entity::{
    org_role_assignment, role, role_assignment_member, room, room_group, security_group,
};
use crate::server::error::ServiceError;
use crate::server::scope::TenantScope;
use chrono::{DateTime, Days, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, PaginatorTrait, QueryFilter, QuerySelect};
use std::collections::{BTreeMap, BTreeSet};
use strum::IntoEnumIterator;

/// The overview of `org`: the user's own organisation, or a customer they hold a partner role
/// for (partner mode), where they hold only what the customer's relationship lets through.
///
/// # Authorization
/// `Action::ViewOverview` on `org`: what the user holds is theirs to see. The room counts need
/// `Action::ViewRooms` and count the rooms in reach only; the refusals need
/// `Action::ViewAuditLog`. A part the user may not see is left out, not refused.
pub async fn overview(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    now: DateTime<Utc>,
) -> Result<Overview, ServiceError> {
    let scope = TenantScope::authorize(actor, Action::ViewOverview, &Resource::Org(org))?;
    let holdings = holdings(db, &scope, actor).await?;
    let allowed = |action, resource| authorize(actor, action, &resource) == Decision::Allow;
    let rooms = if allowed(Action::ViewRooms, Resource::SomeRooms(org)) {
        let scope = TenantScope::authorize(actor, Action::ViewRooms, &Resource::SomeRooms(org))?;
        match reach(actor, org, Permission::RoomsView) {
            Some(reach) => Some(room_counts(db, &scope, &reach).await?),
            None => None,
        }
    } else {
        None
    };
    let refusals = if allowed(Action::ViewAuditLog, Resource::Org(org)) {
        let days = Overview::REFUSAL_DAYS;
        let today = now.date_naive();
        let since = today.checked_sub_days(Days::new(days)).unwrap_or(today);
        let query = AuditQuery {
            from: Some(since),
            result_status: Some("Failed".to_owned()),
            ..AuditQuery::default()
        };
        let page = audit::list(db, actor, org, query).await?;
        Some(Refusals {
            days,
            since,
            total: page.total,
            recent: page
                .rows
                .into_iter()
                .take(Overview::RECENT_REFUSALS as usize)
                .collect(),
        })
    } else {
        None
    };
    Ok(Overview {
        holdings,
        rooms,
        refusals,
    })
}

/// The organisation roles and role assignments of `scope`'s organisation naming the user or
/// one of their groups (their own organisation's groups: a partner's assignments in a customer
/// name the partner's users and groups).
async fn holdings(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    actor: &Actor,
) -> Result<Vec<Holding>, ServiceError> {
    let groups = identity::groups_of(db, actor.org, actor.user).await?;
    // In a customer, no grant reaches past the rooms the customer put in the relationship.
    let ceiling = match actor.partnership(scope.org()) {
        Some(p) => p.ceiling.clone(),
        None => Scope::AllRooms,
    };
    // The groups are the user's own organisation's, named as its own overview names them.
    let home = TenantScope::authorize(actor, Action::ViewOverview, &Resource::Org(actor.org))?;
    let names_of_groups: BTreeMap<GroupId, String> = home
        .select::<security_group::Entity>()
        .filter(security_group::Column::Id.is_in(groups.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    let naming = Condition::any()
        .add(org_role_assignment::Column::UserId.eq(actor.user))
        .add(org_role_assignment::Column::GroupId.is_in(groups.iter().copied()));
    let org_roles = scope
        .select::<org_role_assignment::Entity>()
        .filter(naming)
        .all(db)
        .await?;
    let all_rooms = scope.select::<room::Entity>().count(db).await?;
    let mut holdings = Vec::new();
    let mut held: BTreeMap<_, (bool, Vec<String>)> = BTreeMap::new();
    for a in &org_roles {
        let entry = held.entry(a.role).or_default();
        match a.group_id.and_then(|g| names_of_groups.get(&g)) {
            Some(name) => entry.1.push(name.clone()),
            None => entry.0 = true,
        }
    }
    for (role, (direct, through)) in held {
        holdings.push(Holding {
            role: role.label().to_owned(),
            scope: None,
            rooms: all_rooms,
            direct,
            through,
        });
    }

    let members = scope
        .select::<role_assignment_member::Entity>()
        .filter(
            Condition::any()
                .add(role_assignment_member::Column::UserId.eq(actor.user))
                .add(role_assignment_member::Column::GroupId.is_in(groups.iter().copied())),
        )
        .all(db)
        .await?;
    let ids: BTreeSet<RoleAssignmentId> = members.iter().map(|m| m.assignment_id).collect();
    if ids.is_empty() {
        return Ok(holdings);
    }
    let assignments = assignments_among(db, scope, ids.into_iter()).await?;
    let (grants, _) = permissions_and_scopes(db, scope, &assignments).await?;
    let role_names: BTreeMap<_, String> = scope
        .select::<role::Entity>()
        .filter(role::Column::Id.is_in(assignments.iter().map(|a| a.role_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    for (a, (_, granted)) in assignments.iter().zip(grants) {
        let mine = members.iter().filter(|m| m.assignment_id == a.id);
        let direct = mine.clone().any(|m| m.user_id == Some(actor.user));
        let through = mine
            .filter_map(|m| m.group_id.and_then(|g| names_of_groups.get(&g)).cloned())
            .collect();
        let reach = Reach {
            grants: granted.clone(),
            ceiling: ceiling.clone(),
        };
        let rooms = rooms_within(db, scope, &reach).await?.count(db).await?;
        // "All rooms" of a relationship are the rooms the customer put in it.
        let named = match &granted {
            Scope::AllRooms => &ceiling,
            narrower => narrower,
        };
        holdings.push(Holding {
            role: role_names.get(&a.role_id).cloned().unwrap_or_default(),
            scope: scope_names(db, scope, named).await?,
            rooms,
            direct,
            through,
        });
    }
    Ok(holdings)
}

/// A scope by name: its room groups, then its rooms, alphabetically; `None` for all rooms.
async fn scope_names(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    granted: &Scope,
) -> Result<Option<Vec<String>>, ServiceError> {
    let Scope::Some { rooms, room_groups } = granted else {
        return Ok(None);
    };
    let mut groups: Vec<String> = scope
        .select::<room_group::Entity>()
        .filter(room_group::Column::Id.is_in(room_groups.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.name)
        .collect();
    let mut names: Vec<String> = scope
        .select::<room::Entity>()
        .filter(room::Column::Id.is_in(rooms.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.display_name)
        .collect();
    groups.sort_by_key(|n| n.to_lowercase());
    names.sort_by_key(|n| n.to_lowercase());
    groups.extend(names);
    Ok(Some(groups))
}

/// The rooms in reach by health and by enrollment, and those in no update ring.
async fn room_counts(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    reach: &Reach,
) -> Result<RoomCounts, ServiceError> {
    let rooms = rooms_within(db, scope, reach).await?;
    let counted: Vec<(Health, Enrollment, i64)> = rooms
        .clone()
        .select_only()
        .column(room::Column::Health)
        .column(room::Column::Enrollment)
        .column_as(room::Column::Id.count(), "n")
        .group_by(room::Column::Health)
        .group_by(room::Column::Enrollment)
        .into_tuple()
        .all(db)
        .await?;
    let sum = |keep: &dyn Fn(Health, Enrollment) -> bool| -> u64 {
        counted
            .iter()
            .filter(|(h, e, _)| keep(*h, *e))
            .map(|(.., n)| u64::try_from(*n).unwrap_or(0))
            .sum()
    };
    Ok(RoomCounts {
        total: sum(&|_, _| true),
        by_health: Health::iter().map(|h| (h, sum(&|x, _| x == h))).collect(),
        by_enrollment: Enrollment::iter()
            .map(|e| (e, sum(&|_, x| x == e)))
            .collect(),
        without_ring: rooms
            .filter(room::Column::UpdateRingId.is_null())
            .count(db)
            .await?,
    })
}
