//! The delta trace on demo laps: exact at the finish, and following the true gap
//! (from the raw frames) all along the lap.

use super::fixtures::{frames_time_at, session};
use crate::analysis::{delta, resample, ResampleOptions};

#[test]
fn the_delta_at_the_finish_is_the_lap_time_difference() {
    let s = session(3, 8);
    let options = ResampleOptions::default();
    let reference = resample(&s.laps[1], f64::from(s.lap(1).1), &options).unwrap();
    let options = ResampleOptions::for_length(reference.length_m);
    let mut worst: f64 = 0.0;
    for i in 0..s.laps.len() {
        let (frames, time) = s.lap(i);
        let lap = resample(frames, f64::from(time), &options).unwrap();
        let trace = delta(&lap, &reference);
        let expected = f64::from(time) - f64::from(s.lap(1).1);
        worst = worst.max((trace.final_delta_ms - expected).abs());
        assert_eq!(*trace.delta_ms.last().unwrap(), trace.final_delta_ms);
        assert_eq!(trace.at(1.0), trace.final_delta_ms);
        assert_eq!(trace.delta_ms[0], 0.0);
    }
    eprintln!("largest delta-at-finish error: {worst} ms");
    assert!(worst < 1.0);
}

#[test]
fn the_delta_follows_the_true_gap_along_the_lap() {
    let s = session(3, 8);
    let (lap_i, ref_i) = (5, 1);
    let start = |i: usize| s.times_ms[..i].iter().sum::<f64>();
    let reference = resample(&s.laps[ref_i], s.times_ms[ref_i], &ResampleOptions::default()).unwrap();
    let lap = resample(&s.laps[lap_i], s.times_ms[lap_i], &ResampleOptions::for_length(reference.length_m)).unwrap();
    let trace = delta(&lap, &reference);
    let mut worst: f64 = 0.0;
    for frame in &s.laps[lap_i][1..s.laps[lap_i].len() - 1] {
        let at_m = f64::from(frame.lap_distance_m.unwrap());
        let truth = (frame.session_time_ms - start(lap_i)) - (frames_time_at(&s.laps[ref_i], at_m) - start(ref_i));
        let got = trace.at(f64::from(frame.normalized_position));
        worst = worst.max((got - truth).abs());
    }
    eprintln!("largest delta error along the lap: {worst:.4} ms");
    assert!(worst < 1.0, "delta off by {worst} ms");
}

#[test]
fn a_lap_against_itself_is_zero_and_other_grids_are_interpolated() {
    let s = session(3, 3);
    let lap = resample(&s.laps[1], s.times_ms[1], &ResampleOptions::default()).unwrap();
    assert!(delta(&lap, &lap).delta_ms.iter().all(|&d| d == 0.0));
    let coarse = resample(&s.laps[1], s.times_ms[1], &ResampleOptions { step_m: 5.0, length_m: None }).unwrap();
    let trace = delta(&lap, &coarse);
    assert_eq!(trace.distance.len(), lap.points());
    let worst = trace.delta_ms.iter().fold(0.0f64, |m, d| m.max(d.abs()));
    // Elapsed time is linear between grid points: 5 m steps at hairpin speeds
    // bend it by a few ms.
    assert!(worst < 10.0, "a 5 m grid interpolates to within {worst} ms");
    let small = trace.downsampled(100);
    assert_eq!(small.distance.len(), 100);
    assert_eq!((small.distance[0], *small.distance.last().unwrap()), (0.0, 1.0));
    assert_eq!(*small.delta_ms.last().unwrap(), trace.final_delta_ms);
}
