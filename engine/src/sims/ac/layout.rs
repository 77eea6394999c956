//! The byte layouts of Assetto Corsa's remote telemetry structs, and their raw
//! decoding and encoding (no unit mapping: that is `mapping`'s job).
//!
//! Exists so that every offset lives in one table that can be checked against the
//! published SDK, and so the client and the emulator read and write the same bytes.
//!
//! Sources, cross-checked:
//! - the AC Remote Telemetry SDK document ("AC Remote Telemetry Documentation",
//!   Kunos, docs.google.com/document/d/1KfkZiIluXZ6mMhLWfDX1qAGbvhGRC3ZUzjVIt5FQpp4,
//!   mirrored as `UDP.md` in github.com/vpicon/acudp): structs `handshaker`,
//!   `handshackerResponse`, `RTCarInfo`, `RTLap`, operation ids;
//! - github.com/rickwest/ac-remote-telemetry-client `src/parsers/*.js`, which
//!   annotates every offset (RTCarInfo 0..328, handshakerResponse 0..408,
//!   RTLap 0..212) and reads the names as UTF-16LE;
//! - github.com/GeekyDeaks/raw-sim-telemetry `logger-ac.py` (`<100s100sII100s100s`
//!   = 408 bytes, `<8x2f24x4I5fI236x3f` = 328 bytes);
//! - a published capture of the game's datagrams (github.com/kkoscielniak/
//!   digital-garden `knowledge/others/ac-telemetry.md`): identifier byte `'a'`
//!   followed by padding garbage, `size` = 328, names terminated by `'%'` followed
//!   by uninitialised memory, response identifier 4242 and version 1.
//!
//! The SDK text declares the names as `char[50]`, but the game sends `wchar_t[50]`
//! (UTF-16LE, 100 bytes): hence the 408-byte response and 212-byte lap record.

use crate::sims::wire::{Reader, Writer};
use crate::sims::PacketError;

/// UDP port the game listens on for remote telemetry clients.
pub const PORT: u16 = 9996;

/// Size of the client's `handshaker` request.
pub const HANDSHAKER_SIZE: usize = 12;
/// Size of the game's `handshakerResponse`.
pub const HANDSHAKE_RESPONSE_SIZE: usize = 408;
/// Size of one `RTCarInfo` update.
pub const CAR_INFO_SIZE: usize = 328;
/// Size of one `RTLap` spot event.
pub const LAP_SIZE: usize = 212;

/// Length in UTF-16 code units of every name field (`wchar_t[50]`).
pub const NAME_UNITS: usize = 50;
/// The game ends its names with this character (the bytes after it are garbage).
pub const NAME_TERMINATOR: char = '%';
/// `RTCarInfo.identifier` is always this character.
pub const CAR_INFO_IDENTIFIER: u8 = b'a';
/// `handshakerResponse.identifier` as the game sends it today.
pub const RESPONSE_IDENTIFIER: i32 = 4242;
/// `handshaker.version` / `handshakerResponse.version`.
pub const PROTOCOL_VERSION: i32 = 1;
/// `handshaker.identifier` the client sends (unused by the game; the SDK mirror says 1).
pub const CLIENT_IDENTIFIER: i32 = 1;

/// Byte offsets of `struct handshaker` (three little-endian `int`s).
pub mod handshaker {
    pub const IDENTIFIER: usize = 0;
    pub const VERSION: usize = 4;
    pub const OPERATION_ID: usize = 8;
}

/// Byte offsets of `struct handshakerResponse` (408 bytes).
pub mod response {
    /// `wchar_t carName[50]`
    pub const CAR_NAME: usize = 0;
    /// `wchar_t driverName[50]`
    pub const DRIVER_NAME: usize = 100;
    /// `int identifier` (4242)
    pub const IDENTIFIER: usize = 200;
    /// `int version` (1)
    pub const VERSION: usize = 204;
    /// `wchar_t trackName[50]`
    pub const TRACK_NAME: usize = 208;
    /// `wchar_t trackConfig[50]`
    pub const TRACK_CONFIG: usize = 308;
}

