//! Lap detection: the cost of `LapDetector::push` per telemetry frame.
//!
//! The engine runs the detector on every frame of every live session, on the path
//! between a collector and the store, so its per-frame cost bounds how many sessions
//! one core can follow. The input is three full demo laps (about 18,000 frames at
//! 60 Hz); each iteration pushes all of them through a fresh detector, crossings,
//! held completions and the final flush included, and is reported per frame.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use purplesector_engine::demo::DemoDriver;
use purplesector_engine::laps::{LapDetector, LapDetectorConfig, LapEvent, Outcome};
use purplesector_proto::v1::TelemetryFrame;

const LAPS: usize = 3;

/// Demo frames until the driver has completed `LAPS` laps, and the track length.
fn three_laps() -> (Vec<TelemetryFrame>, f64) {
    let mut driver = DemoDriver::new(7);
    let mut frames = Vec::new();
    while driver.completed_lap_times_ms().len() < LAPS {
        frames.push(driver.next_frame());
    }
    (frames, driver.track().length_m())
}

fn detect(frames: &[TelemetryFrame], track_length_m: f64) -> usize {
    let mut detector = LapDetector::new(LapDetectorConfig { track_length_m: Some(track_length_m) });
    let mut completed = 0;
    let is_completed = |event: &LapEvent| matches!(event, LapEvent::Completed(_));
    for frame in frames {
        if let Outcome::Accepted { events } = detector.push(black_box(frame)) {
            completed += events.iter().filter(|event| is_completed(event)).count();
        }
    }
    completed + detector.flush().iter().filter(|event| is_completed(event)).count()
}

fn bench_laps(c: &mut Criterion) {
    let (frames, track_length_m) = three_laps();
    assert_eq!(detect(&frames, track_length_m), LAPS, "the detector finds every demo lap");
    eprintln!("laps: {} frames, {LAPS} laps of {track_length_m:.0} m", frames.len());

    let mut group = c.benchmark_group("laps");
    group.throughput(Throughput::Elements(frames.len() as u64));
    group.bench_function("detector_push", |b| b.iter(|| detect(&frames, track_length_m)));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(20);
    targets = bench_laps
}
criterion_main!(benches);
