//! `/api/laps/{id}/analysis` and `/api/sessions/{id}/analysis`: the built-in
//! analysis (`purplesector_engine::analysis`) of stored laps, computed on request.
//!
//! The track model (corners and their numbering) is the user's stored model of the
//! track, refined with every lap that counts the first time it is analysed
//! ([`stored_model`]); the first analysis on a track builds it from the laps at
//! hand, the reference first. Work is bounded: at most [`MAX_SESSION_LAPS`] laps per session
//! analysis, and the delta trace is thinned to [`MAX_DELTA_POINTS`] for the browser.

use super::{ApiError, AppState, Caller};
use actix_web::{web, HttpResponse};
use purplesector_engine::analysis::{self, AnalysisError, SessionLap, TrackModel};
use purplesector_engine::storage::{Store, StoreError, StoredTrackModel, UserId};
use purplesector_proto::sim_name;
use purplesector_proto::v1::{LapInfo, TelemetryFrame};
use serde::Deserialize;

/// The newest laps a session analysis looks at.
pub const MAX_SESSION_LAPS: usize = 60;
/// Points of the delta trace sent to the browser.
pub const MAX_DELTA_POINTS: usize = 2_000;

pub(super) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/laps/{id}/analysis", web::get().to(lap_analysis))
        .route("/laps/{id}/compare/{other}", web::get().to(compare))
        .route("/sessions/{id}/analysis", web::get().to(session_analysis));
}

#[derive(Debug, Deserialize)]
pub(super) struct AnalysisQuery {
    /// The lap to compare with; default: the session's best valid lap.
    pub reference: Option<i64>,
}

/// A lap counts for bests and as a default reference.
fn counts(lap: &LapInfo) -> bool {
    lap.valid && !lap.out_lap && !lap.in_lap
}

fn cannot_analyse(error: AnalysisError) -> ApiError {
    ApiError::Unprocessable(format!("cannot analyse: {error}"))
}

type LapFrames = (LapInfo, Vec<TelemetryFrame>);
/// A lap, its reference, and where it was driven.
type LoadedLap = (LapFrames, Option<LapFrames>, TrackKey);

/// The sim, track and car of a session: the key of its stored track model (sim and
/// track) and what the coaching is told.
#[derive(Debug, Clone, Default)]
pub(super) struct TrackKey {
    sim: String,
    track: String,
    car: String,
}

impl TrackKey {
    /// Where one of the owner's sessions was driven (empty for a missing session).
    fn of_session(store: &Store, owner: UserId, session_id: &str) -> Result<TrackKey, StoreError> {
        Ok(store
            .get_session(owner, session_id)?
            .map(|session| TrackKey {
                sim: sim_name::name(session.sim()).to_string(),
                track: session.track,
                car: session.car,
            })
            .unwrap_or_default())
    }
}

/// The owner's stored model of a track, refined with those of `laps` that count
/// (valid, not an out- or in-lap) and that it has not learnt from yet, then saved:
/// corners keep their numbers across laps and sessions. Without a stored model it
/// is built from `laps` (the first one numbers the corners), and saved when a lap
/// that counts went into it. A model that cannot be read is rebuilt.
fn stored_model(
    store: &Store,
    owner: UserId,
    key: &TrackKey,
    laps: &[(&LapInfo, &[TelemetryFrame])],
) -> Result<Result<TrackModel, AnalysisError>, StoreError> {
    let stored = store.track_model(owner, &key.sim, &key.track)?.and_then(|stored| {
        serde_json::from_str::<TrackModel>(&stored.model).ok().map(|model| (model, stored.through_lap_id))
    });
    let through = stored.as_ref().map_or(0, |(_, through)| *through);
    let mut learnt: Vec<&(&LapInfo, &[TelemetryFrame])> =
        laps.iter().filter(|(info, _)| counts(info) && info.id > through).collect();
    learnt.sort_by_key(|(info, _)| info.id);
    let model = match stored {
        Some((mut model, _)) => {
            for (info, frames) in &learnt {
                if let Ok(trace) = analysis::resample_for(frames, f64::from(info.lap_time_ms), &model) {
                    model = analysis::refine(&model, &trace);
                }
            }
            model
        }
        None => {
            let sources: Vec<(&[TelemetryFrame], u32)> =
                laps.iter().map(|(info, frames)| (*frames, info.lap_time_ms)).collect();
            match analysis::build_model(&sources) {
                Ok(model) => model,
                Err(error) => return Ok(Err(error)),
            }
        }
    };
    if let Some(newest) = learnt.iter().map(|(info, _)| info.id).max() {
        if let Ok(json) = serde_json::to_string(&model) {
            store.save_track_model(
                owner,
                &key.sim,
                &key.track,
                &StoredTrackModel { model: json, through_lap_id: newest },
            )?;
        }
    }
    Ok(Ok(model))
}

