//! Writes audit entries: the columns of section 6 of the specification.

use crate::domain::authz::Actor;
use crate::server::entity::audit_log;
use crate::server::scope::TenantScope;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr)]
pub enum Category {
    User,
    Assignment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

/// Records a successful change in the log of the organisation acted on.
pub async fn record(
    db: &impl ConnectionTrait,
    scope: &TenantScope,
    actor: &Actor,
    category: Category,
    operation: Operation,
    object_name: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let category: &str = category.into();
    let operation: &str = operation.into();
    audit_log::ActiveModel {
        id: Set(Uuid::new_v4()),
        org_id: Set(scope.org()),
        category: Set(category.to_owned()),
        object_name: Set(object_name.chars().take(300).collect()),
        operation: Set(operation.to_owned()),
        result_status: Set("Successful".to_owned()),
        actor_user_id: Set(actor.user),
        actor_org_id: Set(actor.org),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .map(|_| ())
}
