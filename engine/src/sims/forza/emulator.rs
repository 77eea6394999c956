//! The game's side of Forza Data Out, for tests and demos: encodes the demo
//! driver's frames into one of the game's layouts.
//!
//! Forza only sends, so the emulator answers nothing. What the frame does not carry
//! but the packet needs (lap times the game computes, the distance travelled, car
//! and track ordinals) is derived here so that the client's lap handling works end
//! to end.

use purplesector_proto::v1::TelemetryFrame;

use super::layout::{Dash, Format, Motorsport2023, Packet, Sled, GEAR_NEUTRAL};
use crate::sims::{SessionMeta, SimEmulator};

/// Standard gravity, to turn g into m/s².
const G: f32 = 9.80665;
/// Idle speed written to `EngineIdleRpm` (the frame has none).
const NOMINAL_IDLE_RPM: f32 = 800.0;
/// Tank size used to write `Fuel` as a 0..1 fraction from the frame's litres.
const NOMINAL_TANK_L: f32 = 100.0;

/// A Forza that sends one Data Out datagram per demo frame in a chosen layout.
#[derive(Debug)]
pub struct Emulator {
    format: Format,
    distance_m: f64,
    previous: Option<Previous>,
    last_lap_ms: Option<u32>,
    best_lap_ms: Option<u32>,
}

/// The previous frame's lap clock, to time the lap that just ended.
#[derive(Debug, Clone, Copy)]
struct Previous {
    time_ms: f64,
    lap_number: u32,
    current_lap_ms: u32,
}

impl Emulator {
    /// An emulator sending `format` packets (Sled 232, Dash 311, Horizon 324 or
    /// Motorsport 2023 331 bytes).
    pub fn new(format: Format) -> Self {
        Emulator { format, distance_m: 0.0, previous: None, last_lap_ms: None, best_lap_ms: None }
    }

    /// The packet the game would send for `frame`.
    pub fn packet(&mut self, frame: &TelemetryFrame, meta: &SessionMeta) -> Packet {
        self.track_laps(frame, meta);
        let speed_ms = frame.speed_kmh.max(0.0) / 3.6;
        let g = |value: Option<f32>| value.unwrap_or(0.0) * G;
        let wheels = |w: Option<&purplesector_proto::v1::Wheels>, map: fn(f32) -> f32| {
            w.map_or([0.0; 4], |w| [map(w.fl), map(w.fr), map(w.rl), map(w.rr)])
        };
        let car_ordinal = ordinal(&meta.car, "car");
        let sled = Sled {
            is_race_on: true,
            timestamp_ms: frame.session_time_ms.max(0.0) as u64 as u32,
            engine_max_rpm: frame.max_rpm.unwrap_or(0.0),
            engine_idle_rpm: NOMINAL_IDLE_RPM,
            current_engine_rpm: frame.rpm,
            acceleration: [g(frame.g_lat), g(frame.g_vert), g(frame.g_lon)],
            // Car-local: the emulated car moves straight ahead, without slip angle.
            velocity: [0.0, 0.0, speed_ms],
            yaw: frame.yaw.unwrap_or(0.0),
            tire_combined_slip: wheels(frame.wheel_slip.as_ref(), |slip| slip),
            car_ordinal,
            car_class: 5,
            car_performance_index: 800,
            drivetrain_type: 1,
            num_cylinders: 6,
            ..Sled::default()
        };
        let position = frame.world_position.as_ref().map_or([0.0; 3], |p| [p.x, p.y, p.z]);
        let dash = Dash {
            position,
            speed: speed_ms,
            tire_temp_f: wheels(frame.tyre_temp_c.as_ref(), |c| c * 9.0 / 5.0 + 32.0),
            fuel: frame.fuel_l.map_or(0.0, |litres| (litres / NOMINAL_TANK_L).clamp(0.0, 1.0)),
            distance_traveled: self.distance_m as f32,
            best_lap: self.best_lap_ms.map_or(0.0, |ms| ms as f32 / 1000.0),
            last_lap: self.last_lap_ms.map_or(0.0, |ms| ms as f32 / 1000.0),
            current_lap: frame.current_lap_time_ms as f32 / 1000.0,
            current_race_time: (frame.session_time_ms / 1000.0) as f32,
            lap_number: frame.lap_number.min(u32::from(u16::MAX)) as u16,
            race_position: 1,
            accel: unit_byte(frame.throttle),
            brake: unit_byte(frame.brake),
            clutch: unit_byte(frame.clutch.unwrap_or(0.0)),
            gear: gear_byte(frame.gear),
            steer: (frame.steering.clamp(-1.0, 1.0) * 127.0).round() as i8,
            ..Dash::default()
        };
        let has_dash = self.format.dash_base().is_some();
        Packet {
            format: self.format,
            sled,
            dash: has_dash.then_some(dash),
            motorsport_2023: (self.format == Format::Motorsport2023)
                .then(|| Motorsport2023 { tire_wear: [0.0; 4], track_ordinal: ordinal(&meta.track, "track") }),
        }
    }

