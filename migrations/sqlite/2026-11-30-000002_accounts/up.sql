-- Accounts (issue 6): browser sessions and invite codes. Users and api_tokens exist
-- since the first migration. Secrets are never stored: `id` and `code_hash` are
-- HMACs of what the browser or the admin holds, keyed by `auth.session_secret`.

CREATE TABLE auth_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    revoked_at_ms BIGINT
);
CREATE INDEX auth_sessions_by_user ON auth_sessions (user_id);

CREATE TABLE invites (
    code_hash TEXT PRIMARY KEY NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    used_at_ms BIGINT
);

CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
