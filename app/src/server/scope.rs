//! Tenant isolation in one place. A `TenantScope` can only be made by passing [`authorize`], and
//! every read, update and delete of a tenant-owned table goes through it, which adds
//! `org_id = <scope>` to the query. Services never call `Entity::find()` on a tenant-owned table;
//! an ID of another organisation therefore yields "not found", never its row.

use super::entity::{
    audit_log, group_member, org_role_assignment, org_settings, role, role_assignment,
    role_assignment_member, role_assignment_scope, role_permission, room, room_group,
    room_group_member, security_group, update_ring, user,
};
use super::error::ServiceError;
use crate::domain::authz::{authorize, Action, Actor, Decision, Resource};
use crate::domain::ids::OrgId;
use sea_orm::{ColumnTrait, DeleteMany, EntityTrait, QueryFilter, Select, UpdateMany};

/// A table whose rows belong to one organisation.
pub trait TenantOwned: EntityTrait {
    fn org_column() -> Self::Column;
}

macro_rules! tenant_owned {
    ($($module:ident),*) => {$(
        impl TenantOwned for $module::Entity {
            fn org_column() -> Self::Column {
                $module::Column::OrgId
            }
        }
    )*};
}
tenant_owned!(
    user,
    security_group,
    group_member,
    org_role_assignment,
    audit_log,
    org_settings,
    update_ring,
    room,
    room_group,
    room_group_member,
    role,
    role_permission,
    role_assignment,
    role_assignment_member,
    role_assignment_scope
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantScope {
    org: OrgId,
}

impl TenantScope {
    /// Authorizes `action` on `resource` and, if allowed, scopes to the resource's organisation.
    /// Refusals are logged with the reason.
    pub fn authorize(
        actor: &Actor,
        action: Action,
        resource: &Resource,
    ) -> Result<Self, ServiceError> {
        match authorize(actor, action, resource) {
            Decision::Allow => Ok(Self {
                org: resource.org(),
            }),
            Decision::Deny(reason) => {
                tracing::warn!(user = %actor.user, actor_org = %actor.org, org = %resource.org(), ?action, ?reason, "refused");
                Err(ServiceError::Forbidden(reason))
            }
        }
    }

    /// For reading the few rows that describe a resource (a room's site and groups) before
    /// [`TenantScope::authorize`] decides on it. Nothing read through it is returned to the
    /// actor unless that decision allows.
    pub(crate) fn describing(org: OrgId) -> Self {
        Self { org }
    }

    /// Deletes across every organisation, for retention only (purging expired audit entries).
    pub(crate) fn retention<E: TenantOwned>() -> DeleteMany<E> {
        E::delete_many()
    }

    /// For signing in and seeding: the organisation was established by a verified ID token or
    /// by the operator, not by an actor's roles.
    pub(crate) fn trusted(org: OrgId) -> Self {
        Self { org }
    }

    pub fn org(&self) -> OrgId {
        self.org
    }

    pub fn select<E: TenantOwned>(&self) -> Select<E> {
        E::find().filter(E::org_column().eq(self.org))
    }

    pub fn update_many<E: TenantOwned>(&self) -> UpdateMany<E> {
        E::update_many().filter(E::org_column().eq(self.org))
    }

    pub fn delete_many<E: TenantOwned>(&self) -> DeleteMany<E> {
        E::delete_many().filter(E::org_column().eq(self.org))
    }
}
