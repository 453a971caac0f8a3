//! `AppError`: what a server function returns to the browser. Services' errors are mapped to it
//! once, in `From<ServiceError>`; database details never leave the server.

use crate::codec::JsonText;
use crate::domain::authz::DenyReason;
use crate::domain::validation::ValidationError;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Your session has ended. Sign in again.")]
    Unauthenticated,
    #[error("Not allowed: {0}.")]
    Forbidden(DenyReason),
    #[error("It no longer exists, or you have no access to it.")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(ValidationError),
    #[error("Something went wrong on our side. Try again in a moment.")]
    Internal,
    #[error("The server could not be reached ({0}). Check your connection and try again.")]
    Transport(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::Invalid(_) => 422,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    /// The field a form should mark, if the error is about one.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid(v) => Some(&v.field),
            _ => None,
        }
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        AppError::Invalid(e)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(e) | ServerFnErrorErr::Response(e) => AppError::Transport(e),
            ServerFnErrorErr::Args(e) | ServerFnErrorErr::Deserialization(e) => {
                AppError::Invalid(ValidationError::new("request", e))
            }
            other => {
                tracing::error!(error = %other, "server function failed");
                AppError::Internal
            }
        }
    }
}
