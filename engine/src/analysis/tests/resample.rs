//! Resampling by distance: the time channel against the demo's exact clock, the
//! line found where the sim's zero is elsewhere, laps of different lengths, the
//! fallbacks for missing channels, and bad laps as errors.

use super::fixtures::session;
use crate::analysis::{resample, AnalysisError, DistanceSource, ResampleOptions, MAX_POINTS};
use purplesector_proto::v1::TelemetryFrame;

fn shifted(frames: &[TelemetryFrame], offset: f32) -> Vec<TelemetryFrame> {
    frames
        .iter()
        .map(|f| TelemetryFrame { normalized_position: (f.normalized_position + offset).rem_euclid(1.0), ..*f })
        .collect()
}

#[test]
fn elapsed_time_matches_the_demo_clock_at_every_frame() {
    let s = session(7, 6);
    let mut lap_start = 0.0;
    let mut worst: f64 = 0.0;
    for (i, frames) in s.laps.iter().enumerate() {
        let trace = resample(frames, s.times_ms[i], &ResampleOptions::default()).unwrap();
        for frame in frames {
            let truth = frame.session_time_ms - lap_start;
            let got = trace.elapsed_at(f64::from(frame.normalized_position));
            worst = worst.max((got - truth).abs());
        }
        lap_start += s.times_ms[i];
    }
    eprintln!("largest elapsed-time error at a frame: {worst:.4} ms");
    assert!(worst < 1.0, "elapsed time off by {worst} ms");
}

#[test]
fn the_trace_runs_from_zero_at_the_line_to_the_official_time_exactly() {
    let s = session(7, 3);
    for i in 0..3 {
        let trace = resample(&s.laps[i], s.times_ms[i], &ResampleOptions::default()).unwrap();
        assert_eq!(trace.source, DistanceSource::NormalizedPosition);
        assert_eq!(trace.line_offset, Some(0.0));
        assert_eq!(trace.elapsed_ms[0], 0.0);
        assert_eq!(*trace.elapsed_ms.last().unwrap(), s.times_ms[i]);
        assert_eq!((trace.distance[0], *trace.distance.last().unwrap()), (0.0, 1.0));
        assert!(trace.elapsed_ms.windows(2).all(|w| w[1] >= w[0]), "time never runs backwards");
        assert_eq!(trace.points(), trace.length_m.round() as usize + 1, "1 m steps");
        assert!((trace.measured_length_m - 4895.5).abs() < 1.0, "{} m", trace.measured_length_m);
        for channel in [&trace.speed_kmh, &trace.throttle, &trace.brake, &trace.steering, &trace.rpm] {
            assert_eq!(channel.len(), trace.points());
            assert!(channel.iter().all(|v| v.is_finite()));
        }
        assert!(trace.position.is_some() && trace.g_lat.is_some() && trace.missing.is_empty());
    }
}

#[test]
fn a_line_away_from_the_sims_zero_is_found_and_measured_from() {
    let s = session(7, 3);
    let (frames, time) = (&s.laps[1], s.times_ms[1]);
    let aligned = resample(frames, time, &ResampleOptions::default()).unwrap();
    let mut largest: f64 = 0.0;
    for offset in [0.8f32, 0.3, 0.5, 0.999, 0.0005] {
        let trace = resample(&shifted(frames, offset), time, &ResampleOptions::default()).unwrap();
        let found = trace.line_offset.unwrap();
        let apart = (found - f64::from(offset)).abs().min(1.0 - (found - f64::from(offset)).abs());
        assert!(apart < 1e-3, "offset {offset}: line found at {found}");
        let worst = aligned.elapsed_ms.iter().zip(&trace.elapsed_ms).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(worst < 1.0, "offset {offset}: elapsed differs by up to {worst} ms");
        largest = largest.max(worst);
        let speed = aligned.speed_kmh.iter().zip(&trace.speed_kmh).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(speed < 0.5, "offset {offset}: speed differs by up to {speed} km/h");
    }
    eprintln!("line offset found from the lap alone: elapsed within {largest:.3} ms of the aligned lap");
}

#[test]
fn laps_of_different_length_are_normalised_and_scaled_to_the_reference_length() {
    let s = session(7, 3);
    let (frames, time) = (&s.laps[1], s.times_ms[1]);
    let reference = resample(frames, time, &ResampleOptions::default()).unwrap();
    // A sim without normalized position whose lap distance says this lap was 2 % longer.
    let longer: Vec<TelemetryFrame> = frames
        .iter()
        .map(|f| TelemetryFrame { normalized_position: 0.0, lap_distance_m: f.lap_distance_m.map(|d| d * 1.02), ..*f })
        .collect();
    let trace = resample(&longer, time, &ResampleOptions::for_length(reference.length_m)).unwrap();
    assert_eq!(trace.source, DistanceSource::LapDistance);
    assert_eq!(trace.length_m, reference.length_m);
    assert_eq!(trace.points(), reference.points());
    let ratio = trace.measured_length_m / reference.measured_length_m;
    assert!((ratio - 1.02).abs() < 0.001, "measured {} m", trace.measured_length_m);
    let worst = reference.elapsed_ms.iter().zip(&trace.elapsed_ms).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    eprintln!("lap distance 2 % long: elapsed within {worst:.3} ms of the position-based trace");
    assert!(worst < 2.0, "elapsed differs by up to {worst} ms");
}

