//! Aligning a lap by distance, not by time.
//!
//! Two laps can only be compared point by point where the car is at the same
//! place on the track, and frames arrive at fixed times, not at fixed places. So
//! every channel of a lap is resampled onto a fixed grid of normalised distance
//! (0 at the start/finish line, 1 back at it), which every lap of a track shares.
//!
//! - Distance comes from the sim's `normalized_position` when it has one. Some
//!   sims' zero is not at the line (Assetto Corsa tracks that start near 0.8): the
//!   positions are unwrapped across their wrap and the line is found from the
//!   lap's own first and last frames, so the result is measured from the line.
//!   Without positions, `lap_distance_m`, and without that the integral of speed.
//! - Laps of slightly different length (a wider line, a cut) are normalised to
//!   0..1 of the lap and then scaled to one reference length in metres.
//! - The time channel is the time elapsed since the lap started: 0 at the line
//!   (the crossing interpolated between the frames around it) and exactly the
//!   official lap time at the finish, so deltas at the finish equal the lap-time
//!   difference.
//!
//! Frames with a non-finite or non-increasing session time are dropped, as are
//! frames that do not advance along the lap (the car stopped or reversing: the
//! time at a distance is when the car first got there); a non-finite value in a
//! channel is skipped for that channel only.

use super::error::AnalysisError;
use super::series::{hold_onto, interpolate_onto, value_at};
use purplesector_proto::v1::TelemetryFrame;
use serde::{Deserialize, Serialize};

/// Default grid step: one point per metre of the reference length.
pub const DEFAULT_STEP_M: f64 = 1.0;
/// Most grid points of a trace (a 50 km lap at 1 m), so work stays bounded.
pub const MAX_POINTS: usize = 50_001;
/// A lap whose frames cover less than this share of it is incomplete.
const MIN_COVERAGE: f64 = 0.5;
/// Frames may last this much longer than the lap time (sim timers that round) before
/// the lap time is judged wrong.
const SPAN_TOLERANCE: f64 = 0.05;
/// Lap-timer readings this far (ms) from the median one are ignored.
const TIMER_AGREEMENT_MS: f64 = 2.0;
/// Below this speed (m/s) a frame's speed says nothing about where the line was.
const CRAWL_MS: f64 = 0.5;

/// How a lap is resampled.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ResampleOptions {
    /// Spacing of the grid in metres of the reference length.
    pub step_m: f64,
    /// The reference track length the normalised distance is scaled to; `None`
    /// uses the lap's own measured length.
    pub length_m: Option<f64>,
}

impl Default for ResampleOptions {
    fn default() -> Self {
        ResampleOptions { step_m: DEFAULT_STEP_M, length_m: None }
    }
}

impl ResampleOptions {
    /// Resampling onto a track of known length with the default step.
    pub fn for_length(length_m: f64) -> Self {
        ResampleOptions { step_m: DEFAULT_STEP_M, length_m: Some(length_m) }
    }
}

/// Which channel gave the distance along the lap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistanceSource {
    NormalizedPosition,
    LapDistance,
    Speed,
}

/// Every channel of one lap on a uniform grid of normalised distance.
///
/// `distance[i] = i / (n - 1)`; metres are `distance * length_m`. Channels that
/// the sim does not report at all are `None` (optional ones) or zeros listed in
/// `missing` (the basic ones).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistanceTrace {
    /// Reference length the distances are scaled to, metres.
    pub length_m: f64,
    /// This lap's own length as measured from its frames, metres.
    pub measured_length_m: f64,
    /// The official lap time; `elapsed_ms` ends with exactly this.
    pub lap_time_ms: f64,
    pub source: DistanceSource,
    /// Where the start/finish line is on the sim's `normalized_position` scale
    /// (0 when the sim's zero is the line), when positions gave the distance.
    pub line_offset: Option<f64>,
    /// Normalised distance from the line, 0..1.
    pub distance: Vec<f64>,
    /// Time since the lap started, ms: 0 at the line, the lap time at the finish.
    pub elapsed_ms: Vec<f64>,
    pub speed_kmh: Vec<f64>,
    pub throttle: Vec<f64>,
    pub brake: Vec<f64>,
    pub steering: Vec<f64>,
    pub rpm: Vec<f64>,
    pub gear: Vec<i32>,
    /// World position `[x, y, z]` as the sim reports it.
    pub position: Option<Vec<[f64; 3]>>,
    pub g_lat: Option<Vec<f64>>,
    pub g_lon: Option<Vec<f64>>,
    /// Basic channels with no finite value in the lap (filled with zeros).
    pub missing: Vec<&'static str>,
}

