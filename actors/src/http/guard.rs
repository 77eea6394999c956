//! How this process decides who is calling (docs/accounts.md): the auth mode, the
//! secret key, the rate limiters, the origin check and the security headers. Built
//! once at start and shared by every worker; the extractors in `caller.rs` use it.

use super::ApiError;
use crate::rate_limit::KeyedLimiter;
use actix_web::http::Method;
use actix_web::HttpRequest;
use purplesector_engine::auth::{AuthMode, Keys, SignupPolicy};
use purplesector_engine::config::{ConfigError, Settings};
use std::net::IpAddr;
use std::time::Duration;

/// Name of the session cookie (HttpOnly) and of its CSRF companion (readable by the page).
pub const SESSION_COOKIE: &str = "ps_session";
pub const CSRF_COOKIE: &str = "ps_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The process's auth setup.
pub struct Guard {
    pub mode: AuthMode,
    /// `Some` in accounts mode.
    pub keys: Option<Keys>,
    pub signup: SignupPolicy,
    pub session_ttl: Duration,
    cors_origins: Vec<String>,
    /// `server.behind_proxy`: forwarded addresses and schemes are believed.
    behind_proxy: bool,
    login: KeyedLimiter<IpAddr>,
    signups: KeyedLimiter<IpAddr>,
    api: KeyedLimiter<i64>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard").field("mode", &self.mode).field("signup", &self.signup).finish_non_exhaustive()
    }
}

impl Guard {
    /// From the settings; fails (naming the key) where `Settings::auth_mode` does.
    pub fn new(settings: &Settings) -> Result<Guard, ConfigError> {
        let mode = settings.auth_mode()?;
        Ok(Guard {
            mode,
            keys: (mode == AuthMode::Accounts).then(|| Keys::new(&settings.auth.session_secret)),
            signup: settings.signup_policy(),
            session_ttl: Duration::from_secs(settings.auth.session_ttl_hours.saturating_mul(3600)),
            cors_origins: settings.cors_origins(),
            behind_proxy: settings.server.behind_proxy,
            login: KeyedLimiter::per_minute(settings.auth.login_per_minute),
            signups: KeyedLimiter::per_hour(settings.auth.signup_per_hour),
            api: KeyedLimiter::per_minute(settings.auth.api_per_minute),
        })
    }

    /// The secret key; accounts mode only (callers check the mode first).
    pub fn keys(&self) -> Result<&Keys, ApiError> {
        self.keys.as_ref().ok_or(ApiError::NotFound("this server runs in local mode: it has no accounts".into()))
    }

    pub fn limit_login(&self, address: IpAddr) -> Result<(), ApiError> {
        self.login.check(address).map_err(|wait| rate_limited("too many login attempts from this address", wait))
    }

    pub fn limit_signup(&self, address: IpAddr) -> Result<(), ApiError> {
        self.signups.check(address).map_err(|wait| rate_limited("too many sign-ups from this address", wait))
    }

    pub fn limit_api(&self, user: i64) -> Result<(), ApiError> {
        self.api.check(user).map_err(|wait| rate_limited("too many requests", wait))
    }

    /// Refuses a state-changing request, or a WebSocket upgrade, sent by a page of
    /// another origin (the browser says so in `Origin`): the server's own origin and
    /// `server.cors_origins` are allowed; a request without `Origin` is no browser's
    /// cross-site request.
    pub fn check_origin(&self, req: &HttpRequest, websocket: bool) -> Result<(), ApiError> {
        let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        if safe && !websocket {
            return Ok(());
        }
        let Some(origin) = req.headers().get("origin").and_then(|value| value.to_str().ok()) else {
            return Ok(());
        };
        // The Host header as the browser sent it (not a forwarded host: behind a
        // proxy the browser's Host is what the proxy passes on).
        let host = req.headers().get("host").and_then(|value| value.to_str().ok()).unwrap_or("");
        let own = [format!("http://{host}"), format!("https://{host}")];
        if own.iter().any(|allowed| allowed == origin) || self.cors_origins.iter().any(|allowed| allowed == origin) {
            return Ok(());
        }
        Err(ApiError::Forbidden {
            code: "origin",
            message: format!("requests from {origin} are not allowed (server.cors_origins)"),
        })
    }

    /// The configured extra origins (CORS).
    pub fn cors_origins(&self) -> &[String] {
        &self.cors_origins
    }
}

impl Guard {
    /// Whether the request came over HTTPS (behind a proxy: as `X-Forwarded-Proto`
    /// says): the session cookie is then `Secure`.
    pub fn is_https(&self, req: &HttpRequest) -> bool {
        if self.behind_proxy {
            req.connection_info().scheme() == "https"
        } else {
            req.app_config().secure()
        }
    }

    /// The client's address, for per-address limits and security logs: the TCP peer,
    /// or behind a proxy the first `Forwarded` / `X-Forwarded-For` address (actix's
    /// `realip_remote_addr`). Unknown addresses share one bucket.
    pub fn client_address(&self, req: &HttpRequest) -> IpAddr {
        let forwarded = if self.behind_proxy {
            req.connection_info().realip_remote_addr().and_then(|address| {
                address.parse::<IpAddr>().ok().or_else(|| address.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
            })
        } else {
            None
        };
        forwarded.or_else(|| req.peer_addr().map(|peer| peer.ip())).unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }
}

fn rate_limited(what: &str, retry_after_s: u64) -> ApiError {
    ApiError::RateLimited { message: format!("{what}: try again in {retry_after_s} s"), retry_after_s }
}

/// The headers every response carries: the web app loads only from this origin,
/// may not be framed, and types are not sniffed.
pub fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
             connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
}
