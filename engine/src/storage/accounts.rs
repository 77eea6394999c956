//! Accounts in the store: users with passwords, browser sessions, ingest tokens and
//! invite codes (issue 6).
//!
//! The store never sees a secret: a session cookie, an ingest token and an invite
//! code reach it as their HMAC ([`crate::auth::Keys::digest`]), a password as its
//! argon2id hash. Lookups by digest are exact-match index lookups, so the time they
//! take says nothing about how close a guess was.

use super::{Backend, Store, StoreError, UserId};
use serde::Serialize;

/// A user as the accounts code needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: UserId,
    pub username: String,
    /// `user` or `admin`.
    pub role: String,
    /// argon2id PHC string; `None` for the built-in local user, who cannot log in.
    pub password_hash: Option<String>,
    pub created_at_ms: i64,
}

impl Account {
    pub fn is_admin(&self) -> bool {
        self.role == ROLE_ADMIN
    }
}

pub const ROLE_USER: &str = "user";
pub const ROLE_ADMIN: &str = "admin";
/// The only scope an API token has so far: streaming telemetry into `/ingest`.
pub const SCOPE_INGEST: &str = "ingest";

/// An API token as its owner sees it (never its secret, never its digest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    #[serde(skip)]
    pub user_id: UserId,
    pub name: String,
    pub scope: String,
    pub created_at_ms: i64,
    pub last_used_at_ms: Option<i64>,
    pub revoked_at_ms: Option<i64>,
}

/// What a sign-up came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupOutcome {
    Created(Account),
    UsernameTaken,
    /// The invite code is unknown, used or expired.
    InviteInvalid,
}

/// What signing up needs besides the name and password hash.
#[derive(Debug, Clone, Copy)]
pub struct SignupRules<'a> {
    /// When set, the invite code's digest: it must be unused and unexpired, and is used up.
    pub invite_digest: Option<&'a str>,
    /// Whether an invite is needed (`auth.signup = invite`). The first account of a
    /// deployment never needs one: someone has to be the admin who invites.
    pub invite_required: bool,
    pub now_ms: i64,
}

impl Store {
    /// Creates an account. The first account with a password in a deployment is an
    /// admin (someone has to be able to invite), every later one a user.
    pub fn create_account(
        &self,
        username: &str,
        password_hash: &str,
        rules: SignupRules<'_>,
    ) -> Result<SignupOutcome, StoreError> {
        dispatch!(self, store => store.create_account(username, password_hash, rules))
    }

    /// The account with this username, if any.
    pub fn account_by_name(&self, username: &str) -> Result<Option<Account>, StoreError> {
        dispatch!(self, store => store.account_by_name(username))
    }

    pub fn account(&self, id: UserId) -> Result<Option<Account>, StoreError> {
        dispatch!(self, store => store.account(id))
    }

    pub fn set_password_hash(&self, id: UserId, password_hash: &str) -> Result<(), StoreError> {
        dispatch!(self, store => store.set_password_hash(id, password_hash))
    }

    /// Records a signed-in browser session under the digest of its cookie.
    pub fn create_auth_session(&self, digest: &str, user: UserId, expires_at_ms: i64) -> Result<(), StoreError> {
        dispatch!(self, store => store.create_auth_session(digest, user, expires_at_ms))
    }

    /// The account behind a browser session that is neither revoked nor expired.
    pub fn auth_session_account(&self, digest: &str, now_ms: i64) -> Result<Option<Account>, StoreError> {
        dispatch!(self, store => store.auth_session_account(digest, now_ms))
    }

    /// Revokes one browser session (logout); false when there was none to revoke.
    pub fn revoke_auth_session(&self, digest: &str) -> Result<bool, StoreError> {
        dispatch!(self, store => store.revoke_auth_session(digest))
    }

    /// Revokes every session of the user but `keep` (after a password change); how many.
    pub fn revoke_auth_sessions_except(&self, user: UserId, keep: &str) -> Result<usize, StoreError> {
        dispatch!(self, store => store.revoke_auth_sessions_except(user, keep))
    }

    pub fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        digest: &str,
        scope: &str,
    ) -> Result<ApiToken, StoreError> {
        dispatch!(self, store => store.create_api_token(user, name, digest, scope))
    }

    /// The user's tokens, newest first.
    pub fn list_api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>, StoreError> {
        dispatch!(self, store => store.list_api_tokens(user))
    }

    /// Revokes one of the user's tokens; `None` when the user has no such token.
    pub fn revoke_api_token(&self, user: UserId, id: i64) -> Result<Option<ApiToken>, StoreError> {
        dispatch!(self, store => store.revoke_api_token(user, id))
    }

    /// The live token with this digest and scope, its use recorded; `None` when it
    /// is unknown, revoked or of another scope.
    pub fn use_api_token(&self, digest: &str, scope: &str, now_ms: i64) -> Result<Option<ApiToken>, StoreError> {
        dispatch!(self, store => store.use_api_token(digest, scope, now_ms))
    }

    /// Whether a token (by id) is still unrevoked: open connections check it now and then.
    pub fn api_token_active(&self, id: i64) -> Result<bool, StoreError> {
        dispatch!(self, store => store.api_token_active(id))
    }

    pub fn create_invite(&self, created_by: UserId, digest: &str, expires_at_ms: i64) -> Result<(), StoreError> {
        dispatch!(self, store => store.create_invite(created_by, digest, expires_at_ms))
    }
}

/// `users` as diesel reads it.
#[derive(diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = super::schema::users)]
pub(super) struct AccountRow {
    id: i64,
    username: String,
    password_hash: Option<String>,
    role: String,
    created_at_ms: i64,
}

impl AccountRow {
    pub(super) fn id_value(&self) -> i64 {
        self.id
    }
}

impl From<AccountRow> for Account {
    fn from(row: AccountRow) -> Account {
        Account {
            id: UserId(row.id),
            username: row.username,
            role: row.role,
            password_hash: row.password_hash,
            created_at_ms: row.created_at_ms,
        }
    }
}

/// `api_tokens` as diesel reads it, without the digest.
#[derive(diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = super::schema::api_tokens)]
pub(super) struct ApiTokenRow {
    id: i64,
    user_id: i64,
    name: String,
    scope: String,
    created_at_ms: i64,
    last_used_at_ms: Option<i64>,
    revoked_at_ms: Option<i64>,
}

impl From<ApiTokenRow> for ApiToken {
    fn from(row: ApiTokenRow) -> ApiToken {
        ApiToken {
            id: row.id,
            user_id: UserId(row.user_id),
            name: row.name,
            scope: row.scope,
            created_at_ms: row.created_at_ms,
            last_used_at_ms: row.last_used_at_ms,
            revoked_at_ms: row.revoked_at_ms,
        }
    }
}
