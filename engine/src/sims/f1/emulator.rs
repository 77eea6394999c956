//! The game's side of the F1 25 UDP stream, for tests and demos: encodes the demo
//! driver's frames as the packets F1 25 would send for the player car.
//!
//! Per frame it sends Motion, Motion Ex, Lap Data, Car Status and then Car
//! Telemetry (last, so the client's frame, emitted on Car Telemetry, carries this
//! frame's status), preceded by a Session and a Participants packet on the first
//! frame and every [`SESSION_EVERY_FRAMES`] frames after. Packet format 2025, a
//! fixed session UID, the player in slot 0, the other 21 slots zero.
//!
//! The game's lap timing is derived from the frames: `m_currentLapNum` is
//! `lap_number + 1`; `m_lastLapTimeInMS` is the frame's `last_lap_time_ms` when
//! it has one, else computed when `lap_number` increments: the previous frame's
//! lap time plus the part of the frame interval before the line
//! (`prev.current + interval − new.current`).

use purplesector_proto::v1::{TelemetryFrame, Vec3, Wheels};

use super::client::{FUEL_DENSITY_KG_PER_L, KPA_PER_PSI};
use super::header::Header;
use super::layout::{
    car_status, car_telemetry, event, lap_data, motion, motion_ex, packet_id, participants, session, wheel, FORMAT_2025,
};
use super::tables;
use crate::sims::wire::Writer;
use crate::sims::{SessionMeta, SimEmulator};

/// The emulator's `m_sessionUID` unless told otherwise.
pub const EMULATOR_SESSION_UID: u64 = 0x5055_5250_4C45_2531;

/// Session and Participants packets are repeated every this many frames.
pub const SESSION_EVERY_FRAMES: u64 = 60;

/// Track length written when the meta has none, metres.
const DEFAULT_TRACK_LENGTH_M: f32 = 5000.0;

/// `m_teamId` written when the meta's car is not an F1 25 team: "F1 Generic".
const GENERIC_TEAM_ID: u8 = 41;

/// The F1 25 game side. See the module docs.
#[derive(Debug, Clone)]
pub struct Emulator {
    session_uid: u64,
    frames_sent: u64,
    frame_identifier: u32,
    /// (lap_number, current_lap_time_ms, session_time_ms) of the previous frame.
    previous: Option<(u32, u32, f64)>,
    last_lap_time_ms: u32,
    last_session_time_s: f32,
}

impl Default for Emulator {
    fn default() -> Self {
        Emulator::new()
    }
}

impl Emulator {
    /// An emulator with [`EMULATOR_SESSION_UID`].
    pub fn new() -> Self {
        Emulator::with_session_uid(EMULATOR_SESSION_UID)
    }

    /// An emulator whose packets carry `session_uid` (a new UID is a new session).
    pub fn with_session_uid(session_uid: u64) -> Self {
        Emulator {
            session_uid,
            frames_sent: 0,
            frame_identifier: 0,
            previous: None,
            last_lap_time_ms: 0,
            last_session_time_s: 0.0,
        }
    }

    /// The "SEND" (session ended) event packet the game sends when the session ends.
    pub fn session_ended(&self) -> Vec<u8> {
        self.event(event::SESSION_ENDED)
    }

    /// The "SSTA" (session started) event packet.
    pub fn session_started(&self) -> Vec<u8> {
        self.event(event::SESSION_STARTED)
    }

    fn event(&self, code: [u8; 4]) -> Vec<u8> {
        let mut packet = self.header(packet_id::EVENT, self.last_session_time_s).packet(event::SIZE);
        packet.put(event::STRING_CODE, &code);
        packet.finish()
    }

    fn header(&self, id: u8, session_time_s: f32) -> Header {
        Header {
            packet_format: FORMAT_2025,
            game_year: 25,
            game_major_version: 1,
            game_minor_version: 0,
            packet_version: 1,
            packet_id: id,
            session_uid: self.session_uid,
            session_time: session_time_s,
            frame_identifier: self.frame_identifier,
            overall_frame_identifier: self.frame_identifier,
            player_car_index: 0,
            secondary_player_car_index: 255,
        }
    }

