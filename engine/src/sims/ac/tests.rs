//! Tests of the AC remote telemetry module: hand-built packets at the SDK's
//! offsets, the client's handshake/subscribe/silence state machine, the emulator
//! round trip, and never-panic properties.

use proptest::prelude::*;
use purplesector_proto::v1::{Sim, TelemetryFrame, Vec3, Wheels};

use super::client::{HANDSHAKE_RETRY_MS, SILENCE_MS};
use super::layout::{CarInfo, HandshakeResponse, Handshaker, Lap, Operation};
use super::mapping::DEFAULT_STEER_LOCK_DEG;
use super::{Client, Emulator, Subscription};
use crate::sims::wire::Writer;
use crate::sims::{PacketError, SessionMeta, SimClient, SimEmulator, SimEvent};

// ---- Hand-built packets (literal offsets from the SDK layout, not the module's) ----

fn put_f32(w: &mut Writer, offset: usize, value: f32) {
    w.put(offset, &value.to_le_bytes());
}

fn put_i32(w: &mut Writer, offset: usize, value: i32) {
    w.put(offset, &value.to_le_bytes());
}

/// `wchar_t[50]` as the game writes it: the text, `'%'`, then `garbage` units.
fn put_game_name(w: &mut Writer, offset: usize, text: &str, garbage: &[u16]) {
    let mut units: Vec<u16> = text.encode_utf16().collect();
    units.push('%' as u16);
    units.extend_from_slice(garbage);
    units.resize(50, 0);
    for (i, unit) in units.iter().enumerate() {
        w.put(offset + 2 * i, &unit.to_le_bytes());
    }
}

fn hand_response(car: &str, driver: &str, track: &str, config: &str) -> Vec<u8> {
    let mut w = Writer::zeroed(408);
    // Lone surrogates and noise after the terminator, as in captured datagrams.
    put_game_name(&mut w, 0, car, &[0xD800, 0x1234]);
    put_game_name(&mut w, 100, driver, &[]);
    put_i32(&mut w, 200, 4242);
    put_i32(&mut w, 204, 1);
    put_game_name(&mut w, 208, track, &[0xDC00, 0xFFFF, 0x0041]);
    put_game_name(&mut w, 308, config, &[0xBEEF]);
    w.finish()
}

/// An RTCarInfo captured-style: `'a'` + padding garbage, size 328, every field set.
fn hand_car_info() -> Vec<u8> {
    let mut w = Writer::zeroed(328);
    w.put(0, &[b'a', b'3', 0x00, 0x7F]);
    put_i32(&mut w, 4, 328);
    put_f32(&mut w, 8, 209.451_08); // speed_Kmh
    put_f32(&mut w, 12, 130.146_88); // speed_Mph
    put_f32(&mut w, 16, 58.180_86); // speed_Ms
    w.put(20, &[1, 0, 1, 1, 1, 0]); // abs enabled, abs in action, tc in action, tc enabled, in pit, limiter
    w.put(26, &[0xAA, 0x55]); // padding garbage
    put_f32(&mut w, 28, 0.021_8); // accG_vertical
    put_f32(&mut w, 32, -0.75); // accG_horizontal
    put_f32(&mut w, 36, 0.091); // accG_frontal
    put_i32(&mut w, 40, 12_345); // lapTime
    put_i32(&mut w, 44, 77_288); // lastLap
    put_i32(&mut w, 48, 76_900); // bestLap
    put_i32(&mut w, 52, 3); // lapCount
    put_f32(&mut w, 56, 0.8); // gas
    put_f32(&mut w, 60, 0.1); // brake
    put_f32(&mut w, 64, 0.75); // clutch (engagement)
    put_f32(&mut w, 68, 6_832.69); // engineRPM (float)
    put_f32(&mut w, 72, -90.0); // steer (degrees)
    put_i32(&mut w, 76, 6); // gear: 5th
    put_f32(&mut w, 80, 0.46); // cgHeight
    for wheel in 0..4 {
        let i = wheel as f32;
        put_f32(&mut w, 84 + 4 * wheel, 176.0 + i); // wheelAngularSpeed
        put_f32(&mut w, 100 + 4 * wheel, 0.17); // slipAngle
        put_f32(&mut w, 132 + 4 * wheel, [0.01, 0.02, 0.03, 0.04][wheel]); // slipRatio
        put_f32(&mut w, 148 + 4 * wheel, 0.0); // tyreSlip
        put_f32(&mut w, 180 + 4 * wheel, 2_300.0); // load
        put_f32(&mut w, 260 + 4 * wheel, 0.3225); // tyreRadius
        put_f32(&mut w, 292 + 4 * wheel, 0.014); // suspensionHeight
    }
    put_f32(&mut w, 308, 0.251); // carPositionNormalized
    put_f32(&mut w, 312, 0.0); // carSlope
    put_f32(&mut w, 316, -176.475); // x
    put_f32(&mut w, 320, -6.58); // y
    put_f32(&mut w, 324, 102.818); // z
    w.finish()
}

