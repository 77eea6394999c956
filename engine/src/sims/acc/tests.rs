//! Tests of the ACC module: hand-built packets and pages decoded field by field,
//! the layouts' offsets re-derived from the SDK's declarations, the client's
//! registration state machine, emulator → client round trips, and robustness.

use proptest::prelude::*;
use purplesector_proto::v1::{Sim, TelemetryFrame, Vec3, Wheels};

use super::broadcasting::{
    inbound, phase, CarLocation, DriverInfo, EntryList, EntryListCar, LapInfo, LapType, Message, RealtimeCarUpdate,
    RealtimeUpdate, RegistrationResult, Request, TrackData,
};
use super::client::{ENTRY_LIST_RETRY_MS, REGISTER_RETRY_MS, SILENCE_TIMEOUT_MS};
use super::emulator::{encode_pages, encode_pages_with_id, write_pages, CAR_INDEX};
use super::shared_memory::{graphics, physics, statics, GameStatus, PageDecoder, KPA_PER_PSI};
use super::*;
use crate::demo::DemoDriver;
use crate::sims::wire::Writer;
use crate::sims::{PacketError, SessionMeta, SimClient, SimEmulator, SimEvent};

// ---------------------------------------------------------------------------
// Hand-built broadcasting messages (layout of BroadcastingNetworkProtocol.cs v4)

/// A broadcasting string: u16 byte length + UTF-8.
fn put_string(w: &mut Writer, text: &str) {
    w.u16(text.len() as u16);
    w.raw(text.as_bytes());
}

/// A LapInfo: i32 time, u16 car, u16 driver, u8 split count + i32 each, 4 × u8 flags.
fn put_lap(w: &mut Writer, time: i32, car: u16, splits: &[i32], flags: [u8; 4]) {
    w.i32(time).u16(car).u16(0).u8(splits.len() as u8);
    for &split in splits {
        w.i32(split);
    }
    for flag in flags {
        w.u8(flag);
    }
}

#[test]
fn decodes_registration_result_by_hand() {
    let mut w = Writer::new();
    w.u8(1).i32(17).u8(1).u8(0);
    put_string(&mut w, "");
    let Message::RegistrationResult(r) = Message::decode(&w.finish()).unwrap() else { panic!("wrong type") };
    assert_eq!(r.connection_id, 17);
    assert!(r.success);
    assert!(r.readonly, "a zero byte is read-only per the SDK");

    let mut w = Writer::new();
    w.u8(1).i32(-1).u8(0).u8(1);
    put_string(&mut w, "Wrong password");
    let Message::RegistrationResult(r) = Message::decode(&w.finish()).unwrap() else { panic!("wrong type") };
    assert!(!r.success);
    assert!(!r.readonly);
    assert_eq!(r.error_message, "Wrong password");
}

#[test]
fn decodes_realtime_update_by_hand() {
    let mut w = Writer::new();
    w.u8(2).u16(3).u16(2).u8(10).u8(5).f32(123_456.5).f32(3_600_000.0).i32(7);
    put_string(&mut w, "Drivable");
    put_string(&mut w, "Cockpit");
    put_string(&mut w, "Basic HUD");
    w.u8(1).f32(1000.0).f32(2000.0); // replay playing + its two floats
    w.f32(50_400_000.0).u8(21).u8(33).u8(3).u8(1).u8(10);
    put_lap(&mut w, 101_234, 7, &[30_000, 35_000, i32::MAX], [0, 1, 0, 0]);
    let Message::RealtimeUpdate(u) = Message::decode(&w.finish()).unwrap() else { panic!("wrong type") };
    assert_eq!((u.event_index, u.session_index, u.session_type, u.phase), (3, 2, 10, 5));
    assert_eq!(u.session_time_ms, 123_456.5);
    assert_eq!(u.session_end_time_ms, 3_600_000.0);
    assert_eq!(u.focused_car_index, 7);
    assert_eq!((u.active_camera_set.as_str(), u.active_camera.as_str()), ("Drivable", "Cockpit"));
    assert_eq!(u.current_hud_page, "Basic HUD");
    let replay = u.replay.unwrap();
    assert_eq!((replay.session_time_ms, replay.remaining_time_ms), (1000.0, 2000.0));
    assert_eq!(u.time_of_day_ms, 50_400_000.0);
    assert_eq!((u.ambient_temp_c, u.track_temp_c), (21, 33));
    assert!((u.clouds - 0.3).abs() < 1e-6 && (u.rain_level - 0.1).abs() < 1e-6 && (u.wetness - 1.0).abs() < 1e-6);
    assert_eq!(u.best_session_lap.lap_time_ms, Some(101_234));
    assert_eq!(u.best_session_lap.car_index, 7);
    assert_eq!(u.best_session_lap.splits, vec![Some(30_000), Some(35_000), None]);
    assert!(!u.best_session_lap.is_invalid && u.best_session_lap.is_valid_for_best);
    assert_eq!(u.best_session_lap.lap_type(), LapType::Regular);

    // Without a replay the two replay floats are absent.
    let mut w = Writer::new();
    w.u8(2).u16(0).u16(0).u8(0).u8(4).f32(0.0).f32(0.0).i32(-1);
    for _ in 0..3 {
        put_string(&mut w, "");
    }
    w.u8(0).f32(0.0).u8(0).u8(0).u8(0).u8(0).u8(0);
    put_lap(&mut w, i32::MAX, 0, &[], [0, 0, 1, 0]);
    let Message::RealtimeUpdate(u) = Message::decode(&w.finish()).unwrap() else { panic!("wrong type") };
    assert_eq!(u.replay, None);
    assert_eq!(u.best_session_lap.lap_time_ms, None);
    assert_eq!(u.best_session_lap.lap_type(), LapType::Outlap);
}

fn hand_car_update(gear_byte: u8, location: u8) -> Vec<u8> {
    let mut w = Writer::new();
    w.u8(3).u16(7).u16(1).u8(2).u8(gear_byte);
    w.f32(-120.5).f32(845.25).f32(1.5).u8(location);
    w.u16(212).u16(3).u16(2).u16(4).f32(0.625).u16(5).i32(-350);
    put_lap(&mut w, 99_000, 7, &[31_000, 33_000, 35_000], [0, 1, 0, 0]); // best session lap
    put_lap(&mut w, 100_500, 7, &[31_500, 33_500, 35_500], [0, 1, 0, 1]); // last lap (in-lap)
    put_lap(&mut w, 62_000, 7, &[31_200], [1, 0, 0, 0]); // current lap, invalid
    w.finish()
}

#[test]
fn decodes_realtime_car_update_by_hand() {
    let Message::RealtimeCarUpdate(u) = Message::decode(&hand_car_update(5, 2)).unwrap() else { panic!("wrong type") };
    assert_eq!((u.car_index, u.driver_index, u.driver_count), (7, 1, 2));
    assert_eq!(u.gear, 3, "wire byte 5 - 2");
    assert_eq!((u.world_pos_x, u.world_pos_y, u.yaw), (-120.5, 845.25, 1.5));
    assert_eq!(u.car_location, CarLocation::Pitlane);
    assert_eq!((u.kmh, u.position, u.cup_position, u.track_position), (212, 3, 2, 4));
    assert_eq!(u.spline_position, 0.625);
    assert_eq!((u.laps, u.delta_ms), (5, -350));
    assert_eq!(u.best_session_lap.lap_time_ms, Some(99_000));
    assert_eq!(u.last_lap.lap_time_ms, Some(100_500));
    assert_eq!(u.last_lap.lap_type(), LapType::Inlap);
    assert_eq!(u.current_lap.lap_time_ms, Some(62_000));
    assert_eq!(u.current_lap.splits, vec![Some(31_200)]);
    assert!(u.current_lap.is_invalid);

    let gear = |byte| match Message::decode(&hand_car_update(byte, 1)) {
        Ok(Message::RealtimeCarUpdate(u)) => Ok(u.gear),
        Ok(_) => panic!("wrong type"),
        Err(e) => Err(e),
    };
    assert_eq!(gear(1), Ok(-1), "reverse");
    assert_eq!(gear(2), Ok(0), "neutral");
    assert_eq!(gear(3), Ok(1), "first");
    assert_eq!(gear(0), Err(PacketError::OutOfRange("gear")));
    assert_eq!(gear(200), Err(PacketError::OutOfRange("gear")));

    let frame = client::frame_from_car_update(
        &match Message::decode(&hand_car_update(5, 3)).unwrap() {
            Message::RealtimeCarUpdate(u) => u,
            _ => unreachable!(),
        },
        Some(4000.0),
        1234.0,
    );
    assert_eq!(frame.speed_kmh, 212.0);
    assert_eq!(frame.gear, 3);
    assert_eq!(frame.world_position, Some(Vec3 { x: -120.5, y: 845.25, z: 0.0 }));
    assert_eq!(frame.yaw, Some(1.5));
    assert_eq!(frame.normalized_position, 0.625);
    assert_eq!(frame.lap_distance_m, Some(2500.0));
    assert_eq!(frame.lap_number, 5);
    assert_eq!(frame.current_lap_time_ms, 62_000);
    assert_eq!(frame.last_lap_time_ms, Some(100_500));
    assert_eq!(frame.best_lap_time_ms, Some(99_000));
    assert!(frame.in_pit, "pit entry");
    assert!(frame.lap_invalid);
    assert_eq!(frame.session_time_ms, 1234.0);
}

