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
}

pub type SharedRef = Arc<Shared>;
