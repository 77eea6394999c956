//! Builds a running application from settings: opens the store (migrations run
//! before any actor starts), starts the actor tree, binds the HTTP server.
//!
//! Tests build one per test on `127.0.0.1:0` with their own data directory; the
//! binary builds one in `serve`. Must be called inside a running actix System.

use crate::collector::{CollectorActor, CollectorConfig, StopCollector};
use crate::db_writer::{DbWriter, Flush};
use crate::engine::{Engine, StartDemo, StopDemo};
use crate::http::{self, AppState, Guard};
use crate::ingest::IngestRouter;
use crate::kafka_bridge::KafkaBridge;
use crate::kafka_writer::{KafkaWriter, StopKafkaWriter};
use crate::metrics::Metrics;
use crate::shared::{Shared, SharedRef};
use actix::prelude::*;
use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpServer};
use anyhow::Context as _;
use purplesector_engine::auth::AuthMode;
use purplesector_engine::config::Settings;
use purplesector_engine::kafka::BusProducer;
use purplesector_engine::storage::{Store, LOCAL_USER};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

/// Stops a running application; see [`Application::shutdown_handle`].
#[derive(Clone)]
pub struct ShutdownHandle {
    server: ServerHandle,
    shared: SharedRef,
}

impl ShutdownHandle {
    pub async fn shutdown(&self) {
        self.shared.shutdown.send_replace(true);
        self.server.stop(true).await;
    }
}

pub struct Application {
    server: Server,
    local_addr: SocketAddr,
    engine: Addr<Engine>,
    /// The store's writer (embedded mode, and the Kafka writer role).
    db: Option<Addr<DbWriter>>,
    /// Kafka writer role: the consumer that feeds `db`.
    kafka_writer: Option<Addr<KafkaWriter>>,
    collectors: Vec<Addr<CollectorActor>>,
    shared: SharedRef,
    web_dir: Option<std::path::PathBuf>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let addr = settings.server_addr()?;
        let database = settings.database()?;
        let store = Store::open_target(&database)
            .with_context(|| format!("opening the {} store at {}", database.backend(), database.location()))?;
        let web_dir = http::locate_web_dir(&settings.server.web_dir);
        if web_dir.is_none() {
            if settings.server.web_dir.is_empty() {
                tracing::warn!("web app not found (frontend/dist); serving the API only");
            } else {
                anyhow::bail!("configuration error: `server.web_dir`: {} has no index.html", settings.server.web_dir);
            }
        }
        let workers = settings.server.workers;
        let shutdown_timeout = settings.server.shutdown_timeout_s;
        let demo = settings.demo.enabled;
        let collect = settings.collect_sims()?;
        let collect_listen = settings.collect.listen.parse().ok();
        let collect_game = settings.collect.game.parse().ok();
        let acc_shared_memory = Some(settings.collect.acc_shared_memory.clone()).filter(|source| !source.is_empty());
        let roles = settings.roles()?;
        let kafka = settings.kafka_mode();
        let guard = Arc::new(Guard::new(&settings)?);
        if guard.mode == AuthMode::Accounts && (demo || !collect.is_empty()) {
            anyhow::bail!(
                "configuration error: `{}`: the built-in demo driver and sim collectors feed the local user, who \
                 cannot sign in in accounts mode; sign in to the web app and start the demo there, or run \
                 `purplesector collect SIM --server URL --token psi_...` with an ingest token",
                if demo { "demo.enabled" } else { "collect.sims" }
            );
        }
        if kafka && demo {
            anyhow::bail!(
                "configuration error: `demo.enabled`: the built-in demo driver runs in embedded mode; \
                 with Kafka, stream it with `purplesector collect demo --server URL`"
            );
        }
        if kafka && !roles.ingest && !collect.is_empty() {
            anyhow::bail!("configuration error: `collect.sims`: collectors need the ingest role (server.roles)");
        }
        // The producer of the roles that write to the bus.
        let bus = if kafka && (roles.ingest || roles.writer) {
            Some(BusProducer::new(&settings.kafka, "purplesector").context("creating the Kafka producer")?)
        } else {
            None
        };
        let shared = Arc::new(Shared::new(settings, store, Metrics::new()).with_bus(bus));

        let (engine, db, kafka_writer) = if !kafka {
            let db = DbWriter::new(shared.clone()).start();
            (Engine::new(shared.clone(), db.clone()).start(), Some(db), None)
        } else {
            // Writer and bridge keep separate engines: the writer's sessions store,
            // the bridge's stream, and each may run without the other.
            let mut db = None;
            let mut writer_engine = None;
            let mut kafka_writer = None;
            if roles.writer {
                let writer_db = DbWriter::new(shared.clone()).start();
                let engine = Engine::new(shared.clone(), writer_db.clone()).start();
                kafka_writer = Some(KafkaWriter::new(shared.clone(), engine.clone()).start());
                writer_engine = Some(engine);
                db = Some(writer_db);
            }
            let engine = if roles.bridge {
                let bridge = KafkaBridge::new(shared.clone()).start();
                Engine::bridge(shared.clone(), bridge).start()
            } else {
                writer_engine.unwrap_or_else(|| Engine::detached(shared.clone()).start())
            };
            tracing::info!(%roles, brokers = %shared.settings.kafka.brokers, "Kafka mode");
            (engine, db, kafka_writer)
        };
        if demo {
            let session = engine
                .send(StartDemo { owner: LOCAL_USER, seed: None })
                .await
                .context("starting the demo driver")?
                .context("starting the demo driver")?;
            tracing::info!(session = %session.id, "demo session live");
        }