#[test]
fn decodes_entry_list_and_entry_list_car_by_hand() {
    let mut w = Writer::new();
    w.u8(4).i32(17).u16(3).u16(0).u16(7).u16(12);
    let Message::EntryList(list) = Message::decode(&w.finish()).unwrap() else { panic!("wrong type") };
    assert_eq!(list, EntryList { connection_id: 17, car_indices: vec![0, 7, 12] });

    let mut w = Writer::new();
    w.u8(6).u16(7).u8(30);
    put_string(&mut w, "Team Purple");
    w.i32(99).u8(1).u8(1).u16(14);
    w.u8(2);
    for (first, last, short, category, nation) in [("Ann", "Example", "EXA", 3u8, 2u16), ("Bo", "Sample", "SAM", 1, 5)]
    {
        put_string(&mut w, first);
        put_string(&mut w, last);
        put_string(&mut w, short);
        w.u8(category).u16(nation);
    }
    let Message::EntryListCar(car) = Message::decode(&w.finish()).unwrap() else { panic!("wrong type") };
    assert_eq!((car.car_index, car.car_model_type, car.team_name.as_str()), (7, 30, "Team Purple"));
    assert_eq!((car.race_number, car.cup_category, car.current_driver_index, car.nationality), (99, 1, 1, 14));
    assert_eq!(car.drivers.len(), 2);
    assert_eq!(car.drivers[1].first_name, "Bo");
    assert_eq!((car.drivers[0].category, car.drivers[0].nationality), (3, 2));
    assert_eq!(car.current_driver().unwrap().display_name(), "Bo Sample");
    assert_eq!(cars::model_name(car.car_model_type), "BMW M4 GT3");
}

#[test]
fn decodes_track_data_and_broadcasting_event_by_hand() {
    let mut w = Writer::new();
    w.u8(5).i32(17);
    put_string(&mut w, "Spa-Francorchamps");
    w.i32(12).i32(7004);
    w.u8(2);
    put_string(&mut w, "Drivable");
    w.u8(2);
    put_string(&mut w, "Chase");
    put_string(&mut w, "Cockpit");
    put_string(&mut w, "Helicam");
    w.u8(0);
    w.u8(1);
    put_string(&mut w, "Basic HUD");
    let Message::TrackData(track) = Message::decode(&w.finish()).unwrap() else { panic!("wrong type") };
    assert_eq!((track.connection_id, track.track_name.as_str()), (17, "Spa-Francorchamps"));
    assert_eq!((track.track_id, track.track_meters, track.length_m()), (12, 7004, Some(7004.0)));
    assert_eq!(
        track.camera_sets,
        vec![
            ("Drivable".to_string(), vec!["Chase".to_string(), "Cockpit".to_string()]),
            ("Helicam".to_string(), vec![])
        ]
    );
    assert_eq!(track.hud_pages, vec!["Basic HUD".to_string()]);

    let mut w = Writer::new();
    w.u8(7).u8(5);
    put_string(&mut w, "Lap completed");
    w.i32(98_765).i32(7);
    let Message::BroadcastingEvent(event) = Message::decode(&w.finish()).unwrap() else { panic!("wrong type") };
    assert_eq!(
        (event.event_type, event.message.as_str(), event.time_ms, event.car_index),
        (5, "Lap completed", 98_765, 7)
    );
}

#[test]
fn encodes_requests_byte_exact() {
    let register = Request::Register {
        protocol_version: 4,
        display_name: "PS".to_string(),
        connection_password: "asd".to_string(),
        update_interval_ms: 50,
        command_password: String::new(),
    }
    .encode();
    assert_eq!(register, [1, 4, 2, 0, b'P', b'S', 3, 0, b'a', b's', b'd', 50, 0, 0, 0, 0, 0]);
    assert_eq!(Request::RequestEntryList { connection_id: 258 }.encode(), [10, 2, 1, 0, 0]);
    assert_eq!(Request::RequestTrackData { connection_id: 258 }.encode(), [11, 2, 1, 0, 0]);
    assert_eq!(Request::Unregister { connection_id: Some(258) }.encode(), [9, 2, 1, 0, 0]);
    assert_eq!(Request::decode(&[9]).unwrap(), Request::Unregister { connection_id: None });
    let focus = Request::ChangeFocus { connection_id: 1, car_index: Some(7), camera: None };
    assert_eq!(focus.encode(), [50, 1, 0, 0, 0, 1, 7, 0, 0]);
    assert_eq!(Request::decode(&focus.encode()).unwrap(), focus);
    assert_eq!(Request::decode(&register).unwrap().encode(), register);
}

#[test]
fn unknown_and_empty_messages_are_errors() {
    assert!(matches!(Message::decode(&[]), Err(PacketError::Truncated { .. })));
    assert_eq!(Message::decode(&[42]), Err(PacketError::UnknownType(42)));
    assert_eq!(Request::decode(&[42]), Err(PacketError::UnknownType(42)));
    let mut w = Writer::new();
    w.u8(1).i32(1).u8(1).u8(1).u16(2).raw(&[0xff, 0xfe]);
    assert_eq!(Message::decode(&w.finish()), Err(PacketError::BadString("errorMessage")));
}

// ---------------------------------------------------------------------------
// Shared memory layouts, re-derived from the header's declarations

/// Offsets of `fields` (name, bytes, alignment) under `#pragma pack(4)`, and the
/// struct's size.
fn layout(fields: &[(&'static str, usize, usize)]) -> (Vec<(&'static str, usize)>, usize) {
    let mut offset: usize = 0;
    let mut offsets = Vec::new();
    for &(name, size, align) in fields {
        offset = offset.next_multiple_of(align.min(4));
        offsets.push((name, offset));
        offset += size;
    }
    (offsets, offset.next_multiple_of(4))
}

const F: usize = 4; // int / float
const W15: usize = 30; // wchar_t[15]
const W33: usize = 66; // wchar_t[33]

fn offset_of(offsets: &[(&str, usize)], name: &str) -> usize {
    offsets.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("no field {name}")).1
}

