//! Byte offsets and sizes of the F1 25 (and F1 24) packets this module reads or
//! writes, in one place so the parser and the emulator cannot disagree.
//!
//! All structs are `#pragma pack(1)`, little-endian. Offsets are relative to the
//! start of the struct they belong to: header fields to the datagram, per-car
//! fields to the car's record at `array start + car index × stride`. Sizes were
//! summed field by field from EA's "C++ structures for F1 25 UDP specification"
//! (each section of that header states the packet's total size, which the sums
//! below match) and, for packet format 2024, from the F1 24 structs.

/// `m_packetFormat` of F1 25.
pub const FORMAT_2025: u16 = 2025;
/// `m_packetFormat` of F1 24: identical layouts for every packet used here
/// except Participants (name `char[48]`, no livery colours) and Motion Ex
/// (no chassis pitch / wheel camber at the end).
pub const FORMAT_2024: u16 = 2024;

/// `cs_maxNumCarsInUDPData`.
pub const MAX_CARS: usize = 22;

/// `PacketHeader`, 29 bytes.
pub mod header {
    pub const SIZE: usize = 29;
    pub const PACKET_FORMAT: usize = 0; // u16
    pub const GAME_YEAR: usize = 2; // u8
    pub const GAME_MAJOR_VERSION: usize = 3; // u8
    pub const GAME_MINOR_VERSION: usize = 4; // u8
    pub const PACKET_VERSION: usize = 5; // u8
    pub const PACKET_ID: usize = 6; // u8
    pub const SESSION_UID: usize = 7; // u64
    pub const SESSION_TIME: usize = 15; // f32, seconds
    pub const FRAME_IDENTIFIER: usize = 19; // u32
    pub const OVERALL_FRAME_IDENTIFIER: usize = 23; // u32
    pub const PLAYER_CAR_INDEX: usize = 27; // u8
    pub const SECONDARY_PLAYER_CAR_INDEX: usize = 28; // u8
}

/// `m_packetId` values (`enum PacketId`).
pub mod packet_id {
    pub const MOTION: u8 = 0;
    pub const SESSION: u8 = 1;
    pub const LAP_DATA: u8 = 2;
    pub const EVENT: u8 = 3;
    pub const PARTICIPANTS: u8 = 4;
    pub const CAR_TELEMETRY: u8 = 6;
    pub const CAR_STATUS: u8 = 7;
    pub const MOTION_EX: u8 = 13;
    /// Highest id of F1 25 (`ePacketIdLapPositions`, new in F1 25).
    pub const MAX_2025: u8 = 15;
    /// Highest id of F1 24 (`ePacketIdTimeTrial`).
    pub const MAX_2024: u8 = 14;
}

/// `PacketMotionData`: header + `CarMotionData[22]`, 1349 bytes (F1 24 and 25).
pub mod motion {
    pub const SIZE: usize = 1349;
    pub const CARS: usize = super::header::SIZE;
    pub const STRIDE: usize = 60;
    pub const WORLD_POSITION_X: usize = 0; // f32 ×3, metres
    pub const WORLD_VELOCITY_X: usize = 12; // f32 ×3, m/s
    pub const WORLD_FORWARD_DIR_X: usize = 24; // i16 ×3, normalised (/32767)
    pub const WORLD_RIGHT_DIR_X: usize = 30; // i16 ×3, normalised (/32767)
    pub const G_FORCE_LATERAL: usize = 36; // f32
    pub const G_FORCE_LONGITUDINAL: usize = 40; // f32
    pub const G_FORCE_VERTICAL: usize = 44; // f32
    pub const YAW: usize = 48; // f32, radians
    pub const PITCH: usize = 52; // f32, radians
    pub const ROLL: usize = 56; // f32, radians
}

/// `PacketSessionData`, 753 bytes (F1 24 and 25). Only the leading fields are read.
pub mod session {
    pub const SIZE: usize = 753;
    pub const WEATHER: usize = 29; // u8
    pub const TRACK_TEMPERATURE: usize = 30; // i8, °C
    pub const AIR_TEMPERATURE: usize = 31; // i8, °C
    pub const TOTAL_LAPS: usize = 32; // u8
    pub const TRACK_LENGTH: usize = 33; // u16, metres
    pub const SESSION_TYPE: usize = 35; // u8
    pub const TRACK_ID: usize = 36; // i8, -1 unknown
    pub const FORMULA: usize = 37; // u8
    pub const SESSION_TIME_LEFT: usize = 38; // u16, s
    pub const SESSION_DURATION: usize = 40; // u16, s
    pub const PIT_SPEED_LIMIT: usize = 42; // u8, km/h
}

