//! Scale-out mode against a real Kafka-protocol broker (tansu): frames go from
//! `/ingest` onto the user's topic, the writer stores them and commits its offsets
//! only after the write, the bridge streams them to the user's browsers; the
//! records are checked with a second, independent client (confluent-kafka).

use crate::accounts_support::{accounts_env, call, provision, ws_as};
use crate::helpers::{next_json, send_json, spawn_app, WsConnection};
use crate::kafka_support::{python, Broker, COMMITTED, PRODUCE_RAW, RAW_LOG, READ_TOPIC};
use crate::postgres_support::PgDatabase;
use awc::http::Method;
use awc::ws;
use futures_util::{SinkExt, StreamExt};
use prost::Message as _;
use purplesector_actors::viewer::{ViewerEvent, ViewerId};
use purplesector_engine::demo::DemoDriver;
use purplesector_engine::storage::{Store, UserId};
use purplesector_proto::v1::{
    ingest_request, ingest_response, IngestRequest, IngestResponse, Sim, TelemetryBatch, TelemetryFrame,
};
use serde_json::json;
use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `count` frames of the demo driver (seed 3), in batches of 60.
fn demo_batches(session_id: &str, count: usize) -> Vec<TelemetryBatch> {
    let mut driver = DemoDriver::new(3);
    let frames: Vec<TelemetryFrame> = (0..count).map(|_| driver.next_frame()).collect();
    frames
        .chunks(60)
        .map(|chunk| TelemetryBatch {
            session_id: session_id.into(),
            sim: Sim::Demo as i32,
            sample_rate_hz: 60.0,
            frames: chunk.to_vec(),
            track: "Purple Park".into(),
            car: "Demo GT".into(),
            track_length_m: Some(purplesector_engine::demo::DemoTrack::new().length_m() as f32),
            driver: "Kafka Tester".into(),
        })
        .collect()
}

/// The demo driver's true lap times (seed 3) completed within `count` frames.
fn true_lap_times(count: usize) -> Vec<f64> {
    let mut driver = DemoDriver::new(3);
    for _ in 0..count {
        driver.next_frame();
    }
    driver.completed_lap_times_ms().to_vec()
}

/// Sends every batch over `/ingest` at `address`, one at a time, each acknowledged.
/// The driver of every test here: the first account of a fresh deployment (the
/// built-in local user is 1).
const DRIVER: UserId = UserId(2);

pub async fn ingest_all(address: &str, token: &str, batches: &[TelemetryBatch]) {
    let (_, mut connection) = awc::Client::new()
        .ws(format!("ws://{address}/ingest"))
        .bearer_auth(token)
        .connect()
        .await
        .expect("/ingest connects");
    for batch in batches {
        let request = IngestRequest { payload: Some(ingest_request::Payload::Batch(batch.clone())) };
        connection.send(ws::Message::Binary(request.encode_to_vec().into())).await.unwrap();
        let answer = loop {
            let frame = tokio::time::timeout(Duration::from_secs(30), connection.next())
                .await
                .expect("an answer within 30 s")
                .expect("open")
                .expect("a frame");
            if let ws::Frame::Binary(bytes) = frame {
                break IngestResponse::decode(bytes).unwrap().payload.unwrap();
            }
        };
        match answer {
            ingest_response::Payload::Ack(ack) => {
                assert_eq!(ack.up_to_seq, batch.frames.last().unwrap().seq);
                assert_eq!(ack.accepted as usize, batch.frames.len());
            }
            other => panic!("expected an ack, got {other:?}"),
        }
    }
}

/// What a viewer saw of one session.
#[derive(Default, Debug)]
struct Seen {
    seqs: Vec<u64>,
    laps: Vec<u64>,
}

/// Reads a viewer's stream in the background until `until` frames were seen (or
/// 60 s passed).
fn watch(
    mut viewer: WsConnection,
    session_id: String,
    until_seq: u64,
    laps: usize,
) -> actix_rt::task::JoinHandle<Seen> {
    actix_rt::spawn(async move {
        let mut seen = Seen::default();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let message = match tokio::time::timeout(Duration::from_secs(5), next_json(&mut viewer)).await {
                Ok(message) => message,
                Err(_) => continue,
            };
            if let Some(telemetry) = message.get("telemetry") {
                if telemetry["session_id"] == session_id.as_str() {
                    for frame in telemetry["frames"].as_array().unwrap() {
                        seen.seqs.push(frame["seq"].as_u64().unwrap());
                    }
                }
            }
            if let Some(lap) = message.get("lap_completed") {
                seen.laps.push(lap["lap"]["lap_time_ms"].as_u64().unwrap_or_default());
            }
            if seen.seqs.last().copied().unwrap_or_default() >= until_seq && seen.laps.len() >= laps {
                break;
            }
        }
        seen
    })
}

/// The store at `database` (`sqlite:PATH` or `postgres://...`), already migrated.
fn store(database: &str) -> Store {
    Store::connect_url(database, Path::new(".")).expect("the store opens")
}

async fn wait_for_frames(database: &str, session_id: &str, expected: i64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (database, id) = (database.to_string(), session_id.to_string());
        let count =
            tokio::task::spawn_blocking(move || store(&database).count_frames(DRIVER, &id).unwrap_or(0)).await.unwrap();
        if count == expected {
            return;
        }
        assert!(count < expected, "{count} frames stored, more than the {expected} sent");
        assert!(Instant::now() < deadline, "{count} of {expected} frames stored within 60 s");
        actix_rt::time::sleep(Duration::from_millis(200)).await;
    }
}

