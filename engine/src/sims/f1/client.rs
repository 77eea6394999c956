//! The collector's side of the F1 UDP stream: turns the game's packet families
//! into one [`TelemetryFrame`] per game frame of the player car, plus session
//! start and end events.
//!
//! The game needs no handshake: it sends to UDP port 20777 once "UDP Telemetry"
//! is on in its settings, so [`SimClient::poll`] and [`SimClient::shutdown`]
//! return nothing and there is no silence rule (the collector's own idle timeout
//! applies).
//!
//! Rules:
//! - **Which car**: the header's `m_playerCarIndex` (validated < 22) selects the
//!   record in every per-car array.
//! - **Frames**: the game sends each game frame as several packets sharing
//!   `m_frameIdentifier` (Motion, Lap Data, Car Telemetry, Car Status, Motion Ex,
//!   ...). The client keeps the latest of each and emits a Frame when a Car
//!   Telemetry packet arrives for a `m_frameIdentifier` other than the last one
//!   emitted (a flashback moves it backwards, which counts as new) and a Lap
//!   Data packet of this session has been seen. Motion, Car Status and Motion Ex
//!   contribute their latest values when seen (the game sends Car Status after
//!   Car Telemetry, so fuel and max RPM lag one frame; they change slowly).
//! - **Duplicates**: a Frame whose channels all equal the previous Frame's (the
//!   game paused, or resending a frame) is not emitted.
//! - **Session**: a [`SimEvent::Session`] is emitted once per `m_sessionUID`,
//!   when its Session packet (track, length) and a Participants packet (driver,
//!   team) are known, or once [`PARTICIPANTS_WAIT_S`] of session time passed
//!   after the Session packet without one (driver "unknown", car "F1 25").
//!   Frames captured before that are held back (at most [`MAX_PENDING_FRAMES`],
//!   oldest dropped) and emitted right after the Session event, so no Frame ever
//!   precedes its Session.
//! - **End**: [`SimEvent::SessionEnded`] when the game sends the "SEND" (session
//!   ended) event, or when a packet with a new `m_sessionUID` arrives (emitted
//!   before anything of the new session). After "SEND", frames of the same
//!   session (results screen) are ignored until a new session starts.
//!
//! Channels: `session_time_ms` = header `m_sessionTime` × 1000; from Lap Data
//! `current_lap_time_ms`, `lap_number` = `m_currentLapNum` − 1, `lap_distance_m`
//! = `m_lapDistance` (negative before the line), `normalized_position` =
//! `m_lapDistance` / Session `m_trackLength` clamped to 0..1, `in_pit` =
//! `m_pitStatus` ≠ 0 or `m_driverStatus` = 0 (garage), `lap_invalid` =
//! `m_currentLapInvalid`, `last_lap_time_ms` = `m_lastLapTimeInMS` (None when
//! 0); from Car Telemetry speed (km/h), throttle, brake, steering (the game's
//! -1..1), clutch (% → 0..1), gear, rpm, `tyre_temp_c` (surface temperatures),
//! `brake_temp_c`, `tyre_pressure_kpa` (PSI → kPa); from Motion world position,
//! velocity (m/s), g lateral/longitudinal/vertical, yaw (rad); from Car Status
//! `max_rpm` and `fuel_l` (`m_fuelInTank` kg ÷ [`FUEL_DENSITY_KG_PER_L`]); from
//! Motion Ex `wheel_slip` (slip ratio). Wheel arrays come in the game's RL, RR,
//! FL, FR order. `best_lap_time_ms` stays None (the game reports it only in
//! Session History, which is not used).

use std::collections::VecDeque;

use purplesector_proto::v1::{Sim, TelemetryFrame, Vec3, Wheels};

use super::header::Header;
use super::layout::{event, wheel, FORMAT_2024};
use super::packets::{self, CarMotion, CarStatus, CarTelemetry, Lap, MotionEx, Packet, Participant, Session};
use super::tables;
use crate::sims::{PacketError, SessionMeta, SimClient, SimEvent};

/// How long (game session time) the client waits for a Participants packet
/// after the Session packet before announcing the session without a driver
/// name. The game sends Participants every 5 seconds.
pub const PARTICIPANTS_WAIT_S: f32 = 6.0;

/// Frames held back while the session's metadata is not known yet
/// (Participants come every 5 s: 5 s at the game's highest 120 Hz send rate).
pub const MAX_PENDING_FRAMES: usize = 600;

/// 1 PSI in kPa.
pub const KPA_PER_PSI: f32 = 6.894_757;

/// Density used to turn `m_fuelInTank` (a mass, kg) into litres: F1 fuel is
/// 0.72–0.775 kg/l by regulation.
pub const FUEL_DENSITY_KG_PER_L: f32 = 0.75;