/// `PacketLapData`: header + `LapData[22]` + 2 time-trial indices, 1285 bytes
/// (F1 24 and 25).
pub mod lap_data {
    pub const SIZE: usize = 1285;
    pub const CARS: usize = super::header::SIZE;
    pub const STRIDE: usize = 57;
    pub const LAST_LAP_TIME_MS: usize = 0; // u32
    pub const CURRENT_LAP_TIME_MS: usize = 4; // u32
    pub const SECTOR1_TIME_MS_PART: usize = 8; // u16
    pub const SECTOR1_TIME_MINUTES_PART: usize = 10; // u8
    pub const SECTOR2_TIME_MS_PART: usize = 11; // u16
    pub const SECTOR2_TIME_MINUTES_PART: usize = 13; // u8
    pub const DELTA_TO_CAR_IN_FRONT_MS_PART: usize = 14; // u16
    pub const DELTA_TO_CAR_IN_FRONT_MINUTES_PART: usize = 16; // u8
    pub const DELTA_TO_RACE_LEADER_MS_PART: usize = 17; // u16
    pub const DELTA_TO_RACE_LEADER_MINUTES_PART: usize = 19; // u8
    pub const LAP_DISTANCE: usize = 20; // f32, metres, negative before the line
    pub const TOTAL_DISTANCE: usize = 24; // f32, metres
    pub const SAFETY_CAR_DELTA: usize = 28; // f32, s
    pub const CAR_POSITION: usize = 32; // u8
    pub const CURRENT_LAP_NUM: usize = 33; // u8, 1-based
    pub const PIT_STATUS: usize = 34; // u8: 0 none, 1 pitting, 2 in pit area
    pub const NUM_PIT_STOPS: usize = 35; // u8
    pub const SECTOR: usize = 36; // u8: 0..2
    pub const CURRENT_LAP_INVALID: usize = 37; // u8: 0 valid, 1 invalid
    pub const PENALTIES: usize = 38; // u8, s
    pub const TOTAL_WARNINGS: usize = 39; // u8
    pub const CORNER_CUTTING_WARNINGS: usize = 40; // u8
    pub const NUM_UNSERVED_DRIVE_THROUGH_PENS: usize = 41; // u8
    pub const NUM_UNSERVED_STOP_GO_PENS: usize = 42; // u8
    pub const GRID_POSITION: usize = 43; // u8
    pub const DRIVER_STATUS: usize = 44; // u8: 0 garage, 1 flying, 2 in, 3 out, 4 on track
    pub const RESULT_STATUS: usize = 45; // u8: 2 active, ...
    pub const PIT_LANE_TIMER_ACTIVE: usize = 46; // u8
    pub const PIT_LANE_TIME_IN_LANE_MS: usize = 47; // u16
    pub const PIT_STOP_TIMER_MS: usize = 49; // u16
    pub const PIT_STOP_SHOULD_SERVE_PEN: usize = 51; // u8
    pub const SPEED_TRAP_FASTEST_SPEED: usize = 52; // f32, km/h
    pub const SPEED_TRAP_FASTEST_LAP: usize = 56; // u8, 255 not set
    pub const TIME_TRIAL_PB_CAR_IDX: usize = 1283; // u8, after the 22 cars
    pub const TIME_TRIAL_RIVAL_CAR_IDX: usize = 1284; // u8
}

/// `PacketEventData`: header + `m_eventStringCode[4]` + the details union
/// (largest member: SpeedTrap, 12 bytes), 45 bytes (F1 24 and 25).
pub mod event {
    pub const SIZE: usize = 45;
    pub const STRING_CODE: usize = 29; // u8 ×4, ASCII
    pub const SESSION_STARTED: [u8; 4] = *b"SSTA";
    pub const SESSION_ENDED: [u8; 4] = *b"SEND";
}

/// `PacketParticipantsData`: header + `m_numActiveCars` + `ParticipantData[22]`.
pub mod participants {
    pub const NUM_ACTIVE_CARS: usize = 29; // u8
    pub const CARS: usize = 30;
    pub const AI_CONTROLLED: usize = 0; // u8
    pub const DRIVER_ID: usize = 1; // u8, 255 network human
    pub const NETWORK_ID: usize = 2; // u8
    pub const TEAM_ID: usize = 3; // u8
    pub const MY_TEAM: usize = 4; // u8
    pub const RACE_NUMBER: usize = 5; // u8
    pub const NATIONALITY: usize = 6; // u8
    pub const NAME: usize = 7; // char[name_len], UTF-8, NUL-terminated

