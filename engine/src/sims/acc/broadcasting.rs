//! The messages of ACC's broadcasting protocol (UDP, protocol version 4), decoded
//! and encoded byte for byte.
//!
//! Layout from Kunos' ACC broadcasting SDK (`ksBroadcastingNetwork`,
//! `BroadcastingNetworkProtocol.cs`, `BROADCASTING_PROTOCOL_VERSION = 4`: the
//! version that added the car's and each driver's nationality to ENTRY_LIST_CAR
//! "new in 1.13.11"), cross-checked with open-source ports of it (the SDK's Delphi
//! port `ksBroadcasting.pas`, Go/Python/Node clients). Everything is little-endian
//! and read front to back; a string is a `u16` byte length followed by UTF-8.
//!
//! Both directions are here because both sides are implemented: the collector
//! ([`super::client::Client`]) encodes [`Request`]s and decodes [`Message`]s, the
//! emulator ([`super::emulator::Emulator`]) does the opposite. Trailing bytes after
//! a complete message are ignored, as the SDK's `BinaryReader` does.

use crate::sims::wire::{Cursor, Writer};
use crate::sims::PacketError;

/// The game's default `updListenerPort` in `broadcasting.json`.
pub const DEFAULT_PORT: u16 = 9000;
/// `BROADCASTING_PROTOCOL_VERSION` of the SDK this module implements.
pub const PROTOCOL_VERSION: u8 = 4;
/// The value the game writes for "no lap time" / "no split" (`Int32.MaxValue`).
pub const NO_TIME: i32 = i32::MAX;

/// `OutboundMessageTypes`: what a client sends to the game.
pub mod outbound {
    pub const REGISTER_COMMAND_APPLICATION: u8 = 1;
    pub const UNREGISTER_COMMAND_APPLICATION: u8 = 9;
    pub const REQUEST_ENTRY_LIST: u8 = 10;
    pub const REQUEST_TRACK_DATA: u8 = 11;
    pub const CHANGE_HUD_PAGE: u8 = 49;
    pub const CHANGE_FOCUS: u8 = 50;
    pub const INSTANT_REPLAY_REQUEST: u8 = 51;
}

/// `InboundMessageTypes`: what the game sends to a client.
pub mod inbound {
    pub const REGISTRATION_RESULT: u8 = 1;
    pub const REALTIME_UPDATE: u8 = 2;
    pub const REALTIME_CAR_UPDATE: u8 = 3;
    pub const ENTRY_LIST: u8 = 4;
    pub const TRACK_DATA: u8 = 5;
    pub const ENTRY_LIST_CAR: u8 = 6;
    pub const BROADCASTING_EVENT: u8 = 7;
}

/// `SessionPhase` values of [`RealtimeUpdate::phase`].
pub mod phase {
    pub const NONE: u8 = 0;
    pub const STARTING: u8 = 1;
    pub const PRE_FORMATION: u8 = 2;
    pub const FORMATION_LAP: u8 = 3;
    pub const PRE_SESSION: u8 = 4;
    pub const SESSION: u8 = 5;
    pub const SESSION_OVER: u8 = 6;
    pub const POST_SESSION: u8 = 7;
    pub const RESULT_UI: u8 = 8;
}

/// `RaceSessionType` values of [`RealtimeUpdate::session_type`].
pub mod session_type {
    pub const PRACTICE: u8 = 0;
    pub const QUALIFYING: u8 = 4;
    pub const SUPERPOLE: u8 = 9;
    pub const RACE: u8 = 10;
    pub const HOTLAP: u8 = 11;
    pub const HOTSTINT: u8 = 12;
    pub const HOTLAP_SUPERPOLE: u8 = 13;
    pub const REPLAY: u8 = 14;
}