impl DistanceTrace {
    /// Number of grid points.
    pub fn points(&self) -> usize {
        self.distance.len()
    }

    /// Grid spacing in metres.
    pub fn step_m(&self) -> f64 {
        self.length_m / (self.points().max(2) - 1) as f64
    }

    /// Elapsed time (ms) at normalised distance `d`, interpolated.
    pub fn elapsed_at(&self, d: f64) -> f64 {
        if d >= 1.0 {
            return self.lap_time_ms;
        }
        value_at(&self.elapsed_ms, d)
    }

    /// Speed (km/h) at normalised distance `d`, interpolated.
    pub fn speed_at(&self, d: f64) -> f64 {
        value_at(&self.speed_kmh, d)
    }
}

/// Resamples one lap (`frames` in seq order) whose official time is
/// `lap_time_ms` onto a distance grid. O(frames + grid points).
pub fn resample(
    frames: &[TelemetryFrame],
    lap_time_ms: f64,
    options: &ResampleOptions,
) -> Result<DistanceTrace, AnalysisError> {
    if frames.is_empty() {
        return Err(AnalysisError::EmptyLap);
    }
    if !(lap_time_ms.is_finite() && lap_time_ms > 0.0) {
        return Err(AnalysisError::InvalidLapTime { lap_time_ms });
    }
    if !(options.step_m.is_finite() && options.step_m > 0.0) {
        return Err(AnalysisError::InvalidParameter { what: "grid step (m)", value: options.step_m });
    }
    if let Some(length) = options.length_m {
        if !(length.is_finite() && length > 0.0) {
            return Err(AnalysisError::InvalidParameter { what: "track length (m)", value: length });
        }
    }
    let timed = timed_frames(frames);
    if timed.len() < 2 {
        return Err(AnalysisError::TooFewFrames { usable: timed.len() });
    }
    let progress = progress(&timed, lap_time_ms)?;
    let measured_length_m = measured_length(&progress);
    let length_m = options.length_m.unwrap_or(measured_length_m);
    if !(length_m.is_finite() && length_m > 0.0) {
        return Err(AnalysisError::NoDistance);
    }
    let points = ((length_m / options.step_m).round() as usize + 1).clamp(2, MAX_POINTS);
    let grid: Vec<f64> = (0..points).map(|i| i as f64 / (points - 1) as f64).collect();
    build_trace(&progress, &grid, lap_time_ms, length_m, measured_length_m)
}

/// The frames whose session time is finite and strictly increasing.
fn timed_frames(frames: &[TelemetryFrame]) -> Vec<&TelemetryFrame> {
    let mut out: Vec<&TelemetryFrame> = Vec::with_capacity(frames.len());
    for frame in frames {
        let t = frame.session_time_ms;
        if t.is_finite() && out.last().is_none_or(|last| t > last.session_time_ms) {
            out.push(frame);
        }
    }
    out
}

/// The kept frames with their normalised distance from the line and elapsed time.
struct Progress<'a> {
    frames: Vec<&'a TelemetryFrame>,
    distance: Vec<f64>,
    elapsed: Vec<f64>,
    source: DistanceSource,
    line_offset: Option<f64>,
    /// The lap's length in metres, when the distance source measured it.
    length_m: Option<f64>,
}

/// A progress channel per frame, before the line is placed: `(frame, value)`.
type Raw<'a> = Vec<(&'a TelemetryFrame, f64)>;

