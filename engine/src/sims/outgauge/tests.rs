//! OutGauge: hand-built packets, the client's session rules, the emulator round
//! trip and robustness against arbitrary bytes.

use proptest::prelude::*;
use purplesector_proto::v1::{Sim, TelemetryFrame};

use super::*;
use crate::sims::wire::Writer;
use crate::sims::{PacketError, SessionMeta, SimClient, SimEmulator, SimEvent};

/// An LFS packet written by hand at the offsets of `InSim.txt`.
fn hand_packet(size: usize) -> Writer {
    let mut w = Writer::zeroed(size);
    w.put(0, &50_000u32.to_le_bytes()); // Time
    w.put(4, b"XFG\0"); // Car
    w.put(8, &(16384u16 | 32768).to_le_bytes()); // Flags: OG_KM | OG_BAR
    w.put(10, &[3, 7]); // Gear (second), PLID
    w.put(12, &25.0f32.to_le_bytes()); // Speed m/s
    w.put(16, &6000.0f32.to_le_bytes()); // RPM
    w.put(20, &0.8f32.to_le_bytes()); // Turbo
    w.put(24, &88.0f32.to_le_bytes()); // EngTemp
    w.put(28, &0.4f32.to_le_bytes()); // Fuel
    w.put(32, &3.5f32.to_le_bytes()); // OilPressure
    w.put(36, &105.0f32.to_le_bytes()); // OilTemp
    w.put(40, &0x7ffu32.to_le_bytes()); // DashLights
    w.put(44, &0x8u32.to_le_bytes()); // ShowLights: DL_PITSPEED
    w.put(48, &0.75f32.to_le_bytes()); // Throttle
    w.put(52, &0.25f32.to_le_bytes()); // Brake
    w.put(56, &0.5f32.to_le_bytes()); // Clutch
    w.put(60, b"Fuel 20.0l\0"); // Display1
    w.put(76, b"TC 2\0"); // Display2
    w
}

fn frames(events: &[SimEvent]) -> Vec<TelemetryFrame> {
    events
        .iter()
        .filter_map(|event| match event {
            SimEvent::Frame(frame) => Some(**frame),
            _ => None,
        })
        .collect()
}

fn sessions(events: &[SimEvent]) -> Vec<SessionMeta> {
    events
        .iter()
        .filter_map(|event| match event {
            SimEvent::Session(meta) => Some(meta.clone()),
            _ => None,
        })
        .collect()
}

fn single_frame(events: &[SimEvent]) -> TelemetryFrame {
    let frames = frames(events);
    assert_eq!(frames.len(), 1, "{events:?}");
    frames.into_iter().next().unwrap()
}

#[test]
fn decodes_a_hand_built_lfs_packet() {
    let mut client = Client::new();
    let events = client.receive(&hand_packet(92).finish(), 777).unwrap();
    assert!(matches!(events[0], SimEvent::Session(_)));
    let meta = &sessions(&events)[0];
    assert_eq!(
        *meta,
        SessionMeta {
            sim: Sim::Outgauge,
            track: "unknown".into(),
            car: "XFG".into(),
            driver: String::new(),
            track_length_m: None
        }
    );
    let f = single_frame(&events);
    assert_eq!((f.seq, f.captured_at_us), (0, 0));
    assert!((f.speed_kmh - 90.0).abs() < 1e-4);
    assert_eq!(f.rpm, 6000.0);
    assert_eq!(f.gear, 2);
    assert_eq!((f.throttle, f.brake, f.clutch), (0.75, 0.25, Some(0.5)));
    assert_eq!(f.session_time_ms, 0.0, "Time relative to the first packet");
    assert_eq!((f.lap_number, f.current_lap_time_ms, f.normalized_position), (0, 0, 0.0));
    assert_eq!((f.steering, f.fuel_l, f.max_rpm, f.world_position), (0.0, None, None, None));
    assert!(!f.in_pit, "the pit limiter light is not the pit lane");

    let packet = layout::Packet::parse(&hand_packet(92).finish()).unwrap();
    assert_eq!((packet.plid, packet.flags, packet.id), (7, 49152, None));
    assert_eq!((packet.turbo, packet.eng_temp, packet.fuel), (0.8, 88.0, 0.4));
    assert_eq!((packet.oil_pressure, packet.oil_temp), (3.5, 105.0));
    assert_eq!((packet.dash_lights, packet.show_lights), (0x7ff, layout::lights::DL_PITSPEED));
    assert_eq!((packet.display1.as_str(), packet.display2.as_str()), ("Fuel 20.0l", "TC 2"));

    let mut later = hand_packet(92);
    later.put(0, &50_250u32.to_le_bytes()).put(16, &6100.0f32.to_le_bytes());
    let f = single_frame(&client.receive(&later.finish(), 900).unwrap());
    assert_eq!(f.session_time_ms, 250.0, "the game's clock, not the collector's");
}