/// A datagram from a client to the game.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// REGISTER_COMMAND_APPLICATION: u8 protocol version, string displayName,
    /// string connectionPassword, i32 msRealtimeUpdateInterval, string commandPassword.
    Register {
        protocol_version: u8,
        display_name: String,
        connection_password: String,
        update_interval_ms: i32,
        command_password: String,
    },
    /// UNREGISTER_COMMAND_APPLICATION + i32 connectionId. Kunos' sample client sends
    /// the type byte alone; both forms decode (`connection_id` is then `None`).
    Unregister { connection_id: Option<i32> },
    /// REQUEST_ENTRY_LIST + i32 connectionId.
    RequestEntryList { connection_id: i32 },
    /// REQUEST_TRACK_DATA + i32 connectionId.
    RequestTrackData { connection_id: i32 },
    /// CHANGE_FOCUS + i32 connectionId, u8 flag [+ u16 carIndex], u8 flag
    /// [+ string cameraSet, string camera].
    ChangeFocus { connection_id: i32, car_index: Option<u16>, camera: Option<(String, String)> },
}

impl Request {
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        match self {
            Request::Register {
                protocol_version,
                display_name,
                connection_password,
                update_interval_ms,
                command_password,
            } => {
                w.u8(outbound::REGISTER_COMMAND_APPLICATION)
                    .u8(*protocol_version)
                    .string_u16(display_name)
                    .string_u16(connection_password)
                    .i32(*update_interval_ms)
                    .string_u16(command_password);
            }
            Request::Unregister { connection_id } => {
                w.u8(outbound::UNREGISTER_COMMAND_APPLICATION);
                if let Some(id) = connection_id {
                    w.i32(*id);
                }
            }
            Request::RequestEntryList { connection_id } => {
                w.u8(outbound::REQUEST_ENTRY_LIST).i32(*connection_id);
            }
            Request::RequestTrackData { connection_id } => {
                w.u8(outbound::REQUEST_TRACK_DATA).i32(*connection_id);
            }
            Request::ChangeFocus { connection_id, car_index, camera } => {
                w.u8(outbound::CHANGE_FOCUS).i32(*connection_id);
                match car_index {
                    Some(index) => w.u8(1).u16(*index),
                    None => w.u8(0),
                };
                match camera {
                    Some((set, camera)) => w.u8(1).string_u16(set).string_u16(camera),
                    None => w.u8(0),
                };
            }
        }
        w.finish()
    }

    pub fn decode(datagram: &[u8]) -> Result<Request, PacketError> {
        let mut c = Cursor::new(datagram, "acc request");
        let kind = c.u8()?;
        Ok(match kind {
            outbound::REGISTER_COMMAND_APPLICATION => Request::Register {
                protocol_version: c.u8()?,
                display_name: c.string_u16("displayName")?,
                connection_password: c.string_u16("connectionPassword")?,
                update_interval_ms: c.i32()?,
                command_password: c.string_u16("commandPassword")?,
            },
            outbound::UNREGISTER_COMMAND_APPLICATION => {
                Request::Unregister { connection_id: if c.remaining() >= 4 { Some(c.i32()?) } else { None } }
            }
            outbound::REQUEST_ENTRY_LIST => Request::RequestEntryList { connection_id: c.i32()? },
            outbound::REQUEST_TRACK_DATA => Request::RequestTrackData { connection_id: c.i32()? },
            outbound::CHANGE_FOCUS => {
                let connection_id = c.i32()?;
                let car_index = if c.u8()? != 0 { Some(c.u16()?) } else { None };
                let camera =
                    if c.u8()? != 0 { Some((c.string_u16("cameraSet")?, c.string_u16("camera")?)) } else { None };
                Request::ChangeFocus { connection_id, car_index, camera }
            }
            other => return Err(PacketError::UnknownType(other as u32)),
        })
    }
}

/// REGISTRATION_RESULT: i32 connectionId, u8 success, u8 writable, string errorMessage.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationResult {
    pub connection_id: i32,
    pub success: bool,
    /// The SDK reads `isReadonly = byte == 0`: the byte is non-zero when the
    /// command password was accepted.
    pub readonly: bool,
    pub error_message: String,
}

