//! Bearer-token check for the admin service, in constant time. The token never appears in
//! logs or `Debug` output.

use crate::core::Error;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use tonic::metadata::MetadataMap;

/// A secret string whose `Debug` and `Display` are redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    pub fn new(value: &str) -> Self {
        Secret(value.into())
    }

    fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl FromStr for Secret {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() {
            Err("the admin token must not be empty".into())
        } else {
            Ok(Secret::new(s))
        }
    }
}

/// Checks `authorization: Bearer <token>` against the configured token. With no token
/// configured every write is refused.
#[derive(Debug, Clone)]
pub struct AdminAuth {
    token: Option<Secret>,
}

impl AdminAuth {
    pub fn new(token: Option<Secret>) -> Self {
        AdminAuth { token }
    }

    pub fn check(&self, metadata: &MetadataMap) -> Result<(), Error> {
        let Some(expected) = &self.token else {
            return Err(Error::PermissionDenied(
                "admin writes are disabled on this server: start it with --admin-token-file \
                 (or WATCHLIST_ADMIN_TOKEN) to enable them"
                    .into(),
            ));
        };
        let header = metadata
            .get("authorization")
            .ok_or_else(|| {
                Error::Unauthenticated(
                    "missing credentials: send the metadata 'authorization: Bearer <token>'".into(),
                )
            })?
            .to_str()
            .map_err(|_| Error::Unauthenticated("the authorization header is not text".into()))?;
        let given = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(|| {
                Error::Unauthenticated("the authorization header must be 'Bearer <token>'".into())
            })?
            .trim();
        if bool::from(given.as_bytes().ct_eq(expected.expose())) {
            Ok(())
        } else {
            Err(Error::Unauthenticated(
                "the admin token is not valid".into(),
            ))
        }
    }
}
