//! Rooms: the list (filtered to the actor's reach), detail, pre-provisioning, changes, unenroll,
//! deletion and update-ring membership.
//!
//! A partner's change, unenroll, deletion or ring move in a customer that put room changes under manual
//! approval is authorized exactly as any other, then held as a change request instead of being
//! made (`approvals::hold_if_manual`); on approval it comes back here as [`Hold::Approved`], is
//! authorized again as of then, and made.

use super::approvals;
use super::audit::{Attempt, Category, Operation};
use super::membership::{described_room, group_defs, reaches_group, room_resource, rooms_within};
use crate::domain::access::RoomFacts;
use crate::domain::authz::{authorize, reach, Action, Actor, Decision, Permission, Resource};
use crate::domain::ids::{OrgId, RoomId, UpdateRingId};
use crate::domain::partners::{ChangeOutcome, HeldChange, RoomChange};
use crate::domain::rooms::{
    Enrollment, Health, RingFilter, RoomDetail, RoomFacets, RoomInput, RoomPage, RoomQuery,
    RoomRow, RoomSort,
};
use crate::domain::validation::Valid;
use crate::server::entity::{room, room_group, update_ring};
use crate::server::error::{ConflictKind, ServiceError};
use crate::server::scope::TenantScope;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, IntoActiveModel, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionSession,
    TransactionTrait,
};
use std::collections::BTreeMap;
use strum::IntoEnumIterator;

/// # Authorization
/// `Action::ViewRooms` over some rooms; lists only the rooms in the actor's reach.
pub async fn list_rooms(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    query: Valid<RoomQuery>,
) -> Result<RoomPage, ServiceError> {
    let scope = TenantScope::authorize(actor, Action::ViewRooms, &Resource::SomeRooms(org))?;
    let q = query.get();
    let reach = reach(actor, org, Permission::RoomsView).ok_or(ServiceError::NotFound)?;
    let mut select = rooms_within(db, &scope, &reach).await?;
    if !q.search.is_empty() {
        let pattern = super::contains(&q.search);
        select = select.filter(
            Condition::any()
                .add(Expr::col(room::Column::NameLower).like(pattern.clone()))
                .add(Expr::col(room::Column::ResourceAccount).like(pattern)),
        );
    }
    if let Some(country) = &q.country {
        select = select.filter(room::Column::Country.eq(country.clone()));
    }
    if let Some(site) = &q.site {
        select = select.filter(room::Column::Site.eq(site.clone()));
    }
    if let Some(platform) = q.platform {
        select = select.filter(room::Column::Platform.eq(platform));
    }
    if let Some(health) = q.health {
        select = select.filter(room::Column::Health.eq(health));
    }
    match q.ring {
        Some(RingFilter::In(ring)) => {
            select = select.filter(room::Column::UpdateRingId.eq(ring));
        }
        Some(RingFilter::Without) => {
            select = select.filter(room::Column::UpdateRingId.is_null());
        }
        None => {}
    }
    if let Some(enrollment) = q.enrollment {
        select = select.filter(room::Column::Enrollment.eq(enrollment));
    }
    let order = if q.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let column = match q.sort {
        RoomSort::Name => room::Column::NameLower,
        RoomSort::Country => room::Column::Country,
        RoomSort::Site => room::Column::Site,
        RoomSort::Health => room::Column::Health,
        RoomSort::LastHeartbeat => room::Column::LastHeartbeat,
    };
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by(column, order)
        .order_by_asc(room::Column::NameLower)
        .order_by_asc(room::Column::Id)
        .offset(q.page * q.page_size())
        .limit(q.page_size())
        .all(db)
        .await?;
    let rings = ring_names(db, &scope).await?;
    Ok(RoomPage {
        rows: rows.into_iter().map(|r| row(r, &rings)).collect(),
        total,
        page: q.page,
        page_size: q.page_size(),
    })
}

