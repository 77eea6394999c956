//! Forza "Data Out": the fixed UDP records Forza Motorsport 7, Forza Horizon 4/5 and
//! Forza Motorsport (2023) send at 60 Hz to a configured address, without handshake.
//!
//! # Sources
//!
//! - Turn 10, "Forza Motorsport Data Out Documentation"
//!   (<https://support.forzamotorsport.net/hc/en-us/articles/21742934024211-Forza-Motorsport-Data-Out-Documentation>):
//!   the Sled and Dash structures, field by field with offsets, and the 2023 tail.
//! - `geeooff/forza-data-web` (`Core/ForzaDataReader.cs`, `ForzaDataReader.HorizonExtras.cs`,
//!   `ForzaDataReader.MotorsportExtras.cs`): the same fields read in order; Horizon's
//!   12 extra bytes after Sled (community findings, forums.forza.net thread 535984);
//!   the 2023 tail read right after the Dash block.
//! - Forza Horizon 6 Data Out documentation (support.forza.net): a single 324-byte
//!   packet, confirming the Horizon size.
//!
//! # Layouts ([`layout`]), told apart by size
//!
//! | size | layout | contents |
//! |------|--------|----------|
//! | 232 | [`Format::Sled`] | IsRaceOn s32 @0, TimestampMS u32 @4, EngineMax/Idle/CurrentRpm f32 @8/12/16, Acceleration xyz @20, Velocity xyz @32, AngularVelocity xyz @44, Yaw/Pitch/Roll @56/60/64, per wheel (FL FR RL RR) f32x4: NormalizedSuspensionTravel @68, TireSlipRatio @84, WheelRotationSpeed @100, WheelOnRumbleStrip (s32) @116, WheelInPuddleDepth @132, SurfaceRumble @148, TireSlipAngle @164, TireCombinedSlip @180, SuspensionTravelMeters @196; CarOrdinal, CarClass, CarPerformanceIndex, DrivetrainType, NumCylinders s32 @212..228 |
//! | 311 | [`Format::Dash`] | Sled, then at 232: Position xyz, Speed, Power, Torque, TireTemp x4, Boost, Fuel, DistanceTraveled, BestLap, LastLap, CurrentLap, CurrentRaceTime (f32), LapNumber u16 @300, RacePosition, Accel, Brake, Clutch, HandBrake, Gear (u8) @302..307, Steer, NormalizedDrivingLine, NormalizedAIBrakeDifference (s8) @308..310 |
//! | 324 | [`Format::Horizon`] | Sled, 12 undocumented bytes @232, the Dash block shifted by 12 (@244..322), 1 undocumented byte @323 |
//! | 331 | [`Format::Motorsport2023`] | Dash, TireWear f32x4 @311, TrackOrdinal s32 @327 |
//!
//! Turn 10's page prints the 2023 tail at offsets 314..330, which cannot fit a
//! 331-byte packet (311 + 4×4 + 4 = 331); the tail follows the Dash block directly,
//! as `forza-data-web` reads it.
//!
//! # Mapping to [`TelemetryFrame`](purplesector_proto::v1::TelemetryFrame)
//!
//! - `speed_kmh`: Dash `Speed` (m/s) × 3.6; Sled: the velocity's magnitude × 3.6.
//! - `rpm` = CurrentEngineRpm, `max_rpm` = EngineMaxRpm.
//! - `g_lat`/`g_vert`/`g_lon` = Acceleration x/y/z (car-local m/s², x right, y up,
//!   z forward) / 9.80665.
//! - `velocity` = Velocity **in the car's local frame** (x right, y up, z forward),
//!   as the game sends it; `yaw` = Yaw (radians).
//! - `wheel_slip` = TireCombinedSlip (normalised: > 1 means loss of grip).
//! - Dash only: `world_position` = Position, `tyre_temp_c` = TireTemp (°F → °C),
//!   `throttle`/`brake`/`clutch` = Accel/Brake/Clutch / 255, `steering` = Steer / 127,
//!   `gear`: 0 (reverse) → -1, 11 (neutral, as community dashboards decode it and
//!   FH captures show) → 0, 1..=10 as is; any other byte rejects the packet.
//!   `lap_number` = LapNumber (0 on the first lap), `current_lap_time_ms` =
//!   CurrentLap, `last`/`best_lap_time_ms` = LastLap/BestLap (None while 0).
//! - Sled packets carry no pedals, gear, position or lap data: those stay 0 / None.
//! - Not mapped: Fuel is a 0..1 fraction of an unknown tank, so `fuel_l` stays None;
//!   no tyre pressures, brake temperatures, pit or validity flags exist (`in_pit`,
//!   `lap_invalid` false).
//!
//! # What the client derives
//!
//! - `session_time_ms`: `CurrentRaceTime` × 1000 while the race clock runs (Dash);
//!   before it runs, and for Sled, `TimestampMS` since the session's first packet
//!   (wrapping). When the race clock starts mid-session it is offset to continue
//!   the timestamp clock, so the session clock never steps back.
//! - `lap_distance_m`: Forza has no lap distance, only `DistanceTraveled` for the
//!   race. The client subtracts the distance at the lap's start: 0 for the first lap,
//!   and at each lap counter increment the distance at that packet less speed ×
//!   CurrentLap (what was already driven past the line). A session joined after
//!   the first lap has no lap distance until the next line.
//! - `normalized_position`: the game sends no track length, so it stays 0.0 unless
//!   the collector knows the length ([`Client::with_track_length`]); the lap
//!   detector then relies on the lap counter for lap boundaries.
//! - Sessions: Forza sends no track name. [`SessionMeta`](crate::sims::SessionMeta)
//!   has `car = "car <CarOrdinal>"`, `track = "track <TrackOrdinal>"` (FM 2023) or
//!   `"unknown"`. A `Session` is emitted at the first race-on packet, and again when
//!   CarOrdinal or TrackOrdinal changes or the race restarts (LapNumber or
//!   CurrentRaceTime going back), each preceded by `SessionEnded`.
//! - `IsRaceOn = 0` (menus, pause) yields no frame; when it stays 0 for more than
//!   [`RACE_OFF_END_MS`] the session ends (`SessionEnded`). Silence for more than
//!   [`SILENCE_END_MS`] also ends it: [`Client::poll`] notices and the event is
//!   handed out by [`Client::take_events`] or at the start of the next `receive`.
//! - A packet whose channels equal the previous frame's (session clock aside) is
//!   not a new sample and yields no frame.

mod client;
mod emulator;
pub mod layout;

#[cfg(test)]
mod tests;

pub use client::{Client, RACE_OFF_END_MS, SILENCE_END_MS};
pub use emulator::Emulator;
pub use layout::Format;
