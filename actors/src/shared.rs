//! What every actor and HTTP handler of one running application shares.

use crate::metrics::Metrics;
use purplesector_engine::config::Settings;
use purplesector_engine::storage::Store;
use std::sync::Arc;

/// Settings, the store and the metrics of one application instance. Tests run
/// several instances in one process, so none of this is global.
#[derive(Debug)]
pub struct Shared {
    pub settings: Settings,
    pub store: Store,
    pub metrics: Metrics,
    /// Turns true when the application starts shutting down: long-lived
    /// connections (browsers, collectors) close with "going away" instead of
    /// holding the shutdown until its deadline.
    pub shutdown: tokio::sync::watch::Sender<bool>,
}

impl Shared {
    pub fn new(settings: Settings, store: Store, metrics: Metrics) -> Shared {
        Shared { settings, store, metrics, shutdown: tokio::sync::watch::Sender::new(false) }
    }
}

pub type SharedRef = Arc<Shared>;
