//! Stored track models on PostgreSQL (see [`crate::storage::Store::track_model`]).

use diesel::upsert::excluded;
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, SelectableHelper};
use diesel_async::RunQueryDsl;

use super::PostgresStore;
use crate::storage::schema::track_models;
use crate::storage::{now_ms, StoreError, StoredTrackModel, UserId};

impl PostgresStore {
    pub(in crate::storage) fn track_model(
        &self,
        owner: UserId,
        sim: &str,
        track: &str,
    ) -> Result<Option<StoredTrackModel>, StoreError> {
        let pools = self.pools();
        let (sim, track) = (sim.to_string(), track.to_string());
        self.run(async move {
            Ok(track_models::table
                .find((owner.0, &sim, &track))
                .select(StoredTrackModel::as_select())
                .first(&mut pools.conn().await?)
                .await
                .optional()?)
        })
    }

    pub(in crate::storage) fn save_track_model(
        &self,
        owner: UserId,
        sim: &str,
        track: &str,
        stored: &StoredTrackModel,
    ) -> Result<(), StoreError> {
        let pools = self.pools();
        let (sim, track, stored) = (sim.to_string(), track.to_string(), stored.clone());
        self.run(async move {
            diesel::insert_into(track_models::table)
                .values((
                    track_models::user_id.eq(owner.0),
                    track_models::sim.eq(&sim),
                    track_models::track.eq(&track),
                    track_models::model.eq(&stored.model),
                    track_models::through_lap_id.eq(stored.through_lap_id),
                    track_models::updated_at_ms.eq(now_ms()),
                ))
                .on_conflict((track_models::user_id, track_models::sim, track_models::track))
                .do_update()
                .set((
                    track_models::model.eq(excluded(track_models::model)),
                    track_models::through_lap_id.eq(excluded(track_models::through_lap_id)),
                    track_models::updated_at_ms.eq(excluded(track_models::updated_at_ms)),
                ))
                .execute(&mut pools.conn().await?)
                .await?;
            Ok(())
        })
    }
}
