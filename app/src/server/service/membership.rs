//! Which room groups a room is in now, and which rooms a scope reaches, read from the database
//! for the pure rules of `domain::access`.

use crate::domain::access::{self, groups_of, GroupRule, RoomFacts, RoomGroupDef};
use crate::domain::authz::{Reach, Resource, Scope};
use crate::domain::ids::{RoomGroupId, RoomId};
use crate::server::entity::{room, room_group, room_group_member};
use crate::server::scope::TenantScope;
use sea_orm::sea_query::{Query, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, QueryFilter, QuerySelect, Select};
use std::collections::{BTreeMap, BTreeSet};

pub fn rule_of(group: &room_group::Model) -> Option<GroupRule> {
    (group.rule_country.is_some() || group.rule_site.is_some()).then(|| GroupRule {
        country: group.rule_country.clone(),
        site: group.rule_site.clone(),
    })
}

/// Every room group of the organisation with its static members and rule.
pub async fn group_defs(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
) -> Result<Vec<RoomGroupDef>, DbErr> {
    let groups = scope.select::<room_group::Entity>().all(db).await?;
    defs_of(db, scope, &groups).await
}

/// `groups` with their static members.
async fn defs_of(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    groups: &[room_group::Model],
) -> Result<Vec<RoomGroupDef>, DbErr> {
    let mut members: BTreeMap<RoomGroupId, BTreeSet<RoomId>> = BTreeMap::new();
    for m in scope.select::<room_group_member::Entity>().all(db).await? {
        members
            .entry(m.room_group_id)
            .or_default()
            .insert(m.room_id);
    }
    Ok(groups
        .iter()
        .map(|g| RoomGroupDef {
            rule: rule_of(g),
            members: members.remove(&g.id).unwrap_or_default(),
            id: g.id,
        })
        .collect())
}

pub fn facts(room: &room::Model) -> RoomFacts {
    RoomFacts {
        id: room.id,
        country: room.country.clone(),
        site: room.site.clone(),
    }
}

/// The room as authorization sees it.
pub fn room_resource(
    room: &RoomFacts,
    org: crate::domain::ids::OrgId,
    defs: &[RoomGroupDef],
) -> Resource {
    Resource::Room {
        org,
        room: room.id,
        room_groups: groups_of(room, defs),
    }
}

/// Room `id` of `org` and what authorization needs to decide on it, read before it decides
/// (through [`TenantScope::describing`]): nothing of it may reach the actor unless allowed.
pub async fn described_room(
    db: &impl ConnectionTrait,
    org: crate::domain::ids::OrgId,
    id: RoomId,
) -> Result<Option<(room::Model, Resource)>, DbErr> {
    let look = TenantScope::describing(org);
    let Some(room) = look
        .select::<room::Entity>()
        .filter(room::Column::Id.eq(id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let defs = group_defs(db, &look).await?;
    let resource = room_resource(&facts(&room), org, &defs);
    Ok(Some((room, resource)))
}

/// The organisation's rooms in reach (named by the grants, inside the ceiling), as a query to
/// refine (filters, sort, paging).
pub async fn rooms_within(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    reach: &Reach,
) -> Result<Select<room::Entity>, DbErr> {
    let mut select = scope.select::<room::Entity>();
    if let Some(condition) = reach_condition(db, scope, reach).await? {
        select = select.filter(condition);
    }
    Ok(select)
}

/// The rooms in reach as a condition on `rooms`, for a query of the scope's organisation that
/// joins them; `None` for every room of the organisation.
pub async fn reach_condition(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    reach: &Reach,
) -> Result<Option<Condition>, DbErr> {
    let mut all = Condition::all();
    let mut narrowed = false;
    for named in [&reach.grants, &reach.ceiling] {
        if let Some(condition) = rooms_named(db, scope, named).await? {
            all = all.add(condition);
            narrowed = true;
        }
    }
    Ok(narrowed.then_some(all))
}

/// The rooms a scope names, as a condition on `rooms`; `None` for all rooms.
async fn rooms_named(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    named: &Scope,
) -> Result<Option<Condition>, DbErr> {
    let Scope::Some { rooms, room_groups } = named else {
        return Ok(None);
    };
    let groups = scope
        .select::<room_group::Entity>()
        .filter(room_group::Column::Id.is_in(room_groups.iter().copied()))
        .all(db)
        .await?;
    let any = groups.iter().fold(
        Condition::any().add(room::Column::Id.is_in(rooms.iter().copied())),
        |any, group| any.add(members_of(scope, group)),
    );
    Ok(Some(any))
}

/// The rooms of one group now, as a condition on `rooms`: its static members, or rooms that
/// match its rule. The SQL form of `domain::access::groups_of`, so that counting and listing
/// members never loads the organisation's other rooms.
pub fn members_of(scope: &TenantScope, group: &room_group::Model) -> Condition {
    let statics = static_members(scope, Some(group.id));
    let mut any = Condition::any().add(statics);
    if let Some(rule) = rule_of(group) {
        let mut all = Condition::all();
        if let Some(country) = rule.country {
            all = all.add(room::Column::Country.eq(country));
        }
        if let Some(site) = rule.site {
            all = all.add(room::Column::Site.eq(site));
        }
        any = any.add(all);
    }
    any
}

/// `rooms.id IN` the static members of one group, or of any group.
fn static_members(scope: &TenantScope, group: Option<RoomGroupId>) -> SimpleExpr {
    let mut members = Query::select();
    members
        .column(room_group_member::Column::RoomId)
        .from(room_group_member::Entity)
        .and_where(room_group_member::Column::OrgId.eq(scope.org()));
    if let Some(group) = group {
        members.and_where(room_group_member::Column::RoomGroupId.eq(group));
    }
    room::Column::Id.in_subquery(members)
}

/// How many rooms each of `groups` holds, in three reads whatever the number of rooms: the
/// static members, how many rooms each (country, site) pair has, and the static members'
/// country and site. See [`access::group_sizes`].
pub async fn group_sizes(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    groups: &[room_group::Model],
) -> Result<BTreeMap<RoomGroupId, u64>, DbErr> {
    let defs = defs_of(db, scope, groups).await?;
    let places: Vec<(String, String, u64)> = scope
        .select::<room::Entity>()
        .select_only()
        .column(room::Column::Country)
        .column(room::Column::Site)
        .column_as(room::Column::Id.count(), "rooms")
        .group_by(room::Column::Country)
        .group_by(room::Column::Site)
        .into_tuple::<(String, String, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(country, site, n)| (country, site, u64::try_from(n).unwrap_or(0)))
        .collect();
    let members = scope
        .select::<room::Entity>()
        .filter(static_members(scope, None))
        .select_only()
        .column(room::Column::Id)
        .column(room::Column::Country)
        .column(room::Column::Site)
        .into_tuple::<(RoomId, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, country, site)| (id, RoomFacts { id, country, site }))
        .collect();
    Ok(access::group_sizes(&places, &defs, &members))
}

/// Whether a reach includes a room group itself (for showing its name).
pub fn reaches_group(reach: Option<&Reach>, group: RoomGroupId) -> bool {
    reach.is_some_and(|r| r.names_group(group))
}
