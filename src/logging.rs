//! Logs: `tracing` to stderr, human-readable or JSON by configuration; `RUST_LOG`
//! overrides the configured level.

use purplesector_engine::config::LogSettings;
use tracing_subscriber::EnvFilter;

pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::try_new(&settings.level).unwrap_or_else(|_| EnvFilter::new("info")));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if settings.format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
