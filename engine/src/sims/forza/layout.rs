//! The byte layout of Forza's "Data Out" packets, and their decoding and encoding.
//!
//! One packet is one UDP datagram; the four variants are told apart by their size
//! alone (there is no header). Offsets are those of Turn 10's "Forza Motorsport Data
//! Out Documentation", cross-checked against `geeooff/forza-data-web`
//! (`Core/ForzaDataReader*.cs`); the Horizon and Motorsport (2023) tails are
//! described in [`super`].

use crate::sims::wire::{Reader, Writer};
use crate::sims::PacketError;

/// Which of the game's packet layouts a datagram uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// 232 bytes: motion data only (FM7 and FM 2023 "Sled").
    Sled,
    /// 311 bytes: Sled followed by the dashboard block (FM7 "Car Dash").
    Dash,
    /// 324 bytes: Forza Horizon 4/5, Sled + 12 undocumented bytes + Dash block + 1 byte.
    Horizon,
    /// 331 bytes: Forza Motorsport (2023) "Dash", Dash + tyre wear + track ordinal.
    Motorsport2023,
}

impl Format {
    /// The datagram size of this layout.
    pub const fn size(self) -> usize {
        match self {
            Format::Sled => SLED_SIZE,
            Format::Dash => DASH_SIZE,
            Format::Horizon => HORIZON_SIZE,
            Format::Motorsport2023 => MOTORSPORT_2023_SIZE,
        }
    }

    /// The layout of a datagram of `size` bytes, if it is one of the game's.
    pub const fn from_size(size: usize) -> Option<Format> {
        match size {
            SLED_SIZE => Some(Format::Sled),
            DASH_SIZE => Some(Format::Dash),
            HORIZON_SIZE => Some(Format::Horizon),
            MOTORSPORT_2023_SIZE => Some(Format::Motorsport2023),
            _ => None,
        }
    }

    /// Where the dashboard block starts, for layouts that have one.
    pub const fn dash_base(self) -> Option<usize> {
        match self {
            Format::Sled => None,
            Format::Dash | Format::Motorsport2023 => Some(SLED_SIZE),
            Format::Horizon => Some(SLED_SIZE + HORIZON_EXTRA_LEN),
        }
    }
}

/// Size of the Sled packet.
pub const SLED_SIZE: usize = 232;
/// Size of the Dash block that follows Sled.
pub const DASH_BLOCK_LEN: usize = 79;
/// Size of the FM7 / FM 2023 "Car Dash" packet without the 2023 tail.
pub const DASH_SIZE: usize = SLED_SIZE + DASH_BLOCK_LEN;
/// Undocumented bytes Forza Horizon inserts between Sled and Dash.
pub const HORIZON_EXTRA_LEN: usize = 12;
/// Size of the Forza Horizon 4/5 packet (one undocumented byte trails the Dash block).
pub const HORIZON_SIZE: usize = DASH_SIZE + HORIZON_EXTRA_LEN + 1;
/// Size of the Forza Motorsport (2023) Dash packet.
pub const MOTORSPORT_2023_SIZE: usize = DASH_SIZE + 20;

