//! A lap's chat messages on SQLite (see [`crate::storage::Store::add_chat_message`]).

use diesel::prelude::*;

use super::SqliteStore;
use crate::storage::schema::chat_messages;
use crate::storage::{now_ms, ChatMessage, StoreError, UserId};

impl SqliteStore {
    pub(in crate::storage) fn add_chat_message(
        &self,
        owner: UserId,
        lap_id: i64,
        role: &str,
        content: &str,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        diesel::insert_into(chat_messages::table)
            .values((
                chat_messages::lap_id.eq(lap_id),
                chat_messages::user_id.eq(owner.0),
                chat_messages::role.eq(role),
                chat_messages::content.eq(content),
                chat_messages::created_at_ms.eq(now_ms()),
            ))
            .execute(&mut conn)?;
        Ok(())
    }

    pub(in crate::storage) fn chat_messages(
        &self,
        owner: UserId,
        lap_id: i64,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let mut conn = self.conn()?;
        let mut rows: Vec<ChatMessage> = chat_messages::table
            .filter(chat_messages::lap_id.eq(lap_id))
            .filter(chat_messages::user_id.eq(owner.0))
            .order(chat_messages::id.desc())
            .limit(limit as i64)
            .select(ChatMessage::as_select())
            .load(&mut conn)?;
        rows.reverse();
        Ok(rows)
    }
}
