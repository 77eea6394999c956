//! Arbitrary datagrams to ACC's broadcasting collector (registered, following car 7)
//! and to the emulated game: neither may panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use purplesector_engine::sims::acc::broadcasting::{Message, RegistrationResult};
use purplesector_engine::sims::acc::{Client, Emulator};
use purplesector_engine::sims::{SimClient, SimEmulator};

fuzz_target!(|data: &[u8]| {
    let mut client = Client::new();
    let _ = client.poll(0);
    let registered = Message::RegistrationResult(RegistrationResult {
        connection_id: 1,
        success: true,
        readonly: true,
        error_message: String::new(),
    });
    let _ = client.receive(&registered.encode(), 0);
    let _ = client.poll(1);
    let _ = client.receive(data, 2);
    // Feed the input again as a stream of datagrams split on a marker byte.
    for datagram in data.split(|&b| b == 0xA5) {
        let _ = client.receive(datagram, 3);
    }
    let _ = client.poll(10_000);
    let _ = client.shutdown();
    let _ = Message::decode(data);
    let _ = Emulator::new().receive(data);
});
