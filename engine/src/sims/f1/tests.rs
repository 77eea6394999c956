//! Tests of the F1 module: packets built by hand at the specification's offsets
//! (independent of [`super::layout`] and the emulator), the client's session
//! and frame rules, an emulator → client round trip of demo frames, and
//! never-panic properties.

use proptest::prelude::*;
use purplesector_proto::v1::{Sim, TelemetryFrame};

use super::{Client, Emulator};
use crate::demo::DemoDriver;
use crate::sims::wire::Writer;
use crate::sims::{PacketError, SessionMeta, SimClient, SimEmulator, SimEvent};

const UID: u64 = 0x0123_4567_89AB_CDEF;

// ---- packets written by hand from the F1 25 specification --------------------
//
// PacketHeader (29 bytes): u16 packetFormat @0, u8 gameYear @2, u8 major @3,
// u8 minor @4, u8 packetVersion @5, u8 packetId @6, u64 sessionUID @7,
// f32 sessionTime @15, u32 frameIdentifier @19, u32 overallFrameIdentifier @23,
// u8 playerCarIndex @27, u8 secondaryPlayerCarIndex @28.

fn hand_packet(format: u16, id: u8, size: usize, uid: u64, time: f32, frame: u32, player: u8) -> Writer {
    let mut w = Writer::zeroed(size);
    w.put(0, &format.to_le_bytes())
        .put(2, &[25])
        .put(3, &[1])
        .put(4, &[7])
        .put(5, &[1])
        .put(6, &[id])
        .put(7, &uid.to_le_bytes())
        .put(15, &time.to_le_bytes())
        .put(19, &frame.to_le_bytes())
        .put(23, &(frame + 500).to_le_bytes())
        .put(27, &[player])
        .put(28, &[255]);
    w
}

/// Session (753 bytes): u16 m_trackLength @33, u8 m_sessionType @35, i8 m_trackId @36.
fn hand_session(uid: u64, time: f32, track_id: i8, length: u16) -> Vec<u8> {
    let mut w = hand_packet(2025, 1, 753, uid, time, 0, 0);
    w.put(32, &[57]).put(33, &length.to_le_bytes()).put(35, &[15]).put(36, &track_id.to_le_bytes());
    w.finish()
}

/// Participants (1284 bytes): u8 m_numActiveCars @29, ParticipantData[22] @30,
/// 57 bytes each: u8 m_teamId @3, char m_name[32] @7.
fn hand_participants(uid: u64, time: f32, player: u8, team: u8, name: &str) -> Vec<u8> {
    let mut w = hand_packet(2025, 4, 1284, uid, time, 0, player);
    w.put(29, &[20]);
    let car = 30 + 57 * player as usize;
    w.put(car + 3, &[team]).put(car + 7, name.as_bytes());
    // The next car's record, which must not leak into the player's.
    w.put(car + 57 + 3, &[2]).put(car + 57 + 7, b"Other Driver");
    w.finish()
}

/// Lap Data (1285 bytes): LapData[22] @29, 57 bytes each: u32 m_lastLapTimeInMS
/// @0, u32 m_currentLapTimeInMS @4, f32 m_lapDistance @20, u8 m_currentLapNum
/// @33, u8 m_pitStatus @34, u8 m_currentLapInvalid @37, u8 m_driverStatus @44.
#[allow(clippy::too_many_arguments)]
fn hand_lap(
    uid: u64,
    time: f32,
    frame: u32,
    player: u8,
    last: u32,
    current: u32,
    distance: f32,
    lap_num: u8,
    pit_status: u8,
    invalid: u8,
    driver_status: u8,
) -> Vec<u8> {
    let mut w = hand_packet(2025, 2, 1285, uid, time, frame, player);
    let car = 29 + 57 * player as usize;
    w.put(car, &last.to_le_bytes())
        .put(car + 4, &current.to_le_bytes())
        .put(car + 20, &distance.to_le_bytes())
        .put(car + 33, &[lap_num])
        .put(car + 34, &[pit_status])
        .put(car + 37, &[invalid])
        .put(car + 44, &[driver_status]);
    w.finish()
}

/// Car Telemetry (1352 bytes): CarTelemetryData[22] @29, 60 bytes each: u16
/// m_speed @0, f32 m_throttle @2, f32 m_steer @6, f32 m_brake @10, u8 m_clutch
/// @14, i8 m_gear @15, u16 m_engineRPM @16, u16 m_brakesTemperature[4] @22, u8
/// m_tyresSurfaceTemperature[4] @30, u8 m_tyresInnerTemperature[4] @34, f32
/// m_tyresPressure[4] @40; wheel arrays in the order RL, RR, FL, FR.
fn hand_telemetry(uid: u64, time: f32, frame: u32, player: u8, speed: u16, throttle: f32, gear: i8) -> Vec<u8> {
    let mut w = hand_packet(2025, 6, 1352, uid, time, frame, player);
    let car = 29 + 60 * player as usize;
    w.put(car, &speed.to_le_bytes())
        .put(car + 2, &throttle.to_le_bytes())
        .put(car + 6, &(-0.25f32).to_le_bytes())
        .put(car + 10, &0.5f32.to_le_bytes())
        .put(car + 14, &[40])
        .put(car + 15, &gear.to_le_bytes())
        .put(car + 16, &11_500u16.to_le_bytes());
    for (i, brake) in [100u16, 200, 300, 400].iter().enumerate() {
        w.put(car + 22 + 2 * i, &brake.to_le_bytes());
    }
    w.put(car + 30, &[81, 82, 83, 84]).put(car + 34, &[91, 92, 93, 94]);
    for (i, psi) in [20.0f32, 21.0, 22.0, 23.0].iter().enumerate() {
        w.put(car + 40 + 4 * i, &psi.to_le_bytes());
    }
    // The next car, which must not be read.
    w.put(car + 60, &999u16.to_le_bytes());
    w.finish()
}

