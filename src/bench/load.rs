//! The load: sessions that stream the demo driver's frames over `/ingest` at a
//! fixed rate, and viewers that follow them over `/ws` and time every frame from
//! capture (the generator's clock when it made the frame) to arrival.

use awc::ws;
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use prost::Message as _;
use purplesector_engine::demo::{self, DemoDriver};
use purplesector_proto::v1::{
    client_message, ingest_request, ingest_response, server_message, ClientMessage, IngestRequest, IngestResponse,
    ServerMessage, Sim, Subscribe, TelemetryBatch,
};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How the load signs in to an engine in accounts mode: the session cookie for the
/// viewers' `/ws`, an ingest token for the sessions' `/ingest`. Both `None` for an
/// engine in local mode.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub cookie: Option<String>,
    pub token: Option<String>,
    /// Prefix of this run's session ids: session ids are global, and another run's
    /// sessions on the same server belong to another bench user.
    pub session_prefix: String,
}

impl Credentials {
    /// Asks the engine its auth mode; in accounts mode signs a fresh user up (the
    /// engine's sign-up must be open) and makes it an ingest token.
    pub async fn sign_in(server: &str) -> anyhow::Result<Credentials> {
        let base = server.trim_end_matches('/');
        let client = awc::Client::builder().timeout(Duration::from_secs(30)).finish();
        let mut response = client
            .get(format!("{base}/api/auth/me"))
            .send()
            .await
            .map_err(|error| anyhow::anyhow!("{}: {error}", "asking the auth mode"))?;
        let me: serde_json::Value =
            response.json().await.map_err(|error| anyhow::anyhow!("{}: {error}", "reading /api/auth/me"))?;
        if me["mode"] != "accounts" {
            return Ok(Credentials { cookie: None, token: None, session_prefix: "bench".into() });
        }
        let suffix: u64 = rand::random();
        let username = format!("bench-{:08x}", suffix as u32);
        let password = format!("{:032x}", u128::from(suffix) << 64 | u128::from(rand::random::<u64>()));
        let mut response = client
            .post(format!("{base}/api/auth/signup"))
            .send_json(&serde_json::json!({"username": username, "password": password}))
            .await
            .map_err(|error| anyhow::anyhow!("{}: {error}", "signing the bench user up"))?;
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .filter_map(|value| value.to_str().ok())
            .find_map(|cookie| cookie.split(';').next()?.strip_prefix("ps_session=").map(String::from));
        let body: serde_json::Value =
            response.json().await.map_err(|error| anyhow::anyhow!("{}: {error}", "reading the sign-up answer"))?;
        let (Some(cookie), Some(csrf)) = (cookie, body["csrf_token"].as_str()) else {
            anyhow::bail!("the engine runs in accounts mode and refused the bench's sign-up: {body}");
        };
        let mut response = client
            .post(format!("{base}/api/tokens"))
            .insert_header(("Cookie", format!("ps_session={cookie}")))
            .insert_header(("X-CSRF-Token", csrf.to_string()))
            .send_json(&serde_json::json!({"name": "bench"}))
            .await
            .map_err(|error| anyhow::anyhow!("{}: {error}", "creating the bench's ingest token"))?;
        let body: serde_json::Value =
            response.json().await.map_err(|error| anyhow::anyhow!("{}: {error}", "reading the token"))?;
        let token = body["secret"].as_str().map(String::from);
        anyhow::ensure!(token.is_some(), "the engine refused the bench an ingest token: {body}");
        Ok(Credentials { cookie: Some(cookie), token, session_prefix: username })
    }
}

/// How often a session sends a batch (a collector's default).
pub const BATCH_INTERVAL: Duration = Duration::from_millis(50);

/// Counters shared by every task of the load generator (one thread).
pub struct LoadStats {
    pub frames_sent: Cell<u64>,
    pub batches_acked: Cell<u64>,
    pub ingest_errors: Cell<u64>,
    /// Error messages viewers received (a refused subscription, ...).
    pub viewer_errors: Cell<u64>,
    pub frames_delivered: Cell<u64>,
    pub sessions_connected: Cell<u64>,
    pub viewers_subscribed: Cell<u64>,
    pub connection_failures: Cell<u64>,
    /// Capture-to-arrival latency in microseconds, while `recording`.
    pub latency_us: RefCell<Histogram<u64>>,
    /// Capture-to-acknowledgement latency of ingest batches in microseconds, while
    /// `recording` (with Kafka: until the batch is replicated on the broker).
    pub ack_latency_us: RefCell<Histogram<u64>>,
    pub recording: Cell<bool>,
    pub stop: Cell<bool>,
}

impl LoadStats {
    pub fn new() -> Rc<LoadStats> {
        let zero = || Cell::new(0);
        Rc::new(LoadStats {
            frames_sent: zero(),
            batches_acked: zero(),
            ingest_errors: zero(),
            viewer_errors: zero(),
            frames_delivered: zero(),
            sessions_connected: zero(),
            viewers_subscribed: zero(),
            connection_failures: zero(),
            latency_us: RefCell::new(Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds")),
            ack_latency_us: RefCell::new(Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds")),
            recording: Cell::new(false),
            stop: Cell::new(false),
        })
    }
}

fn now_us() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|now| now.as_micros() as u64).unwrap_or_default()
}

fn ws_url(server: &str, path: &str) -> String {
    let base = server.trim_end_matches('/').replacen("https://", "wss://", 1).replacen("http://", "ws://", 1);
    format!("{base}{path}")
}

pub fn session_id(prefix: &str, index: usize) -> String {
    format!("{prefix}-{index:05}")
}

