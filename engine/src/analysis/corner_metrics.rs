//! What the driver did at each corner of a lap: where they braked and how hard,
//! how slow they went and where, when they were back on the throttle, and when
//! they entered, passed the apex and left.
//!
//! These are the numbers a driving coach compares between two laps ("you brake
//! 14 m earlier", "6 km/h less minimum speed"), measured on the distance trace so
//! they are comparable between laps. Windows are bounded by the neighbouring
//! corners: a corner's braking is looked for between the previous corner's end
//! and its apex, its throttle pickup between its slowest point and the next
//! corner. Crossing points are interpolated inside the grid step.

use super::corners::{CornerSpan, TrackModel};
use super::resample::DistanceTrace;
use super::series::index_at;
use serde::{Deserialize, Serialize};

/// Brake pressure (0..1) above which the driver is braking.
pub const BRAKING_THRESHOLD: f64 = 0.1;
/// Throttle (0..1) at which the driver is back on the power.
pub const THROTTLE_ON_THRESHOLD: f64 = 0.2;
/// Throttle (0..1) that counts as full throttle.
pub const FULL_THROTTLE_THRESHOLD: f64 = 0.9;
/// Throttle must stay on for this long (metres) to count as picked up.
const THROTTLE_SUSTAIN_M: f64 = 10.0;
/// The exit's mean throttle is taken over this distance after the slowest point (m).
pub const EXIT_WINDOW_M: f64 = 100.0;
/// Speeds this close to the minimum (share of it, at least the km/h) are the
/// corner's slowest stretch.
const SLOW_STRETCH_SHARE: f64 = 0.003;
const SLOW_STRETCH_MIN_KMH: f64 = 0.3;

/// One corner on one lap. Distances are metres from the line; times are
/// elapsed since the lap started, ms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CornerMetrics {
    pub corner: u32,
    /// Where braking for the corner starts (brake first above the threshold in
    /// the braking run that ends nearest the apex); `None` when the corner is
    /// taken without braking.
    pub braking_point_m: Option<f64>,
    /// Highest brake pressure in the approach, 0..1.
    pub peak_brake: f64,
    pub min_speed_kmh: f64,
    /// The middle of the stretch within a few tenths of a km/h of the minimum.
    pub min_speed_at_m: f64,
    /// First point after the slowest stretch where the throttle is back on (and stays).
    pub throttle_on_m: Option<f64>,
    /// First point after the slowest stretch with full throttle, before the next corner.
    pub full_throttle_m: Option<f64>,
    /// Mean throttle (0..1) over the exit: [`EXIT_WINDOW_M`] from the end of the
    /// slowest stretch, or up to the next corner.
    pub exit_throttle: f64,
    pub entry_ms: f64,
    pub apex_ms: f64,
    pub exit_ms: f64,
    pub entry_speed_kmh: f64,
    pub apex_speed_kmh: f64,
    pub exit_speed_kmh: f64,
    /// Time from the corner's start to its end.
    pub corner_time_ms: f64,
}

/// The metrics of every corner of `model` on `lap`, in corner order.
pub fn corner_metrics(lap: &DistanceTrace, model: &TrackModel) -> Vec<CornerMetrics> {
    let mut corners: Vec<&CornerSpan> = model.corners.iter().collect();
    corners.sort_by(|a, b| a.apex.total_cmp(&b.apex));
    corners
        .iter()
        .enumerate()
        .map(|(i, corner)| {
            let approach_from = if i == 0 { 0.0 } else { corners[i - 1].end.min(corner.apex) };
            let next_start = corners.get(i + 1).map_or(1.0, |next| next.start.max(corner.end));
            measure(lap, corner, approach_from, next_start)
        })
        .collect()
}

