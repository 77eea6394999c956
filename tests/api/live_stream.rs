//! The live stream and the stored laps of the demo driver, end to end over real
//! sockets.

use crate::helpers::{demo_session_id, next_json, send_json, spawn_app, spawn_app_in};
use awc::ws;
use futures_util::{SinkExt, StreamExt};
use prost::Message as _;
use purplesector_engine::demo::DemoDriver;
use purplesector_proto::v1::{server_message, ServerMessage};
use serde_json::json;
use std::time::{Duration, Instant};

const SEED: u64 = 7;

#[actix_rt::test]
async fn a_viewer_receives_the_demo_stream_in_order_without_gaps() {
    let app = spawn_app(|settings| {
        settings.demo.enabled = true;
        settings.demo.speed = 10.0;
    })
    .await;
    let mut connection = app.ws("?format=json").await;
    let connected = next_json(&mut connection).await;
    assert_eq!(connected["connected"]["user_id"], 1);
    let session_id = demo_session_id(&connected);
    send_json(&mut connection, json!({"subscribe": {"session_id": session_id}})).await;

    let mut seqs: Vec<u64> = Vec::new();
    let mut saw_catch_up = false;
    while seqs.len() < 600 {
        let message = next_json(&mut connection).await;
        let Some(telemetry) = message.get("telemetry") else { continue };
        assert_eq!(telemetry["session_id"], session_id.as_str());
        if telemetry["catch_up"] == true {
            assert!(seqs.is_empty(), "the lap so far comes first");
            saw_catch_up = true;
        }
        for frame in telemetry["frames"].as_array().unwrap() {
            seqs.push(frame["seq"].as_u64().unwrap());
            assert!(frame["speed_kmh"].as_f64().unwrap() > 0.0);
        }
    }
    assert!(saw_catch_up, "a catch_up message answered the subscribe");
    for pair in seqs.windows(2) {
        assert_eq!(pair[1], pair[0] + 1, "frames in order without a gap");
    }
    app.stop().await;
}

/// The true lap times of the demo driver for the first `laps` laps.
fn true_lap_times(seed: u64, laps: usize) -> Vec<f64> {
    let mut driver = DemoDriver::new(seed);
    while driver.completed_lap_times_ms().len() < laps {
        driver.next_frame();
    }
    driver.completed_lap_times_ms()[..laps].to_vec()
}

