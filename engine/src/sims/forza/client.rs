//! The collector's side of Forza Data Out: a listen-only state machine that turns
//! the game's datagrams into sessions and frames.
//!
//! Forza sends without a handshake, so [`Client::poll`] and [`Client::shutdown`]
//! never return datagrams; `poll` only watches for silence. What the packet lacks
//! is derived here and documented in [`super`]: the session clock, the distance
//! into the lap, the session boundaries.

use purplesector_proto::v1::{Sim, TelemetryFrame, Vec3, Wheels};

use super::layout::{Dash, Packet, GEAR_NEUTRAL};
use crate::sims::{PacketError, SessionMeta, SimClient, SimEvent};

/// Standard gravity, to turn m/s² into g.
const G: f32 = 9.80665;
/// `IsRaceOn` must stay 0 this long (menus, a pause) before the session ends.
pub const RACE_OFF_END_MS: u64 = 2_000;
/// No datagram for this long (the game quit or Data Out was switched off) ends the
/// session; noticed by [`Client::poll`].
pub const SILENCE_END_MS: u64 = 3_000;
/// `CurrentRaceTime` stepping back by more than this is a restarted race.
const RESTART_STEP_S: f32 = 1.0;
/// Speeds above this (m/s) are garbage, not a car.
const MAX_SPEED_MS: f32 = 1_000.0;
/// Engine speeds above this are garbage.
const MAX_RPM: f32 = 100_000.0;

/// The Forza Data Out collector state machine (every layout, told apart by size).
#[derive(Debug, Default)]
pub struct Client {
    track_length_m: Option<f32>,
    session: Option<Session>,
    race_off_since_ms: Option<u64>,
    last_heard_ms: Option<u64>,
    /// Events decided outside `receive` (silence seen by `poll`), handed out by
    /// [`Client::take_events`] or at the start of the next `receive`.
    pending: Vec<SimEvent>,
    last_frame: Option<TelemetryFrame>,
}

/// What the client remembers about the session in progress.
#[derive(Debug)]
struct Session {
    car_ordinal: i32,
    track_ordinal: Option<i32>,
    first_timestamp_ms: u32,
    clock: Clock,
    last_time_ms: Option<f64>,
    lap_number: Option<u16>,
    race_time_s: f32,
    lap_start_distance_m: Option<f32>,
}

/// Where `session_time_ms` comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Clock {
    /// `TimestampMS` since the session's first packet (Sled, or no race clock yet).
    Timestamp,
    /// `CurrentRaceTime`, shifted by `offset_ms` so the clock continues where the
    /// timestamp clock left off when the race clock only started mid-session.
    Race { offset_ms: f64 },
}

impl Client {
    /// A client that knows no track length (normalized position stays 0).
    pub fn new() -> Self {
        Client::default()
    }

    /// A client for a track of known length (from the user's configuration: the
    /// game never sends it), which lets it report `normalized_position` and
    /// `SessionMeta::track_length_m`. A non-finite or non-positive length is ignored.
    pub fn with_track_length(track_length_m: f32) -> Self {
        Client {
            track_length_m: (track_length_m.is_finite() && track_length_m > 0.0).then_some(track_length_m),
            ..Client::default()
        }
    }

    /// Events decided by [`SimClient::poll`] (a `SessionEnded` after silence), for
    /// a collector that wants them before the next datagram. Whatever is not taken
    /// here is returned first by the next `receive`.
    pub fn take_events(&mut self) -> Vec<SimEvent> {
        std::mem::take(&mut self.pending)
    }

    fn end_session(&mut self, events: &mut Vec<SimEvent>) {
        if self.session.take().is_some() {
            events.push(SimEvent::SessionEnded);
        }
        self.last_frame = None;
        self.race_off_since_ms = None;
    }

    fn race_off(&mut self, now_ms: u64, events: &mut Vec<SimEvent>) {
        if self.session.is_none() {
            return;
        }
        let since = *self.race_off_since_ms.get_or_insert(now_ms);
        if now_ms.saturating_sub(since) > RACE_OFF_END_MS {
            self.end_session(events);
        }
    }

    fn meta(&self, session: &Session) -> SessionMeta {
        SessionMeta {
            sim: Sim::Forza,
            track: session.track_ordinal.map_or_else(|| "unknown".to_string(), |track| format!("track {track}")),
            car: format!("car {}", session.car_ordinal),
            driver: String::new(),
            track_length_m: self.track_length_m,
        }
    }
}

impl SimClient for Client {
    fn take_events(&mut self) -> Vec<SimEvent> {
        Client::take_events(self)
    }

    fn sim(&self) -> Sim {
        Sim::Forza
    }

    /// Sends nothing (Forza needs no handshake); ends the session after
    /// [`SILENCE_END_MS`] without a datagram, see [`Client::take_events`].
    fn poll(&mut self, now_ms: u64) -> Vec<Vec<u8>> {
        let silent = self.last_heard_ms.is_some_and(|heard| now_ms.saturating_sub(heard) > SILENCE_END_MS);
        if silent && self.session.is_some() {
            let mut events = std::mem::take(&mut self.pending);
            self.end_session(&mut events);
            self.pending = events;
        }
        Vec::new()
    }

