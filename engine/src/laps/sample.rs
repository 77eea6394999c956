//! The fields of a frame that lap detection reads, checked once.
//!
//! Frames come from third-party sims and collectors, so any float may be NaN or
//! infinite and any position out of range. Cleaning them here, into values that are
//! either usable or absent, keeps the rules in the detector free of defensive
//! checks and guarantees that no input can make them panic or poison their state.

use purplesector_proto::v1::TelemetryFrame;

/// One accepted frame, as the detector sees it.
#[derive(Debug, Clone)]
pub(super) struct Sample {
    pub seq: u64,
    /// Sim clock in ms; a non-finite value repeats the previous frame's clock (as if
    /// paused) so that one bad frame can neither add nor remove time.
    pub time_ms: f64,
    pub lap_number: u32,
    pub lap_timer_ms: u32,
    /// Normalized position in `0..=1`, absent when the sim's value is unusable.
    pub position: Option<f64>,
    /// Distance into the lap in metres, absent when unusable.
    pub lap_distance_m: Option<f64>,
    /// Speed in m/s, never negative; 0 when unusable.
    pub speed_ms: f64,
    /// World position in metres, absent when missing or not finite.
    pub world: Option<[f64; 3]>,
    pub in_pit: bool,
    pub lap_invalid: bool,
    /// The sim's last lap time; absent when missing or 0 (sims report 0 for "none").
    pub last_lap_ms: Option<u32>,
}

impl Sample {
    /// Reads a frame; `previous_time_ms` is the clock of the previous accepted frame.
    pub(super) fn from_frame(frame: &TelemetryFrame, previous_time_ms: Option<f64>) -> Sample {
        let time_ms =
            if frame.session_time_ms.is_finite() { frame.session_time_ms } else { previous_time_ms.unwrap_or(0.0) };
        let position = f64::from(frame.normalized_position);
        let speed_ms = f64::from(frame.speed_kmh).abs() / 3.6;
        Sample {
            seq: frame.seq,
            time_ms,
            lap_number: frame.lap_number,
            lap_timer_ms: frame.current_lap_time_ms,
            position: (0.0..=1.0).contains(&position).then_some(position),
            lap_distance_m: frame.lap_distance_m.map(f64::from).filter(|d| d.is_finite() && *d >= 0.0),
            speed_ms: if speed_ms.is_finite() { speed_ms } else { 0.0 },
            world: frame
                .world_position
                .as_ref()
                .map(|p| [f64::from(p.x), f64::from(p.y), f64::from(p.z)])
                .filter(|p| p.iter().all(|c| c.is_finite())),
            in_pit: frame.in_pit,
            lap_invalid: frame.lap_invalid,
            last_lap_ms: frame.last_lap_time_ms.filter(|ms| *ms > 0),
        }
    }

    /// Straight-line distance in metres between two frames' world positions.
    pub(super) fn world_distance_m(&self, other: &Sample) -> Option<f64> {
        let (a, b) = (self.world?, other.world?);
        let distance = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt();
        distance.is_finite().then_some(distance)
    }
}
