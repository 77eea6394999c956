//! Corner detection and the track model against the demo track's true corners:
//! all ten found and numbered like the demo's, apexes close, nothing on the
//! straights, the same numbers on every lap and seed, and a model that keeps its
//! numbering through laps with mistakes.

use super::fixtures::{model, session, track};
use crate::analysis::{
    detect_corners, refine, resample, CornerSpan, CurvatureSource, Direction, DistanceTrace, ResampleOptions,
    TrackModel,
};
use crate::demo::Turn;
use purplesector_proto::v1::{TelemetryFrame, Vec3};

/// Largest apex error (m) of `corners` against the truth, asserting that they
/// are the demo's corners one for one, in order, turning the right way.
fn check_against_truth(corners: &[CornerSpan], length_m: f64, apex_tolerance_m: f64) -> f64 {
    let truth = track().corners();
    assert_eq!(corners.len(), truth.len(), "{corners:#?}");
    let mut worst: f64 = 0.0;
    for (found, real) in corners.iter().zip(truth) {
        assert_eq!(found.number as usize, real.number);
        let error = (found.apex * length_m - real.apex_m).abs();
        assert!(error <= apex_tolerance_m, "T{}: apex {error:.1} m off", real.number);
        worst = worst.max(error);
        let direction = match real.turn {
            Turn::Left => Direction::Left,
            Turn::Right => Direction::Right,
        };
        assert_eq!(found.direction, direction, "T{}", real.number);
        assert!(found.start < found.apex && found.apex < found.end, "T{}", real.number);
        // The start and end bracket the true apex: no corner straddles a straight.
        assert!(found.start * length_m < real.apex_m && found.end * length_m > real.apex_m);
    }
    worst
}

fn trace(frames: &[TelemetryFrame], time: f64) -> DistanceTrace {
    resample(frames, time, &ResampleOptions::default()).unwrap()
}

#[test]
fn every_demo_corner_is_found_with_its_apex_direction_and_radius() {
    let mut worst: f64 = 0.0;
    for seed in [1, 2, 3, 4] {
        let s = session(seed, 3);
        for lap in 0..2 {
            let t = trace(&s.laps[lap], s.times_ms[lap]);
            let (corners, source) = detect_corners(&t);
            assert_eq!(source, CurvatureSource::WorldPosition);
            worst = worst.max(check_against_truth(&corners, t.length_m, 30.0));
            for (found, real) in corners.iter().zip(track().corners()) {
                let radius = found.min_radius_m.unwrap();
                // The driven line is a little wider than the centreline's arc.
                assert!(radius > real.radius_m * 0.8 && radius < real.radius_m * 1.1, "T{}: {radius} m", real.number);
                let angle = found.angle_deg.unwrap();
                assert!((angle - real.angle_rad.to_degrees()).abs() < 10.0, "T{}: {angle}°", real.number);
            }
        }
    }
    eprintln!("largest apex error on clean laps: {worst:.1} m");
}

#[test]
fn a_straight_has_no_corners() {
    let frames: Vec<TelemetryFrame> = (0..3000)
        .map(|i| {
            let x = i as f32;
            TelemetryFrame {
                seq: i + 1,
                session_time_ms: i as f64 * 20.0,
                normalized_position: x / 3000.0,
                speed_kmh: 180.0,
                world_position: Some(Vec3 { x, y: 5.0 + (x / 200.0).sin() * 0.5, z: 0.0 }),
                ..TelemetryFrame::default()
            }
        })
        .collect();
    // Too little spread across the track for geometry: speed minima, and there are none.
    let t = trace(&frames, 60_000.0);
    assert!(detect_corners(&t).0.is_empty());
    // A wide, gently wobbling road (100 m from side to side over 3 km): no corner either.
    let wobbly: Vec<TelemetryFrame> = frames
        .iter()
        .map(|f| {
            let p = f.world_position.unwrap();
            TelemetryFrame { world_position: Some(Vec3 { y: (p.x / 600.0).sin() * 50.0, ..p }), ..*f }
        })
        .collect();
    let (corners, source) = detect_corners(&trace(&wobbly, 60_000.0));
    assert_eq!(source, CurvatureSource::WorldPosition);
    assert!(corners.is_empty(), "{corners:?}");
}

#[test]
fn numbering_is_identical_across_laps_and_seeds() {
    let reference = model(1);
    for seed in [2, 5, 9] {
        let other = model(seed);
        assert_eq!(other.corners.len(), reference.corners.len());
        for (a, b) in other.corners.iter().zip(&reference.corners) {
            assert_eq!((a.number, a.direction), (b.number, b.direction));
            assert!((a.apex - b.apex).abs() * reference.length_m < 5.0, "seed {seed} T{}", a.number);
        }
    }
}

#[test]
fn refining_keeps_the_numbering_through_laps_with_mistakes() {
    let s = session(1, 40);
    let mut m = model(1);
    let mut spurious_laps = 0;
    for (i, frames) in s.laps.iter().enumerate() {
        let t = resample(frames, s.times_ms[i], &ResampleOptions::for_length(m.length_m)).unwrap();
        if detect_corners(&t).0.len() != track().corners().len() {
            spurious_laps += 1;
        }
        m = refine(&m, &t);
    }
    assert!(s.mistake_laps().len() >= 5, "the session has laps with mistakes");
    assert_eq!(m.laps, 41);
    let worst = check_against_truth(&m.corners, m.length_m, 30.0);
    eprintln!("after 40 laps ({spurious_laps} detected with another corner count): largest apex error {worst:.1} m");
    assert!(m.corners.iter().all(|c| c.observations >= 40));
    assert!((m.length_m - track().length_m()).abs() < 1.0);
}

