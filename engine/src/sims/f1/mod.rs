//! EA Sports F1 25 UDP telemetry (packet format 2025; F1 24's format 2024 is
//! accepted too where its layouts are identical, see below).
//!
//! The game streams packed little-endian structs to UDP port [`DEFAULT_PORT`]
//! without a handshake, one packet family per datagram, each starting with the
//! 29-byte `PacketHeader` (format, packet id, session UID, session time, frame
//! id, player car index). The collector uses Motion (0), Session (1), Lap Data
//! (2), Event (3, "SEND"), Participants (4), Car Telemetry (6), Car Status (7)
//! and Motion Ex (13); the other ids (car setups, final classification, lobby,
//! car damage, session history, tyre sets, time trial, lap positions) are
//! accepted and ignored, and ids beyond 15 are [`crate::sims::PacketError::UnknownType`].
//!
//! Layout sources:
//! - EA / Codemasters, "F1 25 UDP Specification" (answers.ea.com / forums.ea.com
//!   "F1 25 UDP Specification" thread) and its companion C++ header "C++
//!   structures for F1 25 UDP specification" (© 2025 Electronic Arts), whose
//!   section titles state each packet's size: Motion 1349, Session 753, Lap
//!   1285, Event 45, Participants 1284, Car Telemetry 1352, Car Status 1239,
//!   Motion Ex 273 bytes; appendices for track and team ids.
//! - MacManley/f1-25-udp (C headers of the same structs), used as a cross-check.
//! - F1 24 structs (codegefluester/GamesDat `Formula1/F12024`, transcribed from
//!   the F1 24 UDP Specification) for the format-2024 comparison.
//!
//! Differences F1 24 → F1 25 that matter here: `ParticipantData.m_name` shrank
//! from `char[48]` to `char[32]` and gained `m_numColours` + `m_liveryColours[4]`
//! (Participants 1350 → 1284 bytes); Motion Ex gained `m_chassisPitch`,
//! `m_wheelCamber[4]`, `m_wheelCamberGain[4]` (237 → 273 bytes); packet id 15
//! (Lap Positions) is new; track ids 39–41 (reverse layouts) were added and the
//! circuits no longer in the game were dropped. Header, Motion, Session, Lap
//! Data, Event, Car Telemetry and Car Status are byte-identical, so format 2024
//! is parsed with the same offsets and its own Participants / Motion Ex sizes.
//! The F1 25 "2026 season pack" format (2026, 16-bit team ids) is rejected.
//!
//! - [`layout`]: offsets and sizes as named constants;
//! - [`header`]: the `PacketHeader`;
//! - [`packets`]: parsers of the player car's records;
//! - [`tables`]: track and team names;
//! - [`client`]: the collector state machine ([`Client`]);
//! - [`emulator`]: the game's side for tests and demos ([`Emulator`]).

pub mod client;
pub mod emulator;
pub mod header;
pub mod layout;
pub mod packets;
pub mod tables;

#[cfg(test)]
mod tests;

pub use client::Client;
pub use emulator::Emulator;

/// The UDP port F1 25 sends telemetry to by default.
pub const DEFAULT_PORT: u16 = 20777;
