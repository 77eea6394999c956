//! The accounts queries on SQLite (see [`crate::storage::Store::create_account`] and
//! its neighbours for what each does).

use diesel::prelude::*;

use super::SqliteStore;
use crate::storage::accounts::{AccountRow, ApiTokenRow};
use crate::storage::schema::{api_tokens, auth_sessions, invites, users};
use crate::storage::{
    now_ms, Account, ApiToken, SignupOutcome, SignupRules, StoreError, UserId, ROLE_ADMIN, ROLE_USER,
};

impl SqliteStore {
    pub(in crate::storage) fn create_account(
        &self,
        username: &str,
        password_hash: &str,
        rules: SignupRules<'_>,
    ) -> Result<SignupOutcome, StoreError> {
        let mut conn = self.conn()?;
        // IMMEDIATE: the write lock from the start, so two sign-ups cannot both see
        // an empty deployment (both admins) or both use one invite.
        conn.immediate_transaction(|conn| {
            let taken: i64 = users::table.filter(users::username.eq(username)).count().get_result(conn)?;
            if taken > 0 {
                return Ok(SignupOutcome::UsernameTaken);
            }
            let with_password: i64 =
                users::table.filter(users::password_hash.is_not_null()).count().get_result(conn)?;
            let invite_ok = match rules.invite_digest {
                Some(digest) => {
                    let usable: i64 = invites::table
                        .filter(invites::code_hash.eq(digest))
                        .filter(invites::used_by.is_null())
                        .filter(invites::expires_at_ms.gt(rules.now_ms))
                        .count()
                        .get_result(conn)?;
                    usable > 0
                }
                None => !rules.invite_required || with_password == 0,
            };
            if !invite_ok {
                return Ok(SignupOutcome::InviteInvalid);
            }
            let role = if with_password == 0 { ROLE_ADMIN } else { ROLE_USER };
            diesel::insert_into(users::table)
                .values((
                    users::username.eq(username),
                    users::password_hash.eq(password_hash),
                    users::role.eq(role),
                    users::created_at_ms.eq(rules.now_ms),
                ))
                .execute(conn)?;
            let row: AccountRow =
                users::table.filter(users::username.eq(username)).select(AccountRow::as_select()).first(conn)?;
            if let Some(digest) = rules.invite_digest {
                diesel::update(invites::table.filter(invites::code_hash.eq(digest)))
                    .set((invites::used_by.eq(row.id_value()), invites::used_at_ms.eq(rules.now_ms)))
                    .execute(conn)?;
            }
            Ok(SignupOutcome::Created(row.into()))
        })
    }

    pub(in crate::storage) fn account_by_name(&self, username: &str) -> Result<Option<Account>, StoreError> {
        let mut conn = self.conn()?;
        let row: Option<AccountRow> = users::table
            .filter(users::username.eq(username))
            .select(AccountRow::as_select())
            .first(&mut conn)
            .optional()?;
        Ok(row.map(Account::from))
    }

    pub(in crate::storage) fn account(&self, id: UserId) -> Result<Option<Account>, StoreError> {
        let mut conn = self.conn()?;
        let row: Option<AccountRow> =
            users::table.filter(users::id.eq(id.0)).select(AccountRow::as_select()).first(&mut conn).optional()?;
        Ok(row.map(Account::from))
    }

