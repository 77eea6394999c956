//! The PostgreSQL backend: the store for the scale-out mode, where several processes
//! share one database server.
//!
//! It exists beside the SQLite backend so the same [`super::Store`] API, with the same
//! tables (`schema.rs`, `migrations/postgres`) and the same owner-scoped queries, runs
//! on a server. Queries go through diesel-async (diesel's query DSL on tokio-postgres,
//! without libpq) and a deadpool pool; frame batches go through tokio-postgres' binary
//! `COPY` (diesel-async has none), straight into `telemetry_frames` when every frame is
//! new and through a per-connection staging table and `INSERT ... ON CONFLICT DO
//! NOTHING` when some are already stored (see [`PostgresStore::write_frames`]).
//!
//! Why a runtime of its own: the store's API is synchronous (actors and HTTP handlers
//! call it from blocking threads), diesel-async and tokio-postgres are async, and a
//! pooled connection stays bound to the runtime that opened it. So each store owns a
//! small multi-thread tokio runtime ([`RUNTIME_THREADS`] workers) on which every
//! connection is opened and every query runs: a synchronous method spawns its async
//! body there and blocks its caller on a channel until the answer arrives. That works
//! from any thread, even from inside another runtime (actix's single-threaded
//! arbiters included), where `Handle::block_on` would panic; but a call from an async
//! task still holds that task's executor thread for the length of the query, so
//! callers use `web::block`, `spawn_blocking` or a plain thread, as with SQLite.
//!
//! TLS follows libpq's conventions: `sslmode=disable` is plain TCP, `prefer` (the
//! default) uses TLS when the server offers it, `require` insists on it. As in libpq,
//! the server's certificate is verified only when a CA is given (`PGSSLROOTCERT`,
//! a PEM file): then against it, with the host name checked. Managed databases
//! publish their CA bundle for exactly this.

use bytes::{BufMut, Bytes, BytesMut};
use deadpool::managed::{Metrics, RecycleError, RecycleResult};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, SelectableHelper};
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AsyncConnection, AsyncMigrationHarness, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use futures_util::{FutureExt, SinkExt};
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use postgres_openssl::MakeTlsConnector;
use prost::Message;
use purplesector_proto::sim_name;
use purplesector_proto::v1::{LapInfo, SessionInfo, TelemetryFrame};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::config::Host;
use tokio_postgres::error::SqlState;

use super::rows::{FrameRow, LapRow, NewLapRow, SessionRow};
use super::schema::{laps, sessions, telemetry_frames, users};
use super::{decode_frames, in_key_order, now_ms, seq_to_db, FrameRecord, NewLap, NewSession, StoreError, UserId};

mod accounts;
mod chat;
mod lap_analyses;
mod track_models;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Worker threads of the store's own runtime: the work on it is waiting on sockets
/// and encoding query parameters, so two are plenty.
const RUNTIME_THREADS: usize = 2;
/// Pooled diesel-async connections, for queries.
const POOL_SIZE: usize = 8;
/// Pooled tokio-postgres connections, for `COPY`: the store writer runs one batch at
/// a time, so two cover it and a concurrent test or tool.
const COPY_POOL_SIZE: usize = 2;
/// How long a new connection may take (TCP, startup, authentication).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a caller waits for a free pooled connection.
const WAIT_TIMEOUT: Duration = Duration::from_secs(30);
/// Migrations of concurrent processes (replicas starting together) take turns on
/// this advisory lock ("PSMIGRAT" in ASCII).
const MIGRATION_LOCK: i64 = 0x5053_4d49_4752_4154;

/// The staging table each COPY connection creates once: rows are copied in, moved
/// to `telemetry_frames` with `ON CONFLICT DO NOTHING` and emptied at commit. It is
/// temporary (no WAL, private to the connection), so concurrent writers never see
/// each other's rows.
const CREATE_STAGING: &str = "CREATE TEMPORARY TABLE IF NOT EXISTS telemetry_frames_staging (
    session_id TEXT COLLATE \"C\" NOT NULL,
    seq BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    captured_at_us BIGINT NOT NULL,
    session_time_ms DOUBLE PRECISION NOT NULL,
    frame BYTEA NOT NULL
) ON COMMIT DELETE ROWS";
/// The fast path, when no frame of the batch is stored yet.
const COPY_DIRECT: &str = "COPY telemetry_frames \
    (session_id, seq, user_id, captured_at_us, session_time_ms, frame) FROM STDIN (FORMAT binary)";
