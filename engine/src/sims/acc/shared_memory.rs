//! ACC's shared memory pages (`Local\acpmf_physics`, `Local\acpmf_graphics`,
//! `Local\acpmf_static`): their layouts, the pure mapping of the three pages to a
//! frame, and [`SharedMemoryReader`], which maps the pages and yields each new
//! physics step once.
//!
//! Layouts: the structs `SPageFilePhysics`, `SPageFileGraphic` and
//! `SPageFileStatic` of Kunos' "ACC Shared Memory Documentation" v1.8.12
//! (`SharedFileOut.h`, `#pragma pack(4)`, `wchar_t` = UTF-16LE, 2 bytes), as
//! transcribed by the open-source reader PyAccSharedMemory (which ships that PDF
//! and reads with explicit padding after odd-length `wchar_t` arrays) and a C++
//! port of the header; the two agree field for field. Every offset below was
//! summed by hand from those declarations and is re-derived by the tests, which
//! also check the sizes:
//! physics 800 bytes (200 four-byte fields), graphics 1588 bytes (1580 before
//! `gapAhead`/`gapBehind` were appended), static 820 bytes.
//!
//! Shared memory has more than the broadcasting protocol (pedals, steering, rpm,
//! tyres, fuel) but exists only on the machine running the game;
//! [`super::merge`] combines the two.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use purplesector_proto::v1::{Sim, TelemetryFrame, Vec3, Wheels};

use crate::sims::wire::Reader;
use crate::sims::{PacketError, SessionMeta, SimEvent};

/// psi → kPa (the game reports tyre pressures in psi).
pub const KPA_PER_PSI: f32 = 6.894_757;

/// `SPageFilePhysics` (updated every physics step). Offsets in bytes.
pub mod physics {
    /// `sizeof(SPageFilePhysics)` in ACC 1.8+.
    pub const SIZE: usize = 800;
    pub const PACKET_ID: usize = 0; // int
    pub const GAS: usize = 4; // float 0..1
    pub const BRAKE: usize = 8; // float 0..1
    pub const FUEL: usize = 12; // float, litres
    pub const GEAR: usize = 16; // int, 0 = R, 1 = N, 2 = 1st
    pub const RPMS: usize = 20; // int
    pub const STEER_ANGLE: usize = 24; // float, steering input -1..1
    pub const SPEED_KMH: usize = 28; // float
    pub const VELOCITY: usize = 32; // float[3], m/s, world frame
    pub const ACC_G: usize = 44; // float[3], g: x lateral, y vertical, z longitudinal
    pub const WHEEL_SLIP: usize = 56; // float[4] FL FR RL RR
    pub const WHEEL_LOAD: usize = 72; // float[4] (unused by ACC)
    pub const WHEELS_PRESSURE: usize = 88; // float[4], psi
    pub const WHEEL_ANGULAR_SPEED: usize = 104; // float[4], rad/s
    pub const TYRE_WEAR: usize = 120; // float[4] (unused)
    pub const TYRE_DIRTY_LEVEL: usize = 136; // float[4] (unused)
    pub const TYRE_CORE_TEMPERATURE: usize = 152; // float[4], °C
    pub const CAMBER_RAD: usize = 168; // float[4] (unused)
    pub const SUSPENSION_TRAVEL: usize = 184; // float[4], m
    pub const DRS: usize = 200; // float (unused)
    pub const TC: usize = 204; // float
    pub const HEADING: usize = 208; // float, yaw in radians
    pub const PITCH: usize = 212; // float, rad
    pub const ROLL: usize = 216; // float, rad
    pub const CG_HEIGHT: usize = 220; // float (unused)
    pub const CAR_DAMAGE: usize = 224; // float[5]
    pub const NUMBER_OF_TYRES_OUT: usize = 244; // int (unused)
    pub const PIT_LIMITER_ON: usize = 248; // int
    pub const ABS: usize = 252; // float
                                // 256 kersCharge, 260 kersInput, 264 autoShifterOn, 268 rideHeight[2],
                                // 276 turboBoost, 280 ballast, 284 airDensity
    pub const AIR_TEMP: usize = 288; // float, °C
    pub const ROAD_TEMP: usize = 292; // float, °C
    pub const LOCAL_ANGULAR_VEL: usize = 296; // float[3]
                                              // 308 finalFF, 312 performanceMeter, 316 engineBrake, 320 ersRecoveryLevel,
                                              // 324 ersPowerLevel, 328 ersHeatCharging, 332 ersIsCharging, 336 kersCurrentKJ,
                                              // 340 drsAvailable, 344 drsEnabled
    pub const BRAKE_TEMP: usize = 348; // float[4], °C
    pub const CLUTCH: usize = 364; // float 0..1
                                   // 368 tyreTempI[4], 384 tyreTempM[4], 400 tyreTempO[4] (unused by ACC),
                                   // 416 isAIControlled, 420 tyreContactPoint[4][3], 468 tyreContactNormal[4][3],
                                   // 516 tyreContactHeading[4][3]
    pub const BRAKE_BIAS: usize = 564; // float
    pub const LOCAL_VELOCITY: usize = 568; // float[3]
                                           // 580 P2PActivations, 584 P2PStatus
    pub const CURRENT_MAX_RPM: usize = 588; // int (unused)
                                            // 592 mz[4], 608 fx[4], 624 fy[4]
    pub const SLIP_RATIO: usize = 640; // float[4]
    pub const SLIP_ANGLE: usize = 656; // float[4]
                                       // 672 tcinAction, 676 absInAction, 680 suspensionDamage[4], 696 tyreTemp[4]
    pub const WATER_TEMP: usize = 712; // float, °C
                                       // 716 brakePressure[4], 732 frontBrakeCompound, 736 rearBrakeCompound,
                                       // 740 padLife[4], 756 discLife[4], 772 ignitionOn, 776 starterEngineOn,
                                       // 780 isEngineRunning, 784 kerbVibration, 788 slipVibrations,
                                       // 792 gVibrations, 796 absVibrations; end 800.
}

