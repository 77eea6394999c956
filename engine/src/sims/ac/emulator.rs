//! The game's side of AC remote telemetry, for tests and demos: answers the
//! handshake with a 408-byte response for the session's metadata, streams one
//! `RTCarInfo` per frame to an update subscriber, sends an `RTLap` per completed
//! lap to a spot subscriber, and stops on DISMISS. Like the game, it keeps one
//! subscription per client (the last one asked for).
//!
//! The demo driver's frames carry the lap counter and the time into the lap; the
//! `lastLap` / `bestLap` the game reports are computed here when the frame does not
//! carry them: at a lap change, the lap took the previous frame's lap time plus the
//! time to the line (frame interval minus the new lap's time so far).

use purplesector_proto::v1::TelemetryFrame;

use super::layout::{HandshakeResponse, Handshaker, Lap, Operation, PROTOCOL_VERSION, RESPONSE_IDENTIFIER};
use super::mapping::{self, DEFAULT_STEER_LOCK_DEG};
use crate::sims::{SessionMeta, SimEmulator};

/// What the collector subscribed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscription {
    /// `RTCarInfo` per frame.
    Update,
    /// `RTLap` per completed lap.
    Spot,
}

/// Lap times as the game reports them, derived from successive frames.
#[derive(Debug, Clone, Default)]
struct LapClock {
    /// (lap_number, current_lap_time_ms, session_time_ms) of the previous frame.
    previous: Option<(u32, u32, f64)>,
    last_ms: i32,
    best_ms: i32,
}

impl LapClock {
    /// Follows one frame; returns the time of the lap it completed, if any.
    fn update(&mut self, frame: &TelemetryFrame) -> Option<i32> {
        let mut completed = None;
        if let Some((lap, lap_time_ms, session_ms)) = self.previous {
            if frame.lap_number < lap {
                // A new session started: the game forgets its lap times.
                *self = LapClock::default();
            } else if frame.lap_number > lap {
                let interval = frame.session_time_ms - session_ms;
                let to_line = interval - f64::from(frame.current_lap_time_ms);
                let computed = if interval <= 0.0 {
                    f64::from(lap_time_ms)
                } else if to_line >= 0.0 {
                    f64::from(lap_time_ms) + to_line
                } else {
                    f64::from(lap_time_ms) + interval
                };
                let lap_ms = frame.last_lap_time_ms.map_or(computed.round(), f64::from).min(f64::from(i32::MAX)) as i32;
                if lap_ms > 0 {
                    self.last_ms = lap_ms;
                    self.best_ms = if self.best_ms > 0 { self.best_ms.min(lap_ms) } else { lap_ms };
                    completed = Some(lap_ms);
                }
            }
        }
        if let Some(last) = frame.last_lap_time_ms {
            self.last_ms = last.min(i32::MAX as u32) as i32;
        }
        if let Some(best) = frame.best_lap_time_ms {
            self.best_ms = best.min(i32::MAX as u32) as i32;
        }
        self.previous = Some((frame.lap_number, frame.current_lap_time_ms, frame.session_time_ms));
        completed
    }
}

/// Emulated Assetto Corsa: `ac::Emulator::new(meta)`.
#[derive(Debug, Clone)]
pub struct Emulator {
    meta: SessionMeta,
    steer_lock_deg: f32,
    handshaken: bool,
    subscription: Option<Subscription>,
    laps: LapClock,
}

impl Emulator {
    /// A game running the session `meta` (updated by every `frame` call), with a
    /// ±[`DEFAULT_STEER_LOCK_DEG`] steering wheel.
    pub fn new(meta: SessionMeta) -> Self {
        Emulator::with_steer_lock_deg(meta, DEFAULT_STEER_LOCK_DEG)
    }

    /// As [`Emulator::new`], reporting steering ±1 as ±`lock_deg` degrees.
    pub fn with_steer_lock_deg(meta: SessionMeta, lock_deg: f32) -> Self {
        let steer_lock_deg = if lock_deg.is_finite() && lock_deg > 0.0 { lock_deg } else { DEFAULT_STEER_LOCK_DEG };
        Emulator { meta, steer_lock_deg, handshaken: false, subscription: None, laps: LapClock::default() }
    }

    /// The collector's current subscription.
    pub fn subscription(&self) -> Option<Subscription> {
        self.subscription
    }

    /// The 408-byte handshake response for the current session.
    pub fn handshake_response(&self) -> Vec<u8> {
        HandshakeResponse {
            car_name: self.meta.car.clone(),
            driver_name: self.meta.driver.clone(),
            identifier: RESPONSE_IDENTIFIER,
            version: PROTOCOL_VERSION,
            track_name: self.meta.track.clone(),
            // The game repeats the track name when the track has no layouts.
            track_config: self.meta.track.clone(),
        }
        .encode()
    }
}

impl SimEmulator for Emulator {
    fn receive(&mut self, datagram: &[u8]) -> Vec<Vec<u8>> {
        let Ok(request) = Handshaker::decode(datagram) else {
            return Vec::new();
        };
        match request.operation {
            Operation::Handshake => {
                self.handshaken = true;
                vec![self.handshake_response()]
            }
            Operation::SubscribeUpdate if self.handshaken => {
                self.subscription = Some(Subscription::Update);
                Vec::new()
            }
            Operation::SubscribeSpot if self.handshaken => {
                self.subscription = Some(Subscription::Spot);
                Vec::new()
            }
            Operation::SubscribeUpdate | Operation::SubscribeSpot => Vec::new(),
            Operation::Dismiss => {
                self.handshaken = false;
                self.subscription = None;
                Vec::new()
            }
        }
    }

    fn frame(&mut self, frame: &TelemetryFrame, meta: &SessionMeta) -> Vec<Vec<u8>> {
        if &self.meta != meta {
            self.meta = meta.clone();
        }
        let completed = self.laps.update(frame);
        match self.subscription {
            Some(Subscription::Update) => {
                vec![mapping::from_frame(frame, self.laps.last_ms, self.laps.best_ms, self.steer_lock_deg).encode()]
            }
            Some(Subscription::Spot) => completed
                .map(|time_ms| {
                    Lap {
                        car_identifier_number: 0,
                        lap: frame.lap_number.min(i32::MAX as u32) as i32,
                        driver_name: meta.driver.clone(),
                        car_name: meta.car.clone(),
                        time_ms,
                    }
                    .encode()
                })
                .into_iter()
                .collect(),
            None => Vec::new(),
        }
    }
}