const COPY_STAGING: &str = "COPY telemetry_frames_staging \
    (session_id, seq, user_id, captured_at_us, session_time_ms, frame) FROM STDIN (FORMAT binary)";
/// No conflict target: the key is `(session_id, seq)` on plain PostgreSQL and
/// `(session_id, seq, captured_at_us)` on a TimescaleDB hypertable; either way a frame
/// already stored (or twice in the batch) is skipped.
const MOVE_STAGED: &str = "INSERT INTO telemetry_frames \
    (session_id, seq, user_id, captured_at_us, session_time_ms, frame) \
    SELECT session_id, seq, user_id, captured_at_us, session_time_ms, frame FROM telemetry_frames_staging \
    ON CONFLICT DO NOTHING";

/// Parses a `postgres://` URL; the error never repeats the URL (it may hold a password).
pub(super) fn parse_config(url: &str) -> Result<tokio_postgres::Config, StoreError> {
    url.parse::<tokio_postgres::Config>()
        .map_err(|error| StoreError::Url(format!("not a valid PostgreSQL URL: {error}")))
}

/// host:port/database of a PostgreSQL URL, for messages (no user, no password).
pub(super) fn describe(url: &str) -> String {
    match parse_config(url) {
        Ok(config) => describe_config(&config),
        Err(_) => "<invalid PostgreSQL URL>".to_string(),
    }
}

fn describe_config(config: &tokio_postgres::Config) -> String {
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            match host {
                Host::Tcp(name) => format!("{name}:{port}"),
                Host::Unix(path) => format!("{}:{port}", path.display()),
            }
        })
        .collect();
    let hosts = if hosts.is_empty() { "localhost:5432".to_string() } else { hosts.join(",") };
    let database = config.get_dbname().or(config.get_user()).unwrap_or("postgres");
    format!("{hosts}/{database}")
}

/// An error with its causes ("error connecting to server: Connection refused"):
/// tokio-postgres keeps the useful part of a message in the source chain, and pool
/// errors wrap it once more.
pub(super) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message.strip_prefix("Error occurred while creating a new object: ").map(str::to_string).unwrap_or(message)
}

/// Opens a diesel-async connection through tokio-postgres, keeping the cause of a
/// failure in the message (diesel-async's own `establish` drops it).
async fn connect_diesel(
    config: tokio_postgres::Config,
    tls: MakeTlsConnector,
) -> diesel::ConnectionResult<AsyncPgConnection> {
    let (client, connection) =
        config.connect(tls).await.map_err(|error| diesel::ConnectionError::BadConnection(error_chain(&error)))?;
    AsyncPgConnection::try_from_client_and_connection(client, connection).await
}

/// The TLS side of every connection (see the module's documentation).
fn tls_connector() -> Result<MakeTlsConnector, StoreError> {
    let tls_error = |error: &dyn std::fmt::Display| StoreError::Url(format!("TLS setup: {error}"));
    let mut builder = SslConnector::builder(SslMethod::tls()).map_err(|error| tls_error(&error))?;
    let root = std::env::var_os("PGSSLROOTCERT").filter(|path| !path.is_empty());
    match &root {
        Some(path) => {
            builder.set_ca_file(path).map_err(|error| {
                tls_error(&format!("PGSSLROOTCERT {}: {error}", std::path::Path::new(path).display()))
            })?;
            builder.set_verify(SslVerifyMode::PEER);
        }
        None => builder.set_verify(SslVerifyMode::NONE),
    }
    let mut connector = MakeTlsConnector::new(builder.build());
    if root.is_none() {
        connector.set_callback(|config, _domain| {
            config.set_verify_hostname(false);
            Ok(())
        });
    }
    Ok(connector)
}

/// Opens tokio-postgres connections for `COPY`, each with its staging table.
struct CopyManager {
    config: tokio_postgres::Config,
    tls: MakeTlsConnector,
}