    /// F1 25: `char m_name[32]`, then yourTelemetry, showOnlineNames, techLevel
    /// u16, platform, numColours, `LiveryColour[4]` (3 bytes each): 57 bytes a
    /// car, 1284 bytes in all.
    pub mod f1_25 {
        pub const SIZE: usize = 1284;
        pub const STRIDE: usize = 57;
        pub const NAME_LEN: usize = 32;
        pub const YOUR_TELEMETRY: usize = 39;
        pub const SHOW_ONLINE_NAMES: usize = 40;
        pub const TECH_LEVEL: usize = 41; // u16
        pub const PLATFORM: usize = 43;
        pub const NUM_COLOURS: usize = 44;
        pub const LIVERY_COLOURS: usize = 45; // 4 × RGB
    }

    /// F1 24: `char m_name[48]`, then yourTelemetry, showOnlineNames, techLevel
    /// u16, platform: 60 bytes a car, 1350 bytes in all.
    pub mod f1_24 {
        pub const SIZE: usize = 1350;
        pub const STRIDE: usize = 60;
        pub const NAME_LEN: usize = 48;
    }
}

/// `PacketCarTelemetryData`: header + `CarTelemetryData[22]` + mfdPanelIndex,
/// mfdPanelIndexSecondaryPlayer, suggestedGear; 1352 bytes (F1 24 and 25).
/// Per-wheel arrays are in the order RL, RR, FL, FR.
pub mod car_telemetry {
    pub const SIZE: usize = 1352;
    pub const CARS: usize = super::header::SIZE;
    pub const STRIDE: usize = 60;
    pub const SPEED: usize = 0; // u16, km/h
    pub const THROTTLE: usize = 2; // f32, 0..1
    pub const STEER: usize = 6; // f32, -1 (full left)..1 (full right)
    pub const BRAKE: usize = 10; // f32, 0..1
    pub const CLUTCH: usize = 14; // u8, 0..100
    pub const GEAR: usize = 15; // i8, -1 R, 0 N, 1..8
    pub const ENGINE_RPM: usize = 16; // u16
    pub const DRS: usize = 18; // u8
    pub const REV_LIGHTS_PERCENT: usize = 19; // u8
    pub const REV_LIGHTS_BIT_VALUE: usize = 20; // u16
    pub const BRAKES_TEMPERATURE: usize = 22; // u16 ×4, °C
    pub const TYRES_SURFACE_TEMPERATURE: usize = 30; // u8 ×4, °C
    pub const TYRES_INNER_TEMPERATURE: usize = 34; // u8 ×4, °C
    pub const ENGINE_TEMPERATURE: usize = 38; // u16, °C
    pub const TYRES_PRESSURE: usize = 40; // f32 ×4, PSI
    pub const SURFACE_TYPE: usize = 56; // u8 ×4
    pub const MFD_PANEL_INDEX: usize = 1349; // u8, after the 22 cars
    pub const MFD_PANEL_INDEX_SECONDARY_PLAYER: usize = 1350; // u8
    pub const SUGGESTED_GEAR: usize = 1351; // i8
}

/// `PacketCarStatusData`: header + `CarStatusData[22]`, 1239 bytes (F1 24 and 25).
pub mod car_status {
    pub const SIZE: usize = 1239;
    pub const CARS: usize = super::header::SIZE;
    pub const STRIDE: usize = 55;
    pub const TRACTION_CONTROL: usize = 0; // u8
    pub const ANTI_LOCK_BRAKES: usize = 1; // u8
    pub const FUEL_MIX: usize = 2; // u8
    pub const FRONT_BRAKE_BIAS: usize = 3; // u8
    pub const PIT_LIMITER_STATUS: usize = 4; // u8
    pub const FUEL_IN_TANK: usize = 5; // f32, kg ("current fuel mass")
    pub const FUEL_CAPACITY: usize = 9; // f32, kg
    pub const FUEL_REMAINING_LAPS: usize = 13; // f32
    pub const MAX_RPM: usize = 17; // u16
    pub const IDLE_RPM: usize = 19; // u16
    pub const MAX_GEARS: usize = 21; // u8
    pub const DRS_ALLOWED: usize = 22; // u8
    pub const DRS_ACTIVATION_DISTANCE: usize = 23; // u16
    pub const ACTUAL_TYRE_COMPOUND: usize = 25; // u8
    pub const VISUAL_TYRE_COMPOUND: usize = 26; // u8
    pub const TYRES_AGE_LAPS: usize = 27; // u8
    pub const VEHICLE_FIA_FLAGS: usize = 28; // i8
    pub const ENGINE_POWER_ICE: usize = 29; // f32, W
    pub const ENGINE_POWER_MGUK: usize = 33; // f32, W
    pub const ERS_STORE_ENERGY: usize = 37; // f32, J
    pub const ERS_DEPLOY_MODE: usize = 41; // u8
    pub const ERS_HARVESTED_THIS_LAP_MGUK: usize = 42; // f32
    pub const ERS_HARVESTED_THIS_LAP_MGUH: usize = 46; // f32
    pub const ERS_DEPLOYED_THIS_LAP: usize = 50; // f32
    pub const NETWORK_PAUSED: usize = 54; // u8
}