    fn session(&self, time: f32, meta: &SessionMeta, track_length: u16) -> Vec<u8> {
        let mut packet = self.header(packet_id::SESSION, time).packet(session::SIZE);
        packet
            .put(session::WEATHER, &[0])
            .put(session::TRACK_TEMPERATURE, &30i8.to_le_bytes())
            .put(session::AIR_TEMPERATURE, &22i8.to_le_bytes())
            .put(session::TRACK_LENGTH, &track_length.to_le_bytes())
            .put(session::SESSION_TYPE, &[1]) // Practice 1
            .put(session::TRACK_ID, &tables::track_id(&meta.track).unwrap_or(-1).to_le_bytes())
            .put(session::SESSION_TIME_LEFT, &3600u16.to_le_bytes())
            .put(session::SESSION_DURATION, &3600u16.to_le_bytes())
            .put(session::PIT_SPEED_LIMIT, &[80]);
        packet.finish()
    }

    fn participants(&self, time: f32, meta: &SessionMeta) -> Vec<u8> {
        use participants::f1_25;
        let mut packet = self.header(packet_id::PARTICIPANTS, time).packet(f1_25::SIZE);
        let car = participants::CARS;
        packet
            .put(participants::NUM_ACTIVE_CARS, &[1])
            .put(car + participants::AI_CONTROLLED, &[0])
            .put(car + participants::DRIVER_ID, &[255])
            .put(car + participants::TEAM_ID, &[tables::team_id(&meta.car).unwrap_or(GENERIC_TEAM_ID)])
            .put(car + participants::RACE_NUMBER, &[1])
            .put_cstr(car + participants::NAME, f1_25::NAME_LEN, utf8_prefix(&meta.driver, f1_25::NAME_LEN - 1))
            .put(car + f1_25::YOUR_TELEMETRY, &[1])
            .put(car + f1_25::SHOW_ONLINE_NAMES, &[1])
            .put(car + f1_25::PLATFORM, &[255]);
        packet.finish()
    }

    fn motion(&self, time: f32, frame: &TelemetryFrame) -> Vec<u8> {
        let mut packet = self.header(packet_id::MOTION, time).packet(motion::SIZE);
        let car = motion::CARS;
        let yaw = frame.yaw.unwrap_or(0.0);
        // Heading and right-hand unit vectors from the yaw, in the frame's own
        // axes (positions pass through unchanged), scaled to i16.
        let unit = |v: f32| ((v * 32767.0).round() as i16).to_le_bytes();
        put_vec3(&mut packet, car + motion::WORLD_POSITION_X, frame.world_position.as_ref());
        put_vec3(&mut packet, car + motion::WORLD_VELOCITY_X, frame.velocity.as_ref());
        packet
            .put(car + motion::WORLD_FORWARD_DIR_X, &unit(yaw.cos()))
            .put(car + motion::WORLD_FORWARD_DIR_X + 2, &unit(yaw.sin()))
            .put(car + motion::WORLD_RIGHT_DIR_X, &unit(yaw.sin()))
            .put(car + motion::WORLD_RIGHT_DIR_X + 2, &unit(-yaw.cos()))
            .put(car + motion::G_FORCE_LATERAL, &frame.g_lat.unwrap_or(0.0).to_le_bytes())
            .put(car + motion::G_FORCE_LONGITUDINAL, &frame.g_lon.unwrap_or(0.0).to_le_bytes())
            .put(car + motion::G_FORCE_VERTICAL, &frame.g_vert.unwrap_or(1.0).to_le_bytes())
            .put(car + motion::YAW, &yaw.to_le_bytes());
        packet.finish()
    }

    fn motion_ex(&self, time: f32, frame: &TelemetryFrame) -> Vec<u8> {
        let mut packet = self.header(packet_id::MOTION_EX, time).packet(motion_ex::SIZE_2025);
        let wheel_speed = frame.speed_kmh / 3.6;
        put_wheels_f32(
            &mut packet,
            motion_ex::WHEEL_SPEED,
            &Wheels { fl: wheel_speed, fr: wheel_speed, rl: wheel_speed, rr: wheel_speed },
        );
        if let Some(slip) = &frame.wheel_slip {
            put_wheels_f32(&mut packet, motion_ex::WHEEL_SLIP_RATIO, slip);
        }
        packet.finish()
    }