#[actix_rt::test]
async fn completed_laps_are_stored_with_true_lap_times_and_survive_a_restart() {
    let app = spawn_app(|settings| {
        settings.demo.enabled = true;
        settings.demo.seed = SEED;
        settings.demo.speed = 40.0;
    })
    .await;
    let (_, sessions) = app.get_json("/api/sessions").await;
    let session_id = sessions["sessions"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(sessions["sessions"][0]["live"], true);

    let deadline = Instant::now() + Duration::from_secs(120);
    let laps = loop {
        let (status, body) = app.get_json(&format!("/api/sessions/{session_id}/laps")).await;
        assert_eq!(status, 200);
        let laps = body["laps"].as_array().unwrap().clone();
        if laps.len() >= 2 {
            break laps;
        }
        assert!(Instant::now() < deadline, "two laps within two minutes; got {body}");
        actix_rt::time::sleep(Duration::from_millis(250)).await;
    };
    let truth = true_lap_times(SEED, 2);
    for (lap, true_ms) in laps.iter().zip(&truth) {
        let stored = lap["lap_time_ms"].as_f64().unwrap();
        assert!((stored - true_ms).abs() <= 17.0, "lap {lap} vs true {true_ms} ms");
        assert_eq!(lap["valid"], true);
        assert_eq!(lap["out_lap"], false);
    }

    // Every frame of a lap is stored and served as columns and as CSV.
    let lap_id = laps[1]["id"].as_i64().unwrap();
    let frame_count = laps[1]["last_seq"].as_u64().unwrap() - laps[1]["first_seq"].as_u64().unwrap() + 1;
    let (status, telemetry) = app.get_json(&format!("/api/laps/{lap_id}/telemetry")).await;
    assert_eq!(status, 200);
    let speed = telemetry["channels"]["speed_kmh"].as_array().unwrap();
    assert_eq!(speed.len() as u64, frame_count);
    let distance = telemetry["channels"]["lap_distance_m"].as_array().unwrap();
    assert!(distance.first().unwrap().as_f64().unwrap() < 100.0);
    assert!(distance.last().unwrap().as_f64().unwrap() > 1000.0);
    let mut csv = app.client().get(format!("{}/api/laps/{lap_id}/telemetry.csv", app.address)).send().await.unwrap();
    assert_eq!(csv.status().as_u16(), 200);
    let csv = String::from_utf8(csv.body().limit(64 << 20).await.unwrap().to_vec()).unwrap();
    assert!(csv.starts_with("seq,session_time_ms,"));
    assert_eq!(csv.lines().count() as u64, frame_count + 1);

    // A restarted server (no demo) still lists the session and its laps.
    let data_dir = app.stop().await;
    let app = spawn_app_in(data_dir, |_| {}).await;
    let (_, session) = app.get_json(&format!("/api/sessions/{session_id}")).await;
    assert!(session["lap_count"].as_u64().unwrap() >= 2, "{session}");
    assert_eq!(session["live"], false);
    let (_, after) = app.get_json(&format!("/api/sessions/{session_id}/laps")).await;
    assert_eq!(after["laps"].as_array().unwrap()[..2], laps[..2]);
    app.stop().await;
}

#[actix_rt::test]
async fn malformed_client_messages_get_an_error_and_the_connection_survives() {
    let app = spawn_app(|_| {}).await;
    let mut connection = app.ws("?format=json").await;
    let connected = next_json(&mut connection).await;
    assert!(connected["connected"]["live_sessions"].as_array().unwrap().is_empty());

    let bad_texts = ["not json at all", r#"{"subscribe": 5}"#, r#"{"fly": {}}"#, "[]"];
    for text in bad_texts {
        connection.send(ws::Message::Text(text.into())).await.unwrap();
        let answer = next_json(&mut connection).await;
        assert_eq!(answer["error"]["code"], "bad_message", "{text} -> {answer}");
    }
    connection.send(ws::Message::Binary(vec![0xff, 0x00, 0x13].into())).await.unwrap();
    assert_eq!(next_json(&mut connection).await["error"]["code"], "bad_message");

    send_json(&mut connection, json!({"subscribe": {"session_id": "no-such-session"}})).await;
    assert_eq!(next_json(&mut connection).await["error"]["code"], "not_found");

    send_json(&mut connection, json!({"ping": {"nonce": 7}})).await;
    assert_eq!(next_json(&mut connection).await, json!({"pong": {"nonce": 7}}));
    app.stop().await;
}

#[actix_rt::test]
async fn the_default_stream_is_binary_protobuf_and_can_start_the_demo() {
    let app = spawn_app(|settings| settings.demo.speed = 10.0).await;
    let mut connection = app.ws("").await;
    assert!(matches!(next_binary(&mut connection).await.payload, Some(server_message::Payload::Connected(_))));

    let start = purplesector_proto::v1::ClientMessage {
        payload: Some(purplesector_proto::v1::client_message::Payload::StartDemo(Default::default())),
    };
    connection.send(ws::Message::Binary(start.encode_to_vec().into())).await.unwrap();
    let mut got_session = false;
    let mut frames = 0;
    while frames < 60 {
        match next_binary(&mut connection).await.payload {
            Some(server_message::Payload::SessionUpdated(update)) => {
                got_session |= update.session.unwrap().live;
            }
            Some(server_message::Payload::Telemetry(telemetry)) => frames += telemetry.frames.len(),
            _ => {}
        }
    }
    assert!(got_session, "start_demo answers with the live demo session");
    app.stop().await;
}

/// The next binary protobuf message, skipping pings; anything else fails the test.
async fn next_binary(connection: &mut crate::helpers::WsConnection) -> ServerMessage {
    loop {
        match connection.next().await.expect("stream open").expect("valid frame") {
            ws::Frame::Binary(bytes) => return ServerMessage::decode(bytes).expect("protobuf ServerMessage"),
            ws::Frame::Ping(_) => continue,
            other => panic!("expected binary protobuf, got {other:?}"),
        }
    }
}

/// The value of a Prometheus counter with the given labels, 0 when absent.
async fn metric(app: &crate::helpers::TestApp, series: &str) -> f64 {
    let mut response = app.client().get(format!("{}/metrics", app.address)).send().await.expect("GET /metrics");
    let body = response.body().await.expect("metrics body");
    let text = String::from_utf8_lossy(&body);
    text.lines().find_map(|line| line.strip_prefix(series).and_then(|rest| rest.trim().parse().ok())).unwrap_or(0.0)
}

#[actix_rt::test]
async fn a_slow_viewer_loses_its_oldest_frames_without_slowing_another_viewer() {
    let app = spawn_app(|settings| {
        settings.demo.enabled = true;
        // Fast enough to fill the slow viewer's socket within seconds, slow enough that
        // the fast one (a debug-build JSON reader) keeps up while other tests load the
        // machine.
        settings.demo.speed = 30.0;
        settings.stream.viewer_queue_messages = 16;
    })
    .await;

    // The slow viewer subscribes, then stops reading: its socket buffers fill, then
    // its bounded outbox, which drops the oldest telemetry.
    let mut slow = app.ws("?format=json").await;
    let session_id = demo_session_id(&next_json(&mut slow).await);
    send_json(&mut slow, json!({"subscribe": {"session_id": session_id}})).await;

    // The fast viewer reads everything, concurrently, and records the seqs it saw.
    let mut fast = app.ws("?format=json").await;
    next_json(&mut fast).await;
    send_json(&mut fast, json!({"subscribe": {"session_id": session_id}})).await;
    let stop = std::rc::Rc::new(std::cell::Cell::new(false));
    let reader = actix_rt::spawn({
        let stop = stop.clone();
        async move {
            let mut seqs = Vec::new();
            while !stop.get() {
                let message = next_json(&mut fast).await;
                if let Some(frames) = message["telemetry"]["frames"].as_array() {
                    seqs.extend(frames.iter().map(|frame| frame["seq"].as_u64().unwrap()));
                }
            }
            seqs
        }
    });

    let series = r#"purplesector_frames_dropped_total{reason="slow_viewer"}"#;
    let deadline = Instant::now() + Duration::from_secs(90);
    while metric(&app, series).await == 0.0 {
        assert!(Instant::now() < deadline, "the slow viewer never lost a frame");
        actix_rt::time::sleep(Duration::from_millis(200)).await;
    }
    actix_rt::time::sleep(Duration::from_millis(500)).await;
    stop.set(true);
    let seqs = reader.await.unwrap();
    assert!(seqs.len() > 600, "the fast viewer kept streaming: {} frames", seqs.len());
    for pair in seqs.windows(2) {
        assert_eq!(pair[1], pair[0] + 1, "the fast viewer lost nothing while the other was slow");
    }

    // The slow viewer is still connected and, reading again, gets newer frames
    // after a gap where the oldest were dropped.
    let mut slow_seqs = Vec::new();
    while slow_seqs.len() < 20_000 {
        let message = next_json(&mut slow).await;
        if let Some(frames) = message["telemetry"]["frames"].as_array() {
            slow_seqs.extend(frames.iter().map(|frame| frame["seq"].as_u64().unwrap()));
        }
        if slow_seqs.windows(2).any(|pair| pair[1] > pair[0] + 1) {
            break;
        }
    }
    assert!(slow_seqs.windows(2).all(|pair| pair[1] > pair[0]), "still in order");
    assert!(slow_seqs.windows(2).any(|pair| pair[1] > pair[0] + 1), "the slow viewer's oldest frames were dropped");
    app.stop().await;
}
