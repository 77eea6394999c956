//! `analyse_lap` end to end: everything bundled and consistent, deterministic,
//! serialisable, and errors (never panics) on any input, however broken.

use super::fixtures::{model, session};
use crate::analysis::{analyse_lap, AnalysisError, TrackModel};
use proptest::prelude::*;
use purplesector_proto::v1::{TelemetryFrame, Vec3};

#[test]
fn a_lap_against_a_reference_gets_every_part_of_the_analysis() {
    let s = session(1, 40);
    let m = model(1);
    let (lap, reference) = (s.lap(30), s.lap(s.best_lap()));
    let analysis = analyse_lap(lap.0, lap.1, Some(reference), &m).unwrap();
    assert_eq!((analysis.lap_time_ms, analysis.reference_lap_time_ms), (lap.1, Some(reference.1)));
    let lap_delta = f64::from(lap.1) - f64::from(reference.1);
    let delta = analysis.delta.as_ref().unwrap();
    assert_eq!(delta.final_delta_ms, lap_delta);
    assert_eq!(analysis.corners.len(), 10);
    assert_eq!(analysis.reference_corners.as_ref().map(Vec::len), Some(10));
    let segment_sum: f64 = analysis.segments.iter().map(|s| s.delta_ms.unwrap()).sum();
    assert!((segment_sum - lap_delta).abs() < 1e-6);
    assert!((analysis.sectors_ms.iter().sum::<f64>() - f64::from(lap.1)).abs() < 1e-6);
    assert_eq!(analysis.zones.len(), 10);
    assert!(!analysis.suggestions.is_empty());
    assert!(analysis.suggestions.windows(2).all(|w| w[0].time_at_stake_ms >= w[1].time_at_stake_ms), "ranked");
    assert_eq!(analysis.length_m, m.length_m);

    // Pure: the same input, the same answer; and JSON for the API.
    assert_eq!(analyse_lap(lap.0, lap.1, Some(reference), &m).unwrap(), analysis);
    let json = serde_json::to_value(&analysis).unwrap();
    assert_eq!(json["suggestions"][0]["kind"], "braking");
    assert_eq!(json["distance_source"], "normalized_position");
    assert!(json["delta"]["delta_ms"].as_array().unwrap().len() > 4000);
    assert!(json["corners"][0]["braking_point_m"].is_number());
    let back: crate::analysis::LapAnalysis = serde_json::from_value(json).unwrap();
    assert_eq!((back.suggestions.len(), back.corners.len()), (analysis.suggestions.len(), analysis.corners.len()));
    assert_eq!(back.suggestions[0].message, analysis.suggestions[0].message);
}

#[test]
fn a_lap_alone_gets_its_own_metrics_and_no_suggestions() {
    let s = session(1, 3);
    let analysis = analyse_lap(s.lap(1).0, s.lap(1).1, None, &model(1)).unwrap();
    assert!(analysis.delta.is_none() && analysis.reference_corners.is_none() && analysis.suggestions.is_empty());
    assert!(analysis.segments.iter().all(|s| s.delta_ms.is_none()));
    assert_eq!(analysis.corners.len(), 10);
    // A model with no corners (or no length) still analyses the lap.
    let bare = analyse_lap(s.lap(1).0, s.lap(1).1, Some(s.lap(0)), &TrackModel::empty(0.0)).unwrap();
    assert_eq!((bare.corners.len(), bare.segments.len()), (0, 1));
    assert!((bare.length_m - 4895.5).abs() < 1.0, "the lap's own length");
}

#[test]
fn broken_laps_and_references_are_errors() {
    let s = session(1, 3);
    let m = model(1);
    assert_eq!(analyse_lap(&[], 100_000, None, &m), Err(AnalysisError::EmptyLap));
    assert_eq!(analyse_lap(&s.laps[1][..1], s.lap(1).1, None, &m), Err(AnalysisError::TooFewFrames { usable: 1 }));
    assert!(matches!(analyse_lap(s.lap(1).0, 0, None, &m), Err(AnalysisError::InvalidLapTime { .. })));
    let error = analyse_lap(s.lap(1).0, s.lap(1).1, Some((&[], 100_000)), &m).unwrap_err();
    assert_eq!(error, AnalysisError::Reference { reason: Box::new(AnalysisError::EmptyLap) });
    assert_eq!(error.to_string(), "the reference lap cannot be used: the lap has no frames");
    let json = serde_json::to_value(&error).unwrap();
    assert_eq!((json["code"].as_str(), json["reason"]["code"].as_str()), (Some("reference"), Some("empty_lap")));
}

#[test]
fn nan_channels_and_missing_positions_still_give_an_analysis() {
    let s = session(1, 3);
    let m = model(1);
    let broken: Vec<TelemetryFrame> = s.laps[1]
        .iter()
        .enumerate()
        .map(|(i, f)| TelemetryFrame {
            world_position: None,
            g_lat: Some(f32::NAN),
            brake: if i % 7 == 0 { f32::NAN } else { f.brake },
            throttle: f32::INFINITY,
            ..*f
        })
        .collect();
    let analysis = analyse_lap(&broken, s.lap(1).1, Some(s.lap(0)), &m).unwrap();
    assert_eq!(analysis.corners.len(), 10);
    let clean = analyse_lap(s.lap(1).0, s.lap(1).1, Some(s.lap(0)), &m).unwrap();
    for (a, b) in analysis.corners.iter().zip(&clean.corners) {
        assert_eq!(a.braking_point_m.is_some(), b.braking_point_m.is_some());
        assert!((a.min_speed_kmh - b.min_speed_kmh).abs() < 1e-9);
    }
    assert!(analysis.corners.iter().all(|c| c.full_throttle_m.is_none()), "no throttle channel, no pickup");
}

fn arbitrary_frame() -> impl Strategy<Value = TelemetryFrame> {
    let float = prop_oneof![Just(f32::NAN), Just(f32::INFINITY), Just(0.0f32), -2.0f32..2.0, 0.0f32..400.0];
    (
        prop_oneof![Just(f64::NAN), 0.0f64..200_000.0],
        float.clone(),
        proptest::option::of(float.clone()),
        (float.clone(), float.clone(), float.clone(), float.clone()),
        proptest::option::of((float.clone(), float.clone(), float.clone())),
        proptest::option::of(float),
        any::<u32>(),
    )
        .prop_map(|(time, position, distance, (throttle, brake, steering, speed), world, g_lat, timer)| {
            TelemetryFrame {
                session_time_ms: time,
                current_lap_time_ms: timer,
                normalized_position: position,
                lap_distance_m: distance,
                throttle,
                brake,
                steering,
                speed_kmh: speed,
                world_position: world.map(|(x, y, z)| Vec3 { x: x * 100.0, y: y * 100.0, z }),
                g_lat,
                ..TelemetryFrame::default()
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever the frames hold, the analysis answers or errs: it never panics.
    #[test]
    fn arbitrary_frames_never_panic(
        mut frames in proptest::collection::vec(arbitrary_frame(), 0..300),
        sorted in any::<bool>(),
        lap_time_ms in any::<u32>(),
        reference in any::<bool>(),
    ) {
        if sorted {
            frames.sort_by(|a, b| a.session_time_ms.total_cmp(&b.session_time_ms));
        }
        let m = model(1);
        let reference_frames = frames.clone();
        let reference = reference.then_some((reference_frames.as_slice(), lap_time_ms / 2 + 1));
        let _ = analyse_lap(&frames, lap_time_ms, reference, &m);
        let _ = analyse_lap(&frames, lap_time_ms, reference, &TrackModel::empty(f64::NAN));
    }
}