#[test]
fn physics_offsets_follow_the_header() {
    let fields = [
        ("packetId", F, 4),
        ("gas", F, 4),
        ("brake", F, 4),
        ("fuel", F, 4),
        ("gear", F, 4),
        ("rpms", F, 4),
        ("steerAngle", F, 4),
        ("speedKmh", F, 4),
        ("velocity", 3 * F, 4),
        ("accG", 3 * F, 4),
        ("wheelSlip", 4 * F, 4),
        ("wheelLoad", 4 * F, 4),
        ("wheelsPressure", 4 * F, 4),
        ("wheelAngularSpeed", 4 * F, 4),
        ("tyreWear", 4 * F, 4),
        ("tyreDirtyLevel", 4 * F, 4),
        ("tyreCoreTemperature", 4 * F, 4),
        ("camberRAD", 4 * F, 4),
        ("suspensionTravel", 4 * F, 4),
        ("drs", F, 4),
        ("tc", F, 4),
        ("heading", F, 4),
        ("pitch", F, 4),
        ("roll", F, 4),
        ("cgHeight", F, 4),
        ("carDamage", 5 * F, 4),
        ("numberOfTyresOut", F, 4),
        ("pitLimiterOn", F, 4),
        ("abs", F, 4),
        ("kersCharge", F, 4),
        ("kersInput", F, 4),
        ("autoShifterOn", F, 4),
        ("rideHeight", 2 * F, 4),
        ("turboBoost", F, 4),
        ("ballast", F, 4),
        ("airDensity", F, 4),
        ("airTemp", F, 4),
        ("roadTemp", F, 4),
        ("localAngularVel", 3 * F, 4),
        ("finalFF", F, 4),
        ("performanceMeter", F, 4),
        ("engineBrake", F, 4),
        ("ersRecoveryLevel", F, 4),
        ("ersPowerLevel", F, 4),
        ("ersHeatCharging", F, 4),
        ("ersIsCharging", F, 4),
        ("kersCurrentKJ", F, 4),
        ("drsAvailable", F, 4),
        ("drsEnabled", F, 4),
        ("brakeTemp", 4 * F, 4),
        ("clutch", F, 4),
        ("tyreTempI", 4 * F, 4),
        ("tyreTempM", 4 * F, 4),
        ("tyreTempO", 4 * F, 4),
        ("isAIControlled", F, 4),
        ("tyreContactPoint", 12 * F, 4),
        ("tyreContactNormal", 12 * F, 4),
        ("tyreContactHeading", 12 * F, 4),
        ("brakeBias", F, 4),
        ("localVelocity", 3 * F, 4),
        ("P2PActivations", F, 4),
        ("P2PStatus", F, 4),
        ("currentMaxRpm", F, 4),
        ("mz", 4 * F, 4),
        ("fx", 4 * F, 4),
        ("fy", 4 * F, 4),
        ("slipRatio", 4 * F, 4),
        ("slipAngle", 4 * F, 4),
        ("tcinAction", F, 4),
        ("absInAction", F, 4),
        ("suspensionDamage", 4 * F, 4),
        ("tyreTemp", 4 * F, 4),
        ("waterTemp", F, 4),
        ("brakePressure", 4 * F, 4),
        ("frontBrakeCompound", F, 4),
        ("rearBrakeCompound", F, 4),
        ("padLife", 4 * F, 4),
        ("discLife", 4 * F, 4),
        ("ignitionOn", F, 4),
        ("starterEngineOn", F, 4),
        ("isEngineRunning", F, 4),
        ("kerbVibration", F, 4),
        ("slipVibrations", F, 4),
        ("gVibrations", F, 4),
        ("absVibrations", F, 4),
    ];
    let (o, size) = layout(&fields);
    assert_eq!(size, physics::SIZE);
    for (name, constant) in [
        ("packetId", physics::PACKET_ID),
        ("gas", physics::GAS),
        ("brake", physics::BRAKE),
        ("fuel", physics::FUEL),
        ("gear", physics::GEAR),
        ("rpms", physics::RPMS),
        ("steerAngle", physics::STEER_ANGLE),
        ("speedKmh", physics::SPEED_KMH),
        ("velocity", physics::VELOCITY),
        ("accG", physics::ACC_G),
        ("wheelSlip", physics::WHEEL_SLIP),
        ("wheelLoad", physics::WHEEL_LOAD),
        ("wheelsPressure", physics::WHEELS_PRESSURE),
        ("wheelAngularSpeed", physics::WHEEL_ANGULAR_SPEED),
        ("tyreWear", physics::TYRE_WEAR),
        ("tyreDirtyLevel", physics::TYRE_DIRTY_LEVEL),
        ("tyreCoreTemperature", physics::TYRE_CORE_TEMPERATURE),
        ("camberRAD", physics::CAMBER_RAD),
        ("suspensionTravel", physics::SUSPENSION_TRAVEL),
        ("drs", physics::DRS),
        ("tc", physics::TC),
        ("heading", physics::HEADING),
        ("pitch", physics::PITCH),
        ("roll", physics::ROLL),
        ("cgHeight", physics::CG_HEIGHT),
        ("carDamage", physics::CAR_DAMAGE),
        ("numberOfTyresOut", physics::NUMBER_OF_TYRES_OUT),
        ("pitLimiterOn", physics::PIT_LIMITER_ON),
        ("abs", physics::ABS),
        ("airTemp", physics::AIR_TEMP),
        ("roadTemp", physics::ROAD_TEMP),
        ("localAngularVel", physics::LOCAL_ANGULAR_VEL),
        ("brakeTemp", physics::BRAKE_TEMP),
        ("clutch", physics::CLUTCH),
        ("brakeBias", physics::BRAKE_BIAS),
        ("localVelocity", physics::LOCAL_VELOCITY),
        ("currentMaxRpm", physics::CURRENT_MAX_RPM),
        ("slipRatio", physics::SLIP_RATIO),
        ("slipAngle", physics::SLIP_ANGLE),
        ("waterTemp", physics::WATER_TEMP),
    ] {
        assert_eq!(offset_of(&o, name), constant, "{name}");
    }
}

#[test]
fn graphics_offsets_follow_the_header() {
    let mut fields = vec![
        ("packetId", F, 4),
        ("status", F, 4),
        ("session", F, 4),
        ("currentTime", W15, 2),
        ("lastTime", W15, 2),
        ("bestTime", W15, 2),
        ("split", W15, 2),
        ("completedLaps", F, 4),
        ("position", F, 4),
        ("iCurrentTime", F, 4),
        ("iLastTime", F, 4),
        ("iBestTime", F, 4),
        ("sessionTimeLeft", F, 4),
        ("distanceTraveled", F, 4),
        ("isInPit", F, 4),
        ("currentSectorIndex", F, 4),
        ("lastSectorTime", F, 4),
        ("numberOfLaps", F, 4),
        ("tyreCompound", W33, 2),
        ("replayTimeMultiplier", F, 4),
        ("normalizedCarPosition", F, 4),
        ("activeCars", F, 4),
        ("carCoordinates", 60 * 3 * F, 4),
        ("carID", 60 * F, 4),
        ("playerCarID", F, 4),
        ("penaltyTime", F, 4),
        ("flag", F, 4),
        ("penalty", F, 4),
        ("idealLineOn", F, 4),
        ("isInPitLane", F, 4),
        ("surfaceGrip", F, 4),
        ("mandatoryPitDone", F, 4),
        ("windSpeed", F, 4),
        ("windDirection", F, 4),
        ("isSetupMenuVisible", F, 4),
        ("mainDisplayIndex", F, 4),
        ("secondaryDisplayIndex", F, 4),
        ("TC", F, 4),
        ("TCCut", F, 4),
        ("EngineMap", F, 4),
        ("ABS", F, 4),
        ("fuelXLap", F, 4),
        ("rainLights", F, 4),
        ("flashingLights", F, 4),
        ("lightsStage", F, 4),
        ("exhaustTemperature", F, 4),
        ("wiperLV", F, 4),
        ("driverStintTotalTimeLeft", F, 4),
        ("driverStintTimeLeft", F, 4),
        ("rainTyres", F, 4),
        ("sessionIndex", F, 4),
        ("usedFuel", F, 4),
        ("deltaLapTime", W15, 2),
        ("iDeltaLapTime", F, 4),
        ("estimatedLapTime", W15, 2),
        ("iEstimatedLapTime", F, 4),
        ("isDeltaPositive", F, 4),
        ("iSplit", F, 4),
        ("isValidLap", F, 4),
        ("fuelEstimatedLaps", F, 4),
        ("trackStatus", W33, 2),
        ("missingMandatoryPits", F, 4),
        ("Clock", F, 4),
        ("directionLightsLeft", F, 4),
        ("directionLightsRight", F, 4),
        ("GlobalYellow", F, 4),
        ("GlobalYellow1", F, 4),
        ("GlobalYellow2", F, 4),
        ("GlobalYellow3", F, 4),
        ("GlobalWhite", F, 4),
        ("GlobalGreen", F, 4),
        ("GlobalChequered", F, 4),
        ("GlobalRed", F, 4),
        ("mfdTyreSet", F, 4),
        ("mfdFuelToAdd", F, 4),
        ("mfdTyrePressureLF", F, 4),
        ("mfdTyrePressureRF", F, 4),
        ("mfdTyrePressureLR", F, 4),
        ("mfdTyrePressureRR", F, 4),
        ("trackGripStatus", F, 4),
        ("rainIntensity", F, 4),
        ("rainIntensityIn10min", F, 4),
        ("rainIntensityIn30min", F, 4),
        ("currentTyreSet", F, 4),
        ("strategyTyreSet", F, 4),
    ];
    let (_, size_1_8) = layout(&fields);
    assert_eq!(size_1_8, graphics::MIN_SIZE);
    fields.extend([("gapAhead", F, 4), ("gapBehind", F, 4)]);
    let (o, size) = layout(&fields);
    assert_eq!(size, graphics::SIZE);
    for (name, constant) in [
        ("packetId", graphics::PACKET_ID),
        ("status", graphics::STATUS),
        ("session", graphics::SESSION),
        ("currentTime", graphics::CURRENT_TIME),
        ("lastTime", graphics::LAST_TIME),
        ("bestTime", graphics::BEST_TIME),
        ("split", graphics::SPLIT),
        ("completedLaps", graphics::COMPLETED_LAPS),
        ("position", graphics::POSITION),
        ("iCurrentTime", graphics::I_CURRENT_TIME),
        ("iLastTime", graphics::I_LAST_TIME),
        ("iBestTime", graphics::I_BEST_TIME),
        ("sessionTimeLeft", graphics::SESSION_TIME_LEFT),
        ("distanceTraveled", graphics::DISTANCE_TRAVELED),
        ("isInPit", graphics::IS_IN_PIT),
        ("currentSectorIndex", graphics::CURRENT_SECTOR_INDEX),
        ("lastSectorTime", graphics::LAST_SECTOR_TIME),
        ("numberOfLaps", graphics::NUMBER_OF_LAPS),
        ("tyreCompound", graphics::TYRE_COMPOUND),
        ("replayTimeMultiplier", graphics::REPLAY_TIME_MULTIPLIER),
        ("normalizedCarPosition", graphics::NORMALIZED_CAR_POSITION),
        ("activeCars", graphics::ACTIVE_CARS),
        ("carCoordinates", graphics::CAR_COORDINATES),
        ("carID", graphics::CAR_ID),
        ("playerCarID", graphics::PLAYER_CAR_ID),
        ("penaltyTime", graphics::PENALTY_TIME),
        ("flag", graphics::FLAG),
        ("penalty", graphics::PENALTY),
        ("idealLineOn", graphics::IDEAL_LINE_ON),
        ("isInPitLane", graphics::IS_IN_PIT_LANE),
        ("surfaceGrip", graphics::SURFACE_GRIP),
        ("sessionIndex", graphics::SESSION_INDEX),
        ("usedFuel", graphics::USED_FUEL),
        ("isValidLap", graphics::IS_VALID_LAP),
    ] {
        assert_eq!(offset_of(&o, name), constant, "{name}");
    }
}

