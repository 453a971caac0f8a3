//! Change control (specification section 4): a partner's change in a category the customer put
//! under manual approval is not made but held as a change request, which the customer's Global
//! admins and MSAs approve or reject. Approving makes the change as the partner asked, as the
//! partner and only if the partner may still make it then; rejecting changes nothing. A request
//! is decided once: the state moves from pending by one conditional update. It expires after
//! [`CHANGE_REQUEST_DAYS`]; "expired" follows from the date, so no job has to run.
//!
//! Requests are the customer's rows. The customer reads them through its `TenantScope`, the
//! partner through the relationship it holds (`TenantScope::customer_of`), its own only.

use super::audit::{Attempt, Category, Operation};
use super::identity::{self, Addressed};
use super::membership::rooms_within;
use super::rooms::{self, Hold};
use crate::domain::authz::{reach, Action, Actor, Permission, Resource};
use crate::domain::ids::{ChangeRequestId, OrgId, RelationshipId, RoomId, UserId};
use crate::domain::partners::{
    ApprovalMode, ChangeRequestState, ChangeRequestView, DecisionReason, HeldChange, RoomChange,
    CHANGE_REQUEST_DAYS,
};
use crate::server::context::SignedIn;
use crate::server::entity::{
    change_request, organisation, partner_approval, partner_relationship, room, user,
};
use crate::server::error::{ConflictKind, ServiceError};
use crate::server::scope::TenantScope;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Select, Set, TransactionSession, TransactionTrait,
};
use std::collections::{BTreeMap, BTreeSet};

/// Decided and expired requests listed after the pending ones, newest first.
const PAST_SHOWN: u64 = 100;

/// At most `max` characters, as the columns hold them.
fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// Called by a service once it has authorized an actor's change exactly as if it were to be made
/// now: if the actor is a partner in `scope`'s organisation whose relationship puts the change's
/// category under manual approval, holds the change as a pending request (in the customer's log
/// as "… (awaiting approval)") and returns its id; otherwise returns `None` and the caller makes
/// the change.
///
/// # Authorization
/// None of its own: the caller has authorized the change on `scope`.
pub(crate) async fn hold_if_manual(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    scope: &TenantScope,
    held: HeldChange,
    object: &str,
    now: DateTime<Utc>,
) -> Result<Option<ChangeRequestId>, ServiceError> {
    let Some(p) = actor.partnership(scope.org()) else {
        return Ok(None);
    };
    let category = held.change.category();
    let manual = scope
        .select::<partner_approval::Entity>()
        .filter(partner_approval::Column::RelationshipId.eq(p.relationship))
        .filter(partner_approval::Column::Category.eq(category))
        .one(db)
        .await?
        .is_some_and(|a| a.mode == ApprovalMode::Manual);
    if !manual {
        return Ok(None);
    }
    let requester_name = TenantScope::trusted(actor.org)
        .select::<user::Entity>()
        .filter(user::Column::Id.eq(actor.user))
        .one(db)
        .await?
        .map(|u| u.display_name)
        .unwrap_or_default();
    let payload = serde_json::to_string(&held).map_err(|e| DbErr::Json(e.to_string()))?;
    let id = ChangeRequestId::new();
    let operation: &str = Operation::Update.into();
    let tx = super::begin_write(db).await?;
    change_request::ActiveModel {
        id: Set(id),
        org_id: Set(scope.org()),
        relationship_id: Set(p.relationship),
        category: Set(category),
        operation: Set(operation.to_owned()),
        object_name: Set(clip(object, 300)),
        payload: Set(payload),
        state: Set(ChangeRequestState::Pending.key().to_owned()),
        requested_by: Set(actor.user),
        requested_by_name: Set(clip(&requester_name, 200)),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(CHANGE_REQUEST_DAYS)),
        decided_at: Set(None),
        decided_by: Set(None),
        reason: Set(String::new()),
    }
    .insert(&tx)
    .await?;
    let logged = format!("{object} (awaiting approval)");
    Attempt::new(actor, Category::Room, Operation::Update, &logged, now)
        .record(&tx, scope)
        .await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// The customer's requests: pending ones first, the oldest (expiring soonest) first, then the
