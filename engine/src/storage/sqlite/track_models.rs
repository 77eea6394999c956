//! Stored track models on SQLite (see [`crate::storage::Store::track_model`]).

use diesel::prelude::*;

use super::SqliteStore;
use crate::storage::schema::track_models;
use crate::storage::{now_ms, StoreError, StoredTrackModel, UserId};

impl SqliteStore {
    pub(in crate::storage) fn track_model(
        &self,
        owner: UserId,
        sim: &str,
        track: &str,
    ) -> Result<Option<StoredTrackModel>, StoreError> {
        let mut conn = self.conn()?;
        Ok(track_models::table
            .find((owner.0, sim, track))
            .select(StoredTrackModel::as_select())
            .first(&mut conn)
            .optional()?)
    }

    pub(in crate::storage) fn save_track_model(
        &self,
        owner: UserId,
        sim: &str,
        track: &str,
        stored: &StoredTrackModel,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        diesel::replace_into(track_models::table)
            .values((
                track_models::user_id.eq(owner.0),
                track_models::sim.eq(sim),
                track_models::track.eq(track),
                track_models::model.eq(&stored.model),
                track_models::through_lap_id.eq(stored.through_lap_id),
                track_models::updated_at_ms.eq(now_ms()),
            ))
            .execute(&mut conn)?;
        Ok(())
    }
}