#[derive(serde::Deserialize, Debug)]
struct TopicDump {
    records: Vec<serde_json::Value>,
    codecs: Vec<i64>,
    /// Where the broker says the log starts and ends (watermarks) and where it ends
    /// (read with raw fetches): shown when a check on the records fails.
    log: serde_json::Value,
}

fn read_topic(broker: &Broker, topic: &str) -> TopicDump {
    serde_json::from_str(&python(&[RAW_LOG, READ_TOPIC].concat(), &[&broker.brokers, topic]))
        .expect("the reader's JSON")
}

fn committed(broker: &Broker, group: &str, topic: &str) -> (i64, i64) {
    let output = python(&[RAW_LOG, COMMITTED].concat(), &[&broker.brokers, group, topic]);
    let mut parts = output.split_whitespace().map(|part| part.parse::<i64>().unwrap());
    (parts.next().unwrap(), parts.next().unwrap())
}

const FRAMES: usize = 13_000; // a little over two demo laps at 60 Hz

#[actix_rt::test]
async fn frames_go_through_the_users_topic_to_the_store_and_the_browser() {
    let broker = Broker::start();
    let app = spawn_app(|settings| broker.configure(settings, "one")).await;
    assert_eq!(app.user_id(), DRIVER.0);
    let address = format!("127.0.0.1:{}", app.port);
    let token = app.token().to_string();
    let batches = demo_batches("kafka-one", FRAMES);
    let true_laps = true_lap_times(FRAMES);
    assert_eq!(true_laps.len(), 2, "the demo completes two laps in {FRAMES} frames");

    // A browser first: its user's stream starts reading the topic.
    let mut viewer = app.ws("?format=json").await;
    let connected = next_json(&mut viewer).await;
    assert!(connected.get("connected").is_some(), "{connected}");
    // The first batch opens the session; the browser follows it.
    ingest_all(&address, &token, &batches[..1]).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, sessions) = app.get_json("/api/sessions").await;
        if sessions["sessions"].as_array().unwrap().iter().any(|session| session["id"] == "kafka-one") {
            break;
        }
        assert!(Instant::now() < deadline, "the writer opened the session: {sessions}");
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    }
    send_json(&mut viewer, json!({"subscribe": {"session_id": "kafka-one"}})).await;
    let seen = watch(viewer, "kafka-one".into(), FRAMES as u64, 2);
    ingest_all(&address, &token, &batches[1..]).await;

    // The writer stored every frame once, and both laps with their true times.
    let database = format!("sqlite:{}", app.data_dir.path().join("purplesector.db").display());
    wait_for_frames(&database, "kafka-one", FRAMES as i64).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let laps = loop {
        let (_, body) = app.get_json("/api/sessions/kafka-one/laps").await;
        let laps = body["laps"].as_array().unwrap().clone();
        if laps.len() >= 2 {
            break laps;
        }
        assert!(Instant::now() < deadline, "two laps stored: {body}");
        actix_rt::time::sleep(Duration::from_millis(200)).await;
    };
    for (lap, truth) in laps.iter().zip(&true_laps) {
        let stored = lap["lap_time_ms"].as_f64().unwrap();
        assert!((stored - truth).abs() <= 17.0, "lap {stored} ms vs true {truth} ms");
    }

    // The browser saw the frames in order (from when it subscribed) and both laps.
    let seen = seen.await.unwrap();
    assert!(!seen.seqs.is_empty(), "the bridge streamed frames");
    assert_eq!(*seen.seqs.last().unwrap(), FRAMES as u64, "the stream reached the last frame");
    let distinct: BTreeSet<u64> = seen.seqs.iter().copied().collect();
    assert_eq!(distinct.len(), seen.seqs.len(), "no frame twice");
    for pair in seen.seqs.windows(2) {
        assert!(pair[1] > pair[0], "in order: {} then {}", pair[0], pair[1]);
    }
    assert_eq!(seen.laps.len(), 2, "both stored laps reached the browser: {:?}", seen.laps);

    let data_dir = app.stop().await;

    // The records, as another client reads them: keyed by session, the headers, LZ4.
    let topic = "one.telemetry-user-2";
    let dump = read_topic(&broker, topic);
    let batch_records: Vec<&serde_json::Value> =
        dump.records.iter().filter(|record| record["value"]["kind"] == "batch").collect();
    let offsets: Vec<i64> = dump.records.iter().map(|record| record["offset"].as_i64().unwrap()).collect();
    assert_eq!(
        batch_records.len(),
        batches.len(),
        "one record per acknowledged batch; the log {} and the offsets read {offsets:?}",
        dump.log
    );
    let seqs: Vec<u64> = batch_records
        .iter()
        .flat_map(|record| record["value"]["seqs"].as_array().unwrap().iter().map(|seq| seq.as_u64().unwrap()))
        .collect();
    assert_eq!(seqs, (1..=FRAMES as u64).collect::<Vec<_>>(), "every frame on the topic once, in order");
    let laps_announced = dump.records.iter().filter(|record| record["value"]["kind"] == "lap").count();
    assert_eq!(laps_announced, 2, "the writer announced both stored laps on the topic");
    for record in &dump.records {
        assert_eq!(record["key"], "kafka-one");
        if record["value"]["kind"] == "batch" {
            assert_eq!(record["value"]["session_id"], "kafka-one");
        }
        assert_eq!(record["headers"]["sessionId"], "kafka-one");
        assert_eq!(record["headers"]["userId"], "2");
        assert!(record["headers"]["encoding"].as_str().unwrap().contains("purplesector.v1.BusRecord"));
    }
    assert!(!dump.codecs.is_empty(), "record batches fetched");
    assert!(dump.codecs.iter().all(|codec| *codec == 3), "every record batch LZ4-compressed: {:?}", dump.codecs);

    // The writer committed past the last batch, and only after storing it.
    let last_batch_offset = batch_records.last().unwrap()["offset"].as_i64().unwrap();
    let (committed, end) = committed(&broker, "one-writer", topic);
    assert!(committed > last_batch_offset && committed <= end, "committed {committed}, last batch {last_batch_offset}");
    drop(data_dir);
}