/// Motion (1349 bytes): CarMotionData[22] @29, 60 bytes each: f32 world position
/// xyz @0, velocity xyz @12, gForceLateral @36, gForceLongitudinal @40,
/// gForceVertical @44, yaw @48.
fn hand_motion(uid: u64, time: f32, frame: u32, player: u8) -> Vec<u8> {
    let mut w = hand_packet(2025, 0, 1349, uid, time, frame, player);
    let car = 29 + 60 * player as usize;
    for (i, v) in [100.5f32, 2.0, -300.25, 50.0, 0.5, -10.0].iter().enumerate() {
        w.put(car + 4 * i, &v.to_le_bytes());
    }
    w.put(car + 36, &1.5f32.to_le_bytes())
        .put(car + 40, &(-2.5f32).to_le_bytes())
        .put(car + 44, &1.1f32.to_le_bytes())
        .put(car + 48, &0.75f32.to_le_bytes());
    w.finish()
}

/// Car Status (1239 bytes): CarStatusData[22] @29, 55 bytes each: f32
/// m_fuelInTank @5, u16 m_maxRPM @17.
fn hand_status(uid: u64, time: f32, frame: u32, player: u8) -> Vec<u8> {
    let mut w = hand_packet(2025, 7, 1239, uid, time, frame, player);
    let car = 29 + 55 * player as usize;
    w.put(car + 5, &37.5f32.to_le_bytes()).put(car + 17, &13_000u16.to_le_bytes());
    w.finish()
}

/// Motion Ex (273 bytes): f32 m_wheelSlipRatio[4] @93 (after four f32[4] arrays).
fn hand_motion_ex(uid: u64, time: f32, frame: u32) -> Vec<u8> {
    let mut w = hand_packet(2025, 13, 273, uid, time, frame, 0);
    for (i, slip) in [0.01f32, 0.02, 0.03, 0.04].iter().enumerate() {
        w.put(93 + 4 * i, &slip.to_le_bytes());
    }
    w.finish()
}

/// Event (45 bytes): u8 m_eventStringCode[4] @29.
fn hand_event(uid: u64, time: f32, code: &[u8; 4]) -> Vec<u8> {
    let mut w = hand_packet(2025, 3, 45, uid, time, 0, 0);
    w.put(29, code);
    w.finish()
}

fn feed(client: &mut Client, datagrams: &[Vec<u8>]) -> Vec<SimEvent> {
    let mut events = Vec::new();
    for datagram in datagrams {
        events.extend(client.receive(datagram, 0).expect("valid packet"));
    }
    events
}

fn frames(events: &[SimEvent]) -> Vec<&TelemetryFrame> {
    events
        .iter()
        .filter_map(|e| match e {
            SimEvent::Frame(f) => Some(f.as_ref()),
            _ => None,
        })
        .collect()
}

/// A client that has announced session `uid` on Monza (5793 m) with the player in slot 0.
fn announced_client(uid: u64) -> Client {
    let mut client = Client::new();
    let events = feed(&mut client, &[hand_session(uid, 1.0, 11, 5793), hand_participants(uid, 1.0, 0, 8, "Lando")]);
    assert!(matches!(events.as_slice(), [SimEvent::Session(_)]), "{events:?}");
    client
}