impl deadpool::managed::Manager for CopyManager {
    type Type = tokio_postgres::Client;
    type Error = tokio_postgres::Error;

    async fn create(&self) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, connection) = self.config.connect(self.tls.clone()).await?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::warn!(%error, "PostgreSQL COPY connection closed");
            }
        });
        client.batch_execute(CREATE_STAGING).await?;
        Ok(client)
    }

    async fn recycle(&self, client: &mut tokio_postgres::Client, _: &Metrics) -> RecycleResult<tokio_postgres::Error> {
        if client.is_closed() {
            return Err(RecycleError::message("the connection is closed"));
        }
        Ok(())
    }
}

/// The pools, cheap to clone into each query's task.
#[derive(Clone)]
struct Pools {
    queries: Pool<AsyncPgConnection>,
    copy: deadpool::managed::Pool<CopyManager>,
    /// host:port/database, for messages.
    target: Arc<str>,
}

impl Pools {
    async fn conn(&self) -> Result<Object<AsyncPgConnection>, StoreError> {
        self.queries
            .get()
            .await
            .map_err(|error| StoreError::PgPool { target: self.target.to_string(), message: error_chain(&error) })
    }

    async fn copy_client(&self) -> Result<deadpool::managed::Object<CopyManager>, StoreError> {
        self.copy
            .get()
            .await
            .map_err(|error| StoreError::PgPool { target: self.target.to_string(), message: error_chain(&error) })
    }
}

/// What the store's clones share; dropping the last one stops the runtime.
struct Inner {
    pools: Pools,
    /// The connection settings (with the password: never printed).
    config: tokio_postgres::Config,
    handle: tokio::runtime::Handle,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.pools.queries.close();
        self.pools.copy.close();
        if let Some(runtime) = self.runtime.take() {
            // Waiting for the connection tasks to say goodbye is only allowed outside
            // an async context; inside one (the last clone dropped by an actor), stop
            // without waiting.
            if tokio::runtime::Handle::try_current().is_ok() {
                runtime.shutdown_background();
            } else {
                runtime.shutdown_timeout(Duration::from_secs(1));
            }
        }
    }
}

/// The PostgreSQL store; cheap to clone.
#[derive(Clone)]
pub(super) struct PostgresStore {
    inner: Arc<Inner>,
}

