//! The OpenAPI 3.1 description of `/api`, served at `GET /api/openapi.json` (utoipa).
//!
//! Each route is described where it is defined, by the `#[utoipa::path]` on its
//! handler; this module gathers them and describes what they share: the error body,
//! the JSON of the protobuf types and of the answers built with `serde_json::json!`
//! (schemas written for the description, mirroring that JSON), the common error
//! answers, the security schemes and the tags. `tests/api/openapi.rs` checks the
//! description against the routes the server answers, both ways.

// The schema types below describe JSON that the handlers build in other ways
// (`serde_json::json!`, the protobuf types): they are never built themselves.
#![allow(dead_code)]

use actix_web::HttpResponse;
use std::collections::HashMap;
use std::sync::OnceLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};

/// Security scheme names, as the `#[utoipa::path]` attributes use them.
pub const SESSION_COOKIE: &str = "session_cookie";
pub const CSRF_HEADER: &str = "csrf_header";
pub const INGEST_TOKEN: &str = "ingest_token";

const DESCRIPTION: &str = "\
The REST API of Purple Sector, a sim-racing telemetry platform. JSON in and out, with the \
field names of `proto/telemetry.proto` (snake_case); times are milliseconds, Unix times \
milliseconds since the epoch (`*_at_ms`). Prose reference: `docs/api.md` and `docs/accounts.md`.

**Errors** always have the shape `{\"error\": {\"code\", \"message\"}}` (`ApiErrorBody`) with \
the matching status. Besides the answers listed per route, any route may answer \
`500 internal`; a request body over 64 KiB is `413 payload_too_large`; a path id of the wrong \
form (a lap id that is not a number) is `404 not_found`, like an unknown `/api` route.

**Who is calling.** In local mode (the default on a racer's PC, a loopback bind with the \
embedded store) every request is the built-in local user's and needs no credentials. In \
accounts mode every `/api` route except `GET /api/auth/me`, `POST /api/auth/signup`, \
`POST /api/auth/login` and this description needs the `ps_session` cookie \
(`session_cookie`, set by login and sign-up); `POST`, `PATCH` and `DELETE` requests \
authenticated by it also need the session's CSRF token in the `X-CSRF-Token` header \
(`csrf_header`), and a request whose `Origin` is neither the server's own nor allowed \
(`server.cors_origins`) is refused (`403 origin`). Every signed-in call counts against the \
user's API limit (`429 rate_limited`, `Retry-After`). Everything is scoped to the caller: \
another user's session, lap or token answers exactly like a missing one (`404 not_found`).

**Not described here**, as OpenAPI does not describe WebSockets:
- `GET /ws`, the browser live stream: binary protobuf `ServerMessage`/`ClientMessage` by \
default, the same messages as JSON text with `?format=json`; the session cookie in accounts mode.
- `GET /ingest`, the collectors' stream: binary protobuf `IngestRequest`/`IngestResponse`, one \
answer per request, in order; in accounts mode an ingest token (from `POST /api/tokens`) as \
`Authorization: Bearer psi_...` (`ingest_token`), refused with 401 before the upgrade.

Outside `/api` too: `GET /healthz`, `GET /readyz` and `GET /metrics` (Prometheus).";

/// The description of `/api`.
#[derive(OpenApi)]
#[openapi(
    info(title = "Purple Sector API", description = DESCRIPTION),
    paths(
        serve,
        super::sessions::list,
        super::sessions::create,
        super::sessions::get,
        super::sessions::rename,
        super::sessions::delete,
        super::sessions::laps,
        super::laps::get,
        super::laps::telemetry,
        super::laps::telemetry_csv,
        super::laps::export_ld,
        super::analysis::lap_analysis,
        super::analysis::compare,
        super::analysis::session_analysis,
        super::coaching::analysis_with_ai,
        super::coaching::chat_history,
        super::coaching::chat,
        super::accounts::me,
        super::accounts::signup,
        super::accounts::login,
        super::accounts::logout,
        super::accounts::change_password,
        super::accounts::create_invite,
        super::tokens::list,
        super::tokens::create,
        super::tokens::revoke,
    ),
    components(schemas(ApiErrorBody, ApiErrorDetail, ChatEvent)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "sessions", description = "Sessions: a stint of driving on one track and car, and its laps"),
        (name = "laps", description = "A lap and its telemetry: columnar JSON, CSV, a MoTeC i2 log file"),
        (name = "analysis", description = "The built-in analysis of stored laps, computed on request"),
        (name = "coaching", description = "AI coaching through an OpenAI-compatible API (off without an API key)"),
        (name = "accounts", description = "Sign-up, login, logout, password, who am I, invite codes (accounts mode)"),
        (name = "tokens", description = "The ingest tokens a user's collectors present on `/ingest`"),
        (name = "meta", description = "This description"),
    ),
)]
pub struct ApiDoc;

