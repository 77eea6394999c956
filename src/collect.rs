//! `purplesector collect` and `purplesector emulate`: the driver's-PC side.
//!
//! `collect` runs a CollectorActor (or the demo source) into a RemoteIngest link
//! with its spool, until Ctrl-C/SIGTERM; then it tells the game goodbye, ends the
//! session and keeps what was not delivered in the spool for the next run.
//! `emulate` runs a sim's game side with the demo driver's laps.

use actix::Actor;
use anyhow::Context as _;
use purplesector_actors::bus_link::{BusLink, Drained};
use purplesector_actors::collector::{CollectorActor, CollectorConfig, StopCollector};
use purplesector_actors::demo_source::{DemoSource, StopDemoSource};
use purplesector_actors::emulate::{BoundEmulator, EmulatorOptions};
use purplesector_actors::metrics::Metrics;
use purplesector_actors::remote_ingest::{GetLinkStatus, RemoteIngest, RemoteIngestConfig, StopLink};
use purplesector_engine::config::Settings;
use purplesector_engine::kafka::BusProducer;
use purplesector_engine::sims::{self, Transport};
use purplesector_engine::spool::SpoolConfig;
use purplesector_engine::storage::UserId;
use purplesector_proto::sim_name;
use purplesector_proto::v1::Sim;
use std::net::SocketAddr;

fn parse_sim(name: &str, allow_demo: bool) -> anyhow::Result<Sim> {
    match sim_name::parse(name) {
        Some(Sim::Demo) if allow_demo => Ok(Sim::Demo),
        Some(sim) if sims::transport(sim).is_some() => Ok(sim),
        _ => anyhow::bail!(
            "unknown sim {name:?}: use ac, acc, f1, forza, outgauge{}",
            if allow_demo { " or demo" } else { "" }
        ),
    }
}

pub fn collect(settings: Settings, sim: &str, speed: f64) -> anyhow::Result<()> {
    let sim = parse_sim(sim, true)?;
    if !(speed > 0.0 && speed <= 1000.0) {
        anyhow::bail!("--speed {speed} is not in (0, 1000]");
    }
    actix_rt::System::new().block_on(async move {
        let metrics = Metrics::new();
        let spool = SpoolConfig {
            max_bytes: settings.collect.spool_max_mb * 1024 * 1024,
            ..SpoolConfig::new(settings.spool_dir())
        };
        let spool_dir = spool.dir.clone();
        let link_config = RemoteIngestConfig {
            server: settings.collect.server.clone(),
            token: settings.collect.token.clone(),
            spool,
        };
        let link = RemoteIngest::new(link_config, metrics.clone())
            .with_context(|| format!("opening the spool in {}", spool_dir.display()))?
            .start();
        println!(
            "purplesector collecting {} for {} (spool: {})",
            sim_name::name(sim),
            settings.collect.server,
            spool_dir.display()
        );
        let source = start_source(&settings, sim, speed, &metrics, link.clone().recipient()).await?;
        crate::shutdown_signal().await;
        tracing::info!("stopping: ending the session and keeping undelivered frames in the spool");
        source.stop().await;
        // A moment for the last batches to be acknowledged; the rest stays spooled.
        for _ in 0..20 {
            match link.send(GetLinkStatus).await {
                Ok(status) if status.connected && status.queued_batches > 0 => {
                    actix_rt::time::sleep(std::time::Duration::from_millis(100)).await
                }
                _ => break,
            }
        }
        let _ = link.send(StopLink).await;
        Ok(())
    })
}