/// Byte offsets of `struct RTCarInfo` (328 bytes, natural 4-byte alignment).
pub mod car_info {
    /// `char identifier` (`'a'`) + 3 bytes of padding.
    pub const IDENTIFIER: usize = 0;
    /// `int size` (328).
    pub const SIZE: usize = 4;
    pub const SPEED_KMH: usize = 8;
    pub const SPEED_MPH: usize = 12;
    pub const SPEED_MS: usize = 16;
    /// `bool`s, one byte each, then 2 bytes of padding (26, 27).
    pub const IS_ABS_ENABLED: usize = 20;
    pub const IS_ABS_IN_ACTION: usize = 21;
    pub const IS_TC_IN_ACTION: usize = 22;
    pub const IS_TC_ENABLED: usize = 23;
    pub const IS_IN_PIT: usize = 24;
    pub const IS_ENGINE_LIMITER_ON: usize = 25;
    pub const ACC_G_VERTICAL: usize = 28;
    pub const ACC_G_HORIZONTAL: usize = 32;
    pub const ACC_G_FRONTAL: usize = 36;
    /// `int`s, milliseconds.
    pub const LAP_TIME: usize = 40;
    pub const LAST_LAP: usize = 44;
    pub const BEST_LAP: usize = 48;
    pub const LAP_COUNT: usize = 52;
    pub const GAS: usize = 56;
    pub const BRAKE: usize = 60;
    pub const CLUTCH: usize = 64;
    /// `float` (not an `int`, unlike the shared memory's `rpms`).
    pub const ENGINE_RPM: usize = 68;
    /// `float`, steering-wheel angle in degrees.
    pub const STEER: usize = 72;
    /// `int`: 0 = reverse, 1 = neutral, 2 = first gear, ...
    pub const GEAR: usize = 76;
    pub const CG_HEIGHT: usize = 80;
    /// `float[4]` arrays, wheel order FL, FR, RL, RR.
    pub const WHEEL_ANGULAR_SPEED: usize = 84;
    pub const SLIP_ANGLE: usize = 100;
    pub const SLIP_ANGLE_CONTACT_PATCH: usize = 116;
    pub const SLIP_RATIO: usize = 132;
    pub const TYRE_SLIP: usize = 148;
    pub const ND_SLIP: usize = 164;
    pub const LOAD: usize = 180;
    pub const DY: usize = 196;
    pub const MZ: usize = 212;
    pub const TYRE_DIRTY_LEVEL: usize = 228;
    pub const CAMBER_RAD: usize = 244;
    pub const TYRE_RADIUS: usize = 260;
    pub const TYRE_LOADED_RADIUS: usize = 276;
    pub const SUSPENSION_HEIGHT: usize = 292;
    pub const CAR_POSITION_NORMALIZED: usize = 308;
    pub const CAR_SLOPE: usize = 312;
    /// `float[3]` x, y (up), z in metres.
    pub const CAR_COORDINATES: usize = 316;
}

/// Byte offsets of `struct RTLap` (212 bytes).
pub mod lap {
    pub const CAR_IDENTIFIER_NUMBER: usize = 0;
    pub const LAP: usize = 4;
    /// `wchar_t driverName[50]`
    pub const DRIVER_NAME: usize = 8;
    /// `wchar_t carName[50]`
    pub const CAR_NAME: usize = 108;
    /// `int time`, milliseconds.
    pub const TIME: usize = 208;
}

/// `handshaker.operationId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Start talking; the game answers with a `handshakerResponse`.
    Handshake = 0,
    /// Receive an `RTCarInfo` per physics step.
    SubscribeUpdate = 1,
    /// Receive an `RTLap` on spot events (end of a lap, any car).
    SubscribeSpot = 2,
    /// Stop receiving; the game forgets the client.
    Dismiss = 3,
}

impl Operation {
    /// The operation for a wire value.
    pub fn from_i32(value: i32) -> Option<Operation> {
        match value {
            0 => Some(Operation::Handshake),
            1 => Some(Operation::SubscribeUpdate),
            2 => Some(Operation::SubscribeSpot),
            3 => Some(Operation::Dismiss),
            _ => None,
        }
    }
}

/// `struct handshaker`: every request the client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handshaker {
    pub identifier: i32,
    pub version: i32,
    pub operation: Operation,
}

impl Handshaker {
    /// The request the client sends for `operation`.
    pub fn new(operation: Operation) -> Self {
        Handshaker { identifier: CLIENT_IDENTIFIER, version: PROTOCOL_VERSION, operation }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut writer = Writer::zeroed(HANDSHAKER_SIZE);
        writer
            .put(handshaker::IDENTIFIER, &self.identifier.to_le_bytes())
            .put(handshaker::VERSION, &self.version.to_le_bytes())
            .put(handshaker::OPERATION_ID, &(self.operation as i32).to_le_bytes());
        writer.finish()
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, PacketError> {
        let reader = Reader::exact(bytes, HANDSHAKER_SIZE, "handshaker")?;
        let operation = reader.i32(handshaker::OPERATION_ID)?;
        Ok(Handshaker {
            identifier: reader.i32(handshaker::IDENTIFIER)?,
            version: reader.i32(handshaker::VERSION)?,
            operation: Operation::from_i32(operation).ok_or(PacketError::UnknownType(operation as u32))?,
        })
    }
}

/// `struct handshakerResponse`: who is driving what, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeResponse {
    pub car_name: String,
    pub driver_name: String,
    pub identifier: i32,
    pub version: i32,
    pub track_name: String,
    pub track_config: String,
}

