//! `purplesector bench`: a load generator through the real ingest path.
//!
//! It starts an engine (this binary's `serve`, as a child process on a free port
//! with a temporary store, so its CPU and memory are measured apart from the load)
//! or targets a running one (`--server`), then drives N sessions at R Hz each over
//! `/ingest` (real protobuf over real WebSockets, the demo driver's frames) and M
//! viewers over `/ws`, and reports throughput at each stage, capture-to-browser
//! latency (HdrHistogram), drops per reason, writer lag, and the engine's CPU and
//! memory (also per session and per viewer). Tests never assert these numbers; the
//! README publishes them.
//!
//! The engine it starts runs embedded (in-process bus, SQLite) unless told
//! otherwise: `--database-url` puts its store on PostgreSQL, `--kafka` its bus on
//! Kafka (the scale-out mode: ingest, writer and bridge roles in the one process,
//! talking through the brokers). With `auto`, the bench creates what it needs (a
//! tansu broker, a database) and removes it at the end; the broker's CPU and memory
//! are reported, since on one machine it competes with the engine for the cores.

mod load;
mod report;
mod services;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use load::LoadStats;
use report::{
    machine_busy_seconds, named_cpu_between, parse_metrics, sample_named, sample_process, EngineCounters, Latency,
    ProcessSample, Report,
};
use services::{Broker, Database};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Concurrent sessions, each a demo car on its own `/ingest` connection.
    #[arg(long, default_value_t = 100)]
    pub sessions: usize,
    /// Frames per second per session.
    #[arg(long, default_value_t = 60.0)]
    pub rate: f64,
    /// Browser viewers on `/ws`, spread over the sessions.
    #[arg(long, default_value_t = 100)]
    pub viewers: usize,
    /// Seconds measured, after the warm-up.
    #[arg(long, default_value_t = 20)]
    pub duration: u64,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 5)]
    pub warmup: u64,
    /// Target a running engine instead of starting one (no CPU/memory figures).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Also write the report as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Run the engine in Kafka mode on these brokers (`HOST:PORT[,HOST:PORT...]`),
    /// with topics and consumer groups of this run's own; `auto`: start a tansu
    /// broker (in memory) for the run and stop it at the end.
    #[arg(long, value_name = "BROKERS|auto", conflicts_with = "server")]
    pub kafka: Option<String>,
    /// Store on this PostgreSQL database instead of SQLite; `auto`: create a fresh
    /// database on postgres://postgres@127.0.0.1:5432 (with psql) and drop it at the end.
    #[arg(long, value_name = "URL|auto", conflicts_with = "server")]
    pub database_url: Option<String>,
    /// After the load stops, wait at most this many seconds for the store to hold
    /// every ingested frame.
    #[arg(long, default_value_t = 60)]
    pub drain_timeout: u64,
}

/// How the engine this run starts is configured (beyond its port and data directory).
#[derive(Debug, Clone, Default)]
struct EngineSetup {
    kafka_brokers: Option<String>,
    /// Prefix of this run's topics and consumer groups.
    kafka_prefix: String,
    database_url: Option<String>,
}

/// An engine this run started, stopped when dropped.
struct EngineProcess {
    child: Child,
    url: String,
    _data: tempfile::TempDir,
}

/// The engine's log (its stderr) without the warnings every run has (no web app
/// built next to the binary).
fn log_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines().filter(|line| !line.contains("web app")).map(String::from).collect()
}

/// The end of the engine's log, to explain a failure.
fn log_tail(path: &Path) -> String {
    let lines = log_lines(path);
    lines[lines.len().saturating_sub(10)..].join("\n")
}

