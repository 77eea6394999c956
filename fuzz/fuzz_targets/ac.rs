//! Fuzzes the Assetto Corsa remote telemetry client: arbitrary datagrams, to a
//! fresh client and to one inside a session (so car updates reach the unit
//! mapping), and to the emulator's request parser. Nothing may panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use purplesector_engine::sims::{ac, SessionMeta, SimClient, SimEmulator};

fuzz_target!(|data: &[u8]| {
    let mut client = ac::Client::new();
    let _ = client.receive(data, 0);

    let mut client = ac::Client::new();
    let response = ac::Emulator::new(SessionMeta::default()).handshake_response();
    let _ = client.receive(&response, 0);
    let _ = client.poll(0);
    let _ = client.receive(data, 1);
    let _ = client.receive(data, 2);
    let _ = client.poll(10_000);
    let _ = client.take_events();

    let _ = ac::Emulator::new(SessionMeta::default()).receive(data);
});
