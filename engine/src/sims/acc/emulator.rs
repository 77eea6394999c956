//! The game's side of ACC's two telemetry outputs, driven by synthetic frames: the
//! broadcasting protocol ([`Emulator`]) and the shared memory pages
//! ([`encode_pages`], [`write_pages`]).
//!
//! The broadcasting emulator answers REGISTER with REGISTRATION_RESULT (checking
//! the protocol version and connection password like the game), ENTRY_LIST +
//! ENTRY_LIST_CAR and TRACK_DATA on request, and then sends for every frame one
//! REALTIME_UPDATE (every `realtime_every` frames) and one REALTIME_CAR_UPDATE of
//! its single car, until the client unregisters.

use std::io;
use std::path::Path;

use purplesector_proto::v1::TelemetryFrame;

use super::broadcasting::{
    phase, session_type, CarLocation, DriverInfo, EntryList, EntryListCar, LapInfo, Message, RealtimeCarUpdate,
    RealtimeUpdate, RegistrationResult, Request, TrackData, MAX_GEAR, PROTOCOL_VERSION,
};
use super::cars;
use super::shared_memory::{graphics, physics, statics, KPA_PER_PSI, PAGE_FILES};
use crate::sims::wire::Writer;
use crate::sims::{SessionMeta, SimEmulator};

/// The car index the emulated game gives the player's (only) car.
pub const CAR_INDEX: u16 = 7;

/// Last and best lap times as the game would keep them, computed from frames.
#[derive(Debug, Clone, Default)]
struct LapBook {
    previous: Option<(u32, u32, f64)>,
    last_ms: Option<u32>,
    best_ms: Option<u32>,
}

impl LapBook {
    /// Updates the book with `frame` (the frame's own last/best win when set).
    fn update(&mut self, frame: &TelemetryFrame) {
        if let Some((lap, current_ms, session_ms)) = self.previous {
            if frame.lap_number == lap + 1 {
                // The line was crossed between the previous frame and this one,
                // `frame.current_lap_time_ms` ago.
                let elapsed = (frame.session_time_ms - session_ms).max(0.0) as u32;
                let lap_ms = (current_ms + elapsed).saturating_sub(frame.current_lap_time_ms).max(current_ms);
                self.last_ms = Some(lap_ms);
            } else if frame.lap_number < lap {
                *self = LapBook::default();
            }
        }
        if frame.last_lap_time_ms.is_some() {
            self.last_ms = frame.last_lap_time_ms;
        }
        if let Some(last) = self.last_ms {
            self.best_ms = Some(self.best_ms.map_or(last, |best| best.min(last)));
        }
        if frame.best_lap_time_ms.is_some() {
            self.best_ms = frame.best_lap_time_ms;
        }
        self.previous = Some((frame.lap_number, frame.current_lap_time_ms, frame.session_time_ms));
    }
}

/// The game's side of the broadcasting protocol, for tests and demos.
#[derive(Debug)]
pub struct Emulator {
    connection_password: String,
    command_password: String,
    next_connection_id: i32,
    connection_id: Option<i32>,
    realtime_every: u64,
    frames: u64,
    meta: SessionMeta,
    laps: LapBook,
}

impl Default for Emulator {
    fn default() -> Self {
        Emulator::new()
    }
}

impl Emulator {
    /// An emulated game with the shipped `broadcasting.json` ("asd", no command
    /// password), a REALTIME_UPDATE with every frame.
    pub fn new() -> Emulator {
        Emulator {
            connection_password: "asd".to_string(),
            command_password: String::new(),
            next_connection_id: 1,
            connection_id: None,
            realtime_every: 1,
            frames: 0,
            meta: SessionMeta::default(),
            laps: LapBook::default(),
        }
    }

    /// Requires `password` to register.
    pub fn with_password(mut self, password: &str) -> Emulator {
        self.connection_password = password.to_string();
        self
    }

    /// Sends the session's REALTIME_UPDATE only every `n` frames (at least 1).
    pub fn with_realtime_every(mut self, n: u64) -> Emulator {
        self.realtime_every = n.max(1);
        self
    }

    /// Whether a client is registered.
    pub fn is_registered(&self) -> bool {
        self.connection_id.is_some()
    }

    fn entry_list(&self, connection_id: i32) -> Vec<Vec<u8>> {
        let (first, last) = self.meta.driver.trim().split_once(' ').unwrap_or((self.meta.driver.trim(), ""));
        let short: String = last.chars().chain(first.chars()).take(3).collect::<String>().to_uppercase();
        let car = EntryListCar {
            car_index: CAR_INDEX,
            // A car the table does not know is announced as id 255 ("car 255").
            car_model_type: cars::model_type(&self.meta.car).unwrap_or(u8::MAX),
            team_name: self.meta.car.clone(),
            race_number: 42,
            cup_category: 0,
            current_driver_index: 0,
            nationality: 0,
            drivers: vec![DriverInfo {
                first_name: first.to_string(),
                last_name: last.trim().to_string(),
                short_name: short,
                category: 2,
                nationality: 0,
            }],
        };
        vec![
            Message::EntryList(EntryList { connection_id, car_indices: vec![CAR_INDEX] }).encode(),
            Message::EntryListCar(car).encode(),
        ]
    }

