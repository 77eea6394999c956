//! `/api/auth/...` and `/api/admin/...`: sign-up, login, logout, password change,
//! who am I, and invite codes (docs/accounts.md).
//!
//! Passwords are hashed and checked on blocking threads (argon2 is slow on purpose).
//! A login for an unknown user costs the same as one with a wrong password and gets
//! the same answer. Every outcome is a security event (user and address, no secret).

use super::caller::{identify, security_event, SignedIn};
use super::guard::{CSRF_COOKIE, SESSION_COOKIE};
use super::{ApiError, AppState};
use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};
use purplesector_engine::auth::{
    dummy_hash, hash_password, validate_password, validate_username, verify_password, AuthMode, SignupPolicy,
    INVITE_PREFIX, SESSION_PREFIX,
};
use purplesector_engine::storage::{now_ms, Account, SignupOutcome, SignupRules, LOCAL_USER};
use serde::{Deserialize, Serialize};

/// How long an invite code stays usable.
const INVITE_TTL_MS: i64 = 7 * 24 * 3600 * 1000;

pub(super) fn routes(config: &mut web::ServiceConfig) {
    config
        .route("/auth/me", web::get().to(me))
        .route("/auth/signup", web::post().to(signup))
        .route("/auth/login", web::post().to(login))
        .route("/auth/logout", web::post().to(logout))
        .route("/auth/password", web::post().to(change_password))
        .route("/admin/invites", web::post().to(create_invite));
}

/// A user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = User)]
pub(super) struct UserView {
    id: i64,
    username: String,
    /// `admin` or `user`.
    role: String,
}

impl From<&Account> for UserView {
    fn from(account: &Account) -> Self {
        UserView { id: account.id.0, username: account.username.clone(), role: account.role.clone() }
    }
}

/// A new browser session.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = SignedIn)]
struct SignedInView {
    user: UserView,
    /// The session's CSRF token, for `X-CSRF-Token` (also in the `ps_csrf` cookie).
    csrf_token: String,
}

#[utoipa::path(
    get,
    path = "/api/auth/me",
    operation_id = "get_me",
    tag = "accounts",
    summary = "Who is calling, and how this server signs people in",
    description = "Never 401: the web app asks it first to know whether to show the login page. In local mode the \
                   user is the built-in local user and `csrf_token` is `null`.",
    security((), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The auth mode, the sign-up policy, the user or `null`",
            body = super::openapi::Me),
        super::openapi::StoreUnavailable,
    ),
)]
async fn me(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let guard = &state.guard;
    let signup = guard.signup.name();
    if guard.mode == AuthMode::Local {
        let user = UserView { id: LOCAL_USER.0, username: "local".into(), role: "admin".into() };
        return Ok(HttpResponse::Ok()
            .json(serde_json::json!({"mode": "local", "signup": signup, "user": user, "csrf_token": null})));
    }
    let found = identify(&req, &state).await?;
    let keys = guard.keys()?;
    let (user, csrf) = match &found {
        Some(signed_in) => (Some(UserView::from(&signed_in.account)), Some(keys.csrf_token(&signed_in.session_digest))),
        None => (None, None),
    };
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({"mode": "accounts", "signup": signup, "user": user, "csrf_token": csrf})))
}

/// A username and password, with an invite code for sign-up on an invite-only server.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Credentials {
    username: String,
    password: String,
    /// Sign-up only, when `auth.signup` is `invite`.
    #[serde(default)]
    invite: Option<String>,
}