#[test]
fn without_positions_or_distance_the_speed_is_integrated() {
    let s = session(7, 3);
    let (frames, time) = (&s.laps[1], s.times_ms[1]);
    let reference = resample(frames, time, &ResampleOptions::default()).unwrap();
    let bare: Vec<TelemetryFrame> = frames
        .iter()
        .map(|f| TelemetryFrame { normalized_position: 0.0, lap_distance_m: None, world_position: None, ..*f })
        .collect();
    let trace = resample(&bare, time, &ResampleOptions::for_length(reference.length_m)).unwrap();
    assert_eq!(trace.source, DistanceSource::Speed);
    assert!(trace.position.is_none());
    assert!((trace.measured_length_m / reference.measured_length_m - 1.0).abs() < 0.002);
    let worst = reference.elapsed_ms.iter().zip(&trace.elapsed_ms).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    eprintln!("integrated speed: elapsed within {worst:.1} ms of the position-based trace");
    assert!(worst < 5.0, "elapsed differs by up to {worst} ms");
    assert_eq!(*trace.elapsed_ms.last().unwrap(), time);
}

#[test]
fn nan_values_are_skipped_channel_by_channel() {
    let s = session(7, 3);
    let (frames, time) = (&s.laps[1], s.times_ms[1]);
    let reference = resample(frames, time, &ResampleOptions::default()).unwrap();
    let noisy: Vec<TelemetryFrame> = frames
        .iter()
        .enumerate()
        .map(|(i, f)| TelemetryFrame {
            throttle: f32::NAN,
            speed_kmh: if i % 2 == 0 { f32::NAN } else { f.speed_kmh },
            g_lat: None,
            world_position: if i % 3 == 0 { None } else { f.world_position },
            ..*f
        })
        .collect();
    let trace = resample(&noisy, time, &ResampleOptions::default()).unwrap();
    assert_eq!(trace.missing, vec!["throttle"]);
    assert!(trace.throttle.iter().all(|&t| t == 0.0));
    assert!(trace.g_lat.is_none() && trace.position.is_some());
    let worst = reference.speed_kmh.iter().zip(&trace.speed_kmh).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(worst < 0.5, "speed from every other frame differs by {worst} km/h");
    assert_eq!(trace.elapsed_ms, reference.elapsed_ms);
}

#[test]
fn frames_that_do_not_advance_are_left_out() {
    let s = session(7, 3);
    let (frames, time) = (&s.laps[1], s.times_ms[1]);
    let reference = resample(frames, time, &ResampleOptions::default()).unwrap();
    // A car standing still for a frame (same place, later time), one reversing a
    // little, and a frame re-delivered (same time).
    let mut messy = Vec::with_capacity(frames.len() + 3);
    for (i, frame) in frames.iter().enumerate() {
        messy.push(*frame);
        let between = (frame.session_time_ms + frames[(i + 1).min(frames.len() - 1)].session_time_ms) / 2.0;
        match i {
            1000 => messy.push(TelemetryFrame { session_time_ms: between, ..*frame }),
            2000 => messy.push(TelemetryFrame { session_time_ms: between, ..frames[1990] }),
            3000 => messy.push(*frame),
            _ => {}
        }
    }
    let trace = resample(&messy, time, &ResampleOptions::default()).unwrap();
    assert_eq!(trace.elapsed_ms, reference.elapsed_ms);
}

#[test]
fn the_grid_is_bounded_and_bad_parameters_are_errors() {
    let s = session(7, 3);
    let (frames, time) = (&s.laps[1], s.times_ms[1]);
    let fine = resample(frames, time, &ResampleOptions { step_m: 1e-6, length_m: None }).unwrap();
    assert_eq!(fine.points(), MAX_POINTS);
    let coarse = resample(frames, time, &ResampleOptions { step_m: 1e9, length_m: None }).unwrap();
    assert_eq!(coarse.points(), 2);
    for step_m in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let error = resample(frames, time, &ResampleOptions { step_m, length_m: None }).unwrap_err();
        assert!(matches!(error, AnalysisError::InvalidParameter { .. }), "{error}");
    }
    let error = resample(frames, time, &ResampleOptions { step_m: 1.0, length_m: Some(f64::NAN) }).unwrap_err();
    assert!(matches!(error, AnalysisError::InvalidParameter { .. }));
}

#[test]
fn laps_that_cannot_be_resampled_are_clear_errors() {
    let s = session(7, 3);
    let (frames, time) = (&s.laps[1], s.times_ms[1]);
    let options = ResampleOptions::default();
    assert_eq!(resample(&[], time, &options), Err(AnalysisError::EmptyLap));
    assert_eq!(resample(&frames[..1], time, &options), Err(AnalysisError::TooFewFrames { usable: 1 }));
    let timeless: Vec<TelemetryFrame> =
        frames.iter().map(|f| TelemetryFrame { session_time_ms: f64::NAN, ..*f }).collect();
    assert_eq!(resample(&timeless, time, &options), Err(AnalysisError::TooFewFrames { usable: 0 }));
    for bad in [0.0, -5.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(resample(frames, bad, &options), Err(AnalysisError::InvalidLapTime { .. })));
    }
    assert!(matches!(resample(frames, time / 2.0, &options), Err(AnalysisError::LapTimeMismatch { .. })));
    let half = &frames[..frames.len() / 3];
    assert!(matches!(resample(half, time, &options), Err(AnalysisError::IncompleteLap { .. })));
    let nowhere: Vec<TelemetryFrame> = frames
        .iter()
        .map(|f| TelemetryFrame { normalized_position: 0.0, lap_distance_m: None, speed_kmh: f32::NAN, ..*f })
        .collect();
    assert_eq!(resample(&nowhere, time, &options), Err(AnalysisError::NoDistance));
    // The messages say what is wrong.
    assert_eq!(
        AnalysisError::TooFewFrames { usable: 1 }.to_string(),
        "the lap has 1 usable frame(s); at least 2 are needed"
    );
}
