//! Lap detection: turns a session's stream of telemetry frames into laps.
//!
//! Sims disagree on almost everything a lap detector would like to trust: some
//! never increment their lap counter or increment it a few frames late, some report
//! their own lap time a moment after the line, clocks stop while the game is paused,
//! sessions restart and cars are reset to the pits mid-lap, and frames arrive
//! twice or out of order over the network. [`LapDetector`] reads every frame in
//! arrival order and decides, from a handful of scalars (never a stored lap of
//! frames), where laps begin and end and what each lap's time and flags are.
//!
//! The rules, each documented where it is applied:
//!
//! - A lap boundary is the car crossing the line forward: the normalized position
//!   wrapping from near 1 to near 0, or the sim's lap counter incrementing. When
//!   both happen within a few frames they are the same crossing, counted once.
//! - A crossing only ends a lap when the car has covered most of it (progress past
//!   half the lap), so reversing over the line and jitter around it are not laps;
//!   a timed lap must also last a few seconds.
//! - The crossing time is interpolated between the two frames around the line, so
//!   lap times are exact to well under one frame interval; the sim's own lap time
//!   is preferred when it reports one shortly after the line.
//! - The first lap, and the lap after a restart or a reset, is an out-lap unless it
//!   starts at the line with the timer near zero; a lap that starts in the pit lane
//!   is an out-lap and one that enters it is an in-lap; neither is valid.
//! - A session restart or a teleport abandons the lap in progress.
//! - Re-delivered frames are [`Outcome::Duplicate`], out-of-order ones
//!   [`Outcome::Late`]; neither touches the lap state.
//!
//! # Order of events
//!
//! The first frame of a session (and the first after an abandon) yields
//! [`LapEvent::Started`]. At a crossing the detector emits `Started` for the new
//! lap on the crossing frame, but it may hold the [`LapEvent::Completed`] of the
//! lap just finished for up to [`OFFICIAL_TIME_GRACE_MS`] of sim time, waiting for
//! the sim's own lap time. So a `Completed` may arrive *after* the `Started` of the
//! following lap (and after frames of that lap); when the official time is already
//! on the crossing frame, `Completed` comes first, then `Started`. A held
//! completion is emitted before any later `Completed` or `Abandoned`, so completed
//! laps always arrive in lap order. [`LapDetector::flush`] releases a held
//! completion when the stream ends.

mod crossing;
mod detector;
mod sample;
mod seqs;

#[cfg(test)]
mod tests;

pub use detector::{LapDetector, OFFICIAL_TIME_GRACE_MS};

/// What the detector knows about the session before the first frame.
#[derive(Debug, Clone, Default)]
pub struct LapDetectorConfig {
    /// Track length in metres, when the sim or collector reports it. Lets distance
    /// travelled stand in for position progress, and tells a fast car's large
    /// position step from a teleport.
    pub track_length_m: Option<f64>,
}

/// What became of one pushed frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The frame is new and in order; events it caused, in order (may be empty).
    Accepted { events: Vec<LapEvent> },
    /// Same seq as one already seen (re-delivery): ignore it.
    Duplicate,
    /// Older than the newest frame seen but not seen before (out of order): too late
    /// for lap detection; the caller still stores it.
    Late,
}

/// Something that happened to the lap in progress.
#[derive(Debug, Clone, PartialEq)]
pub enum LapEvent {
    /// A lap finished (possibly a little after the crossing: see the module docs).
    Completed(CompletedLap),
    /// The lap in progress ended without reaching the line; its frames are not a lap.
    Abandoned { first_seq: u64, last_seq: u64, reason: AbandonReason },
    /// A lap began with the frame `first_seq`.
    Started { lap_number: u32, first_seq: u64, out_lap: bool },
}

/// Why a lap in progress was abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbandonReason {
    /// The sim's session started again: its clock went back or its lap counter reset.
    SessionRestart,
    /// The car moved further in one step than it could drive (reset, return to pits).
    Teleport,
}

/// A finished lap.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletedLap {
    /// The sim's lap counter during the lap (0-based: laps completed before it).
    pub lap_number: u32,
    pub lap_time_ms: u32,
    /// True when `lap_time_ms` is the sim's own `last_lap_time_ms`; false when it is
    /// the detector's interpolated line-to-line time.
    pub official_time: bool,
    /// A timed lap that is neither an out-lap nor an in-lap and was never flagged
    /// invalid by the sim.
    pub valid: bool,
    pub out_lap: bool,
    pub in_lap: bool,
    pub first_seq: u64,
    /// The last frame belonging to the lap (the frame before the crossing frame).
    pub last_seq: u64,
}