fn close(a: f32, b: f32, tolerance: f32) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn decodes_hand_built_packets_field_by_field() {
    let player = 3;
    let mut client = Client::new();
    let events = feed(
        &mut client,
        &[
            hand_session(UID, 12.0, 11, 5793),
            hand_participants(UID, 12.0, player, 8, "Lando Norris"),
            hand_motion(UID, 12.5, 700, player),
            hand_motion_ex(UID, 12.5, 700),
            hand_lap(UID, 12.5, 700, player, 81_234, 45_678, 2896.5, 3, 0, 1, 1),
            hand_status(UID, 12.5, 700, player),
            hand_telemetry(UID, 12.5, 700, player, 287, 0.875, 7),
        ],
    );
    assert_eq!(events.len(), 2, "{events:?}");
    let SimEvent::Session(meta) = &events[0] else { panic!("expected Session first: {events:?}") };
    assert_eq!(
        meta,
        &SessionMeta {
            sim: Sim::F1,
            track: "Monza".into(),
            car: "McLaren".into(),
            driver: "Lando Norris".into(),
            track_length_m: Some(5793.0),
        }
    );
    let SimEvent::Frame(frame) = &events[1] else { panic!("expected a Frame: {events:?}") };
    assert_eq!(frame.seq, 0);
    assert_eq!(frame.captured_at_us, 0);
    assert_eq!(frame.session_time_ms, 12_500.0);
    assert_eq!(frame.current_lap_time_ms, 45_678);
    assert_eq!(frame.lap_number, 2, "m_currentLapNum 3 is the third lap: two completed");
    assert_eq!(frame.lap_distance_m, Some(2896.5));
    assert!(close(frame.normalized_position, 2896.5 / 5793.0, 1e-6));
    assert_eq!(frame.speed_kmh, 287.0);
    assert_eq!(frame.throttle, 0.875);
    assert_eq!(frame.steering, -0.25);
    assert_eq!(frame.brake, 0.5);
    assert_eq!(frame.clutch, Some(0.4));
    assert_eq!(frame.gear, 7);
    assert_eq!(frame.rpm, 11_500.0);
    assert_eq!(frame.max_rpm, Some(13_000.0));
    assert!(close(frame.fuel_l.unwrap(), 37.5 / 0.75, 1e-4));
    let position = frame.world_position.as_ref().unwrap();
    assert_eq!((position.x, position.y, position.z), (100.5, 2.0, -300.25));
    let velocity = frame.velocity.as_ref().unwrap();
    assert_eq!((velocity.x, velocity.y, velocity.z), (50.0, 0.5, -10.0));
    assert_eq!(frame.g_lat, Some(1.5));
    assert_eq!(frame.g_lon, Some(-2.5));
    assert_eq!(frame.g_vert, Some(1.1));
    assert_eq!(frame.yaw, Some(0.75));
    // Game wheel order RL, RR, FL, FR → proto FL, FR, RL, RR.
    let brakes = frame.brake_temp_c.as_ref().unwrap();
    assert_eq!((brakes.fl, brakes.fr, brakes.rl, brakes.rr), (300.0, 400.0, 100.0, 200.0));
    let tyres = frame.tyre_temp_c.as_ref().unwrap();
    assert_eq!((tyres.fl, tyres.fr, tyres.rl, tyres.rr), (83.0, 84.0, 81.0, 82.0));
    let pressure = frame.tyre_pressure_kpa.as_ref().unwrap();
    assert!(close(pressure.fl, 22.0 * 6.894_757, 1e-3), "{pressure:?}");
    assert!(close(pressure.fr, 23.0 * 6.894_757, 1e-3));
    assert!(close(pressure.rl, 20.0 * 6.894_757, 1e-3));
    assert!(close(pressure.rr, 21.0 * 6.894_757, 1e-3));
    let slip = frame.wheel_slip.as_ref().unwrap();
    assert_eq!((slip.fl, slip.fr, slip.rl, slip.rr), (0.03, 0.04, 0.01, 0.02));
    assert!(!frame.in_pit);
    assert!(frame.lap_invalid);
    assert_eq!(frame.last_lap_time_ms, Some(81_234));
    assert_eq!(frame.best_lap_time_ms, None);
}

#[test]
fn out_lap_pit_and_missing_timing() {
    let mut client = announced_client(UID);
    // Before the line on the first lap: negative lap distance, no last lap, in the pit lane.
    let events = feed(
        &mut client,
        &[hand_lap(UID, 2.0, 1, 0, 0, 3_000, -120.0, 1, 1, 0, 3), hand_telemetry(UID, 2.0, 1, 0, 60, 0.3, 2)],
    );
    let frame = frames(&events)[0];
    assert_eq!(frame.lap_number, 0);
    assert_eq!(frame.lap_distance_m, Some(-120.0));
    assert_eq!(frame.normalized_position, 0.0);
    assert_eq!(frame.last_lap_time_ms, None);
    assert!(frame.in_pit, "pitStatus 1 (pitting)");
    assert!(!frame.lap_invalid);
    // In the garage (driverStatus 0) counts as in the pit; past the lap's end clamps below 1.
    let events = feed(
        &mut client,
        &[hand_lap(UID, 3.0, 2, 0, 0, 3_000, 6000.0, 1, 0, 0, 0), hand_telemetry(UID, 3.0, 2, 0, 0, 0.0, 0)],
    );
    let frame = frames(&events)[0];
    assert!(frame.in_pit);
    assert!(frame.normalized_position < 1.0 && frame.normalized_position > 0.999_999);
}

#[test]
fn f1_24_participants_use_their_own_layout() {
    // F1 24 ParticipantData: 60 bytes, char m_name[48] @7; packet 1350 bytes.
    let mut w = hand_packet(2024, 4, 1350, UID, 1.0, 0, 1);
    let name = "A Driver With A Long Name Of Forty Chars";
    w.put(30 + 60 + 3, &[1]).put(30 + 60 + 7, name.as_bytes());
    let participants = w.finish();
    let mut session = hand_session(UID, 1.0, 13, 5807);
    session[0..2].copy_from_slice(&2024u16.to_le_bytes());
    let mut client = Client::new();
    let events = feed(&mut client, &[session, participants]);
    let [SimEvent::Session(meta)] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(meta.driver, name);
    assert_eq!(meta.car, "Ferrari");
    assert_eq!(meta.track, "Suzuka");
    // The F1 25 size is wrong for format 2024.
    let mut short = hand_packet(2024, 4, 1284, UID, 1.0, 0, 0).finish();
    short[6] = 4;
    assert_eq!(
        client.receive(&short, 0),
        Err(PacketError::Size { what: "F1 participants packet", expected: 1350, got: 1284 })
    );
}

