//! The lap cut into pieces that account for every millisecond: straight, corner,
//! straight, ... from the line to the line, and sectors (equal thirds).
//!
//! "Where is the time?" needs an answer whose parts add up: the time gained or
//! lost in each piece, summed, must be exactly the lap delta, or the driver is
//! shown numbers that do not agree with the lap times. Piece times are
//! differences of the elapsed-time trace at the piece boundaries, so they
//! telescope to the lap time; the last piece takes the remainder, so the sum is
//! exact in floating point too.

use super::corners::TrackModel;
use super::resample::DistanceTrace;
use serde::{Deserialize, Serialize};

/// Number of sectors a lap is split into (equal thirds of the distance).
pub const SECTORS: usize = 3;

/// What a segment of the lap is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    Straight,
    Corner,
}

/// One piece of the lap's partition, as normalised distances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Position in the partition, from 0.
    pub index: usize,
    pub kind: SegmentKind,
    /// The corner's number, for corner segments.
    pub corner: Option<u32>,
    /// "T3", "T3 to T4", "start to T1", "T10 to finish".
    pub name: String,
    pub start: f64,
    pub end: f64,
}

/// A segment's time on a lap, and against a reference lap when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentTime {
    pub index: usize,
    pub kind: SegmentKind,
    pub corner: Option<u32>,
    pub name: String,
    pub start_m: f64,
    pub end_m: f64,
    pub time_ms: f64,
    pub reference_ms: Option<f64>,
    /// Time lost (positive) or gained against the reference; these sum to the lap delta.
    pub delta_ms: Option<f64>,
}

/// The partition of a lap on `model`: a segment per corner and one per straight
/// between them (empty straights left out), covering 0..1 without gaps. Where
/// two corners overlap, the boundary is the middle of the overlap.
pub fn partition(model: &TrackModel) -> Vec<Segment> {
    let mut spans: Vec<(u32, f64, f64)> = model
        .corners
        .iter()
        .filter(|c| c.start.is_finite() && c.end.is_finite())
        .map(|c| (c.number, c.start.clamp(0.0, 1.0), c.end.clamp(0.0, 1.0)))
        .collect();
    spans.sort_by(|a, b| (a.1 + a.2).total_cmp(&(b.1 + b.2)));
    for i in 1..spans.len() {
        let previous_end = spans[i - 1].2;
        if spans[i].1 < previous_end {
            let middle = ((spans[i].1 + previous_end) / 2.0).max(spans[i - 1].1);
            spans[i - 1].2 = middle;
            spans[i].1 = middle;
        }
        spans[i].2 = spans[i].2.max(spans[i].1);
    }
    let mut segments = Vec::with_capacity(spans.len() * 2 + 1);
    let mut at = 0.0;
    let mut previous: Option<u32> = None;
    let push = |segments: &mut Vec<Segment>, kind, corner, name: String, start: f64, end: f64| {
        segments.push(Segment { index: segments.len(), kind, corner, name, start, end });
    };
    for &(number, start, end) in &spans {
        if start > at {
            let name = match previous {
                Some(p) => format!("T{p} to T{number}"),
                None => format!("start to T{number}"),
            };
            push(&mut segments, SegmentKind::Straight, None, name, at, start);
        }
        push(&mut segments, SegmentKind::Corner, Some(number), format!("T{number}"), start, end);
        at = end;
        previous = Some(number);
    }
    if at < 1.0 || segments.is_empty() {
        let name = match previous {
            Some(p) => format!("T{p} to finish"),
            None => "start to finish".to_string(),
        };
        push(&mut segments, SegmentKind::Straight, None, name, at, 1.0);
    }
    segments
}

/// Times of consecutive pieces `[bounds[i], bounds[i+1]]` of a lap, the last one
/// the remainder of the lap time, so that they sum to it exactly.
fn piece_times(lap: &DistanceTrace, bounds: &[f64]) -> Vec<f64> {
    let mut times: Vec<f64> = bounds.windows(2).map(|w| lap.elapsed_at(w[1]) - lap.elapsed_at(w[0])).collect();
    if let Some(last) = times.len().checked_sub(1) {
        let others: f64 = times[..last].iter().sum();
        times[last] = lap.lap_time_ms - lap.elapsed_at(bounds[0]) - others;
    }
    times
}

fn bounds(segments: &[Segment]) -> Vec<f64> {
    let mut bounds: Vec<f64> = segments.iter().map(|s| s.start).collect();
    bounds.push(segments.last().map_or(1.0, |s| s.end));
    bounds
}

/// Each segment's time on `lap`, and against `reference` when given; the deltas
/// sum exactly to `lap_time - reference_time` (the last takes the remainder).
pub fn segment_times(lap: &DistanceTrace, reference: Option<&DistanceTrace>, segments: &[Segment]) -> Vec<SegmentTime> {
    let bounds = bounds(segments);
    let times = piece_times(lap, &bounds);
    let reference_times = reference.map(|r| piece_times(r, &bounds));
    let mut deltas: Option<Vec<f64>> =
        reference_times.as_ref().map(|r| times.iter().zip(r).map(|(a, b)| a - b).collect());
    if let (Some(deltas), Some(reference)) = (deltas.as_mut(), reference) {
        if let Some(last) = deltas.len().checked_sub(1) {
            let others: f64 = deltas[..last].iter().sum();
            deltas[last] = (lap.lap_time_ms - reference.lap_time_ms) - others;
        }
    }
    segments
        .iter()
        .enumerate()
        .map(|(i, s)| SegmentTime {
            index: s.index,
            kind: s.kind,
            corner: s.corner,
            name: s.name.clone(),
            start_m: s.start * lap.length_m,
            end_m: s.end * lap.length_m,
            time_ms: times[i],
            reference_ms: reference_times.as_ref().map(|r| r[i]),
            delta_ms: deltas.as_ref().map(|d| d[i]),
        })
        .collect()
}

/// The lap's sector times (equal thirds of the distance); they sum to the lap time.
pub fn sector_times(lap: &DistanceTrace) -> Vec<f64> {
    let bounds: Vec<f64> = (0..=SECTORS).map(|i| i as f64 / SECTORS as f64).collect();
    piece_times(lap, &bounds)
}
