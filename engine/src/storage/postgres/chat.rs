//! A lap's chat messages on PostgreSQL (see [`crate::storage::Store::add_chat_message`]).

use diesel::{ExpressionMethods, QueryDsl, SelectableHelper};
use diesel_async::RunQueryDsl;

use super::PostgresStore;
use crate::storage::schema::chat_messages;
use crate::storage::{now_ms, ChatMessage, StoreError, UserId};

impl PostgresStore {
    pub(in crate::storage) fn add_chat_message(
        &self,
        owner: UserId,
        lap_id: i64,
        role: &str,
        content: &str,
    ) -> Result<(), StoreError> {
        let pools = self.pools();
        let (role, content) = (role.to_string(), content.to_string());
        self.run(async move {
            diesel::insert_into(chat_messages::table)
                .values((
                    chat_messages::lap_id.eq(lap_id),
                    chat_messages::user_id.eq(owner.0),
                    chat_messages::role.eq(&role),
                    chat_messages::content.eq(&content),
                    chat_messages::created_at_ms.eq(now_ms()),
                ))
                .execute(&mut pools.conn().await?)
                .await?;
            Ok(())
        })
    }

    pub(in crate::storage) fn chat_messages(
        &self,
        owner: UserId,
        lap_id: i64,
        limit: usize,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let pools = self.pools();
        self.run(async move {
            let mut rows: Vec<ChatMessage> = chat_messages::table
                .filter(chat_messages::lap_id.eq(lap_id))
                .filter(chat_messages::user_id.eq(owner.0))
                .order(chat_messages::id.desc())
                .limit(limit as i64)
                .select(ChatMessage::as_select())
                .load(&mut pools.conn().await?)
                .await?;
            rows.reverse();
            Ok(rows)
        })
    }
}