#[test]
fn static_offsets_follow_the_header() {
    let fields = [
        ("smVersion", W15, 2),
        ("acVersion", W15, 2),
        ("numberOfSessions", F, 4),
        ("numCars", F, 4),
        ("carModel", W33, 2),
        ("track", W33, 2),
        ("playerName", W33, 2),
        ("playerSurname", W33, 2),
        ("playerNick", W33, 2),
        ("sectorCount", F, 4),
        ("maxTorque", F, 4),
        ("maxPower", F, 4),
        ("maxRpm", F, 4),
        ("maxFuel", F, 4),
        ("suspensionMaxTravel", 4 * F, 4),
        ("tyreRadius", 4 * F, 4),
        ("maxTurboBoost", F, 4),
        ("deprecated_1", F, 4),
        ("deprecated_2", F, 4),
        ("penaltiesEnabled", F, 4),
        ("aidFuelRate", F, 4),
        ("aidTireRate", F, 4),
        ("aidMechanicalDamage", F, 4),
        ("aidAllowTyreBlankets", F, 4),
        ("aidStability", F, 4),
        ("aidAutoClutch", F, 4),
        ("aidAutoBlip", F, 4),
        ("hasDRS", F, 4),
        ("hasERS", F, 4),
        ("hasKERS", F, 4),
        ("kersMaxJ", F, 4),
        ("engineBrakeSettingsCount", F, 4),
        ("ersPowerControllerCount", F, 4),
        ("trackSPlineLength", F, 4),
        ("trackConfiguration", W33, 2),
        ("ersMaxJ", F, 4),
        ("isTimedRace", F, 4),
        ("hasExtraLap", F, 4),
        ("carSkin", W33, 2),
        ("reversedGridPositions", F, 4),
        ("PitWindowStart", F, 4),
        ("PitWindowEnd", F, 4),
        ("isOnline", F, 4),
        ("dryTyresName", W33, 2),
        ("wetTyresName", W33, 2),
    ];
    let (o, size) = layout(&fields);
    assert_eq!(size, statics::SIZE);
    for (name, constant) in [
        ("smVersion", statics::SM_VERSION),
        ("acVersion", statics::AC_VERSION),
        ("numberOfSessions", statics::NUMBER_OF_SESSIONS),
        ("numCars", statics::NUM_CARS),
        ("carModel", statics::CAR_MODEL),
        ("track", statics::TRACK),
        ("playerName", statics::PLAYER_NAME),
        ("playerSurname", statics::PLAYER_SURNAME),
        ("playerNick", statics::PLAYER_NICK),
        ("sectorCount", statics::SECTOR_COUNT),
        ("maxTorque", statics::MAX_TORQUE),
        ("maxPower", statics::MAX_POWER),
        ("maxRpm", statics::MAX_RPM),
        ("maxFuel", statics::MAX_FUEL),
        ("trackSPlineLength", statics::TRACK_SPLINE_LENGTH),
        ("trackConfiguration", statics::TRACK_CONFIGURATION),
        ("PitWindowStart", statics::PIT_WINDOW_START),
        ("PitWindowEnd", statics::PIT_WINDOW_END),
        ("isOnline", statics::IS_ONLINE),
        ("dryTyresName", statics::DRY_TYRES_NAME),
        ("wetTyresName", statics::WET_TYRES_NAME),
    ] {
        assert_eq!(offset_of(&o, name), constant, "{name}");
    }
}

// ---------------------------------------------------------------------------
// Hand-built shared memory pages (literal offsets from the header)

fn f(w: &mut Writer, offset: usize, value: f32) {
    w.put(offset, &value.to_le_bytes());
}

fn i(w: &mut Writer, offset: usize, value: i32) {
    w.put(offset, &value.to_le_bytes());
}

fn hand_physics() -> Writer {
    let mut p = Writer::zeroed(800);
    i(&mut p, 0, 4711); // packetId
    f(&mut p, 4, 0.75); // gas
    f(&mut p, 8, 0.25); // brake
    f(&mut p, 12, 42.5); // fuel
    i(&mut p, 16, 4); // gear: 3rd
    i(&mut p, 20, 7250); // rpms
    f(&mut p, 24, -0.5); // steerAngle
    f(&mut p, 28, 187.5); // speedKmh
    for (k, v) in [10.0, -0.5, 51.0].into_iter().enumerate() {
        f(&mut p, 32 + 4 * k, v); // velocity
    }
    for (k, v) in [1.25, 0.125, -0.75].into_iter().enumerate() {
        f(&mut p, 44 + 4 * k, v); // accG: lateral, vertical, longitudinal
    }
    for k in 0..4 {
        f(&mut p, 56 + 4 * k, 0.1 * (k + 1) as f32); // wheelSlip
        f(&mut p, 88 + 4 * k, 27.0 + k as f32); // wheelsPressure, psi
        f(&mut p, 152 + 4 * k, 80.0 + k as f32); // tyreCoreTemperature
        f(&mut p, 348 + 4 * k, 400.0 + 10.0 * k as f32); // brakeTemp
    }
    f(&mut p, 208, 1.25); // heading
    f(&mut p, 364, 0.0); // clutch
    p
}

fn hand_graphics() -> Writer {
    let mut g = Writer::zeroed(1588);
    i(&mut g, 0, 900); // packetId
    i(&mut g, 4, 2); // status: live
    g.put_utf16z(12, 15, "1:02:345"); // currentTime
    i(&mut g, 132, 4); // completedLaps
    i(&mut g, 136, 3); // position
    i(&mut g, 140, 62_345); // iCurrentTime
    i(&mut g, 144, 101_000); // iLastTime
    i(&mut g, 148, i32::MAX); // iBestTime: none
    i(&mut g, 160, 0); // isInPit
    f(&mut g, 248, 0.5); // normalizedCarPosition
    i(&mut g, 252, 5); // activeCars
    for slot in 0..5 {
        i(&mut g, 976 + 4 * slot, 10 + slot as i32); // carID
        for axis in 0..3 {
            f(&mut g, 256 + 12 * slot + 4 * axis, (100 * slot + axis) as f32); // carCoordinates
        }
    }
    i(&mut g, 1216, 13); // playerCarID: slot 3
    i(&mut g, 1236, 1); // isInPitLane
    i(&mut g, 1408, 0); // isValidLap: no
    g
}

fn hand_static() -> Writer {
    let mut s = Writer::zeroed(820);
    s.put_utf16z(0, 15, "1.9").put_utf16z(30, 15, "1.10.2");
    s.put_utf16z(68, 33, "bmw_m4_gt3").put_utf16z(134, 33, "spa");
    s.put_utf16z(200, 33, "Ann").put_utf16z(266, 33, "Example").put_utf16z(332, 33, "annie");
    i(&mut s, 412, 7500); // maxRpm
    f(&mut s, 416, 120.0); // maxFuel
    f(&mut s, 520, 7004.0); // trackSPlineLength
    s
}

