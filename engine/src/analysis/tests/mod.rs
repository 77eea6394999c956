//! Tests of the lap analysis, one file per module, on demo laps whose truth is
//! known (the demo track's corners, its raw frames, its exact lap times) and on
//! small hand-made inputs. Plain data only: no sockets, no files.

mod corner_metrics;
mod corners;
mod delta;
pub(super) mod fixtures;
mod lap;
mod resample;
mod segments;
mod session;
mod suggestions;
mod theoretical_best;
