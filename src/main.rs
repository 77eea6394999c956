//! `purplesector`: the one binary of Purple Sector.
//!
//! `serve` runs everything in one process on the embedded defaults (in-process
//! bus, SQLite under `./data`); `collect` follows a sim on a driver's PC and sends
//! to an engine; `emulate` pretends to be a sim; `migrate` prepares the database;
//! `config` shows the effective configuration with secrets redacted.

mod bench;
mod cli;
mod collect;
mod logging;

use anyhow::Context as _;
use clap::Parser;
use cli::{Cli, Command, KafkaCommand};
use purplesector_actors::startup::Application;
use purplesector_engine::config::{Settings, Sources};
use purplesector_engine::storage::Store;
use std::process::ExitCode;

/// Caps glibc's malloc arenas at two, before any thread starts. glibc keeps an arena
/// per thread (up to eight per core) and each holds on to what was freed in it: with
/// the default, 500 streaming sessions measured 140-148 KiB of resident memory each
/// against a live heap of about 46 KiB (heaptrack); with two arenas, 93 KiB, at the
/// same throughput (README "Memory"). mimalloc measured 526 KiB: worse. An operator's
/// own `MALLOC_ARENA_MAX` wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets a tunable of the allocator; it is called first
        // thing in main, before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = Cli::parse();
    let sources = Sources { config_file: cli.config.clone(), overrides: cli.overrides() };
    let settings = match Settings::load(&sources) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let _telemetry = logging::init(&settings.log, &settings.server.roles);
    let result = match cli.command {
        Command::Serve(_) => serve(settings),
        Command::Collect(ref args) => match args.user {
            Some(user) => collect::collect_to_kafka(settings, &args.sim, args.speed, user),
            None => collect::collect(settings, &args.sim, args.speed),
        },
        Command::Emulate(ref args) => collect::emulate(args),
        Command::Bench(args) => bench::run(args),
        Command::Migrate => migrate(&settings),
        Command::Kafka(KafkaCommand::Setup) => kafka_setup(&settings),
        Command::Config => {
            print!("{}", settings.redacted());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    // The engine's actors (users, sessions, the writer) run on this runtime; its
    // blocking pool is capped like the HTTP workers' (`server.blocking_threads`).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(settings.server.blocking_threads)
        .build()
        .context("building the engine's runtime")?;
    actix_rt::System::with_tokio_rt(move || runtime).block_on(async move {
        let app = Application::build(settings).await?;
        // Scripts and tests read this line to find the port (`--addr 127.0.0.1:0`).
        println!("purplesector listening on http://{}", app.local_addr());
        match app.web_dir() {
            Some(dir) => tracing::info!(web_dir = %dir.display(), "serving the web app"),
            None => tracing::warn!("web app not built: only the API is served"),
        }
        let handle = app.shutdown_handle();
        actix_rt::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down: closing connections, finishing requests, flushing the store");
            handle.shutdown().await;
        });
        app.run_until_stopped().await.context("serving HTTP")?;
        tracing::info!("stopped");
        Ok(())
    })
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Applies pending migrations to the database `storage.database_url` names (SQLite
/// or PostgreSQL) and says how many ran, where.
fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let database = settings.database()?;
    let store = Store::connect_target(&database)
        .with_context(|| format!("opening the {} database {}", database.backend(), database.location()))?;
    let applied = store.migrate().context("applying migrations")?;
    println!("{} database {} is up to date ({applied} migration(s) applied now)", store.backend(), store.location());
    Ok(())
}

fn kafka_setup(settings: &Settings) -> anyhow::Result<()> {
    if !settings.kafka_mode() {
        anyhow::bail!(
            "configuration error: `kafka.brokers`: set KAFKA_BROKERS (or kafka.brokers) to the cluster to set up"
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting a runtime")?;
    let report = runtime
        .block_on(purplesector_engine::kafka::setup_cluster(&settings.kafka))
        .with_context(|| format!("setting up Kafka at {}", settings.kafka.brokers))?;
    println!("{report}");
    println!(
        "kafka is ready: users' topics ({}telemetry-user-<userId>) are created on demand",
        settings.kafka.topic_prefix
    );
    Ok(())
}
