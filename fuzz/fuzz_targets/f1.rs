//! Feeds arbitrary datagrams to the F1 25 collector state machine, which must
//! never panic. The input is split at 0xFF 0xFE pairs into several datagrams so
//! the fuzzer also reaches the session and frame state (Session, Participants,
//! Lap Data, Car Telemetry in sequence), not only single-packet parsing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use purplesector_engine::sims::f1::Client;
use purplesector_engine::sims::SimClient;

fuzz_target!(|data: &[u8]| {
    let mut client = Client::new();
    let _ = client.receive(data, 0);
    let mut client = Client::new();
    let mut start = 0;
    for i in 1..data.len() {
        if data[i - 1] == 0xFF && data[i] == 0xFE {
            let _ = client.receive(&data[start..i - 1], 0);
            start = i + 1;
        }
    }
    let _ = client.receive(&data[start.min(data.len())..], 0);
    let _ = client.poll(0);
    let _ = client.shutdown();
});
