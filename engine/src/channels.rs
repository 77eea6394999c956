//! The telemetry channels of a frame by name: one table drives the columnar JSON
//! that charts load and the CSV export, so both always list the same channels.

use purplesector_proto::v1::{TelemetryFrame, Wheels};

/// Reads one channel of a frame; `None` when the sim did not report it.
pub type ChannelReader = fn(&TelemetryFrame) -> Option<f64>;

fn wheel(wheels: &Option<Wheels>, pick: fn(&Wheels) -> f32) -> Option<f64> {
    wheels.as_ref().map(|wheels| pick(wheels) as f64)
}

fn flag(value: bool) -> Option<f64> {
    Some(if value { 1.0 } else { 0.0 })
}

/// Every channel, in export order: `(name, reader)`.
pub const CHANNELS: &[(&str, ChannelReader)] = &[
    ("seq", |f| Some(f.seq as f64)),
    ("session_time_ms", |f| Some(f.session_time_ms)),
    ("lap_time_ms", |f| Some(f.current_lap_time_ms as f64)),
    ("lap_distance_m", |f| f.lap_distance_m.map(f64::from)),
    ("normalized_position", |f| Some(f.normalized_position as f64)),
    ("speed_kmh", |f| Some(f.speed_kmh as f64)),
    ("throttle", |f| Some(f.throttle as f64)),
    ("brake", |f| Some(f.brake as f64)),
    ("clutch", |f| f.clutch.map(f64::from)),
    ("steering", |f| Some(f.steering as f64)),
    ("gear", |f| Some(f.gear as f64)),
    ("rpm", |f| Some(f.rpm as f64)),
    ("x", |f| f.world_position.as_ref().map(|p| p.x as f64)),
    ("y", |f| f.world_position.as_ref().map(|p| p.y as f64)),
    ("z", |f| f.world_position.as_ref().map(|p| p.z as f64)),
    ("g_lat", |f| f.g_lat.map(f64::from)),
    ("g_lon", |f| f.g_lon.map(f64::from)),
    ("g_vert", |f| f.g_vert.map(f64::from)),
    ("yaw", |f| f.yaw.map(f64::from)),
    ("fuel_l", |f| f.fuel_l.map(f64::from)),
    ("tyre_temp_fl", |f| wheel(&f.tyre_temp_c, |w| w.fl)),
    ("tyre_temp_fr", |f| wheel(&f.tyre_temp_c, |w| w.fr)),
    ("tyre_temp_rl", |f| wheel(&f.tyre_temp_c, |w| w.rl)),
    ("tyre_temp_rr", |f| wheel(&f.tyre_temp_c, |w| w.rr)),
    ("tyre_pressure_fl", |f| wheel(&f.tyre_pressure_kpa, |w| w.fl)),
    ("tyre_pressure_fr", |f| wheel(&f.tyre_pressure_kpa, |w| w.fr)),
    ("tyre_pressure_rl", |f| wheel(&f.tyre_pressure_kpa, |w| w.rl)),
    ("tyre_pressure_rr", |f| wheel(&f.tyre_pressure_kpa, |w| w.rr)),
    ("wheel_slip_fl", |f| wheel(&f.wheel_slip, |w| w.fl)),
    ("wheel_slip_fr", |f| wheel(&f.wheel_slip, |w| w.fr)),
    ("wheel_slip_rl", |f| wheel(&f.wheel_slip, |w| w.rl)),
    ("wheel_slip_rr", |f| wheel(&f.wheel_slip, |w| w.rr)),
    ("brake_temp_fl", |f| wheel(&f.brake_temp_c, |w| w.fl)),
    ("brake_temp_fr", |f| wheel(&f.brake_temp_c, |w| w.fr)),
    ("brake_temp_rl", |f| wheel(&f.brake_temp_c, |w| w.rl)),
    ("brake_temp_rr", |f| wheel(&f.brake_temp_c, |w| w.rr)),
    ("in_pit", |f| flag(f.in_pit)),
    ("lap_invalid", |f| flag(f.lap_invalid)),
];

/// A value as short as its source precision allows: channels recorded as f32 print
/// as `0.3`, not `0.30000001192092896`; true f64 values (sim time) keep every digit.
pub fn compact(value: f64) -> f64 {
    let narrow = value as f32;
    if narrow as f64 == value && narrow.is_finite() {
        narrow.to_string().parse().unwrap_or(value)
    } else {
        value
    }
}

/// Channel name -> one value per frame (JSON: one array per channel, `null` where absent).
pub fn columns(frames: &[TelemetryFrame]) -> serde_json::Map<String, serde_json::Value> {
    CHANNELS
        .iter()
        .map(|(name, read)| {
            let values = frames
                .iter()
                .map(|frame| match read(frame) {
                    Some(value) => serde_json::Number::from_f64(compact(value))
                        .map(serde_json::Value::Number)
                        .unwrap_or(serde_json::Value::Null),
                    None => serde_json::Value::Null,
                })
                .collect();
            (name.to_string(), serde_json::Value::Array(values))
        })
        .collect()
}

/// The frames as CSV: a header of channel names, one row per frame, empty cells
/// where a channel is absent.
pub fn csv(frames: &[TelemetryFrame]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(64 + frames.len() * CHANNELS.len() * 8);
    let header: Vec<&str> = CHANNELS.iter().map(|(name, _)| *name).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for frame in frames {
        for (index, (_, read)) in CHANNELS.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            if let Some(value) = read(frame) {
                let _ = write!(out, "{}", compact(value));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use purplesector_proto::v1::Vec3;

    fn frames() -> Vec<TelemetryFrame> {
        vec![
            TelemetryFrame {
                seq: 1,
                speed_kmh: 100.5,
                world_position: Some(Vec3 { x: 1.0, y: 2.0, z: 3.0 }),
                ..Default::default()
            },
            TelemetryFrame { seq: 2, speed_kmh: 101.0, in_pit: true, ..Default::default() },
        ]
    }

    #[test]
    fn columns_have_one_entry_per_frame_and_null_for_absent() {
        let columns = columns(&frames());
        assert_eq!(columns.len(), CHANNELS.len());
        assert_eq!(columns["seq"], serde_json::json!([1.0, 2.0]));
        assert_eq!(columns["speed_kmh"], serde_json::json!([100.5, 101.0]));
        assert_eq!(columns["x"], serde_json::json!([1.0, null]));
        assert_eq!(columns["in_pit"], serde_json::json!([0.0, 1.0]));
        assert!(columns.values().all(|values| values.as_array().unwrap().len() == 2));
    }

    #[test]
    fn values_print_at_their_source_precision() {
        assert_eq!(compact(0.3f32 as f64).to_string(), "0.3");
        assert_eq!(compact(16.666666666666668), 16.666666666666668);
        assert_eq!(compact(7200.0), 7200.0);
        let columns = columns(&[TelemetryFrame { throttle: 0.3, ..Default::default() }]);
        assert_eq!(serde_json::to_string(&columns["throttle"]).unwrap(), "[0.3]");
    }

    #[test]
    fn csv_has_a_header_and_a_row_per_frame() {
        let text = csv(&frames());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("seq,session_time_ms,lap_time_ms,lap_distance_m"));
        let cells: Vec<&str> = lines[2].split(',').collect();
        assert_eq!(cells.len(), CHANNELS.len());
        assert_eq!(cells[0], "2");
        assert_eq!(cells[12], "", "x is absent on the second frame");
    }
}
