-- Purple Sector embedded store (SQLite). Every row a user can reach carries its owner.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    role TEXT NOT NULL DEFAULT 'user',
    created_at_ms BIGINT NOT NULL
);

-- The built-in local user owns everything in local mode.
INSERT INTO users (id, username, role, created_at_ms) VALUES (1, 'local', 'admin', 0);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    last_used_at_ms BIGINT,
    revoked_at_ms BIGINT
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    sim TEXT NOT NULL,
    track TEXT NOT NULL,
    car TEXT NOT NULL,
    track_length_m DOUBLE,
    started_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    lap_count INTEGER NOT NULL DEFAULT 0,
    best_lap_time_ms INTEGER
);
CREATE INDEX sessions_by_user ON sessions (user_id, started_at_ms);

CREATE TABLE laps (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    lap_number INTEGER NOT NULL,
    lap_time_ms INTEGER NOT NULL,
    official_time BOOLEAN NOT NULL,
    valid BOOLEAN NOT NULL,
    out_lap BOOLEAN NOT NULL,
    in_lap BOOLEAN NOT NULL,
    first_seq BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    completed_at_ms BIGINT NOT NULL,
    UNIQUE (session_id, lap_number)
);
CREATE INDEX laps_by_user ON laps (user_id);

-- Frames keyed by (session_id, seq): a re-delivered frame is a no-op. The indexed
-- columns serve queries; `frame` is the whole protobuf TelemetryFrame, so every
-- channel a sim reports is kept and the schema does not change with each new one.
-- No foreign key: the writer must never fail a batch because a session was deleted
-- while its frames were in flight; deleting a session deletes its frames.
CREATE TABLE telemetry_frames (
    session_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    captured_at_us BIGINT NOT NULL,
    session_time_ms DOUBLE NOT NULL,
    frame BLOB NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;

CREATE TABLE lap_analyses (
    id INTEGER PRIMARY KEY,
    lap_id BIGINT NOT NULL REFERENCES laps(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reference_lap_id BIGINT,
    analysis TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX lap_analyses_by_lap ON lap_analyses (lap_id);

CREATE TABLE chat_messages (
    id INTEGER PRIMARY KEY,
    lap_id BIGINT NOT NULL REFERENCES laps(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX chat_messages_by_lap ON chat_messages (lap_id, id);
