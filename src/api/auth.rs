//! Bearer tokens: the admin token and the clients of `--clients` (each known by the SHA-256
//! of its token), with their roles. A token never appears in logs or `Debug` output.

use crate::core::Error;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
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

/// What a client may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The Watches service: the client's own watches.
    Watch,
    /// The Admin service.
    Admin,
}

/// One client of `--clients`: its id and what it may do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    pub id: String,
    /// The SHA-256 of its bearer token, in hex: the file never holds the token itself.
    token_sha256: String,
    pub roles: Vec<Role>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientsFile {
    #[serde(default)]
    clients: Vec<Client>,
}

/// Reads and checks a `--clients` file (TOML: one `[[clients]]` table per client with `id`,
/// `token_sha256` and `roles`).
pub fn read_clients(path: &std::path::Path) -> Result<Vec<Client>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the clients file {}: {e}", path.display()))?;
    let file: ClientsFile =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut seen = std::collections::HashSet::new();
    for (i, client) in file.clients.iter().enumerate() {
        let at = format!("{}: clients[{i}]", path.display());
        if client.id.trim().is_empty() || client.id.chars().any(char::is_control) {
            return Err(format!("{at}: id must be a non-empty name"));
        }
        if client.id == ADMIN_CLIENT {
            return Err(format!(
                "{at}: the id {ADMIN_CLIENT:?} is the admin token's (--admin-token-file); choose another"
            ));
        }
        if !seen.insert(client.id.clone()) {
            return Err(format!("{at}: the id {:?} is given twice", client.id));
        }
        if decode_digest(&client.token_sha256).is_none() {
            return Err(format!(
                "{at}: token_sha256 must be 64 hex digits, the SHA-256 of the token \
                 (printf %s \"$TOKEN\" | sha256sum)"
            ));
        }
        if client.roles.is_empty() {
            return Err(format!(
                "{at}: give at least one role (\"watch\", \"admin\")"
            ));
        }
    }
    Ok(file.clients)
}

/// The client the admin token authenticates as.
pub const ADMIN_CLIENT: &str = "admin";

fn decode_digest(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 {
        return None;
    }
    let mut digest = [0u8; 32];
    for (i, byte) in digest.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(digest)
}

fn digest(token: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(token).into()
}

/// Checks `authorization: Bearer <token>`: the admin token (the client "admin", with every
/// role) and the clients of `--clients`, each known by its token's SHA-256. The token is
/// hashed before it is looked up, so the lookup reveals nothing about it.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    by_digest: Arc<std::collections::HashMap<[u8; 32], Arc<Client>>>,
}

impl Auth {
    pub fn new(admin_token: Option<&Secret>, clients: &[Client]) -> Self {
        let mut by_digest = std::collections::HashMap::new();
        for client in clients {
            if let Some(d) = decode_digest(&client.token_sha256) {
                by_digest.insert(d, Arc::new(client.clone()));
            }
        }
        if let Some(token) = admin_token {
            by_digest.insert(
                digest(token.expose()),
                Arc::new(Client {
                    id: ADMIN_CLIENT.into(),
                    token_sha256: String::new(),
                    roles: vec![Role::Admin, Role::Watch],
                }),
            );
        }
        Auth {
            by_digest: Arc::new(by_digest),
        }
    }

    /// The client calling, if it may act in `role`.
    pub fn check(&self, metadata: &MetadataMap, role: Role) -> Result<Arc<Client>, Error> {
        if !self.by_digest.values().any(|c| c.roles.contains(&role)) {
            return Err(Error::PermissionDenied(match role {
                Role::Admin => "admin writes are disabled on this server: start it with \
                                --admin-token-file (or WATCHLIST_ADMIN_TOKEN) to enable them"
                    .into(),
                Role::Watch => "watches are disabled on this server: start it with --clients \
                                FILE (clients with the \"watch\" role) or an admin token"
                    .into(),
            }));
        }
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
        let client = self
            .by_digest
            .get(&digest(given.as_bytes()))
            .ok_or_else(|| {
                Error::Unauthenticated(match role {
                    Role::Admin => "the admin token is not valid".into(),
                    Role::Watch => "the token is not one of a known client".into(),
                })
            })?;
        if client.roles.contains(&role) {
            Ok(Arc::clone(client))
        } else {
            Err(Error::PermissionDenied(format!(
                "client {:?} does not have the {:?} role",
                client.id,
                format!("{role:?}").to_lowercase()
            )))
        }
    }
}
