//! The secrets Purple Sector hands out (session cookies, ingest tokens, invite codes)
//! and how the store keeps them: only as an HMAC-SHA256 keyed by `auth.session_secret`.
//!
//! A secret is 32 random bytes, base64url, behind a prefix that says what it is
//! (`pss_` session, `psi_` ingest token, `psv_` invite) so a leaked one is recognised
//! by secret scanners and by people. The store holds `HMAC(secret_key, token)`: a copy
//! of the database opens nothing, and a token is checked by one indexed lookup of its
//! digest. The CSRF token of a session is derived from the session's digest under a
//! different label, so it needs no row of its own and no cookie can be forged from it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

pub const SESSION_PREFIX: &str = "pss_";
pub const INGEST_TOKEN_PREFIX: &str = "psi_";
pub const INVITE_PREFIX: &str = "psv_";

/// The deployment's secret key, for digests. Cheap to clone; never printed.
#[derive(Clone)]
pub struct Keys {
    key: std::sync::Arc<[u8]>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(<redacted>)")
    }
}

/// A secret just made: give `secret` to its holder once, store `digest`.
pub struct NewSecret {
    pub secret: String,
    pub digest: String,
}

impl Keys {
    pub fn new(secret_key: &str) -> Keys {
        Keys { key: secret_key.as_bytes().into() }
    }

    fn mac(&self, label: &str, value: &str) -> String {
        // HMAC takes a key of any length; new_from_slice cannot fail for it.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC accepts any key length");
        mac.update(label.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// What the store keeps for a session cookie, ingest token or invite code.
    pub fn digest(&self, secret: &str) -> String {
        self.mac("stored", secret)
    }

    /// A fresh secret with `prefix` and its digest.
    pub fn generate(&self, prefix: &str) -> NewSecret {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes));
        let digest = self.digest(&secret);
        NewSecret { secret, digest }
    }

    /// The CSRF token of the session whose digest is `session_digest`.
    pub fn csrf_token(&self, session_digest: &str) -> String {
        self.mac("csrf", session_digest)
    }

    /// Whether `presented` is the CSRF token of the session (constant time).
    pub fn csrf_matches(&self, session_digest: &str, presented: &str) -> bool {
        let expected = self.csrf_token(session_digest);
        expected.len() == presented.len()
            && expected.bytes().zip(presented.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// Whether `value` looks like a secret of this kind at all (prefix, length, alphabet):
/// garbage is refused before any lookup.
pub fn well_formed(value: &str, prefix: &str) -> bool {
    value.strip_prefix(prefix).is_some_and(|body| {
        body.len() == 43 && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_prefixed_random_and_digested_stably() {
        let keys = Keys::new("k".repeat(32).as_str());
        let one = keys.generate(INGEST_TOKEN_PREFIX);
        let two = keys.generate(INGEST_TOKEN_PREFIX);
        assert!(one.secret.starts_with("psi_") && well_formed(&one.secret, INGEST_TOKEN_PREFIX));
        assert_ne!(one.secret, two.secret);
        assert_eq!(keys.digest(&one.secret), one.digest);
        assert_eq!(one.digest.len(), 64);
        assert!(!one.digest.contains(&one.secret));
    }

    #[test]
    fn another_key_gives_other_digests() {
        let secret = Keys::new("a".repeat(32).as_str()).generate(SESSION_PREFIX);
        assert_ne!(Keys::new("b".repeat(32).as_str()).digest(&secret.secret), secret.digest);
    }

    #[test]
    fn csrf_tokens_belong_to_their_session() {
        let keys = Keys::new("c".repeat(32).as_str());
        let token = keys.csrf_token("session-a");
        assert!(keys.csrf_matches("session-a", &token));
        assert!(!keys.csrf_matches("session-b", &token));
        assert!(!keys.csrf_matches("session-a", ""));
        assert_ne!(token, keys.digest("session-a"));
    }

    #[test]
    fn malformed_secrets_are_recognised() {
        assert!(!well_formed("psi_short", INGEST_TOKEN_PREFIX));
        assert!(!well_formed(&format!("pss_{}", "a".repeat(43)), INGEST_TOKEN_PREFIX));
        assert!(!well_formed(&format!("psi_{}!", "a".repeat(42)), INGEST_TOKEN_PREFIX));
        assert!(well_formed(&format!("psi_{}", "a".repeat(43)), INGEST_TOKEN_PREFIX));
    }
}
