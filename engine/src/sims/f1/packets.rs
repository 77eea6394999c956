//! Parsers for the F1 packets that carry the player car's telemetry and the
//! session's metadata, each reading only the player's record at the offsets of
//! [`super::layout`].
//!
//! Every packet's total size is checked against the specification before any
//! field is read, so a datagram of another game year (or a corrupted one) is a
//! [`PacketError::Size`] rather than misread numbers. Essential values (pedals,
//! steering, gear, positions, lap distance) must be finite and in range;
//! non-finite values in secondary channels drop that channel to `None`.

use super::header::Header;
use super::layout::{
    car_status, car_telemetry, event, lap_data, motion, motion_ex, packet_id, participants, session, FORMAT_2024,
    MAX_CARS,
};
use crate::sims::wire::Reader;
use crate::sims::PacketError;

/// One decoded datagram: what the rest of the packet said about the player car.
#[derive(Debug, Clone, PartialEq)]
pub enum Packet {
    Motion(CarMotion),
    Session(Session),
    LapData(Lap),
    /// An event's `m_eventStringCode` ("SSTA", "SEND", ...).
    Event([u8; 4]),
    Participants(Participant),
    CarTelemetry(CarTelemetry),
    CarStatus(CarStatus),
    MotionEx(MotionEx),
    /// A packet this module does not use (car setups, final classification,
    /// lobby info, car damage, session history, tyre sets, time trial, lap
    /// positions): counted as ignored, not as an error.
    Ignored,
}

/// The player car's `CarMotionData`.
#[derive(Debug, Clone, PartialEq)]
pub struct CarMotion {
    /// World position x, y, z in metres.
    pub position: [f32; 3],
    /// World velocity x, y, z in m/s.
    pub velocity: Option<[f32; 3]>,
    pub g_lat: Option<f32>,
    pub g_lon: Option<f32>,
    pub g_vert: Option<f32>,
    /// Radians.
    pub yaw: Option<f32>,
}

/// The fields of `PacketSessionData` the collector needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub track_id: i8,
    /// Metres; `None` when the game reports 0.
    pub track_length_m: Option<u16>,
    pub session_type: u8,
    pub total_laps: u8,
}

/// The player car's `LapData`.
#[derive(Debug, Clone, PartialEq)]
pub struct Lap {
    pub last_lap_time_ms: u32,
    pub current_lap_time_ms: u32,
    /// Metres into the lap; negative before the line is first crossed.
    pub lap_distance: f32,
    /// 1-based.
    pub current_lap_num: u8,
    /// 0 none, 1 pitting, 2 in pit area.
    pub pit_status: u8,
    pub sector: u8,
    pub current_lap_invalid: bool,
    /// 0 in garage, 1 flying lap, 2 in lap, 3 out lap, 4 on track.
    pub driver_status: u8,
    pub result_status: u8,
}

/// The player car's `ParticipantData`.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    pub num_active_cars: u8,
    pub team_id: u8,
    pub ai_controlled: bool,
    /// `m_name`, UTF-8 (Latin-1 where invalid), trimmed.
    pub name: String,
}

/// The player car's `CarTelemetryData`. Per-wheel arrays keep the game's
/// RL, RR, FL, FR order.
#[derive(Debug, Clone, PartialEq)]
pub struct CarTelemetry {
    pub speed_kmh: u16,
    pub throttle: f32,
    pub steer: f32,
    pub brake: f32,
    /// 0..100.
    pub clutch: u8,
    pub gear: i8,
    pub engine_rpm: u16,
    pub brakes_temperature: [u16; 4],
    pub tyres_surface_temperature: [u8; 4],
    pub tyres_inner_temperature: [u8; 4],
    pub engine_temperature: u16,
    /// PSI; `None` when any wheel's value is not finite.
    pub tyres_pressure_psi: Option<[f32; 4]>,
}

/// The player car's `CarStatusData` fields the frame uses.
#[derive(Debug, Clone, PartialEq)]
pub struct CarStatus {
    /// `m_fuelInTank`, a mass in kg; `None` when not finite or negative.
    pub fuel_in_tank_kg: Option<f32>,
    /// `m_maxRPM`, the rev limiter; `None` when 0.
    pub max_rpm: Option<u16>,
}

/// The `PacketMotionExData` fields the frame uses (player car only).
#[derive(Debug, Clone, PartialEq)]
pub struct MotionEx {
    /// `m_wheelSlipRatio`, RL, RR, FL, FR; `None` when not finite.
    pub wheel_slip_ratio: Option<[f32; 4]>,
}

