//! Why an analysis could not be made. The analysis runs on whatever a sim sent,
//! so empty laps, laps of one frame, NaN channels and lap times that contradict
//! the frames are expected inputs: each is a clear error value, never a panic.

use serde::Serialize;

/// What made a lap (or a session) impossible to analyse.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AnalysisError {
    /// The lap has no frames at all.
    #[error("the lap has no frames")]
    EmptyLap,
    /// Fewer than two frames with a finite, increasing session time.
    #[error("the lap has {usable} usable frame(s); at least 2 are needed")]
    TooFewFrames { usable: usize },
    /// The official lap time is zero, negative or not a number.
    #[error("lap time {lap_time_ms} ms is not a positive, finite time")]
    InvalidLapTime { lap_time_ms: f64 },
    /// No channel tells how far along the lap a frame is.
    #[error("the lap has no usable distance: no normalized position, lap distance or speed")]
    NoDistance,
    /// The frames cover too little of a lap to be compared with another.
    #[error("the lap's frames cover only {percent:.0}% of the lap")]
    IncompleteLap { percent: f64 },
    /// The frames last clearly longer than the lap time says the lap did.
    #[error("the lap's frames span {frames_ms:.0} ms, longer than its lap time of {lap_time_ms:.0} ms")]
    LapTimeMismatch { frames_ms: f64, lap_time_ms: f64 },
    /// A track length or grid step that is not a positive, finite number.
    #[error("{what} {value} is not a positive, finite number")]
    InvalidParameter { what: &'static str, value: f64 },
    /// The reference lap could not be analysed.
    #[error("the reference lap cannot be used: {reason}")]
    Reference { reason: Box<AnalysisError> },
    /// A session analysis was asked for without one analysable, valid lap.
    #[error("the session has no valid lap that can be analysed")]
    NoLaps,
}