/// `PacketMotionExData` (player car only). F1 25: 273 bytes; F1 24: 237 bytes
/// (the same fields up to `m_chassisYaw`, without chassis pitch and camber).
/// Per-wheel arrays are in the order RL, RR, FL, FR.
pub mod motion_ex {
    pub const SIZE_2025: usize = 273;
    pub const SIZE_2024: usize = 237;
    pub const SUSPENSION_POSITION: usize = 29; // f32 ×4
    pub const SUSPENSION_VELOCITY: usize = 45; // f32 ×4
    pub const SUSPENSION_ACCELERATION: usize = 61; // f32 ×4
    pub const WHEEL_SPEED: usize = 77; // f32 ×4
    pub const WHEEL_SLIP_RATIO: usize = 93; // f32 ×4
    pub const WHEEL_SLIP_ANGLE: usize = 109; // f32 ×4
    pub const WHEEL_LAT_FORCE: usize = 125; // f32 ×4
    pub const WHEEL_LONG_FORCE: usize = 141; // f32 ×4
    pub const HEIGHT_OF_COG_ABOVE_GROUND: usize = 157; // f32
    pub const LOCAL_VELOCITY_X: usize = 161; // f32 ×3
    pub const ANGULAR_VELOCITY_X: usize = 173; // f32 ×3
    pub const ANGULAR_ACCELERATION_X: usize = 185; // f32 ×3
    pub const FRONT_WHEELS_ANGLE: usize = 197; // f32, radians
    pub const WHEEL_VERT_FORCE: usize = 201; // f32 ×4
    pub const FRONT_AERO_HEIGHT: usize = 217; // f32
    pub const REAR_AERO_HEIGHT: usize = 221; // f32
    pub const FRONT_ROLL_ANGLE: usize = 225; // f32
    pub const REAR_ROLL_ANGLE: usize = 229; // f32
    pub const CHASSIS_YAW: usize = 233; // f32
    pub const CHASSIS_PITCH: usize = 237; // f32 (F1 25 only)
    pub const WHEEL_CAMBER: usize = 241; // f32 ×4 (F1 25 only)
    pub const WHEEL_CAMBER_GAIN: usize = 257; // f32 ×4 (F1 25 only)
}

/// Index of each wheel in the game's per-wheel arrays (RL, RR, FL, FR).
pub mod wheel {
    pub const RL: usize = 0;
    pub const RR: usize = 1;
    pub const FL: usize = 2;
    pub const FR: usize = 3;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sizes stated in the spec are the sums of the fields' sizes.
    #[test]
    fn sizes_are_the_sums_of_the_structs() {
        assert_eq!(motion::CARS + MAX_CARS * motion::STRIDE, motion::SIZE);
        assert_eq!(lap_data::CARS + MAX_CARS * lap_data::STRIDE + 2, lap_data::SIZE);
        assert_eq!(lap_data::SPEED_TRAP_FASTEST_LAP + 1, lap_data::STRIDE);
        assert_eq!(car_telemetry::CARS + MAX_CARS * car_telemetry::STRIDE + 3, car_telemetry::SIZE);
        assert_eq!(car_telemetry::SURFACE_TYPE + 4, car_telemetry::STRIDE);
        assert_eq!(car_status::CARS + MAX_CARS * car_status::STRIDE, car_status::SIZE);
        assert_eq!(car_status::NETWORK_PAUSED + 1, car_status::STRIDE);
        assert_eq!(participants::CARS + MAX_CARS * participants::f1_25::STRIDE, participants::f1_25::SIZE);
        assert_eq!(participants::f1_25::LIVERY_COLOURS + 12, participants::f1_25::STRIDE);
        assert_eq!(participants::CARS + MAX_CARS * participants::f1_24::STRIDE, participants::f1_24::SIZE);
        assert_eq!(motion_ex::WHEEL_CAMBER_GAIN + 16, motion_ex::SIZE_2025);
        assert_eq!(motion_ex::CHASSIS_YAW + 4, motion_ex::SIZE_2024);
        assert_eq!(event::STRING_CODE + 4 + 12, event::SIZE);
        assert_eq!(header::SECONDARY_PLAYER_CAR_INDEX + 1, header::SIZE);
    }
}