#[test]
fn decodes_pages_by_hand() {
    let (p, g, s) = (hand_physics().finish(), hand_graphics().finish(), hand_static().finish());
    let (meta, frame) = frame_from_pages(&p, &g, &s).unwrap();
    assert_eq!(
        meta,
        SessionMeta {
            sim: Sim::Acc,
            track: "spa".to_string(),
            car: "bmw_m4_gt3".to_string(),
            driver: "Ann Example".to_string(),
            track_length_m: Some(7004.0),
        }
    );
    assert_eq!((frame.throttle, frame.brake, frame.clutch, frame.steering), (0.75, 0.25, Some(0.0), -0.5));
    assert_eq!((frame.speed_kmh, frame.gear, frame.rpm, frame.max_rpm), (187.5, 3, 7250.0, Some(7500.0)));
    assert_eq!(frame.fuel_l, Some(42.5));
    assert_eq!(frame.velocity, Some(Vec3 { x: 10.0, y: -0.5, z: 51.0 }));
    assert_eq!((frame.g_lat, frame.g_vert, frame.g_lon), (Some(1.25), Some(0.125), Some(-0.75)));
    assert_eq!(frame.yaw, Some(1.25));
    let kpa = frame.tyre_pressure_kpa.unwrap();
    assert!((kpa.fl - 27.0 * 6.894_757).abs() < 1e-3 && (kpa.rr - 30.0 * 6.894_757).abs() < 1e-3);
    assert_eq!(frame.tyre_temp_c, Some(Wheels { fl: 80.0, fr: 81.0, rl: 82.0, rr: 83.0 }));
    assert_eq!(frame.brake_temp_c, Some(Wheels { fl: 400.0, fr: 410.0, rl: 420.0, rr: 430.0 }));
    let slip = frame.wheel_slip.unwrap();
    assert!((slip.fl - 0.1).abs() < 1e-6 && (slip.rr - 0.4).abs() < 1e-6);
    assert_eq!(frame.world_position, Some(Vec3 { x: 300.0, y: 301.0, z: 302.0 }), "the playerCarID slot");
    assert_eq!((frame.lap_number, frame.current_lap_time_ms), (4, 62_345));
    assert_eq!((frame.last_lap_time_ms, frame.best_lap_time_ms), (Some(101_000), None));
    assert_eq!(frame.normalized_position, 0.5);
    assert_eq!(frame.lap_distance_m, Some(3502.0));
    assert!(frame.in_pit, "pit lane");
    assert!(frame.lap_invalid);
    assert_eq!((frame.seq, frame.captured_at_us, frame.session_time_ms), (0, 0, 0.0));

    // Gear 0 is reverse, 1 neutral; the nickname stands in for an empty name.
    let mut physics_page = hand_physics();
    i(&mut physics_page, 16, 0);
    let mut static_page = hand_static();
    static_page.put_utf16z(200, 33, "").put_utf16z(266, 33, "");
    let (meta, frame) = frame_from_pages(&physics_page.finish(), &g, &static_page.finish()).unwrap();
    assert_eq!(frame.gear, -1);
    assert_eq!(meta.driver, "annie");
}

#[test]
fn rejects_bad_pages_and_sanitises_optional_channels() {
    let (p, g, s) = (hand_physics().finish(), hand_graphics().finish(), hand_static().finish());
    assert!(matches!(frame_from_pages(&p[..799], &g, &s), Err(PacketError::Truncated { .. })));
    assert!(matches!(frame_from_pages(&p, &g[..1579], &s), Err(PacketError::Truncated { .. })));
    assert!(frame_from_pages(&p, &g[..1580], &s).is_ok(), "the ACC 1.8 graphics page");
    assert!(matches!(frame_from_pages(&p, &g, &s[..819]), Err(PacketError::Truncated { .. })));

    let with = |offset: usize, value: f32| {
        let mut page = hand_physics();
        f(&mut page, offset, value);
        frame_from_pages(&page.finish(), &g, &s)
    };
    assert_eq!(with(28, f32::NAN).unwrap_err(), PacketError::NotFinite("speedKmh"));
    let frame = with(152, f32::INFINITY).unwrap().1;
    assert_eq!(frame.tyre_temp_c, None, "a non-finite wheel drops the channel");
    assert_eq!(with(4, f32::NAN).unwrap().1.throttle, 0.0);
    assert_eq!(with(24, 3.0).unwrap().1.steering, 1.0, "clamped to full lock");
    let mut page = hand_physics();
    i(&mut page, 16, 40);
    assert_eq!(frame_from_pages(&page.finish(), &g, &s).unwrap_err(), PacketError::OutOfRange("gear"));
    let mut page = hand_physics();
    i(&mut page, 20, -5);
    assert_eq!(frame_from_pages(&page.finish(), &g, &s).unwrap_err(), PacketError::OutOfRange("rpms"));
}

#[test]
fn page_decoder_yields_each_live_physics_step_once() {
    let (p, g, s) = (hand_physics().finish(), hand_graphics().finish(), hand_static().finish());
    let mut decoder = PageDecoder::new();
    let first = decoder.decode_at(&p, &g, &s, 0).unwrap().unwrap();
    assert_eq!((first.physics_packet_id, first.status), (4711, GameStatus::Live));
    assert_eq!(decoder.decode_at(&p, &g, &s, 10).unwrap(), None, "same packetId");

    // A new packetId with identical channels (the game paused) is no new sample.
    let mut same = hand_physics();
    i(&mut same, 0, 4712);
    assert_eq!(decoder.decode_at(&same.finish(), &g, &s, 20).unwrap(), None);

    let mut moved = hand_physics();
    i(&mut moved, 0, 4713);
    f(&mut moved, 28, 190.0);
    let next = decoder.decode_at(&moved.finish(), &g, &s, 30).unwrap().unwrap();
    assert_eq!(next.frame.speed_kmh, 190.0);
    assert_eq!(next.frame.session_time_ms, 30.0);

    // Not live: paused or replay pages yield nothing.
    let mut paused = hand_graphics();
    i(&mut paused, 4, 3);
    let mut later = hand_physics();
    i(&mut later, 0, 4714);
    assert_eq!(decoder.decode_at(&later.finish(), &paused.finish(), &s, 40).unwrap(), None);
}

// ---------------------------------------------------------------------------
// The client's state machine

fn track_data() -> Vec<u8> {
    Message::TrackData(TrackData {
        connection_id: 5,
        track_name: "Monza".to_string(),
        track_id: 3,
        track_meters: 5793,
        ..Default::default()
    })
    .encode()
}

fn entry_list(cars: &[u16]) -> Vec<u8> {
    Message::EntryList(EntryList { connection_id: 5, car_indices: cars.to_vec() }).encode()
}

fn entry_car(index: u16, model: u8, first: &str, last: &str) -> Vec<u8> {
    Message::EntryListCar(EntryListCar {
        car_index: index,
        car_model_type: model,
        drivers: vec![DriverInfo { first_name: first.to_string(), last_name: last.to_string(), ..Default::default() }],
        ..Default::default()
    })
    .encode()
}

fn realtime(focused: i32, session_time_ms: f32) -> RealtimeUpdate {
    RealtimeUpdate {
        event_index: 0,
        session_index: 0,
        session_type: 0,
        phase: phase::SESSION,
        session_time_ms,
        session_end_time_ms: 0.0,
        focused_car_index: focused,
        active_camera_set: String::new(),
        active_camera: String::new(),
        current_hud_page: String::new(),
        replay: None,
        time_of_day_ms: 0.0,
        ambient_temp_c: 20,
        track_temp_c: 25,
        clouds: 0.0,
        rain_level: 0.0,
        wetness: 0.0,
        best_session_lap: LapInfo::default(),
    }
}

fn car_update(index: u16, kmh: u16, spline: f32) -> RealtimeCarUpdate {
    RealtimeCarUpdate {
        car_index: index,
        driver_index: 0,
        driver_count: 1,
        gear: 3,
        world_pos_x: 1.0,
        world_pos_y: 2.0,
        yaw: 0.5,
        car_location: CarLocation::Track,
        kmh,
        position: 1,
        cup_position: 1,
        track_position: 1,
        spline_position: spline,
        laps: 2,
        delta_ms: 0,
        best_session_lap: LapInfo { lap_time_ms: Some(110_000), ..Default::default() },
        last_lap: LapInfo { lap_time_ms: Some(111_000), ..Default::default() },
        current_lap: LapInfo { lap_time_ms: Some(20_000), ..Default::default() },
    }
}