/// # Authorization
/// `Action::ViewRooms` over some rooms; the values of the rooms in reach.
pub async fn room_facets(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
) -> Result<RoomFacets, ServiceError> {
    let scope = TenantScope::authorize(actor, Action::ViewRooms, &Resource::SomeRooms(org))?;
    let reach = reach(actor, org, Permission::RoomsView).ok_or(ServiceError::NotFound)?;
    let rooms = rooms_within(db, &scope, &reach).await?;
    let distinct = |column: room::Column| {
        rooms
            .clone()
            .select_only()
            .column(column)
            .distinct()
            .order_by_asc(column)
            .into_tuple::<String>()
    };
    Ok(RoomFacets {
        countries: distinct(room::Column::Country).all(db).await?,
        sites: distinct(room::Column::Site).all(db).await?,
    })
}

async fn ring_names(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
) -> Result<BTreeMap<UpdateRingId, String>, ServiceError> {
    Ok(scope
        .select::<update_ring::Entity>()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect())
}

fn row(r: room::Model, rings: &BTreeMap<UpdateRingId, String>) -> RoomRow {
    RoomRow {
        update_ring: r
            .update_ring_id
            .and_then(|id| rings.get(&id).map(|name| (id, name.clone()))),
        id: r.id,
        display_name: r.display_name,
        resource_account: r.resource_account,
        site: r.site,
        city: r.city,
        country: r.country,
        platform: r.platform,
        enrollment: r.enrollment,
        health: r.health,
        last_heartbeat: r.last_heartbeat,
    }
}

