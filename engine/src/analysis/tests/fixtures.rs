//! Demo laps for the analysis tests: a seeded demo session split into laps at
//! `lap_number` changes, with the exact lap times (cached per seed), and the
//! ground truth the demo gives: its track's corners and its raw frames.

use crate::analysis::{build_model, TrackModel};
use crate::demo::{DemoDriver, DemoTrack};
use purplesector_proto::v1::TelemetryFrame;
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

/// A demo session: each completed lap's frames and exact time.
pub struct Session {
    pub laps: Vec<Vec<TelemetryFrame>>,
    pub times_ms: Vec<f64>,
}

impl Session {
    /// Lap `i`'s frames and official time in whole ms, as the store keeps it.
    pub fn lap(&self, i: usize) -> (&[TelemetryFrame], u32) {
        (&self.laps[i], self.times_ms[i].round() as u32)
    }

    /// Laps at least 400 ms slower than the median: the laps with a mistake.
    pub fn mistake_laps(&self) -> Vec<usize> {
        let mut sorted = self.times_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2];
        (0..self.laps.len()).filter(|&i| self.times_ms[i] > median + 400.0).collect()
    }

    /// The fastest lap.
    pub fn best_lap(&self) -> usize {
        (0..self.laps.len()).min_by(|&a, &b| self.times_ms[a].total_cmp(&self.times_ms[b])).unwrap_or(0)
    }

    /// Whether the demo flagged any frame of lap `i` invalid.
    pub fn invalid(&self, i: usize) -> bool {
        self.laps[i].iter().any(|f| f.lap_invalid)
    }
}

/// `laps` complete laps of the demo driver with `seed` (cached).
pub fn session(seed: u64, laps: usize) -> &'static Session {
    static CACHE: OnceLock<Mutex<BTreeMap<(u64, usize), &'static Session>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(BTreeMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache.entry((seed, laps)).or_insert_with(|| Box::leak(Box::new(drive(seed, laps))))
}

fn drive(seed: u64, laps: usize) -> Session {
    let mut driver = DemoDriver::new(seed);
    let mut split: Vec<Vec<TelemetryFrame>> = vec![Vec::new()];
    loop {
        let frame = driver.next_frame();
        let lap = frame.lap_number as usize;
        if lap >= laps {
            break;
        }
        while split.len() <= lap {
            split.push(Vec::new());
        }
        split[lap].push(frame);
    }
    Session { laps: split, times_ms: driver.completed_lap_times_ms()[..laps].to_vec() }
}

/// The demo's track (the true corners).
pub fn track() -> &'static DemoTrack {
    static TRACK: OnceLock<DemoTrack> = OnceLock::new();
    TRACK.get_or_init(DemoTrack::new)
}

/// The track model built from lap 0 of `seed` (always a clean lap), cached.
pub fn model(seed: u64) -> TrackModel {
    static CACHE: OnceLock<Mutex<BTreeMap<u64, TrackModel>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(BTreeMap::new()));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(seed)
        .or_insert_with(|| build_model(&[session(seed, 3).lap(0)]).expect("a demo lap makes a model"))
        .clone()
}

/// Session time (ms) at which the raw frames of a lap pass `distance_m`,
/// interpolated on the exact `lap_distance_m`.
pub fn frames_time_at(frames: &[TelemetryFrame], distance_m: f64) -> f64 {
    let i = frames.partition_point(|f| f64::from(f.lap_distance_m.unwrap_or(0.0)) < distance_m);
    if i == 0 {
        return frames[0].session_time_ms;
    }
    if i >= frames.len() {
        return frames[frames.len() - 1].session_time_ms;
    }
    let (a, b) = (&frames[i - 1], &frames[i]);
    let (da, db) = (f64::from(a.lap_distance_m.unwrap_or(0.0)), f64::from(b.lap_distance_m.unwrap_or(0.0)));
    let f = if db > da { (distance_m - da) / (db - da) } else { 0.0 };
    a.session_time_ms + f * (b.session_time_ms - a.session_time_ms)
}

/// Time each true corner's zone takes on a lap minus on a reference, from the
/// raw frames alone: zones run from the middle of the straight before a corner
/// to the middle of the straight after it. `(corner number, loss ms)`.
pub fn true_zone_losses(lap: &[TelemetryFrame], reference: &[TelemetryFrame]) -> Vec<(usize, f64)> {
    let corners = track().corners();
    let length = track().length_m();
    let boundary = |i: usize| {
        if i == 0 {
            corners[0].start_m / 2.0
        } else {
            (corners[i - 1].end_m + corners[i].start_m) / 2.0
        }
    };
    (0..corners.len())
        .map(|i| {
            let (from, to) = (boundary(i), if i + 1 < corners.len() { boundary(i + 1) } else { length - 1.0 });
            let zone = |frames: &[TelemetryFrame]| frames_time_at(frames, to) - frames_time_at(frames, from);
            (corners[i].number, zone(lap) - zone(reference))
        })
        .collect()
}