#[test]
fn rejects_other_formats_sizes_and_ids() {
    let mut client = Client::new();
    let mut packet = hand_telemetry(UID, 1.0, 1, 0, 100, 0.5, 3);
    packet[0..2].copy_from_slice(&2023u16.to_le_bytes());
    assert_eq!(client.receive(&packet, 0), Err(PacketError::Version(2023)));
    packet[0..2].copy_from_slice(&2026u16.to_le_bytes());
    assert_eq!(client.receive(&packet, 0), Err(PacketError::Version(2026)));

    let packet = hand_telemetry(UID, 1.0, 1, 0, 100, 0.5, 3);
    assert_eq!(
        client.receive(&packet[..1351], 0),
        Err(PacketError::Size { what: "F1 car telemetry packet", expected: 1352, got: 1351 })
    );
    let mut longer = packet.clone();
    longer.push(0);
    assert!(matches!(client.receive(&longer, 0), Err(PacketError::Size { expected: 1352, got: 1353, .. })));
    assert!(matches!(client.receive(&packet[..20], 0), Err(PacketError::Truncated { needed: 29, got: 20, .. })));
    for (id, size) in [(0u8, 1349usize), (1, 753), (2, 1285), (3, 45), (4, 1284), (7, 1239), (13, 273)] {
        let packet = hand_packet(2025, id, size + 1, UID, 1.0, 1, 0).finish();
        assert!(
            matches!(client.receive(&packet, 0), Err(PacketError::Size { expected, .. }) if expected == size),
            "packet id {id}"
        );
    }

    let unknown = hand_packet(2025, 16, 100, UID, 1.0, 1, 0).finish();
    assert_eq!(client.receive(&unknown, 0), Err(PacketError::UnknownType(16)));
    let unknown_2024 = hand_packet(2024, 15, 1131, UID, 1.0, 1, 0).finish();
    assert_eq!(client.receive(&unknown_2024, 0), Err(PacketError::UnknownType(15)));
    // Car damage (10), final classification (8), lap positions (15): ignored, not errors.
    for (id, size) in [(10u8, 1041usize), (8, 1042), (15, 1131), (5, 1133)] {
        let packet = hand_packet(2025, id, size, UID, 1.0, 1, 0).finish();
        assert_eq!(client.receive(&packet, 0), Ok(vec![]), "packet id {id}");
    }

    let mut bad_player = hand_telemetry(UID, 1.0, 1, 0, 100, 0.5, 3);
    bad_player[27] = 22;
    assert_eq!(client.receive(&bad_player, 0), Err(PacketError::OutOfRange("playerCarIndex")));
    let bad_gear = hand_telemetry(UID, 1.0, 1, 0, 100, 0.5, 9);
    assert_eq!(client.receive(&bad_gear, 0), Err(PacketError::OutOfRange("gear")));
    let nan_throttle = hand_telemetry(UID, 1.0, 1, 0, 100, f32::NAN, 3);
    assert_eq!(client.receive(&nan_throttle, 0), Err(PacketError::NotFinite("throttle")));
    let mut nan_time = hand_telemetry(UID, 1.0, 1, 0, 100, 0.5, 3);
    nan_time[15..19].copy_from_slice(&f32::INFINITY.to_le_bytes());
    assert_eq!(client.receive(&nan_time, 0), Err(PacketError::NotFinite("sessionTime")));
    let mut nan_position = hand_motion(UID, 1.0, 1, 0);
    nan_position[29 + 4..29 + 8].copy_from_slice(&f32::NAN.to_le_bytes());
    assert_eq!(client.receive(&nan_position, 0), Err(PacketError::NotFinite("worldPosition")));
    let mut nan_distance = hand_lap(UID, 1.0, 1, 0, 0, 0, 0.0, 1, 0, 0, 1);
    nan_distance[29 + 20..29 + 24].copy_from_slice(&f32::NAN.to_le_bytes());
    assert_eq!(client.receive(&nan_distance, 0), Err(PacketError::NotFinite("lapDistance")));
}

#[test]
fn non_finite_secondary_channels_are_dropped() {
    let mut client = announced_client(UID);
    let mut motion = hand_motion(UID, 2.0, 1, 0);
    motion[29 + 36..29 + 40].copy_from_slice(&f32::NAN.to_le_bytes()); // gForceLateral
    motion[29 + 12..29 + 16].copy_from_slice(&f32::INFINITY.to_le_bytes()); // velocity x
    let mut telemetry = hand_telemetry(UID, 2.0, 1, 0, 100, 0.5, 3);
    telemetry[29 + 44..29 + 48].copy_from_slice(&f32::NAN.to_le_bytes()); // one tyre pressure
    let mut status = hand_status(UID, 2.0, 1, 0);
    status[29 + 5..29 + 9].copy_from_slice(&f32::NAN.to_le_bytes()); // fuel
    let lap = hand_lap(UID, 2.0, 1, 0, 0, 1000, 10.0, 1, 0, 0, 1);
    let events = feed(&mut client, &[motion, status, lap, telemetry]);
    let frame = frames(&events)[0];
    assert_eq!(frame.g_lat, None);
    assert!(frame.velocity.is_none());
    assert!(frame.world_position.is_some());
    assert!(frame.tyre_pressure_kpa.is_none());
    assert_eq!(frame.fuel_l, None);
    assert_eq!(frame.max_rpm, Some(13_000.0));
}

