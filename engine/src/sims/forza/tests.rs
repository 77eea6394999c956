//! Forza Data Out: hand-built packets, the client's session rules, the emulator
//! round trip and robustness against arbitrary bytes.

use proptest::prelude::*;
use purplesector_proto::v1::{Sim, TelemetryFrame, Vec3, Wheels};

use super::*;
use crate::sims::wire::Writer;
use crate::sims::{PacketError, SessionMeta, SimClient, SimEmulator, SimEvent};

fn put_f32(writer: &mut Writer, offset: usize, value: f32) {
    writer.put(offset, &value.to_le_bytes());
}

/// A Sled block written by hand at the documented offsets.
fn hand_sled(size: usize) -> Writer {
    let mut w = Writer::zeroed(size);
    w.put(0, &1i32.to_le_bytes()); // IsRaceOn
    w.put(4, &123_456u32.to_le_bytes()); // TimestampMS
    put_f32(&mut w, 8, 8500.0); // EngineMaxRpm
    put_f32(&mut w, 12, 900.0); // EngineIdleRpm
    put_f32(&mut w, 16, 6200.5); // CurrentEngineRpm
    put_f32(&mut w, 20, 9.80665); // AccelerationX (right)
    put_f32(&mut w, 24, -4.903325); // AccelerationY (up)
    put_f32(&mut w, 28, 19.6133); // AccelerationZ (forward)
    put_f32(&mut w, 32, 3.0); // VelocityX
    put_f32(&mut w, 36, 0.0); // VelocityY
    put_f32(&mut w, 40, 4.0); // VelocityZ
    put_f32(&mut w, 56, 1.25); // Yaw
    for (i, slip) in [0.1f32, 0.2, 0.3, 0.4].iter().enumerate() {
        put_f32(&mut w, 84 + 4 * i, 9.0); // TireSlipRatio (not mapped)
        put_f32(&mut w, 180 + 4 * i, *slip); // TireCombinedSlip
    }
    w.put(212, &2345i32.to_le_bytes()); // CarOrdinal
    w.put(228, &8i32.to_le_bytes()); // NumCylinders
    w
}

