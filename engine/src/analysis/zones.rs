//! Coaching zones: the stretch of track each corner is responsible for, from
//! its braking zone to the next corner's, and the time a lap gains or loses in
//! each against a reference.
//!
//! The corner/straight partition answers "where on the track"; a driver needs
//! "which corner cost me": braking too early costs time on the straight before
//! the corner, and a slow exit costs it on the straight after. So each corner's
//! zone starts a little before the earliest braking point of the laps compared
//! and runs to the next corner's zone; the stretch from the line to the first
//! zone is the start. Zones partition the lap, so their losses sum to the lap
//! delta too.

use super::corner_metrics::CornerMetrics;
use super::corners::TrackModel;
use super::resample::DistanceTrace;
use serde::{Deserialize, Serialize};

/// A zone starts this far (metres) before the earliest braking point.
const BEFORE_BRAKING_M: f64 = 10.0;

/// The stretch a corner is responsible for, as normalised distances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CornerZone {
    pub corner: u32,
    pub start: f64,
    pub apex: f64,
    pub end: f64,
}

/// Time a lap loses (positive) or gains in one corner's zone against a reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZoneLoss {
    pub corner: u32,
    pub start_m: f64,
    pub end_m: f64,
    pub lap_ms: f64,
    pub reference_ms: f64,
    pub loss_ms: f64,
    /// Of which from the zone's start to the apex (braking and entry)...
    pub entry_loss_ms: f64,
    /// ...and from the apex to the zone's end (exit and the straight after).
    pub exit_loss_ms: f64,
}

/// The zones of `model`'s corners given the corner metrics of the laps compared
/// (each slice in corner order, as [`super::corner_metrics::corner_metrics`]
/// returns them). Zones are in corner order, contiguous, and the last ends at 1.
pub fn coaching_zones(model: &TrackModel, laps: &[&[CornerMetrics]]) -> Vec<CornerZone> {
    let mut corners: Vec<_> = model.corners.iter().collect();
    corners.sort_by(|a, b| a.apex.total_cmp(&b.apex));
    let length = model.length_m.max(1.0);
    let mut starts: Vec<f64> = Vec::with_capacity(corners.len());
    for (i, corner) in corners.iter().enumerate() {
        let earliest_braking = laps
            .iter()
            .filter_map(|metrics| metrics.iter().find(|m| m.corner == corner.number))
            .filter_map(|m| m.braking_point_m)
            .map(|m| (m - BEFORE_BRAKING_M) / length)
            .fold(f64::INFINITY, f64::min);
        let floor = if i == 0 { 0.0 } else { corners[i - 1].apex.max(starts[i - 1]) };
        let start = earliest_braking.min(corner.start).min(corner.apex).max(floor).clamp(0.0, 1.0);
        starts.push(start);
    }
    corners
        .iter()
        .enumerate()
        .map(|(i, corner)| CornerZone {
            corner: corner.number,
            start: starts[i],
            apex: corner.apex.clamp(starts[i], 1.0),
            end: starts.get(i + 1).copied().unwrap_or(1.0),
        })
        .collect()
}

/// Each zone's time on `lap` and on `reference` and the difference.
pub fn zone_losses(lap: &DistanceTrace, reference: &DistanceTrace, zones: &[CornerZone]) -> Vec<ZoneLoss> {
    let delta = |d: f64| lap.elapsed_at(d) - reference.elapsed_at(d);
    zones
        .iter()
        .map(|z| {
            let (lap_ms, reference_ms) = (zone_time(lap, z), zone_time(reference, z));
            ZoneLoss {
                corner: z.corner,
                start_m: z.start * lap.length_m,
                end_m: z.end * lap.length_m,
                lap_ms,
                reference_ms,
                loss_ms: lap_ms - reference_ms,
                entry_loss_ms: delta(z.apex) - delta(z.start),
                exit_loss_ms: delta(z.end) - delta(z.apex),
            }
        })
        .collect()
}

/// Time `lap` spends in `zone`, ms.
pub fn zone_time(lap: &DistanceTrace, zone: &CornerZone) -> f64 {
    lap.elapsed_at(zone.end) - lap.elapsed_at(zone.start)
}
