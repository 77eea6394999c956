//! One call for everything the built-in analysis says about a lap, against a
//! reference lap when there is one: the API returns it as JSON and the coach
//! (and the LLM) reads it instead of raw frames.

use super::corner_metrics::{corner_metrics, CornerMetrics};
use super::corners::TrackModel;
use super::delta::{delta, DeltaTrace};
use super::error::AnalysisError;
use super::resample::{resample, DistanceSource, DistanceTrace, ResampleOptions};
use super::segments::{partition, sector_times, segment_times, SegmentTime};
use super::suggestions::{lap_suggestions, Suggestion};
use super::zones::{coaching_zones, zone_losses, ZoneLoss};
use purplesector_proto::v1::TelemetryFrame;
use serde::{Deserialize, Serialize};

/// The analysis of one lap.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LapAnalysis {
    pub lap_time_ms: u32,
    pub reference_lap_time_ms: Option<u32>,
    /// Track length distances are given in (the model's).
    pub length_m: f64,
    /// This lap's own measured length.
    pub measured_length_m: f64,
    pub distance_source: DistanceSource,
    /// Where the line is on the sim's `normalized_position` scale.
    pub line_offset: Option<f64>,
    pub corners: Vec<CornerMetrics>,
    pub reference_corners: Option<Vec<CornerMetrics>>,
    /// The lap's partition (straight, corner, ...), with deltas against the
    /// reference that sum exactly to the lap delta.
    pub segments: Vec<SegmentTime>,
    pub sectors_ms: Vec<f64>,
    pub reference_sectors_ms: Option<Vec<f64>>,
    pub delta: Option<DeltaTrace>,
    /// Time lost per corner zone (braking zone to the next corner's).
    pub zones: Vec<ZoneLoss>,
    /// Ranked by time at stake; empty without a reference.
    pub suggestions: Vec<Suggestion>,
}

/// The lap resampled for `model` (its length, 1 m steps).
pub fn resample_for(
    frames: &[TelemetryFrame],
    lap_time_ms: f64,
    model: &TrackModel,
) -> Result<DistanceTrace, AnalysisError> {
    let length_m = (model.length_m.is_finite() && model.length_m > 0.0).then_some(model.length_m);
    resample(frames, lap_time_ms, &ResampleOptions { length_m, ..ResampleOptions::default() })
}

/// Analyses `lap` (frames in seq order, official time `lap_time_ms`) on `model`,
/// against `reference` (frames and official time) when given. Pure and
/// deterministic; O(frames + track length).
pub fn analyse_lap(
    lap: &[TelemetryFrame],
    lap_time_ms: u32,
    reference: Option<(&[TelemetryFrame], u32)>,
    model: &TrackModel,
) -> Result<LapAnalysis, AnalysisError> {
    let trace = resample_for(lap, f64::from(lap_time_ms), model)?;
    let reference_trace = match reference {
        Some((frames, time)) => Some(
            resample_for(frames, f64::from(time), model)
                .map_err(|reason| AnalysisError::Reference { reason: Box::new(reason) })?,
        ),
        None => None,
    };
    Ok(analyse_traces(&trace, reference_trace.as_ref(), model))
}

/// [`analyse_lap`] on laps already resampled for `model`.
pub fn analyse_traces(trace: &DistanceTrace, reference: Option<&DistanceTrace>, model: &TrackModel) -> LapAnalysis {
    let corners = corner_metrics(trace, model);
    let reference_corners = reference.map(|r| corner_metrics(r, model));
    let segments = segment_times(trace, reference, &partition(model));
    let (zones, suggestions) = match (reference, &reference_corners) {
        (Some(r), Some(rc)) => {
            let zones = coaching_zones(model, &[&corners, rc]);
            let losses = zone_losses(trace, r, &zones);
            let suggestions = lap_suggestions(&corners, rc, &losses);
            (losses, suggestions)
        }
        _ => (Vec::new(), Vec::new()),
    };
    LapAnalysis {
        lap_time_ms: to_ms(trace.lap_time_ms),
        reference_lap_time_ms: reference.map(|r| to_ms(r.lap_time_ms)),
        length_m: trace.length_m,
        measured_length_m: trace.measured_length_m,
        distance_source: trace.source,
        line_offset: trace.line_offset,
        corners,
        reference_corners,
        segments,
        sectors_ms: sector_times(trace),
        reference_sectors_ms: reference.map(sector_times),
        delta: reference.map(|r| delta(trace, r)),
        zones,
        suggestions,
    }
}

fn to_ms(ms: f64) -> u32 {
    ms.round().clamp(0.0, f64::from(u32::MAX)) as u32
}