/// `LapType`, derived from a lap's isOutlap / isInlap flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LapType {
    Regular,
    Outlap,
    Inlap,
}

/// LapInfo, shared by REALTIME_UPDATE and REALTIME_CAR_UPDATE: i32 lapTimeMs,
/// u16 carIndex, u16 driverIndex, u8 splitCount + i32 each, u8 isInvalid,
/// u8 isValidForBest, u8 isOutlap, u8 isInlap.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LapInfo {
    /// `None` where the game wrote [`NO_TIME`].
    pub lap_time_ms: Option<i32>,
    pub car_index: u16,
    pub driver_index: u16,
    /// `None` where the game wrote [`NO_TIME`].
    pub splits: Vec<Option<i32>>,
    pub is_invalid: bool,
    pub is_valid_for_best: bool,
    pub is_outlap: bool,
    pub is_inlap: bool,
}

impl LapInfo {
    /// As the SDK derives it: out-lap wins over in-lap.
    pub fn lap_type(&self) -> LapType {
        if self.is_outlap {
            LapType::Outlap
        } else if self.is_inlap {
            LapType::Inlap
        } else {
            LapType::Regular
        }
    }

    /// A completed lap's time in ms: `None` for "no time" and non-positive values.
    pub fn completed_time_ms(&self) -> Option<u32> {
        self.lap_time_ms.filter(|&ms| ms > 0).map(|ms| ms as u32)
    }

    fn decode(c: &mut Cursor<'_>) -> Result<LapInfo, PacketError> {
        let lap_time_ms = some_time(c.i32()?);
        let car_index = c.u16()?;
        let driver_index = c.u16()?;
        let split_count = c.u8()?;
        let mut splits = Vec::new();
        for _ in 0..split_count {
            splits.push(some_time(c.i32()?));
        }
        Ok(LapInfo {
            lap_time_ms,
            car_index,
            driver_index,
            splits,
            is_invalid: c.u8()? != 0,
            is_valid_for_best: c.u8()? != 0,
            is_outlap: c.u8()? != 0,
            is_inlap: c.u8()? != 0,
        })
    }

    fn encode(&self, w: &mut Writer) {
        w.i32(self.lap_time_ms.unwrap_or(NO_TIME)).u16(self.car_index).u16(self.driver_index);
        let splits = &self.splits[..self.splits.len().min(u8::MAX as usize)];
        w.u8(splits.len() as u8);
        for split in splits {
            w.i32(split.unwrap_or(NO_TIME));
        }
        w.u8(self.is_invalid as u8).u8(self.is_valid_for_best as u8).u8(self.is_outlap as u8).u8(self.is_inlap as u8);
    }
}

fn some_time(ms: i32) -> Option<i32> {
    (ms != NO_TIME).then_some(ms)
}

/// The replay clock of a REALTIME_UPDATE sent while a replay plays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Replay {
    pub session_time_ms: f32,
    pub remaining_time_ms: f32,
}

/// REALTIME_UPDATE: the session's state, sent every `msRealtimeUpdateInterval`.
#[derive(Debug, Clone, PartialEq)]
pub struct RealtimeUpdate {
    pub event_index: u16,
    pub session_index: u16,
    /// See [`session_type`].
    pub session_type: u8,
    /// See [`phase`].
    pub phase: u8,
    /// Session clock in ms (f32 on the wire).
    pub session_time_ms: f32,
    pub session_end_time_ms: f32,
    /// The car the game's camera follows: the player's car in a normal session.
    pub focused_car_index: i32,
    pub active_camera_set: String,
    pub active_camera: String,
    pub current_hud_page: String,
    /// Present when isReplayPlaying was non-zero.
    pub replay: Option<Replay>,
    pub time_of_day_ms: f32,
    pub ambient_temp_c: u8,
    pub track_temp_c: u8,
    /// Wire byte / 10.
    pub clouds: f32,
    /// Wire byte / 10.
    pub rain_level: f32,
    /// Wire byte / 10.
    pub wetness: f32,
    pub best_session_lap: LapInfo,
}

