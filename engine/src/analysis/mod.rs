//! The built-in lap analysis: where a driver loses time and what to change,
//! computed from stored frames alone (no network, no key), as pure functions.
//!
//! The pipeline, one module per step:
//!
//! 1. [`resample()`]: a lap's channels on a fixed grid of distance from the line,
//!    so laps compare place by place ([`DistanceTrace`]).
//! 2. [`delta()`]: the time gap to a reference lap along the lap ([`DeltaTrace`]).
//! 3. [`detect_corners`], [`TrackModel`], [`build_model`], [`refine`]: the
//!    corners, from the path's curvature (or lateral g, or the speed profile),
//!    numbered from the line and kept stable across laps; the model is stored per
//!    track.
//! 4. [`corner_metrics()`]: braking point, peak brake, minimum speed, throttle
//!    pickup and corner times per corner; [`partition`] and [`segment_times`]:
//!    time per straight and corner, summing exactly to the lap delta;
//!    [`coaching_zones`] and [`zone_losses`]: time per corner from its braking
//!    zone to the next.
//! 5. [`theoretical_best()`]: best segments and sectors of a session.
//! 6. [`lap_suggestions`], [`consistency_suggestions`],
//!    [`with_session_consistency`]: coaching in words with numbers, ranked by the
//!    time at stake.
//! 7. [`analyse_lap`] and [`analyse_session`]: everything above in one call.
//!
//! Every function is deterministic and bounded by the lap's frames and the
//! track's length. Bad input (no frames, one frame, NaN channels, a lap time
//! the frames contradict) is an [`AnalysisError`], never a panic; missing world
//! positions fall back to lateral g, then to the speed profile, for corners.

mod consistency;
mod corner_metrics;
mod corners;
mod delta;
mod error;
mod geometry;
mod lap;
mod resample;
mod segments;
mod series;
mod session;
mod suggestions;
mod theoretical_best;
mod zones;

pub use consistency::{corner_consistency, lap_time_consistency, CornerConsistency, LapTimeConsistency, LOSING_MS};
pub use corner_metrics::{
    corner_metrics, CornerMetrics, BRAKING_THRESHOLD, EXIT_WINDOW_M, FULL_THROTTLE_THRESHOLD, THROTTLE_ON_THRESHOLD,
};
pub use corners::{
    build_model, detect_corners, refine, CornerSpan, Direction, TrackModel, MATCH_TOLERANCE_M, MIN_TURN_DEG,
};
pub use delta::{delta, DeltaTrace};
pub use error::AnalysisError;
pub use geometry::CurvatureSource;
pub use lap::{analyse_lap, analyse_traces, resample_for, LapAnalysis};
pub use resample::{resample, DistanceSource, DistanceTrace, ResampleOptions, DEFAULT_STEP_M, MAX_POINTS};
pub use segments::{partition, sector_times, segment_times, Segment, SegmentKind, SegmentTime, SECTORS};
pub use session::{analyse_session, LapSummary, SessionAnalysis, SessionLap, SkippedLap};
pub use suggestions::{
    consistency_suggestions, lap_suggestions, rank, severity, with_session_consistency, Consistency, Figures, Severity,
    Suggestion, SuggestionKind, MAJOR_MS, MINOR_MS, MIN_STAKE_MS,
};
pub use theoretical_best::{theoretical_best, BestPart, LapSplits, TheoreticalBest};
pub use zones::{coaching_zones, zone_losses, zone_time, CornerZone, ZoneLoss};

#[cfg(test)]
mod tests;

/// Analysed demo laps for the tests of the modules built on the analysis.
#[cfg(test)]
pub(crate) mod tests_support {
    use super::tests::fixtures::{model, session};
    use super::{analyse_lap, LapAnalysis};

    /// A demo lap against the session's best lap.
    pub fn demo_lap_analysis() -> LapAnalysis {
        let s = session(1, 40);
        let lap = s.lap(30);
        analyse_lap(lap.0, lap.1, Some(s.lap(s.best_lap())), &model(1)).expect("the demo lap analyses")
    }
}
