//! How a change of the sharing settings can fail.

use crate::problem::{Invalid, Missing, Problem};

#[derive(Debug, thiserror::Error)]
pub enum SharingError {
    #[error("invalid sharing setting: {0:?}")]
    Invalid(Invalid),
    #[error("{0:?} does not exist")]
    Missing(Missing),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

impl From<Invalid> for SharingError {
    fn from(invalid: Invalid) -> Self {
        Self::Invalid(invalid)
    }
}

impl From<crate::sites::SiteError> for SharingError {
    fn from(e: crate::sites::SiteError) -> Self {
        match e {
            crate::sites::SiteError::Missing(id) => Self::Missing(Missing::Site(id)),
            crate::sites::SiteError::Db(e) => Self::Db(e),
        }
    }
}

impl SharingError {
    /// What the UI, the CLI and the audit trail say about it.
    pub fn problem(&self) -> Problem {
        match self {
            Self::Invalid(invalid) => Problem::Invalid(invalid.clone()),
            Self::Missing(missing) => Problem::NotFound(missing.clone()),
            Self::Db(_) => Problem::Internal,
        }
    }
}