impl EngineProcess {
    fn start(setup: &EngineSetup) -> anyhow::Result<EngineProcess> {
        let data = tempfile::tempdir().context("creating the engine's temporary data directory")?;
        let exe = std::env::current_exe().context("locating this binary")?;
        let log_path = data.path().join("engine.log");
        let log = std::fs::File::create(&log_path).context("creating the engine's log file")?;
        let mut command = Command::new(exe);
        command
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data.path())
            .env("PURPLESECTOR__LOG__LEVEL", "warn")
            .env("NO_COLOR", "1")
            // The bus and the store are what the flags say, not what this shell has set.
            .env_remove("KAFKA_BROKERS")
            .env_remove("PURPLESECTOR__KAFKA__BROKERS")
            .env_remove("DATABASE_URL")
            .env_remove("PURPLESECTOR__STORAGE__DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(log);
        if let Some(brokers) = &setup.kafka_brokers {
            command
                .env("KAFKA_BROKERS", brokers)
                .env("PURPLESECTOR__KAFKA__TOPIC_PREFIX", format!("{}.", setup.kafka_prefix))
                .env("PURPLESECTOR__KAFKA__CONSUMER_GROUP_PREFIX", format!("{}-", setup.kafka_prefix));
        }
        if let Some(url) = &setup.database_url {
            command.env("DATABASE_URL", url);
        }
        // A hosted setup (Kafka or PostgreSQL) runs in accounts mode: a key of this
        // run's own, and an API limit that does not count the load's own viewers.
        let secret: String = (0..4).map(|_| format!("{:016x}", rand::random::<u64>())).collect();
        command.env("PURPLESECTOR__AUTH__SESSION_SECRET", secret).env("PURPLESECTOR__AUTH__API_PER_MINUTE", "1000000");
        let mut child = command.spawn().context("starting the engine")?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (found, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("purplesector listening on ") {
                    let _ = found.send(url.trim().to_string());
                }
            }
        });
        let url = match receive.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                anyhow::bail!("the engine did not start listening; its log:\n{}", log_tail(&log_path));
            }
        };
        Ok(EngineProcess { child, url, _data: data })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the engine logged (warnings and errors): how many lines, and the last few.
    fn log_summary(&self) -> Option<(usize, String)> {
        let path = self._data.path().join("engine.log");
        let lines = log_lines(&path).len();
        (lines > 0).then(|| (lines, log_tail(&path)))
    }
}

impl Drop for EngineProcess {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn scrape(server: &str) -> anyhow::Result<EngineCounters> {
    let mut response = awc::Client::builder()
        .timeout(Duration::from_secs(10))
        .finish()
        .get(format!("{}/metrics", server.trim_end_matches('/')))
        .send()
        .await
        .map_err(|error| anyhow::anyhow!("reading the engine's /metrics: {error}"))?;
    let body = response.body().limit(16 << 20).await.map_err(|error| anyhow::anyhow!("reading /metrics: {error}"))?;
    Ok(parse_metrics(&String::from_utf8_lossy(&body)))
}

/// How many of this run's sessions `/api/sessions` lists (what a browser picks from).
async fn sessions_listed(server: &str, credentials: &load::Credentials, sessions: usize) -> anyhow::Result<usize> {
    let mut request = awc::Client::builder()
        .timeout(Duration::from_secs(10))
        .finish()
        .get(format!("{}/api/sessions", server.trim_end_matches('/')));
    if let Some(cookie) = &credentials.cookie {
        request = request.insert_header(("Cookie", format!("ps_session={cookie}")));
    }
    let mut response =
        request.send().await.map_err(|error| anyhow::anyhow!("reading the engine's /api/sessions: {error}"))?;
    let body: serde_json::Value =
        response.json().limit(64 << 20).await.map_err(|error| anyhow::anyhow!("reading /api/sessions: {error}"))?;
    let ours: std::collections::HashSet<String> =
        (0..sessions).map(|index| load::session_id(&credentials.session_prefix, index)).collect();
    Ok(body["sessions"]
        .as_array()
        .map(|listed| {
            listed.iter().filter(|session| session["id"].as_str().is_some_and(|id| ours.contains(id))).count()
        })
        .unwrap_or(0))
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("model name"))
                .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cores} cores, {model}")
}