/// `SPageFileGraphic` (updated every graphics frame). Offsets in bytes.
pub mod graphics {
    /// `sizeof(SPageFileGraphic)` with `gapAhead`/`gapBehind` (ACC 1.9+).
    pub const SIZE: usize = 1588;
    /// The ACC 1.8 size, up to `strategyTyreSet`: the smallest page accepted.
    pub const MIN_SIZE: usize = 1580;
    pub const PACKET_ID: usize = 0; // int
    pub const STATUS: usize = 4; // int ACC_STATUS
    pub const SESSION: usize = 8; // int ACC_SESSION_TYPE
    pub const CURRENT_TIME: usize = 12; // wchar_t[15]
    pub const LAST_TIME: usize = 42; // wchar_t[15]
    pub const BEST_TIME: usize = 72; // wchar_t[15]
    pub const SPLIT: usize = 102; // wchar_t[15]
    pub const TIME_UNITS: usize = 15;
    pub const COMPLETED_LAPS: usize = 132; // int
    pub const POSITION: usize = 136; // int
    pub const I_CURRENT_TIME: usize = 140; // int, ms
    pub const I_LAST_TIME: usize = 144; // int, ms
    pub const I_BEST_TIME: usize = 148; // int, ms
    pub const SESSION_TIME_LEFT: usize = 152; // float, ms
    pub const DISTANCE_TRAVELED: usize = 156; // float, m
    pub const IS_IN_PIT: usize = 160; // int
    pub const CURRENT_SECTOR_INDEX: usize = 164; // int
    pub const LAST_SECTOR_TIME: usize = 168; // int, ms
    pub const NUMBER_OF_LAPS: usize = 172; // int
    pub const TYRE_COMPOUND: usize = 176; // wchar_t[33], then 2 bytes padding
    pub const REPLAY_TIME_MULTIPLIER: usize = 244; // float
    pub const NORMALIZED_CAR_POSITION: usize = 248; // float 0..1
    pub const ACTIVE_CARS: usize = 252; // int
    pub const CAR_COORDINATES: usize = 256; // float[60][3]
    pub const CAR_ID: usize = 976; // int[60]
    pub const MAX_CARS: usize = 60;
    pub const PLAYER_CAR_ID: usize = 1216; // int
    pub const PENALTY_TIME: usize = 1220; // float
    pub const FLAG: usize = 1224; // int
    pub const PENALTY: usize = 1228; // int
    pub const IDEAL_LINE_ON: usize = 1232; // int
    pub const IS_IN_PIT_LANE: usize = 1236; // int
    pub const SURFACE_GRIP: usize = 1240; // float
                                          // 1244 mandatoryPitDone, 1248 windSpeed, 1252 windDirection,
                                          // 1256 isSetupMenuVisible, 1260 mainDisplayIndex, 1264 secondaryDisplayIndex,
                                          // 1268 TC, 1272 TCCut, 1276 EngineMap, 1280 ABS, 1284 fuelXLap,
                                          // 1288 rainLights, 1292 flashingLights, 1296 lightsStage,
                                          // 1300 exhaustTemperature, 1304 wiperLV, 1308 driverStintTotalTimeLeft,
                                          // 1312 driverStintTimeLeft, 1316 rainTyres
    pub const SESSION_INDEX: usize = 1320; // int
    pub const USED_FUEL: usize = 1324; // float
                                       // 1328 deltaLapTime wchar_t[15] + 2 padding, 1360 iDeltaLapTime,
                                       // 1364 estimatedLapTime wchar_t[15] + 2 padding, 1396 iEstimatedLapTime,
                                       // 1400 isDeltaPositive, 1404 iSplit
    pub const IS_VALID_LAP: usize = 1408; // int
                                          // 1412 fuelEstimatedLaps, 1416 trackStatus wchar_t[33] + 2 padding,
                                          // 1484 missingMandatoryPits, 1488 Clock, 1492 directionLightsLeft,
                                          // 1496 directionLightsRight, 1500..1528 GlobalYellow/1/2/3/White/Green/
                                          // Chequered/Red, 1532 mfdTyreSet, 1536 mfdFuelToAdd, 1540..1552
                                          // mfdTyrePressureLF/RF/LR/RR, 1556 trackGripStatus, 1560 rainIntensity,
                                          // 1564 rainIntensityIn10min, 1568 rainIntensityIn30min, 1572 currentTyreSet,
                                          // 1576 strategyTyreSet, 1580 gapAhead, 1584 gapBehind; end 1588.
}

