//! The racing simulators' own wire formats, and the two sides of each protocol as
//! pure state machines: bytes in, frames and replies out.
//!
//! Every sim speaks something different (Assetto Corsa's handshake-then-stream UDP,
//! ACC's broadcasting registration, F1's packet families, Forza's fixed "Data Out"
//! records, OutGauge), but a collector only needs three things from each: datagrams
//! to send to the game (handshake, registration, keep-alive), what a received
//! datagram means (session metadata, a telemetry frame, the end of a session), and
//! datagrams to send on shutdown. [`SimClient`] is that contract; the collector actor
//! owns the socket and the clock and stays the same for every sim.
//!
//! [`SimEmulator`] is the game's side of the same protocol, driven by the demo
//! driver's synthetic laps, so the whole path from a UDP socket to the browser is
//! tested without the game.
//!
//! Parsers never panic on input: every read is bounds-checked ([`wire::Reader`]) and
//! every failure is a [`PacketError`] with a stable [`PacketError::reason`] for metrics.

pub mod ac;
pub mod acc;
pub mod f1;
pub mod forza;
pub mod outgauge;
pub mod wire;

use purplesector_proto::v1::{Sim, TelemetryFrame};

/// What a game says about the session it is running: the collector opens the
/// engine's session with it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionMeta {
    pub sim: Sim,
    pub track: String,
    pub car: String,
    pub driver: String,
    pub track_length_m: Option<f32>,
}

/// What one datagram from the game meant.
#[derive(Debug, Clone, PartialEq)]
pub enum SimEvent {
    /// The game (re)started a session or told us its metadata.
    Session(SessionMeta),
    /// One sample of the followed car. `seq` and `captured_at_us` are left for the
    /// collector to stamp; `session_time_ms` is the game's clock where it has one.
    Frame(Box<TelemetryFrame>),
    /// The game left the track, quit, or was dismissed.
    SessionEnded,
}

/// Why a datagram was dropped. Counted per [`PacketError::reason`] and logged once.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PacketError {
    #[error("{what}: {got} bytes, expected {expected}")]
    Size { what: &'static str, expected: usize, got: usize },
    #[error("{what}: truncated at {got} bytes, needs at least {needed}")]
    Truncated { what: &'static str, needed: usize, got: usize },
    #[error("unknown packet type {0}")]
    UnknownType(u32),
    #[error("unsupported protocol version {0}")]
    Version(u32),
    #[error("{0} is not a finite number")]
    NotFinite(&'static str),
    #[error("{0} is out of range")]
    OutOfRange(&'static str),
    #[error("{0} is not a valid string")]
    BadString(&'static str),
    #[error("unexpected packet: {0}")]
    Unexpected(&'static str),
}

impl PacketError {
    /// A short stable label for metrics (`purplesector_packets_dropped_total{reason}`).
    pub fn reason(&self) -> &'static str {
        match self {
            PacketError::Size { .. } => "size",
            PacketError::Truncated { .. } => "truncated",
            PacketError::UnknownType(_) => "unknown_type",
            PacketError::Version(_) => "version",
            PacketError::NotFinite(_) => "not_finite",
            PacketError::OutOfRange(_) => "out_of_range",
            PacketError::BadString(_) => "bad_string",
            PacketError::Unexpected(_) => "unexpected",
        }
    }
}

/// The collector's side of one sim's protocol.
pub trait SimClient: Send {
    fn sim(&self) -> Sim;
    /// Datagrams to send to the game now: handshake, registration (retried until
    /// accepted), re-handshake after silence. `now_ms` is a monotonic clock.
    fn poll(&mut self, now_ms: u64) -> Vec<Vec<u8>>;
    /// One datagram from the game.
    fn receive(&mut self, datagram: &[u8], now_ms: u64) -> Result<Vec<SimEvent>, PacketError>;
    /// Datagrams to send when the collector stops (dismiss, unregister).
    fn shutdown(&mut self) -> Vec<Vec<u8>>;
    /// Events owed without a datagram to carry them (a session ended by silence,
    /// noticed in `poll`). The collector calls it after every `poll`.
    fn take_events(&mut self) -> Vec<SimEvent> {
        Vec::new()
    }
}

/// How a collector reaches a sim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// The collector sends to the game's port and reads the answers (AC, ACC).
    RequestReply { game_port: u16 },
    /// The game sends to the collector's port (F1, Forza, OutGauge).
    Listen { port: u16 },
}

/// The sims a UDP collector can follow.
pub const COLLECTABLE: [Sim; 5] = [Sim::AssettoCorsa, Sim::Acc, Sim::F1, Sim::Forza, Sim::Outgauge];

/// How a collector reaches `sim` by default: the games' documented ports (Forza
/// and OutGauge have none: these are the ports their setup guides suggest).
pub fn transport(sim: Sim) -> Option<Transport> {
    Some(match sim {
        Sim::AssettoCorsa => Transport::RequestReply { game_port: ac::layout::PORT },
        Sim::Acc => Transport::RequestReply { game_port: acc::broadcasting::DEFAULT_PORT },
        Sim::F1 => Transport::Listen { port: f1::DEFAULT_PORT },
        Sim::Forza => Transport::Listen { port: 5300 },
        Sim::Outgauge => Transport::Listen { port: 4444 },
        Sim::Unspecified | Sim::Demo => return None,
    })
}

/// The collector's protocol state machine for `sim`.
pub fn client(sim: Sim) -> Option<Box<dyn SimClient>> {
    Some(match sim {
        Sim::AssettoCorsa => Box::new(ac::Client::new()),
        Sim::Acc => Box::new(acc::Client::new()),
        Sim::F1 => Box::new(f1::Client::new()),
        Sim::Forza => Box::new(forza::Client::new()),
        Sim::Outgauge => Box::new(outgauge::Client::new()),
        Sim::Unspecified | Sim::Demo => return None,
    })
}

/// The game's side of `sim`'s protocol, announcing `meta` (Forza speaks the
/// Motorsport 2023 layout, the richest).
pub fn emulator(sim: Sim, meta: &SessionMeta) -> Option<Box<dyn SimEmulator>> {
    Some(match sim {
        Sim::AssettoCorsa => Box::new(ac::Emulator::new(meta.clone())),
        Sim::Acc => Box::new(acc::Emulator::new()),
        Sim::F1 => Box::new(f1::Emulator::new()),
        Sim::Forza => Box::new(forza::Emulator::new(forza::Format::Motorsport2023)),
        Sim::Outgauge => Box::new(outgauge::Emulator::new()),
        Sim::Unspecified | Sim::Demo => return None,
    })
}

/// The game's side of one sim's protocol, for tests and demos.
pub trait SimEmulator: Send {
    /// Answers a datagram from a collector (handshake response, registration result).
    fn receive(&mut self, datagram: &[u8]) -> Vec<Vec<u8>>;
    /// The datagrams the game sends for one simulated sample of the car; empty
    /// while no collector has subscribed, for protocols that need a subscription.
    fn frame(&mut self, frame: &TelemetryFrame, meta: &SessionMeta) -> Vec<Vec<u8>>;
}
