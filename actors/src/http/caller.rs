//! Who is calling. Every handler takes a [`Caller`] and scopes everything by it.
//!
//! In local mode the built-in local user is the caller of every request. In accounts
//! mode the caller is the user of a valid session cookie (browsers, `/api` and
//! `/ws`) or of a valid ingest token (`/ingest`, [`IngestCaller`]); anything else is
//! `401 unauthenticated`. State-changing requests made with the cookie must carry the
//! session's CSRF token, and every request counts against the user's API limit.

use super::guard::{CSRF_HEADER, SESSION_COOKIE};
use super::{ApiError, AppState};
use actix_web::http::Method;
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use purplesector_engine::auth::{well_formed, AuthMode, INGEST_TOKEN_PREFIX, SESSION_PREFIX};
use purplesector_engine::storage::{now_ms, Account, UserId, LOCAL_USER, SCOPE_INGEST};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller(pub UserId);

/// A signed-in browser session (accounts mode): the account routes need the account
/// and the session itself (logout revokes it, a password change keeps only it).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub account: Account,
    pub session_digest: String,
}

/// The owner of the ingest token a collector presented (the local user in local
/// mode), and the token, whose revocation closes the connection.
#[derive(Debug, Clone, Copy)]
pub struct IngestCaller {
    pub user: UserId,
    pub token_id: Option<i64>,
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>().cloned().ok_or(ApiError::Internal)
}

/// Logs a security event (target `purplesector::security`) with the user and the
/// client's address, never a secret, and counts it.
pub fn security_event(state: &AppState, event: &'static str, user: Option<UserId>, req: &HttpRequest) {
    state.shared.metrics.auth_events.with_label_values(&[event]).inc();
    let address = state.guard.client_address(req);
    match user {
        Some(user) => tracing::info!(target: "purplesector::security", event, user = user.0, %address),
        None => tracing::info!(target: "purplesector::security", event, %address),
    }
}

/// The signed-in session of the request's cookie, if it has a valid one (looked up
/// once per request).
pub async fn identify(req: &HttpRequest, state: &AppState) -> Result<Option<SignedIn>, ApiError> {
    if let Some(known) = req.extensions().get::<Option<SignedIn>>() {
        return Ok(known.clone());
    }
    let keys = state.guard.keys()?.clone();
    let found = match req.cookie(SESSION_COOKIE) {
        Some(cookie) if well_formed(cookie.value(), SESSION_PREFIX) => {
            let digest = keys.digest(cookie.value());
            let store = state.shared.store.clone();
            let lookup = digest.clone();
            web::block(move || store.auth_session_account(&lookup, now_ms()))
                .await??
                .map(|account| SignedIn { account, session_digest: digest })
        }
        _ => None,
    };
    req.extensions_mut().insert(found.clone());
    Ok(found)
}

/// Checks what every authenticated `/api` call needs besides the session: the CSRF
/// token on state-changing requests and the user's rate limit.
fn admit(req: &HttpRequest, state: &AppState, signed_in: &SignedIn) -> Result<(), ApiError> {
    let guard = &state.guard;
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let presented = req.headers().get(CSRF_HEADER).and_then(|value| value.to_str().ok()).unwrap_or("");
        if !guard.keys()?.csrf_matches(&signed_in.session_digest, presented) {
            security_event(state, "csrf_refused", Some(signed_in.account.id), req);
            return Err(ApiError::Forbidden {
                code: "csrf",
                message: "this request needs the session's CSRF token in the X-CSRF-Token header".into(),
            });
        }
    }
    guard.limit_api(signed_in.account.id.0).inspect_err(|_| {
        state.shared.metrics.auth_events.with_label_values(&["api_rate_limited"]).inc();
    })
}

async fn signed_in(req: HttpRequest) -> Result<SignedIn, ApiError> {
    let state = state(&req)?;
    state.guard.check_origin(&req, false)?;
    let Some(signed_in) = identify(&req, &state).await? else {
        return Err(ApiError::Unauthenticated("sign in first".into()));
    };
    admit(&req, &state, &signed_in)?;
    Ok(signed_in)
}

impl FromRequest for Caller {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state(&req)?;
            if state.guard.mode == AuthMode::Local {
                state.guard.check_origin(&req, false)?;
                return Ok(Caller(LOCAL_USER));
            }
            Ok(Caller(signed_in(req).await?.account.id))
        })
    }
}

impl FromRequest for SignedIn {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(signed_in(req).await?) })
    }
}

impl FromRequest for IngestCaller {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state(&req)?;
            if state.guard.mode == AuthMode::Local {
                return Ok(IngestCaller { user: LOCAL_USER, token_id: None });
            }
            let presented = req
                .headers()
                .get("authorization")
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.strip_prefix("Bearer "))
                .map(str::trim);
            let refuse = |event: &'static str, message: &str| {
                security_event(&state, event, None, &req);
                ApiError::Unauthenticated(message.to_string())
            };
            let token = match presented {
                None => {
                    return Err(refuse(
                        "ingest_token_missing",
                        "/ingest needs an ingest token: create one in the web app (Account) and run \
                         `purplesector collect SIM --server URL --token psi_...`",
                    )
                    .into())
                }
                Some(token) if !well_formed(token, INGEST_TOKEN_PREFIX) => {
                    return Err(refuse("ingest_token_malformed", "that is not an ingest token (psi_...)").into())
                }
                Some(token) => token.to_string(),
            };
            let digest = state.guard.keys()?.digest(&token);
            let store = state.shared.store.clone();
            let found = web::block(move || store.use_api_token(&digest, SCOPE_INGEST, now_ms()))
                .await
                .map_err(ApiError::from)?
                .map_err(ApiError::from)?;
            match found {
                Some(token) => {
                    security_event(&state, "ingest_token_used", Some(token.user_id), &req);
                    Ok(IngestCaller { user: token.user_id, token_id: Some(token.id) })
                }
                None => Err(refuse("ingest_token_refused", "unknown or revoked ingest token").into()),
            }
        })
    }
}
