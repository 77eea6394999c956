//! Kept AI suggestions on SQLite (see [`crate::storage::Store::save_lap_suggestions`]).

use diesel::prelude::*;

use super::SqliteStore;
use crate::storage::schema::lap_analyses;
use crate::storage::{now_ms, StoreError, UserId};

impl SqliteStore {
    pub(in crate::storage) fn save_lap_suggestions(
        &self,
        owner: UserId,
        lap_id: i64,
        reference_lap_id: Option<i64>,
        suggestions_json: &str,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        diesel::insert_into(lap_analyses::table)
            .values((
                lap_analyses::lap_id.eq(lap_id),
                lap_analyses::user_id.eq(owner.0),
                lap_analyses::reference_lap_id.eq(reference_lap_id),
                lap_analyses::analysis.eq(suggestions_json),
                lap_analyses::created_at_ms.eq(now_ms()),
            ))
            .execute(&mut conn)?;
        Ok(())
    }

    pub(in crate::storage) fn latest_lap_suggestions(
        &self,
        owner: UserId,
        lap_id: i64,
    ) -> Result<Option<String>, StoreError> {
        let mut conn = self.conn()?;
        Ok(lap_analyses::table
            .filter(lap_analyses::lap_id.eq(lap_id))
            .filter(lap_analyses::user_id.eq(owner.0))
            .order(lap_analyses::id.desc())
            .select(lap_analyses::analysis)
            .first(&mut conn)
            .optional()?)
    }
}