#[test]
fn decodes_the_96_byte_packet_with_its_id() {
    let mut w = hand_packet(96);
    w.put(92, &(-1234i32).to_le_bytes());
    let bytes = w.finish();
    assert_eq!(layout::Packet::parse(&bytes).unwrap().id, Some(-1234));
    let f = single_frame(&Client::new().receive(&bytes, 0).unwrap());
    assert_eq!((f.rpm, f.gear), (6000.0, 2));
}

#[test]
fn beamng_packets_without_a_clock_use_the_collectors() {
    let mut client = Client::new();
    let packet = |rpm: f32| {
        let mut w = hand_packet(96);
        w.put(0, &0u32.to_le_bytes()).put(4, b"beam").put(10, &[2, 0]).put(16, &rpm.to_le_bytes());
        w.finish()
    };
    let events = client.receive(&packet(1000.0), 5_000).unwrap();
    assert_eq!(sessions(&events)[0].car, "beam");
    assert_eq!(single_frame(&events).session_time_ms, 0.0);
    let f = single_frame(&client.receive(&packet(1100.0), 5_020).unwrap());
    assert_eq!((f.session_time_ms, f.gear), (20.0, 1));
}

#[test]
fn gear_bytes_map_to_reverse_neutral_and_forward() {
    for (byte, gear) in [(0u8, -1), (1, 0), (2, 1), (9, 8), (31, 30)] {
        let mut w = hand_packet(92);
        w.put(10, &[byte]);
        assert_eq!(single_frame(&Client::new().receive(&w.finish(), 0).unwrap()).gear, gear, "byte {byte}");
    }
    let mut w = hand_packet(92);
    w.put(10, &[200]);
    assert_eq!(Client::new().receive(&w.finish(), 0), Err(PacketError::OutOfRange("Gear")));
}

#[test]
fn only_92_and_96_bytes_are_packets() {
    let mut client = Client::new();
    for size in [0, 1, 64, 91, 93, 95, 97, 128] {
        assert_eq!(client.receive(&vec![0; size], 0).unwrap_err().reason(), "size", "{size} bytes");
    }
}

#[test]
fn listen_only_client_never_sends() {
    let mut client = Client::new();
    assert_eq!(client.sim(), Sim::Outgauge);
    assert!(client.poll(0).is_empty());
    client.receive(&hand_packet(92).finish(), 0).unwrap();
    assert!(client.poll(100).is_empty());
    assert!(client.shutdown().is_empty());
    assert!(Emulator::new().receive(b"hello").is_empty());
}

#[test]
fn silence_ends_the_session_through_poll() {
    let mut client = Client::new();
    client.receive(&hand_packet(92).finish(), 1_000).unwrap();
    client.poll(4_000);
    assert!(client.take_events().is_empty(), "3 s is not yet silence");
    client.poll(4_001);
    assert_eq!(client.take_events(), vec![SimEvent::SessionEnded]);
    client.poll(9_000);
    assert!(client.take_events().is_empty(), "ended once");

    // Not taken: the next receive hands it out before the new session.
    let mut client = Client::new();
    client.receive(&hand_packet(92).finish(), 0).unwrap();
    client.poll(60_000);
    let events = client.receive(&hand_packet(92).finish(), 60_010).unwrap();
    assert_eq!(events[0], SimEvent::SessionEnded);
    assert!(matches!(events[1], SimEvent::Session(_)));
    let f = single_frame(&events);
    assert_eq!(f.session_time_ms, 0.0, "a new session, a new clock");
}

#[test]
fn another_car_is_another_session() {
    let mut client = Client::new();
    client.receive(&hand_packet(92).finish(), 0).unwrap();
    let mut w = hand_packet(92);
    w.put(0, &50_100u32.to_le_bytes()).put(4, b"FBM\0");
    let events = client.receive(&w.finish(), 100).unwrap();
    assert_eq!(events[0], SimEvent::SessionEnded);
    assert_eq!(sessions(&events)[0].car, "FBM");
    assert_eq!(single_frame(&events).session_time_ms, 0.0);
}

