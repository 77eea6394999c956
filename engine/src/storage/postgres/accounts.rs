//! The accounts queries on PostgreSQL: the same as `sqlite/accounts.rs`, through
//! diesel-async on the store's runtime.

use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, SelectableHelper};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use super::PostgresStore;
use crate::storage::accounts::{AccountRow, ApiTokenRow};
use crate::storage::schema::{api_tokens, auth_sessions, invites, users};
use crate::storage::{
    now_ms, Account, ApiToken, SignupOutcome, SignupRules, StoreError, UserId, ROLE_ADMIN, ROLE_USER,
};

/// Serializes sign-ups (transaction-scoped advisory lock), so two cannot both see an
/// empty deployment or both use one invite.
const SIGNUP_LOCK: &str = "SELECT pg_advisory_xact_lock(7275736574)";

impl PostgresStore {
    pub(in crate::storage) fn create_account(
        &self,
        username: &str,
        password_hash: &str,
        rules: SignupRules<'_>,
    ) -> Result<SignupOutcome, StoreError> {
        let pools = self.pools();
        let (username, password_hash) = (username.to_string(), password_hash.to_string());
        let invite = rules.invite_digest.map(str::to_string);
        let now = rules.now_ms;
        let invite_required = rules.invite_required;
        self.run(async move {
            let mut pooled = pools.conn().await?;
            let conn: &mut AsyncPgConnection = &mut pooled;
            conn.transaction(async |conn| {
                conn.batch_execute(SIGNUP_LOCK).await?;
                let taken: i64 = users::table.filter(users::username.eq(&username)).count().get_result(conn).await?;
                if taken > 0 {
                    return Ok(SignupOutcome::UsernameTaken);
                }
                let with_password: i64 =
                    users::table.filter(users::password_hash.is_not_null()).count().get_result(conn).await?;
                let invite_ok = match &invite {
                    Some(digest) => {
                        let usable: i64 = invites::table
                            .filter(invites::code_hash.eq(digest))
                            .filter(invites::used_by.is_null())
                            .filter(invites::expires_at_ms.gt(now))
                            .count()
                            .get_result(conn)
                            .await?;
                        usable > 0
                    }
                    None => !invite_required || with_password == 0,
                };
                if !invite_ok {
                    return Ok(SignupOutcome::InviteInvalid);
                }
                let role = if with_password == 0 { ROLE_ADMIN } else { ROLE_USER };
                let row: AccountRow = diesel::insert_into(users::table)
                    .values((
                        users::username.eq(&username),
                        users::password_hash.eq(&password_hash),
                        users::role.eq(role),
                        users::created_at_ms.eq(now),
                    ))
                    .returning(AccountRow::as_returning())
                    .get_result(conn)
                    .await?;
                if let Some(digest) = &invite {
                    diesel::update(invites::table.filter(invites::code_hash.eq(digest)))
                        .set((invites::used_by.eq(row.id_value()), invites::used_at_ms.eq(now)))
                        .execute(conn)
                        .await?;
                }
                Ok::<_, StoreError>(SignupOutcome::Created(row.into()))
            })
            .await
        })
    }

    pub(in crate::storage) fn account_by_name(&self, username: &str) -> Result<Option<Account>, StoreError> {
        let pools = self.pools();
        let username = username.to_string();
        self.run(async move {
            let row: Option<AccountRow> = users::table
                .filter(users::username.eq(&username))
                .select(AccountRow::as_select())
                .first(&mut pools.conn().await?)
                .await
                .optional()?;
            Ok(row.map(Account::from))
        })
    }

    pub(in crate::storage) fn account(&self, id: UserId) -> Result<Option<Account>, StoreError> {
        let pools = self.pools();
        self.run(async move {
            let row: Option<AccountRow> = users::table
                .filter(users::id.eq(id.0))
                .select(AccountRow::as_select())
                .first(&mut pools.conn().await?)
                .await
                .optional()?;
            Ok(row.map(Account::from))
        })
    }

    pub(in crate::storage) fn set_password_hash(&self, id: UserId, password_hash: &str) -> Result<(), StoreError> {
        let pools = self.pools();
        let password_hash = password_hash.to_string();
        self.run(async move {
            diesel::update(users::table.filter(users::id.eq(id.0)))
                .set(users::password_hash.eq(&password_hash))
                .execute(&mut pools.conn().await?)
                .await?;
            Ok(())
        })
    }

    pub(in crate::storage) fn create_auth_session(
        &self,
        digest: &str,
        user: UserId,
        expires_at_ms: i64,
    ) -> Result<(), StoreError> {
        let pools = self.pools();
        let digest = digest.to_string();
        self.run(async move {
            diesel::insert_into(auth_sessions::table)
                .values((
                    auth_sessions::id.eq(&digest),
                    auth_sessions::user_id.eq(user.0),
                    auth_sessions::created_at_ms.eq(now_ms()),
                    auth_sessions::expires_at_ms.eq(expires_at_ms),
                ))
                .execute(&mut pools.conn().await?)
                .await?;
            Ok(())
        })
    }

    pub(in crate::storage) fn auth_session_account(
        &self,
        digest: &str,
        now_ms: i64,
    ) -> Result<Option<Account>, StoreError> {
        let pools = self.pools();
        let digest = digest.to_string();
        self.run(async move {
            let row: Option<AccountRow> = auth_sessions::table
                .inner_join(users::table)
                .filter(auth_sessions::id.eq(&digest))
                .filter(auth_sessions::revoked_at_ms.is_null())
                .filter(auth_sessions::expires_at_ms.gt(now_ms))
                .select(AccountRow::as_select())
                .first(&mut pools.conn().await?)
                .await
                .optional()?;
            Ok(row.map(Account::from))
        })
    }