    fn lap_data(&self, time: f32, frame: &TelemetryFrame, track_length: f32) -> Vec<u8> {
        let mut packet = self.header(packet_id::LAP_DATA, time).packet(lap_data::SIZE);
        let car = lap_data::CARS;
        let distance = frame.lap_distance_m.unwrap_or(frame.normalized_position * track_length);
        let total = frame.lap_number as f32 * track_length + distance;
        let sector = ((frame.normalized_position * 3.0) as u8).min(2);
        let (pit_status, driver_status) = if frame.in_pit { (2, 4) } else { (0, 1) };
        packet
            .put(car + lap_data::LAST_LAP_TIME_MS, &self.last_lap_time_ms.to_le_bytes())
            .put(car + lap_data::CURRENT_LAP_TIME_MS, &frame.current_lap_time_ms.to_le_bytes())
            .put(car + lap_data::LAP_DISTANCE, &distance.to_le_bytes())
            .put(car + lap_data::TOTAL_DISTANCE, &total.to_le_bytes())
            .put(car + lap_data::CAR_POSITION, &[1])
            .put(car + lap_data::CURRENT_LAP_NUM, &[frame.lap_number.saturating_add(1).min(255) as u8])
            .put(car + lap_data::PIT_STATUS, &[pit_status])
            .put(car + lap_data::SECTOR, &[sector])
            .put(car + lap_data::CURRENT_LAP_INVALID, &[u8::from(frame.lap_invalid)])
            .put(car + lap_data::GRID_POSITION, &[1])
            .put(car + lap_data::DRIVER_STATUS, &[driver_status])
            .put(car + lap_data::RESULT_STATUS, &[2])
            .put(car + lap_data::SPEED_TRAP_FASTEST_LAP, &[255])
            .put(lap_data::TIME_TRIAL_PB_CAR_IDX, &[255])
            .put(lap_data::TIME_TRIAL_RIVAL_CAR_IDX, &[255]);
        packet.finish()
    }

    fn car_status(&self, time: f32, frame: &TelemetryFrame) -> Vec<u8> {
        let mut packet = self.header(packet_id::CAR_STATUS, time).packet(car_status::SIZE);
        let car = car_status::CARS;
        let fuel_kg = frame.fuel_l.unwrap_or(0.0) * FUEL_DENSITY_KG_PER_L;
        let max_rpm = frame.max_rpm.map_or(0, |rpm| rpm.round().clamp(0.0, 65535.0) as u16);
        packet
            .put(car + car_status::FUEL_MIX, &[1])
            .put(car + car_status::FRONT_BRAKE_BIAS, &[56])
            .put(car + car_status::PIT_LIMITER_STATUS, &[u8::from(frame.in_pit)])
            .put(car + car_status::FUEL_IN_TANK, &fuel_kg.to_le_bytes())
            .put(car + car_status::FUEL_CAPACITY, &110f32.to_le_bytes())
            .put(car + car_status::MAX_RPM, &max_rpm.to_le_bytes())
            .put(car + car_status::IDLE_RPM, &(max_rpm / 3).to_le_bytes())
            .put(car + car_status::MAX_GEARS, &[8])
            .put(car + car_status::VISUAL_TYRE_COMPOUND, &[16])
            .put(car + car_status::ACTUAL_TYRE_COMPOUND, &[18]);
        packet.finish()
    }

