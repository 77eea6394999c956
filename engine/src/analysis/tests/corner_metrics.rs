//! Corner metrics against the demo's raw frames: braking points within 5 m and
//! minimum speeds within 1 km/h of what the frames themselves show, corners
//! taken flat without a braking point, and times and points in order.

use super::fixtures::{model, session};
use crate::analysis::{corner_metrics, resample_for, BRAKING_THRESHOLD};
use purplesector_proto::v1::TelemetryFrame;

/// Where the raw frames start braking for a corner: the run of brake above the
/// threshold around the peak in `from..apex` metres, back to where it began
/// (interpolated between the two frames around it). `None` without braking.
fn frames_braking_point(frames: &[TelemetryFrame], from_m: f64, apex_m: f64) -> Option<f64> {
    let at = |f: &TelemetryFrame| f64::from(f.lap_distance_m.unwrap());
    let window: Vec<&TelemetryFrame> = frames.iter().filter(|f| at(f) >= from_m && at(f) <= apex_m).collect();
    let peak = (0..window.len()).max_by(|&a, &b| window[a].brake.total_cmp(&window[b].brake).then(b.cmp(&a)))?;
    if f64::from(window[peak].brake) <= BRAKING_THRESHOLD {
        return None;
    }
    let mut j = peak;
    while j > 0 && f64::from(window[j - 1].brake) > BRAKING_THRESHOLD {
        j -= 1;
    }
    if j == 0 {
        return Some(at(window[0]));
    }
    let (a, b) = (window[j - 1], window[j]);
    let f = (BRAKING_THRESHOLD - f64::from(a.brake)) / f64::from(b.brake - a.brake);
    Some(at(a) + f * (at(b) - at(a)))
}

#[test]
fn braking_points_and_minimum_speeds_match_the_raw_frames() {
    let (mut worst_braking, mut worst_speed, mut corners_checked): (f64, f64, usize) = (0.0, 0.0, 0);
    for seed in [1, 2] {
        let m = model(seed);
        let s = session(seed, 6);
        for (i, frames) in s.laps.iter().enumerate() {
            let trace = resample_for(frames, s.times_ms[i], &m).unwrap();
            let metrics = corner_metrics(&trace, &m);
            assert_eq!(metrics.len(), m.corners.len());
            for (k, (got, corner)) in metrics.iter().zip(&m.corners).enumerate() {
                assert_eq!(got.corner, corner.number);
                let from = if k == 0 { 0.0 } else { m.corners[k - 1].end * m.length_m };
                let truth = frames_braking_point(frames, from, corner.apex * m.length_m);
                match (got.braking_point_m, truth) {
                    (Some(a), Some(b)) => worst_braking = worst_braking.max((a - b).abs()),
                    (None, None) => {}
                    other => panic!("seed {seed} lap {i} T{}: braking {other:?}", corner.number),
                }
                let in_corner = |f: &&TelemetryFrame| {
                    let at = f64::from(f.lap_distance_m.unwrap());
                    at >= corner.start * m.length_m && at <= corner.end * m.length_m
                };
                let lowest = frames.iter().filter(in_corner).map(|f| f64::from(f.speed_kmh)).fold(f64::MAX, f64::min);
                worst_speed = worst_speed.max((got.min_speed_kmh - lowest).abs());
                corners_checked += 1;
            }
        }
    }
    eprintln!(
        "{corners_checked} corners: braking points within {worst_braking:.2} m, minimum speeds within \
         {worst_speed:.3} km/h of the raw frames"
    );
    assert!(worst_braking < 5.0, "braking point off by {worst_braking} m");
    assert!(worst_speed < 1.0, "minimum speed off by {worst_speed} km/h");
}

#[test]
fn corners_taken_flat_have_no_braking_point_and_every_point_is_in_order() {
    let m = model(3);
    let s = session(3, 3);
    let trace = resample_for(&s.laps[1], s.times_ms[1], &m).unwrap();
    let metrics = corner_metrics(&trace, &m);
    // T2 (a 250 m sweeper) and T7 (a 300 m kink) are flat out in the demo.
    for flat in [2, 7] {
        let c = &metrics[flat - 1];
        assert_eq!((c.braking_point_m, c.peak_brake), (None, 0.0), "T{flat}");
    }
    for (c, corner) in metrics.iter().zip(&m.corners) {
        let (start, end) = (corner.start * m.length_m, corner.end * m.length_m);
        assert!(c.entry_ms < c.apex_ms && c.apex_ms < c.exit_ms, "T{}", c.corner);
        assert!((c.corner_time_ms - (c.exit_ms - c.entry_ms)).abs() < 1e-9);
        assert!(c.min_speed_at_m >= start && c.min_speed_at_m <= end, "T{}", c.corner);
        // (Entry and exit are interpolated between grid points, the minimum is on one.)
        assert!(c.min_speed_kmh <= c.entry_speed_kmh.min(c.apex_speed_kmh).min(c.exit_speed_kmh) + 0.5);
        if let Some(braking) = c.braking_point_m {
            assert!(braking < corner.apex * m.length_m && c.peak_brake > 0.5, "T{}", c.corner);
        }
        let on = c.throttle_on_m.expect("the demo driver always gets back on the throttle");
        let full = c.full_throttle_m.expect("and to full throttle before the next corner");
        assert!(on <= full && on >= c.min_speed_at_m - 1.0, "T{}", c.corner);
        assert!((0.0..=1.0).contains(&c.exit_throttle));
    }
}
