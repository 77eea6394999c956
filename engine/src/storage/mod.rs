//! The store: sessions, laps and every telemetry frame, in one embedded SQLite file
//! (local mode) or in PostgreSQL (scale-out mode), behind one synchronous API.
//!
//! Every call takes the owner and every query is scoped by it: one user can never
//! read or change another's rows, whatever id they ask for. Calls are synchronous;
//! actors and HTTP handlers run them on blocking threads. Frames are keyed by
//! `(session_id, seq)` so a re-delivered frame is a no-op. [`Store`] is a cheap-to-clone
//! facade over the two backends (`sqlite.rs`, `postgres.rs`), which run the same
//! queries against the same tables (`schema.rs`, migrations under `migrations/`), so
//! callers never know which one they talk to.

mod postgres;
mod rows;
mod schema;
mod sqlite;

use prost::Message;
use purplesector_proto::v1::{LapInfo, SessionInfo, Sim, TelemetryFrame};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use postgres::PostgresStore;
use rows::FrameRow;
use sqlite::SqliteStore;

/// The id of a user; every stored row carries one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub i64);

/// The built-in user who owns everything in local mode (created by the first migration).
pub const LOCAL_USER: UserId = UserId(1);

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// What can go wrong in the store. Messages never carry a database URL (it may hold
/// a password): a PostgreSQL server is named by host, port and database only.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("cannot open the database {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("unsupported database URL: {0}")]
    Url(String),
    #[error("cannot connect to PostgreSQL at {target}: {message}")]
    Connect { target: String, message: String },
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("no database connection available: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("no PostgreSQL connection available at {target}: {message}")]
    PgPool { target: String, message: String },
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("writing frames to PostgreSQL ({step}) failed: {}", postgres::error_chain(.source))]
    Copy { step: &'static str, source: tokio_postgres::Error },
    #[error("the PostgreSQL store's runtime: {0}")]
    Runtime(String),
    #[error("stored frame {session_id}/{seq} is not a valid TelemetryFrame: {message}")]
    CorruptFrame { session_id: String, seq: i64, message: String },
}

/// What a new session is, as a collector or the API describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSession {
    pub id: String,
    pub name: String,
    pub sim: Sim,
    pub track: String,
    pub car: String,
    pub track_length_m: Option<f64>,
}

/// One frame on its way into the store.
#[derive(Debug, Clone)]
pub struct FrameRecord {
    pub owner: UserId,
    pub session_id: Arc<str>,
    pub frame: TelemetryFrame,
}

/// A lap the engine detected, to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLap {
    pub session_id: String,
    pub lap_number: u32,
    pub lap_time_ms: u32,
    pub official_time: bool,
    pub valid: bool,
    pub out_lap: bool,
    pub in_lap: bool,
    pub first_seq: u64,
    pub last_seq: u64,
}

/// Where the store lives, as `storage.database_url` names it.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// The embedded SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL server; the URL as given (a secret: it may hold a password).
    Postgres(String),
}

impl DatabaseTarget {
    /// Reads a database URL: empty means `<data_dir>/purplesector.db`, `sqlite:PATH`
    /// (or `sqlite://PATH`) a SQLite file elsewhere, `postgres://` or `postgresql://`
    /// a PostgreSQL server. Anything else is refused; the error names the scheme only.
    pub fn parse(database_url: &str, data_dir: &Path) -> Result<DatabaseTarget, StoreError> {
        let url = database_url.trim();
        if url.is_empty() {
            return Ok(DatabaseTarget::Sqlite(data_dir.join("purplesector.db")));
        }
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.trim_start_matches("//");
            if path.is_empty() {
                return Err(StoreError::Url("sqlite: needs a file path (sqlite:PATH)".into()));
            }
            return Ok(DatabaseTarget::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            postgres::parse_config(url)?;
            return Ok(DatabaseTarget::Postgres(url.to_string()));
        }
        let scheme = match url.split_once(':') {
            Some((scheme, _))
                if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
            {
                format!("the scheme `{scheme}:` is not supported")
            }
            _ => "it has no scheme".to_string(),
        };
        Err(StoreError::Url(format!("{scheme}; use sqlite:PATH, postgres:// or postgresql://")))
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            DatabaseTarget::Sqlite(_) => "sqlite",
            DatabaseTarget::Postgres(_) => "postgres",
        }
    }

    /// Where the database is, for messages: the file, or host:port/database (never
    /// the user or password).
    pub fn location(&self) -> String {
        match self {
            DatabaseTarget::Sqlite(path) => path.display().to_string(),
            DatabaseTarget::Postgres(url) => postgres::describe(url),
        }
    }
}