// ---- the client's state machine ----------------------------------------------

#[test]
fn no_handshake_poll_and_shutdown_send_nothing() {
    let mut client = Client::new();
    assert_eq!(client.sim(), Sim::F1);
    assert!(client.poll(0).is_empty());
    assert!(client.poll(60_000).is_empty());
    assert!(client.shutdown().is_empty());
    let mut emulator = Emulator::new();
    assert!(emulator.receive(b"anything").is_empty());
}

#[test]
fn frames_are_held_until_session_and_participants_then_follow_the_session() {
    let mut client = Client::new();
    let early = feed(
        &mut client,
        &[
            hand_lap(UID, 1.0, 10, 0, 0, 100, 5.0, 1, 0, 0, 1),
            hand_telemetry(UID, 1.0, 10, 0, 100, 0.1, 2),
            hand_telemetry(UID, 1.1, 11, 0, 101, 0.2, 2),
            hand_session(UID, 1.2, 7, 5891),
            hand_telemetry(UID, 1.2, 12, 0, 102, 0.3, 2),
        ],
    );
    assert!(early.is_empty(), "{early:?}");
    assert_eq!(client.session_meta().unwrap().track, "Silverstone");
    let events = feed(&mut client, &[hand_participants(UID, 1.3, 0, 3, "Alex")]);
    assert_eq!(events.len(), 4, "{events:?}");
    let SimEvent::Session(meta) = &events[0] else { panic!("{events:?}") };
    assert_eq!((meta.track.as_str(), meta.car.as_str(), meta.driver.as_str()), ("Silverstone", "Williams", "Alex"));
    let speeds: Vec<f32> = frames(&events).iter().map(|f| f.speed_kmh).collect();
    assert_eq!(speeds, [100.0, 101.0, 102.0]);
    assert!(close(frames(&events)[0].normalized_position, 5.0 / 5891.0, 1e-7));
    // From now on, each new frame is emitted at once.
    let events = feed(&mut client, &[hand_telemetry(UID, 1.4, 13, 0, 103, 0.4, 2)]);
    assert_eq!(frames(&events).len(), 1);
}

#[test]
fn session_is_announced_without_participants_after_the_wait() {
    let mut client = Client::new();
    let mut events =
        feed(&mut client, &[hand_session(UID, 10.0, 5, 3337), hand_lap(UID, 10.0, 1, 0, 0, 0, 1.0, 1, 0, 0, 1)]);
    for i in 0..80u32 {
        let time = 10.1 + i as f32 * 0.1;
        events.extend(feed(&mut client, &[hand_telemetry(UID, time, 2 + i, 0, 100 + i as u16, 0.5, 3)]));
    }
    let SimEvent::Session(meta) = &events[0] else { panic!("{events:?}") };
    assert_eq!(meta.track, "Monaco");
    assert_eq!(meta.driver, "unknown");
    assert_eq!(meta.car, "F1 25");
    assert_eq!(events.iter().filter(|e| matches!(e, SimEvent::Session(_))).count(), 1);
    assert!(frames(&events).len() >= 55, "held frames are released: {}", frames(&events).len());
}

#[test]
fn telemetry_without_lap_data_makes_no_frame() {
    let mut client = announced_client(UID);
    let events = feed(&mut client, &[hand_motion(UID, 2.0, 1, 0), hand_telemetry(UID, 2.0, 1, 0, 100, 0.5, 3)]);
    assert!(events.is_empty(), "{events:?}");
    let events = feed(
        &mut client,
        &[hand_lap(UID, 2.1, 2, 0, 0, 100, 3.0, 1, 0, 0, 1), hand_telemetry(UID, 2.1, 2, 0, 100, 0.5, 3)],
    );
    assert_eq!(frames(&events).len(), 1);
}

#[test]
fn one_frame_per_frame_identifier_and_duplicates_are_suppressed() {
    let mut client = announced_client(UID);
    let lap = hand_lap(UID, 2.0, 5, 0, 0, 100, 3.0, 1, 0, 0, 1);
    let telemetry = hand_telemetry(UID, 2.0, 5, 0, 100, 0.5, 3);
    let events = feed(&mut client, &[lap.clone(), telemetry.clone(), telemetry.clone()]);
    assert_eq!(frames(&events).len(), 1, "same m_frameIdentifier twice");
    // A new frame identifier with identical channels (paused, resent): no new sample.
    let mut same = telemetry.clone();
    same[19..23].copy_from_slice(&6u32.to_le_bytes());
    let events = feed(&mut client, &[same]);
    assert!(events.is_empty(), "{events:?}");
    // Any changed channel is a new sample.
    let events = feed(&mut client, &[hand_telemetry(UID, 2.0, 7, 0, 101, 0.5, 3)]);
    assert_eq!(frames(&events).len(), 1);
    let events = feed(&mut client, &[hand_telemetry(UID, 2.05, 8, 0, 101, 0.5, 3)]);
    assert_eq!(frames(&events).len(), 1, "the clock moved");
    // A flashback sends an earlier frame identifier: new data, new frame.
    let events = feed(&mut client, &[hand_telemetry(UID, 1.5, 3, 0, 90, 0.4, 3)]);
    assert_eq!(frames(&events).len(), 1);
}