fn send(client: &mut Client, message: Message, now_ms: u64) -> Vec<SimEvent> {
    client.receive(&message.encode(), now_ms).unwrap()
}

fn registration(success: bool, error: &str) -> Message {
    Message::RegistrationResult(RegistrationResult {
        connection_id: 5,
        success,
        readonly: false,
        error_message: error.to_string(),
    })
}

/// A client registered as connection 5 that knows Monza and car 7 (a BMW M4 GT3).
fn ready_client() -> Client {
    let mut client = Client::new();
    assert_eq!(client.poll(0).len(), 1);
    send(&mut client, registration(true, ""), 10);
    client.poll(20);
    client.receive(&track_data(), 30).unwrap();
    client.receive(&entry_list(&[3, 7]), 30).unwrap();
    client.receive(&entry_car(7, 30, "Ann", "Example"), 30).unwrap();
    client.receive(&entry_car(3, 1, "Bo", "Sample"), 30).unwrap();
    client
}

#[test]
fn client_registers_first_and_retries_every_two_seconds() {
    let mut client = Client::new();
    assert_eq!(client.sim(), Sim::Acc);
    let first = client.poll(1_000);
    assert_eq!(first.len(), 1);
    assert_eq!(
        Request::decode(&first[0]).unwrap(),
        Request::Register {
            protocol_version: 4,
            display_name: "Purple Sector".to_string(),
            connection_password: "asd".to_string(),
            update_interval_ms: 50,
            command_password: String::new(),
        }
    );
    assert!(client.poll(1_000 + REGISTER_RETRY_MS - 1).is_empty());
    assert_eq!(client.poll(1_000 + REGISTER_RETRY_MS), first);
    assert!(client.shutdown().is_empty(), "nothing to unregister before registering");
}

#[test]
fn client_keeps_the_registration_error_and_keeps_retrying() {
    let mut client = Client::new();
    client.poll(0);
    assert_eq!(send(&mut client, registration(false, "Wrong password"), 5), vec![]);
    assert_eq!(client.registration_error(), Some("Wrong password"));
    assert_eq!(client.connection_id(), None);
    assert!(client.poll(100).is_empty());
    assert!(matches!(Request::decode(&client.poll(REGISTER_RETRY_MS)[0]).unwrap(), Request::Register { .. }));
    send(&mut client, registration(true, ""), REGISTER_RETRY_MS + 5);
    assert_eq!(client.registration_error(), None);
    assert_eq!(client.connection_id(), Some(5));
    assert!(!client.is_readonly());
}

#[test]
fn client_requests_entry_list_and_track_after_registering() {
    let mut client = Client::new();
    client.poll(0);
    send(&mut client, registration(true, ""), 10);
    let requests: Vec<Request> = client.poll(20).iter().map(|d| Request::decode(d).unwrap()).collect();
    assert_eq!(
        requests,
        vec![Request::RequestEntryList { connection_id: 5 }, Request::RequestTrackData { connection_id: 5 }]
    );
    // Still no track two seconds later: asked again; the entry list is not.
    client.receive(&entry_list(&[]), 100).unwrap();
    let again: Vec<Request> = client.poll(2_020).iter().map(|d| Request::decode(d).unwrap()).collect();
    assert_eq!(again, vec![Request::RequestTrackData { connection_id: 5 }]);
    client.receive(&track_data(), 2_100).unwrap();
    assert!(client.poll(4_100).is_empty());
    assert_eq!(client.track().unwrap().track_name, "Monza");
}

#[test]
fn client_rerequests_the_entry_list_for_an_unknown_car() {
    // `ready_client` asked for the entry list at 20 ms.
    let mut client = ready_client();
    assert!(client.poll(40).is_empty());
    send(&mut client, Message::RealtimeUpdate(realtime(7, 1000.0)), 50);
    send(&mut client, Message::RealtimeCarUpdate(car_update(12, 100, 0.1)), 50);
    assert!(client.poll(60).is_empty(), "at most one request a second");
    let requests = client.poll(20 + ENTRY_LIST_RETRY_MS);
    assert_eq!(requests.len(), 1);
    assert_eq!(Request::decode(&requests[0]).unwrap(), Request::RequestEntryList { connection_id: 5 });
    assert!(client.poll(30 + ENTRY_LIST_RETRY_MS).is_empty(), "asked once per unknown sighting");
    send(&mut client, Message::RealtimeCarUpdate(car_update(12, 100, 0.1)), 40 + ENTRY_LIST_RETRY_MS);
    assert!(client.poll(50 + ENTRY_LIST_RETRY_MS).is_empty());
    assert_eq!(client.poll(20 + 2 * ENTRY_LIST_RETRY_MS).len(), 1);
}

#[test]
fn client_follows_the_focused_car_and_announces_the_session_first() {
    let mut client = ready_client();
    // No realtime update yet: nobody to follow.
    assert_eq!(send(&mut client, Message::RealtimeCarUpdate(car_update(7, 100, 0.1)), 40), vec![]);
    send(&mut client, Message::RealtimeUpdate(realtime(7, 1000.0)), 50);
    assert_eq!(send(&mut client, Message::RealtimeCarUpdate(car_update(3, 150, 0.3)), 50), vec![]);
    let events = send(&mut client, Message::RealtimeCarUpdate(car_update(7, 100, 0.1)), 50);
    let meta = SessionMeta {
        sim: Sim::Acc,
        track: "Monza".to_string(),
        car: "BMW M4 GT3".to_string(),
        driver: "Ann Example".to_string(),
        track_length_m: Some(5793.0),
    };
    assert_eq!(events.len(), 2);
    assert_eq!(events[0], SimEvent::Session(meta.clone()));
    let SimEvent::Frame(frame) = &events[1] else { panic!("expected a frame") };
    assert_eq!((frame.speed_kmh, frame.session_time_ms, frame.lap_number), (100.0, 1000.0, 2));
    assert_eq!((frame.last_lap_time_ms, frame.best_lap_time_ms), (Some(111_000), Some(110_000)));
    assert!((frame.lap_distance_m.unwrap() - 579.3).abs() < 1e-3);

    // The camera switches to car 3: a new session for its car and driver.
    send(&mut client, Message::RealtimeUpdate(realtime(3, 1050.0)), 100);
    let events = send(&mut client, Message::RealtimeCarUpdate(car_update(3, 150, 0.3)), 100);
    assert!(matches!(&events[0], SimEvent::Session(m) if m.car == "Mercedes-AMG GT3" && m.driver == "Bo Sample"));
    assert_eq!(client.focused_car(), Some(3));
}

#[test]
fn client_suppresses_duplicate_frames() {
    let mut client = ready_client();
    send(&mut client, Message::RealtimeUpdate(realtime(7, 1000.0)), 50);
    assert_eq!(send(&mut client, Message::RealtimeCarUpdate(car_update(7, 100, 0.1)), 50).len(), 2);
    // Paused: same clock, same car state.
    send(&mut client, Message::RealtimeUpdate(realtime(7, 1000.0)), 100);
    assert_eq!(send(&mut client, Message::RealtimeCarUpdate(car_update(7, 100, 0.1)), 100), vec![]);
    send(&mut client, Message::RealtimeUpdate(realtime(7, 1050.0)), 150);
    assert_eq!(send(&mut client, Message::RealtimeCarUpdate(car_update(7, 101, 0.11)), 150).len(), 1);
}

#[test]
fn client_ends_the_session_with_the_game_and_announces_the_next() {
    let mut client = ready_client();
    send(&mut client, Message::RealtimeUpdate(realtime(7, 1000.0)), 50);
    send(&mut client, Message::RealtimeCarUpdate(car_update(7, 100, 0.1)), 50);
    let mut over = realtime(7, 2000.0);
    over.phase = phase::POST_SESSION;
    assert_eq!(send(&mut client, Message::RealtimeUpdate(over), 60), vec![SimEvent::SessionEnded]);
    assert_eq!(send(&mut client, Message::RealtimeCarUpdate(car_update(7, 90, 0.2)), 60), vec![]);
    let mut next = realtime(7, 10.0);
    next.session_index = 1;
    assert_eq!(send(&mut client, Message::RealtimeUpdate(next), 70), vec![]);
    let events = send(&mut client, Message::RealtimeCarUpdate(car_update(7, 50, 0.0)), 70);
    assert!(matches!(events.as_slice(), [SimEvent::Session(_), SimEvent::Frame(_)]));
}