fn progress<'a>(timed: &[&'a TelemetryFrame], lap_time_ms: f64) -> Result<Progress<'a>, AnalysisError> {
    let positions: Raw = timed
        .iter()
        .filter(|f| f.normalized_position.is_finite() && (-0.001..=1.001).contains(&f.normalized_position))
        .map(|f| (*f, f64::from(f.normalized_position).clamp(0.0, 1.0)))
        .collect();
    if reported(&positions, timed.len(), 1e-6) {
        return from_positions(positions, lap_time_ms);
    }
    let distances: Raw = timed
        .iter()
        .filter_map(|f| f.lap_distance_m.filter(|d| d.is_finite() && *d >= 0.0).map(|d| (*f, f64::from(d))))
        .collect();
    if reported(&distances, timed.len(), 1.0) {
        return from_distances(distances, lap_time_ms, DistanceSource::LapDistance);
    }
    let speeds: Raw = timed
        .iter()
        .filter(|f| f.speed_kmh.is_finite() && f.speed_kmh >= 0.0)
        .map(|f| (*f, f64::from(f.speed_kmh) / 3.6))
        .collect();
    if speeds.len() >= 2 && speeds.iter().any(|(_, v)| *v > CRAWL_MS) {
        let mut distance = 0.0;
        let mut integrated: Raw = Vec::with_capacity(speeds.len());
        for (i, &(frame, v)) in speeds.iter().enumerate() {
            if i > 0 {
                let (before, v0) = speeds[i - 1];
                distance += (v0 + v) / 2.0 * (frame.session_time_ms - before.session_time_ms) / 1000.0;
            }
            integrated.push((frame, distance));
        }
        return from_distances(integrated, lap_time_ms, DistanceSource::Speed);
    }
    Err(AnalysisError::NoDistance)
}

/// Whether a channel is really reported: on at least half the frames, and not
/// stuck at one value (sims that do not have it send zeros).
fn reported(values: &Raw, frames: usize, min_range: f64) -> bool {
    if values.len() < 2 || values.len() * 2 < frames {
        return false;
    }
    let (lo, hi) = values.iter().fold((f64::MAX, f64::MIN), |(lo, hi), (_, v)| (lo.min(*v), hi.max(*v)));
    hi - lo >= min_range
}

/// Time from the line to the first frame, given the total time `gap_ms` the lap's
/// frames leave out (before the first and after the last) and the share of that
/// gap, by distance, that lies before the first frame (`None`: unknown, when the
/// sim's own lap timer decides, or else the middle of the gap).
fn first_frame_elapsed(frames: &[&TelemetryFrame], gap_ms: f64, share_before: Option<f64>) -> f64 {
    if gap_ms <= 0.0 {
        return 0.0;
    }
    match share_before {
        Some(share) if share.is_finite() => gap_ms * share.clamp(0.0, 1.0),
        _ => match timer_start(frames) {
            Some(start) if (0.0..=gap_ms).contains(&(frames[0].session_time_ms - start)) => {
                frames[0].session_time_ms - start
            }
            _ => gap_ms / 2.0,
        },
    }
}

/// The session time at which the sim's lap timer (`current_lap_time_ms`, whole
/// ms) read zero. Each frame brackets it: a timer that truncates puts the start
/// in `(t - timer - 1, t - timer]`, so the frames agreeing with the median
/// together narrow it to a fraction of a millisecond (within half a
/// millisecond for a timer that rounds). `None` when the frames disagree.
fn timer_start(frames: &[&TelemetryFrame]) -> Option<f64> {
    let mut starts: Vec<f64> =
        frames.iter().map(|f| f.session_time_ms - f64::from(f.current_lap_time_ms)).filter(|t| t.is_finite()).collect();
    if starts.is_empty() {
        return None;
    }
    starts.sort_by(f64::total_cmp);
    let median = starts[starts.len() / 2];
    let agreeing: Vec<f64> = starts.into_iter().filter(|t| (t - median).abs() <= TIMER_AGREEMENT_MS).collect();
    if agreeing.len() * 2 < frames.len() {
        return None;
    }
    let (low, high) = (agreeing[agreeing.len() - 1] - 1.0, agreeing[0]);
    Some(if low <= high { (low + high) / 2.0 } else { median })
}

/// Elapsed times for the frames once the first frame's elapsed time is known;
/// checks that the frames fit in the lap time (compressing a little when a sim's
/// timer is a few percent short of its frames).
fn elapsed_times(frames: &[&TelemetryFrame], lap_time_ms: f64, first_elapsed: f64) -> Result<Vec<f64>, AnalysisError> {
    let t0 = frames[0].session_time_ms;
    let span = frames[frames.len() - 1].session_time_ms - t0;
    if span <= lap_time_ms {
        return Ok(frames.iter().map(|f| f.session_time_ms - t0 + first_elapsed).collect());
    }
    if span > lap_time_ms * (1.0 + SPAN_TOLERANCE) {
        return Err(AnalysisError::LapTimeMismatch { frames_ms: span, lap_time_ms });
    }
    let scale = lap_time_ms / span;
    Ok(frames.iter().map(|f| (f.session_time_ms - t0) * scale).collect())
}