    pub(in crate::storage) fn revoke_auth_session(&self, digest: &str) -> Result<bool, StoreError> {
        let pools = self.pools();
        let digest = digest.to_string();
        self.run(async move {
            let revoked = diesel::update(
                auth_sessions::table
                    .filter(auth_sessions::id.eq(&digest))
                    .filter(auth_sessions::revoked_at_ms.is_null()),
            )
            .set(auth_sessions::revoked_at_ms.eq(now_ms()))
            .execute(&mut pools.conn().await?)
            .await?;
            Ok(revoked > 0)
        })
    }

    pub(in crate::storage) fn revoke_auth_sessions_except(
        &self,
        user: UserId,
        keep: &str,
    ) -> Result<usize, StoreError> {
        let pools = self.pools();
        let keep = keep.to_string();
        self.run(async move {
            Ok(diesel::update(
                auth_sessions::table
                    .filter(auth_sessions::user_id.eq(user.0))
                    .filter(auth_sessions::id.ne(&keep))
                    .filter(auth_sessions::revoked_at_ms.is_null()),
            )
            .set(auth_sessions::revoked_at_ms.eq(now_ms()))
            .execute(&mut pools.conn().await?)
            .await?)
        })
    }

    pub(in crate::storage) fn create_api_token(
        &self,
        user: UserId,
        name: &str,
        digest: &str,
        scope: &str,
    ) -> Result<ApiToken, StoreError> {
        let pools = self.pools();
        let (name, digest, scope) = (name.to_string(), digest.to_string(), scope.to_string());
        self.run(async move {
            let row: ApiTokenRow = diesel::insert_into(api_tokens::table)
                .values((
                    api_tokens::user_id.eq(user.0),
                    api_tokens::name.eq(&name),
                    api_tokens::token_hash.eq(&digest),
                    api_tokens::scope.eq(&scope),
                    api_tokens::created_at_ms.eq(now_ms()),
                ))
                .returning(ApiTokenRow::as_returning())
                .get_result(&mut pools.conn().await?)
                .await?;
            Ok(row.into())
        })
    }

    pub(in crate::storage) fn list_api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>, StoreError> {
        let pools = self.pools();
        self.run(async move {
            let rows: Vec<ApiTokenRow> = api_tokens::table
                .filter(api_tokens::user_id.eq(user.0))
                .order(api_tokens::id.desc())
                .select(ApiTokenRow::as_select())
                .load(&mut pools.conn().await?)
                .await?;
            Ok(rows.into_iter().map(ApiToken::from).collect())
        })
    }

    pub(in crate::storage) fn revoke_api_token(&self, user: UserId, id: i64) -> Result<Option<ApiToken>, StoreError> {
        let pools = self.pools();
        self.run(async move {
            let mut pooled = pools.conn().await?;
            let conn: &mut AsyncPgConnection = &mut pooled;
            diesel::update(
                api_tokens::table
                    .filter(api_tokens::id.eq(id))
                    .filter(api_tokens::user_id.eq(user.0))
                    .filter(api_tokens::revoked_at_ms.is_null()),
            )
            .set(api_tokens::revoked_at_ms.eq(now_ms()))
            .execute(conn)
            .await?;
            let row: Option<ApiTokenRow> = api_tokens::table
                .filter(api_tokens::id.eq(id))
                .filter(api_tokens::user_id.eq(user.0))
                .select(ApiTokenRow::as_select())
                .first(conn)
                .await
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
        let pools = self.pools();
        let (digest, scope) = (digest.to_string(), scope.to_string());
        self.run(async move {
            let row: Option<ApiTokenRow> = diesel::update(
                api_tokens::table
                    .filter(api_tokens::token_hash.eq(&digest))
                    .filter(api_tokens::scope.eq(&scope))
                    .filter(api_tokens::revoked_at_ms.is_null()),
            )
            .set(api_tokens::last_used_at_ms.eq(now_ms))
            .returning(ApiTokenRow::as_returning())
            .get_result(&mut pools.conn().await?)
            .await
            .optional()?;
            Ok(row.map(ApiToken::from))
        })
    }

    pub(in crate::storage) fn api_token_active(&self, id: i64) -> Result<bool, StoreError> {
        let pools = self.pools();
        self.run(async move {
            let live: i64 = api_tokens::table
                .filter(api_tokens::id.eq(id))
                .filter(api_tokens::revoked_at_ms.is_null())
                .count()
                .get_result(&mut pools.conn().await?)
                .await?;
            Ok(live > 0)
        })
    }

    pub(in crate::storage) fn create_invite(
        &self,
        created_by: UserId,
        digest: &str,
        expires_at_ms: i64,
    ) -> Result<(), StoreError> {
        let pools = self.pools();
        let digest = digest.to_string();
        self.run(async move {
            diesel::insert_into(invites::table)
                .values((
                    invites::code_hash.eq(&digest),
                    invites::created_by.eq(created_by.0),
                    invites::created_at_ms.eq(now_ms()),
                    invites::expires_at_ms.eq(expires_at_ms),
                ))
                .execute(&mut pools.conn().await?)
                .await?;
            Ok(())
        })
    }
}