#[test]
fn a_corner_missing_from_the_model_joins_once_seen_on_enough_laps() {
    let s = session(2, 4);
    let full = model(2);
    let mut partial = TrackModel { corners: full.corners.clone(), ..full.clone() };
    partial.corners.remove(6); // T7, the flat-out kink
    for (i, c) in partial.corners.iter_mut().enumerate() {
        c.number = i as u32 + 1;
    }
    let lap = |i: usize| resample(&s.laps[i], s.times_ms[i], &ResampleOptions::for_length(full.length_m)).unwrap();
    let once = refine(&partial, &lap(1));
    assert_eq!(once.corners.len(), 9, "seen once: only a candidate");
    assert_eq!(once.candidates.len(), 1);
    let twice = refine(&once, &lap(2));
    assert_eq!(twice.corners.len(), 10, "seen on 2 of 3 laps: numbered");
    assert!(twice.candidates.is_empty());
    check_against_truth(&twice.corners, twice.length_m, 30.0);
}

fn strip(frames: &[TelemetryFrame], g_lat: bool) -> Vec<TelemetryFrame> {
    frames
        .iter()
        .map(|f| TelemetryFrame { world_position: None, g_lat: if g_lat { f.g_lat } else { None }, ..*f })
        .collect()
}

#[test]
fn without_positions_lateral_g_finds_the_same_corners() {
    let s = session(4, 3);
    let t = trace(&strip(&s.laps[1], true), s.times_ms[1]);
    let (corners, source) = detect_corners(&t);
    assert_eq!(source, CurvatureSource::LateralAcceleration);
    let worst = check_against_truth(&corners, t.length_m, 30.0);
    eprintln!("lateral g: largest apex error {worst:.1} m");
}

#[test]
fn without_positions_or_lateral_g_the_speed_minima_are_the_corners() {
    let s = session(4, 3);
    let frames = strip(&s.laps[1], false);
    let t = trace(&frames, s.times_ms[1]);
    let (corners, source) = detect_corners(&t);
    assert_eq!(source, CurvatureSource::SpeedOnly);
    let truth = track().corners();
    // Every corner the driver brakes for (in the raw frames) is found near its
    // apex, turning the way the steering says; nothing else is.
    let mut expected = 0;
    for (i, real) in truth.iter().enumerate() {
        let from = if i == 0 { 0.0 } else { truth[i - 1].end_m };
        let brakes = frames.iter().any(|f| {
            let at = f64::from(f.lap_distance_m.unwrap());
            at > from && at < real.apex_m && f.brake > 0.5
        });
        let found = corners.iter().find(|c| (c.apex * t.length_m - real.apex_m).abs() < 60.0);
        if brakes {
            expected += 1;
            let found = found.unwrap_or_else(|| panic!("T{} is braked for but was not found", real.number));
            let way = if real.turn == Turn::Left { Direction::Left } else { Direction::Right };
            assert_eq!(found.direction, way, "T{}", real.number);
            assert!(found.min_radius_m.is_none() && found.start <= found.apex && found.apex <= found.end);
        }
    }
    assert_eq!(corners.len(), expected, "{corners:#?}");
    assert!(expected >= 7, "the demo's braking corners");
}

#[test]
fn a_poorer_lap_only_counts_and_a_better_one_replaces_a_speed_only_model() {
    let s = session(4, 3);
    let geometry = model(4);
    let bare = trace(&strip(&s.laps[1], false), s.times_ms[1]);
    let counted = refine(&geometry, &bare);
    assert_eq!(counted.corners, geometry.corners);
    assert_eq!(counted.laps, 2);

    let speed_only = TrackModel::from_lap(&bare);
    assert_eq!(speed_only.source, CurvatureSource::SpeedOnly);
    let upgraded = refine(&speed_only, &trace(&s.laps[2], s.times_ms[2]));
    assert_eq!(upgraded.source, CurvatureSource::WorldPosition);
    check_against_truth(&upgraded.corners, upgraded.length_m, 30.0);
    assert!(upgraded.corners.iter().filter(|c| c.observations == 2).count() >= 7, "matched corners keep their count");

    let empty = refine(&TrackModel::empty(geometry.length_m), &trace(&s.laps[2], s.times_ms[2]));
    check_against_truth(&empty.corners, empty.length_m, 30.0);
}

#[test]
fn sims_with_other_axes_and_handedness_get_the_same_corners() {
    let s = session(4, 3);
    // Assetto Corsa style: y is up, the ground is x/z, and the world is mirrored
    // (a left turn turns the other way in x/z); steering still says which way.
    let mirrored: Vec<TelemetryFrame> = s.laps[1]
        .iter()
        .map(|f| {
            let p = f.world_position.unwrap();
            TelemetryFrame { world_position: Some(Vec3 { x: p.x, y: p.z, z: -p.y }), g_lat: None, ..*f }
        })
        .collect();
    let t = trace(&mirrored, s.times_ms[1]);
    let (corners, source) = detect_corners(&t);
    assert_eq!(source, CurvatureSource::WorldPosition);
    check_against_truth(&corners, t.length_m, 30.0);
}

#[test]
fn a_track_model_round_trips_through_json_for_storage() {
    let m = model(4);
    let json = serde_json::to_string(&m).unwrap();
    let back: TrackModel = serde_json::from_str(&json).unwrap();
    assert_eq!((back.laps, back.source, back.corners.len()), (m.laps, m.source, m.corners.len()));
    for (a, b) in back.corners.iter().zip(&m.corners) {
        assert_eq!((a.number, a.direction, a.observations), (b.number, b.direction, b.observations));
        assert!((a.apex - b.apex).abs() < 1e-12 && (a.start - b.start).abs() < 1e-12);
    }
    assert!(json.contains(r#""direction":"left""#) && json.contains(r#""source":"world_position""#));
}
