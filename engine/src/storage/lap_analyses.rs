//! The coach's suggestions for a lap, kept (`lap_analyses`) so a lap's chat can
//! build on what was already said, and the page can show them again.

use super::{Backend, Store, StoreError, UserId};

impl Store {
    /// Keeps the AI suggestions (JSON) made for one of the owner's laps against a
    /// reference; false when the owner has no such lap.
    pub fn save_lap_suggestions(
        &self,
        owner: UserId,
        lap_id: i64,
        reference_lap_id: Option<i64>,
        suggestions_json: &str,
    ) -> Result<bool, StoreError> {
        if self.get_lap(owner, lap_id)?.is_none() {
            return Ok(false);
        }
        dispatch!(self, store => store.save_lap_suggestions(owner, lap_id, reference_lap_id, suggestions_json))?;
        Ok(true)
    }

    /// The newest AI suggestions (JSON) kept for one of the owner's laps.
    pub fn latest_lap_suggestions(&self, owner: UserId, lap_id: i64) -> Result<Option<String>, StoreError> {
        dispatch!(self, store => store.latest_lap_suggestions(owner, lap_id))
    }
}
