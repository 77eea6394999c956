//! The byte layout of an `OutGaugePack` datagram, and its decoding and encoding.
//!
//! Offsets from Live for Speed's `InSim.txt` (struct `OutGaugePack`), which
//! BeamNG.drive's OutGauge protocol reuses unchanged; see [`super`] for the sources.

use crate::sims::wire::{Reader, Writer};
use crate::sims::PacketError;

/// Size of a packet without the optional ID.
pub const SIZE: usize = 92;
/// Size of a packet with the ID ("OutGauge ID" set to non-zero in LFS's cfg.txt).
pub const SIZE_WITH_ID: usize = 96;

pub const TIME: usize = 0; // u32 ms, "to check order"
pub const CAR: usize = 4; // char[4]
pub const FLAGS: usize = 8; // u16, OG_x
pub const GEAR: usize = 10; // u8: 0 reverse, 1 neutral, 2 first...
pub const PLID: usize = 11; // u8, viewed player (0 = none)
pub const SPEED: usize = 12; // f32 m/s
pub const RPM: usize = 16; // f32
pub const TURBO: usize = 20; // f32 bar
pub const ENG_TEMP: usize = 24; // f32 °C
pub const FUEL: usize = 28; // f32 0..1
pub const OIL_PRESSURE: usize = 32; // f32 bar
pub const OIL_TEMP: usize = 36; // f32 °C
pub const DASH_LIGHTS: usize = 40; // u32, DL_x available
pub const SHOW_LIGHTS: usize = 44; // u32, DL_x switched on
pub const THROTTLE: usize = 48; // f32 0..1
pub const BRAKE: usize = 52; // f32 0..1
pub const CLUTCH: usize = 56; // f32 0..1
pub const DISPLAY1: usize = 60; // char[16], usually fuel
pub const DISPLAY2: usize = 76; // char[16], usually settings
pub const ID: usize = 92; // i32, optional

/// `Flags` bits (`OG_x`).
pub mod flags {
    /// Shift key held.
    pub const OG_SHIFT: u16 = 1;
    /// Ctrl key held.
    pub const OG_CTRL: u16 = 2;
    /// Show the turbo gauge.
    pub const OG_TURBO: u16 = 8192;
    /// The user prefers km (else miles); a display preference, speed is always m/s.
    pub const OG_KM: u16 = 16384;
    /// The user prefers bar (else psi); a display preference, turbo is always bar.
    pub const OG_BAR: u16 = 32768;
}

/// `DashLights` / `ShowLights` bits (`DL_x`).
pub mod lights {
    pub const DL_SHIFT: u32 = 1 << 0;
    pub const DL_FULLBEAM: u32 = 1 << 1;
    pub const DL_HANDBRAKE: u32 = 1 << 2;
    pub const DL_PITSPEED: u32 = 1 << 3;
    pub const DL_TC: u32 = 1 << 4;
    pub const DL_SIGNAL_L: u32 = 1 << 5;
    pub const DL_SIGNAL_R: u32 = 1 << 6;
    pub const DL_SIGNAL_ANY: u32 = 1 << 7;
    pub const DL_OILWARN: u32 = 1 << 8;
    pub const DL_BATTERY: u32 = 1 << 9;
    pub const DL_ABS: u32 = 1 << 10;
}

/// One decoded `OutGaugePack`, in the game's units.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Packet {
    pub time_ms: u32,
    /// The car's short name (LFS: "XFG", "FBM"...; BeamNG: "beam"), NUL-trimmed.
    pub car: String,
    pub flags: u16,
    pub gear: u8,
    pub plid: u8,
    pub speed: f32,
    pub rpm: f32,
    pub turbo: f32,
    pub eng_temp: f32,
    pub fuel: f32,
    pub oil_pressure: f32,
    pub oil_temp: f32,
    pub dash_lights: u32,
    pub show_lights: u32,
    pub throttle: f32,
    pub brake: f32,
    pub clutch: f32,
    pub display1: String,
    pub display2: String,
    /// Present in 96-byte packets.
    pub id: Option<i32>,
}

const WHAT: &str = "outgauge";

impl Packet {
    /// Decodes a 92- or 96-byte datagram; floats are returned as sent (the client
    /// decides which must be finite).
    pub fn parse(bytes: &[u8]) -> Result<Packet, PacketError> {
        if bytes.len() != SIZE && bytes.len() != SIZE_WITH_ID {
            return Err(PacketError::Size { what: WHAT, expected: SIZE, got: bytes.len() });
        }
        let r = Reader::new(bytes, WHAT);
        Ok(Packet {
            time_ms: r.u32(TIME)?,
            car: r.cstr(CAR, 4)?,
            flags: r.u16(FLAGS)?,
            gear: r.u8(GEAR)?,
            plid: r.u8(PLID)?,
            speed: r.f32(SPEED)?,
            rpm: r.f32(RPM)?,
            turbo: r.f32(TURBO)?,
            eng_temp: r.f32(ENG_TEMP)?,
            fuel: r.f32(FUEL)?,
            oil_pressure: r.f32(OIL_PRESSURE)?,
            oil_temp: r.f32(OIL_TEMP)?,
            dash_lights: r.u32(DASH_LIGHTS)?,
            show_lights: r.u32(SHOW_LIGHTS)?,
            throttle: r.f32(THROTTLE)?,
            brake: r.f32(BRAKE)?,
            clutch: r.f32(CLUTCH)?,
            display1: r.cstr(DISPLAY1, 16)?,
            display2: r.cstr(DISPLAY2, 16)?,
            id: if bytes.len() == SIZE_WITH_ID { Some(r.i32(ID)?) } else { None },
        })
    }

    /// Encodes the packet: 96 bytes when it has an ID, else 92. The car name fills
    /// all 4 bytes when it is 4 long (as BeamNG's "beam"), else is NUL-terminated.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::zeroed(if self.id.is_some() { SIZE_WITH_ID } else { SIZE });
        let car = self.car.as_bytes();
        w.put(TIME, &self.time_ms.to_le_bytes()).put(CAR, &car[..car.len().min(4)]);
        w.put(FLAGS, &self.flags.to_le_bytes()).put(GEAR, &[self.gear, self.plid]);
        let floats = [
            (SPEED, self.speed),
            (RPM, self.rpm),
            (TURBO, self.turbo),
            (ENG_TEMP, self.eng_temp),
            (FUEL, self.fuel),
            (OIL_PRESSURE, self.oil_pressure),
            (OIL_TEMP, self.oil_temp),
            (THROTTLE, self.throttle),
            (BRAKE, self.brake),
            (CLUTCH, self.clutch),
        ];
        for (offset, value) in floats {
            w.put(offset, &value.to_le_bytes());
        }
        w.put(DASH_LIGHTS, &self.dash_lights.to_le_bytes()).put(SHOW_LIGHTS, &self.show_lights.to_le_bytes());
        w.put_cstr(DISPLAY1, 16, &self.display1).put_cstr(DISPLAY2, 16, &self.display2);
        if let Some(id) = self.id {
            w.put(ID, &id.to_le_bytes());
        }
        w.finish()
    }
}
