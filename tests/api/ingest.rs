//! `/ingest`, the collector stream: batches open sessions and are acknowledged in
//! order; anything malformed gets an `error` answer and the connection survives.

use crate::helpers::{spawn_app, WsConnection};
use awc::ws;
use futures_util::{SinkExt, StreamExt};
use prost::Message as _;
use purplesector_proto::v1::{
    ingest_request, ingest_response, EndSession, IngestRequest, IngestResponse, Sim, TelemetryBatch, TelemetryFrame,
};
use std::time::Duration;

async fn next_response(connection: &mut WsConnection) -> ingest_response::Payload {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(30), connection.next())
            .await
            .expect("an answer within 30 s")
            .expect("the stream is open")
            .expect("a valid frame");
        match frame {
            ws::Frame::Binary(bytes) => {
                return IngestResponse::decode(bytes).expect("an IngestResponse").payload.expect("a payload")
            }
            ws::Frame::Ping(payload) => connection.send(ws::Message::Pong(payload)).await.unwrap(),
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

async fn send(connection: &mut WsConnection, payload: ingest_request::Payload) {
    let bytes = IngestRequest { payload: Some(payload) }.encode_to_vec();
    connection.send(ws::Message::Binary(bytes.into())).await.unwrap();
}

fn batch(session_id: &str, seqs: std::ops::RangeInclusive<u64>) -> TelemetryBatch {
    TelemetryBatch {
        session_id: session_id.into(),
        sim: Sim::AssettoCorsa as i32,
        sample_rate_hz: 60.0,
        frames: seqs
            .map(|seq| TelemetryFrame {
                seq,
                session_time_ms: seq as f64 * 1000.0 / 60.0,
                speed_kmh: 100.0,
                normalized_position: seq as f32 * 0.0001,
                ..Default::default()
            })
            .collect(),
        track: "monza".into(),
        car: "ks_ferrari_488_gt3".into(),
        track_length_m: Some(5793.0),
        driver: "Ann Example".into(),
    }
}

fn error_code(payload: ingest_response::Payload) -> String {
    match payload {
        ingest_response::Payload::Error(error) => error.code,
        other => panic!("expected an error, got {other:?}"),
    }
}

#[actix_rt::test]
async fn batches_are_acknowledged_and_bad_input_is_answered_without_closing() {
    let app = spawn_app(|settings| settings.session.max_batch_frames = 100).await;
    let (_, mut connection) =
        awc::Client::new().ws(format!("ws://127.0.0.1:{}/ingest", app.port)).connect().await.expect("connects");

    send(&mut connection, ingest_request::Payload::Batch(batch("collector-1", 1..=60))).await;
    match next_response(&mut connection).await {
        ingest_response::Payload::Ack(ack) => {
            assert_eq!((ack.session_id.as_str(), ack.up_to_seq, ack.accepted), ("collector-1", 60, 60));
        }
        other => panic!("expected an ack, got {other:?}"),
    }
    // Re-sent frames are acknowledged and counted as duplicates, not stored twice.
    send(&mut connection, ingest_request::Payload::Batch(batch("collector-1", 31..=90))).await;
    match next_response(&mut connection).await {
        ingest_response::Payload::Ack(ack) => assert_eq!((ack.up_to_seq, ack.accepted, ack.duplicates), (90, 30, 30)),
        other => panic!("expected an ack, got {other:?}"),
    }

    connection.send(ws::Message::Binary(vec![0xff, 0x01, 0x02].into())).await.unwrap();
    assert_eq!(error_code(next_response(&mut connection).await), "bad_message");
    connection.send(ws::Message::Text("{\"batch\": {}}".into())).await.unwrap();
    assert_eq!(error_code(next_response(&mut connection).await), "bad_message");
    send(&mut connection, ingest_request::Payload::Batch(batch("../../etc/passwd", 1..=2))).await;
    assert_eq!(error_code(next_response(&mut connection).await), "bad_message");
    send(&mut connection, ingest_request::Payload::Batch(batch("collector-1", 91..=300))).await;
    assert_eq!(error_code(next_response(&mut connection).await), "too_large");

    // Still open, and the session is there with the collector's metadata.
    send(&mut connection, ingest_request::Payload::EndSession(EndSession { session_id: "collector-1".into() })).await;
    assert!(matches!(next_response(&mut connection).await, ingest_response::Payload::Ack(_)));
    let (status, session) = app.get_json("/api/sessions/collector-1").await;
    assert_eq!(status, 200);
    assert_eq!((session["sim"].as_str(), session["track"].as_str()), (Some("ac"), Some("monza")));
    assert_eq!(session["name"], "Assetto Corsa — monza · Ann Example");
    let metrics = app.client().get(format!("{}/metrics", app.address)).send().await.unwrap().body().await.unwrap();
    let metrics = String::from_utf8_lossy(&metrics);
    assert!(metrics.contains(r#"purplesector_bad_ingest_messages_total{code="bad_message"} 3"#), "{metrics}");
    assert!(metrics.contains(r#"purplesector_bad_ingest_messages_total{code="too_large"} 1"#), "{metrics}");
    app.stop().await;
}