/// `CarLocationEnum` of a REALTIME_CAR_UPDATE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarLocation {
    None,
    Track,
    Pitlane,
    PitEntry,
    PitExit,
    /// A value this SDK version does not define.
    Other(u8),
}

impl CarLocation {
    pub fn from_u8(value: u8) -> CarLocation {
        match value {
            0 => CarLocation::None,
            1 => CarLocation::Track,
            2 => CarLocation::Pitlane,
            3 => CarLocation::PitEntry,
            4 => CarLocation::PitExit,
            other => CarLocation::Other(other),
        }
    }

    pub fn to_u8(self) -> u8 {
        match self {
            CarLocation::None => 0,
            CarLocation::Track => 1,
            CarLocation::Pitlane => 2,
            CarLocation::PitEntry => 3,
            CarLocation::PitExit => 4,
            CarLocation::Other(other) => other,
        }
    }

    /// Pit lane, pit entry or pit exit.
    pub fn in_pit(self) -> bool {
        matches!(self, CarLocation::Pitlane | CarLocation::PitEntry | CarLocation::PitExit)
    }
}

/// The highest forward gear accepted from the game.
pub const MAX_GEAR: i32 = 10;

/// REALTIME_CAR_UPDATE: one car's state, sent for every car every interval.
#[derive(Debug, Clone, PartialEq)]
pub struct RealtimeCarUpdate {
    pub car_index: u16,
    pub driver_index: u16,
    pub driver_count: u8,
    /// -1 reverse, 0 neutral, 1.. forward: the SDK's `ReadByte() - 2`.
    pub gear: i32,
    pub world_pos_x: f32,
    pub world_pos_y: f32,
    /// Radians.
    pub yaw: f32,
    pub car_location: CarLocation,
    pub kmh: u16,
    /// Official position (1-based).
    pub position: u16,
    pub cup_position: u16,
    /// Position on track (1-based).
    pub track_position: u16,
    /// 0..1 along the lap.
    pub spline_position: f32,
    pub laps: u16,
    /// Realtime delta to the best session lap, ms.
    pub delta_ms: i32,
    pub best_session_lap: LapInfo,
    pub last_lap: LapInfo,
    pub current_lap: LapInfo,
}

/// ENTRY_LIST: i32 connectionId, u16 carCount, u16 carIndex each. The game follows
/// it with one ENTRY_LIST_CAR per car.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryList {
    pub connection_id: i32,
    pub car_indices: Vec<u16>,
}

/// One driver of an ENTRY_LIST_CAR.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DriverInfo {
    pub first_name: String,
    pub last_name: String,
    pub short_name: String,
    /// Platinum 3, Gold 2, Silver 1, Bronze 0.
    pub category: u8,
    pub nationality: u16,
}

impl DriverInfo {
    /// "First Last", or the short name when both are empty.
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let full = full.trim();
        if full.is_empty() {
            self.short_name.trim().to_string()
        } else {
            full.to_string()
        }
    }
}

/// ENTRY_LIST_CAR: one car's entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EntryListCar {
    pub car_index: u16,
    /// See [`super::cars::model_name`].
    pub car_model_type: u8,
    pub team_name: String,
    pub race_number: i32,
    /// Overall/Pro 0, ProAm 1, Am 2, Silver 3, National 4.
    pub cup_category: u8,
    pub current_driver_index: u8,
    pub nationality: u16,
    pub drivers: Vec<DriverInfo>,
}

impl EntryListCar {
    /// The driver now in the car (the first one if the index is out of range).
    pub fn current_driver(&self) -> Option<&DriverInfo> {
        self.drivers.get(self.current_driver_index as usize).or_else(|| self.drivers.first())
    }
}

/// TRACK_DATA: i32 connectionId, string trackName, i32 trackId, i32 trackMeters,
/// u8 cameraSetCount × (string name, u8 count × string camera), u8 hudPageCount × string.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrackData {
    pub connection_id: i32,
    pub track_name: String,
    pub track_id: i32,
    pub track_meters: i32,
    pub camera_sets: Vec<(String, Vec<String>)>,
    pub hud_pages: Vec<String>,
}