fn hand_lap() -> Vec<u8> {
    let mut w = Writer::zeroed(212);
    put_i32(&mut w, 0, 7);
    put_i32(&mut w, 4, 4);
    put_game_name(&mut w, 8, "Driver Name", &[]);
    put_game_name(&mut w, 108, "ks_ferrari_488_gt3", &[0xD801]);
    put_i32(&mut w, 208, 101_234);
    w.finish()
}

fn handshaker(op: i32) -> Vec<u8> {
    let mut w = Writer::zeroed(12);
    put_i32(&mut w, 0, 1);
    put_i32(&mut w, 4, 1);
    put_i32(&mut w, 8, op);
    w.finish()
}

fn operation_of(datagram: &[u8]) -> i32 {
    assert_eq!(datagram.len(), 12, "handshaker is 12 bytes");
    i32::from_le_bytes(datagram[8..12].try_into().unwrap())
}

fn operations(datagrams: &[Vec<u8>]) -> Vec<i32> {
    datagrams.iter().map(|d| operation_of(d)).collect()
}

fn frame_of(events: &[SimEvent]) -> &TelemetryFrame {
    events
        .iter()
        .find_map(|e| match e {
            SimEvent::Frame(f) => Some(f.as_ref()),
            _ => None,
        })
        .expect("a frame")
}

/// A client that has handshaken, received the response and subscribed.
fn streaming_client() -> Client {
    let mut client = Client::new();
    client.poll(0);
    client.receive(&hand_response("car", "driver", "track", "track"), 10).unwrap();
    client.poll(10);
    client
}

fn meta() -> SessionMeta {
    SessionMeta {
        sim: Sim::AssettoCorsa,
        track: "ks_monza66".into(),
        car: "bmw_m3_e30".into(),
        driver: "Jane Doe".into(),
        track_length_m: None,
    }
}

// ---- (1) Decoding hand-built packets ----

#[test]
fn decodes_hand_built_car_info_field_by_field() {
    let mut client = streaming_client();
    let events = client.receive(&hand_car_info(), 1_000).unwrap();
    assert_eq!(events.len(), 1);
    let f = frame_of(&events);
    assert_eq!((f.seq, f.captured_at_us), (0, 0));
    assert_eq!(f.session_time_ms, 0.0, "first frame starts the session clock");
    assert!((f.speed_kmh - 209.451_08).abs() < 1e-3);
    assert!((f.speed_kmh - 58.180_86 * 3.6).abs() < 1e-2, "speed_Ms x 3.6 agrees");
    assert!((f.rpm - 6_832.69).abs() < 1e-2, "engineRPM is a float");
    assert_eq!(f.gear, 5, "AC gear 6 is 5th");
    assert!((f.throttle - 0.8).abs() < 1e-6);
    assert!((f.brake - 0.1).abs() < 1e-6);
    assert!((f.clutch.unwrap() - 0.25).abs() < 1e-6, "clutch pedal = 1 - engagement");
    assert!((f.steering - (-90.0 / DEFAULT_STEER_LOCK_DEG)).abs() < 1e-6);
    assert_eq!(f.current_lap_time_ms, 12_345);
    assert_eq!(f.lap_number, 3);
    assert_eq!(f.last_lap_time_ms, Some(77_288));
    assert_eq!(f.best_lap_time_ms, Some(76_900));
    assert!((f.normalized_position - 0.251).abs() < 1e-6);
    assert_eq!(f.world_position, Some(Vec3 { x: -176.475, y: -6.58, z: 102.818 }));
    assert_eq!(f.g_lat, Some(-0.75));
    assert_eq!(f.g_lon, Some(0.091));
    assert_eq!(f.g_vert, Some(0.021_8));
    assert_eq!(f.wheel_slip, Some(Wheels { fl: 0.01, fr: 0.02, rl: 0.03, rr: 0.04 }));
    assert!(f.in_pit);
    assert!(!f.lap_invalid);
    assert_eq!(f.tyre_temp_c, None);
    assert_eq!(f.tyre_pressure_kpa, None);
    assert_eq!(f.lap_distance_m, None);

    let raw = CarInfo::decode(&hand_car_info()).unwrap();
    assert!(raw.is_abs_enabled && !raw.is_abs_in_action && raw.is_tc_in_action && raw.is_tc_enabled);
    assert!(raw.is_in_pit && !raw.is_engine_limiter_on);
    assert_eq!(raw.wheel_angular_speed, [176.0, 177.0, 178.0, 179.0]);
    assert_eq!(raw.load, [2_300.0; 4]);
    assert_eq!(raw.tyre_radius, [0.3225; 4]);
    assert_eq!(raw.cg_height, 0.46);
}

