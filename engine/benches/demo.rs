//! Demo driver: the cost of `DemoDriver::next_frame`.
//!
//! `serve --demo`, the emulators and many tests synthesize 60 frames per simulated
//! second with the demo driver; this is what one frame costs, averaged over laps
//! (lap planning at each line crossing included), so it shows how far faster than
//! real time a demo or a test can run.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use purplesector_engine::demo::DemoDriver;

fn bench_demo(c: &mut Criterion) {
    let mut group = c.benchmark_group("demo");
    group.throughput(Throughput::Elements(1));
    let mut driver = DemoDriver::new(7);
    group.bench_function("next_frame", |b| b.iter(|| driver.next_frame()));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = bench_demo
}
criterion_main!(benches);