/// Offsets of the Sled block (every layout starts with it).
pub mod sled {
    pub const IS_RACE_ON: usize = 0; // s32
    pub const TIMESTAMP_MS: usize = 4; // u32
    pub const ENGINE_MAX_RPM: usize = 8; // f32
    pub const ENGINE_IDLE_RPM: usize = 12; // f32
    pub const CURRENT_ENGINE_RPM: usize = 16; // f32
    /// f32 x3, car-local m/s²: x right, y up, z forward.
    pub const ACCELERATION: usize = 20;
    /// f32 x3, car-local m/s: x right, y up, z forward.
    pub const VELOCITY: usize = 32;
    /// f32 x3, car-local rad/s: x pitch, y yaw, z roll.
    pub const ANGULAR_VELOCITY: usize = 44;
    pub const YAW: usize = 56; // f32 rad
    pub const PITCH: usize = 60; // f32 rad
    pub const ROLL: usize = 64; // f32 rad
    /// f32 x4 (FL FR RL RR from here on): 0 = max stretch, 1 = max compression.
    pub const NORMALIZED_SUSPENSION_TRAVEL: usize = 68;
    pub const TIRE_SLIP_RATIO: usize = 84; // f32 x4
    pub const WHEEL_ROTATION_SPEED: usize = 100; // f32 x4 rad/s
    pub const WHEEL_ON_RUMBLE_STRIP: usize = 116; // s32 x4
    pub const WHEEL_IN_PUDDLE_DEPTH: usize = 132; // f32 x4
    pub const SURFACE_RUMBLE: usize = 148; // f32 x4
    pub const TIRE_SLIP_ANGLE: usize = 164; // f32 x4
    pub const TIRE_COMBINED_SLIP: usize = 180; // f32 x4
    pub const SUSPENSION_TRAVEL_METERS: usize = 196; // f32 x4
    pub const CAR_ORDINAL: usize = 212; // s32
    pub const CAR_CLASS: usize = 216; // s32
    pub const CAR_PERFORMANCE_INDEX: usize = 220; // s32
    pub const DRIVETRAIN_TYPE: usize = 224; // s32
    pub const NUM_CYLINDERS: usize = 228; // s32
}

/// Offsets within the Dash block, relative to [`Format::dash_base`] (232 for FM,
/// 244 for Horizon).
pub mod dash {
    pub const POSITION: usize = 0; // f32 x3, world metres
    pub const SPEED: usize = 12; // f32 m/s
    pub const POWER: usize = 16; // f32 W
    pub const TORQUE: usize = 20; // f32 N·m
    pub const TIRE_TEMP: usize = 24; // f32 x4 °F
    pub const BOOST: usize = 40; // f32 psi
    pub const FUEL: usize = 44; // f32 0..1
    pub const DISTANCE_TRAVELED: usize = 48; // f32 m
    pub const BEST_LAP: usize = 52; // f32 s
    pub const LAST_LAP: usize = 56; // f32 s
    pub const CURRENT_LAP: usize = 60; // f32 s
    pub const CURRENT_RACE_TIME: usize = 64; // f32 s
    pub const LAP_NUMBER: usize = 68; // u16
    pub const RACE_POSITION: usize = 70; // u8
    pub const ACCEL: usize = 71; // u8 0..255
    pub const BRAKE: usize = 72; // u8 0..255
    pub const CLUTCH: usize = 73; // u8 0..255
    pub const HAND_BRAKE: usize = 74; // u8 0..255
    pub const GEAR: usize = 75; // u8: 0 reverse, 1..10 forward, 11 neutral
    pub const STEER: usize = 76; // s8 -127..127
    pub const NORMALIZED_DRIVING_LINE: usize = 77; // s8
    pub const NORMALIZED_AI_BRAKE_DIFFERENCE: usize = 78; // s8
}

/// Offsets of the Forza Motorsport (2023) tail, absolute.
pub mod motorsport_2023 {
    pub const TIRE_WEAR: usize = 311; // f32 x4, 0..1
    pub const TRACK_ORDINAL: usize = 327; // s32
}

/// The Gear byte's value for neutral (0 is reverse, 1..=10 the forward gears).
pub const GEAR_NEUTRAL: u8 = 11;

/// The Sled block, in the game's units.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sled {
    pub is_race_on: bool,
    pub timestamp_ms: u32,
    pub engine_max_rpm: f32,
    pub engine_idle_rpm: f32,
    pub current_engine_rpm: f32,
    pub acceleration: [f32; 3],
    pub velocity: [f32; 3],
    pub angular_velocity: [f32; 3],
    pub yaw: f32,
    pub pitch: f32,
    pub roll: f32,
    pub normalized_suspension_travel: [f32; 4],
    pub tire_slip_ratio: [f32; 4],
    pub wheel_rotation_speed: [f32; 4],
    pub wheel_on_rumble_strip: [i32; 4],
    pub wheel_in_puddle_depth: [f32; 4],
    pub surface_rumble: [f32; 4],
    pub tire_slip_angle: [f32; 4],
    pub tire_combined_slip: [f32; 4],
    pub suspension_travel_meters: [f32; 4],
    pub car_ordinal: i32,
    pub car_class: i32,
    pub car_performance_index: i32,
    pub drivetrain_type: i32,
    pub num_cylinders: i32,
}

