//! What every actor and HTTP handler of one running application shares.

use crate::metrics::Metrics;
use purplesector_engine::config::Settings;
use purplesector_engine::kafka::BusProducer;
use purplesector_engine::storage::Store;
use std::sync::Arc;

/// Settings, the store and the metrics of one application instance. Tests run
/// several instances in one process, so none of this is global.
#[derive(Debug)]
pub struct Shared {
    pub settings: Settings,
    pub store: Store,
    pub metrics: Metrics,
    /// Kafka mode: the producer of the ingest and writer roles (frames, session
    /// ends, stored laps). `None` in embedded mode and in roles that only read.
    pub bus: Option<BusProducer>,
    /// Turns true when the application starts shutting down: long-lived
    /// connections (browsers, collectors) close with "going away" instead of
    /// holding the shutdown until its deadline.
    pub shutdown: tokio::sync::watch::Sender<bool>,
}

impl Shared {
    pub fn new(settings: Settings, store: Store, metrics: Metrics) -> Shared {
        Shared { settings, store, metrics, bus: None, shutdown: tokio::sync::watch::Sender::new(false) }
    }

    /// With the Kafka producer of this process.
    pub fn with_bus(mut self, bus: Option<BusProducer>) -> Shared {
        self.bus = bus;
        self
    }
}

pub type SharedRef = Arc<Shared>;