#[actix_rt::test]
async fn bad_records_are_counted_and_skipped_and_the_good_ones_stored() {
    let broker = Broker::start();
    let app = spawn_app(|settings| broker.configure(settings, "bad")).await;
    let address = format!("127.0.0.1:{}", app.port);
    let token = app.token().to_string();
    let batches = demo_batches("kafka-bad", 600);
    ingest_all(&address, &token, &batches[..5]).await;
    // Garbage, and a well-formed record claiming to be another user's, on the driver's topic.
    let forged_hex: String = {
        use purplesector_proto::v1::{bus_record, BusRecord};
        let record = BusRecord { payload: Some(bus_record::Payload::Batch(batches[5].clone())) };
        record.encode_to_vec().iter().map(|byte| format!("{byte:02x}")).collect()
    };
    python(
        PRODUCE_RAW,
        &[&broker.brokers, "bad.telemetry-user-2", "kafka-bad", "2", "ffffffff0102", "kafka-bad", "3", &forged_hex],
    );
    ingest_all(&address, &token, &batches[5..]).await;
    let database = format!("sqlite:{}", app.data_dir.path().join("purplesector.db").display());
    wait_for_frames(&database, "kafka-bad", 600).await;
    let metrics = app.client().get(format!("{}/metrics", app.address)).send().await.unwrap().body().await.unwrap();
    let metrics = String::from_utf8_lossy(&metrics);
    assert!(metrics.contains("purplesector_bus_records_bad_total 2"), "{metrics}");
    app.stop().await;
}

/// A `serve` process of the real binary.
struct Served {
    child: Child,
    address: String,
}

impl Served {
    /// `serve --roles ROLES` on the PostgreSQL database `database`.
    fn start(roles: &str, database: &PgDatabase, broker: &Broker, name: &str) -> Served {
        Self::start_with(roles, database, broker, name, &[])
    }

    fn start_with(roles: &str, database: &PgDatabase, broker: &Broker, name: &str, env: &[(&str, &str)]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_purplesector"))
            .args(["serve", "--addr", "127.0.0.1:0", "--roles", roles])
            .env("DATABASE_URL", &database.url)
            .env("KAFKA_BROKERS", &broker.brokers)
            .env("PURPLESECTOR__KAFKA__TOPIC_PREFIX", format!("{name}."))
            .env("PURPLESECTOR__KAFKA__CONSUMER_GROUP_PREFIX", format!("{name}-"))
            .env("PURPLESECTOR__KAFKA__COMMIT_INTERVAL_MS", "200")
            .env("PURPLESECTOR__KAFKA__METADATA_REFRESH_MS", "500")
            .env("PURPLESECTOR__LOG__LEVEL", "warn")
            .envs(accounts_env())
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let address = stdout
            .lines()
            .map_while(Result::ok)
            .find_map(|line| line.strip_prefix("purplesector listening on http://").map(str::to_string))
            .unwrap_or_else(|| panic!("`serve --roles {roles}` announces its address"));
        Served { child, address }
    }