/// The Dash block, in the game's units.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dash {
    pub position: [f32; 3],
    pub speed: f32,
    pub power: f32,
    pub torque: f32,
    pub tire_temp_f: [f32; 4],
    pub boost: f32,
    pub fuel: f32,
    pub distance_traveled: f32,
    pub best_lap: f32,
    pub last_lap: f32,
    pub current_lap: f32,
    pub current_race_time: f32,
    pub lap_number: u16,
    pub race_position: u8,
    pub accel: u8,
    pub brake: u8,
    pub clutch: u8,
    pub hand_brake: u8,
    pub gear: u8,
    pub steer: i8,
    pub normalized_driving_line: i8,
    pub normalized_ai_brake_difference: i8,
}

/// The Forza Motorsport (2023) tail.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Motorsport2023 {
    pub tire_wear: [f32; 4],
    pub track_ordinal: i32,
}

/// One decoded datagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Packet {
    pub format: Format,
    pub sled: Sled,
    /// Present for every layout but Sled.
    pub dash: Option<Dash>,
    /// Present for the Motorsport (2023) layout only.
    pub motorsport_2023: Option<Motorsport2023>,
}

const WHAT: &str = "forza data out";

fn f32x3(reader: &Reader, offset: usize) -> Result<[f32; 3], PacketError> {
    Ok([reader.f32(offset)?, reader.f32(offset + 4)?, reader.f32(offset + 8)?])
}

fn i32x4(reader: &Reader, offset: usize) -> Result<[i32; 4], PacketError> {
    Ok([reader.i32(offset)?, reader.i32(offset + 4)?, reader.i32(offset + 8)?, reader.i32(offset + 12)?])
}

impl Packet {
    /// Decodes a datagram. Fails on a size that is none of the game's layouts, on an
    /// `IsRaceOn` other than 0/1 and on a gear byte above neutral; floats are
    /// returned as sent (the client decides which must be finite).
    pub fn parse(bytes: &[u8]) -> Result<Packet, PacketError> {
        let format = Format::from_size(bytes.len()).ok_or(PacketError::Size {
            what: WHAT,
            expected: DASH_SIZE,
            got: bytes.len(),
        })?;
        let reader = Reader::exact(bytes, format.size(), WHAT)?;
        let sled = parse_sled(&reader)?;
        let dash = format.dash_base().map(|base| parse_dash(&reader, base)).transpose()?;
        let motorsport_2023 = match format {
            Format::Motorsport2023 => Some(Motorsport2023 {
                tire_wear: reader.f32x4(motorsport_2023::TIRE_WEAR)?,
                track_ordinal: reader.i32(motorsport_2023::TRACK_ORDINAL)?,
            }),
            _ => None,
        };
        Ok(Packet { format, sled, dash, motorsport_2023 })
    }

    /// Encodes the packet in its [`Format`]; a missing Dash or 2023 block is
    /// written as zeros.
    pub fn encode(&self) -> Vec<u8> {
        let mut writer = Writer::zeroed(self.format.size());
        write_sled(&mut writer, &self.sled);
        if let Some(base) = self.format.dash_base() {
            write_dash(&mut writer, base, &self.dash.clone().unwrap_or_default());
        }
        if self.format == Format::Motorsport2023 {
            let tail = self.motorsport_2023.clone().unwrap_or_default();
            put_f32s(&mut writer, motorsport_2023::TIRE_WEAR, &tail.tire_wear);
            writer.put(motorsport_2023::TRACK_ORDINAL, &tail.track_ordinal.to_le_bytes());
        }
        writer.finish()
    }
}