/// `SPageFileStatic` (written once per session). Offsets in bytes.
pub mod statics {
    pub const SIZE: usize = 820;
    pub const SM_VERSION: usize = 0; // wchar_t[15]
    pub const AC_VERSION: usize = 30; // wchar_t[15]
    pub const VERSION_UNITS: usize = 15;
    pub const NUMBER_OF_SESSIONS: usize = 60; // int
    pub const NUM_CARS: usize = 64; // int
    pub const CAR_MODEL: usize = 68; // wchar_t[33]
    pub const TRACK: usize = 134; // wchar_t[33]
    pub const PLAYER_NAME: usize = 200; // wchar_t[33]
    pub const PLAYER_SURNAME: usize = 266; // wchar_t[33]
    pub const PLAYER_NICK: usize = 332; // wchar_t[33], then 2 bytes padding
    pub const NAME_UNITS: usize = 33;
    pub const SECTOR_COUNT: usize = 400; // int
    pub const MAX_TORQUE: usize = 404; // float (unused)
    pub const MAX_POWER: usize = 408; // float (unused)
    pub const MAX_RPM: usize = 412; // int
    pub const MAX_FUEL: usize = 416; // float, litres
                                     // 420 suspensionMaxTravel[4], 436 tyreRadius[4], 452 maxTurboBoost,
                                     // 456 deprecated_1, 460 deprecated_2, 464 penaltiesEnabled, 468 aidFuelRate,
                                     // 472 aidTireRate, 476 aidMechanicalDamage, 480 aidAllowTyreBlankets,
                                     // 484 aidStability, 488 aidAutoClutch, 492 aidAutoBlip, 496 hasDRS,
                                     // 500 hasERS, 504 hasKERS, 508 kersMaxJ, 512 engineBrakeSettingsCount,
                                     // 516 ersPowerControllerCount
    pub const TRACK_SPLINE_LENGTH: usize = 520; // float, m
    pub const TRACK_CONFIGURATION: usize = 524; // wchar_t[33], then 2 bytes padding
                                                // 592 ersMaxJ, 596 isTimedRace, 600 hasExtraLap, 604 carSkin wchar_t[33] + 2,
                                                // 672 reversedGridPositions
    pub const PIT_WINDOW_START: usize = 676; // int
    pub const PIT_WINDOW_END: usize = 680; // int
    pub const IS_ONLINE: usize = 684; // int
    pub const DRY_TYRES_NAME: usize = 688; // wchar_t[33]
    pub const WET_TYRES_NAME: usize = 754; // wchar_t[33]; end 820.
}