    /// Updates the lap times and distance the game would report for `frame`. The
    /// lap that just ended lasted the previous frame's lap clock plus the interval
    /// to this frame, less the time this frame has already spent in the new lap.
    fn track_laps(&mut self, frame: &TelemetryFrame, meta: &SessionMeta) {
        let time_ms = frame.session_time_ms;
        if let Some(previous) = self.previous {
            if frame.lap_number < previous.lap_number {
                *self = Emulator::new(self.format);
            } else if frame.lap_number > previous.lap_number {
                let lap_ms = f64::from(previous.current_lap_ms) + (time_ms - previous.time_ms)
                    - f64::from(frame.current_lap_time_ms);
                let lap_ms = frame.last_lap_time_ms.unwrap_or(lap_ms.max(0.0).round() as u32);
                self.last_lap_ms = Some(lap_ms);
                self.best_lap_ms = Some(self.best_lap_ms.map_or(lap_ms, |best| best.min(lap_ms)));
            }
        }
        if let Some(last) = frame.last_lap_time_ms {
            self.last_lap_ms = Some(last);
        }
        if let Some(best) = frame.best_lap_time_ms {
            self.best_lap_ms = Some(best);
        }
        let length = meta.track_length_m.filter(|l| l.is_finite() && *l > 0.0);
        let into_lap = frame.lap_distance_m.or(length.map(|l| frame.normalized_position * l));
        match (length, into_lap) {
            (Some(length), Some(into_lap)) => {
                self.distance_m = f64::from(frame.lap_number) * f64::from(length) + f64::from(into_lap);
            }
            _ => {
                let dt_s = self.previous.map_or(0.0, |p| (time_ms - p.time_ms).max(0.0) / 1000.0);
                self.distance_m += f64::from(frame.speed_kmh.max(0.0)) / 3.6 * dt_s;
            }
        }
        self.previous =
            Some(Previous { time_ms, lap_number: frame.lap_number, current_lap_ms: frame.current_lap_time_ms });
    }
}

impl SimEmulator for Emulator {
    /// Forza ignores anything sent to it.
    fn receive(&mut self, _datagram: &[u8]) -> Vec<Vec<u8>> {
        Vec::new()
    }

    fn frame(&mut self, frame: &TelemetryFrame, meta: &SessionMeta) -> Vec<Vec<u8>> {
        vec![self.packet(frame, meta).encode()]
    }
}

/// A 0..1 input as the game's 0..255 byte.
fn unit_byte(value: f32) -> u8 {
    (value.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// The frame's gear as the game's Gear byte (0 reverse, 11 neutral, 1..=10).
fn gear_byte(gear: i32) -> u8 {
    match gear {
        i32::MIN..=-1 => 0,
        0 => GEAR_NEUTRAL,
        n => n.min(10) as u8,
    }
}

/// The ordinal for a car or track name: `"<prefix> <n>"` (what the client reports)
/// gives `n` back; any other name a stable positive hash (FNV-1a).
fn ordinal(name: &str, prefix: &str) -> i32 {
    if let Some(n) = name.strip_prefix(prefix).and_then(|rest| rest.trim().parse::<i32>().ok()) {
        return n;
    }
    let hash = name.bytes().fold(0x811c_9dc5u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193));
    (hash & 0x7fff_ffff) as i32
}
