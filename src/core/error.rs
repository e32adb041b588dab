//! The one error type of the core. The gRPC layer maps it to a `tonic::Status` in exactly one
//! place (`api::status`); nothing here knows about gRPC.

/// Everything that can go wrong in the core, each variant a different thing the caller can do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A request field is wrong. `field` names it (e.g. `name`, `lists[2]`).
    #[error("{field}: {reason}")]
    InvalidArgument { field: String, reason: String },
    /// Something named by the caller (an entity id, a list code) does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A position outside what the server holds (a subscription sequence too old or ahead).
    #[error("{0}")]
    OutOfRange(String),
    /// A caller without valid credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// A caller with valid credentials, or none needed, who may still not do this.
    #[error("{0}")]
    PermissionDenied(String),
    /// A limit was reached (e.g. the number of subscribers).
    #[error("{0}")]
    ResourceExhausted(String),
    /// The request is valid but the state of the data refuses it (a list owned by another
    /// source, a refreshed file that lost most of its records).
    #[error("{0}")]
    FailedPrecondition(String),
    /// The caller's deadline passed before the work was done.
    #[error("{0}")]
    DeadlineExceeded(String),
    /// The server is not ready or is shutting down, or a source could not be fetched.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an I/O failure; the details go to the log, not to the caller.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