    /// SIGTERM, and the exit status.
    fn terminate(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let status = self.child.wait().unwrap();
        std::mem::forget(self);
        status
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn status_of(url: String) -> u16 {
    awc::Client::new().get(url).send().await.map(|response| response.status().as_u16()).unwrap_or(0)
}

#[actix_rt::test]
async fn roles_run_as_separate_processes() {
    let broker = Broker::start();
    let data = PgDatabase::fresh("split");
    // The writer starts before the user's topic exists: it finds it on its own.
    let writer = Served::start("writer", &data, &broker, "split");
    let driver = provision(&data.url, "driver");
    assert_eq!(driver.user.id, DRIVER.0);
    let ingest = Served::start("ingest", &data, &broker, "split");
    // The collector sends far faster than real time (about 50x) to processes sharing
    // two cores: the bridges' bounded queues get room for that (a queue that overflows
    // drops its oldest frames by design, counted as slow_viewer or bridge_backlog).
    let roomy = [
        ("PURPLESECTOR__STREAM__VIEWER_QUEUE_MESSAGES", "20000"),
        ("PURPLESECTOR__KAFKA__BRIDGE_QUEUE_MESSAGES", "20000"),
    ];
    let bridge = Served::start_with("bridge,api", &data, &broker, "split", &roomy);
    let second_bridge = Served::start_with("bridge", &data, &broker, "split", &roomy);

    // Each process serves only its role's routes.
    assert_eq!(status_of(format!("http://{}/api/sessions", ingest.address)).await, 404);
    assert_eq!(status_of(format!("http://{}/healthz", ingest.address)).await, 200);
    assert_eq!(status_of(format!("http://{}/ws", ingest.address)).await, 404);
    // (The API process answers unknown paths with the web app, but not as a collector stream.)
    assert!(awc::Client::new().ws(format!("ws://{}/ingest", bridge.address)).connect().await.is_err());
    assert_eq!(status_of(format!("http://{}/api/sessions", writer.address)).await, 404);

    // Without a session, the bridge's stream and the API refuse.
    assert_eq!(status_of(format!("http://{}/api/sessions", bridge.address)).await, 401);
    let mut viewer = ws_as(&format!("http://{}", bridge.address), &driver.user).await;
    assert!(next_json(&mut viewer).await.get("connected").is_some());
    let batches = demo_batches("kafka-split", FRAMES);
    ingest_all(&ingest.address, &driver.token, &batches[..1]).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, sessions) =
            call(&format!("http://{}", bridge.address), Some(&driver.user), Method::GET, "/api/sessions", None).await;
        if sessions["sessions"].as_array().unwrap().iter().any(|session| session["id"] == "kafka-split") {
            break;
        }
        assert!(Instant::now() < deadline, "the writer process opened the session: {sessions}");
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    }
    send_json(&mut viewer, json!({"subscribe": {"session_id": "kafka-split"}})).await;
    let seen = watch(viewer, "kafka-split".into(), FRAMES as u64, 2);
    // Bridges side by side: each streams everything to its own browsers.
    let mut other_viewer = ws_as(&format!("http://{}", second_bridge.address), &driver.user).await;
    assert!(next_json(&mut other_viewer).await.get("connected").is_some());
    send_json(&mut other_viewer, json!({"subscribe": {"session_id": "kafka-split"}})).await;
    let other_seen = watch(other_viewer, "kafka-split".into(), FRAMES as u64, 2);
    ingest_all(&ingest.address, &driver.token, &batches[1..]).await;
    wait_for_frames(&data.url, "kafka-split", FRAMES as i64).await;
    let seen = seen.await.unwrap();
    assert_eq!(seen.seqs.last().copied(), Some(FRAMES as u64), "the bridge process streamed to the end");
    assert_eq!(seen.laps.len(), 2, "the writer's laps reached the bridge's browser: {:?}", seen.laps);
    let other_seen = other_seen.await.unwrap();
    let mut response =
        awc::Client::new().get(format!("http://{}/metrics", second_bridge.address)).send().await.unwrap();
    let metrics = String::from_utf8_lossy(&response.body().await.unwrap()).to_string();
    let drops: Vec<&str> =
        metrics.lines().filter(|line| line.starts_with("purplesector_frames_dropped_total")).collect();
    assert_eq!(other_seen.seqs.last().copied(), Some(FRAMES as u64), "the second bridge streamed to the end too");
    for pair in other_seen.seqs.windows(2) {
        assert_eq!(pair[1], pair[0] + 1, "the second bridge: in order, no gap, none twice; drops: {drops:?}");
    }
    assert_eq!(other_seen.laps.len(), 2, "and both laps");

    // SIGTERM: the writer makes what it consumed durable and commits before it exits.
    assert!(writer.terminate().success(), "the writer exits cleanly");
    let (committed, end) = committed(&broker, "split-writer", "split.telemetry-user-2");
    assert!(committed >= batches.len() as i64 && committed <= end, "committed {committed} of {end}");
    assert!(ingest.terminate().success());
    assert!(bridge.terminate().success());
    assert!(second_bridge.terminate().success());
}

#[test]
fn kafka_setup_creates_the_shared_topics_once() {
    let broker = Broker::start();
    let run = || {
        let output = Command::new(env!("CARGO_BIN_EXE_purplesector"))
            .args(["kafka", "setup"])
            .env_remove("DATABASE_URL")
            .env("KAFKA_BROKERS", &broker.brokers)
            .env("PURPLESECTOR__KAFKA__TOPIC_PREFIX", "setup.")
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let first = run();
    assert!(first.contains("created: setup.telemetry, setup.commands"), "{first}");
    let second = run();
    assert!(
        second.contains("created: -") && second.contains("already there: setup.telemetry, setup.commands"),
        "{second}"
    );
    // Without brokers it says what to set.
    let output = Command::new(env!("CARGO_BIN_EXE_purplesector"))
        .args(["kafka", "setup"])
        .env_remove("KAFKA_BROKERS")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("KAFKA_BROKERS"));
}

/// The value of a metric line (`name{labels} value`) in `/metrics`, 0 when absent.
async fn metric(app: &crate::helpers::TestApp, series: &str) -> f64 {
    let body = app.client().get(format!("{}/metrics", app.address)).send().await.unwrap().body().await.unwrap();
    String::from_utf8_lossy(&body)
        .lines()
        .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .map(|value| value.trim().parse().unwrap())
        .unwrap_or(0.0)
}

async fn wait_for_metric(app: &crate::helpers::TestApp, series: &str, expected: f64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let value = metric(app, series).await;
        if value == expected {
            return;
        }
        assert!(Instant::now() < deadline, "{series} is {value}, expected {expected}");
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_rt::test]
async fn a_users_stream_is_read_exactly_while_the_user_has_viewers() {
    let broker = Broker::start();
    let app = spawn_app(|settings| broker.configure(settings, "life")).await;
    let consumers = r#"purplesector_actors_alive{kind="topic_consumer"}"#;

    // Three browsers of one user share one stream.
    let mut viewers = Vec::new();
    for _ in 0..3 {
        let mut viewer = app.ws("?format=json").await;
        assert!(next_json(&mut viewer).await.get("connected").is_some());
        viewers.push(viewer);
    }
    wait_for_metric(&app, consumers, 1.0).await;
    wait_for_metric(&app, "purplesector_kafka_bridge_users", 1.0).await;
    // The last one leaving stops it.
    for mut viewer in viewers.drain(..) {
        let _ = viewer.send(ws::Message::Close(None)).await;
    }
    wait_for_metric(&app, consumers, 0.0).await;
    wait_for_metric(&app, "purplesector_kafka_bridge_users", 0.0).await;

    // A hundred quick visits leave nothing behind.
    for _ in 0..100 {
        let mut viewer = app.ws("?format=json").await;
        assert!(next_json(&mut viewer).await.get("connected").is_some());
        let _ = viewer.send(ws::Message::Close(None)).await;
    }
    wait_for_metric(&app, consumers, 0.0).await;
    wait_for_metric(&app, "purplesector_kafka_bridge_users", 0.0).await;
    wait_for_metric(&app, "purplesector_active_users", 0.0).await;
    app.stop().await;
}