impl PostgresStore {
    /// Starts the store's runtime, builds the pools on it and opens one connection,
    /// so a wrong URL, an unreachable server or a refused login fails here, clearly.
    pub(super) fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let config = parse_config(url)?;
        let target: Arc<str> = describe_config(&config).into();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(RUNTIME_THREADS)
            .thread_name("purplesector-pg")
            .enable_all()
            .build()
            .map_err(|error| StoreError::Runtime(format!("cannot start it: {error}")))?;
        let pool_error = |error: &dyn std::fmt::Display| StoreError::Connect {
            target: target.to_string(),
            message: format!("cannot build the connection pool: {error}"),
        };
        let mut config = config;
        config.connect_timeout(CONNECT_TIMEOUT);
        let mut manager_config = ManagerConfig::default();
        let tls = tls_connector()?;
        let (setup_config, setup_tls) = (config.clone(), tls.clone());
        manager_config.custom_setup =
            Box::new(move |_url| connect_diesel(setup_config.clone(), setup_tls.clone()).boxed());
        // The URL is unused: connections come from `custom_setup`, with `config`.
        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config("", manager_config);
        let queries = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool::Runtime::Tokio1)
            .create_timeout(Some(CONNECT_TIMEOUT))
            .wait_timeout(Some(WAIT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|error| pool_error(&error))?;
        let copy = deadpool::managed::Pool::builder(CopyManager { config: config.clone(), tls })
            .max_size(COPY_POOL_SIZE)
            .runtime(deadpool::Runtime::Tokio1)
            .create_timeout(Some(CONNECT_TIMEOUT))
            .wait_timeout(Some(WAIT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|error| pool_error(&error))?;
        let pools = Pools { queries, copy, target: target.clone() };
        let store = PostgresStore {
            inner: Arc::new(Inner { pools, config, handle: runtime.handle().clone(), runtime: Some(runtime) }),
        };
        let pools = store.pools();
        store.run(async move {
            pools
                .queries
                .get()
                .await
                .map(drop)
                .map_err(|error| StoreError::Connect { target: pools.target.to_string(), message: error_chain(&error) })
        })?;
        Ok(store)
    }

    /// The server as host:port/database.
    pub(super) fn location(&self) -> &str {
        &self.inner.pools.target
    }

    fn pools(&self) -> Pools {
        self.inner.pools.clone()
    }

    /// Runs `work` on the store's runtime and waits for its result (see the module
    /// documentation for why not `Handle::block_on`).
    fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let (answer, answered) = std::sync::mpsc::sync_channel(1);
        self.inner.handle.spawn(async move {
            let _ = answer.send(work.await);
        });
        answered.recv().map_err(|_| {
            StoreError::Runtime("a query stopped before answering (it panicked, or the store is shutting down)".into())
        })?
    }

    /// Applies the migrations that have not run yet; returns how many ran. Runs on a
    /// connection of its own that holds an advisory lock, so processes starting
    /// together migrate one after the other (the later ones find nothing to do).
    pub(super) fn migrate(&self) -> Result<usize, StoreError> {
        let config = self.inner.config.clone();
        let target = self.inner.pools.target.clone();
        let tls = tls_connector()?;
        self.run(async move {
            let mut conn = connect_diesel(config, tls)
                .await
                .map_err(|error| StoreError::Connect { target: target.to_string(), message: error_chain(&error) })?;
            conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).await?;
            // The harness runs diesel's synchronous migration code with
            // `block_in_place`: allowed here, on a worker of a multi-thread runtime.
            let mut harness = AsyncMigrationHarness::new(conn);
            let applied = harness
                .run_pending_migrations(MIGRATIONS)
                .map(|versions| versions.len())
                .map_err(|error| StoreError::Migration(error.to_string()));
            // Closing the connection releases the lock, whatever happened.
            drop(harness);
            applied
        })
    }

    /// A trivial query, for readiness checks.
    pub(super) fn create_user(&self, username: &str, role: &str) -> Result<UserId, StoreError> {
        let pools = self.pools();
        let (username, role) = (username.to_string(), role.to_string());
        self.run(async move {
            let id: i64 = diesel::insert_into(users::table)
                .values((users::username.eq(&username), users::role.eq(&role), users::created_at_ms.eq(now_ms())))
                .returning(users::id)
                .get_result(&mut pools.conn().await?)
                .await?;
            Ok(UserId(id))
        })
    }

    pub(super) fn check(&self) -> Result<(), StoreError> {
        let pools = self.pools();
        self.run(async move {
            pools.conn().await?.batch_execute("SELECT 1").await?;
            Ok(())
        })
    }

    #[cfg(test)]
    pub(super) fn batch_execute(&self, sql: &str) -> Result<(), StoreError> {
        let pools = self.pools();
        let sql = sql.to_string();
        self.run(async move {
            pools.conn().await?.batch_execute(&sql).await?;
            Ok(())
        })
    }

    pub(super) fn ensure_session(
        &self,
        owner: UserId,
        session: &NewSession,
    ) -> Result<Option<SessionInfo>, StoreError> {
        let pools = self.pools();
        let session = session.clone();
        self.run(async move {
            let mut conn = pools.conn().await?;
            let now = now_ms();
            diesel::insert_into(sessions::table)
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
                .on_conflict_do_nothing()
                .execute(&mut conn)
                .await?;
            find_session(&mut conn, owner, &session.id).await
        })
    }

    pub(super) fn list_sessions(&self, owner: UserId) -> Result<Vec<SessionInfo>, StoreError> {
        let pools = self.pools();
        self.run(async move {
            let mut conn = pools.conn().await?;
            let rows: Vec<SessionRow> = sessions::table
                .filter(sessions::user_id.eq(owner.0))
                .order(sessions::started_at_ms.desc())
                .select(SessionRow::as_select())
                .load(&mut conn)
                .await?;
            Ok(rows.into_iter().map(SessionRow::into_info).collect())
        })
    }

    pub(super) fn get_session(&self, owner: UserId, id: &str) -> Result<Option<SessionInfo>, StoreError> {
        let pools = self.pools();
        let id = id.to_string();
        self.run(async move { find_session(&mut *pools.conn().await?, owner, &id).await })
    }

    pub(super) fn rename_session(
        &self,
        owner: UserId,
        id: &str,
        name: &str,
    ) -> Result<Option<SessionInfo>, StoreError> {
        let pools = self.pools();
        let (id, name) = (id.to_string(), name.to_string());
        self.run(async move {
            let mut conn = pools.conn().await?;
            diesel::update(sessions::table.filter(sessions::id.eq(&id)).filter(sessions::user_id.eq(owner.0)))
                .set((sessions::name.eq(&name), sessions::updated_at_ms.eq(now_ms())))
                .execute(&mut conn)
                .await?;
            find_session(&mut conn, owner, &id).await
        })
    }

    pub(super) fn delete_session(&self, owner: UserId, id: &str) -> Result<bool, StoreError> {
        let pools = self.pools();
        let id = id.to_string();
        self.run(async move {
            let mut pooled = pools.conn().await?;
            let conn: &mut AsyncPgConnection = &mut pooled;
            conn.transaction(async |conn| {
                let deleted =
                    diesel::delete(sessions::table.filter(sessions::id.eq(&id)).filter(sessions::user_id.eq(owner.0)))
                        .execute(conn)
                        .await?;
                if deleted > 0 {
                    diesel::delete(
                        telemetry_frames::table
                            .filter(telemetry_frames::session_id.eq(&id))
                            .filter(telemetry_frames::user_id.eq(owner.0)),
                    )
                    .execute(conn)
                    .await?;
                }
                Ok::<_, StoreError>(deleted > 0)
            })
            .await
        })
    }

    pub(super) fn list_laps(&self, owner: UserId, session_id: &str) -> Result<Option<Vec<LapInfo>>, StoreError> {
        let pools = self.pools();
        let session_id = session_id.to_string();
        self.run(async move {
            let mut conn = pools.conn().await?;
            if find_session(&mut conn, owner, &session_id).await?.is_none() {
                return Ok(None);
            }
            let rows: Vec<LapRow> = laps::table
                .filter(laps::session_id.eq(&session_id))
                .filter(laps::user_id.eq(owner.0))
                .order(laps::lap_number.asc())
                .select(LapRow::as_select())
                .load(&mut conn)
                .await?;
            Ok(Some(rows.into_iter().map(LapRow::into_info).collect()))
        })
    }

    pub(super) fn get_lap(&self, owner: UserId, lap_id: i64) -> Result<Option<LapInfo>, StoreError> {
        let pools = self.pools();
        self.run(async move {
            let mut conn = pools.conn().await?;
            let row: Option<LapRow> = laps::table
                .filter(laps::id.eq(lap_id))
                .filter(laps::user_id.eq(owner.0))
                .select(LapRow::as_select())
                .first(&mut conn)
                .await
                .optional()?;
            Ok(row.map(LapRow::into_info))
        })
    }

    pub(super) fn session_frames(
        &self,
        owner: UserId,
        session_id: &str,
        first_seq: u64,
        last_seq: u64,
    ) -> Result<Vec<TelemetryFrame>, StoreError> {
        let pools = self.pools();
        let session_id = session_id.to_string();
        self.run(async move {
            let mut conn = pools.conn().await?;
            let rows: Vec<FrameRow> = telemetry_frames::table
                .filter(telemetry_frames::session_id.eq(&session_id))
                .filter(telemetry_frames::user_id.eq(owner.0))
                .filter(telemetry_frames::seq.between(seq_to_db(first_seq), seq_to_db(last_seq)))
                .order(telemetry_frames::seq.asc())
                .select(FrameRow::as_select())
                .load(&mut conn)
                .await?;
            decode_frames(&session_id, rows)
        })
    }

    pub(super) fn resume_frames(
        &self,
        owner: UserId,
        session_id: &str,
        limit: usize,
    ) -> Result<Vec<TelemetryFrame>, StoreError> {
        let pools = self.pools();
        let session_id = session_id.to_string();
        self.run(async move {
            let mut conn = pools.conn().await?;
            let after: Option<i64> = laps::table
                .filter(laps::session_id.eq(&session_id))
                .filter(laps::user_id.eq(owner.0))
                .select(diesel::dsl::max(laps::last_seq))
                .first(&mut conn)
                .await?;
            let mut rows: Vec<FrameRow> = telemetry_frames::table
                .filter(telemetry_frames::session_id.eq(&session_id))
                .filter(telemetry_frames::user_id.eq(owner.0))
                .filter(telemetry_frames::seq.gt(after.unwrap_or(0)))
                .order(telemetry_frames::seq.desc())
                .limit(limit.min(i64::MAX as usize) as i64)
                .select(FrameRow::as_select())
                .load(&mut conn)
                .await?;
            rows.reverse();
            decode_frames(&session_id, rows)
        })
    }

    pub(super) fn count_frames(&self, owner: UserId, session_id: &str) -> Result<i64, StoreError> {
        let pools = self.pools();
        let session_id = session_id.to_string();
        self.run(async move {
            let mut conn = pools.conn().await?;
            Ok(telemetry_frames::table
                .filter(telemetry_frames::session_id.eq(&session_id))
                .filter(telemetry_frames::user_id.eq(owner.0))
                .count()
                .get_result(&mut conn)
                .await?)
        })
    }

    /// Writes frames in one transaction and returns how many were new; they are
    /// committed (durable) when it returns. The frames are encoded as one binary `COPY`
    /// stream on the caller's thread, so the runtime only moves bytes.
    ///
    /// Two paths, same result. Usually every frame of a batch is new, and `COPY`
    /// straight into `telemetry_frames` (inside a savepoint) is the fast path: it
    /// writes rows in bulk, while `INSERT ... ON CONFLICT` takes them one at a time
    /// (in the benchmark, 60 of the 90 ms a 10,000-frame batch took). If any frame is
    /// already stored (a re-delivery, or twice in the batch) that `COPY` fails with a
    /// unique violation; the savepoint is rolled back and the same stream goes into
    /// the staging table, then `INSERT ... SELECT ... ON CONFLICT DO NOTHING` moves
    /// the new frames over.
    pub(super) fn write_frames(&self, frames: &[FrameRecord]) -> Result<usize, StoreError> {
        let payload = encode_copy(frames);
        let pools = self.pools();
        self.run(async move {
            let mut client = pools.copy_client().await?;
            let step = |step: &'static str| move |source| StoreError::Copy { step, source };
            let mut transaction = client.transaction().await.map_err(step("BEGIN"))?;
            let savepoint = transaction.savepoint("direct_copy").await.map_err(step("SAVEPOINT"))?;
            let inserted = match copy_in(&savepoint, COPY_DIRECT, payload.clone()).await {
                Ok(copied) => {
                    savepoint.commit().await.map_err(step("RELEASE SAVEPOINT"))?;
                    copied
                }
                Err(error) if error.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                    savepoint.rollback().await.map_err(step("ROLLBACK TO SAVEPOINT"))?;
                    copy_in(&transaction, COPY_STAGING, payload).await.map_err(step("COPY to staging"))?;
                    tokio_postgres::Transaction::execute(&transaction, MOVE_STAGED, &[])
                        .await
                        .map_err(step("INSERT from staging"))?
                }
                Err(error) => return Err(step("COPY")(error)),
            };
            transaction.commit().await.map_err(step("COMMIT"))?;
            Ok(inserted as usize)
        })
    }

    pub(super) fn record_lap(&self, owner: UserId, lap: &NewLap) -> Result<Option<(LapInfo, SessionInfo)>, StoreError> {
        let pools = self.pools();
        let lap = lap.clone();
        self.run(async move {
            let mut pooled = pools.conn().await?;
            let conn: &mut AsyncPgConnection = &mut pooled;
            conn.transaction(async |conn| {
                if find_session(conn, owner, &lap.session_id).await?.is_none() {
                    return Ok(None);
                }
                let now = now_ms();
                diesel::insert_into(laps::table)
                    .values(NewLapRow::new(owner, &lap, now))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
                let lap_count: i64 = laps::table
                    .filter(laps::session_id.eq(&lap.session_id))
                    .filter(laps::user_id.eq(owner.0))
                    .count()
                    .get_result(conn)
                    .await?;
                let best: Option<i32> = laps::table
                    .filter(laps::session_id.eq(&lap.session_id))
                    .filter(laps::user_id.eq(owner.0))
                    .filter(laps::valid.eq(true))
                    .select(diesel::dsl::min(laps::lap_time_ms))
                    .first(conn)
                    .await?;
                diesel::update(
                    sessions::table.filter(sessions::id.eq(&lap.session_id)).filter(sessions::user_id.eq(owner.0)),
                )
                .set((
                    sessions::lap_count.eq(lap_count as i32),
                    sessions::best_lap_time_ms.eq(best),
                    sessions::updated_at_ms.eq(now),
                ))
                .execute(conn)
                .await?;
                let stored: LapRow = laps::table
                    .filter(laps::session_id.eq(&lap.session_id))
                    .filter(laps::user_id.eq(owner.0))
                    .filter(laps::lap_number.eq(lap.lap_number.min(i32::MAX as u32) as i32))
                    .select(LapRow::as_select())
                    .first(conn)
                    .await?;
                let session = find_session(conn, owner, &lap.session_id).await?;
                Ok::<_, StoreError>(session.map(|session| (stored.into_info(), session)))
            })
            .await
        })
    }
}

