//! The embedded backend: the store in one SQLite file, through diesel's synchronous
//! `SqliteConnection` and an r2d2 pool.
//!
//! It exists so a local install needs no database server: `Store::open(path)` and
//! an empty `storage.database_url` land here. The queries are the ones the
//! PostgreSQL backend runs too (same tables, `schema.rs`); calls are synchronous
//! and callers run them on blocking threads.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use prost::Message;
use purplesector_proto::sim_name;
use purplesector_proto::v1::{LapInfo, SessionInfo, TelemetryFrame};
use std::path::{Path, PathBuf};

use super::rows::{FrameRow, LapRow, NewFrameRow, NewLapRow, SessionRow};
use super::schema::{laps, sessions, telemetry_frames, users};
use super::{decode_frames, in_key_order, now_ms, seq_to_db, FrameRecord, NewLap, NewSession, StoreError, UserId};

mod accounts;
mod chat;
mod lap_analyses;
mod track_models;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

/// SQLite limits bound parameters per statement; six columns per frame row.
const FRAME_ROWS_PER_INSERT: usize = 1_000;

/// Sets each pooled connection up for a concurrent writer and readers.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        // busy_timeout first: the pool opens connections concurrently, and any
        // statement before it would fail at once on a locked database.
        conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// The SQLite store; cheap to clone (a connection pool inside).
