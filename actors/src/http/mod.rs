//! The HTTP surface: REST under `/api`, the browser stream at `/ws`, health and
//! metrics, and the web app at `/`.

mod analysis;
mod caller;
mod errors;
mod health;
mod ingest;
mod laps;
mod sessions;
mod web_app;
mod ws;

pub use caller::Caller;
pub use errors::ApiError;
pub use web_app::locate_web_dir;

use crate::engine::Engine;
use crate::shared::SharedRef;
use actix::Addr;
use actix_web::web;
use purplesector_engine::config::Roles;
use std::path::PathBuf;

/// Largest JSON request body accepted by the REST API.
const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub shared: SharedRef,
    pub engine: Addr<Engine>,
    /// Which routes this process serves (`server.roles`).
    pub roles: Roles,
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
                    .configure(sessions::routes)
                    .configure(laps::routes)
                    .configure(analysis::routes)
                    .default_service(web::to(errors::api_not_found)),
            );
            web_app::configure(config, web_dir);
        }
    }
}