    fn receive(&mut self, datagram: &[u8], now_ms: u64) -> Result<Vec<SimEvent>, PacketError> {
        let packet = Packet::parse(datagram)?;
        let channels = if packet.sled.is_race_on { Some(channels(&packet)?) } else { None };
        let mut events = std::mem::take(&mut self.pending);
        self.last_heard_ms = Some(now_ms);
        let Some(channels) = channels else {
            self.race_off(now_ms, &mut events);
            return Ok(events);
        };
        self.race_off_since_ms = None;
        if self.session.as_ref().is_some_and(|session| session.ends_at(&packet)) {
            self.end_session(&mut events);
        }
        if self.session.is_none() {
            let session = Session::start(&packet);
            events.push(SimEvent::Session(self.meta(&session)));
            self.session = Some(session);
        }
        let track_length_m = self.track_length_m;
        let session = self.session.as_mut().expect("a session was just opened");
        let frame = session.frame(&packet, channels, track_length_m);
        if !self.last_frame.as_ref().is_some_and(|last| same_channels(last, &frame)) {
            self.last_frame = Some(frame);
            events.push(SimEvent::Frame(Box::new(frame)));
        }
        Ok(events)
    }

    fn shutdown(&mut self) -> Vec<Vec<u8>> {
        Vec::new()
    }
}

impl Session {
    fn start(packet: &Packet) -> Session {
        Session {
            car_ordinal: packet.sled.car_ordinal,
            track_ordinal: packet.motorsport_2023.as_ref().map(|tail| tail.track_ordinal),
            first_timestamp_ms: packet.sled.timestamp_ms,
            clock: Clock::Timestamp,
            last_time_ms: None,
            lap_number: None,
            race_time_s: 0.0,
            lap_start_distance_m: None,
        }
    }

    /// Whether `packet` belongs to another session: another car or track, or the
    /// race restarted (lap counter or race clock went back).
    fn ends_at(&self, packet: &Packet) -> bool {
        let track = packet.motorsport_2023.as_ref().map(|tail| tail.track_ordinal);
        let restarted = packet.dash.as_ref().is_some_and(|dash| {
            self.lap_number.is_some_and(|lap| dash.lap_number < lap)
                || dash.current_race_time < self.race_time_s - RESTART_STEP_S
        });
        packet.sled.car_ordinal != self.car_ordinal || track != self.track_ordinal || restarted
    }

    /// Completes `frame` with what depends on the session: its clock, the distance
    /// into the lap and the normalized position.
    fn frame(&mut self, packet: &Packet, mut frame: TelemetryFrame, track_length_m: Option<f32>) -> TelemetryFrame {
        frame.session_time_ms = self.clock_ms(packet);
        self.last_time_ms = Some(frame.session_time_ms);
        if let Some(dash) = &packet.dash {
            self.race_time_s = dash.current_race_time;
            frame.lap_distance_m = self.lap_distance(dash);
        }
        if let (Some(length), Some(distance)) = (track_length_m, frame.lap_distance_m) {
            frame.normalized_position = (distance / length).clamp(0.0, 1.0);
        }
        frame
    }

    fn clock_ms(&mut self, packet: &Packet) -> f64 {
        let race_ms =
            packet.dash.as_ref().map(|dash| dash.current_race_time).filter(|&s| s > 0.0).map(|s| f64::from(s) * 1000.0);
        let timestamp_ms = f64::from(packet.sled.timestamp_ms.wrapping_sub(self.first_timestamp_ms));
        match (race_ms, self.clock) {
            (Some(race_ms), Clock::Race { offset_ms }) => race_ms + offset_ms,
            (Some(race_ms), Clock::Timestamp) => {
                // Frames already timed by the timestamp: carry on from it.
                let offset_ms = self.last_time_ms.map_or(0.0, |_| (timestamp_ms - race_ms).max(0.0));
                self.clock = Clock::Race { offset_ms };
                race_ms + offset_ms
            }
            (None, Clock::Timestamp) => timestamp_ms,
            // The race clock stopped at 0 without stepping back far enough to be a
            // restart: hold the clock.
            (None, Clock::Race { .. }) => self.last_time_ms.unwrap_or(0.0),
        }
    }

    /// `DistanceTraveled` since the lap began. The first lap begins at distance 0;
    /// a later lap at the distance where the counter incremented, less the distance
    /// already driven since the line (speed × current lap time). Unknown when the
    /// session was joined after the first lap, until the next line.
    fn lap_distance(&mut self, dash: &Dash) -> Option<f32> {
        let distance = Some(dash.distance_traveled).filter(|d| d.is_finite());
        match self.lap_number {
            None => self.lap_start_distance_m = (dash.lap_number == 0).then_some(0.0),
            Some(previous) if dash.lap_number > previous => {
                self.lap_start_distance_m = distance.map(|d| d - dash.speed.abs() * dash.current_lap.max(0.0));
            }
            Some(_) => {}
        }
        self.lap_number = Some(dash.lap_number);
        let into_lap = distance? - self.lap_start_distance_m?;
        into_lap.is_finite().then_some(into_lap.max(0.0))
    }
}

