//! The model's suggestions: the JSON schema the request demands (structured
//! outputs) and the check of what comes back. A model may ignore the schema (an
//! OpenAI-compatible server without structured outputs, a truncated answer), so
//! nothing it says is trusted before [`parse_suggestions`] has read it.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The kinds the issue names; the model must pick one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AiSuggestionKind {
    Braking,
    Throttle,
    Steering,
    Line,
    Consistency,
    General,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AiSuggestion {
    /// The corner's number, or `null` for the lap as a whole.
    pub corner: Option<u32>,
    pub kind: AiSuggestionKind,
    pub message: String,
    pub time_at_stake_ms: f64,
    pub severity: crate::analysis::Severity,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    suggestions: Vec<AiSuggestion>,
}

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the model's answer is not valid: {0}")]
pub struct BadOutput(pub String);

/// Most suggestions kept from one answer.
const MAX_SUGGESTIONS: usize = 10;
/// Longest message kept.
const MAX_MESSAGE_CHARS: usize = 600;

/// The JSON schema of the answer (strict structured outputs: every property
/// required, no others).
pub fn suggestions_schema() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["suggestions"],
        "properties": {
            "suggestions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["corner", "kind", "message", "time_at_stake_ms", "severity"],
                    "properties": {
                        "corner": {"type": ["integer", "null"], "description": "corner number, null for the whole lap"},
                        "kind": {"type": "string", "enum": ["braking", "throttle", "steering", "line", "consistency", "general"]},
                        "message": {"type": "string", "description": "what to change, in a driver's words, with numbers"},
                        "time_at_stake_ms": {"type": "number", "description": "time the change is worth, milliseconds"},
                        "severity": {"type": "string", "enum": ["info", "minor", "major"]}
                    }
                }
            }
        }
    })
}

/// Reads the model's answer: JSON of the schema, sane numbers, bounded sizes.
pub fn parse_suggestions(text: &str) -> Result<Vec<AiSuggestion>, BadOutput> {
    let answer: Answer = serde_json::from_str(text.trim()).map_err(|error| BadOutput(error.to_string()))?;
    let mut suggestions = answer.suggestions;
    if suggestions.len() > MAX_SUGGESTIONS {
        suggestions.truncate(MAX_SUGGESTIONS);
    }
    for suggestion in &mut suggestions {
        if !suggestion.time_at_stake_ms.is_finite() || suggestion.time_at_stake_ms < 0.0 {
            return Err(BadOutput(format!("time_at_stake_ms {} is not a time", suggestion.time_at_stake_ms)));
        }
        if suggestion.message.trim().is_empty() {
            return Err(BadOutput("an empty message".into()));
        }
        if suggestion.message.chars().count() > MAX_MESSAGE_CHARS {
            suggestion.message = suggestion.message.chars().take(MAX_MESSAGE_CHARS).collect();
        }
    }
    suggestions.sort_by(|a, b| b.time_at_stake_ms.total_cmp(&a.time_at_stake_ms));
    Ok(suggestions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_answer_is_read_and_ranked() {
        let text = r#"{"suggestions": [
            {"corner": 3, "kind": "braking", "message": "Brake 12 m later into turn 3", "time_at_stake_ms": 120, "severity": "minor"},
            {"corner": null, "kind": "consistency", "message": "Keep the same lines", "time_at_stake_ms": 300, "severity": "major"}
        ]}"#;
        let suggestions = parse_suggestions(text).unwrap();
        assert_eq!(suggestions.len(), 2);
        assert_eq!(suggestions[0].corner, None, "ranked by time at stake");
        assert_eq!(suggestions[1].kind, AiSuggestionKind::Braking);
    }

    #[test]
    fn malformed_answers_are_refused_with_a_reason() {
        for text in [
            "Brake later.",
            r#"{"suggestions": [{"corner": 1, "kind": "teleport", "message": "x", "time_at_stake_ms": 1, "severity": "minor"}]}"#,
            r#"{"suggestions": [{"corner": 1, "kind": "line", "message": "x", "time_at_stake_ms": -5, "severity": "minor"}]}"#,
            r#"{"suggestions": [{"corner": 1, "kind": "line", "message": " ", "time_at_stake_ms": 5, "severity": "minor"}]}"#,
            r#"{"tips": []}"#,
        ] {
            assert!(parse_suggestions(text).is_err(), "{text}");
        }
    }

    #[test]
    fn the_schema_names_every_field_and_kind() {
        let schema = suggestions_schema();
        let item = &schema["properties"]["suggestions"]["items"];
        assert_eq!(item["required"].as_array().unwrap().len(), 5);
        assert_eq!(item["properties"]["kind"]["enum"].as_array().unwrap().len(), 6);
    }
}
