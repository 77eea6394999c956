//! The HTTP surface: REST under `/api` (described at `/api/openapi.json`), the
//! browser stream at `/ws`, health and metrics, and the web app at `/`.

mod accounts;
mod analysis;
mod caller;
mod coaching;
mod errors;
mod guard;
mod health;
mod ingest;
mod laps;
mod openapi;
mod sessions;
mod tokens;
mod web_app;
mod ws;

pub use caller::{Caller, IngestCaller, SignedIn};
pub use errors::ApiError;
pub use guard::{security_headers, Guard};
pub use openapi::ApiDoc;
pub use web_app::locate_web_dir;

use crate::engine::Engine;
use crate::shared::SharedRef;
use actix::Addr;
use actix_web::web;
use purplesector_engine::config::Roles;
use std::path::PathBuf;
use std::sync::Arc;

/// Largest JSON request body accepted by the REST API.
const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub shared: SharedRef,
    pub engine: Addr<Engine>,
    /// Which routes this process serves (`server.roles`).
    pub roles: Roles,
    /// Who may call (auth mode, secret key, limits).
    pub guard: Arc<Guard>,
    /// LLM suggestions and chat.
    pub coach: Addr<crate::coach::Coach>,
}

/// Registers every route on an actix-web `App`.
pub fn configure(state: AppState, web_dir: Option<PathBuf>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |config| {
        let roles = state.roles;
        config
            .app_data(web::Data::new(state))
            .app_data(web::JsonConfig::default().limit(MAX_JSON_BODY_BYTES).error_handler(errors::json_error))
            .app_data(web::PathConfig::default().error_handler(errors::path_error))
            .app_data(web::QueryConfig::default().error_handler(errors::query_error))
            .route("/healthz", web::get().to(health::healthz))
            .route("/readyz", web::get().to(health::readyz))
            .route("/metrics", web::get().to(health::metrics));
        if roles.bridge {
            config.route("/ws", web::get().to(ws::connect));
        }
        if roles.ingest {
            config.route("/ingest", web::get().to(ingest::connect));
        }
        if roles.api {
            config.service(
                web::scope("/api")
                    .configure(accounts::routes)
                    .configure(tokens::routes)
                    .configure(sessions::routes)
                    .configure(laps::routes)
                    .configure(analysis::routes)
                    .configure(coaching::routes)
                    .route("/openapi.json", web::get().to(openapi::serve))
                    .default_service(web::to(errors::api_not_found)),
            );
            web_app::configure(config, web_dir);
        }
    }
}

/// CORS for the origins in `server.cors_origins` (with credentials, the CSRF header
/// allowed); none configured, no CORS headers at all. Requests from other origins are
/// refused by the origin check of the extractors, not here.
pub fn cors(origins: &[String]) -> actix_web::middleware::Condition<actix_cors::Cors> {
    let mut cors = actix_cors::Cors::default().block_on_origin_mismatch(false);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    let cors = cors
        .allowed_methods(["GET", "POST", "PATCH", "DELETE"])
        .allowed_headers(["content-type", "accept", guard::CSRF_HEADER])
        .supports_credentials()
        .max_age(3600);
    actix_web::middleware::Condition::new(!origins.is_empty(), cors)
}
