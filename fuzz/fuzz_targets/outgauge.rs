//! Fuzzes the OutGauge client: arbitrary datagrams to a fresh client and to one
//! inside a session, and the same bytes fitted to 92 and 96 bytes (so they reach
//! the unit mapping and the clock rules). Nothing may panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use purplesector_engine::sims::outgauge::{Client, Emulator};
use purplesector_engine::sims::{SessionMeta, SimClient, SimEmulator};

fuzz_target!(|data: &[u8]| {
    let mut client = Client::new();
    let _ = client.receive(data, 0);

    for size in [92, 96] {
        let mut client = Client::new();
        let mut emulator = if size == 96 { Emulator::with_id(1) } else { Emulator::new() };
        let valid = emulator.frame(&Default::default(), &SessionMeta::default()).remove(0);
        let _ = client.receive(&valid, 0);
        let mut fitted = data.to_vec();
        fitted.resize(size, 0);
        let _ = client.receive(&fitted, 10);
        let _ = client.receive(data, 20);
        let _ = client.poll(10_000);
        let _ = client.take_events();
        let _ = client.receive(&fitted, 10_010);
    }
});