/// `collect SIM --kafka BROKERS --user ID`: the same sources, straight onto the
/// user's Kafka topic (no engine, no spool: librdkafka's bounded queue and retries).
pub fn collect_to_kafka(settings: Settings, sim: &str, speed: f64, user: i64) -> anyhow::Result<()> {
    let sim = parse_sim(sim, true)?;
    if !(speed > 0.0 && speed <= 1000.0) {
        anyhow::bail!("--speed {speed} is not in (0, 1000]");
    }
    if user < 1 {
        anyhow::bail!("--user {user} is not a user id (1 or more)");
    }
    actix_rt::System::new().block_on(async move {
        let metrics = Metrics::new();
        let bus = BusProducer::new(&settings.kafka, "purplesector-collect")
            .with_context(|| format!("connecting to Kafka at {}", settings.kafka.brokers))?;
        let owner = UserId(user);
        bus.ensure_user_topic(owner).await.with_context(|| format!("creating user {user}'s topic"))?;
        let link = BusLink::new(owner, bus.clone(), metrics.clone()).start();
        println!(
            "purplesector collecting {} into Kafka {} as {}",
            sim_name::name(sim),
            settings.kafka.brokers,
            bus.topics().user_topic(owner)
        );
        let source = start_source(&settings, sim, speed, &metrics, link.clone().recipient()).await?;
        crate::shutdown_signal().await;
        tracing::info!("stopping: ending the session and delivering what is queued");
        source.stop().await;
        // The session's end and last batches are in the link's mailbox, in order.
        let _ = link.send(Drained).await;
        let flushed = tokio::task::spawn_blocking(move || bus.flush(std::time::Duration::from_secs(10))).await;
        if !matches!(flushed, Ok(Ok(()))) {
            tracing::warn!("some frames were not delivered to Kafka before the deadline");
        }
        Ok(())
    })
}

enum Source {
    Game(actix::Addr<CollectorActor>),
    Demo(actix::Addr<DemoSource>),
}

impl Source {
    async fn stop(self) {
        match self {
            Source::Game(collector) => {
                let _ = collector.send(StopCollector).await;
            }
            Source::Demo(demo) => {
                let _ = demo.send(StopDemoSource).await;
            }
        }
    }
}

/// The game's collector, or the demo driver, feeding `sink`.
async fn start_source(
    settings: &Settings,
    sim: Sim,
    speed: f64,
    metrics: &Metrics,
    sink: actix::Recipient<purplesector_actors::collector::CollectorOutput>,
) -> anyhow::Result<Source> {
    if sim == Sim::Demo {
        return Ok(Source::Demo(DemoSource::new(settings.demo.seed, speed, sink).start()));
    }
    let mut config = CollectorConfig::for_sim(sim).expect("a collectable sim");
    if let Ok(listen) = settings.collect.listen.parse() {
        config.listen = listen;
    }
    if config.game.is_some() {
        config.game = settings.collect.game.parse().ok().or(config.game);
    }
    config.acc_shared_memory = Some(settings.collect.acc_shared_memory.clone()).filter(|source| !source.is_empty());
    tracing::info!(listen = %config.listen, game = ?config.game, "waiting for the game");
    Ok(Source::Game(CollectorActor::start(config, metrics.clone(), sink).await?))
}

pub fn emulate(args: &crate::cli::EmulateArgs) -> anyhow::Result<()> {
    let sim = parse_sim(&args.sim, false)?;
    if !(args.speed > 0.0 && args.speed <= 1000.0) {
        anyhow::bail!("--speed {} is not in (0, 1000]", args.speed);
    }
    let transport = sims::transport(sim).expect("a collectable sim");
    let parse = |flag: &str, value: &Option<String>| -> anyhow::Result<Option<SocketAddr>> {
        value
            .as_deref()
            .map(|text| text.parse().with_context(|| format!("{flag} {text:?} is not HOST:PORT")))
            .transpose()
    };
    let (bind, collector) = match transport {
        Transport::RequestReply { game_port } => {
            (parse("--bind", &args.bind)?.unwrap_or(SocketAddr::from(([127, 0, 0, 1], game_port))), None)
        }
        Transport::Listen { port } => (
            parse("--bind", &args.bind)?.unwrap_or(SocketAddr::from(([127, 0, 0, 1], 0))),
            Some(parse("--to", &args.to)?.unwrap_or(SocketAddr::from(([127, 0, 0, 1], port)))),
        ),
    };
    let options = EmulatorOptions { sim, bind, collector, seed: args.seed, speed: args.speed, laps: args.laps };
    actix_rt::System::new().block_on(async move {
        let emulator = BoundEmulator::bind(options).await?;
        println!(
            "purplesector emulating {} on {}{}",
            sim_name::name(sim),
            emulator.local_addr()?,
            collector.map(|to| format!(", sending to {to}")).unwrap_or_default()
        );
        let report = emulator.run(crate::shutdown_signal()).await?;
        for (lap, time) in report.lap_times_ms.iter().enumerate() {
            println!("lap {}: {:.3} s", lap + 1, time / 1000.0);
        }
        println!("{} frames sent", report.frames);
        Ok(())
    })
}
