//! A lap's coaching chat in the store: the driver's questions and the coach's
//! answers, in order, scoped to the lap's owner.

use super::{Backend, Store, StoreError, UserId};
use serde::Serialize;

/// One message of a lap's chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = super::schema::chat_messages)]
pub struct ChatMessage {
    #[serde(skip)]
    pub id: i64,
    /// `user` or `assistant`.
    pub role: String,
    pub content: String,
    pub created_at_ms: i64,
}

impl Store {
    /// Adds a message to the chat of one of the owner's laps; false when the owner
    /// has no such lap.
    pub fn add_chat_message(&self, owner: UserId, lap_id: i64, role: &str, content: &str) -> Result<bool, StoreError> {
        if self.get_lap(owner, lap_id)?.is_none() {
            return Ok(false);
        }
        dispatch!(self, store => store.add_chat_message(owner, lap_id, role, content))?;
        Ok(true)
    }

    /// The newest `limit` messages of the chat of one of the owner's laps, oldest first.
    pub fn chat_messages(&self, owner: UserId, lap_id: i64, limit: usize) -> Result<Vec<ChatMessage>, StoreError> {
        dispatch!(self, store => store.chat_messages(owner, lap_id, limit))
    }
}
