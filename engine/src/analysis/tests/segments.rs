//! The partition of a lap and its times: straights and corners covering the lap,
//! per-segment deltas summing exactly to the lap delta, sectors to the lap time.

use super::fixtures::{model, session};
use crate::analysis::{
    coaching_zones, corner_metrics, partition, resample_for, sector_times, segment_times, zone_losses, CornerSpan,
    CurvatureSource, Direction, SegmentKind, TrackModel,
};

#[test]
fn the_partition_covers_the_lap_with_straights_between_corners() {
    let m = model(1);
    let segments = partition(&m);
    assert_eq!(segments.len(), 21, "10 corners, 9 straights between them, and the two halves of the main straight");
    assert_eq!((segments[0].start, segments[segments.len() - 1].end), (0.0, 1.0));
    for pair in segments.windows(2) {
        assert_eq!(pair[0].end, pair[1].start, "no gaps, no overlaps");
        assert_ne!(pair[0].kind, pair[1].kind, "straights and corners alternate");
    }
    assert_eq!(segments[0].name, "start to T1");
    assert_eq!((segments[1].name.as_str(), segments[1].corner), ("T1", Some(1)));
    assert_eq!(segments[2].name, "T1 to T2");
    assert_eq!(segments[20].name, "T10 to finish");
    assert!(segments.iter().enumerate().all(|(i, s)| s.index == i));
}

#[test]
fn segment_deltas_sum_exactly_to_the_lap_delta() {
    let m = model(2);
    let s = session(2, 12);
    let reference = resample_for(&s.laps[1], f64::from(s.lap(1).1), &m).unwrap();
    let segments = partition(&m);
    let mut worst: f64 = 0.0;
    for i in 0..s.laps.len() {
        let (frames, time) = s.lap(i);
        let lap = resample_for(frames, f64::from(time), &m).unwrap();
        let times = segment_times(&lap, Some(&reference), &segments);
        let lap_delta = f64::from(time) - f64::from(s.lap(1).1);
        let sum: f64 = times.iter().map(|t| t.delta_ms.unwrap()).sum();
        worst = worst.max((sum - lap_delta).abs());
        let total: f64 = times.iter().map(|t| t.time_ms).sum();
        assert!((total - f64::from(time)).abs() < 1e-6, "segment times sum to the lap time");
        for t in &times {
            assert!((t.delta_ms.unwrap() - (t.time_ms - t.reference_ms.unwrap())).abs() < 1e-6);
            assert!(t.time_ms > 0.0 && t.end_m > t.start_m);
        }
        // Corner zones (braking zone to the next corner's) also add up, with the
        // stretch from the line to the first zone.
        let metrics = [corner_metrics(&lap, &m), corner_metrics(&reference, &m)];
        let zones = coaching_zones(&m, &[&metrics[0], &metrics[1]]);
        let losses = zone_losses(&lap, &reference, &zones);
        let before = lap.elapsed_at(zones[0].start) - reference.elapsed_at(zones[0].start);
        let zone_sum: f64 = losses.iter().map(|z| z.loss_ms).sum::<f64>() + before;
        assert!((zone_sum - lap_delta).abs() < 1e-6, "zones sum to {zone_sum}, lap delta {lap_delta}");
        for z in &losses {
            assert!((z.entry_loss_ms + z.exit_loss_ms - z.loss_ms).abs() < 1e-6);
        }
    }
    eprintln!("segment deltas sum to the lap delta within {worst:e} ms");
    assert!(worst < 1e-6);
}

#[test]
fn sectors_are_thirds_that_sum_to_the_lap_time() {
    let m = model(2);
    let s = session(2, 3);
    let lap = resample_for(&s.laps[1], s.times_ms[1], &m).unwrap();
    let sectors = sector_times(&lap);
    assert_eq!(sectors.len(), 3);
    assert!((sectors.iter().sum::<f64>() - s.times_ms[1]).abs() < 1e-6);
    assert!((sectors[0] - lap.elapsed_at(1.0 / 3.0)).abs() < 1e-9);
}

fn corner(number: u32, start: f64, end: f64) -> CornerSpan {
    CornerSpan {
        number,
        start,
        apex: (start + end) / 2.0,
        end,
        direction: Direction::Left,
        min_radius_m: None,
        angle_deg: None,
        observations: 1,
    }
}

#[test]
fn overlapping_corners_meet_in_the_middle_and_no_corners_is_one_straight() {
    let m = TrackModel {
        corners: vec![corner(1, 0.0, 0.3), corner(2, 0.2, 0.5), corner(3, 0.9, 1.0)],
        ..TrackModel::empty(1000.0)
    };
    let segments = partition(&m);
    let spans: Vec<(SegmentKind, f64, f64)> = segments.iter().map(|s| (s.kind, s.start, s.end)).collect();
    assert_eq!(
        spans,
        vec![
            (SegmentKind::Corner, 0.0, 0.25),
            (SegmentKind::Corner, 0.25, 0.5),
            (SegmentKind::Straight, 0.5, 0.9),
            (SegmentKind::Corner, 0.9, 1.0),
        ]
    );
    let empty = partition(&TrackModel::empty(1000.0));
    assert_eq!(empty.len(), 1);
    assert_eq!(
        (empty[0].kind, empty[0].start, empty[0].end, empty[0].name.as_str()),
        (SegmentKind::Straight, 0.0, 1.0, "start to finish")
    );
    assert_eq!(TrackModel::empty(1.0).source, CurvatureSource::SpeedOnly);
}
