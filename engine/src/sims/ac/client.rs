//! The collector's side of AC remote telemetry, as a pure state machine.
//!
//! ```text
//! Handshaking ──response──▶ Subscribing ──poll: SUBSCRIBE_UPDATE──▶ Subscribed
//!     ▲  (HANDSHAKE every 1 s)                                          │
//!     └──────── poll: silent > 3 s (DISMISS + HANDSHAKE) ───────────────┘
//! ```
//!
//! - `poll` sends HANDSHAKE, retried every [`HANDSHAKE_RETRY_MS`] until the game
//!   answers; once it has, the next `poll` sends SUBSCRIBE_UPDATE. The collector
//!   should call `poll` after every `receive` so the subscription goes out at once.
//! - The game accepts one subscription per client, so the client subscribes to
//!   updates only: `RTCarInfo` already carries the lap counter and last/best lap
//!   times, which is all an `RTLap` spot event would add. A stray `RTLap` is
//!   validated and produces no event.
//! - The handshake response opens a session (`SimEvent::Session`); a response that
//!   arrives after frames have streamed means the game restarted: `SessionEnded`,
//!   then the new `Session`. A repeated response before the first frame (the answer
//!   to a retried handshake) is ignored.
//! - Silence for more than [`SILENCE_MS`] once subscribed (game quit, restarted, or
//!   stopped sending) makes `poll` dismiss and re-handshake. The `SessionEnded` this
//!   implies is queued: it is returned first by the next `receive`, or by
//!   [`Client::take_events`] for a collector that wants it without waiting.
//! - `shutdown` returns DISMISS (and queues `SessionEnded` if a session was open).
//! - AC's `RTCarInfo` has no session clock, but it has the game's lap timer and,
//!   at each line, the game's time of the lap just finished: `session_time_ms` is
//!   the game's own time, summed lap by lap ([`GameClock`]), so lap times stay
//!   exact however late the datagrams arrive (and under an emulator running faster
//!   than real time). Where the timer does not move (pits, a reset) the collector's
//!   clock fills in. A frame whose channels equal the previous one's (the game
//!   paused, or re-sent a step) is not emitted.

use purplesector_proto::v1::{Sim, TelemetryFrame};

use super::layout::{
    CarInfo, HandshakeResponse, Handshaker, Lap, Operation, CAR_INFO_SIZE, HANDSHAKE_RESPONSE_SIZE, LAP_SIZE,
};
use super::mapping::{self, DEFAULT_STEER_LOCK_DEG};
use crate::sims::{PacketError, SessionMeta, SimClient, SimEvent};

/// How long to wait for a handshake response before asking again.
pub const HANDSHAKE_RETRY_MS: u64 = 1_000;
/// How long the game may stay silent once subscribed before the client
/// re-handshakes and ends the session.
pub const SILENCE_MS: u64 = 3_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Asking for a handshake response; `last_sent_ms` is when HANDSHAKE last went out.
    Handshaking { last_sent_ms: Option<u64> },
    /// The game answered; the next `poll` subscribes.
    Subscribing,
    /// SUBSCRIBE_UPDATE went out at `since_ms`.
    Subscribed { since_ms: u64 },
}

/// AC remote telemetry client: `ac::Client::new()`.
#[derive(Debug, Clone)]
pub struct Client {
    steer_lock_deg: f32,
    phase: Phase,
    /// The open session: `Session` emitted, `SessionEnded` not yet.
    session: Option<SessionMeta>,
    /// Whether a frame has arrived in the open session.
    streaming: bool,
    clock: Option<GameClock>,
    /// The previous emitted frame with `session_time_ms` zeroed, to drop repeats.
    last_frame: Option<TelemetryFrame>,
    last_heard_ms: Option<u64>,
    /// Send DISMISS before the next HANDSHAKE (after silence: drop any stale
    /// subscription so the game does not stream to us twice).
    dismiss_first: bool,
    pending: Vec<SimEvent>,
}

impl Default for Client {
    fn default() -> Self {
        Client::new()
    }
}