        // Sim collectors inside this process feed the local user's sessions directly.
        let mut collectors = Vec::new();
        for sim in collect {
            let mut config = CollectorConfig::for_sim(sim).expect("collect.sims are validated");
            if let Some(listen) = collect_listen {
                config.listen = listen;
            }
            if config.game.is_some() {
                config.game = collect_game.or(config.game);
            }
            config.acc_shared_memory = acc_shared_memory.clone();
            let router = IngestRouter::for_producer(LOCAL_USER, shared.clone(), engine.clone()).start();
            let collector = CollectorActor::start(config.clone(), shared.metrics.clone(), router.recipient())
                .await
                .with_context(|| format!("starting the {} collector", purplesector_proto::sim_name::name(sim)))?;
            tracing::info!(sim = purplesector_proto::sim_name::name(sim), listen = %config.listen, game = ?config.game, "collector started");
            collectors.push(collector);
        }

        let listener = TcpListener::bind(addr).with_context(|| format!("binding {addr}"))?;
        let local_addr = listener.local_addr().context("reading the bound address")?;
        let coach = crate::coach::Coach::new(&shared.settings.openai).start();
        let state = AppState { shared: shared.clone(), engine: engine.clone(), roles, guard: guard.clone(), coach };
        let cors_origins = guard.cors_origins().to_vec();
        let app_web_dir = web_dir.clone().filter(|_| roles.api);
        let mut server = HttpServer::new(move || {
            App::new()
                // A span per request (method, route, status, request id) around
                // everything it logs.
                .wrap(tracing_actix_web::TracingLogger::default())
                .wrap(actix_web::middleware::Compress::default())
                .wrap(http::security_headers())
                .wrap(http::cors(&cors_origins))
                .configure(http::configure(state.clone(), app_web_dir.clone()))
        })
        // Shutdown is driven by `run_until_stopped`'s caller (the binary's signal
        // handling), so the writer can be flushed after the server stops.
        .disable_signals()
        .shutdown_timeout(shutdown_timeout);
        if workers > 0 {
            server = server.workers(workers);
        }
        server = server.worker_max_blocking_threads(shared.settings.server.blocking_threads);
        let server = server.listen(listener).with_context(|| format!("listening on {local_addr}"))?.run();
        Ok(Application { server, local_addr, engine, db, kafka_writer, collectors, shared, web_dir })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    pub fn engine(&self) -> Addr<Engine> {
        self.engine.clone()
    }

    /// The collectors running inside this process (`collect.sims`).
    pub fn collectors(&self) -> &[Addr<CollectorActor>] {
        &self.collectors
    }

    pub fn web_dir(&self) -> Option<&std::path::Path> {
        self.web_dir.as_deref()
    }

    /// A handle that stops the HTTP server (gracefully with `stop(true)`).
    pub fn server_handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Stops the application gracefully: browsers and collectors are told the
    /// server is going away, requests in progress finish (within
    /// `server.shutdown_timeout_s`), and `run_until_stopped` then flushes the store.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle { server: self.server.handle(), shared: self.shared.clone() }
    }

    /// Serves until the server is stopped, then stops the demo and flushes
    /// everything pending to the store.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Application { server, engine, db, kafka_writer, collectors, shared, .. } = self;
        let result = server.await;
        let parts = Running { engine, db, kafka_writer, collectors, shared };
        // The rest (stopping producers, delivering, storing, committing) gets the same
        // deadline again: a store or broker that does not answer must not keep an
        // orchestrator waiting forever. What is not durable by then is not lost: the
        // collectors keep what was not acknowledged, and Kafka keeps what was not committed.
        let deadline = Duration::from_secs(parts.shared.settings.server.shutdown_timeout_s.max(1));
        if tokio::time::timeout(deadline, parts.drain()).await.is_err() {
            tracing::error!(seconds = deadline.as_secs(), "shutdown deadline passed before everything was stored");
        }
        result
    }
}

/// What is left to stop once the HTTP server has.
struct Running {
    engine: Addr<Engine>,
    db: Option<Addr<DbWriter>>,
    kafka_writer: Option<Addr<KafkaWriter>>,
    collectors: Vec<Addr<CollectorActor>>,
    shared: SharedRef,
}

impl Running {
    /// Stops the producers, then makes everything taken durable (and committed).
    async fn drain(&self) {
        for collector in &self.collectors {
            let _ = collector.send(StopCollector).await;
        }
        let _ = self.engine.send(StopDemo { owner: LOCAL_USER }).await;
        // Kafka: what the ingest acknowledged is on the brokers already; deliver the
        // rest (laps announced) before the writer makes its last batch durable.
        if let Some(bus) = self.shared.bus.clone() {
            if let Err(error) = tokio::task::spawn_blocking(move || bus.flush(Duration::from_secs(5))).await {
                tracing::warn!(%error, "flushing the Kafka producer");
            }
        }
        if let Some(writer) = &self.kafka_writer {
            if writer.send(StopKafkaWriter).await.is_err() {
                tracing::error!("the Kafka writer was gone at shutdown");
            }
        }
        if let Some(db) = &self.db {
            if db.send(Flush).await.is_err() {
                tracing::error!("the store writer was gone at shutdown");
            }
        }
    }
}