/// Parses one datagram: its header, then the packet its id names.
pub fn parse(datagram: &[u8]) -> Result<(Header, Packet), PacketError> {
    let header = Header::parse(datagram)?;
    let packet = match header.packet_id {
        packet_id::MOTION => Packet::Motion(parse_motion(datagram, &header)?),
        packet_id::SESSION => Packet::Session(parse_session(datagram)?),
        packet_id::LAP_DATA => Packet::LapData(parse_lap_data(datagram, &header)?),
        packet_id::EVENT => Packet::Event(parse_event(datagram)?),
        packet_id::PARTICIPANTS => Packet::Participants(parse_participants(datagram, &header)?),
        packet_id::CAR_TELEMETRY => Packet::CarTelemetry(parse_car_telemetry(datagram, &header)?),
        packet_id::CAR_STATUS => Packet::CarStatus(parse_car_status(datagram, &header)?),
        packet_id::MOTION_EX => Packet::MotionEx(parse_motion_ex(datagram, &header)?),
        _ => Packet::Ignored,
    };
    Ok((header, packet))
}

/// The player's index, which must address one of the 22 slots.
fn player_index(header: &Header) -> Result<usize, PacketError> {
    let index = header.player_car_index as usize;
    if index >= MAX_CARS {
        return Err(PacketError::OutOfRange("playerCarIndex"));
    }
    Ok(index)
}

fn finite(value: f32, field: &'static str) -> Result<f32, PacketError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(PacketError::NotFinite(field))
    }
}

/// `Some(value)` when finite, for secondary channels.
fn optional(value: f32) -> Option<f32> {
    value.is_finite().then_some(value)
}

fn optional3(values: [f32; 3]) -> Option<[f32; 3]> {
    values.iter().all(|v| v.is_finite()).then_some(values)
}

fn optional4(values: [f32; 4]) -> Option<[f32; 4]> {
    values.iter().all(|v| v.is_finite()).then_some(values)
}

fn f32x3(reader: &Reader, offset: usize) -> Result<[f32; 3], PacketError> {
    Ok([reader.f32(offset)?, reader.f32(offset + 4)?, reader.f32(offset + 8)?])
}

fn u8x4(reader: &Reader, offset: usize) -> Result<[u8; 4], PacketError> {
    let bytes = reader.slice(offset, 4)?;
    Ok([bytes[0], bytes[1], bytes[2], bytes[3]])
}

fn u16x4(reader: &Reader, offset: usize) -> Result<[u16; 4], PacketError> {
    Ok([reader.u16(offset)?, reader.u16(offset + 2)?, reader.u16(offset + 4)?, reader.u16(offset + 6)?])
}

fn parse_motion(datagram: &[u8], header: &Header) -> Result<CarMotion, PacketError> {
    let reader = Reader::exact(datagram, motion::SIZE, "F1 motion packet")?;
    let car = motion::CARS + player_index(header)? * motion::STRIDE;
    let position = f32x3(&reader, car + motion::WORLD_POSITION_X)?;
    if !position.iter().all(|v| v.is_finite()) {
        return Err(PacketError::NotFinite("worldPosition"));
    }
    Ok(CarMotion {
        position,
        velocity: optional3(f32x3(&reader, car + motion::WORLD_VELOCITY_X)?),
        g_lat: optional(reader.f32(car + motion::G_FORCE_LATERAL)?),
        g_lon: optional(reader.f32(car + motion::G_FORCE_LONGITUDINAL)?),
        g_vert: optional(reader.f32(car + motion::G_FORCE_VERTICAL)?),
        yaw: optional(reader.f32(car + motion::YAW)?),
    })
}

fn parse_session(datagram: &[u8]) -> Result<Session, PacketError> {
    let reader = Reader::exact(datagram, session::SIZE, "F1 session packet")?;
    let track_length = reader.u16(session::TRACK_LENGTH)?;
    Ok(Session {
        track_id: reader.i8(session::TRACK_ID)?,
        track_length_m: (track_length > 0).then_some(track_length),
        session_type: reader.u8(session::SESSION_TYPE)?,
        total_laps: reader.u8(session::TOTAL_LAPS)?,
    })
}

fn parse_lap_data(datagram: &[u8], header: &Header) -> Result<Lap, PacketError> {
    let reader = Reader::exact(datagram, lap_data::SIZE, "F1 lap data packet")?;
    let car = lap_data::CARS + player_index(header)? * lap_data::STRIDE;
    Ok(Lap {
        last_lap_time_ms: reader.u32(car + lap_data::LAST_LAP_TIME_MS)?,
        current_lap_time_ms: reader.u32(car + lap_data::CURRENT_LAP_TIME_MS)?,
        lap_distance: finite(reader.f32(car + lap_data::LAP_DISTANCE)?, "lapDistance")?,
        current_lap_num: reader.u8(car + lap_data::CURRENT_LAP_NUM)?,
        pit_status: reader.u8(car + lap_data::PIT_STATUS)?,
        sector: reader.u8(car + lap_data::SECTOR)?,
        current_lap_invalid: reader.u8(car + lap_data::CURRENT_LAP_INVALID)? != 0,
        driver_status: reader.u8(car + lap_data::DRIVER_STATUS)?,
        result_status: reader.u8(car + lap_data::RESULT_STATUS)?,
    })
}