#[test]
fn client_reregisters_after_silence_and_owes_a_session_end() {
    let mut client = ready_client();
    send(&mut client, Message::RealtimeUpdate(realtime(7, 1000.0)), 50);
    send(&mut client, Message::RealtimeCarUpdate(car_update(7, 100, 0.1)), 50);
    assert!(client.poll(50 + SILENCE_TIMEOUT_MS).is_empty(), "not silent yet");
    let datagrams = client.poll(51 + SILENCE_TIMEOUT_MS);
    assert_eq!(datagrams.len(), 1);
    assert!(matches!(Request::decode(&datagrams[0]).unwrap(), Request::Register { .. }));
    assert_eq!(client.connection_id(), None);
    // The owed SessionEnded comes with the next datagram (or from take_events).
    let events = send(&mut client, registration(true, ""), 6_000);
    assert_eq!(events, vec![SimEvent::SessionEnded]);
    assert!(client.take_events().is_empty());

    let mut client = ready_client();
    send(&mut client, Message::RealtimeUpdate(realtime(7, 1000.0)), 50);
    send(&mut client, Message::RealtimeCarUpdate(car_update(7, 100, 0.1)), 50);
    client.poll(60 + SILENCE_TIMEOUT_MS);
    assert_eq!(client.take_events(), vec![SimEvent::SessionEnded]);
}

#[test]
fn client_unregisters_on_shutdown() {
    let mut client = ready_client();
    let datagrams = client.shutdown();
    assert_eq!(datagrams, vec![vec![9, 5, 0, 0, 0]]);
    assert!(client.shutdown().is_empty());
}

// ---------------------------------------------------------------------------
// Emulator → client round trips

fn demo_meta() -> SessionMeta {
    SessionMeta {
        sim: Sim::Acc,
        track: crate::demo::TRACK_NAME.to_string(),
        car: "Ferrari 296 GT3".to_string(),
        driver: "Demo Driver".to_string(),
        track_length_m: Some(DemoDriver::new(1).track().length_m() as f32),
    }
}

/// Connects a client and an emulator; returns the client's events.
fn exchange(client: &mut Client, emulator: &mut Emulator, now_ms: u64) -> Vec<SimEvent> {
    let mut events = Vec::new();
    for request in client.poll(now_ms) {
        for answer in emulator.receive(&request) {
            events.extend(client.receive(&answer, now_ms).unwrap());
        }
    }
    events
}

#[test]
fn broadcasting_round_trip_of_demo_laps() {
    let meta = demo_meta();
    let mut driver = DemoDriver::new(7);
    let mut emulator = Emulator::new();
    let mut client = Client::new();
    assert!(emulator.frame(&driver.next_frame(), &meta).is_empty(), "nothing before a registration");

    let mut events = Vec::new();
    let mut sent = Vec::new();
    let mut now_ms = 0;
    while driver.completed_lap_times_ms().len() < 2 {
        events.extend(exchange(&mut client, &mut emulator, now_ms));
        let frame = driver.next_frame();
        for datagram in emulator.frame(&frame, &meta) {
            events.extend(client.receive(&datagram, now_ms).unwrap());
        }
        sent.push(frame);
        now_ms += 16;
    }
    assert_eq!(client.connection_id(), Some(1));
    let SimEvent::Session(announced) = &events[0] else { panic!("the session comes first: {:?}", events[0]) };
    assert_eq!(announced.track, meta.track);
    assert_eq!(announced.car, meta.car);
    assert_eq!(announced.driver, meta.driver);
    assert_eq!(announced.track_length_m, Some(meta.track_length_m.unwrap().round()));
    assert_eq!(events.iter().filter(|e| matches!(e, SimEvent::Session(_))).count(), 1);

    let frames: Vec<&TelemetryFrame> =
        events.iter().filter_map(|e| if let SimEvent::Frame(f) = e { Some(&**f) } else { None }).collect();
    assert!(frames.len() > 1000);
    for received in &frames {
        let original = sent.iter().find(|f| f.session_time_ms as f32 as f64 == received.session_time_ms).unwrap();
        assert!((received.speed_kmh - original.speed_kmh).abs() <= 0.5);
        assert_eq!(received.gear, original.gear);
        assert_eq!(received.lap_number, original.lap_number);
        assert_eq!(received.current_lap_time_ms, original.current_lap_time_ms);
        assert_eq!(received.normalized_position, original.normalized_position.clamp(0.0, 1.0));
        let (got, want) = (received.world_position.unwrap(), original.world_position.unwrap());
        assert_eq!((got.x, got.y), (want.x, want.y));
        assert_eq!(received.yaw, original.yaw);
        assert_eq!((received.in_pit, received.lap_invalid), (original.in_pit, original.lap_invalid));
    }
    // The emulator's lap times are within a frame of the demo's exact ones.
    let last = frames.last().unwrap();
    let exact = driver.completed_lap_times_ms();
    assert!((last.last_lap_time_ms.unwrap() as f64 - exact[1]).abs() <= 17.0, "{last:?} vs {exact:?}");
    assert!((last.best_lap_time_ms.unwrap() as f64 - exact[0].min(exact[1])).abs() <= 17.0);

    // Unregistered, the emulator stops streaming.
    for datagram in client.shutdown() {
        assert!(emulator.receive(&datagram).is_empty());
    }
    assert!(!emulator.is_registered());
    assert!(emulator.frame(&driver.next_frame(), &meta).is_empty());
}

#[test]
fn emulator_refuses_a_wrong_password_or_protocol_version() {
    let mut emulator = Emulator::new().with_password("secret");
    let mut client = Client::new();
    exchange(&mut client, &mut emulator, 0);
    assert_eq!(client.registration_error(), Some("Wrong password"));
    let old = Request::Register {
        protocol_version: 3,
        display_name: String::new(),
        connection_password: "secret".to_string(),
        update_interval_ms: 50,
        command_password: String::new(),
    };
    let answer = Message::decode(&emulator.receive(&old.encode())[0]).unwrap();
    assert!(matches!(answer, Message::RegistrationResult(r) if !r.success && r.error_message.contains("version")));
    assert!(!emulator.is_registered());
}

#[test]
fn emulator_sends_the_session_update_every_n_frames() {
    let meta = demo_meta();
    let mut emulator = Emulator::new().with_realtime_every(3);
    let mut client = Client::new();
    let mut driver = DemoDriver::new(3);
    emulator.frame(&driver.next_frame(), &meta);
    exchange(&mut client, &mut emulator, 0);
    exchange(&mut client, &mut emulator, 10);
    let kinds: Vec<u8> = (0..6).flat_map(|_| emulator.frame(&driver.next_frame(), &meta)).map(|d| d[0]).collect();
    let (update, car) = (inbound::REALTIME_UPDATE, inbound::REALTIME_CAR_UPDATE);
    assert_eq!(kinds, vec![update, car, car, car, update, car, car, car]);
}

#[test]
fn shared_memory_round_trip_through_files() {
    let dir = tempfile::tempdir().unwrap();
    let meta = demo_meta();
    let mut driver = DemoDriver::new(11);
    let first = driver.next_frame();
    write_pages(dir.path(), &first, &meta).unwrap();
    let mut reader = SharedMemoryReader::open_dir(dir.path()).unwrap();
    assert_eq!(reader.paths().len(), 3);
    let events = reader.read_events_at(0).unwrap().unwrap();
    assert_eq!(events.len(), 2);
    let SimEvent::Session(read_meta) = &events[0] else { panic!("session first") };
    assert_eq!(read_meta, &meta);
    assert!(reader.read_at(5).unwrap().unwrap().is_none(), "no new physics step");

    for n in 1..120 {
        let original = driver.next_frame();
        write_pages(dir.path(), &original, &meta).unwrap();
        let snapshot = reader.read_at(n * 16).unwrap().unwrap().expect("a new step");
        let got = &snapshot.frame;
        assert_eq!(snapshot.physics_packet_id, original.seq as i32);
        assert_eq!(got.session_time_ms, (n * 16) as f64);
        let mut expected = original;
        expected.seq = 0;
        expected.captured_at_us = 0;
        expected.session_time_ms = got.session_time_ms;
        expected.normalized_position = expected.normalized_position.clamp(0.0, 1.0);
        expected.lap_distance_m = Some(expected.normalized_position * meta.track_length_m.unwrap());
        expected.max_rpm = expected.max_rpm.map(f32::round);
        expected.rpm = expected.rpm.round();
        let (got_kpa, want_kpa) = (got.tyre_pressure_kpa.unwrap(), expected.tyre_pressure_kpa.unwrap());
        assert!((got_kpa.fl - want_kpa.fl).abs() < 1e-3 && (got_kpa.rr - want_kpa.rr).abs() < 1e-3);
        expected.tyre_pressure_kpa = got.tyre_pressure_kpa;
        expected.clutch = expected.clutch.or(Some(0.0));
        assert_eq!(got, &expected);
    }
}