/// Laps stored for a session, read from the store.
async fn stored_lap_times(database: &str, session_id: &str) -> Vec<u32> {
    let (database, id) = (database.to_string(), session_id.to_string());
    tokio::task::spawn_blocking(move || {
        let laps = store(&database).list_laps(DRIVER, &id).unwrap().unwrap_or_default();
        laps.iter().map(|lap| lap.lap_time_ms).collect()
    })
    .await
    .unwrap()
}

async fn wait_for_laps(database: &str, session_id: &str, expected: usize) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let laps = stored_lap_times(database, session_id).await;
        if laps.len() >= expected {
            return laps;
        }
        assert!(Instant::now() < deadline, "{} of {expected} laps of {session_id} stored", laps.len());
        actix_rt::time::sleep(Duration::from_millis(200)).await;
    }
}

const FAST_FAILOVER: &[(&str, &str)] = &[("PURPLESECTOR__KAFKA__SESSION_TIMEOUT_MS", "6000")];

#[actix_rt::test]
async fn a_writer_killed_mid_stream_loses_nothing_and_stores_nothing_twice() {
    let broker = Broker::start();
    let data = PgDatabase::fresh("crash");
    let database = data.url.clone();
    let writer = Served::start_with("writer", &data, &broker, "crash", FAST_FAILOVER);
    let driver = provision(&data.url, "driver");
    let ingest = Served::start("ingest", &data, &broker, "crash");
    let batches = demo_batches("kafka-crash", FRAMES);
    let true_laps = true_lap_times(FRAMES);

    // The first part is stored, then the writer dies without any chance to flush
    // or commit (SIGKILL) while the collector goes on.
    let split = batches.len() * 2 / 5;
    ingest_all(&ingest.address, &driver.token, &batches[..split]).await;
    let first_part: i64 = batches[..split].iter().map(|batch| batch.frames.len() as i64).sum();
    wait_for_frames(&database, "kafka-crash", first_part).await;
    drop(writer); // kill -9
    ingest_all(&ingest.address, &driver.token, &batches[split..]).await;

    // A new writer takes over from the last committed offset: re-read frames are
    // no-ops, the rest is stored, and each lap once with its true time.
    let _writer = Served::start_with("writer", &data, &broker, "crash", FAST_FAILOVER);
    wait_for_frames(&database, "kafka-crash", FRAMES as i64).await;
    let laps = wait_for_laps(&database, "kafka-crash", 2).await;
    assert_eq!(laps.len(), 2, "each lap stored once: {laps:?}");
    for (stored, truth) in laps.iter().zip(&true_laps) {
        assert!((f64::from(*stored) - truth).abs() <= 17.0, "lap {stored} ms vs true {truth} ms");
    }
    // Settle, then look again: nothing arrives twice later.
    actix_rt::time::sleep(Duration::from_secs(1)).await;
    wait_for_frames(&database, "kafka-crash", FRAMES as i64).await;
    assert_eq!(stored_lap_times(&database, "kafka-crash").await.len(), 2);
    drop(ingest);
}

#[actix_rt::test]
async fn two_writers_share_the_partitions_without_losing_or_repeating_frames() {
    let broker = Broker::start();
    let data = PgDatabase::fresh("pair");
    let database = data.url.clone();
    let env = [("PURPLESECTOR__KAFKA__USER_TOPIC_PARTITIONS", "4"), FAST_FAILOVER[0]];
    let _first = Served::start_with("writer", &data, &broker, "pair", &env);
    let driver = provision(&data.url, "driver");
    let _second = Served::start_with("writer", &data, &broker, "pair", &env);
    let ingest = Served::start_with("ingest", &data, &broker, "pair", &env);
    // Four sessions at once (keyed by session, so spread over the partitions).
    let sessions: Vec<String> = (1..=4).map(|n| format!("pair-{n}")).collect();
    let frames = 7_000; // one demo lap and a bit
    let collectors: Vec<_> = sessions
        .iter()
        .map(|session| {
            let (address, batches) = (ingest.address.clone(), demo_batches(session, frames));
            let token = driver.token.clone();
            actix_rt::spawn(async move { ingest_all(&address, &token, &batches).await })
        })
        .collect();
    for collector in collectors {
        collector.await.unwrap();
    }
    for session in &sessions {
        wait_for_frames(&database, session, frames as i64).await;
        let laps = wait_for_laps(&database, session, 1).await;
        assert_eq!(laps.len(), 1, "{session}: one lap, stored once: {laps:?}");
    }
}