fn measure(lap: &DistanceTrace, corner: &CornerSpan, approach_from: f64, next_start: f64) -> CornerMetrics {
    let n = lap.points();
    let at = |d: f64| index_at(n, d);
    let metres = |d: f64| d * lap.length_m;
    let (a0, apex) = (at(approach_from), at(corner.apex));
    let (start, end) = (at(corner.start), at(corner.end).max(at(corner.start)));

    // Braking: the run of brake above the threshold around the approach's peak,
    // back to where it began.
    let approach = a0..=apex.max(a0);
    let peak = approach.clone().max_by(|&a, &b| lap.brake[a].total_cmp(&lap.brake[b]).then(b.cmp(&a))).unwrap_or(a0);
    let peak_brake = lap.brake[peak].max(0.0);
    let braking_point_m = (peak_brake > BRAKING_THRESHOLD).then(|| {
        let mut j = peak;
        while j > a0 && lap.brake[j - 1] > BRAKING_THRESHOLD {
            j -= 1;
        }
        metres(crossing(lap, &lap.brake, j, BRAKING_THRESHOLD))
    });

    // Slowest point of the corner. Arcs are often driven at a constant speed, so
    // the minimum is a stretch: its middle is where the corner is slowest, and
    // the exit (throttle) is measured from its end.
    let slowest = (start..=end).min_by(|&a, &b| lap.speed_kmh[a].total_cmp(&lap.speed_kmh[b]).then(a.cmp(&b)));
    let slowest = slowest.unwrap_or(apex);
    let v_min = lap.speed_kmh[slowest];
    let near = |j: usize| lap.speed_kmh[j] <= v_min + (v_min.abs() * SLOW_STRETCH_SHARE).max(SLOW_STRETCH_MIN_KMH);
    let mut slow_from = slowest;
    while slow_from > start && near(slow_from - 1) {
        slow_from -= 1;
    }
    let mut slow_to = slowest;
    while slow_to < end && near(slow_to + 1) {
        slow_to += 1;
    }

    // Throttle after the slow stretch, before the next corner.
    let limit = at(next_start).max(slow_to);
    let sustain = ((THROTTLE_SUSTAIN_M / lap.step_m().max(1e-9)).round() as usize).max(1);
    let throttle_on = (slow_to..=limit).find(|&j| {
        let stop = (j + sustain).min(limit);
        (j..=stop).all(|k| lap.throttle[k] >= THROTTLE_ON_THRESHOLD)
    });
    let full = (slow_to..=limit).find(|&j| lap.throttle[j] >= FULL_THROTTLE_THRESHOLD);
    let exit_end = (slow_to + (EXIT_WINDOW_M / lap.step_m().max(1e-9)).round() as usize).min(limit);
    let exit = &lap.throttle[slow_to..=exit_end.max(slow_to)];
    let exit_throttle = exit.iter().sum::<f64>() / exit.len() as f64;

    let (entry_ms, apex_ms, exit_ms) =
        (lap.elapsed_at(corner.start), lap.elapsed_at(corner.apex), lap.elapsed_at(corner.end));
    CornerMetrics {
        corner: corner.number,
        braking_point_m,
        peak_brake,
        min_speed_kmh: v_min,
        min_speed_at_m: metres((lap.distance[slow_from] + lap.distance[slow_to]) / 2.0),
        throttle_on_m: throttle_on.map(|j| metres(crossing(lap, &lap.throttle, j, THROTTLE_ON_THRESHOLD))),
        full_throttle_m: full.map(|j| metres(crossing(lap, &lap.throttle, j, FULL_THROTTLE_THRESHOLD))),
        exit_throttle,
        entry_ms,
        apex_ms,
        exit_ms,
        entry_speed_kmh: lap.speed_at(corner.start),
        apex_speed_kmh: lap.speed_at(corner.apex),
        exit_speed_kmh: lap.speed_at(corner.end),
        corner_time_ms: exit_ms - entry_ms,
    }
}

/// Normalised distance where `values` rises through `threshold` between grid
/// points `j - 1` and `j` (`values[j]` is at or above it); `distance[j]` when it
/// was already above at `j - 1` or `j` is the first point.
fn crossing(lap: &DistanceTrace, values: &[f64], j: usize, threshold: f64) -> f64 {
    if j == 0 {
        return lap.distance[0];
    }
    let (v0, v1) = (values[j - 1], values[j]);
    if v0 >= threshold || v1 <= v0 {
        return lap.distance[j];
    }
    let f = ((threshold - v0) / (v1 - v0)).clamp(0.0, 1.0);
    lap.distance[j - 1] + f * (lap.distance[j] - lap.distance[j - 1])
}
