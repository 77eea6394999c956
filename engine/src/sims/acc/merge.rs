//! One frame from ACC's two sources: shared memory (the car's physics, only on the
//! game's machine) and the broadcasting protocol (timing and position, over UDP).
//!
//! A collector on the game's machine reads both: shared memory for the inputs and
//! physics the broadcasting protocol lacks, the broadcasting protocol for what the
//! pages may miss (world position, lap distance, lap times).

use purplesector_proto::v1::TelemetryFrame;

/// Combines a shared-memory frame and a broadcasting frame of the same car.
///
/// - Inputs and physics (throttle, brake, clutch, steering, speed, gear, rpm,
///   max rpm, velocity, g forces, tyres, brakes, fuel) come from shared memory,
///   which samples them at the physics rate with full precision.
/// - Lap counter, current lap time and normalized position come from shared
///   memory too (the same game state, sampled more often); the optional lap,
///   track and position channels (lap distance, last/best lap, world position,
///   yaw) from shared memory when it has them, otherwise from broadcasting.
/// - The session clock stays the shared-memory frame's: it advances with every
///   physics step (and stops with the game), while broadcasting's arrives only
///   with each realtime update, in steps that would blur line crossings.
/// - In pit and lap invalid are set when either source says so.
///
/// `seq` and `captured_at_us` are the shared-memory frame's (0 until stamped).
pub fn merge(shared_memory: &TelemetryFrame, broadcasting: &TelemetryFrame) -> TelemetryFrame {
    let mut merged = *shared_memory;
    merged.lap_distance_m = shared_memory.lap_distance_m.or(broadcasting.lap_distance_m);
    merged.last_lap_time_ms = shared_memory.last_lap_time_ms.or(broadcasting.last_lap_time_ms);
    merged.best_lap_time_ms = shared_memory.best_lap_time_ms.or(broadcasting.best_lap_time_ms);
    merged.world_position = shared_memory.world_position.or(broadcasting.world_position);
    merged.yaw = shared_memory.yaw.or(broadcasting.yaw);
    merged.in_pit = shared_memory.in_pit || broadcasting.in_pit;
    merged.lap_invalid = shared_memory.lap_invalid || broadcasting.lap_invalid;
    merged
}
