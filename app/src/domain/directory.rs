//! Wire types of the directory: users, security groups and organisation-role assignments.

use super::authz::{Action, OrgRole};
use super::ids::{GroupId, OrgRoleAssignmentId, UserId};
use serde::{Deserialize, Serialize};

/// Who can be added wherever "a user or security group" can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Principal {
    User(UserId),
    Group(GroupId),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrincipalView {
    pub principal: Principal,
    pub name: String,
    /// The UPN of a user; the member count of a group.
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRoleAssignmentView {
    pub id: OrgRoleAssignmentId,
    pub role: OrgRole,
    pub principal: PrincipalView,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub id: GroupId,
    pub name: String,
    pub member_count: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub user: UserId,
    pub name: String,
    pub upn: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupDetailView {
    pub id: GroupId,
    pub name: String,
    pub members: Vec<MemberView>,
}

/// Organisation roles are managed on two pages: *Settings > Administrators* (customer mode) and
/// *Tenant managers* (partner mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoleFamily {
    Administrators,
    TenantManagers,
}

impl RoleFamily {
    pub fn roles(self) -> &'static [OrgRole] {
        match self {
            RoleFamily::Administrators => &[OrgRole::GlobalAdmin, OrgRole::ManagedServiceAdmin],
            RoleFamily::TenantManagers => &[OrgRole::TenantManager],
        }
    }

    pub fn of(role: OrgRole) -> Self {
        match role {
            OrgRole::GlobalAdmin | OrgRole::ManagedServiceAdmin => RoleFamily::Administrators,
            OrgRole::TenantManager => RoleFamily::TenantManagers,
        }
    }

    pub fn view_action(self) -> Action {
        match self {
            RoleFamily::Administrators => Action::ViewAdministrators,
            RoleFamily::TenantManagers => Action::ViewTenantManagers,
        }
    }

    pub fn manage_action(self) -> Action {
        match self {
            RoleFamily::Administrators => Action::ManageAdministrators,
            RoleFamily::TenantManagers => Action::ManageTenantManagers,
        }
    }
}