impl TrackData {
    /// The lap length in metres, when the game knows it.
    pub fn length_m(&self) -> Option<f32> {
        (self.track_meters > 0).then_some(self.track_meters as f32)
    }
}

/// BROADCASTING_EVENT: u8 type, string message, i32 timeMs, i32 carIndex.
#[derive(Debug, Clone, PartialEq)]
pub struct BroadcastingEvent {
    /// None 0, GreenFlag 1, SessionOver 2, PenaltyCommMsg 3, Accident 4,
    /// LapCompleted 5, BestSessionLap 6, BestPersonalLap 7.
    pub event_type: u8,
    pub message: String,
    pub time_ms: i32,
    pub car_index: i32,
}

/// A datagram from the game to a client.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    RegistrationResult(RegistrationResult),
    RealtimeUpdate(RealtimeUpdate),
    RealtimeCarUpdate(RealtimeCarUpdate),
    EntryList(EntryList),
    TrackData(TrackData),
    EntryListCar(EntryListCar),
    BroadcastingEvent(BroadcastingEvent),
}

fn finite(value: f32, what: &'static str) -> Result<f32, PacketError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(PacketError::NotFinite(what))
    }
}

impl Message {
    /// Decodes one datagram. Never panics; floats the client relies on (clocks,
    /// positions, yaw) must be finite and the gear in range.
    pub fn decode(datagram: &[u8]) -> Result<Message, PacketError> {
        let mut c = Cursor::new(datagram, "acc broadcasting message");
        let kind = c.u8()?;
        Ok(match kind {
            inbound::REGISTRATION_RESULT => Message::RegistrationResult(RegistrationResult {
                connection_id: c.i32()?,
                success: c.u8()? != 0,
                readonly: c.u8()? == 0,
                error_message: c.string_u16("errorMessage")?,
            }),
            inbound::REALTIME_UPDATE => Message::RealtimeUpdate(decode_realtime_update(&mut c)?),
            inbound::REALTIME_CAR_UPDATE => Message::RealtimeCarUpdate(decode_realtime_car_update(&mut c)?),
            inbound::ENTRY_LIST => {
                let connection_id = c.i32()?;
                let count = c.u16()?;
                let mut car_indices = Vec::new();
                for _ in 0..count {
                    car_indices.push(c.u16()?);
                }
                Message::EntryList(EntryList { connection_id, car_indices })
            }
            inbound::TRACK_DATA => Message::TrackData(decode_track_data(&mut c)?),
            inbound::ENTRY_LIST_CAR => Message::EntryListCar(decode_entry_list_car(&mut c)?),
            inbound::BROADCASTING_EVENT => Message::BroadcastingEvent(BroadcastingEvent {
                event_type: c.u8()?,
                message: c.string_u16("msg")?,
                time_ms: c.i32()?,
                car_index: c.i32()?,
            }),
            other => return Err(PacketError::UnknownType(other as u32)),
        })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        match self {
            Message::RegistrationResult(r) => {
                w.u8(inbound::REGISTRATION_RESULT)
                    .i32(r.connection_id)
                    .u8(r.success as u8)
                    .u8(!r.readonly as u8)
                    .string_u16(&r.error_message);
            }
            Message::RealtimeUpdate(u) => {
                w.u8(inbound::REALTIME_UPDATE)
                    .u16(u.event_index)
                    .u16(u.session_index)
                    .u8(u.session_type)
                    .u8(u.phase)
                    .f32(u.session_time_ms)
                    .f32(u.session_end_time_ms)
                    .i32(u.focused_car_index)
                    .string_u16(&u.active_camera_set)
                    .string_u16(&u.active_camera)
                    .string_u16(&u.current_hud_page);
                match u.replay {
                    Some(replay) => w.u8(1).f32(replay.session_time_ms).f32(replay.remaining_time_ms),
                    None => w.u8(0),
                };
                w.f32(u.time_of_day_ms)
                    .u8(u.ambient_temp_c)
                    .u8(u.track_temp_c)
                    .u8(tenths(u.clouds))
                    .u8(tenths(u.rain_level))
                    .u8(tenths(u.wetness));
                u.best_session_lap.encode(&mut w);
            }
            Message::RealtimeCarUpdate(u) => {
                w.u8(inbound::REALTIME_CAR_UPDATE)
                    .u16(u.car_index)
                    .u16(u.driver_index)
                    .u8(u.driver_count)
                    .u8((u.gear + 2).clamp(0, u8::MAX as i32) as u8)
                    .f32(u.world_pos_x)
                    .f32(u.world_pos_y)
                    .f32(u.yaw)
                    .u8(u.car_location.to_u8())
                    .u16(u.kmh)
                    .u16(u.position)
                    .u16(u.cup_position)
                    .u16(u.track_position)
                    .f32(u.spline_position)
                    .u16(u.laps)
                    .i32(u.delta_ms);
                u.best_session_lap.encode(&mut w);
                u.last_lap.encode(&mut w);
                u.current_lap.encode(&mut w);
            }
            Message::EntryList(e) => {
                let cars = &e.car_indices[..e.car_indices.len().min(u16::MAX as usize)];
                w.u8(inbound::ENTRY_LIST).i32(e.connection_id).u16(cars.len() as u16);
                for &index in cars {
                    w.u16(index);
                }
            }
            Message::TrackData(t) => {
                w.u8(inbound::TRACK_DATA)
                    .i32(t.connection_id)
                    .string_u16(&t.track_name)
                    .i32(t.track_id)
                    .i32(t.track_meters);
                let sets = &t.camera_sets[..t.camera_sets.len().min(u8::MAX as usize)];
                w.u8(sets.len() as u8);
                for (name, cameras) in sets {
                    let cameras = &cameras[..cameras.len().min(u8::MAX as usize)];
                    w.string_u16(name).u8(cameras.len() as u8);
                    for camera in cameras {
                        w.string_u16(camera);
                    }
                }
                let pages = &t.hud_pages[..t.hud_pages.len().min(u8::MAX as usize)];
                w.u8(pages.len() as u8);
                for page in pages {
                    w.string_u16(page);
                }
            }
            Message::EntryListCar(car) => {
                w.u8(inbound::ENTRY_LIST_CAR)
                    .u16(car.car_index)
                    .u8(car.car_model_type)
                    .string_u16(&car.team_name)
                    .i32(car.race_number)
                    .u8(car.cup_category)
                    .u8(car.current_driver_index)
                    .u16(car.nationality);
                let drivers = &car.drivers[..car.drivers.len().min(u8::MAX as usize)];
                w.u8(drivers.len() as u8);
                for d in drivers {
                    w.string_u16(&d.first_name)
                        .string_u16(&d.last_name)
                        .string_u16(&d.short_name)
                        .u8(d.category)
                        .u16(d.nationality);
                }
            }
            Message::BroadcastingEvent(e) => {
                w.u8(inbound::BROADCASTING_EVENT)
                    .u8(e.event_type)
                    .string_u16(&e.message)
                    .i32(e.time_ms)
                    .i32(e.car_index);
            }
        }
        w.finish()
    }
}