/// The security schemes the routes name: the session cookie and its CSRF header
/// (browsers), and the ingest token (collectors, on the `/ingest` WebSocket).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            SESSION_COOKIE,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                super::guard::SESSION_COOKIE,
                "Accounts mode: the HttpOnly browser session cookie set by `POST /api/auth/login` and \
                 `POST /api/auth/signup` (SameSite=Lax, lives `auth.session_ttl_hours`). Not needed in local mode.",
            ))),
        );
        components.add_security_scheme(
            CSRF_HEADER,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "Accounts mode: the session's `csrf_token` (from login, sign-up or `GET /api/auth/me`, also in \
                 the readable `ps_csrf` cookie), required with the cookie on every POST, PATCH and DELETE; \
                 without it `403 csrf`.",
            ))),
        );
        components.add_security_scheme(
            INGEST_TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("psi_...")
                    .description(Some(
                        "Accounts mode: an ingest token (`POST /api/tokens`) that a collector presents as \
                         `Authorization: Bearer psi_...` on the `/ingest` WebSocket (not an `/api` route). \
                         A missing, unknown or revoked token is refused with 401 before the upgrade.",
                    ))
                    .build(),
            ),
        );
    }
}

/// `GET /api/openapi.json`: this description (built once), for anyone.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "get_openapi",
    tag = "meta",
    summary = "This OpenAPI 3.1 description of /api",
    security(()),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object)),
)]
pub(super) async fn serve() -> HttpResponse {
    static JSON: OnceLock<String> = OnceLock::new();
    let json = JSON.get_or_init(|| ApiDoc::openapi().to_json().unwrap_or_else(|_| "{}".to_string()));
    HttpResponse::Ok().content_type("application/json").body(json.as_str())
}

// ---- The error body and the common error answers ----

/// The body of every error answer.
#[derive(ToSchema)]
#[schema(example = json!({"error": {"code": "not_found", "message": "lap 17 not found"}}))]
pub struct ApiErrorBody {
    pub error: ApiErrorDetail,
}

/// What went wrong.
#[derive(ToSchema)]
pub struct ApiErrorDetail {
    /// For programs: `bad_request` (400), `unauthenticated`, `invalid_credentials` (401),
    /// `csrf`, `origin`, `wrong_password`, `invite`, `signup_closed`, `admin_only` (403),
    /// `not_found` (404), `conflict` (409), `payload_too_large` (413), `cannot_analyse`
    /// (422), `rate_limited` (429), `internal` (500), `unavailable`, `ai_off`, `ai_busy`,
    /// `ai_timeout`, `ai_upstream`, `ai_bad_output` (503).
    #[schema(example = "not_found")]
    pub code: String,
    /// For people; never an internal detail.
    pub message: String,
}

/// The errors any read (`GET`) of a caller's data may answer.
#[derive(IntoResponses)]
pub enum ReadErrors {
    #[response(status = 401, description = "`unauthenticated`: accounts mode, no valid session cookie")]
    Unauthenticated(ApiErrorBody),
    #[response(
        status = 429,
        description = "`rate_limited`: over the user's API limit (`auth.api_per_minute`)",
        headers(("Retry-After" = u64, description = "Seconds to wait"))
    )]
    RateLimited(ApiErrorBody),
    #[response(status = 503, description = "`unavailable`: the store cannot answer now")]
    Unavailable(ApiErrorBody),
}