fn coverage_check(covered: f64) -> Result<(), AnalysisError> {
    if covered < MIN_COVERAGE || covered.is_nan() {
        return Err(AnalysisError::IncompleteLap { percent: (covered.max(0.0) * 100.0).min(100.0) });
    }
    Ok(())
}

fn from_positions(positions: Raw, lap_time_ms: f64) -> Result<Progress, AnalysisError> {
    // Unwrap across the sim's wrap from ~1 to ~0 (and back, when reversing over it).
    let mut wraps: i32 = 0;
    let mut unwrapped = Vec::with_capacity(positions.len());
    for (i, &(_, p)) in positions.iter().enumerate() {
        if i > 0 {
            let step = p - positions[i - 1].1;
            if step < -0.5 {
                wraps += 1;
            } else if step > 0.5 {
                wraps -= 1;
            }
        }
        unwrapped.push(p + f64::from(wraps));
    }
    let (first, last) = (unwrapped[0], unwrapped[unwrapped.len() - 1]);
    coverage_check(last - first)?;
    let frames: Vec<&TelemetryFrame> = positions.iter().map(|(f, _)| *f).collect();
    // The gap the frames leave: from the last frame round to the first one a lap later.
    let gap = (first + 1.0 - last).max(0.0);
    let gap_ms = lap_time_ms - (frames[frames.len() - 1].session_time_ms - frames[0].session_time_ms);
    // The sim's zero is the line when the lap runs from near 0 to near 1 without
    // wrapping; the line then splits the gap where position 0 is.
    let aligned = wraps == 0 && first < 0.25 && last > 0.75;
    let share_before = if aligned && gap > 0.0 { Some(first / gap) } else { None };
    let first_elapsed = first_frame_elapsed(&frames, gap_ms, share_before);
    let line = if aligned {
        0.0
    } else if gap_ms > 0.0 {
        first - gap * (first_elapsed / gap_ms).clamp(0.0, 1.0)
    } else {
        first
    };
    let elapsed = elapsed_times(&frames, lap_time_ms, first_elapsed)?;
    let distance = unwrapped.iter().map(|u| u - line).collect();
    Ok(Progress {
        frames,
        distance,
        elapsed,
        source: DistanceSource::NormalizedPosition,
        line_offset: Some(line.rem_euclid(1.0)),
        length_m: None,
    })
}

/// From metres along the lap (`lap_distance_m`, 0 at the line, or integrated
/// speed from the first frame): the line and the lap's length are extrapolated
/// with the speeds at the first and last frames.
fn from_distances(metres: Raw, lap_time_ms: f64, source: DistanceSource) -> Result<Progress, AnalysisError> {
    // A lap distance that restarts mid-lap (a sim whose zero is not the line)
    // is unwrapped by adding the distance reached before the restart.
    let mut offset = 0.0;
    let mut unwrapped = Vec::with_capacity(metres.len());
    let mut reached: f64 = 0.0;
    for (i, &(_, d)) in metres.iter().enumerate() {
        if i > 0 && d < metres[i - 1].1 * 0.5 && metres[i - 1].1 - d > 100.0 {
            offset = reached;
        }
        let value = d + offset;
        reached = reached.max(value);
        unwrapped.push(value);
    }
    let frames: Vec<&TelemetryFrame> = metres.iter().map(|(f, _)| *f).collect();
    let (first_frame, last_frame) = (frames[0], frames[frames.len() - 1]);
    let gap_ms = lap_time_ms - (last_frame.session_time_ms - first_frame.session_time_ms);
    let speed_ms_per_ms = |f: &TelemetryFrame| {
        let v = f64::from(f.speed_kmh) / 3.6;
        if v.is_finite() && v > CRAWL_MS {
            Some(v / 1000.0)
        } else {
            None
        }
    };
    // A lap distance that counts from the line puts the first frame that far past
    // it; otherwise (integrated speed, a restarted lap distance) the sim's lap
    // timer or the middle of the gap does, and the line is extrapolated back.
    let from_line = source == DistanceSource::LapDistance && offset == 0.0;
    let first_elapsed = match speed_ms_per_ms(first_frame) {
        Some(v) if from_line && unwrapped[0] / v <= gap_ms.max(0.0) => unwrapped[0] / v,
        _ => first_frame_elapsed(&frames, gap_ms, None),
    };
    let elapsed = elapsed_times(&frames, lap_time_ms, first_elapsed)?;
    let start =
        if from_line { 0.0 } else { unwrapped[0] - speed_ms_per_ms(first_frame).map_or(0.0, |v| v * elapsed[0]) };
    let remaining_ms = (lap_time_ms - elapsed[elapsed.len() - 1]).max(0.0);
    let end = unwrapped[unwrapped.len() - 1] + speed_ms_per_ms(last_frame).map_or(0.0, |v| v * remaining_ms);
    let length = end - start;
    if !(length.is_finite() && length > 1.0) {
        return Err(AnalysisError::NoDistance);
    }
    coverage_check((unwrapped[unwrapped.len() - 1] - unwrapped[0]) / length)?;
    let distance = unwrapped.iter().map(|d| (d - start) / length).collect();
    Ok(Progress { frames, distance, elapsed, source, line_offset: None, length_m: Some(length) })
}

