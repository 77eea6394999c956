//! Kept AI suggestions on PostgreSQL (see [`crate::storage::Store::save_lap_suggestions`]).

use diesel::{ExpressionMethods, OptionalExtension, QueryDsl};
use diesel_async::RunQueryDsl;

use super::PostgresStore;
use crate::storage::schema::lap_analyses;
use crate::storage::{now_ms, StoreError, UserId};

impl PostgresStore {
    pub(in crate::storage) fn save_lap_suggestions(
        &self,
        owner: UserId,
        lap_id: i64,
        reference_lap_id: Option<i64>,
        suggestions_json: &str,
    ) -> Result<(), StoreError> {
        let pools = self.pools();
        let json = suggestions_json.to_string();
        self.run(async move {
            diesel::insert_into(lap_analyses::table)
                .values((
                    lap_analyses::lap_id.eq(lap_id),
                    lap_analyses::user_id.eq(owner.0),
                    lap_analyses::reference_lap_id.eq(reference_lap_id),
                    lap_analyses::analysis.eq(&json),
                    lap_analyses::created_at_ms.eq(now_ms()),
                ))
                .execute(&mut pools.conn().await?)
                .await?;
            Ok(())
        })
    }

    pub(in crate::storage) fn latest_lap_suggestions(
        &self,
        owner: UserId,
        lap_id: i64,
    ) -> Result<Option<String>, StoreError> {
        let pools = self.pools();
        self.run(async move {
            Ok(lap_analyses::table
                .filter(lap_analyses::lap_id.eq(lap_id))
                .filter(lap_analyses::user_id.eq(owner.0))
                .order(lap_analyses::id.desc())
                .select(lap_analyses::analysis)
                .first(&mut pools.conn().await?)
                .await
                .optional()?)
        })
    }
}