/// latest decided and expired ones.
///
/// # Authorization
/// `Action::ViewPartners` on the organisation (Global admin or MSA).
pub async fn list_requests(
    db: &impl ConnectionTrait,
    actor: &Actor,
    org: OrgId,
    now: DateTime<Utc>,
) -> Result<Vec<ChangeRequestView>, ServiceError> {
    let scope = TenantScope::authorize(actor, Action::ViewPartners, &Resource::Org(org))?;
    let rows = requests(db, scope.select::<change_request::Entity>(), now).await?;
    views(db, &scope, rows, now).await
}

/// The requests the actor's organisation made to `customer`, in the order of [`list_requests`].
///
/// # Authorization
/// A live partnership with `customer` (a partner role there); anyone else is told it does not
/// exist.
pub async fn list_requests_for_partner(
    db: &impl ConnectionTrait,
    actor: &Actor,
    customer: OrgId,
    now: DateTime<Utc>,
) -> Result<Vec<ChangeRequestView>, ServiceError> {
    // The partner's own list: nobody else's (the customer has its queue). Requests name rooms,
    // so each is shown only to those who may view its room now.
    let p = actor.partnership(customer).ok_or(ServiceError::NotFound)?;
    let scope = TenantScope::authorize(actor, Action::ViewRooms, &Resource::SomeRooms(customer))?;
    let in_reach = reach(actor, customer, Permission::RoomsView).ok_or(ServiceError::NotFound)?;
    let mine = scope
        .select::<change_request::Entity>()
        .filter(change_request::Column::RelationshipId.eq(p.relationship));
    let rows = requests(db, mine, now).await?;
    let room_of = |r: &change_request::Model| {
        serde_json::from_str::<HeldChange>(&r.payload)
            .ok()
            .map(|h| match h.change {
                RoomChange::Update { room, .. }
                | RoomChange::SetRing { room, .. }
                | RoomChange::Unenroll { room }
                | RoomChange::Delete { room } => room,
            })
    };
    let named: BTreeSet<RoomId> = rows.iter().filter_map(room_of).collect();
    let visible: BTreeSet<RoomId> = rooms_within(db, &scope, &in_reach)
        .await?
        .filter(room::Column::Id.is_in(named))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let rows = rows
        .into_iter()
        .filter(|r| room_of(r).is_some_and(|room| visible.contains(&room)))
        .collect();
    views(db, &scope, rows, now).await
}

async fn requests(
    db: &impl ConnectionTrait,
    select: Select<change_request::Entity>,
    now: DateTime<Utc>,
) -> Result<Vec<change_request::Model>, ServiceError> {
    let pending = ChangeRequestState::Pending.key();
    let open = select
        .clone()
        .filter(change_request::Column::State.eq(pending))
        .filter(change_request::Column::ExpiresAt.gt(now))
        .order_by_asc(change_request::Column::CreatedAt)
        .order_by_asc(change_request::Column::Id)
        .all(db)
        .await?;
    let past = select
        .filter(
            Condition::any()
                .add(change_request::Column::State.ne(pending))
                .add(change_request::Column::ExpiresAt.lte(now)),
        )
        .order_by_desc(change_request::Column::CreatedAt)
        .order_by_desc(change_request::Column::Id)
        .limit(PAST_SHOWN)
        .all(db)
        .await?;
    Ok(open.into_iter().chain(past).collect())
}

