//! Row types between diesel and the protobuf types the rest of the engine uses.

use super::schema::{laps, sessions, telemetry_frames};
use super::{NewLap, UserId};
use diesel::prelude::*;
use purplesector_proto::sim_name;
use purplesector_proto::v1::{LapInfo, SessionInfo, Sim};

#[derive(Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub(super) struct SessionRow {
    id: String,
    name: String,
    sim: String,
    track: String,
    car: String,
    track_length_m: Option<f64>,
    started_at_ms: i64,
    updated_at_ms: i64,
    lap_count: i32,
    best_lap_time_ms: Option<i32>,
}

impl SessionRow {
    pub(super) fn into_info(self) -> SessionInfo {
        SessionInfo {
            id: self.id,
            name: self.name,
            sim: sim_name::parse(&self.sim).unwrap_or(Sim::Unspecified) as i32,
            track: self.track,
            car: self.car,
            track_length_m: self.track_length_m.map(|length| length as f32),
            started_at_ms: self.started_at_ms,
            updated_at_ms: self.updated_at_ms,
            lap_count: self.lap_count.max(0) as u32,
            best_lap_time_ms: self.best_lap_time_ms.map(|time| time.max(0) as u32),
            live: false,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = laps)]
pub(super) struct LapRow {
    id: i64,
    session_id: String,
    lap_number: i32,
    lap_time_ms: i32,
    official_time: bool,
    valid: bool,
    out_lap: bool,
    in_lap: bool,
    first_seq: i64,
    last_seq: i64,
    completed_at_ms: i64,
}

impl LapRow {
    pub(super) fn into_info(self) -> LapInfo {
        LapInfo {
            id: self.id,
            session_id: self.session_id,
            lap_number: self.lap_number.max(0) as u32,
            lap_time_ms: self.lap_time_ms.max(0) as u32,
            official_time: self.official_time,
            valid: self.valid,
            out_lap: self.out_lap,
            in_lap: self.in_lap,
            first_seq: self.first_seq.max(0) as u64,
            last_seq: self.last_seq.max(0) as u64,
            completed_at_ms: self.completed_at_ms,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = laps)]
pub(super) struct NewLapRow<'a> {
    session_id: &'a str,
    user_id: i64,
    lap_number: i32,
    lap_time_ms: i32,
    official_time: bool,
    valid: bool,
    out_lap: bool,
    in_lap: bool,
    first_seq: i64,
    last_seq: i64,
    completed_at_ms: i64,
}

impl<'a> NewLapRow<'a> {
    pub(super) fn new(owner: UserId, lap: &'a NewLap, now_ms: i64) -> Self {
        NewLapRow {
            session_id: &lap.session_id,
            user_id: owner.0,
            lap_number: lap.lap_number.min(i32::MAX as u32) as i32,
            lap_time_ms: lap.lap_time_ms.min(i32::MAX as u32) as i32,
            official_time: lap.official_time,
            valid: lap.valid,
            out_lap: lap.out_lap,
            in_lap: lap.in_lap,
            first_seq: super::seq_to_db(lap.first_seq),
            last_seq: super::seq_to_db(lap.last_seq),
            completed_at_ms: now_ms,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = telemetry_frames)]
pub(super) struct FrameRow {
    pub(super) seq: i64,
    pub(super) frame: Vec<u8>,
}

#[derive(Insertable)]
#[diesel(table_name = telemetry_frames)]
pub(super) struct NewFrameRow<'a> {
    pub(super) session_id: &'a str,
    pub(super) seq: i64,
    pub(super) user_id: i64,
    pub(super) captured_at_us: i64,
    pub(super) session_time_ms: f64,
    pub(super) frame: &'a [u8],
}
