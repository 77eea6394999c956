//! The wire schema of Purple Sector: protobuf package `purplesector.v1`.
//!
//! Every hop speaks these types: collectors encode [`v1::TelemetryBatch`], the store
//! keeps [`v1::TelemetryFrame`]s, and browsers exchange [`v1::ServerMessage`] and
//! [`v1::ClientMessage`]. The JSON form (serde) carries the same messages for
//! `?format=json` clients and for debugging.

pub mod v1 {
    include!(concat!(env!("OUT_DIR"), "/purplesector.v1.rs"));
}

pub use prost::Message;

/// Sims as short lowercase names in JSON and on the command line (`"acc"`), stored
/// in protobuf as the enum number.
pub mod sim_name {
    use crate::v1::Sim;
    use serde::{Deserialize, Deserializer, Serializer};

    /// The short name of a sim, e.g. `"ac"` for Assetto Corsa.
    pub fn name(sim: Sim) -> &'static str {
        match sim {
            Sim::Unspecified => "unspecified",
            Sim::Demo => "demo",
            Sim::AssettoCorsa => "ac",
            Sim::Acc => "acc",
            Sim::F1 => "f1",
            Sim::Forza => "forza",
            Sim::Outgauge => "outgauge",
        }
    }

    /// Parses a short sim name; `None` for names no sim has.
    pub fn parse(name: &str) -> Option<Sim> {
        Some(match name {
            "unspecified" | "" => Sim::Unspecified,
            "demo" => Sim::Demo,
            "ac" => Sim::AssettoCorsa,
            "acc" => Sim::Acc,
            "f1" => Sim::F1,
            "forza" => Sim::Forza,
            "outgauge" => Sim::Outgauge,
            _ => return None,
        })
    }

    pub fn serialize<S: Serializer>(value: &i32, serializer: S) -> Result<S::Ok, S::Error> {
        let sim = Sim::try_from(*value).unwrap_or(Sim::Unspecified);
        serializer.serialize_str(name(sim))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i32, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse(&text).map(|sim| sim as i32).ok_or_else(|| serde::de::Error::custom(format!("unknown sim {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::v1::*;
    use super::Message;

    fn full_frame() -> TelemetryFrame {
        TelemetryFrame {
            seq: 42,
            captured_at_us: 1_700_000_000_123_456,
            session_time_ms: 12_345.678,
            current_lap_time_ms: 61_234,
            lap_number: 3,
            normalized_position: 0.5,
            lap_distance_m: Some(1234.5),
            throttle: 0.8,
            brake: 0.0,
            clutch: Some(0.0),
            steering: -0.25,
            speed_kmh: 187.5,
            gear: 5,
            rpm: 7450.0,
            max_rpm: Some(8500.0),
            world_position: Some(Vec3 { x: 1.0, y: 2.0, z: 3.0 }),
            velocity: Some(Vec3 { x: 50.0, y: 0.0, z: 1.0 }),
            g_lat: Some(1.2),
            g_lon: Some(-0.3),
            g_vert: Some(1.0),
            yaw: Some(0.7),
            tyre_temp_c: Some(Wheels { fl: 85.0, fr: 86.0, rl: 80.0, rr: 81.0 }),
            tyre_pressure_kpa: Some(Wheels { fl: 180.0, fr: 181.0, rl: 178.0, rr: 179.0 }),
            wheel_slip: Some(Wheels { fl: 0.01, fr: 0.02, rl: 0.05, rr: 0.06 }),
            brake_temp_c: Some(Wheels { fl: 400.0, fr: 410.0, rl: 300.0, rr: 310.0 }),
            fuel_l: Some(42.0),
            in_pit: false,
            lap_invalid: true,
            last_lap_time_ms: Some(90_123),
            best_lap_time_ms: Some(89_999),
        }
    }

    #[test]
    fn protobuf_round_trip_keeps_every_field() {
        let batch = TelemetryBatch {
            session_id: "s-1".into(),
            sim: Sim::Acc as i32,
            sample_rate_hz: 60.0,
            frames: vec![full_frame(), TelemetryFrame { seq: 43, ..Default::default() }],
            track: "monza".into(),
            car: "ferrari_296_gt3".into(),
            track_length_m: Some(5793.0),
            driver: "Ann Example".into(),
        };
        let bytes = batch.encode_to_vec();
        let decoded = TelemetryBatch::decode(bytes.as_slice()).unwrap();
        assert_eq!(decoded, batch);
        // Absent optional channels stay absent rather than becoming zeros.
        assert_eq!(decoded.frames[1].world_position, None);
        assert_eq!(decoded.frames[1].lap_distance_m, None);
    }

    #[test]
    fn server_message_json_is_flat_and_round_trips() {
        let message = ServerMessage {
            payload: Some(server_message::Payload::Telemetry(Telemetry {
                session_id: "s-1".into(),
                frames: vec![full_frame()],
                catch_up: true,
            })),
        };
        let json = serde_json::to_value(&message).unwrap();
        assert_eq!(json["telemetry"]["session_id"], "s-1");
        assert_eq!(json["telemetry"]["frames"][0]["seq"], 42);
        let back: ServerMessage = serde_json::from_value(json).unwrap();
        assert_eq!(back, message);
        // Binary form of the same message round-trips too.
        let bytes = message.encode_to_vec();
        assert_eq!(ServerMessage::decode(bytes.as_slice()).unwrap(), message);
    }

    #[test]
    fn client_messages_parse_from_json_text() {
        let subscribe: ClientMessage = serde_json::from_str(r#"{"subscribe":{"session_id":"abc"}}"#).unwrap();
        assert_eq!(subscribe.payload, Some(client_message::Payload::Subscribe(Subscribe { session_id: "abc".into() })));
        let stop: ClientMessage = serde_json::from_str(r#"{"stop_demo":{}}"#).unwrap();
        assert_eq!(stop.payload, Some(client_message::Payload::StopDemo(StopDemo {})));
        // A flattened oneof reads garbage as "no payload"; servers parse the oneof
        // itself, which names what is wrong.
        let garbage: ClientMessage = serde_json::from_str(r#"{"subscribe": 5}"#).unwrap();
        assert_eq!(garbage.payload, None);
        let error = serde_json::from_str::<client_message::Payload>(r#"{"subscribe": 5}"#).unwrap_err().to_string();
        assert!(error.contains("Subscribe"), "{error}");
        assert!(serde_json::from_str::<client_message::Payload>(r#"{"fly": {}}"#).is_err());
    }

    #[test]
    fn sims_are_names_in_json() {
        let info = SessionInfo { sim: Sim::AssettoCorsa as i32, ..Default::default() };
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(json["sim"], "ac");
        let back: SessionInfo = serde_json::from_value(json).unwrap();
        assert_eq!(back.sim, Sim::AssettoCorsa as i32);
    }
}