/// `ACC_STATUS` of the graphics page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GameStatus {
    Off,
    Replay,
    Live,
    Pause,
    Other(i32),
}

impl GameStatus {
    pub fn from_i32(value: i32) -> GameStatus {
        match value {
            0 => GameStatus::Off,
            1 => GameStatus::Replay,
            2 => GameStatus::Live,
            3 => GameStatus::Pause,
            other => GameStatus::Other(other),
        }
    }
}

/// The highest raw gear (`2` = 1st) accepted from the physics page.
const MAX_RAW_GEAR: i32 = 12;
/// A plausible engine speed ceiling.
const MAX_RPM: i32 = 30_000;

fn check_len(page: &[u8], min: usize, what: &'static str) -> Result<(), PacketError> {
    if page.len() < min {
        return Err(PacketError::Truncated { what, needed: min, got: page.len() });
    }
    Ok(())
}

fn finite(value: f32, what: &'static str) -> Result<f32, PacketError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(PacketError::NotFinite(what))
    }
}

/// A value the game may leave NaN in a non-essential channel: dropped to `None`.
fn optional(value: f32) -> Option<f32> {
    value.is_finite().then_some(value)
}

fn wheels(values: [f32; 4], scale: f32) -> Option<Wheels> {
    values.iter().all(|v| v.is_finite()).then(|| Wheels {
        fl: values[0] * scale,
        fr: values[1] * scale,
        rl: values[2] * scale,
        rr: values[3] * scale,
    })
}

fn vec3(r: &Reader<'_>, offset: usize) -> Result<Option<Vec3>, PacketError> {
    let (x, y, z) = (r.f32(offset)?, r.f32(offset + 4)?, r.f32(offset + 8)?);
    Ok((x.is_finite() && y.is_finite() && z.is_finite()).then_some(Vec3 { x, y, z }))
}

/// A lap time the game reports, `None` when it has none (0, negative or `INT_MAX`).
fn lap_time(ms: i32) -> Option<u32> {
    (ms > 0 && ms != i32::MAX).then_some(ms as u32)
}

/// The packet ids and status that decide whether a snapshot is new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageHeader {
    pub physics_packet_id: i32,
    pub graphics_packet_id: i32,
    pub status: GameStatus,
}

/// Reads the packet ids and the game status.
pub fn page_header(physics: &[u8], graphics: &[u8]) -> Result<PageHeader, PacketError> {
    let p = Reader::new(physics, "acc physics page");
    let g = Reader::new(graphics, "acc graphics page");
    Ok(PageHeader {
        physics_packet_id: p.i32(physics::PACKET_ID)?,
        graphics_packet_id: g.i32(graphics::PACKET_ID)?,
        status: GameStatus::from_i32(g.i32(graphics::STATUS)?),
    })
}

/// The session metadata of the static page (and `Sim::Acc`).
pub fn meta_from_static(static_: &[u8]) -> Result<SessionMeta, PacketError> {
    check_len(static_, statics::SIZE, "acc static page")?;
    let s = Reader::new(static_, "acc static page");
    let name = s.utf16z(statics::PLAYER_NAME, statics::NAME_UNITS, "playerName")?;
    let surname = s.utf16z(statics::PLAYER_SURNAME, statics::NAME_UNITS, "playerSurname")?;
    let nick = s.utf16z(statics::PLAYER_NICK, statics::NAME_UNITS, "playerNick")?;
    let full = format!("{} {}", name.trim(), surname.trim()).trim().to_string();
    let spline = s.f32(statics::TRACK_SPLINE_LENGTH)?;
    Ok(SessionMeta {
        sim: Sim::Acc,
        track: s.utf16z(statics::TRACK, statics::NAME_UNITS, "track")?,
        car: s.utf16z(statics::CAR_MODEL, statics::NAME_UNITS, "carModel")?,
        driver: if full.is_empty() { nick.trim().to_string() } else { full },
        track_length_m: (spline.is_finite() && spline > 0.0).then_some(spline),
    })
}

