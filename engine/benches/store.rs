//! Store: telemetry frames per second through `Store::write_frames`, into SQLite and
//! into PostgreSQL.
//!
//! The store writer flushes frames in batches (`writer.batch_frames`) and every live
//! session's frames go through it, so its throughput caps the total frame rate an
//! install can keep. Re-written seqs are ignored by the store and would measure
//! nothing, so every batch carries seqs never written before. Protobuf encoding of
//! the frames is part of `write_frames` and so of the measurement; building the batch
//! is not.
//!
//! - `write_frames_batch_2000` (SQLite): one batch of 2,000 demo frames of one growing
//!   session, in a database in a temporary directory on disk, WAL and
//!   `synchronous = NORMAL` as in production.
//! - `postgres_write_frames_batch_10000_1000_sessions`: the scale-out writer's shape, a
//!   batch of 10,000 demo frames from 1,000 live sessions interleaved (10 each), into
//!   a fresh database on the server `PURPLESECTOR_TEST_PG` names (default
//!   `postgres://postgres@127.0.0.1:5432/postgres`, dropped at the end), committed
//!   (durable) per batch. Without a reachable server this part says so and is skipped.
//! - `postgres_write_frames_batch_10000_one_redelivered`: the same batches, each with
//!   one frame of the batch before re-delivered, which sends it through the slower
//!   path (staging table and `INSERT ... ON CONFLICT DO NOTHING`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use purplesector_engine::demo::{DemoDriver, CAR_NAME, TRACK_NAME};
use purplesector_engine::storage::{FrameRecord, NewSession, Store, LOCAL_USER};
use purplesector_proto::v1::{Sim, TelemetryFrame};
use std::path::Path;

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
            timed_writes(&store, iters, &mut batch, |written, _| assert_eq!(written, BATCH, "every seq is new"))
        })
    });
    group.finish();
    let stored = store.count_frames(LOCAL_USER, &session.id).expect("frames are counted");
    eprintln!("store: {stored} frames in the benchmark database");
}

/// The PostgreSQL writer's batch: 10,000 frames, 10 from each of 1,000 sessions.
const PG_BATCH: usize = 10_000;
const PG_SESSIONS: usize = 1_000;
const DEFAULT_TEST_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Runs SQL on the server's maintenance database.
/// Writes `iters` batches from `next`, timing only the writes; `check` sees how many
/// frames each write stored and the batch it was given.
fn timed_writes(
    store: &Store,
    iters: u64,
    next: &mut dyn FnMut() -> Vec<FrameRecord>,
    check: impl Fn(usize, &[FrameRecord]),
) -> Duration {
    let mut elapsed = Duration::ZERO;
    for _ in 0..iters {
        let records = next();
        let start = Instant::now();
        let written = store.write_frames(&records).expect("the batch is written");
        elapsed += start.elapsed();
        check(written, &records);
    }
    elapsed
}

fn on_server(server: &str, sql: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let (client, connection) =
            tokio_postgres::connect(server, tokio_postgres::NoTls).await.map_err(|error| format!("{error:?}"))?;
        let driver = tokio::spawn(connection);
        let result = client.batch_execute(sql).await.map_err(|error| format!("{error:?}"));
        drop(client);
        let _ = driver.await;
        result
    })
}

fn bench_postgres(c: &mut Criterion) {
    let server = std::env::var("PURPLESECTOR_TEST_PG")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or(DEFAULT_TEST_PG.into());
    let name = format!("ps_bench_{}", uuid::Uuid::new_v4().simple());
    if let Err(error) = on_server(&server, &format!("CREATE DATABASE {name}")) {
        eprintln!("store/postgres: SKIPPED, cannot create a database on PURPLESECTOR_TEST_PG: {error}");
        return;
    }
    let url = format!("{}/{name}", server.rsplit_once('/').map(|(authority, _)| authority).unwrap_or(&server));
    let store = Store::open_url(&url, Path::new("unused")).expect("the PostgreSQL store opens");

    let sessions: Vec<Arc<str>> = (0..PG_SESSIONS)
        .map(|i| {
            let session = NewSession {
                id: uuid::Uuid::new_v4().to_string(),
                name: format!("Bench {i}"),
                sim: Sim::Demo,
                track: TRACK_NAME.into(),
                car: CAR_NAME.into(),
                track_length_m: None,
            };
            store.ensure_session(LOCAL_USER, &session).expect("the session is created");
            Arc::from(session.id.as_str())
        })
        .collect();
    let mut driver = DemoDriver::new(11);
    let template: Vec<TelemetryFrame> = (0..PG_BATCH).map(|_| driver.next_frame()).collect();
    let encoded: usize = template.iter().map(prost::Message::encoded_len).sum();
    eprintln!("store/postgres: {} bytes of protobuf per frame on average", encoded / PG_BATCH);
    let per_session = PG_BATCH / PG_SESSIONS;
    let mut round = 0u64;
    let mut batch = move || {
        // Frame i of the batch: session i % 1000, its (round * 10 + i / 1000 + 1)th frame.
        let records: Vec<FrameRecord> = template
            .iter()
            .enumerate()
            .map(|(i, frame)| {
                let seq = round * per_session as u64 + (i / PG_SESSIONS) as u64 + 1;
                FrameRecord {
                    owner: LOCAL_USER,
                    session_id: sessions[i % PG_SESSIONS].clone(),
                    frame: TelemetryFrame { seq, captured_at_us: 1_700_000_000_000_000 + seq * 16_667, ..*frame },
                }
            })
            .collect();
        round += 1;
        records
    };

    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(PG_BATCH as u64));
    group.bench_function("postgres_write_frames_batch_10000_1000_sessions", |b| {
        b.iter_custom(|iters| {
            timed_writes(&store, iters, &mut batch, |written, _| assert_eq!(written, PG_BATCH, "every seq is new"))
        })
    });
    // The same with one frame of the previous batch re-delivered at its end: the
    // direct COPY fails on it, and the batch goes through the staging table and
    // INSERT ... ON CONFLICT DO NOTHING instead (a writer replaying after a restart).
    let mut previous: Option<FrameRecord> = None;
    group.bench_function("postgres_write_frames_batch_10000_one_redelivered", |b| {
        b.iter_custom(|iters| {
            let mut with_one_redelivered = || {
                let mut records = batch();
                let last = records.last().cloned();
                records.extend(std::mem::replace(&mut previous, last));
                records
            };
            timed_writes(&store, iters, &mut with_one_redelivered, |written, records| {
                assert!(written == PG_BATCH && records.len() >= PG_BATCH, "every new seq is written once")
            })
        })
    });
    group.finish();
    drop(store);
    if let Err(error) = on_server(&server, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")) {
        eprintln!("store/postgres: could not drop the benchmark database {name}: {error}");
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        .sample_size(10);
    targets = bench_store, bench_postgres
}
criterion_main!(benches);
