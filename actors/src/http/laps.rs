//! `/api/laps/{id}`: a lap, and its telemetry as columnar JSON, CSV or a MoTeC i2
//! log file.

use super::{ApiError, AppState, Caller};
use crate::user::LiveSessionIds;
use actix_web::{http::header, web, HttpResponse};
use purplesector_engine::channels;
use purplesector_engine::export::motec::{self, LdMetadata};
use purplesector_proto::v1::{LapInfo, TelemetryFrame};

pub(super) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/laps/{id}", web::get().to(get))
        .route("/laps/{id}/telemetry", web::get().to(telemetry))
        .route("/laps/{id}/telemetry.csv", web::get().to(telemetry_csv))
        .route("/laps/{id}/export.ld", web::get().to(export_ld));
}

fn not_found(id: i64) -> ApiError {
    ApiError::NotFound(format!("lap {id} not found"))
}

#[utoipa::path(
    get,
    path = "/api/laps/{id}",
    operation_id = "get_lap",
    tag = "laps",
    summary = "A lap with its session",
    params(("id" = i64, Path, description = "The lap's id")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The lap and its session", body = super::openapi::LapWithSession),
        super::openapi::LapNotFound,
        super::openapi::ReadErrors,
    ),
)]
async fn get(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let store = state.shared.store.clone();
    let found = web::block(move || -> Result<_, purplesector_engine::storage::StoreError> {
        let Some(lap) = store.get_lap(caller.0, id)? else { return Ok(None) };
        let session = store.get_session(caller.0, &lap.session_id)?;
        Ok(session.map(|session| (lap, session)))
    })
    .await??;
    let (lap, session) = found.ok_or_else(|| not_found(id))?;
    let live = state.engine.send(LiveSessionIds { owner: caller.0 }).await.unwrap_or_default();
    let session = super::sessions::with_live(session, &live);
    Ok(HttpResponse::Ok().json(serde_json::json!({ "lap": lap, "session": session })))
}

async fn lap_with_frames(
    state: &AppState,
    caller: Caller,
    id: i64,
) -> Result<(LapInfo, Vec<TelemetryFrame>), ApiError> {
    let store = state.shared.store.clone();
    let found = web::block(move || -> Result<_, purplesector_engine::storage::StoreError> {
        let Some(lap) = store.get_lap(caller.0, id)? else { return Ok(None) };
        let frames = store.lap_frames(caller.0, &lap)?;
        Ok(Some((lap, frames)))
    })
    .await??;
    found.ok_or_else(|| not_found(id))
}

#[utoipa::path(
    get,
    path = "/api/laps/{id}/telemetry",
    operation_id = "get_lap_telemetry",
    tag = "laps",
    summary = "A lap's telemetry as columnar JSON",
    params(("id" = i64, Path, description = "The lap's id")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "One array per channel, one entry per frame", body = super::openapi::LapTelemetry),
        super::openapi::LapNotFound,
        super::openapi::ReadErrors,
    ),
)]
async fn telemetry(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let (lap, frames) = lap_with_frames(&state, caller, id.into_inner()).await?;
    let channels = web::block(move || channels::columns(&frames)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "lap": lap, "channels": channels })))
}

#[utoipa::path(
    get,
    path = "/api/laps/{id}/telemetry.csv",
    operation_id = "get_lap_telemetry_csv",
    tag = "laps",
    summary = "A lap's telemetry as CSV",
    description = "A header of channel names (those of the columnar JSON), one row per frame in `seq` order, \
                   empty cells where the sim did not report a value. \
                   `Content-Disposition: attachment; filename=\"purplesector-lap-<N>-<id>.csv\"`.",
    params(("id" = i64, Path, description = "The lap's id")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        super::openapi::LapNotFound,
        super::openapi::ReadErrors,
    ),
)]
async fn telemetry_csv(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (lap, frames) = lap_with_frames(&state, caller, id.into_inner()).await?;
    let csv = web::block(move || channels::csv(&frames)).await?;
    let filename = format!("purplesector-lap-{}-{}.csv", lap.lap_number, lap.id);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")))
        .body(csv))
}

#[utoipa::path(
    get,
    path = "/api/laps/{id}/export.ld",
    operation_id = "export_lap_ld",
    tag = "laps",
    summary = "A lap as a MoTeC i2 log file",
    description = "The lap as a MoTeC i2 `.ld` file, one sample per frame, the caller's username as the driver. \
                   `Content-Disposition: attachment; filename=\"<track>-<car>-lap<N>.ld\"`. Channels and \
                   metadata: docs/api.md.",
    params(("id" = i64, Path, description = "The lap's id")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The .ld file", content_type = "application/octet-stream",
            body = super::openapi::BinaryFile),
        super::openapi::LapNotFound,
        super::openapi::ReadErrors,
    ),
)]
/// The lap as a MoTeC i2 `.ld` file, named `<track>-<car>-lap<N>.ld`, with the
/// caller's username as the driver.
async fn export_ld(state: web::Data<AppState>, caller: Caller, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let store = state.shared.store.clone();
    let found = web::block(move || -> Result<_, purplesector_engine::storage::StoreError> {
        let Some(lap) = store.get_lap(caller.0, id)? else { return Ok(None) };
        let Some(session) = store.get_session(caller.0, &lap.session_id)? else { return Ok(None) };
        let frames = store.lap_frames(caller.0, &lap)?;
        let driver = store.account(caller.0)?.map(|account| account.username).unwrap_or_default();
        Ok(Some((lap, session, frames, driver)))
    })
    .await??;
    let (lap, session, frames, driver) = found.ok_or_else(|| not_found(id))?;
    let filename = motec::file_name(&session, &lap);
    let file =
        web::block(move || motec::write_ld(&frames, &LdMetadata::for_lap(&lap, &session, &driver, &frames))).await??;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")))
        .body(file))
}
