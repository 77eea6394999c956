//! `/api/tokens`: the ingest tokens a user's collectors present (docs/accounts.md).
//! A token's secret is shown once, when it is created; the store keeps its HMAC.

use super::caller::{security_event, SignedIn};
use super::{ApiError, AppState};
use actix_web::{web, HttpRequest, HttpResponse};
use purplesector_engine::auth::{validate_token_name, INGEST_TOKEN_PREFIX};
use purplesector_engine::storage::SCOPE_INGEST;
use serde::Deserialize;

/// Unrevoked tokens one user may hold: one per rig is a handful, and the bound keeps
/// a script gone wrong from filling the table.
const MAX_ACTIVE_TOKENS: usize = 50;

pub(super) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/tokens", web::get().to(list))
        .route("/tokens", web::post().to(create))
        .route("/tokens/{id}", web::delete().to(revoke));
}

#[utoipa::path(
    get,
    path = "/api/tokens",
    operation_id = "list_tokens",
    tag = "tokens",
    summary = "The caller's ingest tokens, revoked ones included",
    description = "Accounts mode only (local mode: `404`).",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The tokens, never their secrets", body = super::openapi::TokenList),
        super::openapi::LocalMode,
        super::openapi::ReadErrors,
    ),
)]
async fn list(state: web::Data<AppState>, signed_in: SignedIn) -> Result<HttpResponse, ApiError> {
    let store = state.shared.store.clone();
    let tokens = web::block(move || store.list_api_tokens(signed_in.account.id)).await??;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "tokens": tokens })))
}

/// A new ingest token's name.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewToken {
    /// 1 to 64 characters, no control characters (e.g. the rig's name).
    name: String,
}

#[utoipa::path(
    post,
    path = "/api/tokens",
    operation_id = "create_token",
    tag = "tokens",
    summary = "Create an ingest token",
    description = "Accounts mode only (local mode: `404`). The secret is shown this once; the store keeps its HMAC. \
                   A collector presents it as `Authorization: Bearer psi_...` on the `/ingest` WebSocket.",
    security(("session_cookie" = [], "csrf_header" = [])),
    request_body = NewToken,
    responses(
        (status = 201, description = "The token and its secret", body = super::openapi::CreatedToken),
        super::openapi::BodyErrors,
        super::openapi::LocalMode,
        (status = 409, description = "`conflict`: the caller has 50 active tokens, the most allowed",
            body = super::openapi::ApiErrorBody),
        super::openapi::WriteErrors,
    ),
)]
async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Json<NewToken>,
) -> Result<HttpResponse, ApiError> {
    let name = body.into_inner().name;
    validate_token_name(&name).map_err(ApiError::BadRequest)?;
    let name = name.trim().to_string();
    let secret = state.guard.keys()?.generate(INGEST_TOKEN_PREFIX);
    let store = state.shared.store.clone();
    let user = signed_in.account.id;
    let digest = secret.digest.clone();
    let token = web::block(move || {
        let active = store.list_api_tokens(user)?.iter().filter(|token| token.revoked_at_ms.is_none()).count();
        if active >= MAX_ACTIVE_TOKENS {
            return Err(ApiError::Conflict(format!(
                "you have {active} active tokens, the most allowed: revoke one you no longer use"
            )));
        }
        Ok(store.create_api_token(user, &name, &digest, SCOPE_INGEST)?)
    })
    .await??;
    security_event(&state, "token_created", Some(user), &req);
    Ok(HttpResponse::Created().json(serde_json::json!({ "token": token, "secret": secret.secret })))
}

#[utoipa::path(
    delete,
    path = "/api/tokens/{id}",
    operation_id = "revoke_token",
    tag = "tokens",
    summary = "Revoke an ingest token",
    description = "Accounts mode only (local mode: `404`). The next connection with the token is refused, an open \
                   one is closed.",
    params(("id" = i64, Path, description = "The token's id")),
    security(("session_cookie" = [], "csrf_header" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "`not_found`: no such token of the caller's (or local mode)",
            body = super::openapi::ApiErrorBody),
        super::openapi::WriteErrors,
    ),
)]
async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    // Any id that is not one of the caller's tokens is simply not found.
    let not_found = || ApiError::NotFound("no such token".into());
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let store = state.shared.store.clone();
    let user = signed_in.account.id;
    let revoked = web::block(move || store.revoke_api_token(user, id)).await??;
    match revoked {
        Some(_) => {
            security_event(&state, "token_revoked", Some(user), &req);
            Ok(HttpResponse::NoContent().finish())
        }
        None => Err(not_found()),
    }
}