fn parse_event(datagram: &[u8]) -> Result<[u8; 4], PacketError> {
    let reader = Reader::exact(datagram, event::SIZE, "F1 event packet")?;
    u8x4(&reader, event::STRING_CODE)
}

fn parse_participants(datagram: &[u8], header: &Header) -> Result<Participant, PacketError> {
    let (size, stride, name_len) = if header.packet_format == FORMAT_2024 {
        (participants::f1_24::SIZE, participants::f1_24::STRIDE, participants::f1_24::NAME_LEN)
    } else {
        (participants::f1_25::SIZE, participants::f1_25::STRIDE, participants::f1_25::NAME_LEN)
    };
    let reader = Reader::exact(datagram, size, "F1 participants packet")?;
    let num_active_cars = reader.u8(participants::NUM_ACTIVE_CARS)?;
    if num_active_cars as usize > MAX_CARS {
        return Err(PacketError::OutOfRange("numActiveCars"));
    }
    let car = participants::CARS + player_index(header)? * stride;
    Ok(Participant {
        num_active_cars,
        team_id: reader.u8(car + participants::TEAM_ID)?,
        ai_controlled: reader.u8(car + participants::AI_CONTROLLED)? != 0,
        name: reader.cstr(car + participants::NAME, name_len)?.trim().to_string(),
    })
}

fn parse_car_telemetry(datagram: &[u8], header: &Header) -> Result<CarTelemetry, PacketError> {
    let reader = Reader::exact(datagram, car_telemetry::SIZE, "F1 car telemetry packet")?;
    let car = car_telemetry::CARS + player_index(header)? * car_telemetry::STRIDE;
    let gear = reader.i8(car + car_telemetry::GEAR)?;
    if !(-1..=8).contains(&gear) {
        return Err(PacketError::OutOfRange("gear"));
    }
    Ok(CarTelemetry {
        speed_kmh: reader.u16(car + car_telemetry::SPEED)?,
        throttle: finite(reader.f32(car + car_telemetry::THROTTLE)?, "throttle")?,
        steer: finite(reader.f32(car + car_telemetry::STEER)?, "steer")?,
        brake: finite(reader.f32(car + car_telemetry::BRAKE)?, "brake")?,
        clutch: reader.u8(car + car_telemetry::CLUTCH)?,
        gear,
        engine_rpm: reader.u16(car + car_telemetry::ENGINE_RPM)?,
        brakes_temperature: u16x4(&reader, car + car_telemetry::BRAKES_TEMPERATURE)?,
        tyres_surface_temperature: u8x4(&reader, car + car_telemetry::TYRES_SURFACE_TEMPERATURE)?,
        tyres_inner_temperature: u8x4(&reader, car + car_telemetry::TYRES_INNER_TEMPERATURE)?,
        engine_temperature: reader.u16(car + car_telemetry::ENGINE_TEMPERATURE)?,
        tyres_pressure_psi: optional4(reader.f32x4(car + car_telemetry::TYRES_PRESSURE)?),
    })
}

fn parse_car_status(datagram: &[u8], header: &Header) -> Result<CarStatus, PacketError> {
    let reader = Reader::exact(datagram, car_status::SIZE, "F1 car status packet")?;
    let car = car_status::CARS + player_index(header)? * car_status::STRIDE;
    let fuel = reader.f32(car + car_status::FUEL_IN_TANK)?;
    let max_rpm = reader.u16(car + car_status::MAX_RPM)?;
    Ok(CarStatus {
        fuel_in_tank_kg: (fuel.is_finite() && fuel >= 0.0).then_some(fuel),
        max_rpm: (max_rpm > 0).then_some(max_rpm),
    })
}

fn parse_motion_ex(datagram: &[u8], header: &Header) -> Result<MotionEx, PacketError> {
    let size = if header.packet_format == FORMAT_2024 { motion_ex::SIZE_2024 } else { motion_ex::SIZE_2025 };
    let reader = Reader::exact(datagram, size, "F1 motion ex packet")?;
    Ok(MotionEx { wheel_slip_ratio: optional4(reader.f32x4(motion_ex::WHEEL_SLIP_RATIO)?) })
}