/// The errors any state-changing request (`POST`, `PATCH`, `DELETE`) of a signed-in
/// caller may answer.
#[derive(IntoResponses)]
pub enum WriteErrors {
    #[response(status = 401, description = "`unauthenticated`: accounts mode, no valid session cookie")]
    Unauthenticated(ApiErrorBody),
    #[response(
        status = 403,
        description = "`csrf`: accounts mode, no or a wrong `X-CSRF-Token`; `origin`: sent by a page of an origin \
                       that is not allowed"
    )]
    Forbidden(ApiErrorBody),
    #[response(
        status = 429,
        description = "`rate_limited`: over the user's API limit (`auth.api_per_minute`)",
        headers(("Retry-After" = u64, description = "Seconds to wait"))
    )]
    RateLimited(ApiErrorBody),
    #[response(status = 503, description = "`unavailable`: the store cannot answer now")]
    Unavailable(ApiErrorBody),
}

/// The errors of a JSON request body.
#[derive(IntoResponses)]
pub enum BodyErrors {
    #[response(
        status = 400,
        description = "`bad_request`: not valid JSON, unknown or missing fields, or a value out of range (the \
                       message says which)"
    )]
    BadRequest(ApiErrorBody),
    #[response(status = 413, description = "`payload_too_large`: a body over 64 KiB")]
    PayloadTooLarge(ApiErrorBody),
}

/// A session that is missing, or another user's.
#[derive(IntoResponses)]
#[response(status = 404, description = "`not_found`: no such session of the caller's")]
pub struct SessionNotFound(ApiErrorBody);

/// A lap that is missing, or another user's.
#[derive(IntoResponses)]
#[response(status = 404, description = "`not_found`: no such lap of the caller's")]
pub struct LapNotFound(ApiErrorBody);

/// A lap, or the reference lap it is analysed against, that is missing or another user's.
#[derive(IntoResponses)]
#[response(status = 404, description = "`not_found`: no such lap, or no such reference lap, of the caller's")]
pub struct LapOrReferenceNotFound(ApiErrorBody);

/// An accounts route on a server in local mode.
#[derive(IntoResponses)]
#[response(status = 404, description = "`not_found`: the server runs in local mode, without accounts")]
pub struct LocalMode(ApiErrorBody);

/// The store cannot answer (the routes open to anyone: the others have it in their
/// [`ReadErrors`] or [`WriteErrors`]).
#[derive(IntoResponses)]
#[response(status = 503, description = "`unavailable`: the store cannot answer now")]
pub struct StoreUnavailable(ApiErrorBody);

/// A lap the analysis cannot work with.
#[derive(IntoResponses)]
#[response(
    status = 422,
    description = "`cannot_analyse`: the lap cannot be analysed (too short, no distance channel, another track), \
                   with the reason"
)]
pub struct CannotAnalyse(ApiErrorBody);

// ---- Sessions and laps (the JSON form of the protobuf types) ----

/// A sim, by its short name.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Sim {
    Unspecified,
    Demo,
    #[schema(rename = "ac")]
    AssettoCorsa,
    Acc,
    F1,
    Forza,
    Outgauge,
}

/// A session: a stint of driving on one track and car (protobuf `SessionInfo`).
#[derive(ToSchema)]
pub struct SessionInfo {
    pub id: String,
    pub name: String,
    pub sim: Sim,
    pub track: String,
    pub car: String,
    /// `null` when unknown.
    #[schema(required = true)]
    pub track_length_m: Option<f32>,
    pub started_at_ms: i64,
    pub updated_at_ms: i64,
    pub lap_count: u32,
    /// `null` before a valid lap.
    #[schema(required = true)]
    pub best_lap_time_ms: Option<u32>,
    /// True while frames are streaming into the session.
    pub live: bool,
}