async fn wait_for(what: &str, deadline: Duration, done: impl Fn() -> bool) -> anyhow::Result<()> {
    let until = Instant::now() + deadline;
    while !done() {
        if Instant::now() > until {
            anyhow::bail!("timed out waiting for {what}");
        }
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// What a run measures on the machine besides the engine: CPU time of the broker it
/// started, of a local PostgreSQL server, of itself, and of everything.
#[derive(Debug, Clone, Default)]
struct Neighbours {
    broker: Option<ProcessSample>,
    postgres: Option<std::collections::BTreeMap<u32, f64>>,
    load_generator: Option<ProcessSample>,
    machine_busy_seconds: Option<f64>,
}

fn sample_neighbours(broker: Option<u32>, local_postgres: bool) -> Neighbours {
    Neighbours {
        broker: broker.and_then(sample_process),
        postgres: local_postgres.then(|| sample_named("postgres")),
        load_generator: sample_process(std::process::id()),
        machine_busy_seconds: machine_busy_seconds(),
    }
}

/// An error of the run, with the end of the engine's log when it has one (an
/// unreachable broker or database shows there).
fn explain(engine: &Option<EngineProcess>, error: anyhow::Error) -> anyhow::Error {
    match engine.as_ref().and_then(EngineProcess::log_summary) {
        Some((_, tail)) => anyhow::anyhow!("{error:#}; the engine's log ends with:\n{tail}"),
        None => error,
    }
}

/// A flag's value, unless it is missing or blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|value| !value.is_empty())
}

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.sessions == 0 || !(args.rate > 0.0 && args.rate <= 10_000.0) || args.duration == 0 {
        anyhow::bail!("--sessions and --duration must be at least 1 and --rate in (0, 10000]");
    }
    let run_name = services::run_name();
    // Set up before the engine and torn down after it (in reverse order, by drop).
    let broker = match given(&args.kafka) {
        Some("auto") => Some(Broker::start()?),
        _ => None,
    };
    let database = match given(&args.database_url) {
        Some("auto") => Some(Database::create(services::AUTO_POSTGRES, &format!("ps_bench_{run_name}"))?),
        _ => None,
    };
    let setup = EngineSetup {
        kafka_brokers: broker.as_ref().map(|broker| broker.brokers.clone()).or(given(&args.kafka).map(String::from)),
        kafka_prefix: format!("bench-{}", run_name.replace('_', "-")),
        database_url: database
            .as_ref()
            .map(|database| database.url.clone())
            .or(given(&args.database_url).map(String::from)),
    };
    let broker_info = broker.as_ref().map(|broker| (broker.pid(), broker.description.clone()));
    let result = actix_rt::System::new().block_on(measure(args, setup, broker_info));
    drop(database);
    drop(broker);
    result
}