#[test]
fn shared_memory_events_end_when_the_game_goes_off() {
    let meta = demo_meta();
    let mut driver = DemoDriver::new(5);
    let mut decoder = PageDecoder::new();
    let (p, g, s) = encode_pages(&driver.next_frame(), &meta);
    assert!(matches!(decoder.events_at(&p, &g, &s, 0).unwrap().as_slice(), [SimEvent::Session(_), SimEvent::Frame(_)]));
    let (p, mut g, s) = encode_pages_with_id(&driver.next_frame(), &meta, 99);
    g[graphics::STATUS..graphics::STATUS + 4].copy_from_slice(&0i32.to_le_bytes());
    assert_eq!(decoder.events_at(&p, &g, &s, 16).unwrap(), vec![SimEvent::SessionEnded]);
    assert_eq!(decoder.events_at(&p, &g, &s, 32).unwrap(), vec![]);
}

#[test]
fn merge_takes_physics_and_the_clock_from_shared_memory_and_fills_gaps_from_broadcasting() {
    let meta = demo_meta();
    let mut driver = DemoDriver::new(2);
    let original = driver.next_frame();
    let (p, g, s) = encode_pages(&original, &meta);
    let (_, mut shared) = frame_from_pages(&p, &g, &s).unwrap();
    shared.world_position = None;
    let mut broadcast = client::frame_from_car_update(&car_update(7, 99, 0.3), Some(5000.0), 4321.0);
    broadcast.in_pit = true;
    let merged = merge(&shared, &broadcast);
    assert_eq!((merged.throttle, merged.rpm, merged.speed_kmh), (shared.throttle, shared.rpm, shared.speed_kmh));
    assert_eq!(merged.tyre_temp_c, shared.tyre_temp_c);
    assert_eq!(merged.session_time_ms, shared.session_time_ms);
    assert_eq!(merged.world_position, broadcast.world_position);
    assert_eq!(merged.normalized_position, shared.normalized_position);
    assert_eq!(merged.last_lap_time_ms, Some(111_000));
    assert!(merged.in_pit);
}

#[test]
fn car_table_names_known_models_and_numbers_the_rest() {
    assert!(cars::CAR_MODELS.len() >= 12);
    assert_eq!(cars::model_name(0), "Porsche 991 GT3 R");
    assert_eq!(cars::model_name(61), "Porsche 718 Cayman GT4 Clubsport");
    assert_eq!(cars::model_name(200), "car 200");
    assert_eq!(cars::model_type("ferrari 296 gt3"), Some(32));
    assert_eq!(cars::model_type("car 200"), Some(200));
    assert_eq!(cars::model_type("Demo GT"), None);
}

// ---------------------------------------------------------------------------
// Robustness

fn valid_messages() -> Vec<Vec<u8>> {
    vec![
        registration(true, "").encode(),
        Message::RealtimeUpdate(realtime(7, 1000.0)).encode(),
        Message::RealtimeCarUpdate(car_update(7, 100, 0.5)).encode(),
        hand_car_update(4, 1),
        entry_list(&[1, 2, 7]),
        entry_car(7, 30, "Ann", "Example"),
        track_data(),
    ]
}

fn valid_pages() -> [Vec<u8>; 3] {
    [hand_physics().finish(), hand_graphics().finish(), hand_static().finish()]
}

proptest! {
    #[test]
    fn arbitrary_datagrams_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Message::decode(&bytes);
        let _ = Request::decode(&bytes);
        let mut client = ready_client();
        send(&mut client, Message::RealtimeUpdate(realtime(7, 1.0)), 1);
        let _ = client.receive(&bytes, 2);
        let _ = Emulator::new().receive(&bytes);
    }

    #[test]
    fn truncated_and_flipped_messages_never_panic(
        which in 0usize..7,
        cut in any::<prop::sample::Index>(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
    ) {
        let message = &valid_messages()[which];
        let mut client = ready_client();
        send(&mut client, Message::RealtimeUpdate(realtime(7, 1.0)), 1);
        let truncated = &message[..cut.index(message.len())];
        prop_assert!(Message::decode(truncated).is_err());
        let _ = client.receive(truncated, 2);
        let mut flipped = message.clone();
        for (at, byte) in flips {
            let at = at.index(flipped.len());
            flipped[at] ^= byte;
        }
        let _ = client.receive(&flipped, 3);
    }

    #[test]
    fn arbitrary_pages_never_panic(
        physics_page in proptest::collection::vec(any::<u8>(), 0..900),
        graphics_page in proptest::collection::vec(any::<u8>(), 0..1700),
        static_page in proptest::collection::vec(any::<u8>(), 0..900),
    ) {
        let _ = frame_from_pages(&physics_page, &graphics_page, &static_page);
        let _ = PageDecoder::new().events_at(&physics_page, &graphics_page, &static_page, 0);
    }

    #[test]
    fn flipped_pages_never_panic_and_frames_stay_finite(
        page in 0usize..3,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut pages = valid_pages();
        for (at, byte) in flips {
            let at = at.index(pages[page].len());
            pages[page][at] ^= byte;
        }
        if let Ok((_, frame)) = frame_from_pages(&pages[0], &pages[1], &pages[2]) {
            for value in [frame.throttle, frame.brake, frame.steering, frame.speed_kmh, frame.rpm, frame.normalized_position] {
                prop_assert!(value.is_finite());
            }
            for value in [frame.g_lat, frame.g_lon, frame.g_vert, frame.yaw, frame.fuel_l, frame.clutch, frame.lap_distance_m].into_iter().flatten() {
                prop_assert!(value.is_finite());
            }
        }
        // Shorter than the smallest page the game writes.
        let min = [physics::SIZE, graphics::MIN_SIZE, statics::SIZE][page];
        pages[page].truncate(cut.index(min));
        prop_assert!(frame_from_pages(&pages[0], &pages[1], &pages[2]).is_err());
    }

    #[test]
    fn nan_filled_physics_is_rejected_or_sanitised(fill in prop_oneof![Just(f32::NAN), Just(f32::INFINITY), Just(f32::NEG_INFINITY)]) {
        let [_, g, s] = valid_pages();
        let mut p = Writer::zeroed(800);
        for offset in (4..800).step_by(4) {
            f(&mut p, offset, fill);
        }
        i(&mut p, 16, 3);
        i(&mut p, 20, 5000);
        prop_assert_eq!(frame_from_pages(&p.finish(), &g, &s).unwrap_err(), PacketError::NotFinite("speedKmh"));

        let mut p = hand_physics();
        for offset in (32..800).step_by(4) {
            f(&mut p, offset, fill);
        }
        let (_, frame) = frame_from_pages(&p.finish(), &g, &s).unwrap();
        prop_assert_eq!(frame.velocity, None);
        prop_assert_eq!(frame.tyre_temp_c, None);
        prop_assert_eq!(frame.g_lat, None);
        prop_assert_eq!(frame.clutch, None);
    }
}

#[test]
fn non_finite_broadcasting_floats_are_rejected() {
    let mut update = car_update(7, 100, 0.5);
    update.spline_position = f32::NAN;
    assert_eq!(
        Message::decode(&Message::RealtimeCarUpdate(update).encode()),
        Err(PacketError::NotFinite("splinePosition"))
    );
    assert_eq!(
        Message::decode(&Message::RealtimeUpdate(realtime(7, f32::INFINITY)).encode()),
        Err(PacketError::NotFinite("sessionTime"))
    );
}

#[test]
fn encoded_messages_decode_to_themselves() {
    let mut update = realtime(7, 1000.0);
    update.replay = Some(super::broadcasting::Replay { session_time_ms: 5.0, remaining_time_ms: 6.0 });
    update.clouds = 0.3;
    for message in [
        Message::RealtimeUpdate(update),
        Message::RealtimeCarUpdate(car_update(7, 100, 0.5)),
        Message::decode(&entry_car(7, 30, "Ann", "Example")).unwrap(),
        Message::decode(&track_data()).unwrap(),
    ] {
        assert_eq!(Message::decode(&message.encode()).unwrap(), message);
    }
    assert_eq!(CAR_INDEX, 7);
    assert!((KPA_PER_PSI - 6.894_757).abs() < 1e-6);
}
