//! What a session or user sends to its viewers (browser connections, or any
//! recipient in tests).

use actix::prelude::*;
use purplesector_proto::v1::{LapInfo, SessionInfo, TelemetryFrame};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Identifies one viewer connection within the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ViewerId(pub u64);

impl ViewerId {
    /// A process-unique id.
    pub fn next() -> ViewerId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        ViewerId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// An event for a viewer. Frames are shared, not copied, between viewers.
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub enum ViewerEvent {
    Frames { session_id: Arc<str>, frames: Arc<Vec<TelemetryFrame>>, catch_up: bool },
    LapCompleted(LapInfo),
    SessionUpdated(SessionInfo),
}

pub type ViewerRecipient = Recipient<ViewerEvent>;