fn parse_sled(reader: &Reader) -> Result<Sled, PacketError> {
    use sled::*;
    let is_race_on = match reader.i32(IS_RACE_ON)? {
        0 => false,
        1 => true,
        _ => return Err(PacketError::OutOfRange("IsRaceOn")),
    };
    Ok(Sled {
        is_race_on,
        timestamp_ms: reader.u32(TIMESTAMP_MS)?,
        engine_max_rpm: reader.f32(ENGINE_MAX_RPM)?,
        engine_idle_rpm: reader.f32(ENGINE_IDLE_RPM)?,
        current_engine_rpm: reader.f32(CURRENT_ENGINE_RPM)?,
        acceleration: f32x3(reader, ACCELERATION)?,
        velocity: f32x3(reader, VELOCITY)?,
        angular_velocity: f32x3(reader, ANGULAR_VELOCITY)?,
        yaw: reader.f32(YAW)?,
        pitch: reader.f32(PITCH)?,
        roll: reader.f32(ROLL)?,
        normalized_suspension_travel: reader.f32x4(NORMALIZED_SUSPENSION_TRAVEL)?,
        tire_slip_ratio: reader.f32x4(TIRE_SLIP_RATIO)?,
        wheel_rotation_speed: reader.f32x4(WHEEL_ROTATION_SPEED)?,
        wheel_on_rumble_strip: i32x4(reader, WHEEL_ON_RUMBLE_STRIP)?,
        wheel_in_puddle_depth: reader.f32x4(WHEEL_IN_PUDDLE_DEPTH)?,
        surface_rumble: reader.f32x4(SURFACE_RUMBLE)?,
        tire_slip_angle: reader.f32x4(TIRE_SLIP_ANGLE)?,
        tire_combined_slip: reader.f32x4(TIRE_COMBINED_SLIP)?,
        suspension_travel_meters: reader.f32x4(SUSPENSION_TRAVEL_METERS)?,
        car_ordinal: reader.i32(CAR_ORDINAL)?,
        car_class: reader.i32(CAR_CLASS)?,
        car_performance_index: reader.i32(CAR_PERFORMANCE_INDEX)?,
        drivetrain_type: reader.i32(DRIVETRAIN_TYPE)?,
        num_cylinders: reader.i32(NUM_CYLINDERS)?,
    })
}

fn parse_dash(reader: &Reader, base: usize) -> Result<Dash, PacketError> {
    use dash::*;
    let gear = reader.u8(base + GEAR)?;
    if gear > GEAR_NEUTRAL {
        return Err(PacketError::OutOfRange("Gear"));
    }
    Ok(Dash {
        position: f32x3(reader, base + POSITION)?,
        speed: reader.f32(base + SPEED)?,
        power: reader.f32(base + POWER)?,
        torque: reader.f32(base + TORQUE)?,
        tire_temp_f: reader.f32x4(base + TIRE_TEMP)?,
        boost: reader.f32(base + BOOST)?,
        fuel: reader.f32(base + FUEL)?,
        distance_traveled: reader.f32(base + DISTANCE_TRAVELED)?,
        best_lap: reader.f32(base + BEST_LAP)?,
        last_lap: reader.f32(base + LAST_LAP)?,
        current_lap: reader.f32(base + CURRENT_LAP)?,
        current_race_time: reader.f32(base + CURRENT_RACE_TIME)?,
        lap_number: reader.u16(base + LAP_NUMBER)?,
        race_position: reader.u8(base + RACE_POSITION)?,
        accel: reader.u8(base + ACCEL)?,
        brake: reader.u8(base + BRAKE)?,
        clutch: reader.u8(base + CLUTCH)?,
        hand_brake: reader.u8(base + HAND_BRAKE)?,
        gear,
        steer: reader.i8(base + STEER)?,
        normalized_driving_line: reader.i8(base + NORMALIZED_DRIVING_LINE)?,
        normalized_ai_brake_difference: reader.i8(base + NORMALIZED_AI_BRAKE_DIFFERENCE)?,
    })
}

