//! The stored track models: one per user, sim and track, kept as the engine's
//! `TrackModel` JSON so the store need not know its shape. The analysis loads it,
//! refines it with laps it has not learnt from, and saves it back.

use super::{Backend, Store, StoreError, UserId};

/// A stored model and the newest lap it has learnt from.
#[derive(Debug, Clone, PartialEq, Eq, diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = super::schema::track_models)]
pub struct StoredTrackModel {
    pub model: String,
    pub through_lap_id: i64,
}

impl Store {
    pub fn track_model(&self, owner: UserId, sim: &str, track: &str) -> Result<Option<StoredTrackModel>, StoreError> {
        dispatch!(self, store => store.track_model(owner, sim, track))
    }

    /// Creates or replaces the owner's model of a track.
    pub fn save_track_model(
        &self,
        owner: UserId,
        sim: &str,
        track: &str,
        stored: &StoredTrackModel,
    ) -> Result<(), StoreError> {
        dispatch!(self, store => store.save_track_model(owner, sim, track, stored))
    }
}
