//! The game's side of OutGauge, for tests and demos: encodes the demo driver's
//! frames as Live for Speed does (a running `Time`, the car's short name).

use purplesector_proto::v1::TelemetryFrame;

use super::layout::{flags, lights, Packet};
use crate::sims::{SessionMeta, SimEmulator};

/// `Time` of the first frame: LFS's clock is its uptime, never 0 (0 marks a game
/// without a clock, as BeamNG.drive).
const START_TIME_MS: u32 = 10_000;
/// Tank size used to write `Fuel` as a 0..1 fraction from the frame's litres.
const NOMINAL_TANK_L: f32 = 100.0;
/// Dash lights the emulated car has.
const AVAILABLE_LIGHTS: u32 =
    lights::DL_SHIFT | lights::DL_HANDBRAKE | lights::DL_PITSPEED | lights::DL_TC | lights::DL_ABS;

/// An LFS-like OutGauge sender: one datagram per demo frame.
#[derive(Debug, Default)]
pub struct Emulator {
    id: Option<i32>,
}

impl Emulator {
    /// Sends 92-byte packets (no OutGauge ID).
    pub fn new() -> Self {
        Emulator { id: None }
    }

    /// Sends 96-byte packets ending with `id` (LFS's "OutGauge ID").
    pub fn with_id(id: i32) -> Self {
        Emulator { id: Some(id) }
    }

    /// The packet the game would send for `frame`.
    pub fn packet(&self, frame: &TelemetryFrame, meta: &SessionMeta) -> Packet {
        let shift = frame.max_rpm.is_some_and(|max| max > 0.0 && frame.rpm >= 0.95 * max);
        let show_lights = if shift { lights::DL_SHIFT } else { 0 } | if frame.in_pit { lights::DL_PITSPEED } else { 0 };
        let fuel = frame.fuel_l.map_or(0.0, |litres| (litres / NOMINAL_TANK_L).clamp(0.0, 1.0));
        Packet {
            time_ms: START_TIME_MS.wrapping_add(frame.session_time_ms.max(0.0) as u64 as u32),
            car: meta.car.chars().filter(|c| c.is_ascii()).take(4).collect(),
            flags: flags::OG_KM | flags::OG_BAR,
            gear: (frame.gear.clamp(-1, 254) + 1) as u8,
            plid: 1,
            speed: frame.speed_kmh.max(0.0) / 3.6,
            rpm: frame.rpm,
            eng_temp: 90.0,
            fuel,
            oil_pressure: 4.0,
            oil_temp: 100.0,
            dash_lights: AVAILABLE_LIGHTS,
            show_lights,
            throttle: frame.throttle,
            brake: frame.brake,
            clutch: frame.clutch.unwrap_or(0.0),
            display1: frame.fuel_l.map_or_else(String::new, |litres| format!("Fuel {litres:.1}l")),
            display2: String::new(),
            id: self.id,
            ..Packet::default()
        }
    }
}

impl SimEmulator for Emulator {
    /// OutGauge ignores anything sent to it.
    fn receive(&mut self, _datagram: &[u8]) -> Vec<Vec<u8>> {
        Vec::new()
    }

    fn frame(&mut self, frame: &TelemetryFrame, meta: &SessionMeta) -> Vec<Vec<u8>> {
        vec![self.packet(frame, meta).encode()]
    }
}