impl HandshakeResponse {
    pub fn decode(bytes: &[u8]) -> Result<Self, PacketError> {
        let reader = Reader::exact(bytes, HANDSHAKE_RESPONSE_SIZE, "handshakerResponse")?;
        Ok(HandshakeResponse {
            car_name: name(&reader, response::CAR_NAME, "carName")?,
            driver_name: name(&reader, response::DRIVER_NAME, "driverName")?,
            identifier: reader.i32(response::IDENTIFIER)?,
            version: reader.i32(response::VERSION)?,
            track_name: name(&reader, response::TRACK_NAME, "trackName")?,
            track_config: name(&reader, response::TRACK_CONFIG, "trackConfig")?,
        })
    }

    /// The game's bytes: names `'%'`-terminated, then NUL-padded.
    pub fn encode(&self) -> Vec<u8> {
        let mut writer = Writer::zeroed(HANDSHAKE_RESPONSE_SIZE);
        put_name(&mut writer, response::CAR_NAME, &self.car_name);
        put_name(&mut writer, response::DRIVER_NAME, &self.driver_name);
        writer
            .put(response::IDENTIFIER, &self.identifier.to_le_bytes())
            .put(response::VERSION, &self.version.to_le_bytes());
        put_name(&mut writer, response::TRACK_NAME, &self.track_name);
        put_name(&mut writer, response::TRACK_CONFIG, &self.track_config);
        writer.finish()
    }
}

/// `struct RTCarInfo`, field for field, in the game's units.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CarInfo {
    pub speed_kmh: f32,
    pub speed_mph: f32,
    pub speed_ms: f32,
    pub is_abs_enabled: bool,
    pub is_abs_in_action: bool,
    pub is_tc_in_action: bool,
    pub is_tc_enabled: bool,
    pub is_in_pit: bool,
    pub is_engine_limiter_on: bool,
    pub acc_g_vertical: f32,
    pub acc_g_horizontal: f32,
    pub acc_g_frontal: f32,
    pub lap_time_ms: i32,
    pub last_lap_ms: i32,
    pub best_lap_ms: i32,
    pub lap_count: i32,
    pub gas: f32,
    /// Brake pedal, 0..1.
    pub brake: f32,
    /// Clutch engagement as AC reports it: 1 = engaged (pedal up).
    pub clutch: f32,
    pub engine_rpm: f32,
    /// Steering-wheel angle in degrees.
    pub steer_deg: f32,
    /// 0 = reverse, 1 = neutral, 2 = first, ...
    pub gear: i32,
    pub cg_height: f32,
    pub wheel_angular_speed: [f32; 4],
    pub slip_angle: [f32; 4],
    pub slip_angle_contact_patch: [f32; 4],
    pub slip_ratio: [f32; 4],
    pub tyre_slip: [f32; 4],
    pub nd_slip: [f32; 4],
    pub load: [f32; 4],
    pub dy: [f32; 4],
    pub mz: [f32; 4],
    pub tyre_dirty_level: [f32; 4],
    pub camber_rad: [f32; 4],
    pub tyre_radius: [f32; 4],
    pub tyre_loaded_radius: [f32; 4],
    pub suspension_height: [f32; 4],
    pub car_position_normalized: f32,
    pub car_slope: f32,
    pub car_coordinates: [f32; 3],
}