/// tansu keeps its data in memory (the only storage its `dynostore` build has
/// besides S3), so a restarted tansu is an empty cluster; librdkafka's own mock
/// cluster takes a broker down and up with its log intact, which is what this
/// test needs.
#[actix_rt::test]
async fn a_broker_restart_during_ingest_loses_nothing_and_the_producer_resumes_on_its_own() {
    let cluster = rdkafka::mocking::MockCluster::new(1).expect("librdkafka's mock cluster");
    let brokers = cluster.bootstrap_servers();
    // The mock cluster has no admin API: the topic an operator would have created.
    cluster.create_topic("restart.telemetry-user-2", 1, 1).unwrap();
    let app = spawn_app(|settings| {
        settings.kafka.brokers = brokers.clone();
        settings.kafka.topic_prefix = "restart.".into();
        settings.kafka.commit_interval_ms = 200;
        settings.kafka.metadata_refresh_ms = 500;
        crate::accounts_support::accounts_mode(settings);
    })
    .await;
    assert_eq!(app.user_id(), DRIVER.0);
    let address = format!("127.0.0.1:{}", app.port);
    let token = app.token().to_string();
    let frames = 3_600;
    let batches = demo_batches("kafka-restart", frames);
    let third = batches.len() / 3;
    ingest_all(&address, &token, &batches[..third]).await;

    // The broker goes away for three seconds while the collector keeps sending.
    cluster.broker_down(1).unwrap();
    let rest = batches[third..].to_vec();
    let collector = actix_rt::spawn({
        let (address, token) = (address.clone(), token.clone());
        async move { ingest_all(&address, &token, &rest).await }
    });
    actix_rt::time::sleep(Duration::from_secs(3)).await;
    cluster.broker_up(1).unwrap();
    tokio::time::timeout(Duration::from_secs(20), collector)
        .await
        .expect("the ingest resumed after the broker came back")
        .unwrap();
    let database = format!("sqlite:{}", app.data_dir.path().join("purplesector.db").display());
    wait_for_frames(&database, "kafka-restart", frames as i64).await;
    app.stop().await;
}

/// A viewer at the actor boundary: it records every event it is sent, so a test can
/// check a whole stream without a browser's bounded queue in between (the isolation
/// matrix in `accounts.rs` checks the same through real `/ws` connections).
struct RecordingViewer(std::sync::Arc<std::sync::Mutex<Vec<ViewerEvent>>>);

impl actix::Actor for RecordingViewer {
    type Context = actix::Context<Self>;

    fn started(&mut self, ctx: &mut actix::Context<Self>) {
        // A browser's connection keeps a bounded outbox behind a roomy mailbox; this
        // stand-in keeps everything, so it needs the room too (the collector here
        // sends far faster than real time).
        ctx.set_mailbox_capacity(100_000);
    }
}

impl actix::Handler<ViewerEvent> for RecordingViewer {
    type Result = ();

    fn handle(&mut self, event: ViewerEvent, _ctx: &mut actix::Context<Self>) {
        self.0.lock().unwrap().push(event);
    }
}

/// Every frame from the first one seen to the last, once each and in order.
fn assert_complete_stream(seqs: &[u64], last: u64, subscribed_after: u64, who: &str) {
    assert!(!seqs.is_empty(), "{who}: no frames");
    assert!(
        seqs[0] <= subscribed_after + 1,
        "{who}: the stream starts at {} (subscribed after {subscribed_after})",
        seqs[0]
    );
    assert_eq!(*seqs.last().unwrap(), last, "{who}: the stream reaches the last frame");
    for pair in seqs.windows(2) {
        assert_eq!(pair[1], pair[0] + 1, "{who}: in order, no gap, none twice");
    }
}