impl std::fmt::Debug for DatabaseTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseTarget::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            DatabaseTarget::Postgres(_) => f.debug_tuple("Postgres").field(&self.location()).finish(),
        }
    }
}

/// A handle on the store; cheap to clone (a connection pool inside, and for
/// PostgreSQL the small runtime it lives on).
///
/// Every method blocks: call it from a blocking thread (`web::block`,
/// `tokio::task::spawn_blocking`, a plain thread), never directly from an async task,
/// whose executor thread it would hold for the length of the query.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// Runs the same call on whichever backend the store has.
macro_rules! dispatch {
    ($self:ident, $store:ident => $call:expr) => {
        match &$self.backend {
            Backend::Sqlite($store) => $call,
            Backend::Postgres($store) => $call,
        }
    };
}

mod accounts;
mod chat;
mod lap_analyses;
mod track_models;
pub use accounts::{Account, ApiToken, SignupOutcome, SignupRules, ROLE_ADMIN, ROLE_USER, SCOPE_INGEST};
pub use chat::ChatMessage;
pub use track_models::StoredTrackModel;

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend()).field("location", &self.location()).finish()
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as i64)
        .unwrap_or_default()
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` and applies pending
    /// migrations.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let store = Self::connect(path)?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens (creating if needed) the SQLite database without migrating it.
    pub fn connect(path: &Path) -> Result<Store, StoreError> {
        Ok(Store { backend: Backend::Sqlite(SqliteStore::connect(path)?) })
    }

    /// Opens the store `database_url` names (see [`DatabaseTarget::parse`]; an empty
    /// URL is the SQLite file in `data_dir`) and applies pending migrations.
    pub fn open_url(database_url: &str, data_dir: &Path) -> Result<Store, StoreError> {
        Self::open_target(&DatabaseTarget::parse(database_url, data_dir)?)
    }

    /// Opens the store `database_url` names without migrating it.
    pub fn connect_url(database_url: &str, data_dir: &Path) -> Result<Store, StoreError> {
        Self::connect_target(&DatabaseTarget::parse(database_url, data_dir)?)
    }

    /// Opens the store at `target` and applies pending migrations.
    pub fn open_target(target: &DatabaseTarget) -> Result<Store, StoreError> {
        let store = Self::connect_target(target)?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens the store at `target` without migrating it. For PostgreSQL this connects
    /// once, so an unreachable server or a refused login fails here.
    pub fn connect_target(target: &DatabaseTarget) -> Result<Store, StoreError> {
        match target {
            DatabaseTarget::Sqlite(path) => Self::connect(path),
            DatabaseTarget::Postgres(url) => Ok(Store { backend: Backend::Postgres(PostgresStore::connect(url)?) }),
        }
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match &self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Where the database is, for messages and logs: the SQLite file, or the
    /// PostgreSQL server as host:port/database (never its credentials).
    pub fn location(&self) -> String {
        match &self.backend {
            Backend::Sqlite(store) => store.path().display().to_string(),
            Backend::Postgres(store) => store.location().to_string(),
        }
    }

    /// The SQLite file, when the store is one.
    pub fn path(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Sqlite(store) => Some(store.path()),
            Backend::Postgres(_) => None,
        }
    }

    /// Applies the migrations that have not run yet; returns how many ran.
    pub fn migrate(&self) -> Result<usize, StoreError> {
        dispatch!(self, store => store.migrate())
    }

    /// Runs raw SQL (tests set up rows the API has no call for).
    #[cfg(test)]
    fn batch_execute(&self, sql: &str) -> Result<(), StoreError> {
        dispatch!(self, store => store.batch_execute(sql))
    }

    /// A trivial query, for readiness checks.
    pub fn check(&self) -> Result<(), StoreError> {
        dispatch!(self, store => store.check())
    }

    /// Adds a user (no password yet: accounts come with sign-up) and returns its id.
    /// A username already taken is an error.
    pub fn create_user(&self, username: &str, role: &str) -> Result<UserId, StoreError> {
        dispatch!(self, store => store.create_user(username, role))
    }

    /// Creates the session if it does not exist yet (re-opening a session keeps its
    /// laps), and returns it. A session id owned by another user is refused as absent.
    pub fn ensure_session(&self, owner: UserId, session: &NewSession) -> Result<Option<SessionInfo>, StoreError> {
        dispatch!(self, store => store.ensure_session(owner, session))
    }

    /// The owner's sessions, newest first.
    pub fn list_sessions(&self, owner: UserId) -> Result<Vec<SessionInfo>, StoreError> {
        dispatch!(self, store => store.list_sessions(owner))
    }

    pub fn get_session(&self, owner: UserId, id: &str) -> Result<Option<SessionInfo>, StoreError> {
        dispatch!(self, store => store.get_session(owner, id))
    }

    pub fn rename_session(&self, owner: UserId, id: &str, name: &str) -> Result<Option<SessionInfo>, StoreError> {
        dispatch!(self, store => store.rename_session(owner, id, name))
    }

    /// Deletes the session with its laps and frames; false when the owner has no such session.
    pub fn delete_session(&self, owner: UserId, id: &str) -> Result<bool, StoreError> {
        dispatch!(self, store => store.delete_session(owner, id))
    }

    /// The laps of one of the owner's sessions in order; `None` when there is no such session.
    pub fn list_laps(&self, owner: UserId, session_id: &str) -> Result<Option<Vec<LapInfo>>, StoreError> {
        dispatch!(self, store => store.list_laps(owner, session_id))
    }

    pub fn get_lap(&self, owner: UserId, lap_id: i64) -> Result<Option<LapInfo>, StoreError> {
        dispatch!(self, store => store.get_lap(owner, lap_id))
    }

    /// The stored frames of a lap, in `seq` order.
    pub fn lap_frames(&self, owner: UserId, lap: &LapInfo) -> Result<Vec<TelemetryFrame>, StoreError> {
        self.session_frames(owner, &lap.session_id, lap.first_seq, lap.last_seq)
    }

    /// The owner's frames of a session with `first_seq <= seq <= last_seq`, in order.
    pub fn session_frames(
        &self,
        owner: UserId,
        session_id: &str,
        first_seq: u64,
        last_seq: u64,
    ) -> Result<Vec<TelemetryFrame>, StoreError> {
        dispatch!(self, store => store.session_frames(owner, session_id, first_seq, last_seq))
    }

    /// The frames of the lap in progress when a session was last live: those after
    /// its last stored lap, at most `limit` (the newest), in order. A session
    /// resumed after a restart feeds them to its lap detector, so the lap under way
    /// is still timed from its start.
    pub fn resume_frames(
        &self,
        owner: UserId,
        session_id: &str,
        limit: usize,
    ) -> Result<Vec<TelemetryFrame>, StoreError> {
        dispatch!(self, store => store.resume_frames(owner, session_id, limit))
    }

    /// How many frames of a session are stored (the owner's only).
    pub fn count_frames(&self, owner: UserId, session_id: &str) -> Result<i64, StoreError> {
        dispatch!(self, store => store.count_frames(owner, session_id))
    }

    /// Writes frames in one transaction; frames already stored are skipped. Returns
    /// how many were new. Durable when it returns.
    pub fn write_frames(&self, frames: &[FrameRecord]) -> Result<usize, StoreError> {
        if frames.is_empty() {
            return Ok(0);
        }
        dispatch!(self, store => store.write_frames(frames))
    }

    /// Stores a completed lap (a lap already stored is kept as it is) and updates the
    /// session's lap count and best valid lap. Returns the stored lap and session.
    pub fn record_lap(&self, owner: UserId, lap: &NewLap) -> Result<Option<(LapInfo, SessionInfo)>, StoreError> {
        dispatch!(self, store => store.record_lap(owner, lap))
    }
}

/// Sequence numbers are u64 on the wire, BIGINT in the store.
fn seq_to_db(seq: u64) -> i64 {
    seq.min(i64::MAX as u64) as i64
}

/// Frames in storage order: with many sessions interleaved in one batch, writing each
/// session's frames together touches each index page once per transaction instead of
/// once per frame.
fn in_key_order(frames: &[FrameRecord]) -> Vec<&FrameRecord> {
    let mut ordered: Vec<&FrameRecord> = frames.iter().collect();
    ordered.sort_unstable_by(|a, b| (&a.session_id, a.frame.seq).cmp(&(&b.session_id, b.frame.seq)));
    ordered
}

/// Decodes stored frames, naming the first that is not a valid protobuf.
fn decode_frames(session_id: &str, rows: Vec<FrameRow>) -> Result<Vec<TelemetryFrame>, StoreError> {
    rows.into_iter()
        .map(|row| {
            TelemetryFrame::decode(row.frame.as_slice()).map_err(|error| StoreError::CorruptFrame {
                session_id: session_id.to_string(),
                seq: row.seq,
                message: error.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
