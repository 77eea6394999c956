//! The theoretical best lap: the best time of every segment (and sector) of a
//! session, whichever lap set it, added up; and which lap holds each best (the
//! "purple" segments and sectors of a timing screen).
//!
//! It tells a driver how much faster they have already been, piece by piece,
//! than their best lap, and where that time is. All laps share one partition
//! (from the track model), so the pieces of different laps line up.

use super::error::AnalysisError;
use serde::Serialize;

/// One lap's piece times (segments of the partition, and sectors).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LapSplits {
    /// The lap's index in the session.
    pub lap: usize,
    pub lap_time_ms: f64,
    pub segment_ms: Vec<f64>,
    pub sector_ms: Vec<f64>,
}

/// The best time of one piece and the lap that set it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BestPart {
    pub index: usize,
    pub name: String,
    pub time_ms: f64,
    pub lap: usize,
}

/// The session's best lap and its theoretical best.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TheoreticalBest {
    pub best_lap: usize,
    pub best_lap_time_ms: f64,
    /// Sum of the best segment times.
    pub theoretical_best_ms: f64,
    pub best_segments: Vec<BestPart>,
    /// Sum of the best sector times.
    pub best_sectors_ms: f64,
    pub best_sectors: Vec<BestPart>,
    /// How much the best lap would gain from its best segments: best lap minus
    /// theoretical best.
    pub gain_ms: f64,
}

/// The theoretical best of `laps`, whose segments are named `segment_names`
/// (sectors are "S1", "S2", ...). Ties go to the earlier lap.
pub fn theoretical_best(laps: &[LapSplits], segment_names: &[String]) -> Result<TheoreticalBest, AnalysisError> {
    let best_lap = laps
        .iter()
        .filter(|l| l.lap_time_ms.is_finite())
        .min_by(|a, b| a.lap_time_ms.total_cmp(&b.lap_time_ms).then(a.lap.cmp(&b.lap)))
        .ok_or(AnalysisError::NoLaps)?;
    let segment_count = laps.iter().map(|l| l.segment_ms.len()).min().unwrap_or(0);
    let sector_count = laps.iter().map(|l| l.sector_ms.len()).min().unwrap_or(0);
    let best_of = |count: usize, times: fn(&LapSplits) -> &[f64], name: &dyn Fn(usize) -> String| {
        (0..count)
            .map(|i| {
                let (lap, time_ms) = laps
                    .iter()
                    .map(|l| (l.lap, times(l)[i]))
                    .filter(|(_, t)| t.is_finite())
                    .fold((best_lap.lap, f64::INFINITY), |best, (lap, t)| if t < best.1 { (lap, t) } else { best });
                BestPart { index: i, name: name(i), time_ms, lap }
            })
            .collect::<Vec<_>>()
    };
    let best_segments = best_of(segment_count, |l| &l.segment_ms, &|i| {
        segment_names.get(i).cloned().unwrap_or_else(|| format!("segment {}", i + 1))
    });
    let best_sectors = best_of(sector_count, |l| &l.sector_ms, &|i| format!("S{}", i + 1));
    let theoretical_best_ms: f64 = best_segments.iter().map(|p| p.time_ms).sum();
    Ok(TheoreticalBest {
        best_lap: best_lap.lap,
        best_lap_time_ms: best_lap.lap_time_ms,
        theoretical_best_ms,
        best_segments,
        best_sectors_ms: best_sectors.iter().map(|p| p.time_ms).sum(),
        best_sectors,
        gain_ms: best_lap.lap_time_ms - theoretical_best_ms,
    })
}
