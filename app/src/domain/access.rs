//! Effective permissions, as pure functions: which room groups a room is in (statically or by
//! rule), and which grants a user holds through role assignments (directly or through security
//! groups). The server loads the rows and calls these; the property test checks them, together
//! with [`super::authz::authorize`], against a straightforward reference implementation.

use super::authz::{Grant, Permission, Scope};
use super::ids::{GroupId, OrgId, RoomGroupId, RoomId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A rule that keeps a room group's membership current: every room in this country/region
/// and/or at this site. At least one is set (see [`super::rooms::GroupRuleInput`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRule {
    pub country: Option<String>,
    pub site: Option<String>,
}

impl GroupRule {
    /// Exact comparison, as the database compares: country codes are stored upper-cased and the
    /// rule form offers the sites rooms already have.
    pub fn matches(&self, country: &str, site: &str) -> bool {
        let country_ok = self.country.as_deref().is_none_or(|c| c == country);
        let site_ok = self.site.as_deref().is_none_or(|s| s == site);
        (self.country.is_some() || self.site.is_some()) && country_ok && site_ok
    }

    /// "Country/region is US and site is Seattle".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(c) = &self.country {
            parts.push(format!("country/region is {c}"));
        }
        if let Some(s) = &self.site {
            parts.push(format!("site is {s}"));
        }
        let text = parts.join(" and ");
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => text,
        }
    }
}

/// What membership needs to know about a room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomFacts {
    pub id: RoomId,
    pub country: String,
    pub site: String,
}

/// A room group as membership sees it: static members and an optional rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomGroupDef {
    pub id: RoomGroupId,
    pub rule: Option<GroupRule>,
    pub members: BTreeSet<RoomId>,
}

/// How many rooms each group holds now, without the rooms themselves: `places` says how many
/// rooms each (country, site) pair has, `members` gives the static members' facts. A room
/// counts once, whether the rule, its membership or both put it in the group (as [`groups_of`]).
pub fn group_sizes(
    places: &[(String, String, u64)],
    groups: &[RoomGroupDef],
    members: &BTreeMap<RoomId, RoomFacts>,
) -> BTreeMap<RoomGroupId, u64> {
    groups
        .iter()
        .map(|g| {
            let by_rule = g.rule.as_ref().map_or(0, |rule| {
                places
                    .iter()
                    .filter(|(country, site, _)| rule.matches(country, site))
                    .map(|(_, _, rooms)| rooms)
                    .sum()
            });
            let outside_rule = g
                .members
                .iter()
                .filter_map(|id| members.get(id))
                .filter(|r| {
                    !g.rule
                        .as_ref()
                        .is_some_and(|rule| rule.matches(&r.country, &r.site))
                })
                .count() as u64;
            (g.id, by_rule + outside_rule)
        })
        .collect()
}

/// The room groups `room` belongs to now: those listing it and those whose rule matches it.
pub fn groups_of(room: &RoomFacts, groups: &[RoomGroupDef]) -> BTreeSet<RoomGroupId> {
    groups
        .iter()
        .filter(|g| {
            g.members.contains(&room.id)
                || g.rule
                    .as_ref()
                    .is_some_and(|r| r.matches(&room.country, &room.site))
        })
        .map(|g| g.id)
        .collect()
}

/// A role assignment as effective permissions see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignmentDef {
    pub org: OrgId,
    pub permissions: BTreeSet<Permission>,
    pub scope: Scope,
    pub users: BTreeSet<UserId>,
    pub groups: BTreeSet<GroupId>,
}

/// The grants `user` (member of `user_groups`) holds: one per assignment naming the user or one
/// of their groups.
pub fn grants_for(
    user: UserId,
    user_groups: &BTreeSet<GroupId>,
    assignments: &[AssignmentDef],
) -> Vec<Grant> {
    assignments
        .iter()
        .filter(|a| a.users.contains(&user) || !a.groups.is_disjoint(user_groups))
        .map(|a| Grant {
            org: a.org,
            permissions: a.permissions.clone(),
            scope: a.scope.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
