//! `/api/sessions`: list, create, read, rename, delete, and a session's laps.

use super::{ApiError, AppState, Caller};
use crate::user::{EndSession, LiveSessionIds};
use actix_web::{web, HttpResponse};
use purplesector_engine::storage::NewSession;
use purplesector_proto::sim_name;
use purplesector_proto::v1::SessionInfo;
use serde::Deserialize;
use std::collections::HashSet;

const MAX_NAME_CHARS: usize = 200;

pub(super) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/sessions", web::get().to(list))
        .route("/sessions", web::post().to(create))
        .route("/sessions/{id}", web::get().to(get))
        .route("/sessions/{id}", web::patch().to(rename))
        .route("/sessions/{id}", web::delete().to(delete))
        .route("/sessions/{id}/laps", web::get().to(laps));
}

async fn live_ids(state: &AppState, caller: Caller) -> HashSet<String> {
    state.engine.send(LiveSessionIds { owner: caller.0 }).await.unwrap_or_default()
}

pub(super) fn with_live(mut session: SessionInfo, live: &HashSet<String>) -> SessionInfo {
    session.live = live.contains(&session.id);
    session
}

#[utoipa::path(
    get,
    path = "/api/sessions",
    operation_id = "list_sessions",
    tag = "sessions",
    summary = "The caller's sessions, newest first",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The sessions", body = super::openapi::SessionList),
        super::openapi::ReadErrors,
    ),
)]
async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let store = state.shared.store.clone();
    let sessions = web::block(move || store.list_sessions(caller.0)).await??;
    let live = live_ids(&state, caller).await;
    let sessions: Vec<SessionInfo> = sessions.into_iter().map(|session| with_live(session, &live)).collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "sessions": sessions })))
}

/// A new session; every field may be left out.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateSession {
    /// At most 200 characters; default `Session`.
    name: Option<String>,
    /// Default `unspecified`.
    #[schema(value_type = Option<super::openapi::Sim>)]
    sim: Option<String>,
    /// At most 200 characters.
    track: Option<String>,
    /// At most 200 characters.
    car: Option<String>,
    /// Between 0 and 100000 (exclusive).
    track_length_m: Option<f64>,
}

fn checked_text(field: &str, value: Option<String>, default: &str) -> Result<String, ApiError> {
    let value = value.unwrap_or_else(|| default.to_string());
    let value = value.trim().to_string();
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::BadRequest(format!("{field} is longer than {MAX_NAME_CHARS} characters")));
    }
    Ok(value)
}

#[utoipa::path(
    post,
    path = "/api/sessions",
    operation_id = "create_session",
    tag = "sessions",
    summary = "Create a session",
    description = "An empty session (no laps yet); its frames come later through `/ingest`.",
    security(("session_cookie" = [], "csrf_header" = [])),
    request_body = CreateSession,
    responses(
        (status = 201, description = "The new session", body = super::openapi::SessionInfo),
        super::openapi::BodyErrors,
        super::openapi::WriteErrors,
    ),
)]
async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<CreateSession>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let sim_text = body.sim.unwrap_or_default();
    let sim = sim_name::parse(&sim_text).ok_or_else(|| {
        ApiError::BadRequest(format!("unknown sim {sim_text:?}: use demo, ac, acc, f1, forza or outgauge"))
    })?;
    if let Some(length) = body.track_length_m {
        if !(length.is_finite() && length > 0.0 && length < 100_000.0) {
            return Err(ApiError::BadRequest("track_length_m must be between 0 and 100000".into()));
        }
    }
    let session = NewSession {
        id: uuid::Uuid::new_v4().to_string(),
        name: checked_text("name", body.name, "Session")?,
        sim,
        track: checked_text("track", body.track, "")?,
        car: checked_text("car", body.car, "")?,
        track_length_m: body.track_length_m,
    };
    let store = state.shared.store.clone();
    let created = web::block(move || store.ensure_session(caller.0, &session)).await??.ok_or(ApiError::Internal)?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(
    get,
    path = "/api/sessions/{id}",
    operation_id = "get_session",
    tag = "sessions",
    summary = "A session",
    params(("id" = String, Path, description = "The session's id")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The session", body = super::openapi::SessionInfo),
        super::openapi::SessionNotFound,
        super::openapi::ReadErrors,
    ),
)]
async fn get(state: web::Data<AppState>, caller: Caller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let store = state.shared.store.clone();
    let lookup_id = id.clone();
    let session = web::block(move || store.get_session(caller.0, &lookup_id))
        .await??
        .ok_or_else(|| ApiError::NotFound(format!("session {id} not found")))?;
    let live = live_ids(&state, caller).await;
    Ok(HttpResponse::Ok().json(with_live(session, &live)))
}

/// A session's new name.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct RenameSession {
    /// 1 to 200 characters (trimmed).
    name: String,
}

#[utoipa::path(
    patch,
    path = "/api/sessions/{id}",
    operation_id = "rename_session",
    tag = "sessions",
    summary = "Rename a session",
    params(("id" = String, Path, description = "The session's id")),
    security(("session_cookie" = [], "csrf_header" = [])),
    request_body = RenameSession,
    responses(
        (status = 200, description = "The renamed session", body = super::openapi::SessionInfo),
        super::openapi::BodyErrors,
        super::openapi::SessionNotFound,
        super::openapi::WriteErrors,
    ),
)]
async fn rename(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<RenameSession>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let name = checked_text("name", Some(body.into_inner().name), "")?;
    if name.is_empty() {
        return Err(ApiError::BadRequest("name must not be empty".into()));
    }
    let store = state.shared.store.clone();
    let lookup_id = id.clone();
    let session = web::block(move || store.rename_session(caller.0, &lookup_id, &name))
        .await??
        .ok_or_else(|| ApiError::NotFound(format!("session {id} not found")))?;
    let live = live_ids(&state, caller).await;
    Ok(HttpResponse::Ok().json(with_live(session, &live)))
}

#[utoipa::path(
    delete,
    path = "/api/sessions/{id}",
    operation_id = "delete_session",
    tag = "sessions",
    summary = "Delete a session with its laps and frames",
    params(("id" = String, Path, description = "The session's id")),
    security(("session_cookie" = [], "csrf_header" = [])),
    responses(
        (status = 204, description = "Deleted; a live session stops being live"),
        super::openapi::SessionNotFound,
        super::openapi::WriteErrors,
    ),
)]
async fn delete(state: web::Data<AppState>, caller: Caller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let store = state.shared.store.clone();
    let lookup_id = id.clone();
    let deleted = web::block(move || store.delete_session(caller.0, &lookup_id)).await??;
    if !deleted {
        return Err(ApiError::NotFound(format!("session {id} not found")));
    }
    state.engine.do_send(EndSession { owner: caller.0, session_id: id });
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    get,
    path = "/api/sessions/{id}/laps",
    operation_id = "list_session_laps",
    tag = "sessions",
    summary = "A session's laps, in lap order",
    params(("id" = String, Path, description = "The session's id")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The laps", body = super::openapi::LapList),
        super::openapi::SessionNotFound,
        super::openapi::ReadErrors,
    ),
)]
async fn laps(state: web::Data<AppState>, caller: Caller, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let store = state.shared.store.clone();
    let lookup_id = id.clone();
    let laps = web::block(move || store.list_laps(caller.0, &lookup_id))
        .await??
        .ok_or_else(|| ApiError::NotFound(format!("session {id} not found")))?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "laps": laps })))
}