#[test]
fn gear_steering_and_lap_times_map_to_frame_conventions() {
    let cases: [(i32, i32); 4] = [(0, -1), (1, 0), (2, 1), (8, 7)];
    for (raw, expected) in cases {
        let mut bytes = hand_car_info();
        bytes[76..80].copy_from_slice(&raw.to_le_bytes());
        let f = super::mapping::to_frame(&CarInfo::decode(&bytes).unwrap(), 0.0, 450.0).unwrap();
        assert_eq!(f.gear, expected, "AC gear {raw}");
    }
    for (steer, expected) in [(900.0_f32, 1.0_f32), (-1_000.0, -1.0), (225.0, 0.5), (0.0, 0.0)] {
        let mut bytes = hand_car_info();
        bytes[72..76].copy_from_slice(&steer.to_le_bytes());
        let f = super::mapping::to_frame(&CarInfo::decode(&bytes).unwrap(), 0.0, 450.0).unwrap();
        assert_eq!(f.steering, expected, "steer {steer} deg, clamped to -1..1");
    }
    let mut client = Client::with_steer_lock_deg(90.0);
    client.receive(&hand_response("c", "d", "t", ""), 0).unwrap();
    let events = client.receive(&hand_car_info(), 0).unwrap();
    assert_eq!(frame_of(&events).steering, -1.0, "-90 deg is full left lock with a 90 deg lock");

    let mut bytes = hand_car_info();
    bytes[44..48].copy_from_slice(&0_i32.to_le_bytes());
    bytes[48..52].copy_from_slice(&(-1_i32).to_le_bytes());
    bytes[40..44].copy_from_slice(&(-5_i32).to_le_bytes());
    let f = super::mapping::to_frame(&CarInfo::decode(&bytes).unwrap(), 0.0, 450.0).unwrap();
    assert_eq!((f.last_lap_time_ms, f.best_lap_time_ms, f.current_lap_time_ms), (None, None, 0));
}

