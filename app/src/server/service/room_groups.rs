//! Room groups ("All US rooms"): static members and an optional rule, and update rings.

use super::audit::{Attempt, Category, Operation};
use super::membership::{
    facts, group_defs, group_sizes, members_of, room_resource, rooms_within, rule_of,
};
use super::roles;
use crate::domain::authz::{
    authorize_hand_over, reach, Action, Actor, Permission, Resource, Scope,
};
use crate::domain::ids::{OrgId, RoomGroupId, RoomId, UpdateRingId};
use crate::domain::rooms::{
    MemberQuery, RoomGroupDetail, RoomGroupInput, RoomGroupView, RoomRef, UpdateRingView,
};
use crate::domain::validation::Valid;
use crate::server::entity::{room, room_group, room_group_member, update_ring};
use crate::server::error::{ConflictKind, ServiceError};
use crate::server::scope::TenantScope;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};
use std::collections::{BTreeMap, BTreeSet};

fn name_conflict(err: sea_orm::DbErr) -> ServiceError {
    match ServiceError::from(err) {
        ServiceError::Conflict(_) => ServiceError::Conflict(ConflictKind::NameTaken),
        other => other,
    }
}

/// # Authorization
/// `Action::ViewRoomGroups` over some rooms; lists the groups the actor's scope names (all of
/// them with a grant over all rooms).
pub async fn list_room_groups(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
) -> Result<Vec<RoomGroupView>, ServiceError> {
    let scope = TenantScope::authorize(actor, Action::ViewRoomGroups, &Resource::SomeRooms(org))?;
    let reach = reach(actor, org, Permission::GroupsView);
    let groups: Vec<_> = scope
        .select::<room_group::Entity>()
        .order_by_asc(room_group::Column::NameLower)
        .all(db)
        .await?
        .into_iter()
        .filter(|g| super::membership::reaches_group(reach.as_ref(), g.id))
        .collect();
    let sizes = group_sizes(db, &scope, &groups).await?;
    Ok(groups
        .into_iter()
        .map(|g| RoomGroupView {
            room_count: sizes.get(&g.id).copied().unwrap_or(0),
            rule: rule_of(&g),
            id: g.id,
            name: g.name,
            description: g.description,
        })
        .collect())
}

