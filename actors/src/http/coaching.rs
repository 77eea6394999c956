//! `POST /api/laps/{id}/analysis` (the built-in analysis plus the LLM's suggestions)
//! and `GET/POST /api/laps/{id}/chat` (a lap's coaching chat, the reply streamed as
//! server-sent events). Both go through the Coach actor; without an API key they
//! say that AI coaching is off and the built-in suggestions stand.

use super::analysis::{analyse_owned_lap, AnalysisQuery};
use super::{ApiError, AppState, Caller};
use crate::coach::{AiEnabled, Chat, ChatTurn, CoachError, Suggest, MAX_HISTORY_MESSAGES};
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;
use purplesector_engine::coaching::coaching_context;
use serde::Deserialize;
use serde_json::json;

/// Longest chat message a driver may send.
const MAX_CHAT_MESSAGE_CHARS: usize = 2_000;
/// Chat messages listed by `GET .../chat`.
const MAX_LISTED_MESSAGES: usize = 200;

pub(super) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/laps/{id}/analysis", web::post().to(analysis_with_ai))
        .route("/laps/{id}/chat", web::get().to(chat_history))
        .route("/laps/{id}/chat", web::post().to(chat));
}

fn coach_error(error: &CoachError) -> serde_json::Value {
    json!({"code": error.code(), "message": error.to_string()})
}

impl From<CoachError> for ApiError {
    fn from(error: CoachError) -> ApiError {
        match error {
            CoachError::RateLimited { retry_after_s } => {
                ApiError::RateLimited { message: error.to_string(), retry_after_s }
            }
            other => ApiError::CoachUnavailable { code: other.code(), message: other.to_string() },
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/laps/{id}/analysis",
    operation_id = "analyse_lap_with_ai",
    tag = "coaching",
    summary = "A lap's analysis with the AI coach's suggestions",
    description = "The answer of `GET /api/laps/{id}/analysis` plus `ai`: \
                   `{\"status\": \"ok\", \"suggestions\": [...]}`, or \
                   `{\"status\": \"off\" | \"error\", \"error\": {\"code\", \"message\"}}`. The model is given \
                   the built-in analysis, never raw frames. The built-in suggestions are in `analysis.suggestions` \
                   whatever `ai` says. Counts against the user's AI requests per minute.",
    params(
        ("id" = i64, Path, description = "The lap's id"),
        ("reference" = Option<i64>, Query, description = "The lap to compare with; default: the session's best valid \
                                                           lap other than this one"),
    ),
    security(("session_cookie" = [], "csrf_header" = [])),
    responses(
        (status = 200, description = "The analysis and the AI's answer", body = super::openapi::AiAnalysisAnswer),
        super::openapi::LapOrReferenceNotFound,
        super::openapi::CannotAnalyse,
        super::openapi::WriteErrors,
    ),
)]
/// The analysis of `GET`, with `ai`: `{"status": "ok", "suggestions": [...]}`, or
/// `{"status": "off" | "error", "error": {"code", "message"}}`: the built-in
/// suggestions are in `analysis.suggestions` either way.
async fn analysis_with_ai(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: web::Query<AnalysisQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let analysed = analyse_owned_lap(&state, caller.0, id, query.reference).await?;
    let context = coaching_context(&analysed.track, &analysed.car, &analysed.analysis);
    let answer = state.coach.send(Suggest { owner: caller.0, context }).await.map_err(|_| ApiError::Internal)?;
    let ai = match answer {
        Ok(suggestions) => {
            // Kept for the lap's chat, which builds on what was already suggested.
            let (store, owner) = (state.shared.store.clone(), caller.0);
            let reference = analysed.json["reference"]["id"].as_i64();
            let kept = serde_json::to_string(&suggestions).unwrap_or_default();
            if let Ok(Err(error)) = web::block(move || store.save_lap_suggestions(owner, id, reference, &kept)).await {
                tracing::warn!(%error, "could not keep the AI suggestions");
            }
            json!({"status": "ok", "suggestions": suggestions})
        }
        Err(CoachError::Off) => json!({"status": "off", "error": coach_error(&CoachError::Off)}),
        Err(error) => json!({"status": "error", "error": coach_error(&error)}),
    };
    let mut body = analysed.json;
    body["ai"] = ai;
    Ok(HttpResponse::Ok().json(body))
}

#[utoipa::path(
    get,
    path = "/api/laps/{id}/chat",
    operation_id = "get_lap_chat",
    tag = "coaching",
    summary = "A lap's coaching chat, oldest first",
    params(("id" = i64, Path, description = "The lap's id")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "Whether AI coaching is on, and the messages", body = super::openapi::ChatHistory),
        super::openapi::LapNotFound,
        super::openapi::ReadErrors,
    ),
)]
async fn chat_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let store = state.shared.store.clone();
    let owner = caller.0;
    let messages = web::block(move || -> Result<_, ApiError> {
        if store.get_lap(owner, id)?.is_none() {
            return Err(ApiError::NotFound(format!("lap {id} not found")));
        }
        Ok(store.chat_messages(owner, id, MAX_LISTED_MESSAGES)?)
    })
    .await??;
    let enabled = state.coach.send(AiEnabled).await.unwrap_or(false);
    Ok(HttpResponse::Ok().json(json!({"ai": enabled, "messages": messages})))
}