#[test]
fn late_datagrams_are_dropped_and_a_rewind_is_a_new_session() {
    let mut client = Client::new();
    let at = |time: u32, rpm: f32| {
        let mut w = hand_packet(92);
        w.put(0, &time.to_le_bytes()).put(16, &rpm.to_le_bytes());
        w.finish()
    };
    client.receive(&at(50_000, 1000.0), 0).unwrap();
    client.receive(&at(50_500, 2000.0), 10).unwrap();
    assert!(client.receive(&at(50_400, 3000.0), 20).unwrap().is_empty(), "older: late");
    let f = single_frame(&client.receive(&at(50_600, 4000.0), 30).unwrap());
    assert_eq!(f.session_time_ms, 600.0);
    let events = client.receive(&at(20_000, 5000.0), 40).unwrap();
    assert_eq!(events[0], SimEvent::SessionEnded, "rewound by more than a second");
    assert_eq!(sessions(&events).len(), 1);
}

#[test]
fn identical_packets_are_one_sample() {
    let mut client = Client::new();
    let bytes = hand_packet(92).finish();
    assert_eq!(frames(&client.receive(&bytes, 0).unwrap()).len(), 1);
    assert!(frames(&client.receive(&bytes, 10).unwrap()).is_empty());
    let mut w = hand_packet(92);
    w.put(0, &50_100u32.to_le_bytes());
    assert!(frames(&client.receive(&w.clone().finish(), 20).unwrap()).is_empty(), "only Time moved");
    w.put(48, &0.5f32.to_le_bytes());
    assert_eq!(frames(&client.receive(&w.finish(), 30).unwrap()).len(), 1);
}

#[test]
fn non_finite_essentials_reject_and_clutch_drops() {
    for (offset, what) in [(12, "Speed"), (16, "RPM"), (48, "Throttle"), (52, "Brake")] {
        let mut w = hand_packet(92);
        w.put(offset, &f32::NAN.to_le_bytes());
        assert_eq!(Client::new().receive(&w.finish(), 0), Err(PacketError::NotFinite(what)));
    }
    let mut w = hand_packet(92);
    w.put(56, &f32::INFINITY.to_le_bytes());
    assert_eq!(single_frame(&Client::new().receive(&w.finish(), 0).unwrap()).clutch, None);
    let mut w = hand_packet(92);
    for offset in (12..60).step_by(4) {
        w.put(offset, &f32::NAN.to_le_bytes());
    }
    assert!(matches!(Client::new().receive(&w.finish(), 0), Err(PacketError::NotFinite(_))));
    let mut w = hand_packet(92);
    w.put(12, &2000.0f32.to_le_bytes());
    assert_eq!(Client::new().receive(&w.finish(), 0), Err(PacketError::OutOfRange("Speed")));
}

/// Frames of a car accelerating through every gear, reverse and neutral included,
/// 20 a second.
fn driving_frames(count: usize) -> Vec<TelemetryFrame> {
    (0..count)
        .map(|i| {
            let phase = (i as f32 * 0.3).sin();
            TelemetryFrame {
                session_time_ms: i as f64 * 50.0,
                throttle: 0.5 + 0.5 * phase,
                brake: (0.2 - 0.2 * phase).max(0.0),
                clutch: Some(if i % 10 == 0 { 1.0 } else { 0.0 }),
                speed_kmh: 60.0 + i as f32 * 0.5,
                gear: -1 + (i % 8) as i32,
                rpm: 3000.0 + 2500.0 * phase,
                max_rpm: Some(7500.0),
                fuel_l: Some(42.0),
                ..TelemetryFrame::default()
            }
        })
        .collect()
}

fn demo_meta() -> SessionMeta {
    SessionMeta { sim: Sim::Demo, track: "Demo Ring".into(), car: "XRT turbo".into(), ..SessionMeta::default() }
}

