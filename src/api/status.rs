//! The one place where a core `Error` becomes a gRPC `Status`.

use crate::core::Error;
use tonic::{Code, Status};

impl From<Error> for Status {
    fn from(error: Error) -> Status {
        let code = match &error {
            Error::InvalidArgument { .. } => Code::InvalidArgument,
            Error::NotFound(_) => Code::NotFound,
            Error::OutOfRange(_) => Code::OutOfRange,
            Error::Unauthenticated(_) => Code::Unauthenticated,
            Error::PermissionDenied(_) => Code::PermissionDenied,
            Error::ResourceExhausted(_) => Code::ResourceExhausted,
            Error::FailedPrecondition(_) => Code::FailedPrecondition,
            Error::DeadlineExceeded(_) => Code::DeadlineExceeded,
            Error::Unavailable(_) => Code::Unavailable,
            Error::Internal(detail) => {
                // Details stay in the log; the caller gets a message it can quote to us.
                tracing::error!(%detail, "internal error");
                return Status::internal("internal error; the server log has the details");
            }
        };
        Status::new(code, error.to_string())
    }
}
