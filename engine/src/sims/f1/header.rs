//! The 29-byte `PacketHeader` every F1 datagram starts with: which packet this is,
//! which session and frame it belongs to, and which car is the player's.
//!
//! It is read first and on its own because the packet format decides whether
//! the rest can be read at all, and the packet id which layout applies.

use super::layout::{header as off, packet_id, FORMAT_2024, FORMAT_2025};
use crate::sims::wire::{Reader, Writer};
use crate::sims::PacketError;

/// A parsed `PacketHeader`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Header {
    /// `m_packetFormat`: 2025 (F1 25) or 2024 (F1 24).
    pub packet_format: u16,
    /// `m_gameYear`, last two digits.
    pub game_year: u8,
    pub game_major_version: u8,
    pub game_minor_version: u8,
    pub packet_version: u8,
    /// `m_packetId` (see [`packet_id`]).
    pub packet_id: u8,
    /// `m_sessionUID`: changes when the game starts a new session.
    pub session_uid: u64,
    /// `m_sessionTime`, seconds since the session started (stops while paused).
    pub session_time: f32,
    /// `m_frameIdentifier`: goes back after a flashback.
    pub frame_identifier: u32,
    /// `m_overallFrameIdentifier`: never goes back.
    pub overall_frame_identifier: u32,
    /// `m_playerCarIndex`: the player's slot in the per-car arrays.
    pub player_car_index: u8,
    /// `m_secondaryPlayerCarIndex`: 255 without split screen.
    pub secondary_player_car_index: u8,
}

impl Header {
    /// Reads the header of `datagram`. Fails on a short datagram, a packet format
    /// other than 2024/2025, a packet id beyond the format's last one, or a
    /// non-finite session time.
    pub fn parse(datagram: &[u8]) -> Result<Header, PacketError> {
        let reader = Reader::new(datagram, "F1 packet header");
        if reader.len() < off::SIZE {
            return Err(PacketError::Truncated { what: "F1 packet header", needed: off::SIZE, got: reader.len() });
        }
        let packet_format = reader.u16(off::PACKET_FORMAT)?;
        let max_id = match packet_format {
            FORMAT_2025 => packet_id::MAX_2025,
            FORMAT_2024 => packet_id::MAX_2024,
            other => return Err(PacketError::Version(other as u32)),
        };
        let id = reader.u8(off::PACKET_ID)?;
        if id > max_id {
            return Err(PacketError::UnknownType(id as u32));
        }
        let session_time = reader.f32(off::SESSION_TIME)?;
        if !session_time.is_finite() {
            return Err(PacketError::NotFinite("sessionTime"));
        }
        Ok(Header {
            packet_format,
            game_year: reader.u8(off::GAME_YEAR)?,
            game_major_version: reader.u8(off::GAME_MAJOR_VERSION)?,
            game_minor_version: reader.u8(off::GAME_MINOR_VERSION)?,
            packet_version: reader.u8(off::PACKET_VERSION)?,
            packet_id: id,
            session_uid: reader.u64(off::SESSION_UID)?,
            session_time,
            frame_identifier: reader.u32(off::FRAME_IDENTIFIER)?,
            overall_frame_identifier: reader.u32(off::OVERALL_FRAME_IDENTIFIER)?,
            player_car_index: reader.u8(off::PLAYER_CAR_INDEX)?,
            secondary_player_car_index: reader.u8(off::SECONDARY_PLAYER_CAR_INDEX)?,
        })
    }

    /// A zeroed packet of `size` bytes with this header written at its start.
    pub fn packet(&self, size: usize) -> Writer {
        let mut writer = Writer::zeroed(size);
        writer
            .put(off::PACKET_FORMAT, &self.packet_format.to_le_bytes())
            .put(off::GAME_YEAR, &[self.game_year])
            .put(off::GAME_MAJOR_VERSION, &[self.game_major_version])
            .put(off::GAME_MINOR_VERSION, &[self.game_minor_version])
            .put(off::PACKET_VERSION, &[self.packet_version])
            .put(off::PACKET_ID, &[self.packet_id])
            .put(off::SESSION_UID, &self.session_uid.to_le_bytes())
            .put(off::SESSION_TIME, &self.session_time.to_le_bytes())
            .put(off::FRAME_IDENTIFIER, &self.frame_identifier.to_le_bytes())
            .put(off::OVERALL_FRAME_IDENTIFIER, &self.overall_frame_identifier.to_le_bytes())
            .put(off::PLAYER_CAR_INDEX, &[self.player_car_index])
            .put(off::SECONDARY_PLAYER_CAR_INDEX, &[self.secondary_player_car_index]);
        writer
    }
}
