//! Store: telemetry frames per second into SQLite through `Store::write_frames`.
//!
//! The store writer flushes frames in batches (`writer.batch_frames`, 2,000 by
//! default) and every live session's frames go through it, so its throughput caps
//! the total frame rate a local install can keep. Each iteration writes one batch
//! of 2,000 demo frames with seqs never written before (re-written seqs are ignored
//! by the store and would measure nothing) into one growing session of a database
//! in a temporary directory on disk, WAL and `synchronous = NORMAL` as in
//! production. Protobuf encoding of the frames is part of `write_frames` and so of
//! the measurement; building the batch is not.

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use purplesector_engine::demo::{DemoDriver, CAR_NAME, TRACK_NAME};
use purplesector_engine::storage::{FrameRecord, NewSession, Store, LOCAL_USER};
use purplesector_proto::v1::{Sim, TelemetryFrame};

/// The store writer's default batch (`writer.batch_frames`).
const BATCH: usize = 2_000;

fn bench_store(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(&dir.path().join("bench.db")).expect("the store opens");
    let session = NewSession {
        id: "bench-session".into(),
        name: "Bench".into(),
        sim: Sim::Demo,
        track: TRACK_NAME.into(),
        car: CAR_NAME.into(),
        track_length_m: None,
    };
    store.ensure_session(LOCAL_USER, &session).expect("the session is created");
    let session_id: Arc<str> = session.id.as_str().into();

    let mut driver = DemoDriver::new(7);
    let template: Vec<TelemetryFrame> = (0..BATCH)
        .map(|i| TelemetryFrame { captured_at_us: 1_700_000_000_000_000 + i as u64 * 16_667, ..driver.next_frame() })
        .collect();
    let mut next_seq = 1;
    let mut batch = move || {
        let records: Vec<FrameRecord> = template
            .iter()
            .map(|frame| {
                let record = FrameRecord {
                    owner: LOCAL_USER,
                    session_id: session_id.clone(),
                    frame: TelemetryFrame { seq: next_seq, ..*frame },
                };
                next_seq += 1;
                record
            })
            .collect();
        records
    };

    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("write_frames_batch_2000", |b| {
        b.iter_custom(|iters| {
            let mut elapsed = Duration::ZERO;
            for _ in 0..iters {
                let records = batch();
                let start = Instant::now();
                let written = store.write_frames(&records).expect("the batch is written");
                elapsed += start.elapsed();
                assert_eq!(written, BATCH, "every seq is new");
            }
            elapsed
        })
    });
    group.finish();
    let stored = store.count_frames(LOCAL_USER, &session.id).expect("frames are counted");
    eprintln!("store: {stored} frames in the benchmark database");
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        .sample_size(10);
    targets = bench_store
}
criterion_main!(benches);
