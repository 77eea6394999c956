//! The delta-time trace: how far ahead or behind a lap is of a reference lap at
//! every point of the track, the chart every driver reads first.
//!
//! Both laps are on the same normalised distance grid (see [`super::resample`]),
//! so the delta at a point is the difference of their elapsed times there. Each
//! trace starts at 0 and ends at its official lap time, so the delta starts at 0
//! and ends at exactly the lap-time difference.

use super::resample::DistanceTrace;
use super::series::value_at;
use serde::{Deserialize, Serialize};

/// Time gained or lost against a reference lap along the lap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeltaTrace {
    /// Reference track length the distances are scaled to, metres.
    pub length_m: f64,
    /// Normalised distance, 0..1.
    pub distance: Vec<f64>,
    /// Lap minus reference elapsed time at each distance, ms (positive: behind).
    pub delta_ms: Vec<f64>,
    pub lap_time_ms: f64,
    pub reference_lap_time_ms: f64,
    /// The delta at the finish: `lap_time_ms - reference_lap_time_ms`.
    pub final_delta_ms: f64,
}

impl DeltaTrace {
    /// The delta at normalised distance `d`, interpolated.
    pub fn at(&self, d: f64) -> f64 {
        if d >= 1.0 {
            return self.final_delta_ms;
        }
        value_at(&self.delta_ms, d)
    }

    /// The same trace with at most `max_points` points (evenly spaced, always
    /// keeping the first and the last), for charts and JSON responses.
    pub fn downsampled(&self, max_points: usize) -> DeltaTrace {
        let n = self.distance.len();
        let max_points = max_points.max(2);
        if n <= max_points {
            return self.clone();
        }
        let picks: Vec<usize> = (0..max_points).map(|k| k * (n - 1) / (max_points - 1)).collect();
        DeltaTrace {
            distance: picks.iter().map(|&i| self.distance[i]).collect(),
            delta_ms: picks.iter().map(|&i| self.delta_ms[i]).collect(),
            ..self.clone()
        }
    }
}

/// The delta of `lap` against `reference`, on `lap`'s grid (the reference is
/// interpolated when its grid differs). O(grid points).
pub fn delta(lap: &DistanceTrace, reference: &DistanceTrace) -> DeltaTrace {
    let same_grid = lap.points() == reference.points();
    let mut delta_ms: Vec<f64> = lap
        .distance
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let reference_ms = if same_grid { reference.elapsed_ms[i] } else { reference.elapsed_at(d) };
            lap.elapsed_ms[i] - reference_ms
        })
        .collect();
    let final_delta_ms = lap.lap_time_ms - reference.lap_time_ms;
    if let Some(last) = delta_ms.last_mut() {
        *last = final_delta_ms;
    }
    DeltaTrace {
        length_m: lap.length_m,
        distance: lap.distance.clone(),
        delta_ms,
        lap_time_ms: lap.lap_time_ms,
        reference_lap_time_ms: reference.lap_time_ms,
        final_delta_ms,
    }
}