fn load_lap(store: &Store, owner: UserId, id: i64) -> Result<Option<LapFrames>, StoreError> {
    let Some(lap) = store.get_lap(owner, id)? else { return Ok(None) };
    let frames = store.lap_frames(owner, &lap)?;
    Ok(Some((lap, frames)))
}

/// A lap analysed against its reference, with what the coaching needs besides.
pub(super) struct AnalysedLap {
    /// The answer of `GET /api/laps/{id}/analysis`.
    pub json: serde_json::Value,
    pub analysis: analysis::LapAnalysis,
    pub track: String,
    pub car: String,
}

/// Analyses one of the owner's laps against `reference_id` (default: the session's
/// best other valid lap). Another user's lap or reference answers like a missing one.
pub(super) async fn analyse_owned_lap(
    state: &AppState,
    owner: UserId,
    id: i64,
    reference_id: Option<i64>,
) -> Result<AnalysedLap, ApiError> {
    let store = state.shared.store.clone();
    let loaded = web::block(move || -> Result<Result<LoadedLap, ApiError>, StoreError> {
        let Some(lap) = load_lap(&store, owner, id)? else {
            return Ok(Err(ApiError::NotFound(format!("lap {id} not found"))));
        };
        let session = TrackKey::of_session(&store, owner, &lap.0.session_id)?;
        let reference_id = match reference_id {
            Some(reference) => Some(reference),
            None => store
                .list_laps(owner, &lap.0.session_id)?
                .unwrap_or_default()
                .into_iter()
                .filter(|candidate| counts(candidate) && candidate.id != id)
                .min_by_key(|candidate| candidate.lap_time_ms)
                .map(|best| best.id),
        };
        let reference = match reference_id {
            // Another user's lap answers like a missing one.
            Some(reference) => match load_lap(&store, owner, reference)? {
                Some(found) => Some(found),
                None => return Ok(Err(ApiError::NotFound(format!("reference lap {reference} not found")))),
            },
            None => None,
        };
        Ok(Ok((lap, reference, session)))
    })
    .await??;
    let ((lap, frames), reference, key) = loaded?;
    let store = state.shared.store.clone();
    let analysed = web::block(move || -> Result<Result<_, AnalysisError>, StoreError> {
        let mut sources: Vec<(&LapInfo, &[TelemetryFrame])> = Vec::new();
        if let Some((reference_lap, reference_frames)) = &reference {
            sources.push((reference_lap, reference_frames));
        }
        sources.push((&lap, &frames));
        let model = match stored_model(&store, owner, &key, &sources)? {
            Ok(model) => model,
            Err(error) => return Ok(Err(error)),
        };
        let reference_input = reference.as_ref().map(|(info, frames)| (frames.as_slice(), info.lap_time_ms));
        let mut result = match analysis::analyse_lap(&frames, lap.lap_time_ms, reference_input, &model) {
            Ok(result) => result,
            Err(error) => return Ok(Err(error)),
        };
        result.delta = result.delta.map(|delta| delta.downsampled(MAX_DELTA_POINTS));
        let json = serde_json::json!({
            "lap": lap,
            "reference": reference.map(|(info, _)| info),
            "track_model": model,
            "analysis": result,
        });
        Ok(Ok(AnalysedLap { json, analysis: result, track: key.track, car: key.car }))
    })
    .await??;
    analysed.map_err(cannot_analyse)
}

#[utoipa::path(
    get,
    path = "/api/laps/{id}/analysis",
    operation_id = "get_lap_analysis",
    tag = "analysis",
    summary = "A lap analysed against a reference lap",
    description = "Corner metrics of both laps, segments with deltas that sum exactly to the lap delta, sectors, \
                   the delta trace against lap distance (at most 2,000 points), the time lost per corner zone, and \
                   suggestions ranked by time at stake. The track model is built from the two laps, the reference \
                   first.",
    params(
        ("id" = i64, Path, description = "The lap's id"),
        ("reference" = Option<i64>, Query, description = "The lap to compare with; default: the session's best valid \
                                                           lap other than this one"),
    ),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The analysis", body = super::openapi::LapAnalysisAnswer),
        super::openapi::LapOrReferenceNotFound,
        super::openapi::CannotAnalyse,
        super::openapi::ReadErrors,
    ),
)]
async fn lap_analysis(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
    query: web::Query<AnalysisQuery>,
) -> Result<HttpResponse, ApiError> {
    let analysed = analyse_owned_lap(&state, caller.0, id.into_inner(), query.reference).await?;
    Ok(HttpResponse::Ok().json(analysed.json))
}

