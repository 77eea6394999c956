//! What a benchmark run measured, as a table for people and JSON for tools, and
//! the probes it reads: the engine's `/metrics` and its process in `/proc`.

use serde::Serialize;
use std::collections::BTreeMap;

/// CPU time and resident memory of a process, from `/proc` (Linux).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessSample {
    pub cpu_seconds: f64,
    pub rss_bytes: u64,
}

/// Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on Linux).
const USER_HZ: f64 = 100.0;

pub fn sample_process(pid: u32) -> Option<ProcessSample> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after ") ".
    let after_name = stat.rsplit_once(") ")?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 here.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kb: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(ProcessSample { cpu_seconds: (utime + stime) / USER_HZ, rss_bytes: rss_kb * 1024 })
}

/// CPU seconds of every process with this command name (`/proc/<pid>/comm`), by pid:
/// a server made of many processes, such as PostgreSQL's backends.
pub fn sample_named(name: &str) -> BTreeMap<u32, f64> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return BTreeMap::new() };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|comm| comm.trim() == name))
        .filter_map(|pid| Some((pid, sample_process(pid)?.cpu_seconds)))
        .collect()
}

/// CPU seconds spent between two [`sample_named`] samples (a process that started in
/// between counts from its start; one that ended in between is missed).
pub fn named_cpu_between(before: &BTreeMap<u32, f64>, after: &BTreeMap<u32, f64>) -> f64 {
    after.iter().map(|(pid, cpu)| (cpu - before.get(pid).copied().unwrap_or(0.0)).max(0.0)).sum()
}

/// Busy CPU seconds of the whole machine, all cores (`/proc/stat`: everything but
/// idle and iowait).
pub fn machine_busy_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks: Vec<f64> =
        stat.lines().next()?.strip_prefix("cpu ")?.split_whitespace().filter_map(|n| n.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal (guest time is inside user).
    let busy: f64 = ticks.iter().take(8).enumerate().filter(|(i, _)| *i != 3 && *i != 4).map(|(_, t)| t).sum();
    Some(busy / USER_HZ)
}

/// The engine's counters that the report uses, from its Prometheus text.
#[derive(Debug, Clone, Default)]
pub struct EngineCounters {
    pub ingested: f64,
    pub written: f64,
    pub dropped: BTreeMap<String, f64>,
    /// Records behind the end of the user topics, by consumer role (Kafka mode).
    pub kafka_lag: BTreeMap<String, f64>,
}

pub fn parse_metrics(text: &str) -> EngineCounters {
    let mut counters = EngineCounters::default();
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let Some((series, value)) = line.rsplit_once(' ') else { continue };
        let Ok(value) = value.parse::<f64>() else { continue };
        if series == "purplesector_frames_ingested_total" {
            counters.ingested = value;
        } else if series == "purplesector_frames_written_total" {
            counters.written = value;
        } else if let Some(labels) = series.strip_prefix("purplesector_frames_dropped_total{reason=\"") {
            counters.dropped.insert(labels.trim_end_matches("\"}").to_string(), value);
        } else if let Some(labels) = series.strip_prefix("purplesector_kafka_consumer_lag{role=\"") {
            counters.kafka_lag.insert(labels.trim_end_matches("\"}").to_string(), value);
        }
    }
    counters
}

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub samples: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// What the engine ran on, for people: "embedded (in-process bus, SQLite)",
    /// "Kafka + PostgreSQL", ...
    pub mode: String,
    /// `in-process` or `kafka`.
    pub bus: String,
    /// `sqlite` or `postgres`.
    pub store: String,
    /// Kafka mode: the brokers, and whether this run started them.
    pub broker: Option<String>,
    pub machine: String,
    pub sessions: usize,
    pub rate_hz: f64,
    pub viewers: usize,
    pub measured_seconds: f64,
    pub offered_frames_per_second: f64,
    pub sent_frames_per_second: f64,
    pub ingested_frames_per_second: f64,
    pub delivered_frames_per_second: f64,
    pub written_frames_per_second: f64,
    pub capture_to_browser: Latency,
    /// From a batch's capture stamp to its ingest acknowledgement at the load
    /// generator (with Kafka: replicated on the broker).
    pub capture_to_ack: Latency,
    pub dropped_frames: BTreeMap<String, f64>,
    /// Frames ingested but not yet written when the measurement ended.
    pub writer_lag_frames: f64,
    /// Seconds from the end of the load until the store held every frame ingested
    /// (None: not within the drain timeout).
    pub drain_seconds: Option<f64>,
    /// Frames ingested but not written when the drain ended (0 when it caught up).
    pub writer_lag_after_drain_frames: f64,
    /// Kafka mode, when the measurement ended: records of the user topics the writer
    /// had not committed yet (librdkafka's `consumer_lag`, from the committed offset,
    /// refreshed every 5 s; the writer commits every `kafka.commit_interval_ms`). The
    /// bridge commits nothing, so librdkafka reports no lag for it.
    pub kafka_writer_lag_records: Option<f64>,
    pub ingest_errors: u64,
    /// Error messages viewers received on `/ws` (a refused subscription, ...).
    pub viewer_errors: u64,
    pub connection_failures: u64,
    pub engine_cpu_cores: Option<f64>,
    pub engine_rss_mib: Option<f64>,
    pub memory_per_session_kib: Option<f64>,
    pub memory_per_viewer_kib: Option<f64>,
    /// The broker this run started (`--kafka auto`): it shares the machine's cores.
    pub broker_cpu_cores: Option<f64>,
    pub broker_rss_mib: Option<f64>,
    /// A PostgreSQL server on this machine: CPU of all its processes.
    pub postgres_cpu_cores: Option<f64>,
    /// This process: the sessions and viewers.
    pub load_generator_cpu_cores: Option<f64>,
    /// Everything on the machine (engine, broker, database, load, anything else).
    pub machine_cpu_busy_cores: Option<f64>,
    /// The machine's busy cores not accounted for above: other processes (a build
    /// running meanwhile skews every figure) and the kernel's network work.
    pub other_cpu_cores: Option<f64>,
}

