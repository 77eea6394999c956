//! Assetto Corsa's remote telemetry over UDP (the game listens on port
//! [`layout::PORT`] = 9996).
//!
//! The protocol, from the AC Remote Telemetry SDK document: the client sends a
//! 12-byte `handshaker` with operation HANDSHAKE; the game answers with a 408-byte
//! `handshakerResponse` (car, driver, track, track configuration); the client then
//! subscribes with SUBSCRIBE_UPDATE (a 328-byte `RTCarInfo` per physics step) or
//! SUBSCRIBE_SPOT (a 212-byte `RTLap` per completed lap), and leaves with DISMISS.
//!
//! - [`layout`]: the structs' offsets and raw encode/decode, with the sources.
//! - [`mapping`]: `RTCarInfo` ⇄ `TelemetryFrame` unit conversion.
//! - [`Client`]: the collector's state machine (handshake, subscribe, silence).
//! - [`Emulator`]: the game's side, driven by demo frames.

pub mod client;
pub mod emulator;
pub mod layout;
pub mod mapping;

pub use client::Client;
pub use emulator::{Emulator, Subscription};

#[cfg(test)]
mod tests;
