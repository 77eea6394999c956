//! The binary's command line: help, configuration errors, `config`, `migrate` (SQLite and
//! PostgreSQL).

use crate::postgres_support::PgDatabase;
use std::process::Command;

fn purplesector() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_purplesector"));
    command.env_remove("DATABASE_URL").env_remove("KAFKA_BROKERS").env_remove("RUST_LOG");
    command
}

#[test]
fn help_lists_every_command() {
    let output = purplesector().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for command in ["serve", "collect", "emulate", "migrate", "config"] {
        assert!(help.contains(command), "{command} missing from --help:\n{help}");
    }
    let serve = String::from_utf8(purplesector().args(["serve", "--help"]).output().unwrap().stdout).unwrap();
    assert!(serve.contains("--demo") && serve.contains("--addr") && serve.contains("--data-dir"), "{serve}");
    assert!(serve.contains("--collect"), "{serve}");
    let collect = String::from_utf8(purplesector().args(["collect", "--help"]).output().unwrap().stdout).unwrap();
    assert!(
        collect.contains("--server") && collect.contains("--token") && collect.contains("--spool-dir"),
        "{collect}"
    );
}

#[test]
fn an_unknown_sim_is_refused_clearly() {
    let output = purplesector().args(["serve", "--collect", "gran-turismo"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("collect.sims") && stderr.contains("gran-turismo"), "{stderr}");
    let output = purplesector().args(["emulate", "iracing"]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8(output.stderr).unwrap().contains("unknown sim"));
}

#[test]
fn a_bad_setting_fails_at_start_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let output = purplesector()
        .current_dir(dir.path())
        .args(["serve"])
        .env("PURPLESECTOR__SERVER__ADDR", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");
    assert!(stderr.contains("server.addr"), "{stderr}");

    let broken_file = dir.path().join("broken.toml");
    std::fs::write(&broken_file, "[writer]\nbatch_frames = \"lots\"\n").unwrap();
    let output =
        purplesector().current_dir(dir.path()).arg("--config").arg(&broken_file).arg("config").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("batch_frames"), "{stderr}");
}

#[test]
fn config_prints_the_effective_settings_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let output = purplesector()
        .current_dir(dir.path())
        .arg("config")
        .env("DATABASE_URL", "sqlite:///very/secret/place.db")
        .env("PURPLESECTOR__WRITER__BATCH_FRAMES", "123")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("batch_frames = 123"), "{text}");
    assert!(text.contains("<redacted>") && !text.contains("very/secret"), "{text}");
}

#[test]
fn migrate_creates_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let output = purplesector().current_dir(dir.path()).args(["migrate"]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(dir.path().join("data/purplesector.db").is_file());
    let again = purplesector().current_dir(dir.path()).args(["migrate"]).output().unwrap();
    let text = String::from_utf8(again.stdout).unwrap();
    assert!(text.contains("0 migration(s)"), "{text}");
}

#[test]
fn migrate_on_postgres_says_which_backend_and_how_many_ran() {
    let database = PgDatabase::fresh("cli");
    let (name, url) = (database.name.clone(), database.url.clone());
    let dir = tempfile::tempdir().unwrap();
    let run = || purplesector().current_dir(dir.path()).env("DATABASE_URL", &url).arg("migrate").output().unwrap();
    let first = run();
    let second = run();
    drop(database);
    assert!(first.status.success(), "{first:?}");
    let text = String::from_utf8(first.stdout).unwrap();
    assert!(text.starts_with("postgres database ") && text.contains(&format!("/{name} ")), "{text}");
    assert!(text.contains("(3 migration(s) applied now)"), "every migration: {text}");
    assert!(String::from_utf8(second.stdout).unwrap().contains("(0 migration(s) applied now)"));
    assert!(!dir.path().join("data").exists(), "no SQLite file on the side");
}

/// `bench` runs end to end on a tiny load and writes its report (the numbers are
/// published in the README, never asserted).
#[test]
fn bench_reports_every_figure_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("bench.json");
    let output = purplesector()
        .current_dir(dir.path())
        .args([
            "bench",
            "--sessions",
            "2",
            "--viewers",
            "2",
            "--rate",
            "60",
            "--duration",
            "1",
            "--warmup",
            "1",
            "--json",
        ])
        .arg(&json)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(table.contains("capture-to-browser latency") && table.contains("written to the store"), "{table}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    for key in [
        "sent_frames_per_second",
        "ingested_frames_per_second",
        "delivered_frames_per_second",
        "written_frames_per_second",
        "capture_to_browser",
        "dropped_frames",
        "writer_lag_frames",
        "engine_cpu_cores",
        "engine_rss_mib",
        "memory_per_session_kib",
        "memory_per_viewer_kib",
    ] {
        assert!(report.get(key).is_some(), "{key} missing from {report}");
    }
    assert!(report["capture_to_browser"]["samples"].as_u64().unwrap() > 0, "viewers received frames: {report}");
    assert_eq!(report["connection_failures"], 0);
}

