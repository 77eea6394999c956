//! Sim parsers: the cost of one `SimClient::receive` per datagram for every sim the
//! collector follows, and of decoding one set of ACC shared-memory pages.
//!
//! A collector parses every datagram the game sends (60 Hz or more, several
//! datagrams per sample for F1), so this is the per-packet CPU price of following a
//! sim. The packets are real: each sim's emulator encodes 6,000 distinct demo-driver
//! frames (100 s of driving) after the client has done the protocol's handshake or
//! registration, and the benchmark cycles through them with a monotonic clock, so
//! duplicate suppression never short-cuts the parse (the wrap back to the first
//! packet looks like a session restart, once per 6,000 frames).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use purplesector_engine::demo::{DemoDriver, CAR_NAME, TRACK_NAME};
use purplesector_engine::sims::{self, acc, forza, SessionMeta, SimClient, SimEmulator, SimEvent};
use purplesector_proto::v1::Sim;

/// Demo frames encoded per sim.
const FRAMES: usize = 6_000;
const SEED: u64 = 7;

fn meta(sim: Sim) -> SessionMeta {
    SessionMeta {
        sim,
        track: TRACK_NAME.into(),
        car: CAR_NAME.into(),
        driver: "Bench Driver".into(),
        track_length_m: Some(DemoDriver::new(SEED).track().length_m() as f32),
    }
}

/// A client past its handshake and the datagrams the game sent it, each with the
/// collector clock (ms since the first frame) at which it arrived.
struct Fixture {
    client: Box<dyn SimClient>,
    packets: Vec<(u64, Vec<u8>)>,
    /// Clock span of one pass over `packets`, so the next pass continues the clock.
    span_ms: u64,
}

/// Runs the demo driver through `emulator` into `client` as a collector would
/// (poll, answer, then the frame's datagrams), recording every frame datagram.
fn fixture(mut client: Box<dyn SimClient>, mut emulator: Box<dyn SimEmulator>, meta: &SessionMeta) -> Fixture {
    let mut driver = DemoDriver::new(SEED);
    let mut packets = Vec::new();
    let mut frames_out = 0;
    let mut now_ms = 0;
    for _ in 0..FRAMES {
        for request in client.poll(now_ms) {
            for reply in emulator.receive(&request) {
                client.receive(&reply, now_ms).expect("handshake replies parse");
            }
        }
        client.take_events();
        let frame = driver.next_frame();
        now_ms = frame.session_time_ms.round() as u64;
        for datagram in emulator.frame(&frame, meta) {
            let events = client.receive(&datagram, now_ms).expect("emulated datagrams parse");
            frames_out += events.iter().filter(|event| matches!(event, SimEvent::Frame(_))).count();
            packets.push((now_ms, datagram));
        }
    }
    assert!(frames_out > FRAMES * 9 / 10, "{:?}: only {frames_out} frames from {FRAMES}", meta.sim);
    Fixture { client, packets, span_ms: now_ms + 17 }
}

fn bench_receive(c: &mut Criterion) {
    let mut group = c.benchmark_group("sim_receive");
    group.throughput(Throughput::Elements(1));

    let mut cases: Vec<(&str, Fixture)> = Vec::new();
    for (name, sim) in
        [("ac", Sim::AssettoCorsa), ("acc_broadcasting", Sim::Acc), ("f1", Sim::F1), ("outgauge", Sim::Outgauge)]
    {
        let meta = meta(sim);
        let client = sims::client(sim).expect("a collectable sim");
        let emulator = sims::emulator(sim, &meta).expect("a collectable sim");
        cases.push((name, fixture(client, emulator, &meta)));
    }
    for (name, format) in [
        ("forza_sled", forza::Format::Sled),
        ("forza_dash", forza::Format::Dash),
        ("forza_horizon", forza::Format::Horizon),
        ("forza_motorsport2023", forza::Format::Motorsport2023),
    ] {
        let meta = meta(Sim::Forza);
        let client = Box::new(forza::Client::with_track_length(meta.track_length_m.unwrap()));
        cases.push((name, fixture(client, Box::new(forza::Emulator::new(format)), &meta)));
    }

    for (name, mut fixture) in cases {
        let count = fixture.packets.len();
        let bytes: usize = fixture.packets.iter().map(|(_, datagram)| datagram.len()).sum();
        eprintln!(
            "{name}: {count} datagrams for {FRAMES} frames ({:.2} per frame, {} bytes on average)",
            count as f64 / FRAMES as f64,
            bytes / count
        );
        let mut epoch = fixture.span_ms;
        // One untimed pass from the wrap on: the cycle must keep yielding frames.
        let mut frames_out = 0;
        for (at, datagram) in &fixture.packets {
            let events = fixture.client.receive(datagram, epoch + at).expect("parses");
            frames_out += events.iter().filter(|event| matches!(event, SimEvent::Frame(_))).count();
        }
        assert!(frames_out > FRAMES * 9 / 10, "{name}: only {frames_out} frames after the wrap");
        epoch += fixture.span_ms;

        let mut next = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                let (at, datagram) = &fixture.packets[next];
                let events = fixture.client.receive(black_box(datagram), epoch + at);
                next += 1;
                if next == count {
                    next = 0;
                    epoch += fixture.span_ms;
                }
                events
            })
        });
    }

    // ACC shared memory: a pure decode of the three pages per physics step.
    let meta = meta(Sim::Acc);
    let mut driver = DemoDriver::new(SEED);
    let pages: Vec<_> = (0..FRAMES).map(|_| acc::encode_pages(&driver.next_frame(), &meta)).collect();
    let mut next = 0;
    group.bench_function("acc_shared_memory_frame_from_pages", |b| {
        b.iter(|| {
            let (physics, graphics, static_) = &pages[next];
            next = (next + 1) % pages.len();
            acc::frame_from_pages(black_box(physics), black_box(graphics), black_box(static_)).expect("pages parse")
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50);
    targets = bench_receive
}
criterion_main!(benches);