/// The requests as both sides see them, named: organisations, the requester as they were named
/// when asking, and the customer's user who decided.
async fn views(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    rows: Vec<change_request::Model>,
    now: DateTime<Utc>,
) -> Result<Vec<ChangeRequestView>, ServiceError> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let partners: BTreeMap<RelationshipId, OrgId> = scope
        .select::<partner_relationship::Entity>()
        .filter(partner_relationship::Column::Id.is_in(rows.iter().map(|r| r.relationship_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.partner_org_id))
        .collect();
    let orgs: BTreeSet<OrgId> = partners.values().copied().chain([scope.org()]).collect();
    let org_names: BTreeMap<OrgId, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(orgs))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let deciders: BTreeSet<UserId> = rows.iter().filter_map(|r| r.decided_by).collect();
    let decider_names: BTreeMap<UserId, String> = if deciders.is_empty() {
        BTreeMap::new()
    } else {
        scope
            .select::<user::Entity>()
            .filter(user::Column::Id.is_in(deciders))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect()
    };
    let customer_name = org_names.get(&scope.org()).cloned().unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|r| {
            let partner = partners
                .get(&r.relationship_id)
                .copied()
                .unwrap_or(r.org_id);
            let partner_name = org_names.get(&partner).cloned().unwrap_or_default();
            let asked = serde_json::from_str::<HeldChange>(&r.payload)
                .map(|h| h.asked)
                .unwrap_or_else(|_| r.object_name.clone());
            ChangeRequestView {
                id: r.id,
                customer: r.org_id,
                customer_name: customer_name.clone(),
                partner,
                requested_by_org: partner_name.clone(),
                partner_name,
                relationship: r.relationship_id,
                category: r.category,
                object_name: r.object_name,
                asked,
                requested_by_name: r.requested_by_name,
                created_at: r.created_at,
                expires_at: r.expires_at,
                state: ChangeRequestState::at(&r.state, r.expires_at, now),
                decided_at: r.decided_at,
                decided_by_name: r
                    .decided_by
                    .map(|u| decider_names.get(&u).cloned().unwrap_or_default()),
                reason: r.reason,
            }
        })
        .collect())
}

/// Approves or rejects a pending request, once: of two decisions at once, or a decision after
/// the request expired, all but one are a conflict. Approving makes the change as the requester,
/// loaded afresh as of `now` and authorized again by the rooms service as any change of theirs;
/// if the requester is gone, no longer works for the customer, or may no longer make the change,
/// the request is failed with the reason and nothing changes. The decision is recorded in both
/// organisations' logs; the change itself, if made, in the customer's under the requester.
///
/// # Authorization
/// `Action::ManagePartners` on the organisation (Global admin or MSA).
pub async fn decide(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    org: OrgId,
    id: ChangeRequestId,
    approve: bool,
    reason: DecisionReason,
    now: DateTime<Utc>,
) -> Result<ChangeRequestView, ServiceError> {
    let blind = format!("change request {id}");
    let attempt = Attempt::new(actor, Category::Room, Operation::Update, &blind, now);
    let scope = attempt
        .authorize(db, Action::ManagePartners, &Resource::Org(org))
        .await?;
    let tx = super::begin_write(db).await?;
    let find = || {
        scope
            .select::<change_request::Entity>()
            .filter(change_request::Column::Id.eq(id))
    };
    let request = find().one(&tx).await?.ok_or(ServiceError::NotFound)?;
    let decided = if approve {
        ChangeRequestState::Approved
    } else {
        ChangeRequestState::Rejected
    };
    let won = scope
        .update_many::<change_request::Entity>()
        .col_expr(change_request::Column::State, Expr::value(decided.key()))
        .col_expr(change_request::Column::DecidedAt, Expr::value(now))
        .col_expr(change_request::Column::DecidedBy, Expr::value(actor.user))
        .col_expr(change_request::Column::Reason, Expr::value(reason.as_str()))
        .filter(change_request::Column::Id.eq(id))
        .filter(change_request::Column::State.eq(ChangeRequestState::Pending.key()))
        .filter(change_request::Column::ExpiresAt.gt(now))
        .exec(&tx)
        .await?
        .rows_affected;
    if won != 1 {
        return Err(ServiceError::Conflict(ConflictKind::ChangeRequestDecided));
    }
    let rel = scope
        .select::<partner_relationship::Entity>()
        .filter(partner_relationship::Column::Id.eq(request.relationship_id))
        .one(&tx)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let outcome = if approve {
        apply(&tx, &rel, &request, now).await?
    } else {
        Ok(())
    };
    let suffix = match &outcome {
        Ok(()) if approve => "approved",
        Ok(()) => "rejected",
        Err(_) => "approved, not applied",
    };
    if let Err(why) = &outcome {
        scope
            .update_many::<change_request::Entity>()
            .col_expr(
                change_request::Column::State,
                Expr::value(ChangeRequestState::Failed.key()),
            )
            .col_expr(
                change_request::Column::Reason,
                Expr::value(clip(why, DecisionReason::MAX_CHARS)),
            )
            .filter(change_request::Column::Id.eq(id))
            .exec(&tx)
            .await?;
    }
    let object = format!("{} ({suffix})", request.object_name);
    Attempt::new(actor, Category::Room, Operation::Update, &object, now)
        .record_for_both(&tx, &rel)
        .await?;
    tx.commit().await?;
    let row = find().one(db).await?.ok_or(ServiceError::NotFound)?;
    views(db, &scope, vec![row], now)
        .await?
        .pop()
        .ok_or(ServiceError::NotFound)
}