#[utoipa::path(
    get,
    path = "/api/laps/{id}/compare/{other}",
    operation_id = "compare_laps",
    tag = "analysis",
    summary = "A lap analysed against another of the caller's laps",
    description = "The same as `GET /api/laps/{id}/analysis?reference={other}`, for any two of the caller's laps, \
                   across sessions (on the same track, or 422).",
    params(
        ("id" = i64, Path, description = "The lap's id"),
        ("other" = i64, Path, description = "The reference lap's id"),
    ),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The analysis", body = super::openapi::LapAnalysisAnswer),
        super::openapi::LapOrReferenceNotFound,
        super::openapi::CannotAnalyse,
        super::openapi::ReadErrors,
    ),
)]
/// `GET /api/laps/{id}/compare/{other}`: the lap analysed against another of the
/// owner's laps, from any session (the same track, or the analysis says it cannot).
async fn compare(
    state: web::Data<AppState>,
    caller: Caller,
    ids: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, other) = ids.into_inner();
    let analysed = analyse_owned_lap(&state, caller.0, id, Some(other)).await?;
    Ok(HttpResponse::Ok().json(analysed.json))
}

#[utoipa::path(
    get,
    path = "/api/sessions/{id}/analysis",
    operation_id = "get_session_analysis",
    tag = "analysis",
    summary = "A session's newest 60 laps analysed together",
    description = "Each lap's segments and sectors with the session bests marked, the theoretical best (best \
                   segments and best sectors, with the lap that set each), lap-time and per-corner consistency, \
                   and consistency suggestions.",
    params(("id" = String, Path, description = "The session's id")),
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The analysis", body = super::openapi::SessionAnalysisAnswer),
        super::openapi::SessionNotFound,
        super::openapi::CannotAnalyse,
        super::openapi::ReadErrors,
    ),
)]
async fn session_analysis(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let store = state.shared.store.clone();
    let owner = caller.0;
    let session_id = id.clone();
    let loaded = web::block(move || -> Result<Option<(Vec<LapFrames>, TrackKey)>, StoreError> {
        let Some(laps) = store.list_laps(owner, &session_id)? else { return Ok(None) };
        let key = TrackKey::of_session(&store, owner, &session_id)?;
        let newest = laps.len().saturating_sub(MAX_SESSION_LAPS);
        let mut loaded = Vec::new();
        for lap in laps.into_iter().skip(newest) {
            let frames = store.lap_frames(owner, &lap)?;
            loaded.push((lap, frames));
        }
        Ok(Some((loaded, key)))
    })
    .await??;
    let Some((laps, key)) = loaded else { return Err(ApiError::NotFound(format!("session {id} not found"))) };
    let store = state.shared.store.clone();
    let analysed = web::block(move || -> Result<Result<_, AnalysisError>, StoreError> {
        // The track's stored model, or one from the session's best valid lap first
        // (a clean lap numbers the corners), then the other valid laps.
        let mut valid: Vec<&LapFrames> = laps.iter().filter(|(info, _)| counts(info)).collect();
        valid.sort_by_key(|(info, _)| info.lap_time_ms);
        let sources: Vec<(&LapInfo, &[TelemetryFrame])> =
            valid.iter().map(|(info, frames)| (info, frames.as_slice())).collect();
        let model: TrackModel = match stored_model(&store, owner, &key, &sources)? {
            Ok(model) => model,
            Err(error) => return Ok(Err(error)),
        };
        let session_laps: Vec<SessionLap> = laps
            .iter()
            .map(|(info, frames)| SessionLap { frames, lap_time_ms: info.lap_time_ms, valid: counts(info) })
            .collect();
        let result = match analysis::analyse_session(&session_laps, &model) {
            Ok(result) => result,
            Err(error) => return Ok(Err(error)),
        };
        let lap_ids: Vec<i64> = laps.iter().map(|(info, _)| info.id).collect();
        Ok(Ok(serde_json::json!({ "lap_ids": lap_ids, "track_model": model, "analysis": result })))
    })
    .await??
    .map_err(cannot_analyse)?;
    Ok(HttpResponse::Ok().json(analysed))
}