    pub(in crate::storage) fn set_password_hash(&self, id: UserId, password_hash: &str) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        diesel::update(users::table.filter(users::id.eq(id.0)))
            .set(users::password_hash.eq(password_hash))
            .execute(&mut conn)?;
        Ok(())
    }

    pub(in crate::storage) fn create_auth_session(
        &self,
        digest: &str,
        user: UserId,
        expires_at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        diesel::insert_into(auth_sessions::table)
            .values((
                auth_sessions::id.eq(digest),
                auth_sessions::user_id.eq(user.0),
                auth_sessions::created_at_ms.eq(now_ms()),
                auth_sessions::expires_at_ms.eq(expires_at_ms),
            ))
            .execute(&mut conn)?;
        Ok(())
    }

    pub(in crate::storage) fn auth_session_account(
        &self,
        digest: &str,
        now_ms: i64,
    ) -> Result<Option<Account>, StoreError> {
        let mut conn = self.conn()?;
        let row: Option<AccountRow> = auth_sessions::table
            .inner_join(users::table)
            .filter(auth_sessions::id.eq(digest))
            .filter(auth_sessions::revoked_at_ms.is_null())
            .filter(auth_sessions::expires_at_ms.gt(now_ms))
            .select(AccountRow::as_select())
            .first(&mut conn)
            .optional()?;
        Ok(row.map(Account::from))
    }

    pub(in crate::storage) fn revoke_auth_session(&self, digest: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        let revoked = diesel::update(
            auth_sessions::table.filter(auth_sessions::id.eq(digest)).filter(auth_sessions::revoked_at_ms.is_null()),
        )
        .set(auth_sessions::revoked_at_ms.eq(now_ms()))
        .execute(&mut conn)?;
        Ok(revoked > 0)
    }

    pub(in crate::storage) fn revoke_auth_sessions_except(
        &self,
        user: UserId,
        keep: &str,
    ) -> Result<usize, StoreError> {
        let mut conn = self.conn()?;
        Ok(diesel::update(
            auth_sessions::table
                .filter(auth_sessions::user_id.eq(user.0))
                .filter(auth_sessions::id.ne(keep))
                .filter(auth_sessions::revoked_at_ms.is_null()),
        )
        .set(auth_sessions::revoked_at_ms.eq(now_ms()))
        .execute(&mut conn)?)
    }

    pub(in crate::storage) fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        digest: &str,
        scope: &str,
    ) -> Result<ApiToken, StoreError> {
        let mut conn = self.conn()?;
        conn.immediate_transaction(|conn| {
            diesel::insert_into(api_tokens::table)
                .values((
                    api_tokens::user_id.eq(user.0),
                    api_tokens::name.eq(name),
                    api_tokens::token_hash.eq(digest),
                    api_tokens::scope.eq(scope),
                    api_tokens::created_at_ms.eq(now_ms()),
                ))
                .execute(conn)?;
            let row: ApiTokenRow = api_tokens::table
                .filter(api_tokens::token_hash.eq(digest))
                .select(ApiTokenRow::as_select())
                .first(conn)?;
            Ok(row.into())
        })
    }

    pub(in crate::storage) fn list_api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>, StoreError> {
        let mut conn = self.conn()?;
        let rows: Vec<ApiTokenRow> = api_tokens::table
            .filter(api_tokens::user_id.eq(user.0))
            .order(api_tokens::id.desc())
            .select(ApiTokenRow::as_select())
            .load(&mut conn)?;
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }

    pub(in crate::storage) fn revoke_api_token(&self, user: UserId, id: i64) -> Result<Option<ApiToken>, StoreError> {
        let mut conn = self.conn()?;
        conn.immediate_transaction(|conn| {
            diesel::update(
                api_tokens::table
                    .filter(api_tokens::id.eq(id))
                    .filter(api_tokens::user_id.eq(user.0))
                    .filter(api_tokens::revoked_at_ms.is_null()),
            )
            .set(api_tokens::revoked_at_ms.eq(now_ms()))
            .execute(conn)?;
            let row: Option<ApiTokenRow> = api_tokens::table
                .filter(api_tokens::id.eq(id))
                .filter(api_tokens::user_id.eq(user.0))
                .select(ApiTokenRow::as_select())
                .first(conn)
                .optional()?;
            Ok(row.map(ApiToken::from))
        })
    }

    pub(in crate::storage) fn use_api_token(
        &self,
        digest: &str,
        scope: &str,
        now_ms: i64,
    ) -> Result<Option<ApiToken>, StoreError> {
        let mut conn = self.conn()?;
        conn.immediate_transaction(|conn| {
            let row: Option<ApiTokenRow> = api_tokens::table
                .filter(api_tokens::token_hash.eq(digest))
                .filter(api_tokens::scope.eq(scope))
                .filter(api_tokens::revoked_at_ms.is_null())
                .select(ApiTokenRow::as_select())
                .first(conn)
                .optional()?;
            let Some(row) = row else { return Ok(None) };
            let mut token = ApiToken::from(row);
            diesel::update(api_tokens::table.filter(api_tokens::id.eq(token.id)))
                .set(api_tokens::last_used_at_ms.eq(now_ms))
                .execute(conn)?;
            token.last_used_at_ms = Some(now_ms);
            Ok(Some(token))
        })
    }

    pub(in crate::storage) fn api_token_active(&self, id: i64) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        let live: i64 = api_tokens::table
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::revoked_at_ms.is_null())
            .count()
            .get_result(&mut conn)?;
        Ok(live > 0)
    }

    pub(in crate::storage) fn create_invite(
        &self,
        created_by: UserId,
        digest: &str,
        expires_at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        diesel::insert_into(invites::table)
            .values((
                invites::code_hash.eq(digest),
                invites::created_by.eq(created_by.0),
                invites::created_at_ms.eq(now_ms()),
                invites::expires_at_ms.eq(expires_at_ms),
            ))
            .execute(&mut conn)?;
        Ok(())
    }
}
