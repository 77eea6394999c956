//! Accounts without actors or HTTP: password hashing, the secrets handed to browsers
//! and collectors, and the rules for names and passwords (issue 6).
//!
//! Who may call what is decided in `actors::http`; this module only knows how to
//! make and check the secrets, so it is tested as plain functions.

mod password;
mod secrets;
mod validate;

pub use password::{dummy_hash, hash_password, verify_password, PasswordError};
pub use secrets::{well_formed, Keys, NewSecret, INGEST_TOKEN_PREFIX, INVITE_PREFIX, SESSION_PREFIX};
pub use validate::{validate_password, validate_token_name, validate_username, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

/// Whether requests need an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// The racer's own PC: everything belongs to the built-in local user, no login.
    Local,
    /// Hosted: every request is a signed-in user or an ingest token's owner.
    Accounts,
}

impl AuthMode {
    pub fn name(self) -> &'static str {
        match self {
            AuthMode::Local => "local",
            AuthMode::Accounts => "accounts",
        }
    }
}

/// Who may sign up (`auth.signup`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignupPolicy {
    Open,
    /// With an unused invite code from an admin.
    Invite,
    Closed,
}

impl SignupPolicy {
    pub fn parse(value: &str) -> Option<SignupPolicy> {
        match value {
            "open" => Some(SignupPolicy::Open),
            "invite" => Some(SignupPolicy::Invite),
            "closed" => Some(SignupPolicy::Closed),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SignupPolicy::Open => "open",
            SignupPolicy::Invite => "invite",
            SignupPolicy::Closed => "closed",
        }
    }
}