impl CarInfo {
    /// Checks the size, the `'a'` identifier and the `size` field; values are
    /// returned as sent (validated by `mapping`).
    pub fn decode(bytes: &[u8]) -> Result<Self, PacketError> {
        use car_info::*;
        let r = Reader::exact(bytes, CAR_INFO_SIZE, "RTCarInfo")?;
        let identifier = r.u8(IDENTIFIER)?;
        if identifier != CAR_INFO_IDENTIFIER {
            return Err(PacketError::UnknownType(identifier as u32));
        }
        let size = r.i32(SIZE)?;
        if size != CAR_INFO_SIZE as i32 {
            return Err(PacketError::Size { what: "RTCarInfo.size", expected: CAR_INFO_SIZE, got: size as usize });
        }
        let flag = |offset| r.u8(offset).map(|b| b != 0);
        Ok(CarInfo {
            speed_kmh: r.f32(SPEED_KMH)?,
            speed_mph: r.f32(SPEED_MPH)?,
            speed_ms: r.f32(SPEED_MS)?,
            is_abs_enabled: flag(IS_ABS_ENABLED)?,
            is_abs_in_action: flag(IS_ABS_IN_ACTION)?,
            is_tc_in_action: flag(IS_TC_IN_ACTION)?,
            is_tc_enabled: flag(IS_TC_ENABLED)?,
            is_in_pit: flag(IS_IN_PIT)?,
            is_engine_limiter_on: flag(IS_ENGINE_LIMITER_ON)?,
            acc_g_vertical: r.f32(ACC_G_VERTICAL)?,
            acc_g_horizontal: r.f32(ACC_G_HORIZONTAL)?,
            acc_g_frontal: r.f32(ACC_G_FRONTAL)?,
            lap_time_ms: r.i32(LAP_TIME)?,
            last_lap_ms: r.i32(LAST_LAP)?,
            best_lap_ms: r.i32(BEST_LAP)?,
            lap_count: r.i32(LAP_COUNT)?,
            gas: r.f32(GAS)?,
            brake: r.f32(BRAKE)?,
            clutch: r.f32(CLUTCH)?,
            engine_rpm: r.f32(ENGINE_RPM)?,
            steer_deg: r.f32(STEER)?,
            gear: r.i32(GEAR)?,
            cg_height: r.f32(CG_HEIGHT)?,
            wheel_angular_speed: r.f32x4(WHEEL_ANGULAR_SPEED)?,
            slip_angle: r.f32x4(SLIP_ANGLE)?,
            slip_angle_contact_patch: r.f32x4(SLIP_ANGLE_CONTACT_PATCH)?,
            slip_ratio: r.f32x4(SLIP_RATIO)?,
            tyre_slip: r.f32x4(TYRE_SLIP)?,
            nd_slip: r.f32x4(ND_SLIP)?,
            load: r.f32x4(LOAD)?,
            dy: r.f32x4(DY)?,
            mz: r.f32x4(MZ)?,
            tyre_dirty_level: r.f32x4(TYRE_DIRTY_LEVEL)?,
            camber_rad: r.f32x4(CAMBER_RAD)?,
            tyre_radius: r.f32x4(TYRE_RADIUS)?,
            tyre_loaded_radius: r.f32x4(TYRE_LOADED_RADIUS)?,
            suspension_height: r.f32x4(SUSPENSION_HEIGHT)?,
            car_position_normalized: r.f32(CAR_POSITION_NORMALIZED)?,
            car_slope: r.f32(CAR_SLOPE)?,
            car_coordinates: [r.f32(CAR_COORDINATES)?, r.f32(CAR_COORDINATES + 4)?, r.f32(CAR_COORDINATES + 8)?],
        })
    }

