//! LLM coaching without the network: what the model is told about a lap (the
//! built-in analysis, never raw frames), the JSON schema its suggestions must
//! follow, and how its answer is checked. The HTTP client lives with the Coach
//! actor; this module is plain functions over plain data, tested as such.

mod context;
mod suggestions;

pub use context::{chat_system_prompt, coaching_context, suggestion_system_prompt, MAX_CONTEXT_CORNERS};
pub use suggestions::{parse_suggestions, suggestions_schema, AiSuggestion, AiSuggestionKind, BadOutput};