impl Report {
    pub fn print_table(&self) {
        let row = |name: &str, value: String| println!("  {name:<34} {value}");
        let opt =
            |value: Option<f64>, unit: &str| value.map(|v| format!("{v:.2} {unit}")).unwrap_or_else(|| "n/a".into());
        println!();
        println!(
            "purplesector bench: {} sessions x {} Hz, {} viewers, {:.0} s measured ({}; {})",
            self.sessions, self.rate_hz, self.viewers, self.measured_seconds, self.mode, self.machine
        );
        row("offered load", format!("{:.0} frames/s", self.offered_frames_per_second));
        row("sent by the load generator", format!("{:.0} frames/s", self.sent_frames_per_second));
        row("ingested by the engine", format!("{:.0} frames/s", self.ingested_frames_per_second));
        row("delivered to viewers", format!("{:.0} frames/s", self.delivered_frames_per_second));
        row("written to the store", format!("{:.0} frames/s", self.written_frames_per_second));
        let latency = |l: &Latency, what: &str| {
            format!(
                "p50 {:.2} ms  p99 {:.2} ms  p99.9 {:.2} ms  max {:.2} ms  ({} {what})",
                l.p50_ms, l.p99_ms, l.p999_ms, l.max_ms, l.samples
            )
        };
        row("capture-to-browser latency", latency(&self.capture_to_browser, "frames"));
        row("capture-to-ingest-ack latency", latency(&self.capture_to_ack, "batches"));
        let dropped = if self.dropped_frames.is_empty() {
            "none".to_string()
        } else {
            self.dropped_frames.iter().map(|(reason, n)| format!("{reason}: {n:.0}")).collect::<Vec<_>>().join(", ")
        };
        row("frames dropped", dropped);
        row("writer lag at the end", format!("{:.0} frames", self.writer_lag_frames));
        row(
            "store caught up after the load",
            match self.drain_seconds {
                Some(seconds) => format!("in {seconds:.1} s"),
                None => format!("no: {:.0} frames still unwritten", self.writer_lag_after_drain_frames),
            },
        );
        if let Some(broker) = &self.broker {
            row(
                "Kafka lag: writer, uncommitted",
                match self.kafka_writer_lag_records {
                    Some(lag) => format!("{lag:.0} records (librdkafka statistics, every 5 s)"),
                    None => "n/a (no librdkafka statistics yet)".into(),
                },
            );
            row("Kafka brokers", broker.clone());
        }
        row("engine CPU", opt(self.engine_cpu_cores, "cores"));
        row("engine resident memory", opt(self.engine_rss_mib, "MiB"));
        row("memory per active session", opt(self.memory_per_session_kib, "KiB"));
        row("memory per viewer", opt(self.memory_per_viewer_kib, "KiB"));
        if self.broker_cpu_cores.is_some() || self.broker_rss_mib.is_some() {
            row(
                "broker CPU / resident memory",
                format!("{} / {}", opt(self.broker_cpu_cores, "cores"), opt(self.broker_rss_mib, "MiB")),
            );
        }
        if self.postgres_cpu_cores.is_some() {
            row("PostgreSQL server CPU", opt(self.postgres_cpu_cores, "cores"));
        }
        row("load generator CPU", opt(self.load_generator_cpu_cores, "cores"));
        row("whole machine CPU busy", opt(self.machine_cpu_busy_cores, "cores"));
        row("  of which anything else", opt(self.other_cpu_cores, "cores"));
        row(
            "errors: ingest/viewer/connection",
            format!("{} / {} / {}", self.ingest_errors, self.viewer_errors, self.connection_failures),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_text_is_read_by_name_and_reason() {
        let text = "# HELP x\npurplesector_frames_ingested_total 120\npurplesector_frames_written_total 100\n\
            purplesector_frames_dropped_total{reason=\"slow_viewer\"} 7\n";
        let counters = parse_metrics(text);
        assert_eq!((counters.ingested, counters.written), (120.0, 100.0));
        assert_eq!(counters.dropped.get("slow_viewer"), Some(&7.0));
        let kafka = "purplesector_kafka_consumer_lag{role=\"writer\"} 42\n\
            purplesector_kafka_consumer_lag{role=\"bridge\"} 0\n";
        let counters = parse_metrics(kafka);
        assert_eq!(counters.kafka_lag.get("writer"), Some(&42.0));
        assert_eq!(counters.kafka_lag.get("bridge"), Some(&0.0));
    }

    #[test]
    fn machine_and_named_processes_can_be_sampled() {
        assert!(machine_busy_seconds().is_some_and(|busy| busy > 0.0));
        let comm = std::fs::read_to_string("/proc/self/comm").unwrap();
        let mine = sample_named(comm.trim());
        assert!(mine.contains_key(&std::process::id()), "{mine:?}");
        assert!(named_cpu_between(&BTreeMap::new(), &mine) >= 0.0);
    }

    #[test]
    fn this_process_can_be_sampled() {
        let sample = sample_process(std::process::id()).expect("/proc is readable");
        assert!(sample.rss_bytes > 0);
    }
}