#[test]
fn send_event_ends_the_session_and_a_new_uid_starts_one() {
    let mut client = announced_client(UID);
    let events = feed(
        &mut client,
        &[hand_lap(UID, 2.0, 1, 0, 0, 100, 3.0, 1, 0, 0, 1), hand_telemetry(UID, 2.0, 1, 0, 100, 0.5, 3)],
    );
    assert_eq!(frames(&events).len(), 1);
    assert!(feed(&mut client, &[hand_event(UID, 2.1, b"SSTA")]).is_empty());
    assert_eq!(feed(&mut client, &[hand_event(UID, 2.1, b"SEND")]), vec![SimEvent::SessionEnded]);
    assert!(feed(&mut client, &[hand_event(UID, 2.2, b"SEND")]).is_empty(), "ended once");
    // The results screen keeps streaming the old session: ignored.
    let events = feed(&mut client, &[hand_session(UID, 2.3, 11, 5793), hand_telemetry(UID, 2.3, 2, 0, 0, 0.0, 0)]);
    assert!(events.is_empty(), "{events:?}");
    // A new session: no second SessionEnded, a new Session, frames again.
    let new = UID + 1;
    let events = feed(
        &mut client,
        &[
            hand_session(new, 0.0, 26, 4259),
            hand_participants(new, 0.0, 0, 8, "Lando"),
            hand_lap(new, 0.1, 1, 0, 0, 100, 3.0, 1, 0, 0, 1),
            hand_telemetry(new, 0.1, 1, 0, 100, 0.5, 3),
        ],
    );
    assert!(matches!(events.as_slice(), [SimEvent::Session(meta), SimEvent::Frame(_)] if meta.track == "Zandvoort"));
}

#[test]
fn a_new_session_uid_ends_the_previous_session_first() {
    let mut client = announced_client(UID);
    let new = UID ^ 0xFFFF;
    let events = feed(&mut client, &[hand_session(new, 0.0, 3, 5412)]);
    assert_eq!(events, vec![SimEvent::SessionEnded]);
    let events = feed(&mut client, &[hand_participants(new, 0.0, 0, 1, "Charles")]);
    let [SimEvent::Session(meta)] = events.as_slice() else { panic!("{events:?}") };
    assert_eq!(meta.track, "Sakhir (Bahrain)");
    assert_eq!(meta.car, "Ferrari");
    // A session never announced ends silently.
    let mut client = Client::new();
    feed(&mut client, &[hand_lap(UID, 1.0, 1, 0, 0, 0, 0.0, 1, 0, 0, 1)]);
    assert!(feed(&mut client, &[hand_lap(new, 1.0, 1, 0, 0, 0, 0.0, 1, 0, 0, 1)]).is_empty());
}

#[test]
fn held_back_frames_are_bounded() {
    let mut client = Client::new();
    feed(&mut client, &[hand_lap(UID, 0.0, 0, 0, 0, 0, 0.0, 1, 0, 0, 1)]);
    let total = super::client::MAX_PENDING_FRAMES as u32 + 50;
    for i in 0..total {
        let frame = hand_telemetry(UID, i as f32 * 0.001, i + 1, 0, (i % 60000) as u16, 0.5, 3);
        assert!(client.receive(&frame, 0).unwrap().is_empty());
    }
    let events = feed(&mut client, &[hand_session(UID, 1.0, 11, 5793), hand_participants(UID, 1.0, 0, 8, "L")]);
    let frames = frames(&events);
    assert_eq!(frames.len(), super::client::MAX_PENDING_FRAMES);
    assert_eq!(frames[0].speed_kmh, 50.0, "the oldest were dropped");
}

// ---- emulator → client round trip ----------------------------------------------

#[test]
fn emulator_session_meta_round_trips() {
    let meta = SessionMeta {
        sim: Sim::F1,
        track: "Monza".into(),
        car: "McLaren".into(),
        driver: "Ø Driver with a name longer than thirty-one bytes".into(),
        track_length_m: Some(5793.0),
    };
    let mut emulator = Emulator::new();
    let mut client = Client::new();
    let mut frame = DemoDriver::new(1).next_frame();
    frame.seq = 0;
    let mut events = Vec::new();
    for datagram in emulator.frame(&frame, &meta) {
        events.extend(client.receive(&datagram, 0).unwrap());
    }
    let SimEvent::Session(got) = &events[0] else { panic!("{events:?}") };
    assert_eq!(got.track, "Monza");
    assert_eq!(got.car, "McLaren");
    assert_eq!(got.track_length_m, Some(5793.0));
    assert_eq!(got.driver, "Ø Driver with a name longer th", "cut at 31 bytes on a char boundary");
    assert_eq!(frames(&events).len(), 1);
    assert_eq!(client.receive(&emulator.session_ended(), 0), Ok(vec![SimEvent::SessionEnded]));
    assert_eq!(client.receive(&emulator.session_started(), 0), Ok(vec![]));
}

