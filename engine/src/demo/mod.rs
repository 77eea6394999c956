//! The synthetic demo driver: an endless, seeded stream of realistic 60 Hz
//! telemetry on a made-up circuit, so the platform can be tried, developed and
//! tested end to end without a sim.
//!
//! It is a producer like any sim collector: [`DemoDriver::next_frame`] yields the
//! frames a collector would capture, and nothing more. In particular it never
//! reports the sim's own lap times (`last_lap_time_ms`, `best_lap_time_ms`): the
//! platform must find line crossings and interpolate lap times itself, and
//! [`DemoDriver::completed_lap_times_ms`] gives the exact times to check it against.
//!
//! - `track`: the circuit "Purple Park", straights, arcs and clothoids sampled
//!   every metre;
//! - `car`: the "Demo GT", a quasi-steady-state lap simulation (grip, power and
//!   braking limits) plus gearbox, tyres, brakes and fuel;
//! - `driver`: per-lap variation and mistakes from a seeded generator, exact
//!   motion along the speed profile, and the frames.
//!
//! Conventions beyond the schema's: x/y are metres with the start/finish line at
//! the origin and the main straight along +x; curvature and offsets are positive
//! to the left (the circuit runs anticlockwise), while steering and `g_lat` follow
//! the schema (negative is left); wheel slip is a slip-ratio magnitude.

mod car;
mod driver;
mod track;

#[cfg(test)]
mod tests;

pub use driver::DemoDriver;
pub use track::{Corner, DemoTrack, Turn};

/// The demo's capture rate; frames are exactly 1/60 s of sim time apart.
pub const SAMPLE_RATE_HZ: f64 = 60.0;
/// Name of the synthetic circuit.
pub const TRACK_NAME: &str = "Purple Park";
/// Name of the synthetic car.
pub const CAR_NAME: &str = "Demo GT";
