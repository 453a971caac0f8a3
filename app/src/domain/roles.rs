//! Wire types of *Settings > Roles*: roles, their assignments (members over a scope) and the
//! drafts the wizard and the assignment forms send.

use super::authz::{BuiltInRole, Permission, Scope};
use super::directory::{Principal, PrincipalView};
use super::ids::{RoleAssignmentId, RoleId, RoomGroupId, RoomId};
use super::rooms::description;
use super::validation::{name, Valid, ValidationError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleView {
    pub id: RoleId,
    pub name: String,
    pub description: String,
    /// `Some` for the built-in roles, which cannot be renamed, edited or deleted.
    pub built_in: Option<BuiltInRole>,
    pub permissions: Vec<Permission>,
    pub assignment_count: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentView {
    pub id: RoleAssignmentId,
    pub name: String,
    pub description: String,
    pub notify: bool,
    pub members: Vec<PrincipalView>,
    pub all_rooms: bool,
    pub rooms: Vec<(RoomId, String)>,
    pub room_groups: Vec<(RoomGroupId, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDetail {
    pub role: RoleView,
    pub assignments: Vec<AssignmentView>,
}

/// General and Permissions of the wizard (and of editing a custom role).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDraft {
    pub name: String,
    pub description: String,
    pub permissions: Vec<Permission>,
}

impl RoleDraft {
    /// A role's name as [`RoleDraft::validate`] takes it, for the wizard's first step.
    pub fn name_only(raw: String) -> Result<String, ValidationError> {
        name("name", &raw, 80, "the role")
    }

    pub fn validate(self) -> Result<Valid<Self>, ValidationError> {
        let name = Self::name_only(self.name)?;
        let description = description(&self.description)?;
        let permissions: BTreeSet<Permission> = self.permissions.into_iter().collect();
        if permissions.is_empty() {
            return Err(ValidationError::new(
                "permissions",
                "Choose at least one permission.",
            ));
        }
        Ok(Valid(Self {
            name,
            description,
            permissions: permissions.into_iter().collect(),
        }))
    }
}

impl Valid<RoleDraft> {
    pub fn permissions(&self) -> BTreeSet<Permission> {
        self.get().permissions.iter().copied().collect()
    }
}

/// Assignment, Members and Scope of the wizard (and of adding or editing an assignment).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentDraft {
    pub name: String,
    pub description: String,
    pub notify: bool,
    pub members: Vec<Principal>,
    pub all_rooms: bool,
    pub rooms: Vec<RoomId>,
    pub room_groups: Vec<RoomGroupId>,
}

impl AssignmentDraft {
    pub const MAX_MEMBERS: usize = 200;
    pub const MAX_SCOPE_ITEMS: usize = 500;

    pub fn validate(mut self) -> Result<Valid<Self>, ValidationError> {
        self.name = name("assignment_name", &self.name, 80, "the assignment")?;
        self.description = description(&self.description)
            .map_err(|e| ValidationError::new("assignment_description", e.message))?;
        dedup(&mut self.members);
        dedup(&mut self.rooms);
        dedup(&mut self.room_groups);
        if self.members.is_empty() {
            return Err(ValidationError::new(
                "members",
                "Add at least one user or security group.",
            ));
        }
        if self.members.len() > Self::MAX_MEMBERS {
            return Err(ValidationError::new(
                "members",
                format!("Add at most {} members.", Self::MAX_MEMBERS),
            ));
        }
        if self.all_rooms {
            self.rooms.clear();
            self.room_groups.clear();
        } else if self.rooms.is_empty() && self.room_groups.is_empty() {
            return Err(ValidationError::new(
                "scope",
                "Choose rooms or room groups, or all rooms.",
            ));
        } else if self.rooms.len() + self.room_groups.len() > Self::MAX_SCOPE_ITEMS {
            return Err(ValidationError::new(
                "scope",
                format!(
                    "Choose at most {} rooms and groups; use a room group for more.",
                    Self::MAX_SCOPE_ITEMS
                ),
            ));
        }
        Ok(Valid(self))
    }
}

impl Valid<AssignmentDraft> {
    pub fn scope(&self) -> Scope {
        let d = self.get();
        if d.all_rooms {
            Scope::AllRooms
        } else {
            Scope::Some {
                rooms: d.rooms.iter().copied().collect(),
                room_groups: d.room_groups.iter().copied().collect(),
            }
        }
    }
}

fn dedup<T: Ord + Copy>(items: &mut Vec<T>) {
    let set: BTreeSet<T> = items.iter().copied().collect();
    *items = set.into_iter().collect();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;

    #[test]
    fn drafts_need_permissions_members_and_a_scope() {
        let role = RoleDraft {
            name: "Help desk".into(),
            description: String::new(),
            permissions: vec![],
        };
        assert_eq!(
            role.validate().err().map(|e| e.field),
            Some("permissions".into())
        );
        let user = Principal::User(UserId::new());
        let base = AssignmentDraft {
            name: "Seattle".into(),
            members: vec![user, user],
            rooms: vec![RoomId::new()],
            ..Default::default()
        };
        let valid = base.clone().validate();
        assert_eq!(valid.as_ref().map(|v| v.get().members.len()), Ok(1));
        let no_scope = AssignmentDraft {
            rooms: vec![],
            ..base.clone()
        };
        assert_eq!(
            no_scope.validate().err().map(|e| e.field),
            Some("scope".into())
        );
        let all = AssignmentDraft {
            all_rooms: true,
            ..base.clone()
        }
        .validate();
        assert_eq!(all.map(|v| v.scope()), Ok(Scope::AllRooms));
        let nobody = AssignmentDraft {
            members: vec![],
            ..base
        };
        assert_eq!(
            nobody.validate().err().map(|e| e.field),
            Some("members".into())
        );
    }
}
