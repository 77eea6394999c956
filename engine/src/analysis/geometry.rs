//! The track's shape from a lap: signed curvature along the lap, the raw
//! material of corner detection.
//!
//! Curvature comes from the car's world positions (the heading of the path and
//! how fast it turns per metre) and, when a sim reports no positions, from the
//! lateral acceleration (`a = v²·k`). Sims disagree on axes: the horizontal plane
//! is taken as the two axes along which the lap spreads most, and whether a turn
//! of the path is a left or a right comes from the steering (or lateral g)
//! agreeing with it, so a left-handed world gives the same answer.

use super::resample::DistanceTrace;
use serde::{Deserialize, Serialize};
use std::f64::consts::{PI, TAU};

/// Standard gravity, m/s².
const G: f64 = 9.80665;
/// Half the chord over which a heading is measured, metres.
const HEADING_HALF_CHORD_M: f64 = 4.0;
/// A lap whose positions spread less than this in the plane has no usable geometry.
const MIN_EXTENT_M: f64 = 50.0;
/// Below this speed lateral acceleration says nothing about curvature (m/s).
const MIN_SPEED_MS: f64 = 5.0;

/// Where a curvature came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CurvatureSource {
    /// No curvature: corners from the speed profile alone.
    SpeedOnly,
    LateralAcceleration,
    WorldPosition,
}

/// Curvature at every grid point of a trace, 1/m, positive to the left.
#[derive(Debug, Clone)]
pub(crate) struct Curvature {
    pub per_m: Vec<f64>,
    pub source: CurvatureSource,
}

/// The best curvature the trace allows, or `None` when it has neither usable
/// positions nor lateral acceleration.
pub(crate) fn curvature(trace: &DistanceTrace) -> Option<Curvature> {
    if let Some(per_m) = trace.position.as_ref().and_then(|p| from_positions(trace, p)) {
        return Some(Curvature { per_m, source: CurvatureSource::WorldPosition });
    }
    let g_lat = trace.g_lat.as_ref()?;
    if g_lat.iter().all(|g| g.abs() < 1e-3) {
        return None;
    }
    let per_m = g_lat
        .iter()
        .zip(&trace.speed_kmh)
        .map(|(g, kmh)| {
            let v = kmh / 3.6;
            // g_lat is positive to the right; curvature positive to the left.
            if v >= MIN_SPEED_MS {
                -g * G / (v * v)
            } else {
                0.0
            }
        })
        .collect();
    Some(Curvature { per_m, source: CurvatureSource::LateralAcceleration })
}

fn from_positions(trace: &DistanceTrace, position: &[[f64; 3]]) -> Option<Vec<f64>> {
    let n = position.len();
    if n < 8 {
        return None;
    }
    // The horizontal plane: the two axes with the largest extent, in axis order.
    let extent = |a: usize| {
        let (lo, hi) = position.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p[a]), hi.max(p[a])));
        hi - lo
    };
    let extents = [extent(0), extent(1), extent(2)];
    let vertical = (0..3).min_by(|&a, &b| extents[a].total_cmp(&extents[b])).unwrap_or(2);
    let (ax, ay) = match vertical {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };
    if extents[ax] < MIN_EXTENT_M || extents[ay] < MIN_EXTENT_M {
        return None;
    }
    let step = trace.step_m();
    let h = ((HEADING_HALF_CHORD_M / step).round() as usize).max(1);
    let heading: Vec<f64> = (0..n)
        .map(|i| {
            let (a, b) = (&position[i.saturating_sub(h)], &position[(i + h).min(n - 1)]);
            (b[ay] - a[ay]).atan2(b[ax] - a[ax])
        })
        .collect();
    let mut per_m: Vec<f64> = (0..n)
        .map(|i| {
            let (lo, hi) = (i.saturating_sub(h), (i + h).min(n - 1));
            if hi == lo {
                return 0.0;
            }
            wrap_angle(heading[hi] - heading[lo]) / ((hi - lo) as f64 * step)
        })
        .collect();
    // Left or right: agree with the driver's steering (negative left) or lateral g
    // (positive right), whichever the sim reports.
    let reference: &[f64] = match &trace.g_lat {
        Some(g) if g.iter().any(|v| v.abs() > 1e-3) => g,
        _ => &trace.steering,
    };
    let agreement: f64 = per_m.iter().zip(reference).map(|(k, r)| -k * r).sum();
    if agreement < 0.0 {
        per_m.iter_mut().for_each(|k| *k = -*k);
    }
    Some(per_m)
}

/// An angle in (-π, π].
fn wrap_angle(angle: f64) -> f64 {
    let wrapped = (angle + PI).rem_euclid(TAU) - PI;
    if wrapped <= -PI {
        wrapped + TAU
    } else {
        wrapped
    }
}