/// The Dash block written by hand at `base` (232, or 244 for Horizon).
fn hand_dash(w: &mut Writer, base: usize) {
    put_f32(w, base, 100.5); // PositionX
    put_f32(w, base + 4, -2.0); // PositionY
    put_f32(w, base + 8, 300.25); // PositionZ
    put_f32(w, base + 12, 50.0); // Speed m/s
    for (i, temp_f) in [212.0f32, 176.0, 32.0, 194.0].iter().enumerate() {
        put_f32(w, base + 24 + 4 * i, *temp_f); // TireTemp °F
    }
    put_f32(w, base + 44, 0.5); // Fuel
    put_f32(w, base + 48, 1234.0); // DistanceTraveled
    put_f32(w, base + 52, 83.5); // BestLap
    put_f32(w, base + 56, 84.25); // LastLap
    put_f32(w, base + 60, 12.5); // CurrentLap
    put_f32(w, base + 64, 180.0); // CurrentRaceTime
    w.put(base + 68, &0u16.to_le_bytes()); // LapNumber
    w.put(base + 70, &[3, 255, 51, 0, 0, 0]); // RacePosition, Accel, Brake, Clutch, HandBrake, Gear (R)
    w.put(base + 76, &(-127i8).to_le_bytes()); // Steer
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

fn close(a: f32, b: f32, tolerance: f32) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn decodes_a_hand_built_dash_packet() {
    let mut w = hand_sled(311);
    hand_dash(&mut w, 232);
    let mut client = Client::new();
    let events = client.receive(&w.finish(), 0).unwrap();
    assert!(matches!(events[0], SimEvent::Session(_)));
    let meta = &sessions(&events)[0];
    assert_eq!(meta.sim, Sim::Forza);
    assert_eq!(meta.car, "car 2345");
    assert_eq!(meta.track, "unknown");
    assert_eq!(meta.track_length_m, None);

    let f = single_frame(&events);
    assert_eq!(f.seq, 0);
    assert_eq!(f.captured_at_us, 0);
    assert_eq!(f.rpm, 6200.5);
    assert_eq!(f.max_rpm, Some(8500.0));
    assert!(close(f.speed_kmh, 180.0, 1e-3), "Dash Speed 50 m/s, not the velocity: {}", f.speed_kmh);
    assert!(close(f.g_lat.unwrap(), 1.0, 1e-6));
    assert!(close(f.g_vert.unwrap(), -0.5, 1e-6));
    assert!(close(f.g_lon.unwrap(), 2.0, 1e-6));
    assert_eq!(f.velocity, Some(Vec3 { x: 3.0, y: 0.0, z: 4.0 }));
    assert_eq!(f.yaw, Some(1.25));
    assert_eq!(f.wheel_slip, Some(Wheels { fl: 0.1, fr: 0.2, rl: 0.3, rr: 0.4 }));
    assert_eq!(f.world_position, Some(Vec3 { x: 100.5, y: -2.0, z: 300.25 }));
    let temps = f.tyre_temp_c.unwrap();
    assert!(close(temps.fl, 100.0, 1e-4) && close(temps.fr, 80.0, 1e-4));
    assert!(close(temps.rl, 0.0, 1e-4) && close(temps.rr, 90.0, 1e-4));
    assert_eq!(f.throttle, 1.0);
    assert!(close(f.brake, 0.2, 1e-6));
    assert_eq!(f.clutch, Some(0.0));
    assert_eq!(f.steering, -1.0);
    assert_eq!(f.gear, -1);
    assert_eq!(f.lap_number, 0);
    assert_eq!(f.current_lap_time_ms, 12_500);
    assert_eq!(f.last_lap_time_ms, Some(84_250));
    assert_eq!(f.best_lap_time_ms, Some(83_500));
    assert_eq!(f.session_time_ms, 180_000.0, "CurrentRaceTime is the session clock");
    assert_eq!(f.lap_distance_m, Some(1234.0), "the first lap starts at distance 0");
    assert_eq!(f.normalized_position, 0.0, "no track length, no position");
    assert_eq!(f.fuel_l, None, "Fuel is a fraction of an unknown tank");
    assert!(!f.in_pit && !f.lap_invalid);
}

#[test]
fn decodes_a_hand_built_sled_packet() {
    let mut client = Client::new();
    let events = client.receive(&hand_sled(232).finish(), 0).unwrap();
    assert_eq!(sessions(&events).len(), 1);
    let f = single_frame(&events);
    assert!(close(f.speed_kmh, 18.0, 1e-4), "|(3, 0, 4)| m/s × 3.6: {}", f.speed_kmh);
    assert_eq!(f.rpm, 6200.5);
    assert_eq!(f.session_time_ms, 0.0, "TimestampMS relative to the first packet");
    assert_eq!((f.lap_number, f.current_lap_time_ms, f.last_lap_time_ms), (0, 0, None));
    assert_eq!((f.gear, f.throttle, f.world_position, f.lap_distance_m), (0, 0.0, None, None));

    let mut later = hand_sled(232);
    later.put(4, &123_556u32.to_le_bytes());
    put_f32(&mut later, 16, 6300.0);
    let f = single_frame(&client.receive(&later.finish(), 100).unwrap());
    assert_eq!(f.session_time_ms, 100.0);
}

#[test]
fn horizon_shifts_the_dash_block_by_twelve_bytes() {
    let mut w = hand_sled(324);
    w.put(232, &[0xAA; 12]); // undocumented Horizon bytes
    w.put(323, &[0xBB]); // trailing undocumented byte
    hand_dash(&mut w, 244);
    w.put(244 + 75, &[3]); // Gear 3 at 319
    w.put(244 + 68, &2u16.to_le_bytes()); // LapNumber at 312
    let packet = layout::Packet::parse(&w.finish()).unwrap();
    assert_eq!(packet.format, Format::Horizon);
    let dash = packet.dash.unwrap();
    assert_eq!(dash.position, [100.5, -2.0, 300.25]);
    assert_eq!(dash.speed, 50.0);
    assert_eq!((dash.lap_number, dash.accel, dash.gear, dash.steer), (2, 255, 3, -127));
    assert_eq!(dash.current_race_time, 180.0);
}

#[test]
fn motorsport_2023_tail_follows_the_dash_block() {
    let mut w = hand_sled(331);
    hand_dash(&mut w, 232);
    for (i, wear) in [0.1f32, 0.2, 0.3, 0.4].iter().enumerate() {
        put_f32(&mut w, 311 + 4 * i, *wear);
    }
    w.put(327, &42i32.to_le_bytes());
    let bytes = w.finish();
    let packet = layout::Packet::parse(&bytes).unwrap();
    let tail = packet.motorsport_2023.unwrap();
    assert_eq!(tail.tire_wear, [0.1, 0.2, 0.3, 0.4]);
    assert_eq!(tail.track_ordinal, 42);
    let events = Client::new().receive(&bytes, 0).unwrap();
    assert_eq!(sessions(&events)[0].track, "track 42");
}

#[test]
fn gear_bytes_map_to_reverse_neutral_and_forward() {
    for (byte, gear) in [(0u8, -1), (11, 0), (1, 1), (6, 6), (10, 10)] {
        let mut w = hand_sled(311);
        hand_dash(&mut w, 232);
        w.put(307, &[byte]);
        let f = single_frame(&Client::new().receive(&w.finish(), 0).unwrap());
        assert_eq!(f.gear, gear, "byte {byte}");
    }
    let mut w = hand_sled(311);
    hand_dash(&mut w, 232);
    w.put(307, &[12]);
    assert_eq!(Client::new().receive(&w.finish(), 0), Err(PacketError::OutOfRange("Gear")));
}

#[test]
fn sizes_and_race_flags_are_checked() {
    let mut client = Client::new();
    for size in [0, 4, 231, 233, 310, 312, 323, 325, 330, 332, 1500] {
        let error = client.receive(&vec![0; size], 0).unwrap_err();
        assert_eq!(error.reason(), "size", "{size} bytes");
    }
    let mut w = hand_sled(232);
    w.put(0, &7i32.to_le_bytes());
    assert_eq!(client.receive(&w.finish(), 0), Err(PacketError::OutOfRange("IsRaceOn")));
}

#[test]
fn listen_only_client_never_sends() {
    let mut client = Client::new();
    assert_eq!(client.sim(), Sim::Forza);
    assert!(client.poll(0).is_empty());
    client.receive(&hand_sled(232).finish(), 0).unwrap();
    assert!(client.poll(10).is_empty());
    assert!(client.shutdown().is_empty());
    let mut emulator = Emulator::new(Format::Dash);
    assert!(emulator.receive(b"anything").is_empty());
}

fn race_off(size: usize) -> Vec<u8> {
    let mut w = hand_sled(size);
    w.put(0, &0i32.to_le_bytes());
    w.finish()
}

#[test]
fn race_off_yields_no_frame_and_ends_the_session_after_two_seconds() {
    let mut client = Client::new();
    assert!(client.receive(&race_off(311), 0).unwrap().is_empty(), "menus before any race: nothing");
    let events = client.receive(&hand_sled(311).finish(), 100).unwrap();
    assert_eq!(sessions(&events).len(), 1);
    assert!(client.receive(&race_off(311), 200).unwrap().is_empty());
    assert!(client.receive(&race_off(311), 2_200).unwrap().is_empty(), "a pause of 2 s is not an end");
    assert_eq!(client.receive(&race_off(311), 2_201).unwrap(), vec![SimEvent::SessionEnded]);
    assert!(client.receive(&race_off(311), 5_000).unwrap().is_empty(), "ended once");
    let events = client.receive(&hand_sled(311).finish(), 6_000).unwrap();
    assert!(matches!(events[0], SimEvent::Session(_)), "racing again opens a new session");
    assert_eq!(frames(&events).len(), 1);
}

#[test]
fn a_short_pause_keeps_the_session() {
    let mut client = Client::new();
    client.receive(&hand_sled(232).finish(), 0).unwrap();
    client.receive(&race_off(232), 100).unwrap();
    client.receive(&race_off(232), 1_500).unwrap();
    let mut w = hand_sled(232);
    put_f32(&mut w, 16, 7000.0);
    let events = client.receive(&w.finish(), 1_600).unwrap();
    assert!(sessions(&events).is_empty() && !events.contains(&SimEvent::SessionEnded));
    assert_eq!(frames(&events).len(), 1);
}

#[test]
fn silence_ends_the_session_through_poll() {
    let mut client = Client::new();
    client.receive(&hand_sled(232).finish(), 1_000).unwrap();
    assert!(client.poll(4_000).is_empty());
    assert!(client.take_events().is_empty(), "3 s of silence is not yet an end");
    assert!(client.poll(4_001).is_empty());
    assert_eq!(client.take_events(), vec![SimEvent::SessionEnded]);
    assert!(client.take_events().is_empty());

    // Not taken: handed out by the next receive, before the new session.
    let mut client = Client::new();
    client.receive(&hand_sled(232).finish(), 0).unwrap();
    client.poll(10_000);
    let events = client.receive(&hand_sled(232).finish(), 10_050).unwrap();
    assert_eq!(events[0], SimEvent::SessionEnded);
    assert!(matches!(events[1], SimEvent::Session(_)));
    assert_eq!(frames(&events).len(), 1, "the duplicate rule restarts with the session");
}

#[test]
fn a_new_car_or_track_or_a_restart_is_a_new_session() {
    let mut client = Client::new();
    let packet = |car: i32, lap: u16, race_time: f32, track: i32| {
        let mut w = hand_sled(331);
        hand_dash(&mut w, 232);
        w.put(212, &car.to_le_bytes());
        w.put(300, &lap.to_le_bytes());
        put_f32(&mut w, 296, race_time);
        w.put(327, &track.to_le_bytes());
        w.finish()
    };
    assert_eq!(sessions(&client.receive(&packet(1, 3, 100.0, 7), 0).unwrap()).len(), 1);
    assert!(sessions(&client.receive(&packet(1, 4, 100.5, 7), 10).unwrap()).is_empty());
    let events = client.receive(&packet(2, 4, 101.0, 7), 20).unwrap();
    assert_eq!(events[0], SimEvent::SessionEnded);
    assert_eq!(sessions(&events)[0].car, "car 2");
    let events = client.receive(&packet(2, 4, 101.5, 8), 30).unwrap();
    assert_eq!(sessions(&events)[0].track, "track 8");
    let events = client.receive(&packet(2, 0, 101.7, 8), 40).unwrap();
    assert_eq!(events[0], SimEvent::SessionEnded, "lap counter went back: restart");
    let events = client.receive(&packet(2, 0, 0.5, 8), 50).unwrap();
    assert_eq!(events[0], SimEvent::SessionEnded, "race clock went back: restart");
    let events = client.receive(&packet(2, 0, 1.0, 8), 60).unwrap();
    assert!(sessions(&events).is_empty());
}

#[test]
fn identical_packets_are_one_sample() {
    let mut client = Client::new();
    let bytes = hand_sled(311);
    let mut bytes = bytes;
    hand_dash(&mut bytes, 232);
    let bytes = bytes.finish();
    assert_eq!(frames(&client.receive(&bytes, 0).unwrap()).len(), 1);
    assert!(frames(&client.receive(&bytes, 16).unwrap()).is_empty());
    // Only the game's packet clock moved (Sled clock): still the same sample.
    let mut sled = hand_sled(232);
    let mut client = Client::new();
    assert_eq!(frames(&client.receive(&sled.clone().finish(), 0).unwrap()).len(), 1);
    sled.put(4, &123_999u32.to_le_bytes());
    assert!(frames(&client.receive(&sled.clone().finish(), 16).unwrap()).is_empty());
    put_f32(&mut sled, 16, 6201.0);
    assert_eq!(frames(&client.receive(&sled.finish(), 32).unwrap()).len(), 1);
}

#[test]
fn session_clock_continues_when_the_race_clock_starts() {
    let mut client = Client::new();
    let packet = |timestamp: u32, race_time: f32, rpm: f32| {
        let mut w = hand_sled(311);
        hand_dash(&mut w, 232);
        w.put(4, &timestamp.to_le_bytes());
        put_f32(&mut w, 296, race_time);
        put_f32(&mut w, 16, rpm);
        w.finish()
    };
    let time = |client: &mut Client, bytes: Vec<u8>| single_frame(&client.receive(&bytes, 0).unwrap()).session_time_ms;
    assert_eq!(time(&mut client, packet(10_000, 0.0, 1000.0)), 0.0, "grid: no race clock yet");
    assert_eq!(time(&mut client, packet(13_000, 0.0, 1100.0)), 3_000.0);
    assert_eq!(time(&mut client, packet(13_016, 0.016, 1200.0)), 3_000.0 + 16.0, "offset, never back");
    assert!((time(&mut client, packet(14_000, 1.0, 1300.0)) - 4_000.0).abs() < 0.01);
}

#[test]
fn lap_distance_restarts_at_each_line_and_position_needs_a_track_length() {
    let mut client = Client::with_track_length(1000.0);
    let packet = |lap: u16, distance: f32, current_lap: f32| {
        let mut w = hand_sled(311);
        hand_dash(&mut w, 232);
        w.put(300, &lap.to_le_bytes());
        put_f32(&mut w, 280, distance);
        put_f32(&mut w, 292, current_lap);
        put_f32(&mut w, 244, 40.0); // Speed
        w.finish()
    };
    let events = client.receive(&packet(0, 500.0, 12.0), 0).unwrap();
    assert_eq!(sessions(&events)[0].track_length_m, Some(1000.0));
    let f = single_frame(&events);
    assert_eq!((f.lap_distance_m, f.normalized_position), (Some(500.0), 0.5));
    // Lap 1 begins: 1004 m travelled, 0.1 s × 40 m/s of it past the line.
    let f = single_frame(&client.receive(&packet(1, 1004.0, 0.1), 10).unwrap());
    assert!(close(f.lap_distance_m.unwrap(), 4.0, 1e-3) && close(f.normalized_position, 0.004, 1e-6));
    let f = single_frame(&client.receive(&packet(1, 1250.0, 6.0), 20).unwrap());
    assert!(close(f.lap_distance_m.unwrap(), 250.0, 1e-3) && close(f.normalized_position, 0.25, 1e-6));

    // Joined after the first lap: unknown until the next line.
    let mut client = Client::new();
    let f = single_frame(&client.receive(&packet(3, 3500.0, 12.0), 0).unwrap());
    assert_eq!((f.lap_distance_m, f.normalized_position), (None, 0.0));
    let f = single_frame(&client.receive(&packet(4, 4000.0, 0.0), 10).unwrap());
    assert_eq!(f.lap_distance_m, Some(0.0));
}

#[test]
fn non_finite_essentials_reject_and_other_channels_drop() {
    let nan = f32::NAN;
    let mut w = hand_sled(311);
    hand_dash(&mut w, 232);
    put_f32(&mut w, 20, nan); // AccelerationX
    put_f32(&mut w, 56, f32::INFINITY); // Yaw
    put_f32(&mut w, 256, nan); // TireTempFrontLeft
    put_f32(&mut w, 184, nan); // TireCombinedSlipFrontRight
    put_f32(&mut w, 280, nan); // DistanceTraveled
    put_f32(&mut w, 284, nan); // BestLap
    let f = single_frame(&Client::new().receive(&w.finish(), 0).unwrap());
    assert_eq!((f.g_lat, f.yaw, f.tyre_temp_c, f.wheel_slip), (None, None, None, None));
    assert_eq!((f.lap_distance_m, f.best_lap_time_ms), (None, None));
    assert!(f.g_lon.is_some());

    for (offset, what) in [(16, "CurrentEngineRpm"), (36, "Velocity"), (244, "Speed"), (236, "Position")] {
        let mut w = hand_sled(311);
        hand_dash(&mut w, 232);
        put_f32(&mut w, offset, nan);
        assert_eq!(Client::new().receive(&w.finish(), 0), Err(PacketError::NotFinite(what)));
    }
    // Every float NaN: rejected.
    let mut w = hand_sled(331);
    for offset in (4..331 - 3).step_by(4) {
        put_f32(&mut w, offset, nan);
    }
    w.put(0, &1i32.to_le_bytes());
    w.put(307, &[1]);
    assert!(matches!(Client::new().receive(&w.finish(), 0), Err(PacketError::NotFinite(_))));
}

/// A car lapping a 1 km circle at a steady 50 m/s, 20 frames a second: every lap
/// takes exactly 20 s, and every channel the emulator encodes is filled.
fn lapping_frames(count: usize) -> Vec<TelemetryFrame> {
    const LENGTH: f32 = 1000.0;
    const SPEED: f32 = 50.0;
    let radius = LENGTH / std::f32::consts::TAU;
    (0..count)
        .map(|i| {
            let time_ms = i as f64 * 50.0;
            let travelled = SPEED * (time_ms / 1000.0) as f32;
            let lap = (travelled / LENGTH).floor();
            let into_lap = travelled - lap * LENGTH;
            let angle = into_lap / radius;
            let phase = (i as f32 * 0.37).sin();
            TelemetryFrame {
                session_time_ms: time_ms,
                current_lap_time_ms: (f64::from(into_lap / SPEED) * 1000.0).round() as u32,
                lap_number: lap as u32,
                normalized_position: into_lap / LENGTH,
                lap_distance_m: Some(into_lap),
                throttle: 0.5 + 0.5 * phase,
                brake: (0.3 - 0.3 * phase).max(0.0),
                clutch: Some(0.0),
                steering: 0.4 * phase,
                speed_kmh: SPEED * 3.6,
                gear: 1 + (i % 6) as i32,
                rpm: 5000.0 + 1000.0 * phase,
                max_rpm: Some(8000.0),
                world_position: Some(Vec3 { x: radius * angle.cos(), y: 3.0, z: radius * angle.sin() }),
                velocity: Some(Vec3 { x: -SPEED * angle.sin(), y: 0.0, z: SPEED * angle.cos() }),
                g_lat: Some(SPEED * SPEED / radius / 9.80665),
                g_lon: Some(0.1 * phase),
                g_vert: Some(1.0),
                yaw: Some(angle),
                tyre_temp_c: Some(Wheels { fl: 85.0, fr: 86.5, rl: 90.0, rr: 91.25 }),
                wheel_slip: Some(Wheels { fl: 0.05, fr: 0.06, rl: 0.07, rr: 0.08 }),
                fuel_l: Some(40.0),
                ..TelemetryFrame::default()
            }
        })
        .collect()
}

fn demo_meta() -> SessionMeta {
    SessionMeta {
        sim: Sim::Demo,
        track: "Demo Ring".into(),
        car: "Demo GT".into(),
        driver: "Demo".into(),
        track_length_m: Some(1000.0),
    }
}

fn round_trip(format: Format, client: &mut Client, frames_in: &[TelemetryFrame]) -> Vec<SimEvent> {
    let mut emulator = Emulator::new(format);
    let meta = demo_meta();
    let mut events = Vec::new();
    for (i, frame) in frames_in.iter().enumerate() {
        for datagram in emulator.frame(frame, &meta) {
            assert_eq!(datagram.len(), format.size());
            events.extend(client.receive(&datagram, i as u64 * 50).unwrap());
        }
    }
    events
}

#[test]
fn dash_layouts_round_trip_the_demo_frames() {
    let input = lapping_frames(1000); // 50 s: two and a half laps of 20 s
    for format in [Format::Dash, Format::Horizon, Format::Motorsport2023] {
        let mut client = Client::with_track_length(1000.0);
        let events = round_trip(format, &mut client, &input);
        let meta = &sessions(&events);
        assert_eq!(meta.len(), 1, "{format:?}");
        assert!(matches!(events[0], SimEvent::Session(_)));
        assert!(meta[0].car.starts_with("car "));
        let expected_track = if format == Format::Motorsport2023 { "track " } else { "unknown" };
        assert!(meta[0].track.starts_with(expected_track), "{format:?}: {}", meta[0].track);
        let output = frames(&events);
        assert_eq!(output.len(), input.len(), "{format:?}");
        for (i, (a, b)) in input.iter().zip(&output).enumerate() {
            let at = format!("{format:?} frame {i}");
            assert!(
                (a.session_time_ms - b.session_time_ms).abs() < 1.0,
                "{at}: {} {}",
                a.session_time_ms,
                b.session_time_ms
            );
            assert!(a.current_lap_time_ms.abs_diff(b.current_lap_time_ms) <= 1, "{at}");
            assert_eq!(a.lap_number, b.lap_number, "{at}");
            assert!(close(a.throttle, b.throttle, 0.5 / 255.0 + 1e-6), "{at}");
            assert!(close(a.brake, b.brake, 0.5 / 255.0 + 1e-6), "{at}");
            assert!(close(a.steering, b.steering, 0.5 / 127.0 + 1e-6), "{at}");
            assert_eq!(a.gear, b.gear, "{at}");
            assert!(close(a.speed_kmh, b.speed_kmh, 1e-3), "{at}");
            assert_eq!((a.rpm, a.max_rpm), (b.rpm, b.max_rpm), "{at}");
            assert_eq!(a.world_position, b.world_position, "{at}");
            assert_eq!(a.yaw, b.yaw, "{at}");
            for (x, y) in [(a.g_lat, b.g_lat), (a.g_lon, b.g_lon), (a.g_vert, b.g_vert)] {
                assert!(close(x.unwrap(), y.unwrap(), 1e-5), "{at}");
            }
            let (ta, tb) = (a.tyre_temp_c.unwrap(), b.tyre_temp_c.unwrap());
            assert!(close(ta.fl, tb.fl, 1e-3) && close(ta.rr, tb.rr, 1e-3), "{at}");
            assert_eq!(a.wheel_slip, b.wheel_slip, "{at}");
            let (da, db) = (a.lap_distance_m.unwrap(), b.lap_distance_m.unwrap());
            assert!(close(da, db, 0.05), "{at}: {da} {db}");
            assert!(close(a.normalized_position, b.normalized_position, 1e-4), "{at}");
            // The velocity comes back in the car's frame: straight ahead at speed.
            let v = b.velocity.unwrap();
            assert!(close(v.z, a.speed_kmh / 3.6, 1e-3) && v.x == 0.0, "{at}");
        }
        // The emulator timed the laps that ended; the client reports them.
        let lap_one = output.iter().find(|f| f.lap_number == 1).unwrap();
        assert_eq!(lap_one.last_lap_time_ms, Some(20_000), "{format:?}");
        assert_eq!(lap_one.best_lap_time_ms, Some(20_000), "{format:?}");
        assert_eq!(output[0].last_lap_time_ms, None);
        assert_eq!(output.last().unwrap().last_lap_time_ms, Some(20_000));
    }
}

#[test]
fn sled_round_trip_keeps_motion_channels() {
    let input = lapping_frames(100);
    let mut client = Client::new();
    let output = frames(&round_trip(Format::Sled, &mut client, &input));
    assert_eq!(output.len(), input.len());
    for (a, b) in input.iter().zip(&output) {
        assert_eq!(a.session_time_ms, b.session_time_ms);
        assert!(close(a.speed_kmh, b.speed_kmh, 1e-3));
        assert_eq!((a.rpm, a.yaw), (b.rpm, b.yaw));
        assert!(close(a.g_lat.unwrap(), b.g_lat.unwrap(), 1e-5));
        assert_eq!((b.lap_number, b.gear, b.world_position), (0, 0, None));
    }
}

#[test]
fn emulator_reuses_the_ordinals_the_client_reports() {
    let mut emulator = Emulator::new(Format::Motorsport2023);
    let meta = SessionMeta { car: "car 77".into(), track: "track 9".into(), ..demo_meta() };
    let bytes = emulator.frame(&lapping_frames(1)[0], &meta).remove(0);
    let events = Client::new().receive(&bytes, 0).unwrap();
    let meta_out = &sessions(&events)[0];
    assert_eq!((meta_out.car.as_str(), meta_out.track.as_str()), ("car 77", "track 9"));
}

/// Frames of the demo driver until it has completed one lap and driven a second
/// more, with its session metadata.
fn demo_frames() -> (Vec<TelemetryFrame>, SessionMeta, f64) {
    let mut driver = crate::demo::DemoDriver::new(7);
    let meta = SessionMeta {
        sim: Sim::Demo,
        track: crate::demo::TRACK_NAME.into(),
        car: crate::demo::CAR_NAME.into(),
        driver: "Demo".into(),
        track_length_m: Some(driver.track().length_m() as f32),
    };
    let mut frames = Vec::new();
    while frames.len() < 20_000 {
        let frame = driver.next_frame();
        let done = frame.lap_number >= 1 && frame.current_lap_time_ms > 1_000;
        frames.push(frame);
        if done {
            break;
        }
    }
    let first_lap_ms = driver.completed_lap_times_ms()[0];
    (frames, meta, first_lap_ms)
}

#[test]
fn every_layout_round_trips_the_demo_driver() {
    let (input, meta, first_lap_ms) = demo_frames();
    let length = meta.track_length_m.unwrap();
    for format in [Format::Sled, Format::Dash, Format::Horizon, Format::Motorsport2023] {
        let mut emulator = Emulator::new(format);
        let mut client = Client::with_track_length(length);
        let mut events = Vec::new();
        for (i, frame) in input.iter().enumerate() {
            for datagram in emulator.frame(frame, &meta) {
                events.extend(client.receive(&datagram, i as u64 * 16).unwrap());
            }
        }
        assert_eq!(sessions(&events).len(), 1, "{format:?}");
        let output = frames(&events);
        assert_eq!(output.len(), input.len(), "{format:?}: every demo frame is a new sample");
        for (i, (a, b)) in input.iter().zip(&output).enumerate() {
            let at = format!("{format:?} frame {i}");
            assert!((a.session_time_ms - b.session_time_ms).abs() < 1.0, "{at}");
            assert!(close(a.speed_kmh, b.speed_kmh, 1e-3), "{at}");
            assert_eq!((a.rpm, a.max_rpm, a.yaw), (b.rpm, b.max_rpm, b.yaw), "{at}");
            if let (Some(x), Some(y)) = (a.g_lon, b.g_lon) {
                assert!(close(x, y, 1e-5), "{at}");
            }
            if format == Format::Sled {
                continue;
            }
            assert_eq!(a.lap_number, b.lap_number, "{at}");
            assert!(a.current_lap_time_ms.abs_diff(b.current_lap_time_ms) <= 1, "{at}");
            assert_eq!(a.world_position, b.world_position, "{at}");
            assert_eq!(a.gear, b.gear, "{at}");
            assert!(close(a.throttle, b.throttle, 0.5 / 255.0 + 1e-6), "{at}");
            assert!(close(a.brake, b.brake, 0.5 / 255.0 + 1e-6), "{at}");
            assert!(close(a.steering, b.steering, 0.5 / 127.0 + 1e-6), "{at}");
            if let (Some(x), Some(y)) = (a.lap_distance_m, b.lap_distance_m) {
                assert!(close(x, y, 0.5), "{at}: {x} {y}");
                assert!(close(a.normalized_position, b.normalized_position, 0.5 / length), "{at}");
            }
        }
        if format != Format::Sled {
            let last = output.last().unwrap().last_lap_time_ms.expect("the emulator timed the first lap");
            assert!((f64::from(last) - first_lap_ms).abs() <= 2.0, "{format:?}: {last} vs {first_lap_ms}");
        }
    }
}

fn valid_packets() -> Vec<Vec<u8>> {
    let frame = &lapping_frames(3)[2];
    [Format::Sled, Format::Dash, Format::Horizon, Format::Motorsport2023]
        .into_iter()
        .map(|format| Emulator::new(format).frame(frame, &demo_meta()).remove(0))
        .collect()
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), now in any::<u64>()) {
        let mut client = Client::new();
        let _ = client.receive(&bytes, now);
        client.poll(now.wrapping_add(5_000));
        let _ = client.receive(&bytes, now.wrapping_add(1));
    }

    #[test]
    fn exact_sizes_of_random_bytes_never_panic(
        format in prop::sample::select(vec![232usize, 311, 324, 331]),
        seed in proptest::collection::vec(any::<u8>(), 331),
    ) {
        let mut bytes = seed[..format].to_vec();
        bytes[0..4].copy_from_slice(&1i32.to_le_bytes());
        let _ = Client::with_track_length(5000.0).receive(&bytes, 0);
    }

    #[test]
    fn truncations_and_flips_of_valid_packets_never_panic(
        which in 0usize..4,
        cut in 0usize..331,
        flips in proptest::collection::vec((0usize..331, any::<u8>()), 0..16),
    ) {
        let packet = valid_packets().remove(which);
        let mut client = Client::new();
        prop_assert!(client.receive(&packet, 0).is_ok());
        let _ = client.receive(&packet[..cut.min(packet.len())], 1);
        let mut flipped = packet.clone();
        for (index, byte) in flips {
            let index = index % flipped.len();
            flipped[index] ^= byte;
        }
        if let Ok(events) = client.receive(&flipped, 2) {
            for frame in frames(&events) {
                prop_assert!(frame.speed_kmh.is_finite() && frame.rpm.is_finite());
                prop_assert!((-1.0..=1.0).contains(&frame.steering));
            }
        }
    }
}