/// A completed lap (protobuf `LapInfo`).
#[derive(ToSchema)]
pub struct LapInfo {
    pub id: i64,
    pub session_id: String,
    pub lap_number: u32,
    pub lap_time_ms: u32,
    /// True when the sim reported the lap time, false when the engine interpolated the
    /// line crossing.
    pub official_time: bool,
    pub valid: bool,
    pub out_lap: bool,
    pub in_lap: bool,
    pub first_seq: u64,
    pub last_seq: u64,
    pub completed_at_ms: i64,
}

/// The caller's sessions, newest first.
#[derive(ToSchema)]
pub struct SessionList {
    pub sessions: Vec<SessionInfo>,
}

/// A session's laps, in lap order.
#[derive(ToSchema)]
pub struct LapList {
    pub laps: Vec<LapInfo>,
}

/// A lap with its session.
#[derive(ToSchema)]
pub struct LapWithSession {
    pub lap: LapInfo,
    pub session: SessionInfo,
}

/// A lap's telemetry, one array per channel.
#[derive(ToSchema)]
pub struct LapTelemetry {
    pub lap: LapInfo,
    /// Channel name (`seq`, `session_time_ms`, `lap_time_ms`, `lap_distance_m`,
    /// `normalized_position`, `speed_kmh`, `throttle`, `brake`, `clutch`, `steering`,
    /// `gear`, `rpm`, `x`, `y`, `z`, `g_lat`, `g_lon`, `g_vert`, `yaw`, `fuel_l`,
    /// `tyre_temp_*`, `tyre_pressure_*`, `wheel_slip_*`, `brake_temp_*` for `fl`, `fr`,
    /// `rl`, `rr`, `in_pit`, `lap_invalid`) -> one value per frame in `seq` order, all
    /// arrays of the same length, `null` where the sim did not report the value.
    pub channels: HashMap<String, Vec<Option<f64>>>,
}

/// A binary file.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct BinaryFile(Vec<u8>);

// ---- Analysis and coaching ----

/// A lap analysed against a reference lap.
#[derive(ToSchema)]
pub struct LapAnalysisAnswer {
    pub lap: LapInfo,
    /// `null` when the session has no other valid lap to compare with.
    #[schema(required = true)]
    pub reference: Option<LapInfo>,
    /// The track model the analysis used: `length_m`, the numbered `corners` (spans of
    /// lap distance), `source`, `laps`, `candidates`.
    #[schema(value_type = Object)]
    pub track_model: serde_json::Value,
    /// The analysis: `lap_time_ms`, `reference_lap_time_ms`, `length_m`, the corner
    /// metrics of both laps (braking point, peak brake, minimum speed and where, throttle
    /// pickup, entry/apex/exit times and speeds), `segments` with deltas that sum to the
    /// lap delta, `sectors_ms`, the `delta` trace against lap distance (at most 2,000
    /// points), the time lost per corner zone (`zones`) and `suggestions` ranked by time
    /// at stake.
    #[schema(value_type = Object)]
    pub analysis: serde_json::Value,
}

/// A session's laps analysed together.
#[derive(ToSchema)]
pub struct SessionAnalysisAnswer {
    /// The laps analysed (the newest 60), in lap order.
    pub lap_ids: Vec<i64>,
    /// The track model, from the session's valid laps (best first).
    #[schema(value_type = Object)]
    pub track_model: serde_json::Value,
    /// Each lap's segments and sectors with the session bests marked, the theoretical
    /// best (best segments and sectors, with the lap that set each), lap-time and
    /// per-corner consistency, and consistency suggestions.
    #[schema(value_type = Object)]
    pub analysis: serde_json::Value,
}

