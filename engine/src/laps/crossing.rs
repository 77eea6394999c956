//! How the car moved along the lap between two frames, and when it crossed the line.
//!
//! The normalized position is the one signal every sim gives for where the car is
//! on the lap, but it is circular: 0.99 to 0.01 is a short step forward over the
//! line, not a jump back. This module turns two positions into a signed step the
//! short way round, says whether the step crossed the line forward, and places the
//! crossing in time. Interpolating the crossing, instead of taking the first frame
//! past the line, is what makes lap times exact to well under a frame interval.

/// A position above this, followed by one below [`WRAP_LOW`], is a wrap over the
/// line (forward, or backward the other way round).
pub(super) const WRAP_HIGH: f64 = 0.9;
/// See [`WRAP_HIGH`].
pub(super) const WRAP_LOW: f64 = 0.1;
/// A step longer than this fraction of a lap that is not a wrap is a jump: no car
/// covers a tenth of a lap between two frames.
pub(super) const MAX_STEP: f64 = 0.1;

/// The move between two usable positions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Step {
    /// Signed progress in laps, the short way round (`-0.5..=0.5`): positive forward.
    pub delta: f64,
    /// Some when the step crossed the line forward: the fraction of the step (and of
    /// the time between the frames) at which the car was on the line.
    pub line_fraction: Option<f64>,
    /// The step is longer than a car drives between frames and is not a wrap.
    pub jump: bool,
}

impl Step {
    /// The step from position `prev` to `cur`, both in `0..=1`.
    pub(super) fn between(prev: f64, cur: f64) -> Step {
        let raw = cur - prev;
        let forward_wrap = prev > WRAP_HIGH && cur < WRAP_LOW;
        let backward_wrap = prev < WRAP_LOW && cur > WRAP_HIGH;
        // The short way round: 0.95 -> 0.05 is +0.1, 0.05 -> 0.95 is -0.1.
        let delta = raw - raw.round();
        let line_fraction = if forward_wrap || (delta > 0.0 && cur < prev) {
            // (1 - p_prev) / ((1 - p_prev) + p_cur): the share of the step before the line.
            Some(if delta > 0.0 { ((1.0 - prev) / delta).clamp(0.0, 1.0) } else { 0.0 })
        } else {
            None
        };
        Step { delta, line_fraction, jump: !forward_wrap && !backward_wrap && delta.abs() > MAX_STEP }
    }
}

/// The time at `fraction` of the way from `from_ms` to `to_ms`. A clock that went
/// backwards counts as stopped, so a crossing is never placed before `from_ms`.
pub(super) fn interpolate(from_ms: f64, to_ms: f64, fraction: f64) -> f64 {
    from_ms + (to_ms - from_ms).max(0.0) * fraction
}