/// The wire's tenths byte for a 0..1 weather value.
fn tenths(value: f32) -> u8 {
    if value.is_finite() {
        (value * 10.0).round().clamp(0.0, u8::MAX as f32) as u8
    } else {
        0
    }
}

fn decode_realtime_update(c: &mut Cursor<'_>) -> Result<RealtimeUpdate, PacketError> {
    let event_index = c.u16()?;
    let session_index = c.u16()?;
    let session_type = c.u8()?;
    let phase = c.u8()?;
    let session_time_ms = finite(c.f32()?, "sessionTime")?;
    let session_end_time_ms = c.f32()?;
    let focused_car_index = c.i32()?;
    let active_camera_set = c.string_u16("activeCameraSet")?;
    let active_camera = c.string_u16("activeCamera")?;
    let current_hud_page = c.string_u16("currentHudPage")?;
    let replay =
        if c.u8()? != 0 { Some(Replay { session_time_ms: c.f32()?, remaining_time_ms: c.f32()? }) } else { None };
    Ok(RealtimeUpdate {
        event_index,
        session_index,
        session_type,
        phase,
        session_time_ms,
        session_end_time_ms,
        focused_car_index,
        active_camera_set,
        active_camera,
        current_hud_page,
        replay,
        time_of_day_ms: c.f32()?,
        ambient_temp_c: c.u8()?,
        track_temp_c: c.u8()?,
        clouds: c.u8()? as f32 / 10.0,
        rain_level: c.u8()? as f32 / 10.0,
        wetness: c.u8()? as f32 / 10.0,
        best_session_lap: LapInfo::decode(c)?,
    })
}

