//! The theoretical best from hand-made splits (which lap holds which best, ties,
//! the gain) and on a demo session (never slower than the best lap).

use super::fixtures::{model, session};
use crate::analysis::{
    partition, resample_for, sector_times, segment_times, theoretical_best, AnalysisError, LapSplits,
};

fn splits(lap: usize, segment_ms: &[f64], sector_ms: &[f64]) -> LapSplits {
    LapSplits {
        lap,
        lap_time_ms: segment_ms.iter().sum(),
        segment_ms: segment_ms.to_vec(),
        sector_ms: sector_ms.to_vec(),
    }
}

#[test]
fn the_best_of_every_segment_and_sector_adds_up_with_the_lap_that_set_it() {
    let laps = [
        splits(0, &[10.0, 20.0, 30.0], &[25.0, 35.0]),
        splits(1, &[9.0, 21.0, 30.0], &[24.0, 36.0]),
        splits(2, &[11.0, 19.0, 31.0], &[26.0, 35.0]),
    ];
    let names = ["a".to_string(), "b".to_string(), "c".to_string()];
    let best = theoretical_best(&laps, &names).unwrap();
    assert_eq!((best.best_lap, best.best_lap_time_ms), (0, 60.0), "tie with lap 1 at 60: the earlier lap");
    assert_eq!(best.theoretical_best_ms, 9.0 + 19.0 + 30.0);
    let holders: Vec<(usize, &str, f64)> =
        best.best_segments.iter().map(|p| (p.lap, p.name.as_str(), p.time_ms)).collect();
    assert_eq!(holders, vec![(1, "a", 9.0), (2, "b", 19.0), (0, "c", 30.0)]);
    assert_eq!(best.best_sectors_ms, 24.0 + 35.0);
    let sectors: Vec<(usize, &str)> = best.best_sectors.iter().map(|p| (p.lap, p.name.as_str())).collect();
    assert_eq!(sectors, vec![(1, "S1"), (0, "S2")]);
    assert_eq!(best.gain_ms, 60.0 - 58.0);
    assert_eq!(theoretical_best(&[], &names), Err(AnalysisError::NoLaps));
}

#[test]
fn a_demo_sessions_theoretical_best_is_never_slower_than_its_best_lap() {
    let m = model(5);
    let s = session(5, 10);
    let segments = partition(&m);
    let names: Vec<String> = segments.iter().map(|s| s.name.clone()).collect();
    let laps: Vec<LapSplits> = (0..s.laps.len())
        .map(|i| {
            let trace = resample_for(&s.laps[i], s.times_ms[i], &m).unwrap();
            LapSplits {
                lap: i,
                lap_time_ms: s.times_ms[i],
                segment_ms: segment_times(&trace, None, &segments).iter().map(|t| t.time_ms).collect(),
                sector_ms: sector_times(&trace),
            }
        })
        .collect();
    let best = theoretical_best(&laps, &names).unwrap();
    assert_eq!(best.best_lap, s.best_lap());
    assert!(best.theoretical_best_ms <= best.best_lap_time_ms && best.gain_ms >= 0.0);
    assert!(best.best_sectors_ms <= best.best_lap_time_ms);
    // Segments are finer than sectors: their best can only be as good or better.
    assert!(best.theoretical_best_ms <= best.best_sectors_ms + 1e-6);
    let holders: std::collections::BTreeSet<usize> = best.best_segments.iter().map(|p| p.lap).collect();
    assert!(holders.len() > 1, "the demo's laps vary: several laps hold a best segment");
    eprintln!(
        "best lap {:.0} ms, theoretical best {:.0} ms (segments) / {:.0} ms (sectors), held by laps {holders:?}",
        best.best_lap_time_ms, best.theoretical_best_ms, best.best_sectors_ms
    );
}