/// A lap analysed against a reference lap, with the AI coach's suggestions.
#[derive(ToSchema)]
pub struct AiAnalysisAnswer {
    pub lap: LapInfo,
    #[schema(required = true)]
    pub reference: Option<LapInfo>,
    /// As in `LapAnalysisAnswer`.
    #[schema(value_type = Object)]
    pub track_model: serde_json::Value,
    /// As in `LapAnalysisAnswer`; its built-in `suggestions` stand whatever `ai` says.
    #[schema(value_type = Object)]
    pub analysis: serde_json::Value,
    pub ai: AiAnswer,
}

/// What the AI coach made of the analysis.
#[derive(ToSchema)]
pub struct AiAnswer {
    pub status: AiStatus,
    /// With `ok`.
    pub suggestions: Option<Vec<AiSuggestion>>,
    /// With `off` (`ai_off`) or `error` (`rate_limited`, `ai_busy`, `ai_timeout`,
    /// `ai_upstream`, `ai_bad_output`).
    pub error: Option<ApiErrorDetail>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum AiStatus {
    Ok,
    Off,
    Error,
}

/// One suggestion of the AI coach.
#[derive(ToSchema)]
pub struct AiSuggestion {
    /// The corner's number, or `null` for the lap as a whole.
    #[schema(required = true)]
    pub corner: Option<u32>,
    pub kind: AiSuggestionKind,
    pub message: String,
    pub time_at_stake_ms: f64,
    pub severity: Severity,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum AiSuggestionKind {
    Braking,
    Throttle,
    Steering,
    Line,
    Consistency,
    General,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Minor,
    Major,
}

/// A lap's coaching chat.
#[derive(ToSchema)]
pub struct ChatHistory {
    /// Whether AI coaching is on (`openai.api_key` set).
    pub ai: bool,
    /// Oldest first (at most 200).
    pub messages: Vec<ChatMessage>,
}

#[derive(ToSchema)]
pub struct ChatMessage {
    pub role: ChatRole,
    pub content: String,
    pub created_at_ms: i64,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ChatRole {
    User,
    Assistant,
}

/// The JSON of one server-sent event (`data: ...`) of `POST /api/laps/{id}/chat`:
/// `{"delta": "..."}` pieces of the reply as the model writes, then `{"done": true}`
/// once the question and the reply are stored, or one `{"error": {"code", "message"}}`.
#[derive(ToSchema)]
pub struct ChatEvent {
    pub delta: Option<String>,
    pub done: Option<bool>,
    pub error: Option<ApiErrorDetail>,
}

// ---- Accounts and tokens ----

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum AuthMode {
    Local,
    Accounts,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum SignupPolicy {
    Open,
    Invite,
    Closed,
}

/// Who is calling, and how this server signs people in.
#[derive(ToSchema)]
pub struct Me {
    pub mode: AuthMode,
    pub signup: SignupPolicy,
    /// `null` when not signed in (accounts mode); the built-in local user in local mode.
    #[schema(required = true)]
    pub user: Option<super::accounts::UserView>,
    /// The session's CSRF token, for `X-CSRF-Token`; `null` in local mode or when not
    /// signed in.
    #[schema(required = true)]
    pub csrf_token: Option<String>,
}

/// A new invite code: shown this once, usable once, for 7 days.
#[derive(ToSchema)]
pub struct Invite {
    #[schema(example = "psv_...")]
    pub code: String,
    pub expires_at_ms: i64,
}

/// An ingest token (never its secret).
#[derive(ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// `ingest`.
    pub scope: String,
    pub created_at_ms: i64,
    #[schema(required = true)]
    pub last_used_at_ms: Option<i64>,
    /// `null` while the token is usable.
    #[schema(required = true)]
    pub revoked_at_ms: Option<i64>,
}

/// The caller's ingest tokens, revoked ones included.
#[derive(ToSchema)]
pub struct TokenList {
    pub tokens: Vec<ApiToken>,
}

/// A new ingest token and its secret, shown this once (the store keeps its HMAC).
#[derive(ToSchema)]
pub struct CreatedToken {
    pub token: ApiToken,
    #[schema(example = "psi_...")]
    pub secret: String,
}