/// Maps the three pages to the session and one frame of the player's car. Pure:
/// `seq`, `captured_at_us` and `session_time_ms` are left 0 (the pages have no
/// session clock; [`SharedMemoryReader`] stamps it).
///
/// Channels: throttle, brake, clutch, steering (`steerAngle` is the normalised
/// input, -1..1), speed, gear (page 0 = R → -1), rpm, max_rpm (static), velocity,
/// g forces (`accG`: x lateral, y vertical, z longitudinal), yaw (`heading`),
/// tyre core temperatures, pressures (psi → kPa), wheel slip, brake temperatures,
/// fuel, world position (`carCoordinates` of the `carID` equal to `playerCarID`),
/// lap number, current/last/best lap times, normalized position, lap distance
/// (× `trackSPlineLength`), in pit (pit box or pit lane), lap invalid.
pub fn frame_from_pages(
    physics: &[u8],
    graphics: &[u8],
    static_: &[u8],
) -> Result<(SessionMeta, TelemetryFrame), PacketError> {
    check_len(physics, physics::SIZE, "acc physics page")?;
    check_len(graphics, graphics::MIN_SIZE, "acc graphics page")?;
    let meta = meta_from_static(static_)?;
    let p = Reader::new(physics, "acc physics page");
    let g = Reader::new(graphics, "acc graphics page");
    let s = Reader::new(static_, "acc static page");

    let raw_gear = p.i32(physics::GEAR)?;
    if !(0..=MAX_RAW_GEAR).contains(&raw_gear) {
        return Err(PacketError::OutOfRange("gear"));
    }
    let rpm = p.i32(physics::RPMS)?;
    if !(0..=MAX_RPM).contains(&rpm) {
        return Err(PacketError::OutOfRange("rpms"));
    }
    let speed_kmh = finite(p.f32(physics::SPEED_KMH)?, "speedKmh")?;
    let normalized = finite(g.f32(graphics::NORMALIZED_CAR_POSITION)?, "normalizedCarPosition")?.clamp(0.0, 1.0);
    let completed_laps = g.i32(graphics::COMPLETED_LAPS)?;
    if completed_laps < 0 {
        return Err(PacketError::OutOfRange("completedLaps"));
    }
    let max_rpm = s.i32(statics::MAX_RPM)?;
    let acc_g = [p.f32(physics::ACC_G)?, p.f32(physics::ACC_G + 4)?, p.f32(physics::ACC_G + 8)?];

    let frame = TelemetryFrame {
        current_lap_time_ms: g.i32(graphics::I_CURRENT_TIME)?.max(0) as u32,
        lap_number: completed_laps as u32,
        normalized_position: normalized,
        lap_distance_m: meta.track_length_m.map(|length| normalized * length),
        throttle: optional(p.f32(physics::GAS)?).unwrap_or(0.0).clamp(0.0, 1.0),
        brake: optional(p.f32(physics::BRAKE)?).unwrap_or(0.0).clamp(0.0, 1.0),
        clutch: optional(p.f32(physics::CLUTCH)?).map(|c| c.clamp(0.0, 1.0)),
        steering: optional(p.f32(physics::STEER_ANGLE)?).unwrap_or(0.0).clamp(-1.0, 1.0),
        speed_kmh,
        gear: raw_gear - 1,
        rpm: rpm as f32,
        max_rpm: (max_rpm > 0).then_some(max_rpm as f32),
        world_position: player_position(&g)?,
        velocity: vec3(&p, physics::VELOCITY)?,
        g_lat: optional(acc_g[0]),
        g_vert: optional(acc_g[1]),
        g_lon: optional(acc_g[2]),
        yaw: optional(p.f32(physics::HEADING)?),
        tyre_temp_c: wheels(p.f32x4(physics::TYRE_CORE_TEMPERATURE)?, 1.0),
        tyre_pressure_kpa: wheels(p.f32x4(physics::WHEELS_PRESSURE)?, KPA_PER_PSI),
        wheel_slip: wheels(p.f32x4(physics::WHEEL_SLIP)?, 1.0),
        brake_temp_c: wheels(p.f32x4(physics::BRAKE_TEMP)?, 1.0),
        fuel_l: optional(p.f32(physics::FUEL)?),
        in_pit: g.i32(graphics::IS_IN_PIT)? != 0 || g.i32(graphics::IS_IN_PIT_LANE)? != 0,
        lap_invalid: g.i32(graphics::IS_VALID_LAP)? == 0,
        last_lap_time_ms: lap_time(g.i32(graphics::I_LAST_TIME)?),
        best_lap_time_ms: lap_time(g.i32(graphics::I_BEST_TIME)?),
        ..Default::default()
    };
    Ok((meta, frame))
}