impl Client {
    /// A client that maps ±[`DEFAULT_STEER_LOCK_DEG`] of steering wheel to ±1.
    pub fn new() -> Self {
        Client::with_steer_lock_deg(DEFAULT_STEER_LOCK_DEG)
    }

    /// A client that maps ±`lock_deg` degrees of steering wheel to ±1 (e.g. half the
    /// wheel rotation configured in the game).
    pub fn with_steer_lock_deg(lock_deg: f32) -> Self {
        Client {
            steer_lock_deg: if lock_deg.is_finite() && lock_deg > 0.0 { lock_deg } else { DEFAULT_STEER_LOCK_DEG },
            phase: Phase::Handshaking { last_sent_ms: None },
            session: None,
            streaming: false,
            clock: None,
            last_frame: None,
            last_heard_ms: None,
            dismiss_first: false,
            pending: Vec::new(),
        }
    }

    /// Events decided outside `receive` (the `SessionEnded` after silence or
    /// shutdown), for a collector that wants them before the next datagram.
    pub fn take_events(&mut self) -> Vec<SimEvent> {
        std::mem::take(&mut self.pending)
    }

    /// The open session's metadata, if the game has answered.
    pub fn session(&self) -> Option<&SessionMeta> {
        self.session.as_ref()
    }

    /// Whether car updates are arriving in the open session.
    pub fn is_streaming(&self) -> bool {
        self.streaming
    }

    fn handshake(&mut self, now_ms: u64) -> Vec<Vec<u8>> {
        self.phase = Phase::Handshaking { last_sent_ms: Some(now_ms) };
        let mut datagrams = Vec::with_capacity(2);
        if std::mem::take(&mut self.dismiss_first) {
            datagrams.push(Handshaker::new(Operation::Dismiss).encode());
        }
        datagrams.push(Handshaker::new(Operation::Handshake).encode());
        datagrams
    }

    /// Closes the open session (queueing `SessionEnded`) and forgets the stream.
    fn end_session(&mut self) {
        if self.session.take().is_some() {
            self.pending.push(SimEvent::SessionEnded);
        }
        self.streaming = false;
        self.clock = None;
        self.last_frame = None;
    }

    fn on_response(&mut self, response: &HandshakeResponse) -> Vec<SimEvent> {
        let meta = session_meta(response);
        let answered = matches!(self.phase, Phase::Subscribing | Phase::Subscribed { .. });
        if answered && !self.streaming && self.session.as_ref() == Some(&meta) {
            // The answer to a retried handshake: already subscribing to this session.
            return Vec::new();
        }
        self.end_session();
        let mut events = std::mem::take(&mut self.pending);
        events.push(SimEvent::Session(meta.clone()));
        self.session = Some(meta);
        self.phase = Phase::Subscribing;
        events
    }

    fn on_car_info(&mut self, info: &CarInfo, now_ms: u64) -> Result<Vec<SimEvent>, PacketError> {
        if self.session.is_none() {
            return Err(PacketError::Unexpected("RTCarInfo before the handshake response"));
        }
        let mut frame = mapping::to_frame(info, 0.0, self.steer_lock_deg)?;
        if self.last_frame.as_ref() == Some(&frame) {
            return Ok(Vec::new());
        }
        self.last_frame = Some(frame);
        self.streaming = true;
        frame.session_time_ms = GameClock::advance(&mut self.clock, &frame, now_ms);
        Ok(vec![SimEvent::Frame(Box::new(frame))])
    }
}

/// The game's time since the session's first frame, from its lap timer.
#[derive(Debug, Clone, Copy)]
struct GameClock {
    lap_number: u32,
    lap_time_ms: u32,
    session_ms: f64,
    now_ms: u64,
}

