//! API errors as `{"error": {"code", "message"}}` with the right status, never a
//! stack trace or an internal detail.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use purplesector_engine::export::motec::MotecError;
use purplesector_engine::storage::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Well-formed, but the data cannot give what was asked (a lap too short to analyse).
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Unavailable(String),
    /// No valid session or token (401 `unauthenticated`): the web app shows its login page.
    #[error("{0}")]
    Unauthenticated(String),
    /// A login with a wrong username or password (401, one answer for both).
    #[error("wrong username or password")]
    InvalidCredentials,
    /// Signed in, but not allowed: CSRF, origin, role (403 with its own code).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// A name already taken (409).
    #[error("{0}")]
    Conflict(String),
    /// The AI coach cannot answer (503 with its own code: off, busy, timeout, ...).
    #[error("{message}")]
    CoachUnavailable { code: &'static str, message: String },
    /// Over a rate limit (429, `Retry-After`).
    #[error("{message}")]
    RateLimited { message: String, retry_after_s: u64 },
    #[error("internal error")]
    Internal,
}

impl ApiError {
    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::NotFound(_) => "not_found",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::Unprocessable(_) => "cannot_analyse",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Unauthenticated(_) => "unauthenticated",
            ApiError::InvalidCredentials => "invalid_credentials",
            ApiError::Forbidden { code, .. } => code,
            ApiError::Conflict(_) => "conflict",
            ApiError::CoachUnavailable { code, .. } => code,
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Internal => "internal",
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Unauthenticated(_) | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::CoachUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if let ApiError::RateLimited { retry_after_s, .. } = self {
            response.insert_header(("Retry-After", retry_after_s.to_string()));
        }
        response.json(serde_json::json!({"error": {"code": self.code(), "message": self.to_string()}}))
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "store error while answering a request");
        ApiError::Unavailable("the store is unavailable".into())
    }
}

impl From<MotecError> for ApiError {
    fn from(error: MotecError) -> Self {
        tracing::error!(%error, "could not write a MoTeC .ld export");
        ApiError::Internal
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        tracing::error!(%error, "blocking task failed");
        ApiError::Internal
    }
}

pub(super) fn json_error(error: actix_web::error::JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError;
    match error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::PayloadTooLarge(format!("request body too large: {error}")).into()
        }
        other => ApiError::BadRequest(format!("invalid JSON body: {other}")).into(),
    }
}

pub(super) fn path_error(error: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound(format!("no such resource: {error}")).into()
}

pub(super) fn query_error(error: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(format!("invalid query string: {error}")).into()
}

pub(super) async fn api_not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!("no API route {} {}", req.method(), req.path())))
}