/// `carCoordinates[i]` for the `i < activeCars` whose `carID[i]` is `playerCarID`.
fn player_position(g: &Reader<'_>) -> Result<Option<Vec3>, PacketError> {
    let active = g.i32(graphics::ACTIVE_CARS)?.clamp(0, graphics::MAX_CARS as i32) as usize;
    let player = g.i32(graphics::PLAYER_CAR_ID)?;
    for slot in 0..active {
        if g.i32(graphics::CAR_ID + slot * 4)? == player {
            return vec3(g, graphics::CAR_COORDINATES + slot * 12);
        }
    }
    Ok(None)
}

/// One new physics step of the player's car.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub meta: SessionMeta,
    pub frame: TelemetryFrame,
    pub status: GameStatus,
    pub physics_packet_id: i32,
}

/// The longest gap between two reads counted into the session clock: a longer
/// one (the game paused, or the reader was not called) adds this much.
const MAX_CLOCK_STEP_MS: u64 = 250;

/// Where the pages come from.
enum Source {
    /// Three files in a directory: a Linux/Proton bridge's files or a recorded dump.
    Files(Box<[MappedFile; 3]>),
    /// The game's named sections.
    #[cfg(windows)]
    Sections(Box<[windows::Section; 3]>),
}

/// A file mapped read-only, re-mapped when its length changes.
struct MappedFile {
    path: PathBuf,
    file: File,
    map: Option<memmap2::Mmap>,
}

impl MappedFile {
    fn open(path: PathBuf) -> io::Result<MappedFile> {
        let file = File::open(&path)?;
        let mut mapped = MappedFile { path, file, map: None };
        mapped.remap()?;
        Ok(mapped)
    }

    fn remap(&mut self) -> io::Result<()> {
        self.map = None;
        if self.file.metadata()?.len() == 0 {
            return Ok(());
        }
        // SAFETY: the mapping is read-only and only ever copied out of (`bytes`);
        // another process (the bridge writing the pages) may change its contents
        // while mapped, which yields torn values that the parser validates, never
        // references into Rust data. A file shrunk under the mapping could fault:
        // the length is re-checked before every copy and the map rebuilt.
        self.map = Some(unsafe { memmap2::Mmap::map(&self.file)? });
        Ok(())
    }

    /// A copy of the page as it is now.
    fn bytes(&mut self) -> io::Result<Vec<u8>> {
        let len = self.file.metadata()?.len() as usize;
        if self.map.as_ref().map_or(0, |map| map.len()) != len {
            self.remap()?;
        }
        Ok(self.map.as_ref().map(|map| map.to_vec()).unwrap_or_default())
    }
}

/// File names of the three pages in a directory (the section names without `Local\`).
pub const PAGE_FILES: [&str; 3] = ["acpmf_physics", "acpmf_graphics", "acpmf_static"];

/// The reader's rules over pages given as bytes: which snapshots are new, the
/// session clock, and the collector events. [`SharedMemoryReader`] feeds it mapped
/// pages; tests and the fuzz target feed it bytes.
///
/// A snapshot is returned only when the physics `packetId` advanced (the game
/// writes the page at its physics rate; polling faster, or while paused, yields
/// nothing), the game is live (not a replay, not off) and the frame differs from
/// the previous one. The session clock advances only between new steps and by at
/// most 250 ms per step, so it stops while the game is paused; it restarts at 0
/// when the static page names another session.
#[derive(Debug, Default)]
pub struct PageDecoder {
    last_packet_id: Option<i32>,
    last_frame: Option<TelemetryFrame>,
    last_step_ms: Option<u64>,
    session_time_ms: u64,
    clock_meta: Option<SessionMeta>,
    announced: Option<SessionMeta>,
}

impl PageDecoder {
    pub fn new() -> PageDecoder {
        PageDecoder::default()
    }

    /// A snapshot for a new, changed, live physics step; `None` otherwise.
    pub fn decode_at(
        &mut self,
        physics: &[u8],
        graphics: &[u8],
        static_: &[u8],
        now_ms: u64,
    ) -> Result<Option<Snapshot>, PacketError> {
        let header = page_header(physics, graphics)?;
        if header.status != GameStatus::Live || self.last_packet_id == Some(header.physics_packet_id) {
            return Ok(None);
        }
        let (meta, mut frame) = frame_from_pages(physics, graphics, static_)?;
        self.last_packet_id = Some(header.physics_packet_id);
        if self.clock_meta.as_ref() != Some(&meta) {
            self.clock_meta = Some(meta.clone());
            self.session_time_ms = 0;
            self.last_step_ms = None;
            self.last_frame = None;
        }
        if let Some(last) = self.last_step_ms {
            self.session_time_ms += now_ms.saturating_sub(last).min(MAX_CLOCK_STEP_MS);
        }
        self.last_step_ms = Some(now_ms);
        if self.last_frame.as_ref() == Some(&frame) {
            return Ok(None);
        }
        self.last_frame = Some(frame);
        frame.session_time_ms = self.session_time_ms as f64;
        Ok(Some(Snapshot { meta, frame, status: header.status, physics_packet_id: header.physics_packet_id }))
    }