#[actix_rt::test]
async fn two_users_each_see_all_of_their_own_frames_and_none_of_the_others() {
    use actix::Actor as _;
    use purplesector_actors::user::{ConnectViewer, Subscribe};
    use purplesector_engine::kafka::BusProducer;
    use purplesector_proto::v1::{bus_record, BusRecord};

    let broker = Broker::start();
    let database = PgDatabase::fresh("two_users");
    let app = spawn_app(|settings| {
        broker.configure(settings, "two");
        settings.storage.database_url = database.url.clone();
    })
    .await;
    let rival = store(&database.url).create_user("rival", "user").unwrap();
    let frames = 3_000;
    let own = demo_batches("own-1", frames);
    let theirs = demo_batches("rival-1", frames);

    // The rival's collector writes to Kafka directly (as `collect --kafka --user ID` does).
    let mut settings = purplesector_engine::config::Settings::default();
    broker.configure(&mut settings, "two");
    let rival_bus = BusProducer::new(&settings.kafka, "test-collector").unwrap();
    let publish = |batch: &TelemetryBatch| {
        let (bus, batch) = (rival_bus.clone(), batch.clone());
        async move {
            let record = BusRecord { payload: Some(bus_record::Payload::Batch(batch.clone())) };
            bus.publish(rival, &batch.session_id, &record).await.expect("published");
        }
    };

    // Browsers: the driver's over /ws, the rival's at the actor boundary.
    let mut browser = app.ws("?format=json").await;
    assert!(next_json(&mut browser).await.get("connected").is_some());
    let rival_events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let rival_viewer = RecordingViewer(rival_events.clone()).start();
    let rival_id = ViewerId::next();
    app.engine
        .send(ConnectViewer { owner: rival, viewer: rival_id, recipient: rival_viewer.clone().recipient() })
        .await
        .unwrap();

    // First batches open both sessions.
    ingest_all(&format!("127.0.0.1:{}", app.port), app.token(), &own[..1]).await;
    publish(&theirs[0]).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (db, rival_db) = (database.url.clone(), database.url.clone());
        let mine = tokio::task::spawn_blocking(move || store(&db).get_session(DRIVER, "own-1").unwrap()).await.unwrap();
        let their =
            tokio::task::spawn_blocking(move || store(&rival_db).get_session(rival, "rival-1").unwrap()).await.unwrap();
        if mine.is_some() && their.is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "both sessions opened by the writer");
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    }

    // Each follows its own session; the other's answers like one that does not exist.
    send_json(&mut browser, json!({"subscribe": {"session_id": "rival-1"}})).await;
    let refused = loop {
        let message = next_json(&mut browser).await;
        if let Some(session) = message.get("session_updated") {
            assert_eq!(session["session"]["id"], "own-1", "only the browser's own sessions are announced");
            continue;
        }
        break message;
    };
    assert_eq!(refused["error"]["code"], "not_found", "{refused}");
    let theirs_refused =
        app.engine.send(Subscribe { owner: rival, viewer: rival_id, session_id: "own-1".into() }).await.unwrap();
    assert!(theirs_refused.is_err(), "the rival cannot follow the driver's session");
    send_json(&mut browser, json!({"subscribe": {"session_id": "own-1"}})).await;
    app.engine.send(Subscribe { owner: rival, viewer: rival_id, session_id: "rival-1".into() }).await.unwrap().unwrap();
    let seen = watch(browser, "own-1".into(), frames as u64, 0);

    // Both collectors stream at once.
    let address = format!("127.0.0.1:{}", app.port);
    let token = app.token().to_string();
    let own_rest = own[1..].to_vec();
    let mine = actix_rt::spawn(async move { ingest_all(&address, &token, &own_rest).await });
    for batch in &theirs[1..] {
        publish(batch).await;
    }
    mine.await.unwrap();

    // The driver's browser: all of its frames, in order, and nothing of the rival's.
    let seen = seen.await.unwrap();
    assert_complete_stream(&seen.seqs, frames as u64, 60, "the driver's browser");
    // The rival's viewer: all of its frames, in order, and nothing of the driver's.
    let deadline = Instant::now() + Duration::from_secs(30);
    let rival_seqs = loop {
        let events = rival_events.lock().unwrap().clone();
        let mut seqs = Vec::new();
        for event in &events {
            match event {
                ViewerEvent::Frames { session_id, frames, .. } => {
                    assert_eq!(&**session_id, "rival-1", "the rival saw another session's frames");
                    seqs.extend(frames.iter().map(|frame| frame.seq));
                }
                ViewerEvent::SessionUpdated(session) => assert_ne!(session.id, "own-1"),
                ViewerEvent::LapCompleted(lap) => assert_eq!(lap.session_id, "rival-1"),
            }
        }
        if seqs.last() == Some(&(frames as u64)) {
            break seqs;
        }
        assert!(
            Instant::now() < deadline,
            "the rival's stream reached its last frame ({:?}); events: {:?}",
            seqs.last(),
            events
                .iter()
                .map(|event| match event {
                    ViewerEvent::Frames { frames, catch_up, .. } =>
                        format!("frames {} catch_up {catch_up}", frames.len()),
                    other => format!("{other:?}"),
                })
                .collect::<Vec<_>>()
        );
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    };
    assert_complete_stream(&rival_seqs, frames as u64, 60, "rival's viewer");

    // Stored under their owners only.
    wait_for_frames(&database.url, "own-1", frames as i64).await;
    let (db, id) = (database.url.clone(), "rival-1");
    let rival_frames = tokio::task::spawn_blocking(move || store(&db).count_frames(rival, id).unwrap()).await.unwrap();
    assert_eq!(rival_frames, frames as i64);
    let db = database.url.clone();
    let leaked =
        tokio::task::spawn_blocking(move || store(&db).count_frames(DRIVER, "rival-1").unwrap()).await.unwrap();
    assert_eq!(leaked, 0, "the rival's frames are not the driver's");
    app.stop().await;
}

#[actix_rt::test]
async fn a_viewer_joining_mid_lap_gets_the_lap_from_its_start() {
    let broker = Broker::start();
    let app = spawn_app(|settings| broker.configure(settings, "midlap")).await;
    // A lap and a half with nobody watching: the bridge is not reading this user.
    let frames = 9_000;
    let batches = demo_batches("kafka-midlap", frames);
    ingest_all(&format!("127.0.0.1:{}", app.port), app.token(), &batches).await;
    let database = format!("sqlite:{}", app.data_dir.path().join("purplesector.db").display());
    wait_for_frames(&database, "kafka-midlap", frames as i64).await;
    let db = database.clone();
    let laps = tokio::task::spawn_blocking(move || store(&db).list_laps(DRIVER, "kafka-midlap").unwrap().unwrap())
        .await
        .unwrap();
    let lap_start = laps.last().expect("a completed lap").last_seq + 1;

    // A browser arrives: the bridge starts the user's stream from five minutes back
    // and the session's lap in progress is rebuilt from the bus.
    let mut viewer = app.ws("?format=json").await;
    assert!(next_json(&mut viewer).await.get("connected").is_some());
    let deadline = Instant::now() + Duration::from_secs(30);
    let catch_up = loop {
        send_json(&mut viewer, json!({"subscribe": {"session_id": "kafka-midlap"}})).await;
        // The lap so far arrives in catch_up messages of bounded size, in order.
        let mut catch_up: Vec<serde_json::Value> = Vec::new();
        loop {
            let message = match tokio::time::timeout(Duration::from_secs(1), next_json(&mut viewer)).await {
                Ok(message) => message,
                Err(_) => break,
            };
            if message["telemetry"]["catch_up"] == true {
                let chunk = message["telemetry"]["frames"].as_array().unwrap();
                catch_up.extend(chunk.iter().cloned());
                if chunk.is_empty() || catch_up.last().and_then(|frame| frame["seq"].as_u64()) == Some(frames as u64) {
                    break;
                }
            }
        }
        if catch_up.last().and_then(|frame| frame["seq"].as_u64()) == Some(frames as u64) {
            break catch_up;
        }
        assert!(Instant::now() < deadline, "the bridge rebuilt the lap in progress");
        send_json(&mut viewer, json!({"unsubscribe": {"session_id": "kafka-midlap"}})).await;
        actix_rt::time::sleep(Duration::from_millis(200)).await;
    };
    let first = catch_up[0]["seq"].as_u64().unwrap();
    assert!(
        first.abs_diff(lap_start) <= 1,
        "the lap in progress from its start: seq {first}, lap started at {lap_start}"
    );
    assert_eq!(catch_up.len() as u64, frames as u64 - first + 1, "every frame of the lap so far");
    app.stop().await;
}