async fn find_group(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    id: RoomGroupId,
) -> Result<room_group::Model, ServiceError> {
    scope
        .select::<room_group::Entity>()
        .filter(room_group::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// # Authorization
/// `Action::ViewRoomGroups` on the group; lists its rooms the actor may view.
pub async fn get_room_group(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    id: RoomGroupId,
    query: Valid<MemberQuery>,
) -> Result<RoomGroupDetail, ServiceError> {
    let scope = TenantScope::authorize(
        actor,
        Action::ViewRoomGroups,
        &Resource::RoomGroup { org, group: id },
    )?;
    let q = query.get();
    let group = find_group(db, &scope, id).await?;
    let members = members_of(&scope, &group);
    let room_count = scope
        .select::<room::Entity>()
        .filter(members.clone())
        .count(db)
        .await?;
    let (visible_count, matching, visible) = match reach(actor, org, Permission::RoomsView) {
        None => (0, 0, vec![]),
        Some(r) => {
            let visible = rooms_within(db, &scope, &r).await?.filter(members);
            let visible_count = visible.clone().count(db).await?;
            let mut found = visible;
            if !q.search.is_empty() {
                found = found
                    .filter(Expr::col(room::Column::NameLower).like(super::contains(&q.search)));
            }
            let matching = found.clone().count(db).await?;
            let page = found
                .order_by_asc(room::Column::NameLower)
                .order_by_asc(room::Column::Id)
                .offset(q.page * MemberQuery::PAGE_SIZE)
                .limit(MemberQuery::PAGE_SIZE)
                .all(db)
                .await?;
            (visible_count, matching, page)
        }
    };
    let statics: BTreeSet<RoomId> = scope
        .select::<room_group_member::Entity>()
        .filter(room_group_member::Column::RoomGroupId.eq(id))
        .filter(room_group_member::Column::RoomId.is_in(visible.iter().map(|r| r.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.room_id)
        .collect();
    let members = visible
        .into_iter()
        .map(|r| {
            let is_static = statics.contains(&r.id);
            (
                RoomRef {
                    id: r.id,
                    display_name: r.display_name,
                    site: r.site,
                    country: r.country,
                },
                is_static,
            )
        })
        .collect();
    Ok(RoomGroupDetail {
        group: RoomGroupView {
            rule: rule_of(&group),
            id: group.id,
            name: group.name,
            description: group.description,
            room_count,
        },
        members,
        matching,
        page: q.page,
        page_size: MemberQuery::PAGE_SIZE,
        hidden_members: room_count.saturating_sub(visible_count),
    })
}

/// # Authorization
/// `Action::CreateRoomGroup` on the organisation (a grant over all rooms).
pub async fn create_room_group(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    input: Valid<RoomGroupInput>,
    now: DateTime<Utc>,
) -> Result<RoomGroupView, ServiceError> {
    let i = input.get();
    let attempt = Attempt::new(actor, Category::RoomGroup, Operation::Create, &i.name, now);
    let scope = attempt
        .authorize(db, Action::CreateRoomGroup, &Resource::Org(org))
        .await?;
    let rule = input.rule();
    let tx = super::begin_write(db).await?;
    let id = RoomGroupId::new();
    room_group::ActiveModel {
        id: Set(id),
        org_id: Set(scope.org()),
        name: Set(i.name.clone()),
        name_lower: Set(i.name.to_lowercase()),
        description: Set(i.description.clone()),
        rule_country: Set(rule.as_ref().and_then(|r| r.country.clone())),
        rule_site: Set(rule.as_ref().and_then(|r| r.site.clone())),
        created_at: Set(now),
    }
    .insert(&tx)
    .await
    .map_err(name_conflict)?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(RoomGroupView {
        id,
        name: i.name.clone(),
        description: i.description.clone(),
        rule,
        room_count: 0,
    })
}

/// # Authorization
/// `Action::ModifyRoomGroup` on the group; changing its rule changes which rooms it holds, so
/// that needs the action on the organisation (a grant over all rooms).
pub async fn update_room_group(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RoomGroupId,
    input: Valid<RoomGroupInput>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let i = input.get();
    let blind = format!("room group {id}");
    let attempt = Attempt::new(actor, Category::RoomGroup, Operation::Update, &blind, now);
    attempt
        .authorize(db, Action::ModifyRoomGroup, &Resource::SomeRooms(org))
        .await?;
    let group = find_group(db, &TenantScope::describing(org), id).await?;
    let rule = input.rule();
    let object = if group.name == i.name {
        group.name.clone()
    } else {
        format!("{} -> {}", group.name, i.name)
    };
    let attempt = attempt.naming(&object);
    let resource = if rule == rule_of(&group) {
        Resource::RoomGroup { org, group: id }
    } else {
        Resource::Org(org)
    };
    let scope = attempt
        .authorize(db, Action::ModifyRoomGroup, &resource)
        .await?;
    if matches!(resource, Resource::Org(_)) {
        // A new rule may move any room in or out.
        ensure_may_move_rooms(db, &scope, &attempt, id, Scope::AllRooms).await?;
    }
    let tx = super::begin_write(db).await?;
    let mut active = group.into_active_model();
    active.name = Set(i.name.clone());
    active.name_lower = Set(i.name.to_lowercase());
    active.description = Set(i.description.clone());
    active.rule_country = Set(rule.as_ref().and_then(|r| r.country.clone()));
    active.rule_site = Set(rule.as_ref().and_then(|r| r.site.clone()));
    active.update(&tx).await.map_err(name_conflict)?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(())
}

/// # Authorization
/// `Action::ModifyRoomGroup` on the group. Assignments scoped to it lose it (narrowing only).
pub async fn delete_room_group(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RoomGroupId,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let blind = format!("room group {id}");
    let attempt = Attempt::new(actor, Category::RoomGroup, Operation::Delete, &blind, now);
    attempt
        .authorize(db, Action::ModifyRoomGroup, &Resource::SomeRooms(org))
        .await?;
    let group = find_group(db, &TenantScope::describing(org), id).await?;
    let attempt = attempt.naming(&group.name);
    let scope = attempt
        .authorize(
            db,
            Action::ModifyRoomGroup,
            &Resource::RoomGroup { org, group: id },
        )
        .await?;
    let all_of_it = Scope::Some {
        rooms: BTreeSet::new(),
        room_groups: BTreeSet::from([id]),
    };
    ensure_may_move_rooms(db, &scope, &attempt, id, all_of_it).await?;
    let tx = super::begin_write(db).await?;
    scope
        .delete_many::<room_group::Entity>()
        .filter(room_group::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(())
}

/// # Authorization
/// `Action::ModifyRoomGroup` on the group and on the room: nobody widens a group in their scope
/// with a room outside it.
pub async fn set_room_group_member(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RoomGroupId,
    room_id: RoomId,
    member: bool,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let operation = if member {
        Operation::Create
    } else {
        Operation::Delete
    };
    let blind = format!("room {room_id} in room group {id}");
    let attempt = Attempt::new(actor, Category::RoomGroup, operation, &blind, now);
    attempt
        .authorize(db, Action::ModifyRoomGroup, &Resource::SomeRooms(org))
        .await?;
    let look = TenantScope::describing(org);
    let group = find_group(db, &look, id).await?;
    let room = look
        .select::<room::Entity>()
        .filter(room::Column::Id.eq(room_id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let verb = if member { "added to" } else { "removed from" };
    let object = format!("{} {verb} {}", room.display_name, group.name);
    let attempt = attempt.naming(&object);
    attempt
        .authorize(
            db,
            Action::ModifyRoomGroup,
            &Resource::RoomGroup { org, group: id },
        )
        .await?;
    let defs = group_defs(db, &look).await?;
    let scope = attempt
        .authorize(
            db,
            Action::ModifyRoomGroup,
            &room_resource(&facts(&room), org, &defs),
        )
        .await?;
    let this_room = Scope::Some {
        rooms: BTreeSet::from([room_id]),
        room_groups: BTreeSet::new(),
    };
    ensure_may_move_rooms(db, &scope, &attempt, id, this_room).await?;
    let tx = super::begin_write(db).await?;
    let existing = scope
        .select::<room_group_member::Entity>()
        .filter(room_group_member::Column::RoomGroupId.eq(id))
        .filter(room_group_member::Column::RoomId.eq(room_id))
        .count(&tx)
        .await?;
    match (member, existing > 0) {
        (true, false) => {
            room_group_member::ActiveModel {
                room_group_id: Set(id),
                room_id: Set(room_id),
                org_id: Set(scope.org()),
            }
            .insert(&tx)
            .await?;
        }
        (false, true) => {
            scope
                .delete_many::<room_group_member::Entity>()
                .filter(room_group_member::Column::RoomGroupId.eq(id))
                .filter(room_group_member::Column::RoomId.eq(room_id))
                .exec(&tx)
                .await?;
        }
        // Already as asked: nothing to change or record.
        _ => return Ok(()),
    }
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(())
}

/// # Authorization
/// `Action::ViewUpdateRings` over some rooms. Room counts are of rooms the actor may view.
pub async fn list_update_rings(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
) -> Result<Vec<UpdateRingView>, ServiceError> {
    let scope = TenantScope::authorize(actor, Action::ViewUpdateRings, &Resource::SomeRooms(org))?;
    let rings = scope
        .select::<update_ring::Entity>()
        .order_by_asc(update_ring::Column::DeferralDays)
        .order_by_asc(update_ring::Column::NameLower)
        .all(db)
        .await?;
    // Rooms the actor may view, counted per ring in the database.
    let counts: BTreeMap<UpdateRingId, i64> = match reach(actor, org, Permission::RoomsView) {
        None => BTreeMap::new(),
        Some(r) => rooms_within(db, &scope, &r)
            .await?
            .filter(room::Column::UpdateRingId.is_not_null())
            .select_only()
            .column(room::Column::UpdateRingId)
            .column_as(room::Column::Id.count(), "rooms")
            .group_by(room::Column::UpdateRingId)
            .into_tuple::<(UpdateRingId, i64)>()
            .all(db)
            .await?
            .into_iter()
            .collect(),
    };
    Ok(rings
        .into_iter()
        .map(|r| UpdateRingView {
            room_count: counts
                .get(&r.id)
                .map_or(0, |&n| u64::try_from(n).unwrap_or(0)),
            id: r.id,
            name: r.name,
            deferral_days: u32::try_from(r.deferral_days).unwrap_or(0),
        })
        .collect())
}

/// # Authorization
/// `Action::CreateUpdateRing` on the organisation.
pub async fn create_update_ring(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    input: Valid<(String, u32)>,
    now: DateTime<Utc>,
) -> Result<UpdateRingView, ServiceError> {
    let (name, days) = input.get();
    let attempt = Attempt::new(actor, Category::UpdateRing, Operation::Create, name, now);
    let scope = attempt
        .authorize(db, Action::CreateUpdateRing, &Resource::Org(org))
        .await?;
    let tx = super::begin_write(db).await?;
    let id = UpdateRingId::new();
    update_ring::ActiveModel {
        id: Set(id),
        org_id: Set(scope.org()),
        name: Set(name.clone()),
        name_lower: Set(name.to_lowercase()),
        deferral_days: Set(*days as i32),
        created_at: Set(now),
    }
    .insert(&tx)
    .await
    .map_err(name_conflict)?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(UpdateRingView {
        id,
        name: name.clone(),
        deferral_days: *days,
        room_count: 0,
    })
}

/// # Authorization
/// `Action::ModifyUpdateRing` on the organisation: a ring's deferral applies to every room in
/// it.
pub async fn update_update_ring(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: UpdateRingId,
    input: Valid<(String, u32)>,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let (name, days) = input.get();
    let blind = format!("update ring {id}");
    let attempt = Attempt::new(actor, Category::UpdateRing, Operation::Update, &blind, now);
    attempt
        .authorize(db, Action::ViewUpdateRings, &Resource::SomeRooms(org))
        .await?;
    let ring = find_ring(db, org, id).await?;
    let object = if &ring.name == name {
        format!("{name} ({days} days)")
    } else {
        format!("{} -> {name} ({days} days)", ring.name)
    };
    let attempt = attempt.naming(&object);
    let scope = attempt
        .authorize(db, Action::ModifyUpdateRing, &Resource::Org(org))
        .await?;
    let tx = super::begin_write(db).await?;
    let mut active = ring.into_active_model();
    active.name = Set(name.clone());
    active.name_lower = Set(name.to_lowercase());
    active.deferral_days = Set(*days as i32);
    active.update(&tx).await.map_err(name_conflict)?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(())
}

/// # Authorization
/// `Action::ModifyUpdateRing` on the organisation, as for a change of its deferral: every room
/// in the ring, in the actor's scope or not, is left in no ring.
pub async fn delete_update_ring(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: UpdateRingId,
    now: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let blind = format!("update ring {id}");
    let attempt = Attempt::new(actor, Category::UpdateRing, Operation::Delete, &blind, now);
    attempt
        .authorize(db, Action::ViewUpdateRings, &Resource::SomeRooms(org))
        .await?;
    let ring = find_ring(db, org, id).await?;
    let attempt = attempt.naming(&ring.name);
    let scope = attempt
        .authorize(db, Action::ModifyUpdateRing, &Resource::Org(org))
        .await?;
    let tx = super::begin_write(db).await?;
    scope
        .update_many::<room::Entity>()
        .col_expr(
            room::Column::UpdateRingId,
            Expr::value(None::<UpdateRingId>),
        )
        .filter(room::Column::UpdateRingId.eq(id))
        .exec(&tx)
        .await?;
    scope
        .delete_many::<update_ring::Entity>()
        .filter(update_ring::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(())
}

/// The ring, named in the audit log before the change is authorized (the actor may view rings).
async fn find_ring(
    db: &impl ConnectionTrait,
    org: OrgId,
    id: UpdateRingId,
) -> Result<update_ring::Model, ServiceError> {
    TenantScope::describing(org)
        .select::<update_ring::Entity>()
        .filter(update_ring::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Refuses (and audits) a change of which rooms `group` holds unless the actor could hand out,
/// over `over` (the rooms that move), every permission that the assignments scoped to the group
/// give on rooms: their members gain or lose exactly those, there.
async fn ensure_may_move_rooms(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    attempt: &Attempt<'_>,
    group: RoomGroupId,
    over: Scope,
) -> Result<(), ServiceError> {
    let assignments = roles::assignments_scoped_to(db, scope, group).await?;
    let mut held = roles::holdings(db, scope, BTreeSet::new(), &assignments).await?;
    let rooms = match &over {
        Scope::Some { rooms, .. } => rooms.clone(),
        Scope::AllRooms => BTreeSet::new(),
    };
    held.groups_of_rooms = roles::groups_of_rooms(db, scope, rooms).await?;
    for (permissions, grant_scope) in &mut held.grants {
        permissions.retain(|p| p.acts_on_rooms());
        *grant_scope = over.clone();
    }
    let decision = authorize_hand_over(attempt.actor(), scope.org(), &held);
    attempt.refuse_unless(db, scope.org(), decision).await
}