fn decode_realtime_car_update(c: &mut Cursor<'_>) -> Result<RealtimeCarUpdate, PacketError> {
    let car_index = c.u16()?;
    let driver_index = c.u16()?;
    let driver_count = c.u8()?;
    let gear = c.u8()? as i32 - 2;
    if !(-1..=MAX_GEAR).contains(&gear) {
        return Err(PacketError::OutOfRange("gear"));
    }
    Ok(RealtimeCarUpdate {
        car_index,
        driver_index,
        driver_count,
        gear,
        world_pos_x: finite(c.f32()?, "worldPosX")?,
        world_pos_y: finite(c.f32()?, "worldPosY")?,
        yaw: finite(c.f32()?, "yaw")?,
        car_location: CarLocation::from_u8(c.u8()?),
        kmh: c.u16()?,
        position: c.u16()?,
        cup_position: c.u16()?,
        track_position: c.u16()?,
        spline_position: finite(c.f32()?, "splinePosition")?,
        laps: c.u16()?,
        delta_ms: c.i32()?,
        best_session_lap: LapInfo::decode(c)?,
        last_lap: LapInfo::decode(c)?,
        current_lap: LapInfo::decode(c)?,
    })
}

fn decode_track_data(c: &mut Cursor<'_>) -> Result<TrackData, PacketError> {
    let connection_id = c.i32()?;
    let track_name = c.string_u16("trackName")?;
    let track_id = c.i32()?;
    let track_meters = c.i32()?;
    let mut camera_sets = Vec::new();
    for _ in 0..c.u8()? {
        let name = c.string_u16("cameraSet")?;
        let mut cameras = Vec::new();
        for _ in 0..c.u8()? {
            cameras.push(c.string_u16("camera")?);
        }
        camera_sets.push((name, cameras));
    }
    let mut hud_pages = Vec::new();
    for _ in 0..c.u8()? {
        hud_pages.push(c.string_u16("hudPage")?);
    }
    Ok(TrackData { connection_id, track_name, track_id, track_meters, camera_sets, hud_pages })
}

fn decode_entry_list_car(c: &mut Cursor<'_>) -> Result<EntryListCar, PacketError> {
    let car_index = c.u16()?;
    let car_model_type = c.u8()?;
    let team_name = c.string_u16("teamName")?;
    let race_number = c.i32()?;
    let cup_category = c.u8()?;
    let current_driver_index = c.u8()?;
    let nationality = c.u16()?;
    let mut drivers = Vec::new();
    for _ in 0..c.u8()? {
        drivers.push(DriverInfo {
            first_name: c.string_u16("firstName")?,
            last_name: c.string_u16("lastName")?,
            short_name: c.string_u16("shortName")?,
            category: c.u8()?,
            nationality: c.u16()?,
        });
    }
    Ok(EntryListCar {
        car_index,
        car_model_type,
        team_name,
        race_number,
        cup_category,
        current_driver_index,
        nationality,
        drivers,
    })
}
