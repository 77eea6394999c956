//! How consistent a driver is across a session: the spread of lap times and of
//! the time each corner's zone takes from lap to lap.
//!
//! A corner that is fast once and slow four times is worth more practice than
//! one that is always a little slow; the spread and how many laps lose time
//! there against the session's best for that corner is what tells them apart.

use super::resample::DistanceTrace;
use super::series::mean_and_std;
use super::zones::{zone_time, CornerZone};
use serde::Serialize;

/// A lap loses time in a zone when it is this much (ms) slower than the best lap there.
pub const LOSING_MS: f64 = 50.0;

/// One corner's zone across the laps of a session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CornerConsistency {
    pub corner: u32,
    pub laps: u32,
    pub best_ms: f64,
    /// Index (in the session's laps) of the lap with the best time here.
    pub best_lap: usize,
    pub mean_ms: f64,
    pub std_ms: f64,
    pub worst_ms: f64,
    /// Laps at least [`LOSING_MS`] slower than the best here.
    pub laps_losing: u32,
}

/// Lap-time spread across a session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LapTimeConsistency {
    pub laps: u32,
    pub best_ms: f64,
    pub mean_ms: f64,
    pub std_ms: f64,
    pub worst_ms: f64,
}

/// Zone times of every corner across `laps` (session index, trace).
pub fn corner_consistency(laps: &[(usize, &DistanceTrace)], zones: &[CornerZone]) -> Vec<CornerConsistency> {
    zones
        .iter()
        .filter(|_| !laps.is_empty())
        .map(|zone| {
            let times: Vec<(usize, f64)> = laps.iter().map(|(i, lap)| (*i, zone_time(lap, zone))).collect();
            let values: Vec<f64> = times.iter().map(|(_, t)| *t).collect();
            let (best_lap, best_ms) =
                times.iter().copied().fold((times[0].0, f64::INFINITY), |b, (i, t)| if t < b.1 { (i, t) } else { b });
            let (mean_ms, std_ms) = mean_and_std(&values);
            CornerConsistency {
                corner: zone.corner,
                laps: times.len() as u32,
                best_ms,
                best_lap,
                mean_ms,
                std_ms,
                worst_ms: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                laps_losing: values.iter().filter(|&&t| t - best_ms >= LOSING_MS).count() as u32,
            }
        })
        .collect()
}

/// Lap-time statistics of `times_ms` (`None` for no laps).
pub fn lap_time_consistency(times_ms: &[f64]) -> Option<LapTimeConsistency> {
    if times_ms.is_empty() {
        return None;
    }
    let (mean_ms, std_ms) = mean_and_std(times_ms);
    Some(LapTimeConsistency {
        laps: times_ms.len() as u32,
        best_ms: times_ms.iter().copied().fold(f64::INFINITY, f64::min),
        mean_ms,
        std_ms,
        worst_ms: times_ms.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    })
}