    fn car_telemetry(&self, time: f32, frame: &TelemetryFrame) -> Vec<u8> {
        let mut packet = self.header(packet_id::CAR_TELEMETRY, time).packet(car_telemetry::SIZE);
        let car = car_telemetry::CARS;
        let rpm = frame.rpm.round().clamp(0.0, 65535.0) as u16;
        let rev_percent =
            frame.max_rpm.filter(|max| *max > 0.0).map_or(0, |max| (frame.rpm / max * 100.0).clamp(0.0, 100.0) as u8);
        packet
            .put(car + car_telemetry::SPEED, &(frame.speed_kmh.round().clamp(0.0, 65535.0) as u16).to_le_bytes())
            .put(car + car_telemetry::THROTTLE, &frame.throttle.to_le_bytes())
            .put(car + car_telemetry::STEER, &frame.steering.to_le_bytes())
            .put(car + car_telemetry::BRAKE, &frame.brake.to_le_bytes())
            .put(car + car_telemetry::CLUTCH, &[(frame.clutch.unwrap_or(0.0) * 100.0).round().clamp(0.0, 100.0) as u8])
            .put(car + car_telemetry::GEAR, &(frame.gear.clamp(-1, 8) as i8).to_le_bytes())
            .put(car + car_telemetry::ENGINE_RPM, &rpm.to_le_bytes())
            .put(car + car_telemetry::REV_LIGHTS_PERCENT, &[rev_percent])
            .put(car + car_telemetry::ENGINE_TEMPERATURE, &100u16.to_le_bytes())
            .put(car_telemetry::MFD_PANEL_INDEX, &[255])
            .put(car_telemetry::MFD_PANEL_INDEX_SECONDARY_PLAYER, &[255]);
        if let Some(brakes) = &frame.brake_temp_c {
            for (i, value) in game_order(brakes).into_iter().enumerate() {
                let value = value.round().clamp(0.0, 65535.0) as u16;
                packet.put(car + car_telemetry::BRAKES_TEMPERATURE + 2 * i, &value.to_le_bytes());
            }
        }
        if let Some(tyres) = &frame.tyre_temp_c {
            let bytes = game_order(tyres).map(|t| t.round().clamp(0.0, 255.0) as u8);
            packet.put(car + car_telemetry::TYRES_SURFACE_TEMPERATURE, &bytes);
            packet.put(car + car_telemetry::TYRES_INNER_TEMPERATURE, &bytes);
        }
        if let Some(pressure) = &frame.tyre_pressure_kpa {
            let psi = Wheels {
                fl: pressure.fl / KPA_PER_PSI,
                fr: pressure.fr / KPA_PER_PSI,
                rl: pressure.rl / KPA_PER_PSI,
                rr: pressure.rr / KPA_PER_PSI,
            };
            put_wheels_f32(&mut packet, car + car_telemetry::TYRES_PRESSURE, &psi);
        }
        packet.finish()
    }
}

impl SimEmulator for Emulator {
    /// Nothing to answer: the game streams without a handshake.
    fn receive(&mut self, _datagram: &[u8]) -> Vec<Vec<u8>> {
        Vec::new()
    }

    fn frame(&mut self, frame: &TelemetryFrame, meta: &SessionMeta) -> Vec<Vec<u8>> {
        let time = (frame.session_time_ms / 1000.0) as f32;
        if let Some(last) = frame.last_lap_time_ms {
            self.last_lap_time_ms = last;
        } else if let Some((lap, current, at)) = self.previous {
            if frame.lap_number > lap {
                let interval = (frame.session_time_ms - at).max(0.0);
                let last = f64::from(current) + interval - f64::from(frame.current_lap_time_ms);
                self.last_lap_time_ms = last.round().max(0.0) as u32;
            }
        }
        self.previous = Some((frame.lap_number, frame.current_lap_time_ms, frame.session_time_ms));
        self.last_session_time_s = time;

        let track_length = meta.track_length_m.filter(|l| l.is_finite() && *l >= 1.0).unwrap_or(DEFAULT_TRACK_LENGTH_M);
        let track_length_u16 = track_length.round().min(65535.0) as u16;
        let mut packets = Vec::with_capacity(7);
        if self.frames_sent.is_multiple_of(SESSION_EVERY_FRAMES) {
            packets.push(self.session(time, meta, track_length_u16));
            packets.push(self.participants(time, meta));
        }
        packets.push(self.motion(time, frame));
        packets.push(self.motion_ex(time, frame));
        packets.push(self.lap_data(time, frame, track_length));
        packets.push(self.car_status(time, frame));
        packets.push(self.car_telemetry(time, frame));
        self.frames_sent += 1;
        self.frame_identifier = self.frame_identifier.wrapping_add(1);
        packets
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
fn utf8_prefix(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `wheels` in the game's RL, RR, FL, FR order.
fn game_order(wheels: &Wheels) -> [f32; 4] {
    let mut out = [0.0; 4];
    out[wheel::FL] = wheels.fl;
    out[wheel::FR] = wheels.fr;
    out[wheel::RL] = wheels.rl;
    out[wheel::RR] = wheels.rr;
    out
}

fn put_wheels_f32(packet: &mut Writer, offset: usize, wheels: &Wheels) {
    for (i, value) in game_order(wheels).into_iter().enumerate() {
        packet.put(offset + 4 * i, &value.to_le_bytes());
    }
}

fn put_vec3(packet: &mut Writer, offset: usize, value: Option<&Vec3>) {
    if let Some(v) = value {
        packet.put(offset, &v.x.to_le_bytes()).put(offset + 4, &v.y.to_le_bytes()).put(offset + 8, &v.z.to_le_bytes());
    }
}