#[derive(Clone)]
pub(super) struct SqliteStore {
    pool: Pool<ConnectionManager<SqliteConnection>>,
    path: PathBuf,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the SQLite database without migrating it.
    pub(super) fn connect(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir { path: dir.to_path_buf(), source })?;
        }
        // WAL (one writer beside concurrent readers) is a property of the database
        // file: set it once, from a single connection, before the pool opens several.
        let mut first = SqliteConnection::establish(&path.to_string_lossy())
            .map_err(|error| StoreError::Open { path: path.to_path_buf(), message: error.to_string() })?;
        first
            .batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")
            .map_err(|error| StoreError::Open { path: path.to_path_buf(), message: error.to_string() })?;
        drop(first);
        let manager = ConnectionManager::<SqliteConnection>::new(path.to_string_lossy());
        let pool = Pool::builder()
            .max_size(8)
            .connection_customizer(Box::new(SqlitePragmas))
            .build(manager)
            .map_err(|error| StoreError::Open { path: path.to_path_buf(), message: error.to_string() })?;
        Ok(SqliteStore { pool, path: path.to_path_buf() })
    }

    /// Applies the migrations that have not run yet; returns how many ran.
    pub(super) fn migrate(&self) -> Result<usize, StoreError> {
        let mut conn = self.conn()?;
        let applied =
            conn.run_pending_migrations(MIGRATIONS).map_err(|error| StoreError::Migration(error.to_string()))?;
        Ok(applied.len())
    }

    /// Where the database lives.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> Result<PooledConnection<ConnectionManager<SqliteConnection>>, StoreError> {
        Ok(self.pool.get()?)
    }

    #[cfg(test)]
    pub(super) fn batch_execute(&self, sql: &str) -> Result<(), StoreError> {
        Ok(self.conn()?.batch_execute(sql)?)
    }

    /// A trivial query, for readiness checks.
    pub(super) fn check(&self) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        conn.batch_execute("SELECT 1")?;
        Ok(())
    }

    pub(super) fn create_user(&self, username: &str, role: &str) -> Result<UserId, StoreError> {
        let mut conn = self.conn()?;
        conn.transaction(|conn| {
            diesel::insert_into(users::table)
                .values((users::username.eq(username), users::role.eq(role), users::created_at_ms.eq(now_ms())))
                .execute(conn)?;
            Ok(UserId(users::table.filter(users::username.eq(username)).select(users::id).first(conn)?))
        })
    }

    /// Creates the session if it does not exist yet (re-opening a session keeps its
    /// laps), and returns it. A session id owned by another user is refused as absent.
    pub(super) fn ensure_session(
        &self,
        owner: UserId,
        session: &NewSession,
    ) -> Result<Option<SessionInfo>, StoreError> {
        let mut conn = self.conn()?;
        let now = now_ms();
        diesel::insert_or_ignore_into(sessions::table)
            .values((
                sessions::id.eq(&session.id),
                sessions::user_id.eq(owner.0),
                sessions::name.eq(&session.name),
                sessions::sim.eq(sim_name::name(session.sim)),
                sessions::track.eq(&session.track),
                sessions::car.eq(&session.car),
                sessions::track_length_m.eq(session.track_length_m),
                sessions::started_at_ms.eq(now),
                sessions::updated_at_ms.eq(now),
            ))
            .execute(&mut conn)?;
        find_session(&mut conn, owner, &session.id)
    }

    /// The owner's sessions, newest first.
    pub(super) fn list_sessions(&self, owner: UserId) -> Result<Vec<SessionInfo>, StoreError> {
        let mut conn = self.conn()?;
        let rows: Vec<SessionRow> = sessions::table
            .filter(sessions::user_id.eq(owner.0))
            .order(sessions::started_at_ms.desc())
            .select(SessionRow::as_select())
            .load(&mut conn)?;
        Ok(rows.into_iter().map(SessionRow::into_info).collect())
    }

    pub(super) fn get_session(&self, owner: UserId, id: &str) -> Result<Option<SessionInfo>, StoreError> {
        find_session(&mut *self.conn()?, owner, id)
    }

    pub(super) fn rename_session(
        &self,
        owner: UserId,
        id: &str,
        name: &str,
    ) -> Result<Option<SessionInfo>, StoreError> {
        let mut conn = self.conn()?;
        diesel::update(sessions::table.filter(sessions::id.eq(id)).filter(sessions::user_id.eq(owner.0)))
            .set((sessions::name.eq(name), sessions::updated_at_ms.eq(now_ms())))
            .execute(&mut conn)?;
        find_session(&mut conn, owner, id)
    }

    /// Deletes the session with its laps and frames; false when the owner has no such session.
    pub(super) fn delete_session(&self, owner: UserId, id: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        conn.transaction(|conn| {
            let deleted =
                diesel::delete(sessions::table.filter(sessions::id.eq(id)).filter(sessions::user_id.eq(owner.0)))
                    .execute(conn)?;
            if deleted > 0 {
                diesel::delete(
                    telemetry_frames::table
                        .filter(telemetry_frames::session_id.eq(id))
                        .filter(telemetry_frames::user_id.eq(owner.0)),
                )
                .execute(conn)?;
            }
            Ok(deleted > 0)
        })
    }

    /// The laps of one of the owner's sessions in order; `None` when there is no such session.
    pub(super) fn list_laps(&self, owner: UserId, session_id: &str) -> Result<Option<Vec<LapInfo>>, StoreError> {
        let mut conn = self.conn()?;
        if find_session(&mut conn, owner, session_id)?.is_none() {
            return Ok(None);
        }
        let rows: Vec<LapRow> = laps::table
            .filter(laps::session_id.eq(session_id))
            .filter(laps::user_id.eq(owner.0))
            .order(laps::lap_number.asc())
            .select(LapRow::as_select())
            .load(&mut conn)?;
        Ok(Some(rows.into_iter().map(LapRow::into_info).collect()))
    }

    pub(super) fn get_lap(&self, owner: UserId, lap_id: i64) -> Result<Option<LapInfo>, StoreError> {
        let mut conn = self.conn()?;
        let row: Option<LapRow> = laps::table
            .filter(laps::id.eq(lap_id))
            .filter(laps::user_id.eq(owner.0))
            .select(LapRow::as_select())
            .first(&mut conn)
            .optional()?;
        Ok(row.map(LapRow::into_info))
    }

    /// The owner's frames of a session with `first_seq <= seq <= last_seq`, in order.
    pub(super) fn session_frames(
        &self,
        owner: UserId,
        session_id: &str,
        first_seq: u64,
        last_seq: u64,
    ) -> Result<Vec<TelemetryFrame>, StoreError> {
        let mut conn = self.conn()?;
        let rows: Vec<FrameRow> = telemetry_frames::table
            .filter(telemetry_frames::session_id.eq(session_id))
            .filter(telemetry_frames::user_id.eq(owner.0))
            .filter(telemetry_frames::seq.between(seq_to_db(first_seq), seq_to_db(last_seq)))
            .order(telemetry_frames::seq.asc())
            .select(FrameRow::as_select())
            .load(&mut conn)?;
        decode_frames(session_id, rows)
    }

    /// The frames of the lap in progress when a session was last live: those after
    /// its last stored lap, at most `limit` (the newest), in order. A session
    /// resumed after a restart feeds them to its lap detector, so the lap under way
    /// is still timed from its start.
    pub(super) fn resume_frames(
        &self,
        owner: UserId,
        session_id: &str,
        limit: usize,
    ) -> Result<Vec<TelemetryFrame>, StoreError> {
        let mut conn = self.conn()?;
        let after: Option<i64> = laps::table
            .filter(laps::session_id.eq(session_id))
            .filter(laps::user_id.eq(owner.0))
            .select(diesel::dsl::max(laps::last_seq))
            .first(&mut conn)?;
        let mut rows: Vec<FrameRow> = telemetry_frames::table
            .filter(telemetry_frames::session_id.eq(session_id))
            .filter(telemetry_frames::user_id.eq(owner.0))
            .filter(telemetry_frames::seq.gt(after.unwrap_or(0)))
            .order(telemetry_frames::seq.desc())
            .limit(limit as i64)
            .select(FrameRow::as_select())
            .load(&mut conn)?;
        rows.reverse();
        decode_frames(session_id, rows)
    }

    /// How many frames of a session are stored (the owner's only).
    pub(super) fn count_frames(&self, owner: UserId, session_id: &str) -> Result<i64, StoreError> {
        let mut conn = self.conn()?;
        Ok(telemetry_frames::table
            .filter(telemetry_frames::session_id.eq(session_id))
            .filter(telemetry_frames::user_id.eq(owner.0))
            .count()
            .get_result(&mut conn)?)
    }

    /// Writes frames in one transaction; frames already stored are skipped. Returns
    /// how many were new.
    pub(super) fn write_frames(&self, frames: &[FrameRecord]) -> Result<usize, StoreError> {
        if frames.is_empty() {
            return Ok(0);
        }
        // In key order: the WAL writes whole pages, so each B-tree leaf is written once
        // per transaction instead of once per frame.
        let ordered = in_key_order(frames);
        // Encoded into one buffer, not one allocation per frame.
        let mut encoded = Vec::with_capacity(ordered.iter().map(|record| record.frame.encoded_len()).sum());
        let mut ends = Vec::with_capacity(ordered.len());
        for record in &ordered {
            record.frame.encode(&mut encoded).expect("the buffer was sized for every frame");
            ends.push(encoded.len());
        }
        let starts = std::iter::once(0).chain(ends.iter().copied());
        let rows: Vec<NewFrameRow<'_>> = ordered
            .iter()
            .zip(starts.zip(&ends).map(|(start, &end)| &encoded[start..end]))
            .map(|(record, bytes)| NewFrameRow {
                session_id: &record.session_id,
                seq: seq_to_db(record.frame.seq),
                user_id: record.owner.0,
                captured_at_us: record.frame.captured_at_us.min(i64::MAX as u64) as i64,
                session_time_ms: record.frame.session_time_ms,
                frame: bytes,
            })
            .collect();
        let mut conn = self.conn()?;
        conn.transaction(|conn| {
            let mut inserted = 0;
            for chunk in rows.chunks(FRAME_ROWS_PER_INSERT) {
                inserted += diesel::insert_or_ignore_into(telemetry_frames::table).values(chunk).execute(conn)?;
            }
            Ok(inserted)
        })
    }

    /// Stores a completed lap (a lap already stored is kept as it is) and updates the
    /// session's lap count and best valid lap. Returns the stored lap and session.
    pub(super) fn record_lap(&self, owner: UserId, lap: &NewLap) -> Result<Option<(LapInfo, SessionInfo)>, StoreError> {
        let mut conn = self.conn()?;
        // IMMEDIATE: it reads before it writes, and a deferred transaction that read
        // while another connection wrote cannot upgrade (SQLITE_BUSY, no waiting).
        conn.immediate_transaction(|conn| {
            if find_session(conn, owner, &lap.session_id)?.is_none() {
                return Ok(None);
            }
            let now = now_ms();
            diesel::insert_or_ignore_into(laps::table).values(NewLapRow::new(owner, lap, now)).execute(conn)?;
            let lap_count: i64 = laps::table
                .filter(laps::session_id.eq(&lap.session_id))
                .filter(laps::user_id.eq(owner.0))
                .count()
                .get_result(conn)?;
            let best: Option<i32> = laps::table
                .filter(laps::session_id.eq(&lap.session_id))
                .filter(laps::user_id.eq(owner.0))
                .filter(laps::valid.eq(true))
                .select(diesel::dsl::min(laps::lap_time_ms))
                .first(conn)?;
            diesel::update(
                sessions::table.filter(sessions::id.eq(&lap.session_id)).filter(sessions::user_id.eq(owner.0)),
            )
            .set((
                sessions::lap_count.eq(lap_count as i32),
                sessions::best_lap_time_ms.eq(best),
                sessions::updated_at_ms.eq(now),
            ))
            .execute(conn)?;
            let stored: LapRow = laps::table
                .filter(laps::session_id.eq(&lap.session_id))
                .filter(laps::user_id.eq(owner.0))
                .filter(laps::lap_number.eq(lap.lap_number as i32))
                .select(LapRow::as_select())
                .first(conn)?;
            let session = find_session(conn, owner, &lap.session_id)?;
            Ok(session.map(|session| (stored.into_info(), session)))
        })
    }
}

fn find_session(conn: &mut SqliteConnection, owner: UserId, id: &str) -> Result<Option<SessionInfo>, StoreError> {
    let row: Option<SessionRow> = sessions::table
        .filter(sessions::id.eq(id))
        .filter(sessions::user_id.eq(owner.0))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(SessionRow::into_info))
}