/// `collect demo --kafka BROKERS --user 1`: a collector writing straight to the
/// user's topic, no engine in between; the writer stores what it sent.
#[actix_rt::test]
async fn collect_with_kafka_writes_to_the_users_topic_and_the_writer_stores_it() {
    let broker = Broker::start();
    let app = spawn_app(|settings| broker.configure(settings, "direct")).await;
    let mut collector = Command::new(env!("CARGO_BIN_EXE_purplesector"))
        .args(["collect", "demo", "--kafka", &broker.brokers, "--user", "2", "--speed", "20"])
        .env_remove("DATABASE_URL")
        .env("PURPLESECTOR__KAFKA__TOPIC_PREFIX", "direct.")
        .env("PURPLESECTOR__LOG__LEVEL", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let banner = std::io::BufReader::new(collector.stdout.take().unwrap()).lines().next().unwrap().unwrap();
    assert!(banner.contains("into Kafka") && banner.contains("direct.telemetry-user-2"), "{banner}");
    // Let it drive for a while, then stop it as a user would.
    let deadline = Instant::now() + Duration::from_secs(30);
    let session = loop {
        let (_, sessions) = app.get_json("/api/sessions").await;
        if let Some(session) = sessions["sessions"].as_array().unwrap().first() {
            break session["id"].as_str().unwrap().to_string();
        }
        assert!(Instant::now() < deadline, "the writer opened the collector's session");
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    };
    actix_rt::time::sleep(Duration::from_secs(2)).await;
    let _ = Command::new("kill").args(["-TERM", &collector.id().to_string()]).status();
    assert!(collector.wait().unwrap().success(), "the collector stops cleanly");

    // Everything it put on the topic is stored: the topic's frames, counted by the
    // second client, equal the store's.
    let dump = read_topic(&broker, "direct.telemetry-user-2");
    let sent: usize = dump
        .records
        .iter()
        .filter(|record| record["value"]["kind"] == "batch")
        .map(|record| record["value"]["seqs"].as_array().unwrap().len())
        .sum();
    assert!(sent > 600, "two seconds at 20x of 60 Hz: {sent} frames");
    assert!(dump.records.iter().all(|record| record["headers"]["userId"] == "2"));
    let database = format!("sqlite:{}", app.data_dir.path().join("purplesector.db").display());
    wait_for_frames(&database, &session, sent as i64).await;
    app.stop().await;
}

/// The isolation matrix of `accounts.rs` in Kafka + PostgreSQL mode: two users who
/// signed up, each driving over `/ingest` with their own token; B reaches nothing of
/// A's through the API (served from PostgreSQL), the bridge's `/ws` or the ingest,
/// and A's topic holds only A's records.
#[actix_rt::test]
async fn another_user_can_reach_nothing_of_a_users_data_with_kafka_and_postgres() {
    use crate::accounts::{isolation_matrix, wait_for_laps, Driven};
    use crate::accounts_support::{create_token, signup};
    let broker = Broker::start();
    let database = PgDatabase::fresh("isolation");
    let app = spawn_app(|settings| {
        broker.configure(settings, "iso");
        settings.storage.database_url = database.url.clone();
    })
    .await;
    let address = format!("127.0.0.1:{}", app.port);
    let alice = signup(&app.address, "alice").await;
    let bob = signup(&app.address, "bob").await;
    let (_, alice_token) = create_token(&app.address, &alice, "alice's rig").await;
    let (_, bob_token) = create_token(&app.address, &bob, "bob's rig").await;
    ingest_all(&address, &alice_token, &demo_batches("iso-alice", 7_000)).await;
    ingest_all(&address, &bob_token, &demo_batches("iso-bob", 7_000)).await;
    let a = Driven { session: "iso-alice".into(), laps: wait_for_laps(&app.address, &alice, "iso-alice", 1).await };
    let b = Driven { session: "iso-bob".into(), laps: wait_for_laps(&app.address, &bob, "iso-bob", 1).await };
    isolation_matrix(&app.address, &app.address, &database.url, (&alice, &a), (&bob, &b)).await;
    app.stop().await;

    // On the bus: A's topic holds A's records only; B's attempt went to B's own topic.
    let dump = read_topic(&broker, &format!("iso.telemetry-user-{}", alice.id));
    assert!(!dump.records.is_empty());
    for record in &dump.records {
        assert_eq!(record["headers"]["userId"], alice.id.to_string(), "{record}");
        assert_eq!(record["key"], "iso-alice", "{record}");
    }
    let dump = read_topic(&broker, &format!("iso.telemetry-user-{}", bob.id));
    let bob_id = bob.id.to_string();
    assert!(dump.records.iter().all(|record| record["headers"]["userId"] == bob_id.as_str()));
    assert!(dump.records.iter().any(|record| record["key"] == "iso-alice"), "B's try at A's session is on B's topic");
}