/// One session: a demo car streaming at `rate_hz` over its own `/ingest` connection.
pub async fn drive_session(
    server: String,
    credentials: Rc<Credentials>,
    index: usize,
    rate_hz: f64,
    stats: Rc<LoadStats>,
) {
    let mut request = awc::Client::builder().timeout(Duration::from_secs(30)).finish().ws(ws_url(&server, "/ingest"));
    if let Some(token) = &credentials.token {
        request = request.bearer_auth(token);
    }
    let connection = request.max_frame_size(1 << 20).connect().await;
    let Ok((_, framed)) = connection else {
        stats.connection_failures.set(stats.connection_failures.get() + 1);
        return;
    };
    stats.sessions_connected.set(stats.sessions_connected.get() + 1);
    let (mut sink, mut stream) = framed.split();
    // Capture stamps of the batches sent and not yet answered: the engine answers
    // every request once, in order.
    let in_flight: Rc<RefCell<VecDeque<u64>>> = Rc::default();
    let reader = {
        let stats = stats.clone();
        let in_flight = in_flight.clone();
        actix_rt::spawn(async move {
            while let Some(Ok(frame)) = stream.next().await {
                if let ws::Frame::Binary(bytes) = frame {
                    let sent = in_flight.borrow_mut().pop_front();
                    if let (Some(captured), true) = (sent, stats.recording.get()) {
                        let _ = stats.ack_latency_us.borrow_mut().record(now_us().saturating_sub(captured).max(1));
                    }
                    match IngestResponse::decode(bytes).ok().and_then(|response| response.payload) {
                        Some(ingest_response::Payload::Ack(_)) => {
                            stats.batches_acked.set(stats.batches_acked.get() + 1)
                        }
                        Some(ingest_response::Payload::Error(_)) => {
                            stats.ingest_errors.set(stats.ingest_errors.get() + 1)
                        }
                        _ => {}
                    }
                }
            }
        })
    };
    let mut driver = DemoDriver::new(index as u64 + 1);
    let session_id = session_id(&credentials.session_prefix, index);
    let track_length = driver.track().length_m() as f32;
    let mut ticker = actix_rt::time::interval(BATCH_INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let started = std::time::Instant::now();
    let mut sent: u64 = 0;
    while !stats.stop.get() {
        ticker.tick().await;
        let due = (started.elapsed().as_secs_f64() * rate_hz) as u64;
        let count = due.saturating_sub(sent);
        if count == 0 {
            continue;
        }
        let captured_at_us = now_us();
        let frames = (0..count)
            .map(|_| {
                let mut frame = driver.next_frame();
                frame.captured_at_us = captured_at_us;
                frame
            })
            .collect();
        sent += count;
        let batch = TelemetryBatch {
            session_id: session_id.clone(),
            sim: Sim::Demo as i32,
            sample_rate_hz: rate_hz as f32,
            frames,
            track: demo::TRACK_NAME.into(),
            car: demo::CAR_NAME.into(),
            track_length_m: Some(track_length),
            driver: format!("Bench {index}"),
        };
        let request = IngestRequest { payload: Some(ingest_request::Payload::Batch(batch)) };
        in_flight.borrow_mut().push_back(captured_at_us);
        if sink.send(ws::Message::Binary(request.encode_to_vec().into())).await.is_err() {
            stats.connection_failures.set(stats.connection_failures.get() + 1);
            break;
        }
        stats.frames_sent.set(stats.frames_sent.get() + count);
    }
    let _ = sink.close().await;
    reader.abort();
}

/// One browser: follows `session` over `/ws` (binary protobuf) and times frames.
pub async fn view(server: String, credentials: Rc<Credentials>, session: String, stats: Rc<LoadStats>) {
    let mut request = awc::Client::builder().timeout(Duration::from_secs(30)).finish().ws(ws_url(&server, "/ws"));
    if let Some(cookie) = &credentials.cookie {
        request = request.header("Cookie", format!("ps_session={cookie}"));
    }
    let connection = request.max_frame_size(16 << 20).connect().await;
    let Ok((_, mut framed)) = connection else {
        stats.connection_failures.set(stats.connection_failures.get() + 1);
        return;
    };
    let subscribe =
        ClientMessage { payload: Some(client_message::Payload::Subscribe(Subscribe { session_id: session })) };
    if framed.send(ws::Message::Binary(subscribe.encode_to_vec().into())).await.is_err() {
        return;
    }
    stats.viewers_subscribed.set(stats.viewers_subscribed.get() + 1);
    while let Some(Ok(frame)) = framed.next().await {
        if stats.stop.get() {
            break;
        }
        match frame {
            ws::Frame::Binary(bytes) => {
                let Ok(message) = ServerMessage::decode(bytes) else { continue };
                if let Some(server_message::Payload::Error(_)) = message.payload {
                    stats.viewer_errors.set(stats.viewer_errors.get() + 1);
                    continue;
                }
                if let Some(server_message::Payload::Telemetry(telemetry)) = message.payload {
                    if telemetry.catch_up {
                        continue;
                    }
                    let arrived = now_us();
                    stats.frames_delivered.set(stats.frames_delivered.get() + telemetry.frames.len() as u64);
                    if stats.recording.get() {
                        let mut histogram = stats.latency_us.borrow_mut();
                        for frame in &telemetry.frames {
                            let _ = histogram.record(arrived.saturating_sub(frame.captured_at_us).max(1));
                        }
                    }
                }
            }
            ws::Frame::Ping(payload) => {
                let _ = framed.send(ws::Message::Pong(payload)).await;
            }
            ws::Frame::Close(_) => break,
            _ => {}
        }
    }
}