fn put_f32s(writer: &mut Writer, offset: usize, values: &[f32]) {
    for (i, value) in values.iter().enumerate() {
        writer.put(offset + 4 * i, &value.to_le_bytes());
    }
}

fn put_i32s(writer: &mut Writer, offset: usize, values: &[i32]) {
    for (i, value) in values.iter().enumerate() {
        writer.put(offset + 4 * i, &value.to_le_bytes());
    }
}

fn write_sled(writer: &mut Writer, sled: &Sled) {
    use sled::*;
    writer
        .put(IS_RACE_ON, &i32::from(sled.is_race_on).to_le_bytes())
        .put(TIMESTAMP_MS, &sled.timestamp_ms.to_le_bytes())
        .put(ENGINE_MAX_RPM, &sled.engine_max_rpm.to_le_bytes())
        .put(ENGINE_IDLE_RPM, &sled.engine_idle_rpm.to_le_bytes())
        .put(CURRENT_ENGINE_RPM, &sled.current_engine_rpm.to_le_bytes());
    put_f32s(writer, ACCELERATION, &sled.acceleration);
    put_f32s(writer, VELOCITY, &sled.velocity);
    put_f32s(writer, ANGULAR_VELOCITY, &sled.angular_velocity);
    put_f32s(writer, YAW, &[sled.yaw, sled.pitch, sled.roll]);
    put_f32s(writer, NORMALIZED_SUSPENSION_TRAVEL, &sled.normalized_suspension_travel);
    put_f32s(writer, TIRE_SLIP_RATIO, &sled.tire_slip_ratio);
    put_f32s(writer, WHEEL_ROTATION_SPEED, &sled.wheel_rotation_speed);
    put_i32s(writer, WHEEL_ON_RUMBLE_STRIP, &sled.wheel_on_rumble_strip);
    put_f32s(writer, WHEEL_IN_PUDDLE_DEPTH, &sled.wheel_in_puddle_depth);
    put_f32s(writer, SURFACE_RUMBLE, &sled.surface_rumble);
    put_f32s(writer, TIRE_SLIP_ANGLE, &sled.tire_slip_angle);
    put_f32s(writer, TIRE_COMBINED_SLIP, &sled.tire_combined_slip);
    put_f32s(writer, SUSPENSION_TRAVEL_METERS, &sled.suspension_travel_meters);
    put_i32s(
        writer,
        CAR_ORDINAL,
        &[sled.car_ordinal, sled.car_class, sled.car_performance_index, sled.drivetrain_type, sled.num_cylinders],
    );
}

fn write_dash(writer: &mut Writer, base: usize, dash: &Dash) {
    use dash::*;
    put_f32s(writer, base + POSITION, &dash.position);
    put_f32s(writer, base + SPEED, &[dash.speed, dash.power, dash.torque]);
    put_f32s(writer, base + TIRE_TEMP, &dash.tire_temp_f);
    put_f32s(
        writer,
        base + BOOST,
        &[
            dash.boost,
            dash.fuel,
            dash.distance_traveled,
            dash.best_lap,
            dash.last_lap,
            dash.current_lap,
            dash.current_race_time,
        ],
    );
    writer
        .put(base + LAP_NUMBER, &dash.lap_number.to_le_bytes())
        .put(
            base + RACE_POSITION,
            &[dash.race_position, dash.accel, dash.brake, dash.clutch, dash.hand_brake, dash.gear],
        )
        .put(base + STEER, &dash.steer.to_le_bytes())
        .put(base + NORMALIZED_DRIVING_LINE, &dash.normalized_driving_line.to_le_bytes())
        .put(base + NORMALIZED_AI_BRAKE_DIFFERENCE, &dash.normalized_ai_brake_difference.to_le_bytes());
}