/// Largest `f32` below 1: a lap fraction never reports the line before the car
/// reaches it.
const BELOW_ONE: f32 = 1.0 - f32::EPSILON / 2.0;

/// The F1 25 collector state machine. See the module docs for its rules.
#[derive(Debug, Default)]
pub struct Client {
    session: Option<SessionState>,
}

/// Everything known about one `m_sessionUID`.
#[derive(Debug)]
struct SessionState {
    uid: u64,
    packet_format: u16,
    info: Option<Session>,
    /// `m_sessionTime` when the Session packet was first seen.
    info_seen_at: f32,
    participant: Option<Participant>,
    announced: bool,
    ended: bool,
    motion: Option<CarMotion>,
    lap: Option<Lap>,
    status: Option<CarStatus>,
    motion_ex: Option<MotionEx>,
    last_frame_identifier: Option<u32>,
    last_frame: Option<TelemetryFrame>,
    pending: VecDeque<TelemetryFrame>,
}

impl SessionState {
    fn new(header: &Header) -> Self {
        SessionState {
            uid: header.session_uid,
            packet_format: header.packet_format,
            info: None,
            info_seen_at: 0.0,
            participant: None,
            announced: false,
            ended: false,
            motion: None,
            lap: None,
            status: None,
            motion_ex: None,
            last_frame_identifier: None,
            last_frame: None,
            pending: VecDeque::new(),
        }
    }

    /// The session's metadata from what is known so far.
    fn meta(&self) -> SessionMeta {
        let info = self.info.as_ref();
        let game = if self.packet_format == FORMAT_2024 { "F1 24" } else { "F1 25" };
        let participant = self.participant.as_ref();
        let car = participant.and_then(|p| tables::team_name(p.team_id)).unwrap_or(game);
        let driver = participant.map(|p| p.name.clone()).filter(|name| !name.is_empty());
        SessionMeta {
            sim: Sim::F1,
            track: info.map_or_else(|| "unknown".to_string(), |i| tables::track_name(i.track_id)),
            car: car.to_string(),
            driver: driver.unwrap_or_else(|| "unknown".to_string()),
            track_length_m: info.and_then(|i| i.track_length_m).map(f32::from),
        }
    }

    /// Announces the session when its metadata is complete (or the wait for
    /// Participants is over), then releases the held-back frames.
    fn try_announce(&mut self, session_time: f32, events: &mut Vec<SimEvent>) {
        if self.announced || self.ended || self.info.is_none() {
            return;
        }
        if self.participant.is_none() && session_time - self.info_seen_at < PARTICIPANTS_WAIT_S {
            return;
        }
        self.announced = true;
        events.push(SimEvent::Session(self.meta()));
        while let Some(frame) = self.pending.pop_front() {
            self.emit(frame, events);
        }
    }

    /// Completes `frame` with its lap fraction and emits it unless it repeats
    /// the previous one.
    fn emit(&mut self, mut frame: TelemetryFrame, events: &mut Vec<SimEvent>) {
        let length = self.info.as_ref().and_then(|i| i.track_length_m).map(f32::from);
        frame.normalized_position = match (frame.lap_distance_m, length) {
            (Some(distance), Some(length)) => (distance / length).clamp(0.0, BELOW_ONE),
            _ => 0.0,
        };
        if self.last_frame.as_ref() == Some(&frame) {
            return;
        }
        self.last_frame = Some(frame);
        events.push(SimEvent::Frame(Box::new(frame)));
    }

    /// A Car Telemetry packet: a new frame when its frame id is new and lap data
    /// is known.
    fn telemetry(&mut self, header: &Header, telemetry: &CarTelemetry, events: &mut Vec<SimEvent>) {
        if self.ended || self.last_frame_identifier == Some(header.frame_identifier) {
            return;
        }
        let Some(lap) = self.lap.as_ref() else { return };
        let frame =
            build_frame(header, telemetry, lap, self.motion.as_ref(), self.status.as_ref(), self.motion_ex.as_ref());
        self.last_frame_identifier = Some(header.frame_identifier);
        if self.announced {
            self.emit(frame, events);
        } else {
            if self.pending.len() == MAX_PENDING_FRAMES {
                self.pending.pop_front();
            }
            self.pending.push_back(frame);
        }
    }
}

impl Client {
    /// A client with no session yet.
    pub fn new() -> Self {
        Client::default()
    }

    /// The metadata of the current session as known so far, whether or not it
    /// was announced yet.
    pub fn session_meta(&self) -> Option<SessionMeta> {
        self.session.as_ref().map(SessionState::meta)
    }
}

impl SimClient for Client {
    fn sim(&self) -> Sim {
        Sim::F1
    }

    /// Nothing: the game streams without a handshake.
    fn poll(&mut self, _now_ms: u64) -> Vec<Vec<u8>> {
        Vec::new()
    }