/// Whether two frames carry the same sample (the session clock aside, which may
/// tick while the car's state is frozen).
fn same_channels(a: &TelemetryFrame, b: &TelemetryFrame) -> bool {
    let mut b = *b;
    b.session_time_ms = a.session_time_ms;
    *a == b
}

fn finite(value: f32, what: &'static str) -> Result<f32, PacketError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(PacketError::NotFinite(what))
    }
}

fn wheels(values: [f32; 4]) -> Option<Wheels> {
    values.iter().all(|v| v.is_finite()).then_some(Wheels {
        fl: values[0],
        fr: values[1],
        rl: values[2],
        rr: values[3],
    })
}

fn vec3(values: [f32; 3]) -> Vec3 {
    Vec3 { x: values[0], y: values[1], z: values[2] }
}

/// Seconds to whole milliseconds (negative and NaN become 0, huge values saturate).
fn seconds_to_ms(seconds: f32) -> u32 {
    (f64::from(seconds) * 1000.0).round() as u32
}

/// A lap time the game reports, `None` when 0 ("no lap yet") or not a number.
fn lap_time_ms(seconds: f32) -> Option<u32> {
    (seconds.is_finite() && seconds > 0.0).then(|| seconds_to_ms(seconds))
}

fn fahrenheit_to_celsius(f: f32) -> f32 {
    (f - 32.0) * 5.0 / 9.0
}

/// The Gear byte as the frame's gear: 0 reverse → -1, 11 neutral → 0, 1..=10 as is.
fn gear(byte: u8) -> i32 {
    match byte {
        0 => -1,
        GEAR_NEUTRAL => 0,
        n => i32::from(n),
    }
}

/// The channels of a race-on packet that need no session state, validated: a
/// non-finite engine speed, velocity, speed, position or lap clock rejects the
/// packet; a non-finite g, yaw, tyre temperature or slip drops that channel.
fn channels(packet: &Packet) -> Result<TelemetryFrame, PacketError> {
    let sled = &packet.sled;
    let rpm = finite(sled.current_engine_rpm, "CurrentEngineRpm")?;
    if !(0.0..=MAX_RPM).contains(&rpm) {
        return Err(PacketError::OutOfRange("CurrentEngineRpm"));
    }
    for component in sled.velocity {
        finite(component, "Velocity")?;
    }
    let velocity_ms = sled.velocity.iter().map(|v| v * v).sum::<f32>().sqrt();
    if velocity_ms > MAX_SPEED_MS {
        return Err(PacketError::OutOfRange("Velocity"));
    }
    let g = |value: f32| Some(value / G).filter(|g| g.is_finite());
    let mut frame = TelemetryFrame {
        speed_kmh: velocity_ms * 3.6,
        rpm,
        max_rpm: Some(sled.engine_max_rpm).filter(|rpm| rpm.is_finite() && *rpm > 0.0),
        velocity: Some(vec3(sled.velocity)),
        g_lat: g(sled.acceleration[0]),
        g_vert: g(sled.acceleration[1]),
        g_lon: g(sled.acceleration[2]),
        yaw: Some(sled.yaw).filter(|yaw| yaw.is_finite()),
        wheel_slip: wheels(sled.tire_combined_slip),
        ..TelemetryFrame::default()
    };
    if let Some(dash) = &packet.dash {
        let speed = finite(dash.speed, "Speed")?;
        if speed.abs() > MAX_SPEED_MS {
            return Err(PacketError::OutOfRange("Speed"));
        }
        for coordinate in dash.position {
            finite(coordinate, "Position")?;
        }
        finite(dash.current_lap, "CurrentLap")?;
        finite(dash.current_race_time, "CurrentRaceTime")?;
        frame.speed_kmh = speed.abs() * 3.6;
        frame.world_position = Some(vec3(dash.position));
        frame.current_lap_time_ms = seconds_to_ms(dash.current_lap);
        frame.lap_number = u32::from(dash.lap_number);
        frame.last_lap_time_ms = lap_time_ms(dash.last_lap);
        frame.best_lap_time_ms = lap_time_ms(dash.best_lap);
        frame.throttle = f32::from(dash.accel) / 255.0;
        frame.brake = f32::from(dash.brake) / 255.0;
        frame.clutch = Some(f32::from(dash.clutch) / 255.0);
        frame.steering = (f32::from(dash.steer) / 127.0).clamp(-1.0, 1.0);
        frame.gear = gear(dash.gear);
        frame.tyre_temp_c = wheels(dash.tire_temp_f.map(fahrenheit_to_celsius));
    }
    Ok(frame)
}
