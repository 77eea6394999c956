//! Fuzzes the Forza Data Out client: arbitrary datagrams to a fresh client and to
//! one inside a session, and the same bytes fitted to each layout's size with the
//! race on (so they reach the unit mapping and the session rules). Nothing may panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use purplesector_engine::sims::forza::{Client, Emulator, Format};
use purplesector_engine::sims::{SessionMeta, SimClient, SimEmulator};

fuzz_target!(|data: &[u8]| {
    let mut client = Client::new();
    let _ = client.receive(data, 0);

    for format in [Format::Sled, Format::Dash, Format::Horizon, Format::Motorsport2023] {
        let mut client = Client::with_track_length(4000.0);
        let valid = Emulator::new(format).frame(&Default::default(), &SessionMeta::default()).remove(0);
        let _ = client.receive(&valid, 0);
        let mut fitted = data.to_vec();
        fitted.resize(format.size(), 0);
        fitted[0..4].copy_from_slice(&1i32.to_le_bytes());
        let _ = client.receive(&fitted, 10);
        let _ = client.receive(data, 20);
        let _ = client.poll(10_000);
        let _ = client.take_events();
        let _ = client.receive(&fitted, 10_010);
    }
});