#[test]
fn decodes_hand_built_handshake_response() {
    let bytes = hand_response("bmw_m3_e30", "Jane Doe", "ks_nordschleife", "endurance");
    let response = HandshakeResponse::decode(&bytes).unwrap();
    assert_eq!(response.car_name, "bmw_m3_e30");
    assert_eq!(response.driver_name, "Jane Doe");
    assert_eq!(response.identifier, 4242);
    assert_eq!(response.version, 1);
    assert_eq!(response.track_name, "ks_nordschleife");
    assert_eq!(response.track_config, "endurance");

    let mut client = Client::new();
    let events = client.receive(&bytes, 0).unwrap();
    assert_eq!(
        events,
        vec![SimEvent::Session(SessionMeta {
            sim: Sim::AssettoCorsa,
            track: "ks_nordschleife-endurance".into(),
            car: "bmw_m3_e30".into(),
            driver: "Jane Doe".into(),
            track_length_m: None,
        })]
    );

    // No layout: the game repeats the track name as the config (or leaves it empty).
    for config in ["ks_monza66", ""] {
        let mut client = Client::new();
        let events = client.receive(&hand_response("car", "me", "ks_monza66", config), 0).unwrap();
        match &events[..] {
            [SimEvent::Session(meta)] => assert_eq!(meta.track, "ks_monza66"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn decodes_hand_built_lap_and_client_ignores_it() {
    let lap = Lap::decode(&hand_lap()).unwrap();
    assert_eq!(
        lap,
        Lap {
            car_identifier_number: 7,
            lap: 4,
            driver_name: "Driver Name".into(),
            car_name: "ks_ferrari_488_gt3".into(),
            time_ms: 101_234,
        }
    );
    let mut client = streaming_client();
    assert_eq!(client.receive(&hand_lap(), 100), Ok(vec![]));
}

#[test]
fn decodes_hand_built_handshaker_and_rejects_bad_ones() {
    assert_eq!(
        Handshaker::decode(&handshaker(2)),
        Ok(Handshaker { identifier: 1, version: 1, operation: Operation::SubscribeSpot })
    );
    assert_eq!(Handshaker::decode(&handshaker(9)), Err(PacketError::UnknownType(9)));
    assert!(matches!(Handshaker::decode(&[0; 11]), Err(PacketError::Size { .. })));
}

#[test]
fn rejects_wrong_sizes_identifiers_and_insane_values() {
    let mut client = streaming_client();
    assert!(matches!(client.receive(&[0; 100], 0), Err(PacketError::Size { got: 100, .. })));
    assert!(matches!(client.receive(&[], 0), Err(PacketError::Size { got: 0, .. })));

    let mut bytes = hand_car_info();
    bytes[0] = b'b';
    assert_eq!(client.receive(&bytes, 0), Err(PacketError::UnknownType(b'b' as u32)));

    let mut bytes = hand_car_info();
    bytes[4..8].copy_from_slice(&300_i32.to_le_bytes());
    assert!(matches!(client.receive(&bytes, 0), Err(PacketError::Size { what: "RTCarInfo.size", .. })));

    let mut bytes = hand_car_info();
    bytes[76..80].copy_from_slice(&(-1_i32).to_le_bytes());
    assert_eq!(client.receive(&bytes, 0), Err(PacketError::OutOfRange("gear")));

    let mut bytes = hand_car_info();
    bytes[68..72].copy_from_slice(&f32::NAN.to_le_bytes());
    assert_eq!(client.receive(&bytes, 0), Err(PacketError::NotFinite("engineRPM")));

    let mut bytes = hand_car_info();
    bytes[320..324].copy_from_slice(&f32::INFINITY.to_le_bytes());
    assert_eq!(client.receive(&bytes, 0), Err(PacketError::NotFinite("carCoordinates")));

    // speed_Kmh NaN falls back to speed_Ms x 3.6; both NaN is rejected.
    let mut bytes = hand_car_info();
    bytes[8..12].copy_from_slice(&f32::NAN.to_le_bytes());
    let f = *frame_of(&client.receive(&bytes, 0).unwrap());
    assert!((f.speed_kmh - 58.180_86 * 3.6).abs() < 1e-3);
    bytes[16..20].copy_from_slice(&f32::NAN.to_le_bytes());
    assert_eq!(client.receive(&bytes, 0), Err(PacketError::NotFinite("speed_Kmh")));

    // Non-essential channels are dropped, not the frame.
    let mut bytes = hand_car_info();
    bytes[32..36].copy_from_slice(&f32::NAN.to_le_bytes());
    bytes[64..68].copy_from_slice(&f32::INFINITY.to_le_bytes());
    bytes[136..140].copy_from_slice(&f32::NAN.to_le_bytes());
    let f = *frame_of(&client.receive(&bytes, 0).unwrap());
    assert_eq!((f.g_lat, f.clutch, f.wheel_slip), (None, None, None));
    assert_eq!(f.g_lon, Some(0.091));
}

// ---- (2) Client state machine ----

#[test]
fn client_handshakes_first_and_retries_every_second() {
    let mut client = Client::new();
    assert_eq!(client.sim(), Sim::AssettoCorsa);
    let first = client.poll(0);
    assert_eq!(first, vec![handshaker(0)], "identifier 1, version 1, HANDSHAKE");
    assert!(client.poll(HANDSHAKE_RETRY_MS - 1).is_empty());
    assert_eq!(operations(&client.poll(HANDSHAKE_RETRY_MS)), vec![0]);
    assert!(client.poll(HANDSHAKE_RETRY_MS + 500).is_empty());
    assert_eq!(operations(&client.poll(2 * HANDSHAKE_RETRY_MS + 1)), vec![0]);
}

#[test]
fn client_emits_session_then_subscribes_to_updates() {
    let mut client = Client::new();
    client.poll(0);
    let events = client.receive(&hand_response("ks_porsche", "Max", "spa", ""), 40).unwrap();
    assert!(matches!(&events[..], [SimEvent::Session(m)] if m.car == "ks_porsche" && m.driver == "Max"));
    assert_eq!(client.session().map(|m| m.track.as_str()), Some("spa"));
    assert_eq!(client.poll(41), vec![handshaker(1)], "SUBSCRIBE_UPDATE right after the answer");
    assert!(client.poll(42).is_empty(), "subscribes once");
    assert!(client.poll(1_500).is_empty(), "no handshake retries once answered");

    // The answer to a retried handshake is not a new session.
    assert_eq!(client.receive(&hand_response("ks_porsche", "Max", "spa", ""), 60), Ok(vec![]));
    let events = client.receive(&hand_car_info(), 100).unwrap();
    assert!(matches!(&events[..], [SimEvent::Frame(_)]));
    assert!(client.is_streaming());
}

#[test]
fn car_info_before_the_handshake_response_is_unexpected() {
    let mut client = Client::new();
    client.poll(0);
    assert!(matches!(client.receive(&hand_car_info(), 5), Err(PacketError::Unexpected(_))));
}

#[test]
fn client_rehandshakes_after_silence_and_ends_the_session() {
    let mut client = streaming_client();
    client.receive(&hand_car_info(), 100).unwrap();
    assert!(client.poll(100 + SILENCE_MS).is_empty(), "not silent yet");
    let datagrams = client.poll(101 + SILENCE_MS);
    assert_eq!(operations(&datagrams), vec![3, 0], "DISMISS any stale subscription, then HANDSHAKE");
    assert!(client.session().is_none());
    assert!(client.poll(102 + SILENCE_MS).is_empty());
    assert_eq!(operations(&client.poll(101 + SILENCE_MS + HANDSHAKE_RETRY_MS)), vec![0], "retries without dismiss");

    // SessionEnded comes with the next datagram, before the new session.
    let events = client.receive(&hand_response("car", "driver", "track", "track"), 5_000).unwrap();
    assert!(matches!(&events[..], [SimEvent::SessionEnded, SimEvent::Session(_)]), "{events:?}");
    assert_eq!(operations(&client.poll(5_001)), vec![1]);
    let events = client.receive(&hand_car_info(), 5_100).unwrap();
    assert_eq!(frame_of(&events).session_time_ms, 0.0, "the new session's clock starts again");

    // ...or from take_events for a collector that asks.
    client.poll(5_100 + SILENCE_MS + 1);
    assert_eq!(client.take_events(), vec![SimEvent::SessionEnded]);
    assert!(client.take_events().is_empty());
}

#[test]
fn silence_without_any_frame_after_subscribing_rehandshakes() {
    let mut client = Client::new();
    client.poll(0);
    client.receive(&hand_response("c", "d", "t", ""), 10).unwrap();
    assert_eq!(operations(&client.poll(20)), vec![1]);
    assert!(client.poll(20 + SILENCE_MS).is_empty());
    assert_eq!(operations(&client.poll(21 + SILENCE_MS)), vec![3, 0]);
    assert_eq!(client.take_events(), vec![SimEvent::SessionEnded]);
}

#[test]
fn handshake_response_while_streaming_is_a_restart() {
    let mut client = streaming_client();
    client.receive(&hand_car_info(), 100).unwrap();
    let events = client.receive(&hand_response("new_car", "driver", "new_track", ""), 200).unwrap();
    assert!(
        matches!(&events[..], [SimEvent::SessionEnded, SimEvent::Session(m)] if m.track == "new_track" && m.car == "new_car"),
        "{events:?}"
    );
    assert_eq!(operations(&client.poll(201)), vec![1], "subscribes again");
    // The same frame as before the restart is a new sample of the new session.
    assert!(matches!(&client.receive(&hand_car_info(), 300).unwrap()[..], [SimEvent::Frame(_)]));
}

#[test]
fn shutdown_dismisses_and_ends_the_session() {
    let mut client = streaming_client();
    client.receive(&hand_car_info(), 100).unwrap();
    assert_eq!(client.shutdown(), vec![handshaker(3)]);
    assert_eq!(client.take_events(), vec![SimEvent::SessionEnded]);
    assert_eq!(operations(&client.poll(200)), vec![0], "a restarted collector handshakes again");
}

#[test]
fn session_time_is_the_games_lap_timer_summed_across_laps() {
    let mut client = streaming_client();
    let mut bytes = hand_car_info();
    let mut times = Vec::new();
    // (lapTime, lastLap, lapCount, now): the collector's clock runs at a different
    // pace (a late datagram, an emulator faster than real time); the game's wins.
    let steps = [
        (90_000_i32, 0_i32, 3_i32, 1_000_u64),
        (90_016, 0, 3, 1_001),
        (90_033, 0, 3, 1_050),
        (10, 90_040, 4, 1_051), // the line: the lap lasted 90 040 ms by the game
        (26, 90_040, 4, 1_052),
        (26, 90_040, 4, 1_500), // the timer stands still (pits): the wall clock fills in
    ];
    for (i, (lap_time, last_lap, lap_count, now)) in steps.into_iter().enumerate() {
        bytes[40..44].copy_from_slice(&lap_time.to_le_bytes());
        bytes[44..48].copy_from_slice(&last_lap.to_le_bytes());
        bytes[52..56].copy_from_slice(&lap_count.to_le_bytes());
        bytes[308..312].copy_from_slice(&(0.1 + i as f32 * 0.01).to_le_bytes());
        times.push(frame_of(&client.receive(&bytes, now).unwrap()).session_time_ms);
    }
    assert_eq!(times, vec![0.0, 16.0, 33.0, 50.0, 66.0, 514.0]);
}

// ---- (5) Duplicate suppression ----

#[test]
fn identical_frames_are_not_new_samples() {
    let mut client = streaming_client();
    let bytes = hand_car_info();
    assert_eq!(client.receive(&bytes, 100).unwrap().len(), 1);
    assert_eq!(client.receive(&bytes, 103).unwrap(), vec![], "the same step again (paused game)");
    // Padding bytes differ, channels do not: still the same sample.
    let mut padded = bytes.clone();
    padded[1] = 0x42;
    padded[27] = 0x99;
    assert_eq!(client.receive(&padded, 106).unwrap(), vec![]);
    let mut moved = bytes.clone();
    moved[308..312].copy_from_slice(&0.252_f32.to_le_bytes());
    let events = client.receive(&moved, 110).unwrap();
    assert_eq!(frame_of(&events).session_time_ms, 10.0);
    assert_eq!(client.receive(&bytes, 120).unwrap().len(), 1, "going back is a change too");
}

// ---- (3) Emulator ----

fn demo_frames(count: usize) -> Vec<TelemetryFrame> {
    // A 60-second lap at 20 Hz, crossing the line between frames.
    (0..count)
        .map(|i| {
            let t = 55_000.0 + i as f64 * 50.0 + 7.0;
            let lap_number = (t / 60_000.0) as u32;
            let lap_ms = (t % 60_000.0) as u32;
            let phase = (t / 60_000.0).fract() as f32;
            let angle = phase * std::f32::consts::TAU;
            TelemetryFrame {
                session_time_ms: t,
                current_lap_time_ms: lap_ms,
                lap_number,
                normalized_position: phase,
                throttle: 0.5 + 0.5 * angle.sin(),
                brake: (0.5 - 0.5 * angle.sin()).min(0.9),
                clutch: Some(if i % 10 == 0 { 0.4 } else { 0.0 }),
                steering: 0.3 * (angle * 3.0).sin(),
                speed_kmh: 150.0 + 80.0 * angle.cos(),
                gear: 1 + (i % 6) as i32,
                rpm: 5_000.0 + 10.0 * i as f32,
                world_position: Some(Vec3 { x: 500.0 * angle.cos(), y: 3.0, z: 300.0 * angle.sin() }),
                g_lat: Some(1.2 * angle.sin()),
                g_lon: Some(-0.4 * angle.cos()),
                g_vert: Some(1.0),
                wheel_slip: Some(Wheels { fl: 0.01, fr: 0.02, rl: 0.05, rr: 0.06 }),
                in_pit: i < 2,
                ..TelemetryFrame::default()
            }
        })
        .collect()
}

/// Exchanges datagrams between a client and an emulator until the client is subscribed.
fn connect(client: &mut Client, emulator: &mut Emulator, now_ms: u64) -> Vec<SimEvent> {
    let mut events = Vec::new();
    for request in client.poll(now_ms) {
        for reply in emulator.receive(&request) {
            events.extend(client.receive(&reply, now_ms).unwrap());
        }
    }
    for request in client.poll(now_ms) {
        assert!(emulator.receive(&request).is_empty());
    }
    events
}

#[test]
fn emulator_answers_handshake_with_the_session_meta() {
    let mut emulator = Emulator::new(meta());
    let reply = emulator.receive(&handshaker(0));
    assert_eq!(reply.len(), 1);
    assert_eq!(reply[0].len(), 408);
    let response = HandshakeResponse::decode(&reply[0]).unwrap();
    assert_eq!((response.identifier, response.version), (4242, 1));
    assert_eq!(response.car_name, "bmw_m3_e30");
    // '%'-terminated like the game.
    let car_units: Vec<u16> = reply[0][..22].chunks(2).map(|p| u16::from_le_bytes([p[0], p[1]])).collect();
    assert_eq!(String::from_utf16(&car_units).unwrap(), "bmw_m3_e30%");
    assert!(emulator.receive(&[1, 2, 3]).is_empty(), "garbage is ignored");
    assert!(emulator.receive(&handshaker(7)).is_empty());
}

#[test]
fn emulator_streams_only_to_a_subscriber_and_stops_on_dismiss() {
    let frames = demo_frames(3);
    let mut emulator = Emulator::new(meta());
    assert!(emulator.frame(&frames[0], &meta()).is_empty(), "nobody subscribed");
    assert!(emulator.receive(&handshaker(1)).is_empty());
    assert_eq!(emulator.subscription(), None, "subscribing needs the handshake first");
    emulator.receive(&handshaker(0));
    emulator.receive(&handshaker(1));
    assert_eq!(emulator.subscription(), Some(Subscription::Update));
    let datagrams = emulator.frame(&frames[1], &meta());
    assert_eq!(datagrams.len(), 1);
    assert_eq!(datagrams[0].len(), 328);
    assert_eq!(datagrams[0][0], b'a');
    assert_eq!(emulator.receive(&handshaker(3)), Vec::<Vec<u8>>::new());
    assert!(emulator.frame(&frames[2], &meta()).is_empty(), "dismissed");
}

#[test]
fn emulator_to_client_round_trip_reproduces_the_channels() {
    let frames = demo_frames(200);
    let mut emulator = Emulator::new(meta());
    let mut client = Client::new();
    let events = connect(&mut client, &mut emulator, 0);
    assert_eq!(events, vec![SimEvent::Session(meta())]);

    let mut out = Vec::new();
    for (i, frame) in frames.iter().enumerate() {
        for datagram in emulator.frame(frame, &meta()) {
            out.extend(client.receive(&datagram, 1_000 + 50 * i as u64).unwrap());
        }
    }
    assert_eq!(out.len(), frames.len());
    let mut saw_lap = false;
    for (i, (sent, event)) in frames.iter().zip(&out).enumerate() {
        let SimEvent::Frame(got) = event else { panic!("{event:?}") };
        assert_eq!(got.session_time_ms, 50.0 * i as f64);
        assert_eq!(got.current_lap_time_ms, sent.current_lap_time_ms);
        assert_eq!(got.lap_number, sent.lap_number);
        assert!((got.normalized_position - sent.normalized_position).abs() < 1e-6);
        assert!((got.throttle - sent.throttle).abs() < 1e-6);
        assert!((got.brake - sent.brake).abs() < 1e-6);
        assert!((got.clutch.unwrap() - sent.clutch.unwrap()).abs() < 1e-6);
        assert!((got.steering - sent.steering).abs() < 1e-5);
        assert!((got.speed_kmh - sent.speed_kmh).abs() < 1e-3);
        assert_eq!(got.gear, sent.gear);
        assert_eq!(got.rpm, sent.rpm);
        assert_eq!(got.world_position, sent.world_position);
        assert_eq!((got.g_lat, got.g_lon, got.g_vert), (sent.g_lat, sent.g_lon, sent.g_vert));
        assert_eq!(got.wheel_slip, sent.wheel_slip);
        assert_eq!(got.in_pit, sent.in_pit);
        if sent.lap_number == 0 {
            assert_eq!(got.last_lap_time_ms, None);
        } else {
            // Crossing at 60 000 ms of session time: the first lap took 60 s.
            assert_eq!(got.last_lap_time_ms, Some(60_000));
            assert_eq!(got.best_lap_time_ms, Some(60_000));
            saw_lap = true;
        }
    }
    assert!(saw_lap, "the frames cross the line");
}

#[test]
fn demo_driver_round_trip_reproduces_channels_and_lap_times() {
    let meta = SessionMeta {
        sim: Sim::AssettoCorsa,
        track: crate::demo::TRACK_NAME.into(),
        car: crate::demo::CAR_NAME.into(),
        driver: "Demo Driver".into(),
        track_length_m: None,
    };
    let mut driver = crate::demo::DemoDriver::new(11);
    let mut emulator = Emulator::new(meta.clone());
    let mut client = Client::new();
    assert_eq!(connect(&mut client, &mut emulator, 0), vec![SimEvent::Session(meta.clone())]);

    let mut compared = 0;
    let mut laps_checked = 0;
    let mut first_time = None;
    for _ in 0..60 * 60 * 10 {
        let sent = driver.next_frame();
        let now_ms = 10_000 + sent.session_time_ms.round() as u64;
        let first = *first_time.get_or_insert(sent.session_time_ms);
        for datagram in emulator.frame(&sent, &meta) {
            for event in client.receive(&datagram, now_ms).unwrap() {
                let SimEvent::Frame(got) = event else { panic!("{event:?}") };
                compared += 1;
                assert!((got.session_time_ms - (sent.session_time_ms - first)).abs() <= 1.0);
                assert_eq!(got.current_lap_time_ms, sent.current_lap_time_ms);
                assert_eq!(got.lap_number, sent.lap_number);
                assert!((got.normalized_position - sent.normalized_position).abs() < 1e-6);
                assert!((got.throttle - sent.throttle).abs() < 1e-6);
                assert!((got.brake - sent.brake).abs() < 1e-6);
                assert!((got.clutch.unwrap() - sent.clutch.unwrap_or(0.0)).abs() < 1e-6);
                assert!((got.steering - sent.steering).abs() < 1e-5);
                assert!((got.speed_kmh - sent.speed_kmh).abs() < 1e-3);
                assert_eq!((got.gear, got.rpm), (sent.gear, sent.rpm));
                assert_eq!(got.world_position, sent.world_position);
                assert_eq!((got.g_lat, got.g_lon, got.g_vert), (sent.g_lat, sent.g_lon, sent.g_vert));
                assert_eq!(got.wheel_slip, sent.wheel_slip);
                assert_eq!(got.in_pit, sent.in_pit);
                if got.lap_number > 0 {
                    let exact = driver.completed_lap_times_ms()[got.lap_number as usize - 1];
                    let last = got.last_lap_time_ms.expect("last lap after the first crossing");
                    assert!((f64::from(last) - exact).abs() <= 2.0, "lap {}: {last} vs {exact}", got.lap_number);
                    laps_checked = laps_checked.max(got.lap_number);
                    let best = driver.completed_lap_times_ms().iter().cloned().fold(f64::INFINITY, f64::min);
                    assert!((f64::from(got.best_lap_time_ms.unwrap()) - best).abs() <= 2.0);
                } else {
                    assert_eq!(got.last_lap_time_ms, None);
                }
            }
        }
        if sent.lap_number >= 2 {
            break;
        }
    }
    assert!(laps_checked >= 2, "two laps completed");
    assert!(compared > 1_000);
}

#[test]
fn emulator_sends_rt_lap_to_a_spot_subscriber() {
    let frames = demo_frames(200);
    let mut emulator = Emulator::new(meta());
    emulator.receive(&handshaker(0));
    emulator.receive(&handshaker(2));
    assert_eq!(emulator.subscription(), Some(Subscription::Spot));
    let laps: Vec<Lap> =
        frames.iter().flat_map(|f| emulator.frame(f, &meta())).map(|d| Lap::decode(&d).unwrap()).collect();
    assert_eq!(
        laps,
        vec![Lap {
            car_identifier_number: 0,
            lap: 1,
            driver_name: "Jane Doe".into(),
            car_name: "bmw_m3_e30".into(),
            time_ms: 60_000,
        }]
    );
}

#[test]
fn emulator_prefers_the_frames_own_lap_times_and_resets_on_a_new_session() {
    let mut emulator = Emulator::new(meta());
    emulator.receive(&handshaker(0));
    emulator.receive(&handshaker(1));
    let decode = |d: Vec<Vec<u8>>| CarInfo::decode(&d[0]).unwrap();
    let base =
        TelemetryFrame { lap_number: 2, current_lap_time_ms: 59_990, session_time_ms: 100.0, ..Default::default() };
    decode(emulator.frame(&base, &meta()));
    let crossed = TelemetryFrame {
        lap_number: 3,
        current_lap_time_ms: 10,
        session_time_ms: 120.0,
        last_lap_time_ms: Some(59_999),
        best_lap_time_ms: Some(58_000),
        ..Default::default()
    };
    let info = decode(emulator.frame(&crossed, &meta()));
    assert_eq!((info.last_lap_ms, info.best_lap_ms, info.lap_count), (59_999, 58_000, 3));
    let restarted = TelemetryFrame { lap_number: 0, session_time_ms: 0.0, ..Default::default() };
    let info = decode(emulator.frame(&restarted, &meta()));
    assert_eq!((info.last_lap_ms, info.best_lap_ms), (0, 0));
}

#[test]
fn names_are_truncated_to_fit_and_round_trip() {
    let long = "é".repeat(80);
    let response = HandshakeResponse {
        car_name: long.clone(),
        driver_name: "🏎".repeat(30),
        identifier: 4242,
        version: 1,
        track_name: "100%_track".into(),
        track_config: String::new(),
    };
    let decoded = HandshakeResponse::decode(&response.encode()).unwrap();
    assert_eq!(decoded.car_name, "é".repeat(49));
    assert_eq!(decoded.driver_name, "🏎".repeat(24), "no half surrogate pair at the cut");
    assert_eq!(decoded.track_name, "100", "'%' ends a name on the wire");
}

// ---- (4) Never panic ----

fn assert_sane(frame: &TelemetryFrame) {
    for value in [frame.throttle, frame.brake, frame.steering, frame.speed_kmh, frame.rpm, frame.normalized_position] {
        assert!(value.is_finite());
    }
    assert!((0.0..=1.0).contains(&frame.throttle) && (0.0..=1.0).contains(&frame.brake));
    assert!((-1.0..=1.0).contains(&frame.steering));
    assert!((0.0..=1.0).contains(&frame.normalized_position));
    assert!(frame.gear >= -1);
    for value in [frame.g_lat, frame.g_lon, frame.g_vert, frame.clutch].into_iter().flatten() {
        assert!(value.is_finite());
    }
}

fn feed(client: &mut Client, bytes: &[u8]) {
    if let Ok(events) = client.receive(bytes, 1_000) {
        for event in &events {
            if let SimEvent::Frame(frame) = event {
                assert_sane(frame);
            }
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        feed(&mut Client::new(), &bytes);
        feed(&mut streaming_client(), &bytes);
        let _ = Emulator::new(meta()).receive(&bytes);
    }

    #[test]
    fn arbitrary_packets_of_the_protocol_sizes_never_panic(
        size in prop::sample::select(vec![12_usize, 212, 328, 408]),
        seed in proptest::collection::vec(any::<u8>(), 408),
        identify in any::<bool>(),
    ) {
        let mut bytes = seed[..size].to_vec();
        if identify && size == 328 {
            bytes[0] = b'a';
            bytes[4..8].copy_from_slice(&328_i32.to_le_bytes());
        }
        feed(&mut streaming_client(), &bytes);
        let _ = Emulator::new(meta()).receive(&bytes);
    }

    #[test]
    fn truncations_and_byte_flips_of_valid_packets_never_panic(
        which in 0_usize..4,
        cut in 0_usize..408,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..16),
    ) {
        let valid = [hand_car_info(), hand_response("car", "me", "track", "cfg"), hand_lap(), handshaker(1)];
        let packet = &valid[which];
        feed(&mut streaming_client(), &packet[..cut.min(packet.len())]);
        let mut flipped = packet.clone();
        for (index, value) in &flips {
            let i = index.index(flipped.len());
            flipped[i] ^= value;
        }
        feed(&mut streaming_client(), &flipped);
        let _ = Emulator::new(meta()).receive(&flipped);
    }

    #[test]
    fn non_finite_floats_are_rejected_or_dropped(
        field in prop::sample::select((8..328).step_by(4).filter(|o| ![40, 44, 48, 52, 76].contains(o)).collect::<Vec<usize>>()),
        value in prop::sample::select(vec![f32::NAN, f32::INFINITY, f32::NEG_INFINITY]),
    ) {
        let mut bytes = hand_car_info();
        bytes[field..field + 4].copy_from_slice(&value.to_le_bytes());
        let mut client = streaming_client();
        match client.receive(&bytes, 1_000) {
            Ok(events) => assert_sane(frame_of(&events)),
            Err(error) => prop_assert!(matches!(error, PacketError::NotFinite(_)), "{error:?}"),
        }
    }

}

#[test]
fn all_nan_packet_is_rejected() {
    let mut bytes = hand_car_info();
    for offset in (8..328).step_by(4).filter(|o| ![20, 24, 40, 44, 48, 52, 76].contains(o)) {
        bytes[offset..offset + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    }
    assert!(matches!(streaming_client().receive(&bytes, 0), Err(PacketError::NotFinite(_))));
}