    /// [`Self::decode_at`] as collector events: `Session` when the static page
    /// names a new session (before its first frame), `Frame` per new step,
    /// `SessionEnded` once when the game goes off.
    pub fn events_at(
        &mut self,
        physics: &[u8],
        graphics: &[u8],
        static_: &[u8],
        now_ms: u64,
    ) -> Result<Vec<SimEvent>, PacketError> {
        let header = page_header(physics, graphics)?;
        if header.status == GameStatus::Off {
            self.last_packet_id = None;
            self.clock_meta = None;
            return Ok(self.announced.take().map(|_| SimEvent::SessionEnded).into_iter().collect());
        }
        let Some(snapshot) = self.decode_at(physics, graphics, static_, now_ms)? else {
            return Ok(Vec::new());
        };
        let mut events = Vec::new();
        if self.announced.as_ref() != Some(&snapshot.meta) {
            self.announced = Some(snapshot.meta.clone());
            events.push(SimEvent::Session(snapshot.meta));
        }
        events.push(SimEvent::Frame(Box::new(snapshot.frame)));
        Ok(events)
    }
}

/// Maps ACC's three pages and turns each new physics step into a frame, with the
/// rules of [`PageDecoder`].
pub struct SharedMemoryReader {
    source: Source,
    decoder: PageDecoder,
    started: std::time::Instant,
}

impl std::fmt::Debug for SharedMemoryReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedMemoryReader").field("paths", &self.paths()).field("decoder", &self.decoder).finish()
    }
}

impl SharedMemoryReader {
    /// Maps `acpmf_physics`, `acpmf_graphics` and `acpmf_static` in `dir`.
    pub fn open_dir(dir: impl AsRef<Path>) -> io::Result<SharedMemoryReader> {
        let dir = dir.as_ref();
        let [physics, graphics, static_] = PAGE_FILES.map(|name| dir.join(name));
        Ok(Self::with_source(Source::Files(Box::new([
            MappedFile::open(physics)?,
            MappedFile::open(graphics)?,
            MappedFile::open(static_)?,
        ]))))
    }

    /// Opens the game's named sections `Local\acpmf_*` (the game must be running).
    #[cfg(windows)]
    pub fn open_named() -> io::Result<SharedMemoryReader> {
        Ok(Self::with_source(Source::Sections(Box::new([
            windows::Section::open("Local\\acpmf_physics", &[physics::SIZE])?,
            windows::Section::open("Local\\acpmf_graphics", &[graphics::SIZE, graphics::MIN_SIZE])?,
            windows::Section::open("Local\\acpmf_static", &[statics::SIZE])?,
        ]))))
    }

    fn with_source(source: Source) -> SharedMemoryReader {
        SharedMemoryReader { source, decoder: PageDecoder::new(), started: std::time::Instant::now() }
    }

    /// Where the pages are read from (the files' paths; empty for named sections).
    pub fn paths(&self) -> Vec<PathBuf> {
        match &self.source {
            Source::Files(files) => files.iter().map(|f| f.path.clone()).collect(),
            #[cfg(windows)]
            Source::Sections(_) => Vec::new(),
        }
    }

    /// A copy of the three pages as they are now.
    pub fn pages(&mut self) -> io::Result<[Vec<u8>; 3]> {
        match &mut self.source {
            Source::Files(files) => {
                let [p, g, s] = &mut **files;
                Ok([p.bytes()?, g.bytes()?, s.bytes()?])
            }
            #[cfg(windows)]
            Source::Sections(sections) => Ok([sections[0].bytes(), sections[1].bytes(), sections[2].bytes()]),
        }
    }

    /// Reads the pages now (clock: time since the reader was opened).
    pub fn read(&mut self) -> io::Result<Result<Option<Snapshot>, PacketError>> {
        let now_ms = self.started.elapsed().as_millis() as u64;
        self.read_at(now_ms)
    }