/// Makes an approved change as its requester, as of `now`. `Ok(Err(why))` when it may not be
/// made (nothing is changed then); `Err` only for a database failure.
async fn apply(
    db: &(impl ConnectionTrait + TransactionTrait),
    rel: &partner_relationship::Model,
    request: &change_request::Model,
    now: DateTime<Utc>,
) -> Result<Result<(), String>, ServiceError> {
    let Ok(held) = serde_json::from_str::<HeldChange>(&request.payload) else {
        return Ok(Err(
            "The request could not be read, so nothing was changed.".into(),
        ));
    };
    let signed_in = SignedIn {
        user: request.requested_by,
        org: rel.partner_org_id,
    };
    let requester = identity::load_actor_for(db, &signed_in, Addressed::Org(rel.org_id), now)
        .await?
        .filter(|a| {
            a.partnership(rel.org_id)
                .is_some_and(|p| p.relationship == rel.id)
        });
    let Some(requester) = requester else {
        return Ok(Err(format!(
            "{} no longer holds a partner role for your organisation, so nothing was changed.",
            request.requested_by_name
        )));
    };
    let org = rel.org_id;
    let made = match held.change {
        RoomChange::Update { room, input } => match input.validate() {
            Ok(input) => {
                rooms::change_room(db, &requester, org, room, input, now, Hold::Approved).await
            }
            Err(invalid) => Err(invalid.into()),
        },
        RoomChange::SetRing { room, ring } => {
            rooms::set_room_ring_as(db, &requester, org, room, ring, now, Hold::Approved).await
        }
        RoomChange::Unenroll { room } => {
            rooms::unenroll_room_as(db, &requester, org, room, now, Hold::Approved).await
        }
        RoomChange::Delete { room } => {
            rooms::delete_room_as(db, &requester, org, room, now, Hold::Approved).await
        }
    };
    Ok(match made {
        Ok(_) => Ok(()),
        Err(ServiceError::Db(e)) => return Err(ServiceError::Db(e)),
        Err(ServiceError::NotFound) => Err(
            "The room no longer exists or is no longer in the partner's rooms, so nothing was changed."
                .to_owned(),
        ),
        Err(ServiceError::Forbidden(reason)) => Err(format!(
            "The partner may no longer make this change ({reason}), so nothing was changed."
        )),
        Err(ServiceError::Invalid(v)) => Err(format!(
            "The change is no longer valid ({}), so nothing was changed.",
            v.message
        )),
        Err(ServiceError::Conflict(kind)) => Err(format!("{kind} Nothing was changed.")),
    })
}