/// A room of the organisation and its authorization resource. Refuses first an actor with no
/// reach in the organisation at all, so another organisation learns nothing about its rooms.
async fn find_room(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    action: Action,
    id: RoomId,
) -> Result<(room::Model, Resource), ServiceError> {
    TenantScope::authorize(actor, action, &Resource::SomeRooms(org))?;
    described_room(db, org, id)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// # Authorization
/// `Action::ViewRooms` on the room.
pub async fn get_room(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    id: RoomId,
) -> Result<RoomDetail, ServiceError> {
    let (room, resource) = find_room(db, actor, org, Action::ViewRooms, id).await?;
    let scope = TenantScope::authorize(actor, Action::ViewRooms, &resource)?;
    let Resource::Room { room_groups, .. } = &resource else {
        return Err(ServiceError::NotFound);
    };
    let group_reach = reach(actor, org, Permission::GroupsView);
    let groups = scope
        .select::<room_group::Entity>()
        .filter(room_group::Column::Id.is_in(room_groups.iter().copied()))
        .order_by_asc(room_group::Column::NameLower)
        .all(db)
        .await?
        .into_iter()
        .filter(|g| reaches_group(group_reach.as_ref(), g.id))
        .map(|g| (g.id, g.name))
        .collect();
    let your_permissions = Permission::iter()
        .filter(|p| {
            Action::iter().any(|a| {
                !a.is_org_wide()
                    && action_permission(a) == Some(*p)
                    && authorize(actor, a, &resource) == Decision::Allow
            })
        })
        .collect();
    let rings = ring_names(db, &scope).await?;
    Ok(RoomDetail {
        room: row(room, &rings),
        groups,
        your_permissions,
    })
}

/// The room actions of the detail page, with the permission each needs.
fn action_permission(action: Action) -> Option<Permission> {
    match action {
        Action::ViewRooms => Some(Permission::RoomsView),
        Action::ModifyRoom => Some(Permission::RoomsModify),
        Action::UnenrollRoom => Some(Permission::RoomsUnenroll),
        Action::CreateRoom => Some(Permission::RoomsCreate),
        Action::ModifyUpdateRing => Some(Permission::UpdateRingsModify),
        Action::ModifyRoomGroup => Some(Permission::GroupsModify),
        _ => None,
    }
}

/// # Authorization
/// `Action::CreateRoom` on the room as it would be: a scoped creator may only add rooms their
/// scope will include (through a rule group such as "All US rooms").
pub async fn create_room(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    input: Valid<RoomInput>,
    now: DateTime<Utc>,
) -> Result<RoomRow, ServiceError> {
    let i = input.get();
    let attempt = Attempt::new(
        actor,
        Category::Room,
        Operation::Create,
        &i.display_name,
        now,
    );
    attempt
        .authorize(db, Action::CreateRoom, &Resource::SomeRooms(org))
        .await?;
    let id = RoomId::new();
    let look = TenantScope::describing(org);
    let defs = group_defs(db, &look).await?;
    let new = RoomFacts {
        id,
        country: i.country.clone(),
        site: i.site.clone(),
    };
    let scope = attempt
        .authorize_outcome(db, Action::CreateRoom, &room_resource(&new, org, &defs))
        .await?;
    let tx = super::begin_write(db).await?;
    let model = room::ActiveModel {
        id: Set(id),
        org_id: Set(scope.org()),
        display_name: Set(i.display_name.clone()),
        name_lower: Set(i.display_name.to_lowercase()),
        resource_account: Set(i.resource_account.clone()),
        site: Set(i.site.clone()),
        city: Set(i.city.clone()),
        country: Set(i.country.clone()),
        platform: Set(i
            .platform
            .unwrap_or(crate::domain::rooms::Platform::Windows)),
        enrollment: Set(Enrollment::Unenrolled),
        health: Set(Health::Unknown),
        last_heartbeat: Set(None),
        signals_at: Set(None),
        update_ring_id: Set(None),
        device_token_hash: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await
    .map_err(account_conflict)?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(row(model, &BTreeMap::new()))
}

fn account_conflict(err: sea_orm::DbErr) -> ServiceError {
    match ServiceError::from(err) {
        ServiceError::Conflict(_) => ServiceError::Conflict(ConflictKind::RoomAccountTaken),
        other => other,
    }
}

/// Whether a partner's change may be held for the customer's approval: not once it is approved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hold {
    /// Hold it if the partner's relationship puts room changes under manual approval.
    IfManual,
    /// The customer approved it: make it, if the requester may still.
    Approved,
}

/// Holds an authorized change for approval when `hold` and the relationship say so.
async fn held(
    db: &(impl ConnectionTrait + TransactionTrait),
    hold: Hold,
    attempt: &Attempt<'_>,
    scope: &TenantScope,
    change: HeldChange,
    object: &str,
    now: DateTime<Utc>,
) -> Result<Option<ChangeOutcome>, ServiceError> {
    if hold == Hold::Approved {
        return Ok(None);
    }
    Ok(
        approvals::hold_if_manual(db, attempt.actor(), scope, change, object, now)
            .await?
            .map(ChangeOutcome::AwaitingApproval),
    )
}

/// "Change Rainier: name “Rainier” → “Rainier 2”; site “Seattle HQ” → “Portland”".
fn describe_update(before: &room::Model, after: &RoomInput) -> String {
    let mut parts = Vec::new();
    let mut field = |label: &str, old: &str, new: &str| {
        if old != new {
            parts.push(format!("{label} “{old}” → “{new}”"));
        }
    };
    field("name", &before.display_name, &after.display_name);
    field(
        "resource account",
        &before.resource_account,
        &after.resource_account,
    );
    field("site", &before.site, &after.site);
    field("city", &before.city, &after.city);
    field("country/region", &before.country, &after.country);
    if let Some(platform) = after.platform {
        field("platform", before.platform.label(), platform.label());
    }
    if parts.is_empty() {
        format!("Save {} without changes", before.display_name)
    } else {
        format!("Change {}: {}", before.display_name, parts.join("; "))
    }
}

/// # Authorization
/// `Action::ModifyRoom` on the room, before and after the change: a room stays in the scope of
/// whoever changes it. A partner's change under manual approval is held, not made.
pub async fn update_room(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RoomId,
    input: Valid<RoomInput>,
    now: DateTime<Utc>,
) -> Result<ChangeOutcome, ServiceError> {
    change_room(db, actor, org, id, input, now, Hold::IfManual).await
}

/// [`update_room`], held for approval or made as `hold` says.
///
/// # Authorization
/// As [`update_room`], whatever `hold` says.
pub(crate) async fn change_room(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RoomId,
    input: Valid<RoomInput>,
    now: DateTime<Utc>,
    hold: Hold,
) -> Result<ChangeOutcome, ServiceError> {
    let i = input.get();
    let blind = format!("room {id}");
    let attempt = Attempt::new(actor, Category::Room, Operation::Update, &blind, now);
    attempt
        .authorize(db, Action::ModifyRoom, &Resource::SomeRooms(org))
        .await?;
    let (room, resource) = find_room(db, actor, org, Action::ModifyRoom, id).await?;
    let object = if room.display_name == i.display_name {
        room.display_name.clone()
    } else {
        format!("{} -> {}", room.display_name, i.display_name)
    };
    let attempt = attempt.naming(&object);
    attempt.authorize(db, Action::ModifyRoom, &resource).await?;
    let defs = group_defs(db, &TenantScope::describing(org)).await?;
    let after = RoomFacts {
        id,
        country: i.country.clone(),
        site: i.site.clone(),
    };
    let scope = attempt
        .authorize_outcome(db, Action::ModifyRoom, &room_resource(&after, org, &defs))
        .await?;
    let change = HeldChange {
        change: RoomChange::Update {
            room: id,
            input: i.clone(),
        },
        asked: describe_update(&room, i),
    };
    if let Some(outcome) = held(db, hold, &attempt, &scope, change, &object, now).await? {
        return Ok(outcome);
    }
    let tx = super::begin_write(db).await?;
    let mut active = room.into_active_model();
    active.display_name = Set(i.display_name.clone());
    active.name_lower = Set(i.display_name.to_lowercase());
    active.resource_account = Set(i.resource_account.clone());
    active.site = Set(i.site.clone());
    active.city = Set(i.city.clone());
    active.country = Set(i.country.clone());
    if let Some(platform) = i.platform {
        active.platform = Set(platform);
    }
    active.updated_at = Set(now);
    active.update(&tx).await.map_err(account_conflict)?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(ChangeOutcome::Applied)
}

/// # Authorization
/// `Action::UnenrollRoom` on the room. Revokes the device credential at once. A partner's
/// unenroll under manual approval is held, not made.
pub async fn unenroll_room(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RoomId,
    now: DateTime<Utc>,
) -> Result<ChangeOutcome, ServiceError> {
    unenroll_room_as(db, actor, org, id, now, Hold::IfManual).await
}

/// [`unenroll_room`], held for approval or made as `hold` says.
///
/// # Authorization
/// As [`unenroll_room`], whatever `hold` says.
pub(crate) async fn unenroll_room_as(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RoomId,
    now: DateTime<Utc>,
    hold: Hold,
) -> Result<ChangeOutcome, ServiceError> {
    let blind = format!("room {id} (unenroll)");
    let attempt = Attempt::new(actor, Category::Room, Operation::Update, &blind, now);
    attempt
        .authorize(db, Action::UnenrollRoom, &Resource::SomeRooms(org))
        .await?;
    let (room, resource) = find_room(db, actor, org, Action::UnenrollRoom, id).await?;
    let object = format!("{} (unenroll)", room.display_name);
    let attempt = attempt.naming(&object);
    let scope = attempt
        .authorize(db, Action::UnenrollRoom, &resource)
        .await?;
    let change = HeldChange {
        change: RoomChange::Unenroll { room: id },
        asked: format!(
            "Unenroll {}: its device credential is revoked",
            room.display_name
        ),
    };
    if let Some(outcome) = held(db, hold, &attempt, &scope, change, &object, now).await? {
        return Ok(outcome);
    }
    let tx = super::begin_write(db).await?;
    let mut active = room.into_active_model();
    active.enrollment = Set(Enrollment::Unenrolled);
    active.device_token_hash = Set(None);
    active.signals_at = Set(None);
    active.health = Set(Health::Unknown);
    active.updated_at = Set(now);
    active.update(&tx).await?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(ChangeOutcome::Applied)
}

/// Deletes a room with what only it has: its device credential (the device's next heartbeat
/// is refused), its component signals, incidents and their tickets, its static room-group
/// memberships, and the scope items naming it, which only narrows the assignments and
/// partnerships that named it (an assignment naming no rooms reaches none). Change requests
/// about it stay, and are refused when someone approves them. The audit log keeps the deletion.
///
/// # Authorization
/// `Action::CreateRoom` on the room: the catalogue has no Delete permission, and whoever may
/// add rooms to the portal may take them out, within their scope. A partner's deletion under
/// manual approval is held, not made.
pub async fn delete_room(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RoomId,
    now: DateTime<Utc>,
) -> Result<ChangeOutcome, ServiceError> {
    delete_room_as(db, actor, org, id, now, Hold::IfManual).await
}

/// [`delete_room`], held for approval or made as `hold` says.
///
/// # Authorization
/// As [`delete_room`], whatever `hold` says.
pub(crate) async fn delete_room_as(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RoomId,
    now: DateTime<Utc>,
    hold: Hold,
) -> Result<ChangeOutcome, ServiceError> {
    let blind = format!("room {id}");
    let attempt = Attempt::new(actor, Category::Room, Operation::Delete, &blind, now);
    attempt
        .authorize(db, Action::CreateRoom, &Resource::SomeRooms(org))
        .await?;
    let (room, resource) = find_room(db, actor, org, Action::CreateRoom, id).await?;
    let attempt = attempt.naming(&room.display_name);
    let scope = attempt.authorize(db, Action::CreateRoom, &resource).await?;
    let change = HeldChange {
        change: RoomChange::Delete { room: id },
        asked: format!(
            "Delete {}: its device credential, incidents and tickets go with it",
            room.display_name
        ),
    };
    if let Some(outcome) = held(db, hold, &attempt, &scope, change, &room.display_name, now).await?
    {
        return Ok(outcome);
    }
    let tx = super::begin_write(db).await?;
    // The rest goes by the foreign keys' cascades, in the same statement.
    scope
        .delete_many::<room::Entity>()
        .filter(room::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(ChangeOutcome::Applied)
}

/// # Authorization
/// `Action::ModifyUpdateRing` on the room. `None` takes the room out of its ring. A partner's
/// move under manual approval is held, not made.
pub async fn set_room_ring(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RoomId,
    ring: Option<UpdateRingId>,
    now: DateTime<Utc>,
) -> Result<ChangeOutcome, ServiceError> {
    set_room_ring_as(db, actor, org, id, ring, now, Hold::IfManual).await
}

/// [`set_room_ring`], held for approval or made as `hold` says.
///
/// # Authorization
/// As [`set_room_ring`], whatever `hold` says.
pub(crate) async fn set_room_ring_as(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: RoomId,
    ring: Option<UpdateRingId>,
    now: DateTime<Utc>,
    hold: Hold,
) -> Result<ChangeOutcome, ServiceError> {
    let blind = format!("room {id}");
    let attempt = Attempt::new(actor, Category::UpdateRing, Operation::Update, &blind, now);
    attempt
        .authorize(db, Action::ModifyUpdateRing, &Resource::SomeRooms(org))
        .await?;
    let (room, resource) = find_room(db, actor, org, Action::ModifyUpdateRing, id).await?;
    let look = TenantScope::describing(org);
    let ring_name = match ring {
        None => "no ring".to_owned(),
        Some(ring) => {
            look.select::<update_ring::Entity>()
                .filter(update_ring::Column::Id.eq(ring))
                .one(db)
                .await?
                .ok_or(ServiceError::NotFound)?
                .name
        }
    };
    let object = format!("{} -> {ring_name}", room.display_name);
    let attempt = attempt.naming(&object);
    let scope = attempt
        .authorize(db, Action::ModifyUpdateRing, &resource)
        .await?;
    let change = HeldChange {
        change: RoomChange::SetRing { room: id, ring },
        asked: match ring {
            None => format!("Take {} out of its update ring", room.display_name),
            Some(_) => format!("Move {} to update ring {ring_name}", room.display_name),
        },
    };
    if let Some(outcome) = held(db, hold, &attempt, &scope, change, &object, now).await? {
        return Ok(outcome);
    }
    let tx = super::begin_write(db).await?;
    scope
        .update_many::<room::Entity>()
        .col_expr(room::Column::UpdateRingId, Expr::value(ring))
        .col_expr(room::Column::UpdatedAt, Expr::value(now))
        .filter(room::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    attempt.record(&tx, &scope).await?;
    tx.commit().await?;
    Ok(ChangeOutcome::Applied)
}
