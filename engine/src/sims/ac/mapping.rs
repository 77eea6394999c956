//! Unit mapping between AC's `RTCarInfo` and Purple Sector's `TelemetryFrame`, both
//! ways: the client validates and converts what the game sends, the emulator
//! encodes the demo driver's frames with the inverse conversion.
//!
//! Conventions (what AC sends → what the frame holds):
//! - `speed_Kmh` → `speed_kmh` (the game's `speed_Ms` × 3.6 is the same value; used
//!   when `speed_Kmh` is not finite).
//! - `steer` is the steering-wheel angle in degrees (a recorded Imola lap in
//!   github.com/GeekyDeaks/raw-sim-telemetry `log/imola/...` reads 5..8 on the
//!   straight and up to 57 in a chicane), positive to the right: in that log it is
//!   positive while the heading turns clockwise seen from above, taking AC's world
//!   as right-handed with y up (x/z as its track maps draw them); the right-hand
//!   entry of the Villeneuve chicane reads up to +57. It
//!   becomes -1..1 by dividing by a steering lock, [`DEFAULT_STEER_LOCK_DEG`]
//!   unless configured, and clamping: the packet does not carry the car's lock.
//! - `gear` 0 = reverse, 1 = neutral, 2 = first → -1, 0, 1, ...
//! - `clutch` is engagement (the published capture reads 1 at full throttle in
//!   top gear) → pedal travel `1 - clutch`.
//! - `accG_horizontal` / `accG_frontal` / `accG_vertical` → `g_lat` / `g_lon` /
//!   `g_vert`, passed through as the game reports them (frontal is positive when
//!   accelerating in the published capture; the lateral sign is not documented).
//! - `slipRatio[4]` → `wheel_slip` (`tyreSlip` reads 0 in the game's datagrams).
//! - `lapCount` (laps completed) → `lap_number`, `lapTime` → `current_lap_time_ms`,
//!   `lastLap` / `bestLap` → `Some` when positive.
//! - `carPositionNormalized` → `normalized_position`, `carCoordinates` →
//!   `world_position`, `isInPit` → `in_pit`.
//! - Not in `RTCarInfo`: session clock (the client uses its own), tyre temperatures
//!   and pressures, brake temperatures, fuel, velocity vector, yaw, max rpm,
//!   lap validity.

use purplesector_proto::v1::{TelemetryFrame, Vec3, Wheels};

use super::layout::CarInfo;
use crate::sims::PacketError;

/// Steering-wheel angle (degrees, each side) that maps to full lock ±1 unless the
/// collector configures another: a 900° wheel, the common default.
pub const DEFAULT_STEER_LOCK_DEG: f32 = 450.0;

/// Kilometres per hour in one mile per hour.
const KMH_PER_MPH: f32 = 1.609_344;
/// Highest gear value accepted from the game (AC's gear + 1 offset included).
const MAX_RAW_GEAR: i32 = 16;
/// Plausibility bounds: beyond these the datagram is not telemetry.
const MAX_SPEED_KMH: f32 = 1_500.0;
const MAX_RPM: f32 = 50_000.0;
const MAX_COORDINATE_M: f32 = 1.0e6;
/// Wheel radius the emulator reports (m), to derive wheel angular speed.
const EMULATED_TYRE_RADIUS_M: f32 = 0.33;

