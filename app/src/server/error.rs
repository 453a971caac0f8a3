//! `ServiceError`: the one error type of the service layer, mapped once to `AppError`.

use crate::domain::authz::DenyReason;
use crate::domain::validation::ValidationError;
use crate::error::AppError;
use sea_orm::{DbErr, SqlErr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConflictKind {
    #[error("That user or group already holds this role.")]
    AlreadyAssigned,
    #[error("A group with this name already exists.")]
    GroupNameTaken,
    #[error("That user is already a member of the group.")]
    AlreadyMember,
    #[error("Someone changed this at the same time. Reload and try again.")]
    Concurrent,
    #[error("Another room already uses this resource account.")]
    RoomAccountTaken,
    #[error("That name is already taken.")]
    NameTaken,
    #[error("Built-in roles cannot be renamed, edited or deleted.")]
    BuiltInRole,
    #[error("This organisation is already your partner, or has an invitation waiting.")]
    AlreadyPartner,
    #[error("This invitation has already been answered or withdrawn.")]
    InvitationAnswered,
    #[error("This invitation has expired. Ask the customer to send a new one.")]
    InvitationExpired,
    #[error("Primary admins must keep at least one member.")]
    LastPrimaryAdmin,
    #[error("This request has already been decided, or it has expired.")]
    ChangeRequestDecided,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    #[error("forbidden: {0}")]
    Forbidden(DenyReason),
    #[error("conflict: {0}")]
    Conflict(ConflictKind),
    #[error("invalid: {0}")]
    Invalid(#[from] ValidationError),
    #[error("database: {0}")]
    Db(DbErr),
}

impl From<DbErr> for ServiceError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                ServiceError::Conflict(ConflictKind::Concurrent)
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => ServiceError::NotFound,
            _ => ServiceError::Db(err),
        }
    }
}

impl From<ServiceError> for AppError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::NotFound => AppError::NotFound,
            ServiceError::Forbidden(reason) => AppError::Forbidden(reason),
            ServiceError::Conflict(kind) => AppError::Conflict(kind.to_string()),
            ServiceError::Invalid(v) => AppError::Invalid(v),
            ServiceError::Db(db) => {
                tracing::error!(error = %db, "database error");
                AppError::Internal
            }
        }
    }
}
