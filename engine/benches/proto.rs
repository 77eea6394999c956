//! Protobuf and JSON: encoding and decoding 60 full demo frames (one second at
//! 60 Hz).
//!
//! Every frame crosses the wire at least twice: a collector sends it to the engine
//! in a `TelemetryBatch`, and the engine streams it to each browser in a
//! `ServerMessage` telemetry payload (binary protobuf by default, JSON for
//! `?format=json` clients). These numbers are that serialization cost per frame,
//! with the JSON form beside the protobuf one for comparison.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use prost::Message;
use purplesector_engine::demo::{DemoDriver, CAR_NAME, TRACK_NAME};
use purplesector_proto::v1::{server_message, ServerMessage, Sim, Telemetry, TelemetryBatch, TelemetryFrame};

const FRAMES: usize = 60;

/// One second of demo frames from mid-lap, stamped as a collector stamps them.
fn frames() -> Vec<TelemetryFrame> {
    let mut driver = DemoDriver::new(7);
    for _ in 0..600 {
        driver.next_frame();
    }
    (0..FRAMES)
        .map(|i| TelemetryFrame {
            captured_at_us: 1_700_000_000_000_000 + i as u64 * 16_667,
            last_lap_time_ms: Some(98_765),
            best_lap_time_ms: Some(97_531),
            ..driver.next_frame()
        })
        .collect()
}

fn bench_proto(c: &mut Criterion) {
    let frames = frames();
    let batch = TelemetryBatch {
        session_id: "0b8f6f0e-6a4c-4c8e-9d55-2f7d3c1a9e10".into(),
        sim: Sim::Acc as i32,
        sample_rate_hz: 60.0,
        frames: frames.clone(),
        track: TRACK_NAME.into(),
        car: CAR_NAME.into(),
        track_length_m: Some(3_500.0),
        driver: "Bench Driver".into(),
    };
    let message = ServerMessage {
        payload: Some(server_message::Payload::Telemetry(Telemetry {
            session_id: batch.session_id.clone(),
            frames,
            catch_up: false,
        })),
    };
    let bytes = batch.encode_to_vec();
    assert_eq!(TelemetryBatch::decode(bytes.as_slice()).unwrap(), batch);
    let json = serde_json::to_vec(&message).unwrap();
    eprintln!(
        "{FRAMES} frames: TelemetryBatch {} bytes protobuf; ServerMessage {} bytes protobuf, {} bytes JSON",
        bytes.len(),
        message.encoded_len(),
        json.len()
    );

    let mut group = c.benchmark_group("proto_60_frames");
    group.throughput(Throughput::Elements(FRAMES as u64));
    group.bench_function("telemetry_batch_encode", |b| b.iter(|| black_box(&batch).encode_to_vec()));
    group.bench_function("telemetry_batch_decode", |b| {
        b.iter(|| TelemetryBatch::decode(black_box(bytes.as_slice())).unwrap())
    });
    group.bench_function("server_message_encode_protobuf", |b| b.iter(|| black_box(&message).encode_to_vec()));
    group.bench_function("server_message_encode_json", |b| b.iter(|| serde_json::to_vec(black_box(&message)).unwrap()));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50);
    targets = bench_proto
}
criterion_main!(benches);
