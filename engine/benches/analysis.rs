//! Lap analysis: distance resampling of a 2-minute lap, and the whole built-in
//! analysis of a lap against a reference (corners, metrics, segments, delta,
//! suggestions).
//!
//! The analysis runs on request when a driver opens a lap; its cost decides
//! whether the lap page can ask for it on every reference change. Input: two
//! consecutive demo laps (about 100 s each, 6,100 frames at 60 Hz).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use purplesector_engine::analysis::{analyse_lap, build_model, resample, ResampleOptions};
use purplesector_engine::demo::DemoDriver;
use purplesector_proto::v1::TelemetryFrame;

/// The frames and official times of the demo driver's second and third laps.
fn two_laps() -> Vec<(Vec<TelemetryFrame>, u32)> {
    let mut driver = DemoDriver::new(3);
    let mut laps: Vec<Vec<TelemetryFrame>> = vec![Vec::new()];
    while driver.completed_lap_times_ms().len() < 3 {
        let frame = driver.next_frame();
        if frame.lap_number as usize >= laps.len() {
            laps.push(Vec::new());
        }
        laps.last_mut().expect("a lap").push(frame);
    }
    let times = driver.completed_lap_times_ms();
    (1..3).map(|i| (std::mem::take(&mut laps[i]), times[i].round() as u32)).collect()
}

fn bench_analysis(c: &mut Criterion) {
    let laps = two_laps();
    let (lap, lap_time) = (&laps[1].0, laps[1].1);
    let (reference, reference_time) = (&laps[0].0, laps[0].1);
    let model = build_model(&[(reference.as_slice(), reference_time), (lap.as_slice(), lap_time)]).expect("a model");
    eprintln!("analysis: laps of {} and {} frames, {} corners", lap.len(), reference.len(), model.corners.len());

    let mut group = c.benchmark_group("analysis");
    group.throughput(Throughput::Elements(lap.len() as u64));
    group.bench_function("resample_2min_lap", |b| {
        b.iter(|| resample(black_box(lap), f64::from(lap_time), &ResampleOptions::default()).expect("resampled"))
    });
    group.bench_function("analyse_lap_vs_reference", |b| {
        b.iter(|| {
            analyse_lap(black_box(lap), lap_time, Some((reference.as_slice(), reference_time)), &model)
                .expect("analysed")
        })
    });
    group.bench_function("build_track_model_2_laps", |b| {
        b.iter(|| build_model(&[(reference.as_slice(), reference_time), (lap.as_slice(), lap_time)]).expect("model"))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(20);
    targets = bench_analysis
}
criterion_main!(benches);
