//! Assetto Corsa Competizione: the broadcasting protocol (UDP) and the shared
//! memory pages.
//!
//! ACC has two telemetry outputs. The broadcasting protocol ([`broadcasting`],
//! Kunos' broadcasting SDK, protocol version 4) works over the network once a
//! client registers, and carries timing and position of every car but no inputs;
//! [`Client`] is the collector's side of it and [`Emulator`] the game's. The shared
//! memory pages ([`shared_memory`], Kunos' ACC Shared Memory Documentation 1.8)
//! carry the player's car physics and inputs, only on the game's machine (or
//! through a Linux/Proton bridge that writes them to files);
//! [`SharedMemoryReader`] maps them and [`emulator::encode_pages`] /
//! [`emulator::write_pages`] produce them. [`merge`] combines a frame of each.
//!
//! Car names come from the broadcasting `carModelType` byte ([`cars`]).

pub mod broadcasting;
pub mod cars;
pub mod client;
pub mod emulator;
mod merge;
pub mod shared_memory;

#[cfg(test)]
mod tests;

pub use client::{Client, ClientConfig};
pub use emulator::{encode_pages, write_pages, Emulator};
pub use merge::merge;
pub use shared_memory::{frame_from_pages, PageDecoder, SharedMemoryReader, Snapshot};