    fn receive(&mut self, datagram: &[u8], _now_ms: u64) -> Result<Vec<SimEvent>, PacketError> {
        let (header, packet) = packets::parse(datagram)?;
        let mut events = Vec::new();
        if self.session.as_ref().is_some_and(|s| s.uid != header.session_uid) {
            let old = self.session.take().expect("checked above");
            if old.announced && !old.ended {
                events.push(SimEvent::SessionEnded);
            }
        }
        let state = self.session.get_or_insert_with(|| SessionState::new(&header));
        let mut telemetry = None;
        match packet {
            Packet::Session(info) => {
                if state.info.is_none() {
                    state.info_seen_at = header.session_time;
                }
                state.info = Some(info);
            }
            Packet::Participants(participant) => state.participant = Some(participant),
            Packet::Motion(motion) => state.motion = Some(motion),
            Packet::LapData(lap) => state.lap = Some(lap),
            Packet::CarStatus(status) => state.status = Some(status),
            Packet::MotionEx(motion_ex) => state.motion_ex = Some(motion_ex),
            Packet::Event(code) if code == event::SESSION_ENDED => {
                if state.announced && !state.ended {
                    events.push(SimEvent::SessionEnded);
                }
                state.ended = true;
                state.pending.clear();
            }
            Packet::CarTelemetry(car) => telemetry = Some(car),
            Packet::Event(_) | Packet::Ignored => {}
        }
        state.try_announce(header.session_time, &mut events);
        if let Some(car) = telemetry {
            state.telemetry(&header, &car, &mut events);
        }
        Ok(events)
    }

    /// Nothing: there is no subscription to cancel.
    fn shutdown(&mut self) -> Vec<Vec<u8>> {
        Vec::new()
    }
}

/// A per-wheel array in the game's RL, RR, FL, FR order as [`Wheels`].
pub fn wheels_from_game<T: Copy + Into<f64>>(values: [T; 4]) -> Wheels {
    let at = |i: usize| values[i].into() as f32;
    Wheels { fl: at(wheel::FL), fr: at(wheel::FR), rl: at(wheel::RL), rr: at(wheel::RR) }
}

/// One frame from the packets of one game frame; `normalized_position` is left
/// for [`SessionState::emit`], which knows the track length.
fn build_frame(
    header: &Header,
    telemetry: &CarTelemetry,
    lap: &Lap,
    motion: Option<&CarMotion>,
    status: Option<&CarStatus>,
    motion_ex: Option<&MotionEx>,
) -> TelemetryFrame {
    let vec3 = |v: [f32; 3]| Vec3 { x: v[0], y: v[1], z: v[2] };
    let pressure = telemetry.tyres_pressure_psi.map(|psi| psi.map(|p| p * KPA_PER_PSI));
    TelemetryFrame {
        seq: 0,
        captured_at_us: 0,
        session_time_ms: f64::from(header.session_time) * 1000.0,
        current_lap_time_ms: lap.current_lap_time_ms,
        lap_number: u32::from(lap.current_lap_num.saturating_sub(1)),
        normalized_position: 0.0,
        lap_distance_m: Some(lap.lap_distance),
        throttle: telemetry.throttle.clamp(0.0, 1.0),
        brake: telemetry.brake.clamp(0.0, 1.0),
        clutch: Some(f32::from(telemetry.clutch.min(100)) / 100.0),
        steering: telemetry.steer.clamp(-1.0, 1.0),
        speed_kmh: f32::from(telemetry.speed_kmh),
        gear: i32::from(telemetry.gear),
        rpm: f32::from(telemetry.engine_rpm),
        max_rpm: status.and_then(|s| s.max_rpm).map(f32::from),
        world_position: motion.map(|m| vec3(m.position)),
        velocity: motion.and_then(|m| m.velocity).map(vec3),
        g_lat: motion.and_then(|m| m.g_lat),
        g_lon: motion.and_then(|m| m.g_lon),
        g_vert: motion.and_then(|m| m.g_vert),
        yaw: motion.and_then(|m| m.yaw),
        tyre_temp_c: Some(wheels_from_game(telemetry.tyres_surface_temperature)),
        tyre_pressure_kpa: pressure.map(wheels_from_game),
        wheel_slip: motion_ex.and_then(|m| m.wheel_slip_ratio).map(wheels_from_game),
        brake_temp_c: Some(wheels_from_game(telemetry.brakes_temperature)),
        fuel_l: status.and_then(|s| s.fuel_in_tank_kg).map(|kg| kg / FUEL_DENSITY_KG_PER_L),
        in_pit: lap.pit_status != 0 || lap.driver_status == 0,
        lap_invalid: lap.current_lap_invalid,
        last_lap_time_ms: (lap.last_lap_time_ms > 0).then_some(lap.last_lap_time_ms),
        best_lap_time_ms: None,
    }
}