async fn find_session(
    conn: &mut AsyncPgConnection,
    owner: UserId,
    id: &str,
) -> Result<Option<SessionInfo>, StoreError> {
    let row: Option<SessionRow> = sessions::table
        .filter(sessions::id.eq(id))
        .filter(sessions::user_id.eq(owner.0))
        .select(SessionRow::as_select())
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(SessionRow::into_info))
}

/// Sends a whole binary `COPY` stream; returns how many rows it wrote.
async fn copy_in(
    transaction: &tokio_postgres::Transaction<'_>,
    statement: &str,
    payload: Bytes,
) -> Result<u64, tokio_postgres::Error> {
    let sink = transaction.copy_in::<_, Bytes>(statement).await?;
    let mut sink = std::pin::pin!(sink);
    sink.send(payload).await?;
    sink.as_mut().finish().await
}

/// PostgreSQL's binary `COPY` signature, flags and header-extension length.
const COPY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// Columns per staged row.
const COPY_COLUMNS: i16 = 6;

/// The frames as one binary `COPY` stream (header, one tuple per frame in key
/// order, trailer) in the staging table's column order: session_id TEXT, seq,
/// user_id, captured_at_us BIGINT, session_time_ms DOUBLE PRECISION, frame BYTEA.
/// Written by hand rather than through `BinaryCopyInWriter`, which type-checks and
/// encodes each value through `dyn ToSql`: this is one pass, one buffer.
fn encode_copy(frames: &[FrameRecord]) -> Bytes {
    let ordered = in_key_order(frames);
    let per_row = 2 + 6 * 4 + 3 * 8 + 8 + 64;
    let mut buf = BytesMut::with_capacity(COPY_HEADER.len() + 2 + ordered.len() * (per_row + 256));
    buf.put_slice(COPY_HEADER);
    for record in ordered {
        let frame = &record.frame;
        buf.put_i16(COPY_COLUMNS);
        put_field(&mut buf, record.session_id.as_bytes());
        put_field(&mut buf, &seq_to_db(frame.seq).to_be_bytes());
        put_field(&mut buf, &record.owner.0.to_be_bytes());
        put_field(&mut buf, &(frame.captured_at_us.min(i64::MAX as u64) as i64).to_be_bytes());
        put_field(&mut buf, &frame.session_time_ms.to_be_bytes());
        buf.put_i32(frame.encoded_len() as i32);
        frame.encode(&mut buf).expect("a BytesMut grows as needed");
    }
    buf.put_i16(-1);
    buf.freeze()
}

fn put_field(buf: &mut BytesMut, value: &[u8]) {
    buf.put_i32(value.len() as i32);
    buf.put_slice(value);
}