/// A message to the AI coach.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ChatRequest {
    /// 1 to 2,000 characters (trimmed).
    message: String,
}

fn event(value: serde_json::Value) -> web::Bytes {
    web::Bytes::from(format!("data: {value}\n\n"))
}

#[utoipa::path(
    post,
    path = "/api/laps/{id}/chat",
    operation_id = "send_lap_chat",
    tag = "coaching",
    summary = "Ask the AI coach about a lap; the reply is streamed",
    description = "The reply as server-sent events: each `data:` line holds a `ChatEvent`: `{\"delta\": \"...\"}` \
                   pieces as the model writes, then `{\"done\": true}` once the question and the reply are stored, \
                   or one `{\"error\": {\"code\", \"message\"}}`. The model sees the lap's analysis and the newest \
                   20 messages. Refusals before the model is asked are JSON errors.",
    params(("id" = i64, Path, description = "The lap's id")),
    security(("session_cookie" = [], "csrf_header" = [])),
    request_body = ChatRequest,
    responses(
        (status = 200, description = "Server-sent events, `data: <ChatEvent JSON>`",
            content_type = "text/event-stream", body = String),
        super::openapi::BodyErrors,
        super::openapi::LapNotFound,
        super::openapi::CannotAnalyse,
        super::openapi::WriteErrors,
        (status = 429, description = "`rate_limited`: over the user's API limit or AI requests per minute",
            body = super::openapi::ApiErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "`ai_off` (no `openai.api_key`), `ai_busy`, `ai_timeout`, `ai_upstream`; or \
                                      `unavailable`: the store cannot answer now",
            body = super::openapi::ApiErrorBody),
    ),
)]
/// Sends a message about a lap and streams the reply as server-sent events:
/// `{"delta": "..."}` pieces, then `{"done": true}` (the reply is stored), or one
/// `{"error": {"code", "message"}}`. Refusals before the model is asked (no key,
/// rate limit, a missing lap, a bad message) are plain JSON errors.
async fn chat(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    body: web::Json<ChatRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let message = body.into_inner().message.trim().to_string();
    if message.is_empty() || message.chars().count() > MAX_CHAT_MESSAGE_CHARS {
        return Err(ApiError::BadRequest(format!("a chat message has 1 to {MAX_CHAT_MESSAGE_CHARS} characters")));
    }
    let owner = caller.0;
    let store = state.shared.store.clone();
    // Not the caller's lap: 404 before anything else is said.
    if web::block(move || store.get_lap(owner, id)).await??.is_none() {
        return Err(ApiError::NotFound(format!("lap {id} not found")));
    }
    if !state.coach.send(AiEnabled).await.unwrap_or(false) {
        return Err(CoachError::Off.into());
    }
    let analysed = analyse_owned_lap(&state, owner, id, None).await?;
    let store = state.shared.store.clone();
    let (history, suggested) = web::block(move || {
        Ok::<_, purplesector_engine::storage::StoreError>((
            store.chat_messages(owner, id, MAX_HISTORY_MESSAGES)?,
            store.latest_lap_suggestions(owner, id)?,
        ))
    })
    .await??;
    let history = history.into_iter().map(|m| ChatTurn { role: m.role, content: m.content }).collect();
    let previous: serde_json::Value =
        suggested.and_then(|kept| serde_json::from_str(&kept).ok()).unwrap_or(serde_json::Value::Null);
    let context = json!({
        "analysis": coaching_context(&analysed.track, &analysed.car, &analysed.analysis),
        "ai_suggestions_so_far": previous,
    });
    let chat = Chat { owner, context, history, message: message.clone() };
    let mut pieces = state.coach.send(chat).await.map_err(|_| ApiError::Internal)??;
    let store = state.shared.store.clone();
    let stream = async_stream(move |sender| async move {
        let mut reply = String::new();
        let mut failed = None;
        while let Some(piece) = pieces.recv().await {
            match piece {
                Ok(text) => {
                    reply.push_str(&text);
                    if sender.send(event(json!({"delta": text}))).await.is_err() {
                        return;
                    }
                }
                Err(error) => {
                    failed = Some(error);
                    break;
                }
            }
        }
        if let Some(error) = failed {
            let _ = sender.send(event(json!({"error": coach_error(&error)}))).await;
            return;
        }
        let stored = web::block(move || {
            store.add_chat_message(owner, id, "user", &message)?;
            store.add_chat_message(owner, id, "assistant", &reply)
        })
        .await;
        let done = match stored {
            Ok(Ok(true)) => json!({"done": true}),
            _ => json!({"error": {"code": "unavailable", "message": "the reply could not be stored"}}),
        };
        let _ = sender.send(event(done)).await;
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream.map(Ok::<_, actix_web::Error>)))
}

/// A body stream fed by a task (bounded: the task waits while the client reads).
fn async_stream<F, Fut>(produce: F) -> impl futures_util::Stream<Item = web::Bytes>
where
    F: FnOnce(tokio::sync::mpsc::Sender<web::Bytes>) -> Fut,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel(16);
    actix_rt::spawn(produce(sender));
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|bytes| (bytes, receiver))
    })
}