async fn measure(args: BenchArgs, setup: EngineSetup, broker: Option<(u32, String)>) -> anyhow::Result<()> {
    let postgres = setup.database_url.as_deref().is_some_and(|url| url.starts_with("postgres"));
    let (bus, store) = match (&args.server, &setup.kafka_brokers) {
        (Some(_), _) => ("unknown", "unknown"),
        (None, Some(_)) => ("kafka", if postgres { "postgres" } else { "sqlite" }),
        (None, None) => ("in-process", if postgres { "postgres" } else { "sqlite" }),
    };
    let store_name = if postgres { "PostgreSQL" } else { "SQLite" };
    let mode = match (&args.server, &setup.kafka_brokers) {
        (Some(url), _) => format!("the engine running at {url}"),
        (None, Some(_)) => format!("Kafka + {store_name}"),
        (None, None) => format!("embedded (in-process bus, {store_name})"),
    };
    let broker_description = setup.kafka_brokers.as_ref().map(|brokers| match &broker {
        Some((_, description)) => format!("{brokers} ({description})"),
        None => brokers.clone(),
    });
    let broker_pid = broker.as_ref().map(|(pid, _)| *pid);
    let local_postgres =
        args.server.is_none() && postgres && setup.database_url.as_deref().is_some_and(services::is_local);

    let engine = match &args.server {
        Some(_) => None,
        None => Some(EngineProcess::start(&setup)?),
    };
    let server = engine.as_ref().map(|engine| engine.url.clone()).or(args.server.clone()).expect("one or the other");
    let pid = engine.as_ref().map(EngineProcess::pid);
    let sample = || pid.and_then(sample_process);
    actix_rt::time::sleep(Duration::from_millis(500)).await;
    let idle = sample();

    let credentials =
        std::rc::Rc::new(load::Credentials::sign_in(&server).await.map_err(|error| explain(&engine, error))?);
    let stats = LoadStats::new();
    for index in 0..args.sessions {
        actix_rt::spawn(load::drive_session(server.clone(), credentials.clone(), index, args.rate, stats.clone()));
    }
    let sessions = args.sessions as u64;
    wait_for("the sessions to connect", Duration::from_secs(60), || {
        stats.sessions_connected.get() + stats.connection_failures.get() >= sessions
    })
    .await
    .map_err(|error| explain(&engine, error))?;
    // Every session has sent and had a batch acknowledged: all are open.
    wait_for("every session to open", Duration::from_secs(60), || stats.batches_acked.get() >= sessions)
        .await
        .map_err(|error| explain(&engine, error))?;
    // Viewers pick sessions from the list, as a browser does. With Kafka a session is
    // listed once the writer has read its first batch from the topic (acknowledged
    // means on the broker, not yet in the store); subscribing before that is refused.
    let listed_by = Instant::now() + Duration::from_secs(60);
    loop {
        let listed =
            sessions_listed(&server, &credentials, args.sessions).await.map_err(|error| explain(&engine, error))?;
        if listed >= args.sessions {
            break;
        }
        if Instant::now() > listed_by {
            let error = anyhow::anyhow!("only {listed} of the {} sessions were listed within 60 s", args.sessions);
            return Err(explain(&engine, error));
        }
        actix_rt::time::sleep(Duration::from_millis(250)).await;
    }
    actix_rt::time::sleep(Duration::from_secs(1)).await;
    let with_sessions = sample();

    for viewer in 0..args.viewers {
        let session = load::session_id(&credentials.session_prefix, viewer % args.sessions);
        actix_rt::spawn(load::view(server.clone(), credentials.clone(), session, stats.clone()));
    }
    let viewers = args.viewers as u64;
    wait_for("the viewers to subscribe", Duration::from_secs(60), || {
        stats.viewers_subscribed.get() + stats.connection_failures.get() >= viewers
    })
    .await
    .map_err(|error| explain(&engine, error))?;

    let bar = ProgressBar::new(args.warmup + args.duration);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} s  {msg}")
            .expect("progress template"),
    );
    bar.set_message("warming up");
    for _ in 0..args.warmup {
        actix_rt::time::sleep(Duration::from_secs(1)).await;
        bar.inc(1);
    }
    let with_viewers = sample();

    let before = scrape(&server).await?;
    let process_before = sample();
    let neighbours_before = sample_neighbours(broker_pid, local_postgres);
    let (sent_before, delivered_before) = (stats.frames_sent.get(), stats.frames_delivered.get());
    stats.recording.set(true);
    let started = Instant::now();
    let mut last = (Instant::now(), stats.frames_sent.get(), stats.frames_delivered.get());
    for _ in 0..args.duration {
        actix_rt::time::sleep(Duration::from_secs(1)).await;
        let now = (Instant::now(), stats.frames_sent.get(), stats.frames_delivered.get());
        let seconds = now.0.duration_since(last.0).as_secs_f64();
        bar.set_message(format!(
            "sent {:.0}/s, delivered {:.0}/s",
            (now.1 - last.1) as f64 / seconds,
            (now.2 - last.2) as f64 / seconds
        ));
        last = now;
        bar.inc(1);
    }
    stats.recording.set(false);
    let seconds = started.elapsed().as_secs_f64();
    let after = scrape(&server).await?;
    let process_after = sample();
    let neighbours_after = sample_neighbours(broker_pid, local_postgres);
    let (sent_after, delivered_after) = (stats.frames_sent.get(), stats.frames_delivered.get());
    stats.stop.set(true);

    // Drain: the load has stopped; frames still on their way to the store (in the
    // writer's batches, and with Kafka in the topics) are written now.
    bar.set_message("load stopped, waiting for the store to catch up");
    let drain_started = Instant::now();
    let drain_timeout = Duration::from_secs(args.drain_timeout);
    let mut previous = after.clone();
    let (drain_seconds, writer_lag_after_drain_frames) = loop {
        actix_rt::time::sleep(Duration::from_millis(250)).await;
        let now = scrape(&server).await?;
        // Ingest has settled (nothing more in flight) and every frame is written.
        if now.ingested == previous.ingested && now.written >= now.ingested {
            break (Some(drain_started.elapsed().as_secs_f64()), 0.0);
        }
        if drain_started.elapsed() > drain_timeout {
            break (None, now.ingested - now.written);
        }
        previous = now;
    };
    bar.finish_and_clear();

    let ms = |us: u64| us as f64 / 1000.0;
    let latency = |histogram: &hdrhistogram::Histogram<u64>| Latency {
        samples: histogram.len(),
        p50_ms: ms(histogram.value_at_quantile(0.50)),
        p99_ms: ms(histogram.value_at_quantile(0.99)),
        p999_ms: ms(histogram.value_at_quantile(0.999)),
        max_ms: ms(histogram.max()),
    };
    let capture_to_browser = latency(&stats.latency_us.borrow());
    let capture_to_ack = latency(&stats.ack_latency_us.borrow());
    let dropped_frames = after
        .dropped
        .iter()
        .map(|(reason, count)| (reason.clone(), count - before.dropped.get(reason).copied().unwrap_or(0.0)))
        .filter(|(_, count)| *count > 0.0)
        .collect();
    let cores = |before: Option<ProcessSample>, after: Option<ProcessSample>| match (before, after) {
        (Some(before), Some(after)) => Some((after.cpu_seconds - before.cpu_seconds) / seconds),
        _ => None,
    };
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    let per = |later: Option<ProcessSample>, earlier: Option<ProcessSample>, count: usize| match (later, earlier) {
        (Some(later), Some(earlier)) if count > 0 => {
            Some((later.rss_bytes as f64 - earlier.rss_bytes as f64) / 1024.0 / count as f64)
        }
        _ => None,
    };
    let kafka = setup.kafka_brokers.is_some() && args.server.is_none();
    let machine_cpu_busy_cores = match (neighbours_before.machine_busy_seconds, neighbours_after.machine_busy_seconds) {
        (Some(before), Some(after)) => Some((after - before) / seconds),
        _ => None,
    };
    let engine_cpu_cores = cores(process_before, process_after);
    let broker_cpu_cores = cores(neighbours_before.broker, neighbours_after.broker);
    let postgres_cpu_cores = match (&neighbours_before.postgres, &neighbours_after.postgres) {
        (Some(before), Some(after)) => Some(named_cpu_between(before, after) / seconds),
        _ => None,
    };
    let load_generator_cpu_cores = cores(neighbours_before.load_generator, neighbours_after.load_generator);
    let other_cpu_cores = machine_cpu_busy_cores.map(|busy| {
        let ours = [engine_cpu_cores, broker_cpu_cores, postgres_cpu_cores, load_generator_cpu_cores];
        (busy - ours.iter().flatten().sum::<f64>()).max(0.0)
    });
    let report = Report {
        mode,
        bus: bus.into(),
        store: store.into(),
        broker: broker_description,
        machine: machine(),
        sessions: args.sessions,
        rate_hz: args.rate,
        viewers: args.viewers,
        measured_seconds: seconds,
        offered_frames_per_second: args.sessions as f64 * args.rate,
        sent_frames_per_second: (sent_after - sent_before) as f64 / seconds,
        ingested_frames_per_second: (after.ingested - before.ingested) / seconds,
        delivered_frames_per_second: (delivered_after - delivered_before) as f64 / seconds,
        written_frames_per_second: (after.written - before.written) / seconds,
        capture_to_browser,
        capture_to_ack,
        dropped_frames,
        writer_lag_frames: after.ingested - after.written,
        drain_seconds,
        writer_lag_after_drain_frames,
        kafka_writer_lag_records: after.kafka_lag.get("writer").copied().filter(|_| kafka),
        ingest_errors: stats.ingest_errors.get(),
        viewer_errors: stats.viewer_errors.get(),
        connection_failures: stats.connection_failures.get(),
        engine_cpu_cores,
        engine_rss_mib: process_after.map(|sample| mib(sample.rss_bytes)),
        memory_per_session_kib: per(with_sessions, idle, args.sessions),
        memory_per_viewer_kib: per(with_viewers, with_sessions, args.viewers),
        broker_cpu_cores,
        broker_rss_mib: neighbours_after.broker.map(|sample| mib(sample.rss_bytes)),
        postgres_cpu_cores,
        load_generator_cpu_cores,
        machine_cpu_busy_cores,
        other_cpu_cores,
    };
    report.print_table();
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        println!("\n  JSON report: {}", path.display());
    }
    if let Some((lines, tail)) = engine.as_ref().and_then(EngineProcess::log_summary) {
        eprintln!("\nThe engine logged {lines} warning/error line(s); the last ones:\n{tail}");
    }
    drop(engine);
    Ok(())
}