#[test]
fn emulator_to_client_round_trip_of_demo_laps() {
    let mut driver = DemoDriver::new(42);
    let length = driver.track().length_m() as f32;
    let meta = SessionMeta {
        sim: Sim::Demo,
        track: "Purple Park".into(),
        car: "Demo GT".into(),
        driver: "Demo".into(),
        track_length_m: Some(length),
    };
    let mut emulator = Emulator::new();
    let mut client = Client::new();
    let mut sessions = 0;
    let mut sent = 0;
    let mut received = 0;
    let mut last_lap = None;
    // Until two laps are completed.
    while driver.completed_lap_times_ms().len() < 2 {
        let frame = driver.next_frame();
        sent += 1;
        let mut got = Vec::new();
        for datagram in emulator.frame(&frame, &meta) {
            for event in client.receive(&datagram, 0).unwrap() {
                match event {
                    SimEvent::Session(meta) => {
                        sessions += 1;
                        assert_eq!(received, 0, "Session before any frame");
                        assert_eq!(meta.sim, Sim::F1);
                        assert_eq!(meta.track, "unknown", "not an F1 25 circuit");
                        assert_eq!(meta.car, "F1 Generic");
                        assert_eq!(meta.driver, "Demo");
                        assert_eq!(meta.track_length_m, Some(length.round()));
                    }
                    SimEvent::Frame(f) => got.push(*f),
                    SimEvent::SessionEnded => panic!("no end"),
                }
            }
        }
        assert_eq!(got.len(), 1, "one frame per demo frame (frame {sent})");
        received += 1;
        let got = &got[0];
        assert!(
            (got.session_time_ms - frame.session_time_ms).abs() < 0.5,
            "{} vs {}",
            got.session_time_ms,
            frame.session_time_ms
        );
        assert_eq!(got.current_lap_time_ms, frame.current_lap_time_ms);
        assert_eq!(got.lap_number, frame.lap_number);
        assert_eq!(got.lap_distance_m, frame.lap_distance_m);
        assert!(
            close(got.normalized_position, frame.normalized_position, 2e-4),
            "{} vs {}",
            got.normalized_position,
            frame.normalized_position
        );
        assert_eq!(got.throttle, frame.throttle.clamp(0.0, 1.0));
        assert_eq!(got.brake, frame.brake.clamp(0.0, 1.0));
        assert_eq!(got.steering, frame.steering.clamp(-1.0, 1.0));
        assert!(close(got.clutch.unwrap(), frame.clutch.unwrap_or(0.0), 0.005));
        assert!(close(got.speed_kmh, frame.speed_kmh, 0.5));
        assert_eq!(got.gear, frame.gear);
        assert!(close(got.rpm, frame.rpm, 0.5));
        assert!(close(got.max_rpm.unwrap(), frame.max_rpm.unwrap(), 0.5));
        assert_eq!(got.world_position, frame.world_position);
        assert_eq!(got.velocity, frame.velocity);
        assert_eq!((got.g_lat, got.g_lon, got.g_vert, got.yaw), (frame.g_lat, frame.g_lon, frame.g_vert, frame.yaw));
        assert_eq!(got.wheel_slip, frame.wheel_slip);
        let (a, b) = (got.tyre_temp_c.as_ref().unwrap(), frame.tyre_temp_c.as_ref().unwrap());
        for (x, y) in [(a.fl, b.fl), (a.fr, b.fr), (a.rl, b.rl), (a.rr, b.rr)] {
            assert!(close(x, y.clamp(0.0, 255.0), 0.5), "tyre {x} vs {y}");
        }
        let (a, b) = (got.brake_temp_c.as_ref().unwrap(), frame.brake_temp_c.as_ref().unwrap());
        for (x, y) in [(a.fl, b.fl), (a.fr, b.fr), (a.rl, b.rl), (a.rr, b.rr)] {
            assert!(close(x, y, 0.5), "brake {x} vs {y}");
        }
        let (a, b) = (got.tyre_pressure_kpa.as_ref().unwrap(), frame.tyre_pressure_kpa.as_ref().unwrap());
        for (x, y) in [(a.fl, b.fl), (a.fr, b.fr), (a.rl, b.rl), (a.rr, b.rr)] {
            assert!(close(x, y, 1e-3 * y.abs().max(1.0)), "pressure {x} vs {y}");
        }
        assert!(close(got.fuel_l.unwrap(), frame.fuel_l.unwrap(), 1e-4 * frame.fuel_l.unwrap().max(1.0)));
        assert_eq!(got.in_pit, frame.in_pit);
        assert_eq!(got.lap_invalid, frame.lap_invalid);
        assert_eq!(got.best_lap_time_ms, None);
        if got.lap_number == 0 {
            assert_eq!(got.last_lap_time_ms, None);
        } else {
            let exact = driver.completed_lap_times_ms()[got.lap_number as usize - 1];
            let last = got.last_lap_time_ms.expect("a last lap after the first line crossing");
            assert!((f64::from(last) - exact).abs() <= 2.0, "last lap {last} ms vs exact {exact} ms");
            last_lap = Some(last);
        }
    }
    assert_eq!(sessions, 1);
    assert_eq!(received, sent);
    assert!(last_lap.is_some());
}