/// The lap's length in metres from its own frames: lap distance, else the path of
/// its world positions, else integrated speed, per unit of normalised distance.
fn measured_length(progress: &Progress) -> f64 {
    if let Some(length) = progress.length_m {
        return length;
    }
    let frames = &progress.frames;
    let d = &progress.distance;
    let per_unit = |metres: f64, from: usize, to: usize| {
        let span = d[to] - d[from];
        if span > 0.1 && metres > 0.0 {
            Some(metres / span)
        } else {
            None
        }
    };
    let with_distance: Vec<usize> =
        (0..frames.len()).filter(|&i| frames[i].lap_distance_m.is_some_and(|m| m.is_finite())).collect();
    if progress.source == DistanceSource::NormalizedPosition && with_distance.len() >= 2 {
        let (a, b) = (with_distance[0], with_distance[with_distance.len() - 1]);
        let metres = f64::from(frames[b].lap_distance_m.unwrap_or(0.0) - frames[a].lap_distance_m.unwrap_or(0.0));
        if let Some(length) = per_unit(metres, a, b) {
            return length;
        }
    }
    let mut path = 0.0;
    let mut previous: Option<[f64; 3]> = None;
    let (mut first, mut last) = (None, 0);
    for (i, frame) in frames.iter().enumerate() {
        if let Some(p) = finite_position(frame) {
            if let Some(q) = previous {
                path += ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt();
            }
            first.get_or_insert(i);
            last = i;
            previous = Some(p);
        }
    }
    if let Some(length) = first.and_then(|a| per_unit(path, a, last)) {
        return length;
    }
    let mut integrated = 0.0;
    for i in 1..frames.len() {
        let (v0, v1) = (f64::from(frames[i - 1].speed_kmh), f64::from(frames[i].speed_kmh));
        if v0.is_finite() && v1.is_finite() {
            integrated += (v0 + v1) / 7.2 * (frames[i].session_time_ms - frames[i - 1].session_time_ms) / 1000.0;
        }
    }
    per_unit(integrated, 0, frames.len() - 1).unwrap_or(f64::NAN)
}

fn finite_position(frame: &TelemetryFrame) -> Option<[f64; 3]> {
    let p = frame.world_position.as_ref()?;
    let v = [f64::from(p.x), f64::from(p.y), f64::from(p.z)];
    v.iter().all(|c| c.is_finite()).then_some(v)
}