/// Starts a browser session for `account`: the row, both cookies, the answer.
async fn start_session(
    req: &HttpRequest,
    state: &AppState,
    account: &Account,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, ApiError> {
    let keys = state.guard.keys()?;
    let session = keys.generate(SESSION_PREFIX);
    let ttl = state.guard.session_ttl;
    let expires_at_ms = now_ms().saturating_add(ttl.as_millis().min(i64::MAX as u128) as i64);
    let store = state.shared.store.clone();
    let (digest, user) = (session.digest.clone(), account.id);
    web::block(move || store.create_auth_session(&digest, user, expires_at_ms)).await??;
    let csrf = keys.csrf_token(&session.digest);
    let max_age = time::Duration::seconds(ttl.as_secs().min(i64::MAX as u64) as i64);
    let secure = state.guard.is_https(req);
    let session_cookie = Cookie::build(SESSION_COOKIE, session.secret)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(max_age)
        .finish();
    // Readable by the web app, which echoes it in X-CSRF-Token; useless to another site.
    let csrf_cookie = Cookie::build(CSRF_COOKIE, csrf.clone())
        .path("/")
        .http_only(false)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(max_age)
        .finish();
    Ok(HttpResponse::build(status)
        .cookie(session_cookie)
        .cookie(csrf_cookie)
        .json(SignedInView { user: UserView::from(account), csrf_token: csrf }))
}

fn accounts_only(state: &AppState) -> Result<(), ApiError> {
    match state.guard.mode {
        AuthMode::Accounts => Ok(()),
        AuthMode::Local => Err(ApiError::NotFound("this server runs in local mode: it has no accounts".into())),
    }
}

#[utoipa::path(
    post,
    path = "/api/auth/signup",
    operation_id = "signup",
    tag = "accounts",
    summary = "Create an account and sign in",
    description = "Accounts mode only. `auth.signup`: `open` (anyone; leave `invite` out), `invite` (needs an unused \
                   invite code from an admin), `closed`. The first account of an empty deployment is an admin. \
                   Usernames: 3 to 32 of `a-z 0-9 _ . -`; passwords: 10 to 1024 characters.",
    security(()),
    request_body = Credentials,
    responses(
        (status = 201, description = "Signed up and signed in: the session cookies are set", body = SignedInView,
            headers(("Set-Cookie" = String, description = "`ps_session` (HttpOnly, the session) and `ps_csrf` \
                                                          (readable, the CSRF token)")),
        ),
        super::openapi::BodyErrors,
        (status = 403, description = "`signup_closed`; `invite`: the invite code is missing, unknown, used or expired; \
                                      `origin`: sent by a page of an origin that is not allowed",
            body = super::openapi::ApiErrorBody),
        super::openapi::LocalMode,
        (status = 409, description = "`conflict`: the username is taken", body = super::openapi::ApiErrorBody),
        (status = 429, description = "`rate_limited`: too many sign-ups from this address",
            body = super::openapi::ApiErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        super::openapi::StoreUnavailable,
    ),
)]
async fn signup(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Credentials>,
) -> Result<HttpResponse, ApiError> {
    accounts_only(&state)?;
    let guard = &state.guard;
    guard.check_origin(&req, false)?;
    guard
        .limit_signup(guard.client_address(&req))
        .inspect_err(|_| security_event(&state, "signup_rate_limited", None, &req))?;
    if guard.signup == SignupPolicy::Closed {
        return Err(ApiError::Forbidden {
            code: "signup_closed",
            message: "sign-up is closed on this server: ask its operator for an account".into(),
        });
    }
    let Credentials { username, password, invite } = body.into_inner();
    validate_username(&username).map_err(ApiError::BadRequest)?;
    validate_password(&password).map_err(ApiError::BadRequest)?;
    let keys = guard.keys()?;
    let invite_digest = invite.as_deref().map(str::trim).filter(|code| !code.is_empty()).map(|code| keys.digest(code));
    let invite_required = guard.signup == SignupPolicy::Invite;
    if !invite_required && invite_digest.is_some() {
        return Err(ApiError::BadRequest("sign-up is open on this server: leave the invite code out".into()));
    }
    let store = state.shared.store.clone();
    let name = username.clone();
    let outcome = web::block(move || {
        let hash = hash_password(&password).map_err(|error| {
            tracing::error!(%error, "password hashing failed");
            ApiError::Internal
        })?;
        let rules = SignupRules { invite_digest: invite_digest.as_deref(), invite_required, now_ms: now_ms() };
        Ok::<_, ApiError>(store.create_account(&name, &hash, rules)?)
    })
    .await??;
    match outcome {
        SignupOutcome::Created(account) => {
            security_event(&state, "signup", Some(account.id), &req);
            start_session(&req, &state, &account, actix_web::http::StatusCode::CREATED).await
        }
        SignupOutcome::UsernameTaken => Err(ApiError::Conflict(format!("the username {username} is taken"))),
        SignupOutcome::InviteInvalid => {
            security_event(&state, "signup_invite_refused", None, &req);
            Err(ApiError::Forbidden {
                code: "invite",
                message: "sign-up needs a valid invite code: it is missing, unknown, used or expired".into(),
            })
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/auth/login",
    operation_id = "login",
    tag = "accounts",
    summary = "Sign in",
    description = "Accounts mode only. Counted against the per-address login limit whether the password is right or \
                   wrong.",
    security(()),
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in: the session cookies are set", body = SignedInView,
            headers(("Set-Cookie" = String, description = "`ps_session` (HttpOnly, the session) and `ps_csrf` \
                                                          (readable, the CSRF token)")),
        ),
        super::openapi::BodyErrors,
        (status = 401, description = "`invalid_credentials`: the same answer for an unknown user and a wrong password",
            body = super::openapi::ApiErrorBody),
        (status = 403, description = "`origin`: sent by a page of an origin that is not allowed",
            body = super::openapi::ApiErrorBody),
        super::openapi::LocalMode,
        (status = 429, description = "`rate_limited`: too many attempts from this address",
            body = super::openapi::ApiErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        super::openapi::StoreUnavailable,
    ),
)]
async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Credentials>,
) -> Result<HttpResponse, ApiError> {
    accounts_only(&state)?;
    let guard = &state.guard;
    guard.check_origin(&req, false)?;
    // Counted before the password is checked: a brute force is slowed whether its
    // guesses are right or wrong, and costs no argon2 time once limited.
    guard
        .limit_login(guard.client_address(&req))
        .inspect_err(|_| security_event(&state, "login_rate_limited", None, &req))?;
    let Credentials { username, password, .. } = body.into_inner();
    if username.len() > 64 || password.chars().count() > purplesector_engine::auth::MAX_PASSWORD_CHARS {
        security_event(&state, "login_failed", None, &req);
        return Err(ApiError::InvalidCredentials);
    }
    let store = state.shared.store.clone();
    let account = web::block(move || {
        let account = store.account_by_name(&username)?;
        let hash = account.as_ref().and_then(|account| account.password_hash.clone());
        // An unknown user (or one without a password) costs one argon2 check too.
        let matches = verify_password(&password, hash.as_deref().unwrap_or(dummy_hash())) && hash.is_some();
        Ok::<_, ApiError>(account.filter(|_| matches))
    })
    .await??;
    match account {
        Some(account) => {
            security_event(&state, "login", Some(account.id), &req);
            start_session(&req, &state, &account, actix_web::http::StatusCode::OK).await
        }
        None => {
            security_event(&state, "login_failed", None, &req);
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// Cookies that replace the session's, expired.
fn cleared(name: &'static str, http_only: bool) -> Cookie<'static> {
    Cookie::build(name, "")
        .path("/")
        .http_only(http_only)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::ZERO)
        .finish()
}

#[utoipa::path(
    post,
    path = "/api/auth/logout",
    operation_id = "logout",
    tag = "accounts",
    summary = "Sign out",
    description = "Accounts mode only (local mode: `404`). The session is revoked and its cookies cleared.",
    security(("session_cookie" = [], "csrf_header" = [])),
    responses(
        (status = 204, description = "Signed out",
            headers(("Set-Cookie" = String, description = "`ps_session` and `ps_csrf`, expired"))),
        super::openapi::LocalMode,
        super::openapi::WriteErrors,
    ),
)]
async fn logout(req: HttpRequest, state: web::Data<AppState>, signed_in: SignedIn) -> Result<HttpResponse, ApiError> {
    let store = state.shared.store.clone();
    let digest = signed_in.session_digest.clone();
    web::block(move || store.revoke_auth_session(&digest)).await??;
    security_event(&state, "logout", Some(signed_in.account.id), &req);
    Ok(HttpResponse::NoContent().cookie(cleared(SESSION_COOKIE, true)).cookie(cleared(CSRF_COOKIE, false)).finish())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    current_password: String,
    /// 10 to 1024 characters.
    new_password: String,
}

#[utoipa::path(
    post,
    path = "/api/auth/password",
    operation_id = "change_password",
    tag = "accounts",
    summary = "Change the caller's password",
    description = "Accounts mode only (local mode: `404`). Every other session of the user is revoked; this one stays. \
                   Counted against the per-address login limit.",
    security(("session_cookie" = [], "csrf_header" = [])),
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        super::openapi::BodyErrors,
        super::openapi::LocalMode,
        super::openapi::WriteErrors,
        (status = 403, description = "`wrong_password`: the current password is wrong; `csrf`; `origin`",
            body = super::openapi::ApiErrorBody),
        (status = 429, description = "`rate_limited`: over the user's API limit or the address's login limit",
            body = super::openapi::ApiErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let PasswordChange { current_password, new_password } = body.into_inner();
    validate_password(&new_password).map_err(ApiError::BadRequest)?;
    // A session someone else picked up must not be enough to lock its owner out.
    state.guard.limit_login(state.guard.client_address(&req))?;
    let store = state.shared.store.clone();
    let account = signed_in.account.clone();
    let keep = signed_in.session_digest.clone();
    let changed = web::block(move || {
        let current = account.password_hash.as_deref().unwrap_or(dummy_hash());
        if !verify_password(&current_password, current) {
            return Ok::<_, ApiError>(false);
        }
        let hash = hash_password(&new_password).map_err(|_| ApiError::Internal)?;
        store.set_password_hash(account.id, &hash)?;
        store.revoke_auth_sessions_except(account.id, &keep)?;
        Ok(true)
    })
    .await??;
    if !changed {
        security_event(&state, "password_change_refused", Some(signed_in.account.id), &req);
        // Not 401: the session is fine, only the password typed is wrong.
        return Err(ApiError::Forbidden { code: "wrong_password", message: "the current password is wrong".into() });
    }
    security_event(&state, "password_changed", Some(signed_in.account.id), &req);
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    post,
    path = "/api/admin/invites",
    operation_id = "create_invite",
    tag = "accounts",
    summary = "Create an invite code (admins)",
    description = "Accounts mode only (local mode: `404`). The code is shown this once; it is good for one sign-up \
                   within 7 days.",
    security(("session_cookie" = [], "csrf_header" = [])),
    responses(
        (status = 201, description = "The invite code", body = super::openapi::Invite),
        super::openapi::LocalMode,
        super::openapi::WriteErrors,
        (status = 403, description = "`admin_only`: the caller is no admin; `csrf`; `origin`",
            body = super::openapi::ApiErrorBody),
    ),
)]
async fn create_invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    signed_in: SignedIn,
) -> Result<HttpResponse, ApiError> {
    if !signed_in.account.is_admin() {
        return Err(ApiError::Forbidden {
            code: "admin_only",
            message: "only an admin can create invite codes".into(),
        });
    }
    let invite = state.guard.keys()?.generate(INVITE_PREFIX);
    let expires_at_ms = now_ms() + INVITE_TTL_MS;
    let store = state.shared.store.clone();
    let (digest, admin) = (invite.digest.clone(), signed_in.account.id);
    web::block(move || store.create_invite(admin, &digest, expires_at_ms)).await??;
    security_event(&state, "invite_created", Some(admin), &req);
    Ok(HttpResponse::Created().json(serde_json::json!({"code": invite.secret, "expires_at_ms": expires_at_ms})))
}
