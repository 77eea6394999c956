//! OutGauge: the external-dashboard datagram of Live for Speed, also sent by
//! BeamNG.drive, one fixed record per update to a configured UDP address.
//!
//! # Sources
//!
//! - Live for Speed `InSim.txt` (<https://en.lfsmanual.net/wiki/InSim.txt>), section
//!   "OutGauge - EXTERNAL DASHBOARD SUPPORT": struct `OutGaugePack`, the `OG_x` flags
//!   and `DL_x` dash lights.
//! - BeamNG.drive, "Protocols" (<https://documentation.beamng.com/modding/protocols>):
//!   the same struct; `time` is hardcoded to 0, `car` is "beam", `plid` is 0.
//! - Cross-checked with `adryzz/outgauge-rs` (`src/lib.rs`) and `BeamNG/remotecontrol`
//!   (byte table).
//!
//! # Layout ([`layout`]), 92 bytes, or 96 with the optional ID
//!
//! | offset | type | field |
//! |--------|------|-------|
//! | 0 | u32 | Time (ms, "to check order") |
//! | 4 | char\[4\] | Car |
//! | 8 | u16 | Flags (OG_SHIFT 1, OG_CTRL 2, OG_TURBO 8192, OG_KM 16384, OG_BAR 32768) |
//! | 10 | u8 | Gear (0 reverse, 1 neutral, 2 first...) |
//! | 11 | u8 | PLID |
//! | 12..36 | f32 | Speed (m/s), RPM, Turbo (bar), EngTemp (°C), Fuel (0..1), OilPressure (bar), OilTemp (°C) |
//! | 40, 44 | u32 | DashLights (available), ShowLights (on) |
//! | 48..56 | f32 | Throttle, Brake, Clutch (0..1) |
//! | 60, 76 | char\[16\] | Display1, Display2 |
//! | 92 | i32 | ID (only when "OutGauge ID" is non-zero) |
//!
//! # Mapping to [`TelemetryFrame`](purplesector_proto::v1::TelemetryFrame)
//!
//! `speed_kmh` = Speed × 3.6 (m/s whatever `OG_KM` says: that flag is the user's
//! display preference), `rpm`, `gear` = Gear − 1, `throttle`, `brake`, `clutch`.
//! OutGauge carries no lap, position, steering, g-force or tyre data: `lap_number`,
//! `current_lap_time_ms` and `normalized_position` stay 0 and the rest None/false.
//! `Fuel` is a fraction of an unknown tank, so `fuel_l` stays None; the
//! `DL_PITSPEED` light is the pit limiter, not the pit lane, so `in_pit` stays false.
//!
//! # Sessions and clock
//!
//! - `Session { sim: Outgauge, track: "unknown", car: <Car>, .. }` at the first
//!   packet and whenever `Car` changes (preceded by `SessionEnded`).
//! - `session_time_ms` is `Time` since the session's first packet. When that first
//!   packet has `Time` = 0 (BeamNG.drive), the collector's `now_ms` since it is used
//!   instead for the whole session.
//! - A packet whose `Time` is up to [`TIME_BACK_RESTART_MS`] older than the last one
//!   is a late datagram and is dropped; further back is a new run (replay rewound,
//!   game restarted): `SessionEnded`, then `Session`.
//! - OutGauge never says the session ended. [`Client::poll`] notices
//!   [`SILENCE_END_MS`] without a datagram and queues `SessionEnded`, handed out by
//!   [`Client::take_events`] or at the start of the next `receive`.
//! - A packet whose channels equal the previous frame's (clock aside) is not a new
//!   sample and yields no frame.

mod client;
mod emulator;
pub mod layout;

#[cfg(test)]
mod tests;

pub use client::{Client, SILENCE_END_MS, TIME_BACK_RESTART_MS};
pub use emulator::Emulator;
