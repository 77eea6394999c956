//! The lap as the model sees it: a compact JSON digest of the built-in analysis
//! (lap and reference times, per-corner metrics side by side, time lost per corner
//! zone and segment, the built-in suggestions). Bounded: at most
//! [`MAX_CONTEXT_CORNERS`] corners, numbers rounded, so a request's size (and token
//! cost) does not grow with the lap's frames.

use crate::analysis::{CornerMetrics, LapAnalysis};
use serde_json::{json, Value};

/// Corners described to the model (the ones losing most time first beyond this).
pub const MAX_CONTEXT_CORNERS: usize = 30;

fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

fn corner_digest(corner: &CornerMetrics) -> Value {
    json!({
        "braking_point_m": corner.braking_point_m.map(|m| round(m, 1)),
        "peak_brake_pct": round(corner.peak_brake * 100.0, 0),
        "min_speed_kmh": round(corner.min_speed_kmh, 1),
        "min_speed_at_m": round(corner.min_speed_at_m, 1),
        "throttle_on_m": corner.throttle_on_m.map(|m| round(m, 1)),
        "full_throttle_m": corner.full_throttle_m.map(|m| round(m, 1)),
        "exit_speed_kmh": round(corner.exit_speed_kmh, 1),
        "corner_time_ms": round(corner.corner_time_ms, 0),
    })
}

/// What the model is given about a lap and its reference.
pub fn coaching_context(track: &str, car: &str, analysis: &LapAnalysis) -> Value {
    let mut zones = analysis.zones.clone();
    zones.sort_by(|a, b| b.loss_ms.total_cmp(&a.loss_ms));
    let kept: Vec<u32> = zones.iter().take(MAX_CONTEXT_CORNERS).map(|zone| zone.corner).collect();
    let corners: Vec<Value> = analysis
        .corners
        .iter()
        .filter(|corner| kept.is_empty() || kept.contains(&corner.corner))
        .take(MAX_CONTEXT_CORNERS)
        .map(|corner| {
            let reference = analysis
                .reference_corners
                .as_ref()
                .and_then(|reference| reference.iter().find(|r| r.corner == corner.corner));
            let zone = analysis.zones.iter().find(|zone| zone.corner == corner.corner);
            json!({
                "corner": corner.corner,
                "lap": corner_digest(corner),
                "reference": reference.map(corner_digest),
                "time_lost_ms": zone.map(|zone| round(zone.loss_ms, 0)),
                "lost_on_entry_ms": zone.map(|zone| round(zone.entry_loss_ms, 0)),
                "lost_on_exit_ms": zone.map(|zone| round(zone.exit_loss_ms, 0)),
            })
        })
        .collect();
    let suggestions: Vec<Value> = analysis
        .suggestions
        .iter()
        .take(10)
        .map(|s| json!({"corner": s.corner, "kind": s.kind, "message": s.message, "time_at_stake_ms": round(s.time_at_stake_ms, 0)}))
        .collect();
    json!({
        "track": track,
        "car": car,
        "track_length_m": round(analysis.length_m, 0),
        "lap_time_ms": analysis.lap_time_ms,
        "reference_lap_time_ms": analysis.reference_lap_time_ms,
        "sectors_ms": analysis.sectors_ms.iter().map(|s| round(*s, 0)).collect::<Vec<_>>(),
        "reference_sectors_ms": analysis.reference_sectors_ms.as_ref().map(|s| s.iter().map(|v| round(*v, 0)).collect::<Vec<_>>()),
        "corners": corners,
        "built_in_suggestions": suggestions,
    })
}

/// The instructions for the suggestions request.
pub fn suggestion_system_prompt() -> &'static str {
    "You are a professional racing driver coach. You get the analysis of one lap of a sim racer \
     against a reference lap: per corner the braking point, minimum speed, throttle pickup (metres \
     from the start line) and the time lost. Give at most 5 concrete suggestions, biggest time first, \
     in a driver's words with numbers (which corner, what to change, by how much, what it is worth). \
     Use only the numbers given. Answer with JSON following the schema."
}

/// The instructions for the chat about a lap.
pub fn chat_system_prompt() -> &'static str {
    "You are a professional racing driver coach talking with a sim racer about one of their laps. \
     The analysis of the lap against its reference and the suggestions made so far are given as JSON. \
     Answer briefly and concretely, with the corner numbers and figures from the analysis; say so when \
     the data cannot answer a question."
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests_support::demo_lap_analysis;

    #[test]
    fn the_context_is_the_analysis_in_brief_and_bounded() {
        let analysis = demo_lap_analysis();
        let context = coaching_context("Purple Park", "demo car", &analysis);
        assert_eq!(context["lap_time_ms"], analysis.lap_time_ms);
        let corners = context["corners"].as_array().unwrap();
        assert!(!corners.is_empty() && corners.len() <= MAX_CONTEXT_CORNERS);
        assert!(corners[0]["lap"]["min_speed_kmh"].is_number());
        assert!(corners[0]["reference"]["min_speed_kmh"].is_number());
        let text = context.to_string();
        assert!(text.len() < 16_000, "the context stays small: {} bytes", text.len());
        assert!(!text.contains("\"frames\""), "no raw frames");
    }
}