// ---- never panic ----------------------------------------------------------------

/// One frame's worth of valid packets (with Session and Participants) from the emulator.
fn valid_packets() -> Vec<Vec<u8>> {
    let meta = SessionMeta {
        sim: Sim::F1,
        track: "Spa".into(),
        car: "Haas".into(),
        driver: "Ollie".into(),
        track_length_m: Some(7004.0),
    };
    let mut packets = Emulator::new().frame(&DemoDriver::new(3).next_frame(), &meta);
    packets.push(Emulator::new().session_ended());
    packets
}

fn frame_is_finite(frame: &TelemetryFrame) -> bool {
    let wheels = |w: &Option<purplesector_proto::v1::Wheels>| {
        w.as_ref().is_none_or(|w| [w.fl, w.fr, w.rl, w.rr].iter().all(|v| v.is_finite()))
    };
    let vec3 = |v: &Option<purplesector_proto::v1::Vec3>| {
        v.as_ref().is_none_or(|v| [v.x, v.y, v.z].iter().all(|c| c.is_finite()))
    };
    let options = [
        frame.lap_distance_m,
        frame.clutch,
        frame.max_rpm,
        frame.g_lat,
        frame.g_lon,
        frame.g_vert,
        frame.yaw,
        frame.fuel_l,
    ];
    frame.session_time_ms.is_finite()
        && [frame.normalized_position, frame.throttle, frame.brake, frame.steering, frame.speed_kmh, frame.rpm]
            .iter()
            .all(|v| v.is_finite())
        && (0.0..1.0).contains(&frame.normalized_position)
        && (-1..=8).contains(&frame.gear)
        && options.iter().all(|v| v.is_none_or(f32::is_finite))
        && vec3(&frame.world_position)
        && vec3(&frame.velocity)
        && wheels(&frame.tyre_temp_c)
        && wheels(&frame.tyre_pressure_kpa)
        && wheels(&frame.wheel_slip)
        && wheels(&frame.brake_temp_c)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1500)) {
        let mut client = Client::new();
        let _ = client.receive(&bytes, 0);
    }

    #[test]
    fn arbitrary_bodies_behind_a_valid_header_never_panic(
        format in prop_oneof![Just(2024u16), Just(2025u16)],
        id in 0u8..16,
        player in 0u8..24,
        body in proptest::collection::vec(any::<u8>(), 0..1400),
    ) {
        let mut packet = hand_packet(format, id, 29, UID, 1.0, 1, player).finish();
        packet.extend_from_slice(&body);
        let mut client = Client::new();
        if let Ok(events) = client.receive(&packet, 0) {
            for event in events {
                if let SimEvent::Frame(frame) = event {
                    prop_assert!(frame_is_finite(&frame));
                }
            }
        }
    }

    #[test]
    fn truncations_and_byte_flips_of_valid_packets_never_panic(
        which in 0usize..8,
        cut in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..16),
    ) {
        let packets = valid_packets();
        let packet = &packets[which % packets.len()];
        // Every truncation of the chosen packet.
        let mut client = Client::new();
        let _ = client.receive(&packet[..cut.index(packet.len() + 1)], 0);
        // The whole stream with random bytes flipped in the chosen packet.
        let mut flipped = packet.clone();
        for (at, byte) in &flips {
            let i = at.index(flipped.len());
            flipped[i] = *byte;
        }
        let mut client = Client::new();
        for (i, p) in packets.iter().enumerate() {
            let datagram = if i == which % packets.len() { &flipped } else { p };
            if let Ok(events) = client.receive(datagram, 0) {
                for event in events {
                    if let SimEvent::Frame(frame) = event {
                        prop_assert!(frame_is_finite(&frame), "{frame:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn nan_filled_packets_are_rejected_or_sanitised(which in 0usize..8, stride in 1usize..8) {
        // Every `stride`-th aligned f32 after the header set to NaN.
        let packets = valid_packets();
        let mut client = Client::new();
        for (i, packet) in packets.iter().enumerate() {
            let mut packet = packet.clone();
            if i == which % packets.len() {
                let mut at = 29;
                while at + 4 <= packet.len() {
                    packet[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
                    at += 4 * stride;
                }
            }
            if let Ok(events) = client.receive(&packet, 0) {
                for event in events {
                    if let SimEvent::Frame(frame) = event {
                        prop_assert!(frame_is_finite(&frame), "{frame:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn every_truncation_of_every_valid_packet_is_an_error_not_a_panic() {
    for packet in valid_packets() {
        for len in 0..packet.len() {
            let mut client = Client::new();
            assert!(client.receive(&packet[..len], 0).is_err(), "len {len} of {}", packet.len());
        }
    }
}