    /// Reads the pages with `now_ms` as a monotonic clock. The outer error is the
    /// file system's, the inner one a page that does not parse.
    pub fn read_at(&mut self, now_ms: u64) -> io::Result<Result<Option<Snapshot>, PacketError>> {
        let [physics, graphics, static_] = self.pages()?;
        Ok(self.decoder.decode_at(&physics, &graphics, &static_, now_ms))
    }

    /// Reads the pages as collector events (see [`PageDecoder::events_at`]).
    pub fn read_events_at(&mut self, now_ms: u64) -> io::Result<Result<Vec<SimEvent>, PacketError>> {
        let [physics, graphics, static_] = self.pages()?;
        Ok(self.decoder.events_at(&physics, &graphics, &static_, now_ms))
    }
}

/// The game's named sections through kernel32, without a `windows-sys` dependency.
/// Only compiled on Windows.
#[cfg(windows)]
mod windows {
    use std::ffi::c_void;
    use std::io;

    type Handle = *mut c_void;

    /// `FILE_MAP_READ` (winbase.h).
    const FILE_MAP_READ: u32 = 0x0004;

    #[link(name = "kernel32")]
    extern "system" {
        // HANDLE OpenFileMappingW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR lpName);
        fn OpenFileMappingW(desired_access: u32, inherit_handle: i32, name: *const u16) -> Handle;
        // LPVOID MapViewOfFile(HANDLE hFileMappingObject, DWORD dwDesiredAccess,
        //                      DWORD dwFileOffsetHigh, DWORD dwFileOffsetLow, SIZE_T dwNumberOfBytesToMap);
        fn MapViewOfFile(
            mapping: Handle,
            desired_access: u32,
            offset_high: u32,
            offset_low: u32,
            len: usize,
        ) -> *mut c_void;
        // BOOL UnmapViewOfFile(LPCVOID lpBaseAddress);
        fn UnmapViewOfFile(base: *const c_void) -> i32;
        // BOOL CloseHandle(HANDLE hObject);
        fn CloseHandle(handle: Handle) -> i32;
    }

    /// One mapped view of a named section the game created.
    pub struct Section {
        handle: Handle,
        view: *const u8,
        len: usize,
    }

    // SAFETY: the handle and the view are process-wide; nothing here is thread-bound.
    unsafe impl Send for Section {}

    impl Section {
        /// Opens `name` read-only and maps its first `lens[i]` bytes, trying each
        /// length in turn (older game versions create a smaller graphics page).
        /// Fails when the game has not created the section (it is not running).
        pub fn open(name: &str, lens: &[usize]) -> io::Result<Section> {
            let wide: Vec<u16> = name.encode_utf16().chain(std::iter::once(0)).collect();
            // SAFETY: `wide` is NUL-terminated and outlives the call.
            let handle = unsafe { OpenFileMappingW(FILE_MAP_READ, 0, wide.as_ptr()) };
            if handle.is_null() {
                return Err(io::Error::last_os_error());
            }
            let mut error = io::Error::from(io::ErrorKind::InvalidInput);
            for &len in lens {
                // SAFETY: `handle` is a valid section handle; a null view is checked.
                let view = unsafe { MapViewOfFile(handle, FILE_MAP_READ, 0, 0, len) };
                if !view.is_null() {
                    return Ok(Section { handle, view: view as *const u8, len });
                }
                error = io::Error::last_os_error();
            }
            // SAFETY: `handle` was opened above and is closed once.
            unsafe { CloseHandle(handle) };
            Err(error)
        }

        /// A copy of the page as it is now (the game writes it concurrently).
        pub fn bytes(&self) -> Vec<u8> {
            let mut copy = vec![0u8; self.len];
            // SAFETY: the view maps at least `len` readable bytes until `drop`;
            // a volatile copy because another process writes them.
            for (i, byte) in copy.iter_mut().enumerate() {
                *byte = unsafe { std::ptr::read_volatile(self.view.add(i)) };
            }
            copy
        }
    }

    impl Drop for Section {
        fn drop(&mut self) {
            // SAFETY: `view` and `handle` were returned by MapViewOfFile and
            // OpenFileMappingW and are released exactly once.
            unsafe {
                UnmapViewOfFile(self.view as *const c_void);
                CloseHandle(self.handle);
            }
        }
    }
}