/// Each request's line and body, as the collector received them.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, Vec<u8>)>>>;

/// A stand-in OpenTelemetry collector: answers OTLP/HTTP requests with 200 and keeps
/// each request line and body.
fn otlp_collector() -> (u16, Received) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let store = received.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut writer = stream;
                loop {
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut length = 0usize;
                    loop {
                        let mut header = String::new();
                        reader.read_line(&mut header).unwrap();
                        if header.trim().is_empty() {
                            break;
                        }
                        if let Some((name, value)) = header.split_once(':') {
                            if name.eq_ignore_ascii_case("content-length") {
                                length = value.trim().parse().unwrap();
                            }
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    store.lock().unwrap().push((request_line.trim().to_string(), body));
                    let _ = writer.write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n",
                    );
                }
            });
        }
    });
    (port, received)
}

#[test]
fn request_spans_are_exported_over_otlp_when_a_collector_is_configured() {
    use std::io::BufRead;
    let (port, received) = otlp_collector();
    let data = tempfile::tempdir().unwrap();
    let mut child = purplesector()
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://127.0.0.1:{port}"))
        .env("PURPLESECTOR__LOG__LEVEL", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let address = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("purplesector listening on http://").map(str::to_string))
        .expect("the server announces its address");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let tokio_local = tokio::task::LocalSet::new();
    tokio_local.block_on(&runtime, async {
        for _ in 0..3 {
            let response = awc::Client::new().get(format!("http://{address}/api/sessions")).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 200);
        }
    });
    // SIGTERM: the process exports what is still batched before it exits.
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    assert!(child.wait().unwrap().success());
    let received = received.lock().unwrap();
    let traces: Vec<&(String, Vec<u8>)> =
        received.iter().filter(|(line, _)| line.starts_with("POST /v1/traces ")).collect();
    assert!(!traces.is_empty(), "spans were exported: {:?}", received.iter().map(|(line, _)| line).collect::<Vec<_>>());
    let bodies: Vec<u8> = traces.iter().flat_map(|(_, body)| body.iter().copied()).collect();
    let contains = |needle: &[u8]| bodies.windows(needle.len()).any(|window| window == needle);
    assert!(contains(b"purplesector"), "the service is named");
    assert!(contains(b"GET /api/sessions"), "the request spans are there: {}", String::from_utf8_lossy(&bodies));
}

/// `bench --kafka auto` starts its own tansu broker, runs the engine in Kafka mode
/// on a PostgreSQL database, and reports the mode, the Kafka lag and the broker's
/// CPU and memory.
#[test]
fn bench_measures_the_kafka_mode_with_a_broker_of_its_own() {
    let database = PgDatabase::fresh("bench");
    let url = database.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("bench.json");
    let mut command = purplesector();
    // The tansu the Kafka tests use, when they are told where it is.
    if let Ok(tansu) = std::env::var("PURPLESECTOR_TEST_TANSU") {
        let bin = std::path::Path::new(&tansu).parent().unwrap().to_path_buf();
        let path = std::env::var_os("PATH").unwrap_or_default();
        command.env("PATH", std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&path))).unwrap());
    }
    let output = command
        .current_dir(dir.path())
        .args(["bench", "--sessions", "2", "--viewers", "2", "--rate", "60", "--duration", "2", "--warmup", "1"])
        .args(["--kafka", "auto", "--database-url", &url, "--json"])
        .arg(&json)
        .output()
        .unwrap();
    drop(database);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(table.contains("Kafka + PostgreSQL") && table.contains("broker CPU"), "{table}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!((report["bus"].as_str(), report["store"].as_str()), (Some("kafka"), Some("postgres")), "{report}");
    assert!(report["broker"].as_str().unwrap().contains("started by the bench"), "{report}");
    for key in ["broker_cpu_cores", "broker_rss_mib", "drain_seconds", "written_frames_per_second"] {
        assert!(report[key].as_f64().is_some(), "{key} missing from {report}");
    }
    assert!(report.get("kafka_writer_lag_records").is_some(), "{report}");
    assert!(report["capture_to_browser"]["samples"].as_u64().unwrap() > 0, "viewers received frames: {report}");
    assert_eq!(report["connection_failures"], 0);
    assert_eq!(report["viewer_errors"], 0);
}

/// A hosted bind without the session key: `serve` refuses to start, naming the key.
#[test]
fn serve_on_a_public_address_without_a_session_key_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let output = purplesector()
        .current_dir(dir.path())
        .args(["serve", "--addr", "0.0.0.0:0", "--data-dir"])
        .arg(dir.path())
        .env_remove("PURPLESECTOR__AUTH__SESSION_SECRET")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("auth.session_secret") && stderr.contains("PURPLESECTOR__AUTH__SESSION_SECRET"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().filter(|line| line.contains("session_secret")).count(), 1, "one clear line: {stderr}");
}