    fn track_data(&self, connection_id: i32) -> Vec<u8> {
        let cameras = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        Message::TrackData(TrackData {
            connection_id,
            track_name: self.meta.track.clone(),
            track_id: 0,
            track_meters: self.meta.track_length_m.map_or(0, |m| m.round() as i32),
            camera_sets: vec![
                ("Drivable".to_string(), cameras(&["Chase", "FarChase", "Bonnet", "DashPro", "Cockpit", "Helmet"])),
                ("Onboard".to_string(), cameras(&["Onboard0", "Onboard1", "Onboard2"])),
                ("Helicam".to_string(), cameras(&["Helicam"])),
            ],
            hud_pages: cameras(&["Blank", "Basic HUD", "Help", "TimeTable", "Broadcasting", "TrackMap"]),
        })
        .encode()
    }
}

fn lap(time_ms: Option<u32>, invalid: bool) -> LapInfo {
    LapInfo {
        lap_time_ms: time_ms.map(|ms| ms.min(i32::MAX as u32 - 1) as i32),
        car_index: CAR_INDEX,
        driver_index: 0,
        splits: Vec::new(),
        is_invalid: invalid,
        is_valid_for_best: !invalid,
        is_outlap: false,
        is_inlap: false,
    }
}

impl SimEmulator for Emulator {
    fn receive(&mut self, datagram: &[u8]) -> Vec<Vec<u8>> {
        let Ok(request) = Request::decode(datagram) else { return Vec::new() };
        match request {
            Request::Register { protocol_version, connection_password, command_password, .. } => {
                let refusal = if protocol_version != PROTOCOL_VERSION {
                    Some(format!("Protocol version {protocol_version} is not supported, use {PROTOCOL_VERSION}"))
                } else if connection_password != self.connection_password {
                    Some("Wrong password".to_string())
                } else {
                    None
                };
                let connection_id = self.next_connection_id;
                if refusal.is_none() {
                    self.next_connection_id += 1;
                    self.connection_id = Some(connection_id);
                }
                vec![Message::RegistrationResult(RegistrationResult {
                    connection_id,
                    success: refusal.is_none(),
                    readonly: command_password != self.command_password || self.command_password.is_empty(),
                    error_message: refusal.unwrap_or_default(),
                })
                .encode()]
            }
            Request::RequestEntryList { connection_id } if self.connection_id == Some(connection_id) => {
                self.entry_list(connection_id)
            }
            Request::RequestTrackData { connection_id } if self.connection_id == Some(connection_id) => {
                vec![self.track_data(connection_id)]
            }
            Request::Unregister { .. } => {
                self.connection_id = None;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn frame(&mut self, frame: &TelemetryFrame, meta: &SessionMeta) -> Vec<Vec<u8>> {
        self.laps.update(frame);
        let Some(connection_id) = self.connection_id else {
            self.meta = meta.clone();
            return Vec::new();
        };
        let mut datagrams = Vec::new();
        if &self.meta != meta {
            // The game pushes a changed entry list and track without being asked.
            self.meta = meta.clone();
            datagrams.extend(self.entry_list(connection_id));
            datagrams.push(self.track_data(connection_id));
        }
        let best = lap(self.laps.best_ms, false);
        if self.frames.is_multiple_of(self.realtime_every) {
            datagrams.push(
                Message::RealtimeUpdate(RealtimeUpdate {
                    event_index: 0,
                    session_index: 0,
                    session_type: session_type::PRACTICE,
                    phase: phase::SESSION,
                    session_time_ms: frame.session_time_ms as f32,
                    session_end_time_ms: 3_600_000.0,
                    focused_car_index: CAR_INDEX as i32,
                    active_camera_set: "Drivable".to_string(),
                    active_camera: "Cockpit".to_string(),
                    current_hud_page: "Basic HUD".to_string(),
                    replay: None,
                    time_of_day_ms: 14.0 * 3_600_000.0,
                    ambient_temp_c: 22,
                    track_temp_c: 30,
                    clouds: 0.2,
                    rain_level: 0.0,
                    wetness: 0.0,
                    best_session_lap: best.clone(),
                })
                .encode(),
            );
        }
        self.frames += 1;
        let position = frame.world_position.unwrap_or_default();
        datagrams.push(
            Message::RealtimeCarUpdate(RealtimeCarUpdate {
                car_index: CAR_INDEX,
                driver_index: 0,
                driver_count: 1,
                gear: frame.gear.clamp(-1, MAX_GEAR),
                world_pos_x: position.x,
                world_pos_y: position.y,
                yaw: frame.yaw.unwrap_or(0.0),
                car_location: if frame.in_pit { CarLocation::Pitlane } else { CarLocation::Track },
                kmh: frame.speed_kmh.round().clamp(0.0, u16::MAX as f32) as u16,
                position: 1,
                cup_position: 1,
                track_position: 1,
                spline_position: frame.normalized_position,
                laps: frame.lap_number.min(u16::MAX as u32) as u16,
                delta_ms: 0,
                best_session_lap: best,
                last_lap: lap(self.laps.last_ms, false),
                current_lap: lap(Some(frame.current_lap_time_ms), frame.lap_invalid),
            })
            .encode(),
        );
        datagrams
    }
}

/// The three shared-memory pages (physics, graphics, static) the game would write
/// for `frame`; the physics and graphics `packetId` is `frame.seq` when set,
/// otherwise the session time in whole ms + 1 (so a repeated frame repeats it).
pub fn encode_pages(frame: &TelemetryFrame, meta: &SessionMeta) -> ([u8; physics::SIZE], Vec<u8>, Vec<u8>) {
    let packet_id = if frame.seq != 0 { frame.seq as i32 } else { frame.session_time_ms.max(0.0) as i32 + 1 };
    encode_pages_with_id(frame, meta, packet_id)
}

/// [`encode_pages`] with an explicit `packetId`.
pub fn encode_pages_with_id(
    frame: &TelemetryFrame,
    meta: &SessionMeta,
    packet_id: i32,
) -> ([u8; physics::SIZE], Vec<u8>, Vec<u8>) {
    let mut p = Writer::zeroed(physics::SIZE);
    let wheels = |w: &mut Writer, offset: usize, values: Option<purplesector_proto::v1::Wheels>, scale: f32| {
        let v = values.unwrap_or_default();
        for (i, value) in [v.fl, v.fr, v.rl, v.rr].into_iter().enumerate() {
            w.put(offset + i * 4, &(value * scale).to_le_bytes());
        }
    };
    let velocity = frame.velocity.unwrap_or_default();
    p.put(physics::PACKET_ID, &packet_id.to_le_bytes())
        .put(physics::GAS, &frame.throttle.to_le_bytes())
        .put(physics::BRAKE, &frame.brake.to_le_bytes())
        .put(physics::FUEL, &frame.fuel_l.unwrap_or(0.0).to_le_bytes())
        .put(physics::GEAR, &(frame.gear.clamp(-1, 10) + 1).to_le_bytes())
        .put(physics::RPMS, &(frame.rpm.round().clamp(0.0, 30_000.0) as i32).to_le_bytes())
        .put(physics::STEER_ANGLE, &frame.steering.to_le_bytes())
        .put(physics::SPEED_KMH, &frame.speed_kmh.to_le_bytes())
        .put(physics::VELOCITY, &velocity.x.to_le_bytes())
        .put(physics::VELOCITY + 4, &velocity.y.to_le_bytes())
        .put(physics::VELOCITY + 8, &velocity.z.to_le_bytes())
        .put(physics::ACC_G, &frame.g_lat.unwrap_or(0.0).to_le_bytes())
        .put(physics::ACC_G + 4, &frame.g_vert.unwrap_or(0.0).to_le_bytes())
        .put(physics::ACC_G + 8, &frame.g_lon.unwrap_or(0.0).to_le_bytes())
        .put(physics::HEADING, &frame.yaw.unwrap_or(0.0).to_le_bytes())
        .put(physics::CLUTCH, &frame.clutch.unwrap_or(0.0).to_le_bytes());
    wheels(&mut p, physics::WHEEL_SLIP, frame.wheel_slip, 1.0);
    wheels(&mut p, physics::WHEELS_PRESSURE, frame.tyre_pressure_kpa, 1.0 / KPA_PER_PSI);
    wheels(&mut p, physics::TYRE_CORE_TEMPERATURE, frame.tyre_temp_c, 1.0);
    wheels(&mut p, physics::BRAKE_TEMP, frame.brake_temp_c, 1.0);
    let physics_page: [u8; physics::SIZE] = p.finish().try_into().expect("the physics page has its size");

    let mut g = Writer::zeroed(graphics::SIZE);
    let position = frame.world_position.unwrap_or_default();
    let time_ms = |ms: Option<u32>| ms.map_or(i32::MAX, |ms| ms.min(i32::MAX as u32 - 1) as i32);
    g.put(graphics::PACKET_ID, &packet_id.to_le_bytes())
        .put(graphics::STATUS, &2i32.to_le_bytes())
        .put(graphics::SESSION, &0i32.to_le_bytes())
        .put_utf16z(graphics::CURRENT_TIME, graphics::TIME_UNITS, &lap_time_text(Some(frame.current_lap_time_ms)))
        .put_utf16z(graphics::LAST_TIME, graphics::TIME_UNITS, &lap_time_text(frame.last_lap_time_ms))
        .put_utf16z(graphics::BEST_TIME, graphics::TIME_UNITS, &lap_time_text(frame.best_lap_time_ms))
        .put(graphics::COMPLETED_LAPS, &(frame.lap_number.min(i32::MAX as u32) as i32).to_le_bytes())
        .put(graphics::POSITION, &1i32.to_le_bytes())
        .put(graphics::I_CURRENT_TIME, &time_ms(Some(frame.current_lap_time_ms)).to_le_bytes())
        .put(graphics::I_LAST_TIME, &time_ms(frame.last_lap_time_ms).to_le_bytes())
        .put(graphics::I_BEST_TIME, &time_ms(frame.best_lap_time_ms).to_le_bytes())
        .put(graphics::SESSION_TIME_LEFT, &(-1.0f32).to_le_bytes())
        .put(graphics::IS_IN_PIT, &(frame.in_pit as i32).to_le_bytes())
        .put(graphics::IS_IN_PIT_LANE, &(frame.in_pit as i32).to_le_bytes())
        .put(graphics::NORMALIZED_CAR_POSITION, &frame.normalized_position.to_le_bytes())
        .put(graphics::ACTIVE_CARS, &1i32.to_le_bytes())
        .put(graphics::CAR_COORDINATES, &position.x.to_le_bytes())
        .put(graphics::CAR_COORDINATES + 4, &position.y.to_le_bytes())
        .put(graphics::CAR_COORDINATES + 8, &position.z.to_le_bytes())
        .put(graphics::CAR_ID, &(CAR_INDEX as i32).to_le_bytes())
        .put(graphics::PLAYER_CAR_ID, &(CAR_INDEX as i32).to_le_bytes())
        .put(graphics::IS_VALID_LAP, &(!frame.lap_invalid as i32).to_le_bytes());

    let mut s = Writer::zeroed(statics::SIZE);
    let (first, last) = meta.driver.trim().split_once(' ').unwrap_or((meta.driver.trim(), ""));
    s.put_utf16z(statics::SM_VERSION, statics::VERSION_UNITS, "1.9")
        .put_utf16z(statics::AC_VERSION, statics::VERSION_UNITS, "1.10")
        .put(statics::NUMBER_OF_SESSIONS, &1i32.to_le_bytes())
        .put(statics::NUM_CARS, &1i32.to_le_bytes())
        .put_utf16z(statics::CAR_MODEL, statics::NAME_UNITS, &meta.car)
        .put_utf16z(statics::TRACK, statics::NAME_UNITS, &meta.track)
        .put_utf16z(statics::PLAYER_NAME, statics::NAME_UNITS, first)
        .put_utf16z(statics::PLAYER_SURNAME, statics::NAME_UNITS, last.trim())
        .put(statics::SECTOR_COUNT, &3i32.to_le_bytes())
        .put(statics::MAX_RPM, &(frame.max_rpm.unwrap_or(0.0).round() as i32).to_le_bytes())
        .put(statics::MAX_FUEL, &120.0f32.to_le_bytes())
        .put(statics::TRACK_SPLINE_LENGTH, &meta.track_length_m.unwrap_or(0.0).to_le_bytes());
    (physics_page, g.finish(), s.finish())
}

/// "m:ss:mmm" as the game writes lap times, "-:--:---" for none.
fn lap_time_text(ms: Option<u32>) -> String {
    match ms {
        Some(ms) => format!("{}:{:02}:{:03}", ms / 60_000, ms / 1_000 % 60, ms % 1_000),
        None => "-:--:---".to_string(),
    }
}

/// Writes [`encode_pages`] as `acpmf_physics`, `acpmf_graphics` and `acpmf_static`
/// in `dir`, the way a Linux/Proton bridge delivers them. The files are
/// overwritten in place, never truncated first, so a reader that has them mapped
/// never sees them shrink.
pub fn write_pages(dir: impl AsRef<Path>, frame: &TelemetryFrame, meta: &SessionMeta) -> io::Result<()> {
    use std::io::Write;
    let (physics_page, graphics_page, static_page) = encode_pages(frame, meta);
    let dir = dir.as_ref();
    for (name, bytes) in PAGE_FILES.iter().zip([&physics_page[..], &graphics_page, &static_page]) {
        let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(false).open(dir.join(name))?;
        file.write_all(bytes)?;
        file.set_len(bytes.len() as u64)?;
    }
    Ok(())
}