    pub fn encode(&self) -> Vec<u8> {
        use car_info::*;
        let mut w = Writer::zeroed(CAR_INFO_SIZE);
        w.put(IDENTIFIER, &[CAR_INFO_IDENTIFIER])
            .put(SIZE, &(CAR_INFO_SIZE as i32).to_le_bytes())
            .put(SPEED_KMH, &self.speed_kmh.to_le_bytes())
            .put(SPEED_MPH, &self.speed_mph.to_le_bytes())
            .put(SPEED_MS, &self.speed_ms.to_le_bytes())
            .put(IS_ABS_ENABLED, &[self.is_abs_enabled as u8])
            .put(IS_ABS_IN_ACTION, &[self.is_abs_in_action as u8])
            .put(IS_TC_IN_ACTION, &[self.is_tc_in_action as u8])
            .put(IS_TC_ENABLED, &[self.is_tc_enabled as u8])
            .put(IS_IN_PIT, &[self.is_in_pit as u8])
            .put(IS_ENGINE_LIMITER_ON, &[self.is_engine_limiter_on as u8])
            .put(ACC_G_VERTICAL, &self.acc_g_vertical.to_le_bytes())
            .put(ACC_G_HORIZONTAL, &self.acc_g_horizontal.to_le_bytes())
            .put(ACC_G_FRONTAL, &self.acc_g_frontal.to_le_bytes())
            .put(LAP_TIME, &self.lap_time_ms.to_le_bytes())
            .put(LAST_LAP, &self.last_lap_ms.to_le_bytes())
            .put(BEST_LAP, &self.best_lap_ms.to_le_bytes())
            .put(LAP_COUNT, &self.lap_count.to_le_bytes())
            .put(GAS, &self.gas.to_le_bytes())
            .put(BRAKE, &self.brake.to_le_bytes())
            .put(CLUTCH, &self.clutch.to_le_bytes())
            .put(ENGINE_RPM, &self.engine_rpm.to_le_bytes())
            .put(STEER, &self.steer_deg.to_le_bytes())
            .put(GEAR, &self.gear.to_le_bytes())
            .put(CG_HEIGHT, &self.cg_height.to_le_bytes());
        let arrays: [(usize, &[f32; 4]); 14] = [
            (WHEEL_ANGULAR_SPEED, &self.wheel_angular_speed),
            (SLIP_ANGLE, &self.slip_angle),
            (SLIP_ANGLE_CONTACT_PATCH, &self.slip_angle_contact_patch),
            (SLIP_RATIO, &self.slip_ratio),
            (TYRE_SLIP, &self.tyre_slip),
            (ND_SLIP, &self.nd_slip),
            (LOAD, &self.load),
            (DY, &self.dy),
            (MZ, &self.mz),
            (TYRE_DIRTY_LEVEL, &self.tyre_dirty_level),
            (CAMBER_RAD, &self.camber_rad),
            (TYRE_RADIUS, &self.tyre_radius),
            (TYRE_LOADED_RADIUS, &self.tyre_loaded_radius),
            (SUSPENSION_HEIGHT, &self.suspension_height),
        ];
        for (offset, values) in arrays {
            for (i, value) in values.iter().enumerate() {
                w.put(offset + 4 * i, &value.to_le_bytes());
            }
        }
        w.put(CAR_POSITION_NORMALIZED, &self.car_position_normalized.to_le_bytes())
            .put(CAR_SLOPE, &self.car_slope.to_le_bytes());
        for (i, value) in self.car_coordinates.iter().enumerate() {
            w.put(CAR_COORDINATES + 4 * i, &value.to_le_bytes());
        }
        w.finish()
    }
}

/// `struct RTLap`: a car completed a lap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lap {
    pub car_identifier_number: i32,
    pub lap: i32,
    pub driver_name: String,
    pub car_name: String,
    pub time_ms: i32,
}

impl Lap {
    pub fn decode(bytes: &[u8]) -> Result<Self, PacketError> {
        let reader = Reader::exact(bytes, LAP_SIZE, "RTLap")?;
        Ok(Lap {
            car_identifier_number: reader.i32(lap::CAR_IDENTIFIER_NUMBER)?,
            lap: reader.i32(lap::LAP)?,
            driver_name: name(&reader, lap::DRIVER_NAME, "driverName")?,
            car_name: name(&reader, lap::CAR_NAME, "carName")?,
            time_ms: reader.i32(lap::TIME)?,
        })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut writer = Writer::zeroed(LAP_SIZE);
        writer
            .put(lap::CAR_IDENTIFIER_NUMBER, &self.car_identifier_number.to_le_bytes())
            .put(lap::LAP, &self.lap.to_le_bytes());
        put_name(&mut writer, lap::DRIVER_NAME, &self.driver_name);
        put_name(&mut writer, lap::CAR_NAME, &self.car_name);
        writer.put(lap::TIME, &self.time_ms.to_le_bytes());
        writer.finish()
    }
}

/// A `wchar_t[50]` name: UTF-16LE up to the first NUL or `'%'` (the game leaves
/// uninitialised memory after its `'%'`, so nothing past it is decoded).
fn name(reader: &Reader<'_>, offset: usize, field: &'static str) -> Result<String, PacketError> {
    let bytes = reader.slice(offset, NAME_UNITS * 2)?;
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .take_while(|&unit| unit != 0 && unit != NAME_TERMINATOR as u16)
        .collect();
    let text = String::from_utf16(&units).map_err(|_| PacketError::BadString(field))?;
    Ok(text.trim().to_string())
}

/// Writes `text` as the game does: `'%'`-terminated, NUL-padded, truncated to fit.
fn put_name(writer: &mut Writer, offset: usize, text: &str) {
    let mut units: Vec<u16> =
        text.chars().take_while(|&c| c != NAME_TERMINATOR).collect::<String>().encode_utf16().collect();
    units.truncate(NAME_UNITS - 1);
    // Do not leave half a surrogate pair at the cut.
    if units.last().is_some_and(|unit| (0xD800..0xDC00).contains(unit)) {
        units.pop();
    }
    units.push(NAME_TERMINATOR as u16);
    let bytes: Vec<u8> = units.iter().flat_map(|unit| unit.to_le_bytes()).collect();
    writer.put(offset, &[0; NAME_UNITS * 2]).put(offset, &bytes);
}
