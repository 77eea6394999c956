//! A session's laps together: the best lap, the theoretical best from the best
//! segments and sectors (and which lap holds each), how consistent the driver is
//! per corner, and the consistency suggestions.
//!
//! Only valid laps count towards bests and consistency (a cut corner is not a
//! best segment); invalid laps are still listed with their splits. A lap that
//! cannot be analysed at all is listed in `skipped` with the reason, and the
//! rest of the session is analysed without it.

use super::consistency::{corner_consistency, lap_time_consistency, CornerConsistency, LapTimeConsistency};
use super::corner_metrics::{corner_metrics, CornerMetrics};
use super::corners::TrackModel;
use super::error::AnalysisError;
use super::lap::resample_for;
use super::resample::DistanceTrace;
use super::segments::{partition, sector_times, segment_times, Segment};
use super::suggestions::{consistency_suggestions, Suggestion};
use super::theoretical_best::{theoretical_best, LapSplits, TheoreticalBest};
use super::zones::{coaching_zones, CornerZone};
use purplesector_proto::v1::TelemetryFrame;
use serde::Serialize;

/// One lap of a session as stored: frames in seq order and the official time.
#[derive(Debug, Clone, Copy)]
pub struct SessionLap<'a> {
    pub frames: &'a [TelemetryFrame],
    pub lap_time_ms: u32,
    /// Whether the lap counts (not cut, not an in- or out-lap).
    pub valid: bool,
}

/// One analysed lap's splits and where it set a session best.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LapSummary {
    /// Index in the laps given to [`analyse_session`].
    pub lap: usize,
    pub lap_time_ms: u32,
    pub valid: bool,
    /// Behind the session's best lap, ms.
    pub gap_to_best_ms: f64,
    pub sector_ms: Vec<f64>,
    /// Sectors in which this lap holds the session best.
    pub purple_sectors: Vec<bool>,
    pub segment_ms: Vec<f64>,
    pub purple_segments: Vec<bool>,
}

/// A lap left out of the analysis, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedLap {
    pub lap: usize,
    pub error: AnalysisError,
}

/// The analysis of a session's laps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionAnalysis {
    pub length_m: f64,
    /// The partition all segment times refer to.
    pub segments: Vec<Segment>,
    pub zones: Vec<CornerZone>,
    pub laps: Vec<LapSummary>,
    pub skipped: Vec<SkippedLap>,
    pub theoretical_best: TheoreticalBest,
    pub lap_times: LapTimeConsistency,
    pub corners: Vec<CornerConsistency>,
    /// Consistency suggestions, ranked by time at stake.
    pub suggestions: Vec<Suggestion>,
}

/// Analyses a session's laps on `model`. Fails only when no valid lap can be
/// analysed. O(total frames + laps × track length).
pub fn analyse_session(laps: &[SessionLap], model: &TrackModel) -> Result<SessionAnalysis, AnalysisError> {
    let segments = partition(model);
    let mut traces: Vec<(usize, &SessionLap, DistanceTrace)> = Vec::new();
    let mut skipped = Vec::new();
    for (i, lap) in laps.iter().enumerate() {
        match resample_for(lap.frames, f64::from(lap.lap_time_ms), model) {
            Ok(trace) => traces.push((i, lap, trace)),
            Err(error) => skipped.push(SkippedLap { lap: i, error }),
        }
    }
    let splits: Vec<(bool, LapSplits)> = traces
        .iter()
        .map(|(i, lap, trace)| {
            let segment_ms = segment_times(trace, None, &segments).iter().map(|s| s.time_ms).collect();
            (
                lap.valid,
                LapSplits { lap: *i, lap_time_ms: trace.lap_time_ms, segment_ms, sector_ms: sector_times(trace) },
            )
        })
        .collect();
    let valid_splits: Vec<LapSplits> = splits.iter().filter(|(valid, _)| *valid).map(|(_, s)| s.clone()).collect();
    let names: Vec<String> = segments.iter().map(|s| s.name.clone()).collect();
    let best = theoretical_best(&valid_splits, &names)?;

    let valid: Vec<(usize, &DistanceTrace)> =
        traces.iter().filter(|(_, lap, _)| lap.valid).map(|(i, _, trace)| (*i, trace)).collect();
    let metrics: Vec<Vec<CornerMetrics>> = valid.iter().map(|(_, trace)| corner_metrics(trace, model)).collect();
    let metric_refs: Vec<&[CornerMetrics]> = metrics.iter().map(|m| m.as_slice()).collect();
    let zones = coaching_zones(model, &metric_refs);
    let corners = corner_consistency(&valid, &zones);
    let valid_times: Vec<f64> = valid.iter().map(|(_, t)| t.lap_time_ms).collect();
    let lap_times = lap_time_consistency(&valid_times).ok_or(AnalysisError::NoLaps)?;

    let summaries = splits
        .iter()
        .map(|(valid, s)| LapSummary {
            lap: s.lap,
            lap_time_ms: s.lap_time_ms.round() as u32,
            valid: *valid,
            gap_to_best_ms: s.lap_time_ms - best.best_lap_time_ms,
            purple_sectors: best.best_sectors.iter().map(|p| *valid && p.lap == s.lap).collect(),
            purple_segments: best.best_segments.iter().map(|p| *valid && p.lap == s.lap).collect(),
            sector_ms: s.sector_ms.clone(),
            segment_ms: s.segment_ms.clone(),
        })
        .collect();
    Ok(SessionAnalysis {
        length_m: traces.first().map_or(model.length_m, |(_, _, t)| t.length_m),
        segments,
        suggestions: consistency_suggestions(&corners),
        zones,
        laps: summaries,
        skipped,
        theoretical_best: best,
        lap_times,
        corners,
    })
}
