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

mod load;
mod report;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use load::LoadStats;
use report::{parse_metrics, sample_process, EngineCounters, Latency, ProcessSample, Report};
use std::io::BufRead;
use std::path::PathBuf;
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
}

/// An engine this run started, stopped when dropped.
struct EngineProcess {
    child: Child,
    url: String,
    _data: tempfile::TempDir,
}

impl EngineProcess {
    fn start() -> anyhow::Result<EngineProcess> {
        let data = tempfile::tempdir().context("creating the engine's temporary data directory")?;
        let exe = std::env::current_exe().context("locating this binary")?;
        let mut child = Command::new(exe)
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data.path())
            .env("PURPLESECTOR__LOG__LEVEL", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting the engine")?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (found, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("purplesector listening on ") {
                    let _ = found.send(url.trim().to_string());
                }
            }
        });
        let url = receive.recv_timeout(Duration::from_secs(30)).context("the engine did not start listening")?;
        Ok(EngineProcess { child, url, _data: data })
    }

    fn pid(&self) -> u32 {
        self.child.id()
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

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.sessions == 0 || !(args.rate > 0.0 && args.rate <= 10_000.0) || args.duration == 0 {
        anyhow::bail!("--sessions and --duration must be at least 1 and --rate in (0, 10000]");
    }
    actix_rt::System::new().block_on(async move {
        let engine = match &args.server {
            Some(_) => None,
            None => Some(EngineProcess::start()?),
        };
        let server =
            engine.as_ref().map(|engine| engine.url.clone()).or(args.server.clone()).expect("one or the other");
        let pid = engine.as_ref().map(EngineProcess::pid);
        let sample = || pid.and_then(sample_process);
        actix_rt::time::sleep(Duration::from_millis(500)).await;
        let idle = sample();

        let stats = LoadStats::new();
        for index in 0..args.sessions {
            actix_rt::spawn(load::drive_session(server.clone(), index, args.rate, stats.clone()));
        }
        let sessions = args.sessions as u64;
        wait_for("the sessions to connect", Duration::from_secs(60), || {
            stats.sessions_connected.get() + stats.connection_failures.get() >= sessions
        })
        .await?;
        // Every session has sent and had a batch acknowledged: all are open.
        wait_for("every session to open", Duration::from_secs(60), || stats.batches_acked.get() >= sessions).await?;
        actix_rt::time::sleep(Duration::from_secs(1)).await;
        let with_sessions = sample();

        for viewer in 0..args.viewers {
            let session = load::session_id(viewer % args.sessions);
            actix_rt::spawn(load::view(server.clone(), session, stats.clone()));
        }
        let viewers = args.viewers as u64;
        wait_for("the viewers to subscribe", Duration::from_secs(60), || {
            stats.viewers_subscribed.get() + stats.connection_failures.get() >= viewers
        })
        .await?;

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
        let (sent_after, delivered_after) = (stats.frames_sent.get(), stats.frames_delivered.get());
        bar.finish_and_clear();
        stats.stop.set(true);

        let histogram = stats.latency_us.borrow();
        let ms = |us: u64| us as f64 / 1000.0;
        let capture_to_browser = Latency {
            samples: histogram.len(),
            p50_ms: ms(histogram.value_at_quantile(0.50)),
            p99_ms: ms(histogram.value_at_quantile(0.99)),
            p999_ms: ms(histogram.value_at_quantile(0.999)),
            max_ms: ms(histogram.max()),
        };
        let dropped_frames = after
            .dropped
            .iter()
            .map(|(reason, count)| (reason.clone(), count - before.dropped.get(reason).copied().unwrap_or(0.0)))
            .filter(|(_, count)| *count > 0.0)
            .collect();
        let cpu = match (process_before, process_after) {
            (Some(ProcessSample { cpu_seconds: a, .. }), Some(ProcessSample { cpu_seconds: b, .. })) => {
                Some((b - a) / seconds)
            }
            _ => None,
        };
        let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
        let per = |later: Option<ProcessSample>, earlier: Option<ProcessSample>, count: usize| match (later, earlier) {
            (Some(later), Some(earlier)) if count > 0 => {
                Some((later.rss_bytes as f64 - earlier.rss_bytes as f64) / 1024.0 / count as f64)
            }
            _ => None,
        };
        let report = Report {
            mode: "embedded (in-process bus, SQLite)".into(),
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
            dropped_frames,
            writer_lag_frames: after.ingested - after.written,
            ingest_errors: stats.ingest_errors.get(),
            connection_failures: stats.connection_failures.get(),
            engine_cpu_cores: cpu,
            engine_rss_mib: process_after.map(|sample| mib(sample.rss_bytes)),
            memory_per_session_kib: per(with_sessions, idle, args.sessions),
            memory_per_viewer_kib: per(with_viewers, with_sessions, args.viewers),
        };
        report.print_table();
        if let Some(path) = &args.json {
            std::fs::write(path, serde_json::to_string_pretty(&report)? + "\n")
                .with_context(|| format!("writing {}", path.display()))?;
            println!("\n  JSON report: {}", path.display());
        }
        drop(engine);
        Ok(())
    })
}
