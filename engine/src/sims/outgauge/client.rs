//! The collector's side of OutGauge: a listen-only state machine that turns the
//! game's dashboard datagrams into sessions and frames.
//!
//! OutGauge has no handshake ([`Client::poll`] and [`Client::shutdown`] send
//! nothing) and no session messages: the session is the stream from one car, and
//! it ends when the stream goes silent, which only `poll` can notice.

use purplesector_proto::v1::{Sim, TelemetryFrame};

use super::layout::Packet;
use crate::sims::{PacketError, SessionMeta, SimClient, SimEvent};

/// No datagram for this long ends the session; noticed by [`Client::poll`].
pub const SILENCE_END_MS: u64 = 3_000;
/// A `Time` this much older than the previous packet's is a new run (replay
/// rewound, game restarted); anything less is a late datagram and is dropped.
pub const TIME_BACK_RESTART_MS: u32 = 1_000;
/// Speeds above this (m/s) are garbage, not a car.
const MAX_SPEED_MS: f32 = 1_000.0;
/// Engine speeds above this are garbage.
const MAX_RPM: f32 = 100_000.0;
/// Gear bytes above this (30 forward gears) are garbage.
const MAX_GEAR_BYTE: u8 = 31;

/// The OutGauge collector state machine (LFS and BeamNG.drive, 92 or 96 bytes).
#[derive(Debug, Default)]
pub struct Client {
    session: Option<Session>,
    last_heard_ms: Option<u64>,
    /// Events decided outside `receive` (silence seen by `poll`), handed out by
    /// [`Client::take_events`] or at the start of the next `receive`.
    pending: Vec<SimEvent>,
    last_frame: Option<TelemetryFrame>,
}

#[derive(Debug)]
struct Session {
    car: String,
    clock: Clock,
}

/// Where `session_time_ms` comes from, decided by the session's first packet.
#[derive(Debug, Clone, Copy)]
enum Clock {
    /// The game's `Time` (LFS): relative to the first packet, last value seen.
    Game { first_ms: u32, last_ms: u32 },
    /// The collector's `now_ms` since the first packet, for games that send
    /// `Time` = 0 (BeamNG.drive hardcodes it).
    Collector { start_ms: u64 },
}

impl Client {
    pub fn new() -> Self {
        Client::default()
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
    }
}

impl SimClient for Client {
    fn take_events(&mut self) -> Vec<SimEvent> {
        Client::take_events(self)
    }

    fn sim(&self) -> Sim {
        Sim::Outgauge
    }

    /// Sends nothing (OutGauge needs no handshake); ends the session after
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
        let mut frame = channels(&packet)?;
        let mut events = std::mem::take(&mut self.pending);
        self.last_heard_ms = Some(now_ms);
        if let Some(session) = &self.session {
            let time_back = match session.clock {
                Clock::Game { last_ms, .. } => last_ms.saturating_sub(packet.time_ms),
                Clock::Collector { .. } => 0,
            };
            if time_back > 0 && time_back <= TIME_BACK_RESTART_MS {
                return Ok(events); // a late datagram, older than one already seen
            }
            if time_back > TIME_BACK_RESTART_MS || session.car != packet.car {
                self.end_session(&mut events);
            }
        }
        let session = match &mut self.session {
            Some(session) => session,
            None => {
                let clock = if packet.time_ms == 0 {
                    Clock::Collector { start_ms: now_ms }
                } else {
                    Clock::Game { first_ms: packet.time_ms, last_ms: packet.time_ms }
                };
                events.push(SimEvent::Session(SessionMeta {
                    sim: Sim::Outgauge,
                    track: "unknown".to_string(),
                    car: if packet.car.trim().is_empty() {
                        "unknown".to_string()
                    } else {
                        packet.car.trim().to_string()
                    },
                    driver: String::new(),
                    track_length_m: None,
                }));
                self.session.insert(Session { car: packet.car.clone(), clock })
            }
        };
        frame.session_time_ms = match &mut session.clock {
            Clock::Game { first_ms, last_ms } => {
                *last_ms = packet.time_ms;
                f64::from(packet.time_ms.wrapping_sub(*first_ms))
            }
            Clock::Collector { start_ms } => now_ms.saturating_sub(*start_ms) as f64,
        };
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

/// Whether two frames carry the same sample (the clock aside, which ticks while
/// the car's state may be frozen).
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

/// The Gear byte as the frame's gear: 0 reverse → -1, 1 neutral → 0, 2 first → 1...
fn gear(byte: u8) -> Result<i32, PacketError> {
    if byte > MAX_GEAR_BYTE {
        return Err(PacketError::OutOfRange("Gear"));
    }
    Ok(i32::from(byte) - 1)
}

/// The frame channels OutGauge carries, validated: a non-finite speed, RPM,
/// throttle or brake rejects the packet; a non-finite clutch drops that channel.
fn channels(packet: &Packet) -> Result<TelemetryFrame, PacketError> {
    let speed = finite(packet.speed, "Speed")?.abs();
    if speed > MAX_SPEED_MS {
        return Err(PacketError::OutOfRange("Speed"));
    }
    let rpm = finite(packet.rpm, "RPM")?;
    if !(0.0..=MAX_RPM).contains(&rpm) {
        return Err(PacketError::OutOfRange("RPM"));
    }
    Ok(TelemetryFrame {
        speed_kmh: speed * 3.6,
        rpm,
        gear: gear(packet.gear)?,
        throttle: finite(packet.throttle, "Throttle")?.clamp(0.0, 1.0),
        brake: finite(packet.brake, "Brake")?.clamp(0.0, 1.0),
        clutch: Some(packet.clutch).filter(|c| c.is_finite()).map(|c| c.clamp(0.0, 1.0)),
        ..TelemetryFrame::default()
    })
}