fn build_trace(
    progress: &Progress,
    grid: &[f64],
    lap_time_ms: f64,
    length_m: f64,
    measured_length_m: f64,
) -> Result<DistanceTrace, AnalysisError> {
    // Keep the frames that advance along the lap, inside it.
    let mut kept: Vec<usize> = Vec::with_capacity(progress.frames.len());
    let mut reached = f64::NEG_INFINITY;
    for (i, &d) in progress.distance.iter().enumerate() {
        if (0.0..=1.0).contains(&d) && d > reached {
            kept.push(i);
            reached = d;
        }
    }
    if kept.len() < 2 {
        return Err(AnalysisError::TooFewFrames { usable: kept.len() });
    }
    let xs: Vec<f64> = kept.iter().map(|&i| progress.distance[i]).collect();
    let frames: Vec<&TelemetryFrame> = kept.iter().map(|&i| progress.frames[i]).collect();

    // Time: 0 at the line, the official time at the finish, monotonic between.
    let mut time_x = Vec::with_capacity(xs.len() + 2);
    let mut time_y = Vec::with_capacity(xs.len() + 2);
    if xs.first().is_none_or(|&d| d > 0.0) {
        time_x.push(0.0);
        time_y.push(0.0);
    }
    let mut latest: f64 = 0.0;
    for &i in &kept {
        latest = progress.elapsed[i].clamp(latest, lap_time_ms);
        time_x.push(progress.distance[i]);
        time_y.push(if progress.distance[i] == 0.0 { 0.0 } else { latest });
    }
    if time_x.last().is_some_and(|&d| d >= 1.0) {
        time_y.pop();
        time_x.pop();
    }
    time_x.push(1.0);
    time_y.push(lap_time_ms);
    let mut elapsed_ms = interpolate_onto(&time_x, &time_y, grid);
    if let Some(last) = elapsed_ms.last_mut() {
        *last = lap_time_ms;
    }

    let mut missing = Vec::new();
    let mut basic = |name: &'static str, value: fn(&TelemetryFrame) -> f32| {
        let (x, y) = finite_series(&xs, &frames, |f| Some(f64::from(value(f))));
        if x.is_empty() {
            missing.push(name);
        }
        interpolate_onto(&x, &y, grid)
    };
    let speed_kmh = basic("speed_kmh", |f| f.speed_kmh);
    let throttle = basic("throttle", |f| f.throttle);
    let brake = basic("brake", |f| f.brake);
    let steering = basic("steering", |f| f.steering);
    let rpm = basic("rpm", |f| f.rpm);
    let gear = hold_onto(&xs, &frames.iter().map(|f| f.gear).collect::<Vec<_>>(), grid);

    let optional = |value: fn(&TelemetryFrame) -> Option<f32>| {
        let (x, y) = finite_series(&xs, &frames, |f| value(f).map(f64::from));
        (x.len() * 2 >= frames.len() && x.len() >= 2).then(|| interpolate_onto(&x, &y, grid))
    };
    let g_lat = optional(|f| f.g_lat);
    let g_lon = optional(|f| f.g_lon);
    let position = {
        let with: Vec<usize> = (0..frames.len()).filter(|&i| finite_position(frames[i]).is_some()).collect();
        (with.len() * 2 >= frames.len() && with.len() >= 2).then(|| {
            let x: Vec<f64> = with.iter().map(|&i| xs[i]).collect();
            let axis = |a: usize| {
                let y: Vec<f64> = with.iter().map(|&i| finite_position(frames[i]).map_or(0.0, |p| p[a])).collect();
                interpolate_onto(&x, &y, grid)
            };
            let (px, py, pz) = (axis(0), axis(1), axis(2));
            (0..grid.len()).map(|k| [px[k], py[k], pz[k]]).collect()
        })
    };
    Ok(DistanceTrace {
        length_m,
        measured_length_m,
        lap_time_ms,
        source: progress.source,
        line_offset: progress.line_offset,
        distance: grid.to_vec(),
        elapsed_ms,
        speed_kmh,
        throttle,
        brake,
        steering,
        rpm,
        gear,
        position,
        g_lat,
        g_lon,
        missing,
    })
}

/// The `(distance, value)` pairs of the frames whose value is finite.
fn finite_series(
    xs: &[f64],
    frames: &[&TelemetryFrame],
    value: impl Fn(&TelemetryFrame) -> Option<f64>,
) -> (Vec<f64>, Vec<f64>) {
    let mut x = Vec::with_capacity(xs.len());
    let mut y = Vec::with_capacity(xs.len());
    for (d, frame) in xs.iter().zip(frames) {
        if let Some(v) = value(frame).filter(|v| v.is_finite()) {
            x.push(*d);
            y.push(v);
        }
    }
    (x, y)
}
