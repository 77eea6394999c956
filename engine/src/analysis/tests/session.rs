//! `analyse_session` on a demo session: best lap, theoretical best and purple
//! parts, per-corner consistency and its suggestions, laps skipped with a reason.

use super::fixtures::{model, session};
use crate::analysis::{
    analyse_lap, analyse_session, with_session_consistency, AnalysisError, SessionLap, SuggestionKind,
};

#[test]
fn a_session_gets_its_best_lap_theoretical_best_purple_parts_and_consistency() {
    let s = session(1, 40);
    let m = model(1);
    let mut laps: Vec<SessionLap> = (0..s.laps.len())
        .map(|i| SessionLap { frames: &s.laps[i], lap_time_ms: s.lap(i).1, valid: !s.invalid(i) })
        .collect();
    laps.push(SessionLap { frames: &[], lap_time_ms: 100_000, valid: true });
    let analysis = analyse_session(&laps, &m).unwrap();

    assert_eq!(analysis.skipped.len(), 1);
    assert_eq!((analysis.skipped[0].lap, &analysis.skipped[0].error), (40, &AnalysisError::EmptyLap));
    assert_eq!(analysis.laps.len(), 40);
    let best = &analysis.theoretical_best;
    assert_eq!(best.best_lap, s.best_lap());
    assert!(best.theoretical_best_ms < best.best_lap_time_ms);
    assert_eq!(best.best_segments.len(), analysis.segments.len());
    // Purple: every segment and sector is held by exactly one valid lap.
    for (index, part) in best.best_segments.iter().enumerate() {
        let holders: Vec<usize> = analysis.laps.iter().filter(|l| l.purple_segments[index]).map(|l| l.lap).collect();
        assert_eq!(holders, vec![part.lap]);
        assert!(laps[part.lap].valid);
        let fastest = analysis.laps.iter().filter(|l| l.valid).map(|l| l.segment_ms[index]).fold(f64::MAX, f64::min);
        assert_eq!(part.time_ms, fastest);
    }
    for (index, part) in best.best_sectors.iter().enumerate() {
        assert_eq!(analysis.laps.iter().filter(|l| l.purple_sectors[index]).count(), 1);
        assert!(analysis.laps[part.lap].purple_sectors[index]);
    }
    assert!(analysis.laps.iter().filter(|l| !l.valid).all(|l| !l.purple_segments.contains(&true)));
    assert_eq!(analysis.laps[best.best_lap].gap_to_best_ms, 0.0);

    let valid = laps[..40].iter().filter(|l| l.valid).count() as u32;
    assert!(valid < 40, "some demo laps are invalid");
    assert_eq!(analysis.lap_times.laps, valid);
    assert_eq!(analysis.corners.len(), 10);
    assert!(analysis.corners.iter().all(|c| c.laps == valid && c.best_ms <= c.mean_ms && c.mean_ms <= c.worst_ms));
    // Mistakes at T1 on laps 14 and 30 make it the least consistent corner.
    assert!(!analysis.suggestions.is_empty());
    assert!(analysis.suggestions.iter().all(|s| s.kind == SuggestionKind::Consistency));
    eprintln!("top consistency suggestion: {}", analysis.suggestions[0].message);

    // A lap's suggestions carry how often the session loses time there.
    let mut lap = analyse_lap(s.lap(30).0, s.lap(30).1, Some(s.lap(best.best_lap)), &m).unwrap();
    with_session_consistency(&mut lap.suggestions, &analysis.corners);
    let top = &lap.suggestions[0];
    let consistency = top.consistency.unwrap();
    assert_eq!(consistency.laps, valid);
    assert!(top
        .message
        .ends_with(&format!("On {} of your {} laps you lose time here.", consistency.laps_affected, consistency.laps)));
    eprintln!("{}", top.message);
    assert!(serde_json::to_string(&analysis).is_ok());
}

#[test]
fn a_session_without_a_valid_lap_is_an_error() {
    let s = session(1, 3);
    let m = model(1);
    assert_eq!(analyse_session(&[], &m), Err(AnalysisError::NoLaps));
    let invalid = [SessionLap { frames: &s.laps[1], lap_time_ms: s.lap(1).1, valid: false }];
    assert_eq!(analyse_session(&invalid, &m), Err(AnalysisError::NoLaps));
    let broken = [SessionLap { frames: &s.laps[1][..1], lap_time_ms: s.lap(1).1, valid: true }];
    assert_eq!(analyse_session(&broken, &m), Err(AnalysisError::NoLaps));
}