#[test]
fn emulator_round_trips_the_demo_frames() {
    for (mut emulator, size) in [(Emulator::new(), 92), (Emulator::with_id(5), 96)] {
        let input = driving_frames(200);
        let mut client = Client::new();
        let mut events = Vec::new();
        for (i, frame) in input.iter().enumerate() {
            for datagram in emulator.frame(frame, &demo_meta()) {
                assert_eq!(datagram.len(), size);
                events.extend(client.receive(&datagram, 1_000 + i as u64 * 50).unwrap());
            }
        }
        assert!(matches!(events[0], SimEvent::Session(_)));
        let meta = sessions(&events);
        assert_eq!(meta.len(), 1);
        assert_eq!((meta[0].car.as_str(), meta[0].sim), ("XRT", Sim::Outgauge), "the 4-byte car code");
        let output = frames(&events);
        assert_eq!(output.len(), input.len());
        for (a, b) in input.iter().zip(&output) {
            assert_eq!(a.session_time_ms, b.session_time_ms);
            assert!((a.speed_kmh - b.speed_kmh).abs() < 1e-3);
            assert_eq!((a.rpm, a.gear, a.throttle, a.brake, a.clutch), (b.rpm, b.gear, b.throttle, b.brake, b.clutch));
        }
    }
}

#[test]
fn emulator_round_trips_the_demo_driver() {
    let mut driver = crate::demo::DemoDriver::new(11);
    let meta = SessionMeta { car: crate::demo::CAR_NAME.into(), ..demo_meta() };
    let mut emulator = Emulator::with_id(1);
    let mut client = Client::new();
    for i in 0..600u64 {
        let frame = driver.next_frame();
        let datagram = emulator.frame(&frame, &meta).remove(0);
        let events = client.receive(&datagram, i * 16).unwrap();
        if i == 0 {
            assert_eq!(sessions(&events)[0].car, "Demo");
        }
        let out = single_frame(&events);
        assert!((out.session_time_ms - frame.session_time_ms).abs() <= 1.0, "whole ms on the wire");
        assert!((out.speed_kmh - frame.speed_kmh).abs() < 1e-3);
        assert_eq!((out.rpm, out.gear, out.throttle, out.brake), (frame.rpm, frame.gear, frame.throttle, frame.brake));
        assert_eq!(out.clutch, Some(frame.clutch.unwrap_or(0.0)));
    }
}

#[test]
fn emulator_writes_lfs_fields() {
    let frame = TelemetryFrame { in_pit: true, rpm: 7400.0, max_rpm: Some(7500.0), ..driving_frames(1).remove(0) };
    let packet = layout::Packet::parse(&Emulator::with_id(9).frame(&frame, &demo_meta()).remove(0)).unwrap();
    assert_eq!(packet.time_ms, 10_000, "LFS's clock is never 0");
    assert_eq!(packet.car, "XRT ");
    assert_eq!(packet.show_lights, layout::lights::DL_SHIFT | layout::lights::DL_PITSPEED);
    assert_eq!((packet.gear, packet.id), (0, Some(9)));
    assert!((packet.fuel - 0.42).abs() < 1e-6);
    assert_eq!(packet.display1, "Fuel 42.0l");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200), now in any::<u64>()) {
        let mut client = Client::new();
        let _ = client.receive(&bytes, now);
        client.poll(now.wrapping_add(10_000));
        let _ = client.take_events();
        let _ = client.receive(&bytes, now.wrapping_add(1));
    }

    #[test]
    fn packet_sized_random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 96), with_id in any::<bool>()) {
        let bytes = if with_id { &bytes[..] } else { &bytes[..92] };
        let mut client = Client::new();
        if let Ok(events) = client.receive(bytes, 0) {
            for frame in frames(&events) {
                prop_assert!(frame.speed_kmh.is_finite() && frame.rpm.is_finite());
                prop_assert!((0.0..=1.0).contains(&frame.throttle) && (0.0..=1.0).contains(&frame.brake));
            }
        }
    }

    #[test]
    fn truncations_and_flips_of_valid_packets_never_panic(
        with_id in any::<bool>(),
        cut in 0usize..96,
        flips in proptest::collection::vec((0usize..96, any::<u8>()), 0..16),
    ) {
        let mut emulator = if with_id { Emulator::with_id(3) } else { Emulator::new() };
        let packet = emulator.frame(&driving_frames(3)[2], &demo_meta()).remove(0);
        let mut client = Client::new();
        prop_assert!(client.receive(&packet, 0).is_ok());
        let _ = client.receive(&packet[..cut.min(packet.len())], 1);
        let mut flipped = packet.clone();
        for (index, byte) in flips {
            let index = index % flipped.len();
            flipped[index] ^= byte;
        }
        let _ = client.receive(&flipped, 2);
    }
}
