//! Which room groups a room is in now, and which rooms a scope reaches, read from the database
//! for the pure rules of `domain::access`.

use crate::domain::access::{groups_of, GroupRule, RoomFacts, RoomGroupDef};
use crate::domain::authz::{Resource, Scope};
use crate::domain::ids::{RoomGroupId, RoomId};
use crate::server::entity::{room, room_group, room_group_member};
use crate::server::scope::TenantScope;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, QueryFilter, Select};
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
    let mut members: BTreeMap<RoomGroupId, BTreeSet<RoomId>> = BTreeMap::new();
    for m in scope.select::<room_group_member::Entity>().all(db).await? {
        members
            .entry(m.room_group_id)
            .or_default()
            .insert(m.room_id);
    }
    Ok(scope
        .select::<room_group::Entity>()
        .all(db)
        .await?
        .into_iter()
        .map(|g| RoomGroupDef {
            rule: rule_of(&g),
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

/// The organisation's rooms a scope reaches, as a query to refine (filters, sort, paging).
pub async fn rooms_within(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    reach: &Scope,
) -> Result<Select<room::Entity>, DbErr> {
    let select = scope.select::<room::Entity>();
    let Scope::Some { rooms, room_groups } = reach else {
        return Ok(select);
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
    Ok(select.filter(any))
}

/// The rooms of one group now, as a condition on `rooms`: its static members, or rooms that
/// match its rule. The SQL form of `domain::access::groups_of`, so that counting and listing
/// members never loads the organisation's other rooms.
pub fn members_of(scope: &TenantScope, group: &room_group::Model) -> Condition {
    let statics = room::Column::Id.in_subquery(
        Query::select()
            .column(room_group_member::Column::RoomId)
            .from(room_group_member::Entity)
            .and_where(room_group_member::Column::OrgId.eq(scope.org()))
            .and_where(room_group_member::Column::RoomGroupId.eq(group.id))
            .to_owned(),
    );
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

/// Whether a reach includes a room group itself (for showing its name).
pub fn reaches_group(reach: Option<&Scope>, group: RoomGroupId) -> bool {
    match reach {
        None => false,
        Some(Scope::AllRooms) => true,
        Some(Scope::Some { room_groups, .. }) => room_groups.contains(&group),
    }
}