/// Validates one `RTCarInfo` and converts it; `session_time_ms` comes from the
/// client's clock (AC has none in this struct).
pub fn to_frame(info: &CarInfo, session_time_ms: f64, steer_lock_deg: f32) -> Result<TelemetryFrame, PacketError> {
    let speed_kmh = if info.speed_kmh.is_finite() {
        info.speed_kmh
    } else if info.speed_ms.is_finite() {
        info.speed_ms * 3.6
    } else {
        return Err(PacketError::NotFinite("speed_Kmh"));
    };
    if !(0.0..MAX_SPEED_KMH).contains(&speed_kmh) {
        return Err(PacketError::OutOfRange("speed_Kmh"));
    }
    let rpm = finite(info.engine_rpm, "engineRPM")?;
    if rpm.abs() > MAX_RPM {
        return Err(PacketError::OutOfRange("engineRPM"));
    }
    if !(0..=MAX_RAW_GEAR).contains(&info.gear) {
        return Err(PacketError::OutOfRange("gear"));
    }
    let position = finite(info.car_position_normalized, "carPositionNormalized")?;
    let [x, y, z] = info.car_coordinates;
    for value in info.car_coordinates {
        if finite(value, "carCoordinates")?.abs() >= MAX_COORDINATE_M {
            return Err(PacketError::OutOfRange("carCoordinates"));
        }
    }
    let lock = if steer_lock_deg.is_finite() && steer_lock_deg > 0.0 { steer_lock_deg } else { DEFAULT_STEER_LOCK_DEG };

    Ok(TelemetryFrame {
        session_time_ms,
        current_lap_time_ms: info.lap_time_ms.max(0) as u32,
        lap_number: info.lap_count.max(0) as u32,
        normalized_position: position.clamp(0.0, 1.0),
        throttle: finite(info.gas, "gas")?.clamp(0.0, 1.0),
        brake: finite(info.brake, "brake")?.clamp(0.0, 1.0),
        clutch: optional(info.clutch).map(|engaged| (1.0 - engaged).clamp(0.0, 1.0)),
        steering: (finite(info.steer_deg, "steer")? / lock).clamp(-1.0, 1.0),
        speed_kmh,
        gear: info.gear - 1,
        rpm: rpm.max(0.0),
        world_position: Some(Vec3 { x, y, z }),
        g_lat: optional(info.acc_g_horizontal),
        g_lon: optional(info.acc_g_frontal),
        g_vert: optional(info.acc_g_vertical),
        wheel_slip: wheels(info.slip_ratio),
        in_pit: info.is_in_pit,
        last_lap_time_ms: positive_ms(info.last_lap_ms),
        best_lap_time_ms: positive_ms(info.best_lap_ms),
        ..TelemetryFrame::default()
    })
}

/// The `RTCarInfo` the game would send for `frame`, with lap times supplied by the
/// emulator (which tracks them across frames).
pub fn from_frame(frame: &TelemetryFrame, last_lap_ms: i32, best_lap_ms: i32, steer_lock_deg: f32) -> CarInfo {
    let speed_kmh = frame.speed_kmh.max(0.0);
    let speed_ms = speed_kmh / 3.6;
    let wheel_speed = speed_ms / EMULATED_TYRE_RADIUS_M;
    let position = frame.world_position.unwrap_or_default();
    let slip = frame.wheel_slip.unwrap_or_default();
    CarInfo {
        speed_kmh,
        speed_mph: speed_kmh / KMH_PER_MPH,
        speed_ms,
        is_abs_enabled: true,
        is_tc_enabled: true,
        is_in_pit: frame.in_pit,
        acc_g_vertical: frame.g_vert.unwrap_or(0.0),
        acc_g_horizontal: frame.g_lat.unwrap_or(0.0),
        acc_g_frontal: frame.g_lon.unwrap_or(0.0),
        lap_time_ms: frame.current_lap_time_ms.min(i32::MAX as u32) as i32,
        last_lap_ms,
        best_lap_ms,
        lap_count: frame.lap_number.min(i32::MAX as u32) as i32,
        gas: frame.throttle,
        brake: frame.brake,
        clutch: 1.0 - frame.clutch.unwrap_or(0.0),
        engine_rpm: frame.rpm,
        steer_deg: frame.steering * steer_lock_deg,
        gear: (frame.gear + 1).clamp(0, MAX_RAW_GEAR),
        cg_height: 0.3,
        wheel_angular_speed: [wheel_speed; 4],
        slip_ratio: [slip.fl, slip.fr, slip.rl, slip.rr],
        tyre_radius: [EMULATED_TYRE_RADIUS_M; 4],
        tyre_loaded_radius: [EMULATED_TYRE_RADIUS_M - 0.005; 4],
        car_position_normalized: frame.normalized_position,
        car_coordinates: [position.x, position.y, position.z],
        ..CarInfo::default()
    }
}

fn finite(value: f32, field: &'static str) -> Result<f32, PacketError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(PacketError::NotFinite(field))
    }
}

/// A non-essential channel: dropped when the game sends NaN or infinity.
fn optional(value: f32) -> Option<f32> {
    value.is_finite().then_some(value)
}

fn wheels([fl, fr, rl, rr]: [f32; 4]) -> Option<Wheels> {
    [fl, fr, rl, rr].iter().all(|v| v.is_finite()).then_some(Wheels { fl, fr, rl, rr })
}

fn positive_ms(value: i32) -> Option<u32> {
    (value > 0).then_some(value as u32)
}
