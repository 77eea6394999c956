//! Corners of a track, found in the laps driven on it, and the track model that
//! keeps them numbered the same way across laps and sessions.
//!
//! Coaching speaks of "Turn 6", so corners need stable numbers, and the sims do
//! not say where their corners are. A corner is where the car's path turns: the
//! curvature of the world positions (or, without positions, lateral g over
//! speed squared), smoothed over 40 m, stays on one side for a stretch that turns
//! the car by at least [`MIN_TURN_DEG`] (stretches the same way a few metres
//! apart are one corner). Its start and end are where the path has made 5 % and
//! 95 % of that turn; its apex is the middle of the stretch where the path turns
//! at least 30 % as hard as at its tightest, which stays on the middle of the arc
//! even where a racing line straightens a fast corner (tightest on entry and
//! exit, nearly straight at the apex). A sim that reports neither positions nor
//! lateral g still has a speed trace: corners are then its clear local minima.
//!
//! Corners are numbered from the line in driving order. A [`TrackModel`] is
//! stored per track and refined as laps come in: a new lap's corners are matched
//! to the model's by apex distance, matched corners average their positions, and a
//! corner the model lacks must be seen on two laps (and half of them) before it
//! joins, so one lap with a car running off track does not renumber the track.

use super::error::AnalysisError;
use super::geometry::{curvature, CurvatureSource};
use super::resample::{resample, DistanceTrace, ResampleOptions};
use super::series::{index_at, moving_average};
use purplesector_proto::v1::TelemetryFrame;
use serde::{Deserialize, Serialize};

/// A stretch must turn the car at least this much to be a corner.
pub const MIN_TURN_DEG: f64 = 15.0;
/// Half-width of the curvature smoothing that finds corners, metres.
const SMOOTH_HALF_M: f64 = 20.0;
/// Smoothed curvature below this (1/m; a 3.3 km radius) is straight.
const STRAIGHT_PER_M: f64 = 0.0003;
/// A corner's smoothed curvature must peak at least here (1/m; a 500 m radius).
const CORNER_PEAK_PER_M: f64 = 0.002;
/// Two stretches turning the same way are one corner when less than this (m)
/// separates them and the path does not turn the other way by more than
/// [`MERGE_COUNTER_TURN_DEG`] in between.
const MERGE_GAP_M: f64 = 30.0;
const MERGE_COUNTER_TURN_DEG: f64 = 5.0;
/// Half-width of the smoothing of the reported minimum radius, metres.
const RADIUS_SMOOTH_HALF_M: f64 = 5.0;
/// Shares of a corner's turn at its start, apex and end.
const START_SHARE: f64 = 0.05;
const END_SHARE: f64 = 0.95;
/// The apex weighs curvature above this share of the corner's peak.
const APEX_FLOOR_SHARE: f64 = 0.3;
/// Speed-only detection: a minimum must be this far (km/h) below the speeds
/// before and after it.
const SPEED_PROMINENCE_KMH: f64 = 10.0;
/// Speed-only detection: the corner spans the speeds up to this share of the
/// drop above its minimum (at least [`SPEED_SPAN_MIN_KMH`]).
const SPEED_SPAN_SHARE: f64 = 0.1;
const SPEED_SPAN_MIN_KMH: f64 = 5.0;
/// Two detections are the same corner when their apexes are this close, metres.
pub const MATCH_TOLERANCE_M: f64 = 40.0;

/// Which way a corner turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Left,
    Right,
    /// Speed-only detection without a steering channel.
    Unknown,
}

/// One corner, its positions as normalised distances from the line (0..1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CornerSpan {
    /// 1-based, in driving order from the line.
    pub number: u32,
    pub start: f64,
    pub apex: f64,
    pub end: f64,
    pub direction: Direction,
    /// Tightest radius of the driven path, metres (`None` from speed-only detection).
    pub min_radius_m: Option<f64>,
    /// How much the corner turns the car, degrees (`None` from speed-only detection).
    pub angle_deg: Option<f64>,
    /// Laps on which this corner was found.
    pub observations: u32,
}

/// The corners of a track, numbered from the line, and the length laps are
/// scaled to; stored per track (it round-trips through JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackModel {
    pub length_m: f64,
    pub corners: Vec<CornerSpan>,
    /// What the corners were found from.
    pub source: CurvatureSource,
    /// Laps that built the model.
    pub laps: u32,
    /// Corners seen on some laps but not yet on enough of them to be numbered.
    pub candidates: Vec<CornerSpan>,
}

