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

/// The engine's counters that the report uses, from its Prometheus text.
#[derive(Debug, Clone, Default)]
pub struct EngineCounters {
    pub ingested: f64,
    pub written: f64,
    pub dropped: BTreeMap<String, f64>,
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
    pub mode: String,
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
    pub dropped_frames: BTreeMap<String, f64>,
    pub writer_lag_frames: f64,
    pub ingest_errors: u64,
    pub connection_failures: u64,
    pub engine_cpu_cores: Option<f64>,
    pub engine_rss_mib: Option<f64>,
    pub memory_per_session_kib: Option<f64>,
    pub memory_per_viewer_kib: Option<f64>,
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
        let l = &self.capture_to_browser;
        row(
            "capture-to-browser latency",
            format!(
                "p50 {:.2} ms  p99 {:.2} ms  p99.9 {:.2} ms  max {:.2} ms  ({} frames)",
                l.p50_ms, l.p99_ms, l.p999_ms, l.max_ms, l.samples
            ),
        );
        let dropped = if self.dropped_frames.is_empty() {
            "none".to_string()
        } else {
            self.dropped_frames.iter().map(|(reason, n)| format!("{reason}: {n:.0}")).collect::<Vec<_>>().join(", ")
        };
        row("frames dropped", dropped);
        row("writer lag at the end", format!("{:.0} frames", self.writer_lag_frames));
        row("engine CPU", opt(self.engine_cpu_cores, "cores"));
        row("engine resident memory", opt(self.engine_rss_mib, "MiB"));
        row("memory per active session", opt(self.memory_per_session_kib, "KiB"));
        row("memory per viewer", opt(self.memory_per_viewer_kib, "KiB"));
        row("ingest errors / failed connections", format!("{} / {}", self.ingest_errors, self.connection_failures));
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
    }

    #[test]
    fn this_process_can_be_sampled() {
        let sample = sample_process(std::process::id()).expect("/proc is readable");
        assert!(sample.rss_bytes > 0);
    }
}