impl GameClock {
    /// The session time of `frame`, advancing the clock.
    fn advance(clock: &mut Option<GameClock>, frame: &TelemetryFrame, now_ms: u64) -> f64 {
        let lap_time = frame.current_lap_time_ms;
        let session_ms = match *clock {
            None => 0.0,
            Some(previous) if frame.lap_number == previous.lap_number && lap_time > previous.lap_time_ms => {
                previous.session_ms + f64::from(lap_time - previous.lap_time_ms)
            }
            Some(previous) if frame.lap_number == previous.lap_number.wrapping_add(1) => {
                // The line: the lap just finished lasted the game's own lap time
                // when it reports a plausible one, else as long as the wall clock says.
                let elapsed = now_ms.saturating_sub(previous.now_ms) as f64;
                let finished = frame
                    .last_lap_time_ms
                    .map(f64::from)
                    .filter(|&last| {
                        last >= f64::from(previous.lap_time_ms) && last <= f64::from(previous.lap_time_ms) + 1_000.0
                    })
                    .unwrap_or(f64::from(previous.lap_time_ms) + elapsed - f64::from(lap_time));
                previous.session_ms + (finished - f64::from(previous.lap_time_ms)) + f64::from(lap_time)
            }
            // The timer stood still or went back without a lap (pits, a reset, a
            // restart): time still passes, by the collector's clock.
            Some(previous) => previous.session_ms + now_ms.saturating_sub(previous.now_ms) as f64,
        };
        *clock = Some(GameClock { lap_number: frame.lap_number, lap_time_ms: lap_time, session_ms, now_ms });
        session_ms
    }
}

impl SimClient for Client {
    fn take_events(&mut self) -> Vec<SimEvent> {
        Client::take_events(self)
    }

    fn sim(&self) -> Sim {
        Sim::AssettoCorsa
    }

    fn poll(&mut self, now_ms: u64) -> Vec<Vec<u8>> {
        match self.phase {
            Phase::Handshaking { last_sent_ms } => {
                if last_sent_ms.is_none_or(|sent| now_ms.saturating_sub(sent) >= HANDSHAKE_RETRY_MS) {
                    self.handshake(now_ms)
                } else {
                    Vec::new()
                }
            }
            Phase::Subscribing => {
                self.phase = Phase::Subscribed { since_ms: now_ms };
                vec![Handshaker::new(Operation::SubscribeUpdate).encode()]
            }
            Phase::Subscribed { since_ms } => {
                let heard_ms = self.last_heard_ms.map_or(since_ms, |heard| heard.max(since_ms));
                if now_ms.saturating_sub(heard_ms) > SILENCE_MS {
                    self.end_session();
                    self.dismiss_first = true;
                    self.handshake(now_ms)
                } else {
                    Vec::new()
                }
            }
        }
    }

    fn receive(&mut self, datagram: &[u8], now_ms: u64) -> Result<Vec<SimEvent>, PacketError> {
        self.last_heard_ms = Some(now_ms);
        let events = match datagram.len() {
            HANDSHAKE_RESPONSE_SIZE => self.on_response(&HandshakeResponse::decode(datagram)?),
            CAR_INFO_SIZE => self.on_car_info(&CarInfo::decode(datagram)?, now_ms)?,
            LAP_SIZE => {
                Lap::decode(datagram)?;
                Vec::new()
            }
            got => return Err(PacketError::Size { what: "AC datagram", expected: CAR_INFO_SIZE, got }),
        };
        let mut out = std::mem::take(&mut self.pending);
        out.extend(events);
        Ok(out)
    }

    fn shutdown(&mut self) -> Vec<Vec<u8>> {
        self.end_session();
        self.phase = Phase::Handshaking { last_sent_ms: None };
        self.dismiss_first = false;
        vec![Handshaker::new(Operation::Dismiss).encode()]
    }
}

/// The session metadata in a handshake response: the track is `track` or
/// `track-config` (the game repeats the track name as the config of a track
/// without layouts).
pub fn session_meta(response: &HandshakeResponse) -> SessionMeta {
    let track = &response.track_name;
    let config = &response.track_config;
    SessionMeta {
        sim: Sim::AssettoCorsa,
        track: if config.is_empty() || config == track { track.clone() } else { format!("{track}-{config}") },
        car: response.car_name.clone(),
        driver: response.driver_name.clone(),
        track_length_m: None,
    }
}