impl TrackModel {
    /// A model without corners (every lap is one straight) of the given length.
    pub fn empty(length_m: f64) -> TrackModel {
        TrackModel {
            length_m,
            corners: Vec::new(),
            source: CurvatureSource::SpeedOnly,
            laps: 0,
            candidates: Vec::new(),
        }
    }

    /// The model of one lap: its corners and its measured length.
    pub fn from_lap(lap: &DistanceTrace) -> TrackModel {
        let (corners, source) = detect_corners(lap);
        TrackModel { length_m: lap.length_m, corners, source, laps: 1, candidates: Vec::new() }
    }

    /// Corner `number`, if the model has it.
    pub fn corner(&self, number: u32) -> Option<&CornerSpan> {
        self.corners.iter().find(|c| c.number == number)
    }
}

/// The model of a track from some of its laps (frames in seq order, official
/// time): the first lap that can be analysed builds it (its own measured length
/// becomes the model's), every later one refines it. Choose a clean lap first:
/// corners the first lap shows are numbered at once.
pub fn build_model(laps: &[(&[TelemetryFrame], u32)]) -> Result<TrackModel, AnalysisError> {
    let mut model: Option<TrackModel> = None;
    let mut first_error = None;
    for &(frames, lap_time_ms) in laps {
        let options = match &model {
            Some(m) => ResampleOptions::for_length(m.length_m),
            None => ResampleOptions::default(),
        };
        match resample(frames, f64::from(lap_time_ms), &options) {
            Ok(trace) => {
                model = Some(match &model {
                    Some(m) => refine(m, &trace),
                    None => TrackModel::from_lap(&trace),
                });
            }
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    model.ok_or(first_error.unwrap_or(AnalysisError::NoLaps))
}

/// The corners of one lap, numbered from the line, and what they were found from.
pub fn detect_corners(lap: &DistanceTrace) -> (Vec<CornerSpan>, CurvatureSource) {
    let mut corners = match curvature(lap) {
        Some(k) => (from_curvature(lap, &k.per_m), k.source),
        None => (from_speed(lap), CurvatureSource::SpeedOnly),
    };
    renumber(&mut corners.0);
    corners
}

/// The model refined with one more lap (see the module docs). A lap whose corners
/// come from a poorer source than the model's (no positions where the model had
/// them) only counts; one from a better source replaces the corners, keeping the
/// observations of those it matches.
pub fn refine(model: &TrackModel, lap: &DistanceTrace) -> TrackModel {
    let (found, source) = detect_corners(lap);
    let laps = model.laps + 1;
    let length_m = if lap.measured_length_m.is_finite() && lap.measured_length_m > 0.0 && model.laps > 0 {
        (model.length_m * f64::from(model.laps) + lap.measured_length_m) / f64::from(laps)
    } else {
        model.length_m
    };
    let mut next = TrackModel { length_m, laps, ..model.clone() };
    if source < model.source && model.laps > 0 {
        return next;
    }
    if source > model.source || model.laps == 0 {
        let mut corners = found;
        let (pairs, _) = pair_up(&model.corners, &corners, length_m);
        for (i, j) in pairs {
            corners[j].observations += model.corners[i].observations;
        }
        next.corners = corners;
        next.candidates.clear();
        next.source = source;
        return next;
    }
    let (pairs, unmatched) = pair_up(&next.corners, &found, length_m);
    for (i, j) in pairs {
        merge(&mut next.corners[i], &found[j]);
    }
    // Corners the model lacks wait as candidates until seen often enough.
    let unmatched: Vec<CornerSpan> = unmatched.into_iter().map(|j| found[j].clone()).collect();
    let (pairs, new_candidates) = pair_up(&next.candidates, &unmatched, length_m);
    for (i, j) in pairs {
        merge(&mut next.candidates[i], &unmatched[j]);
    }
    next.candidates.extend(new_candidates.into_iter().map(|j| unmatched[j].clone()));
    let (promoted, waiting): (Vec<CornerSpan>, Vec<CornerSpan>) =
        next.candidates.drain(..).partition(|c| c.observations >= 2 && c.observations * 2 >= laps);
    next.candidates = waiting;
    if !promoted.is_empty() {
        next.corners.extend(promoted);
        renumber(&mut next.corners);
    }
    next
}

/// Pairs `known` corners with `found` ones whose apexes are within the match
/// tolerance and which turn the same way, closest pairs first; returns the pairs
/// `(known index, found index)` and the indices of the found corners left over.
fn pair_up(known: &[CornerSpan], found: &[CornerSpan], length_m: f64) -> (Vec<(usize, usize)>, Vec<usize>) {
    let tolerance = MATCH_TOLERANCE_M / length_m.max(1.0);
    let same_way = |a: Direction, b: Direction| a == b || a == Direction::Unknown || b == Direction::Unknown;
    let mut candidates: Vec<(f64, usize, usize)> = Vec::new();
    for (i, k) in known.iter().enumerate() {
        for (j, f) in found.iter().enumerate() {
            let apart = (k.apex - f.apex).abs();
            if apart <= tolerance && same_way(k.direction, f.direction) {
                candidates.push((apart, i, j));
            }
        }
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let (mut known_taken, mut found_taken) = (vec![false; known.len()], vec![false; found.len()]);
    let mut pairs = Vec::new();
    for (_, i, j) in candidates {
        if !known_taken[i] && !found_taken[j] {
            known_taken[i] = true;
            found_taken[j] = true;
            pairs.push((i, j));
        }
    }
    let left = (0..found.len()).filter(|&j| !found_taken[j]).collect();
    (pairs, left)
}

/// Folds a new observation into a corner: positions are running means.
fn merge(into: &mut CornerSpan, new: &CornerSpan) {
    let n = f64::from(into.observations.max(1));
    let mean = |old: f64, new: f64| (old * n + new) / (n + 1.0);
    into.start = mean(into.start, new.start);
    into.apex = mean(into.apex, new.apex);
    into.end = mean(into.end, new.end);
    into.min_radius_m = match (into.min_radius_m, new.min_radius_m) {
        (Some(a), Some(b)) => Some(mean(a, b)),
        (a, b) => a.or(b),
    };
    into.angle_deg = match (into.angle_deg, new.angle_deg) {
        (Some(a), Some(b)) => Some(mean(a, b)),
        (a, b) => a.or(b),
    };
    if into.direction == Direction::Unknown {
        into.direction = new.direction;
    }
    into.observations += 1;
}

/// Sorts corners by apex and numbers them from 1.
fn renumber(corners: &mut [CornerSpan]) {
    corners.sort_by(|a, b| a.apex.total_cmp(&b.apex));
    for (i, corner) in corners.iter_mut().enumerate() {
        corner.number = i as u32 + 1;
    }
}

fn from_curvature(lap: &DistanceTrace, per_m: &[f64]) -> Vec<CornerSpan> {
    let n = per_m.len();
    let step = lap.step_m();
    if n < 3 || !(step.is_finite() && step > 0.0) {
        return Vec::new();
    }
    let per_m: Vec<f64> = per_m.iter().map(|k| if k.is_finite() { *k } else { 0.0 }).collect();
    let smooth = moving_average(&per_m, (SMOOTH_HALF_M / step).round() as usize);
    let fine = moving_average(&per_m, (RADIUS_SMOOTH_HALF_M / step).round() as usize);
    // Runs of curvature on one side, then same-side runs merged across short
    // gaps that do not turn the other way (a racing line that straightens the
    // middle of a corner does not make it two).
    let mut runs: Vec<(usize, usize, f64)> = Vec::new();
    let mut i = 0;
    while i < n {
        if smooth[i].abs() < STRAIGHT_PER_M {
            i += 1;
            continue;
        }
        let sign = smooth[i].signum();
        let start = i;
        while i < n && smooth[i] * sign >= STRAIGHT_PER_M {
            i += 1;
        }
        let gap_m = runs.last().map_or(f64::INFINITY, |&(_, end, _)| (start - end) as f64 * step);
        let gap_turn_deg = runs
            .last()
            .map_or(0.0, |&(_, end, _)| per_m[end..start].iter().map(|k| k * sign * step).sum::<f64>().to_degrees());
        match runs.last_mut() {
            Some(last) if last.2 == sign && gap_m <= MERGE_GAP_M && gap_turn_deg > -MERGE_COUNTER_TURN_DEG => {
                last.1 = i;
            }
            _ => runs.push((start, i, sign)),
        }
    }
    runs.into_iter()
        .filter_map(|(start, end, sign)| corner_in_run(lap, &per_m, &smooth, &fine, start, end, sign))
        .collect()
}

/// The corner in the run `start..end` of one-signed smoothed curvature, if it
/// turns enough and is tight enough somewhere.
fn corner_in_run(
    lap: &DistanceTrace,
    per_m: &[f64],
    smooth: &[f64],
    fine: &[f64],
    start: usize,
    end: usize,
    sign: f64,
) -> Option<CornerSpan> {
    let step = lap.step_m();
    let peak = smooth[start..end].iter().map(|k| k * sign).fold(0.0, f64::max);
    // Heading made good along the run, in the corner's direction.
    let mut turned = Vec::with_capacity(end - start);
    let mut total = 0.0;
    for k in &per_m[start..end] {
        total += k * sign * step;
        turned.push(total);
    }
    if peak < CORNER_PEAK_PER_M || total.to_degrees() < MIN_TURN_DEG {
        return None;
    }
    let at_share = |share: f64| {
        let target = total * share;
        let j = turned.partition_point(|&t| t < target).min(turned.len() - 1);
        // Interpolate inside the grid step where the share is reached.
        let before = if j == 0 { 0.0 } else { turned[j - 1] };
        let f = if turned[j] > before { ((target - before) / (turned[j] - before)).clamp(0.0, 1.0) } else { 0.0 };
        lap.distance[start + j] - (1.0 - f) * (lap.distance[1] - lap.distance[0])
    };
    let (s, e) = (at_share(START_SHARE), at_share(END_SHARE));
    // The apex: the middle of the stretch where the path turns at least a share
    // of its hardest. Racing lines straighten fast corners (the path is tightest
    // on entry and exit, not at the apex) and swing wide on the straights either
    // side; the middle of that stretch stays where the corner is.
    let floor = APEX_FLOOR_SHARE * peak;
    let hard = |j: &usize| smooth[start + j] * sign >= floor;
    let first = (0..end - start).find(hard).unwrap_or(0);
    let last = (0..end - start).rev().find(hard).unwrap_or(end - start - 1);
    let apex = (lap.distance[start + first] + lap.distance[start + last]) / 2.0;
    let (si, ei) = (index_at(lap.points(), s), index_at(lap.points(), e));
    let tightest = fine[si.min(ei)..=ei.max(si)].iter().map(|k| k * sign).fold(0.0, f64::max);
    Some(CornerSpan {
        number: 0,
        start: s.max(0.0),
        apex: apex.max(0.0),
        end: e.max(0.0),
        direction: if sign > 0.0 { Direction::Left } else { Direction::Right },
        min_radius_m: (tightest > 0.0).then(|| 1.0 / tightest),
        angle_deg: Some(total.to_degrees()),
        observations: 1,
    })
}

/// Corners as the clear local minima of speed (zig-zag with a prominence), for
/// laps without positions or lateral g. Direction from the steering.
fn from_speed(lap: &DistanceTrace) -> Vec<CornerSpan> {
    let n = lap.points();
    if n < 3 || lap.missing.contains(&"speed_kmh") {
        return Vec::new();
    }
    let step = lap.step_m();
    let speed: Vec<f64> = lap.speed_kmh.iter().map(|v| if v.is_finite() { *v } else { 0.0 }).collect();
    let speed = moving_average(&speed, (RADIUS_SMOOTH_HALF_M / step.max(1e-9)).round() as usize);
    // Alternating peaks and troughs at least the prominence apart.
    let mut minima: Vec<(usize, usize)> = Vec::new(); // (trough, the peak before it)
    let (mut peak, mut trough, mut in_dip) = (0, 0, false);
    for i in 1..n {
        if !in_dip {
            if speed[i] >= speed[peak] {
                peak = i;
            } else if speed[peak] - speed[i] >= SPEED_PROMINENCE_KMH {
                in_dip = true;
                trough = i;
            }
        } else if speed[i] < speed[trough] {
            trough = i;
        } else if speed[i] - speed[trough] >= SPEED_PROMINENCE_KMH {
            minima.push((trough, peak));
            in_dip = false;
            peak = i;
        }
    }
    minima
        .iter()
        .enumerate()
        .map(|(m, &(apex, peak_before))| {
            let next = minima.get(m + 1).map_or(n - 1, |next| next.0);
            let peak_after = (apex..=next).max_by(|&a, &b| speed[a].total_cmp(&speed[b])).unwrap_or(apex);
            let v = speed[apex];
            let margin = |top: f64| ((top - v) * SPEED_SPAN_SHARE).max(SPEED_SPAN_MIN_KMH);
            let before = margin(speed[peak_before]);
            let after = margin(speed[peak_after]);
            let start = (peak_before..=apex).rev().find(|&j| speed[j] > v + before).map_or(peak_before, |j| j + 1);
            let end = (apex..=peak_after).find(|&j| speed[j] > v + after).map_or(peak_after, |j| j.max(1) - 1);
            let steering: f64 =
                lap.steering[start..=end.max(start)].iter().sum::<f64>() / (end.max(start) - start + 1) as f64;
            CornerSpan {
                number: 0,
                start: lap.distance[start],
                apex: lap.distance[apex],
                end: lap.distance[end.max(apex)],
                direction: if steering < -0.02 {
                    Direction::Left
                } else if steering > 0.02 {
                    Direction::Right
                } else {
                    Direction::Unknown
                },
                min_radius_m: None,
                angle_deg: None,
                observations: 1,
            }
        })
        .collect()
}
