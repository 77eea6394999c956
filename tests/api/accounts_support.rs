//! Signing up, calling the API and opening streams as a user of a server in accounts
//! mode, for the tests of any server (in-process apps and spawned processes alike:
//! everything takes the server's base URL).

use crate::helpers::WsConnection;
use awc::http::Method;
use purplesector_engine::config::Settings;
use std::time::Duration;

/// The secret key of test servers in accounts mode (at least 32 characters).
pub const TEST_SESSION_SECRET: &str = "integration-test-secret-0123456789abcdef";

/// Puts a test server in accounts mode.
pub fn accounts_mode(settings: &mut Settings) {
    settings.auth.mode = "accounts".into();
    settings.auth.session_secret = TEST_SESSION_SECRET.into();
}

/// The environment a spawned `purplesector` needs for accounts mode.
pub fn accounts_env() -> [(&'static str, &'static str); 1] {
    [("PURPLESECTOR__AUTH__SESSION_SECRET", TEST_SESSION_SECRET)]
}

/// A signed-in user: the session cookie's value and the CSRF token.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i64,
    pub username: String,
    pub session: String,
    pub csrf: String,
}

pub fn password_of(username: &str) -> String {
    format!("{username}-correct-horse-battery")
}

fn client() -> awc::Client {
    awc::Client::builder().timeout(Duration::from_secs(30)).finish()
}

/// The `ps_session` value among a response's `Set-Cookie` headers.
pub fn session_cookie(response: &awc::ClientResponse<impl futures_util::Stream>) -> Option<String> {
    set_cookies(response).into_iter().find_map(|cookie| {
        cookie.split(';').next()?.strip_prefix("ps_session=").filter(|value| !value.is_empty()).map(String::from)
    })
}

/// Every `Set-Cookie` header of a response, as sent.
pub fn set_cookies(response: &awc::ClientResponse<impl futures_util::Stream>) -> Vec<String> {
    response.headers().get_all("set-cookie").filter_map(|value| value.to_str().ok()).map(String::from).collect()
}

async fn sign(base: &str, path: &str, body: serde_json::Value, expect: u16) -> TestUser {
    let username = body["username"].as_str().unwrap().to_string();
    let mut response = client().post(format!("{base}{path}")).send_json(&body).await.expect("POST");
    let session = session_cookie(&response);
    let reply: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(response.status().as_u16(), expect, "{path}: {reply}");
    TestUser {
        id: reply["user"]["id"].as_i64().expect("user id"),
        username,
        session: session.expect("a session cookie"),
        csrf: reply["csrf_token"].as_str().expect("csrf token").to_string(),
    }
}

/// Signs a new user up (password [`password_of`]).
pub async fn signup(base: &str, username: &str) -> TestUser {
    sign(base, "/api/auth/signup", serde_json::json!({"username": username, "password": password_of(username)}), 201)
        .await
}

/// Logs an existing user in.
pub async fn login(base: &str, username: &str, password: &str) -> TestUser {
    sign(base, "/api/auth/login", serde_json::json!({"username": username, "password": password}), 200).await
}

/// Calls the API as `user` (cookie and CSRF header) or anonymously; status and
/// body (JSON, or `{"text": ...}` for other bodies, `null` for none).
pub async fn call(
    base: &str,
    user: Option<&TestUser>,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut request = client().request(method, format!("{base}{path}"));
    if let Some(user) = user {
        request = request
            .insert_header(("Cookie", format!("ps_session={}", user.session)))
            .insert_header(("X-CSRF-Token", user.csrf.clone()));
    }
    let mut response = match body {
        Some(body) => request.send_json(&body).await,
        None => request.send().await,
    }
    .expect("request");
    let bytes = response.body().limit(64 << 20).await.expect("body");
    let status = response.status().as_u16();
    let value = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| serde_json::json!({"text": String::from_utf8_lossy(&bytes).to_string()}))
    };
    (status, value)
}

/// Creates an ingest token for `user`: its id and secret.
pub async fn create_token(base: &str, user: &TestUser, name: &str) -> (i64, String) {
    let (status, body) =
        call(base, Some(user), Method::POST, "/api/tokens", Some(serde_json::json!({"name": name}))).await;
    assert_eq!(status, 201, "{body}");
    (body["token"]["id"].as_i64().unwrap(), body["secret"].as_str().unwrap().to_string())
}

/// Opens the browser stream as `user` (JSON).
pub async fn ws_as(base: &str, user: &TestUser) -> WsConnection {
    let url = format!("{}/ws?format=json", base.replacen("http://", "ws://", 1));
    let (_, connection) = awc::Client::new()
        .ws(url)
        .header("Cookie", format!("ps_session={}", user.session))
        .max_frame_size(16 << 20)
        .connect()
        .await
        .expect("WebSocket connects");
    connection
}

/// Opens `/ingest` with an ingest token.
pub async fn ingest_as(base: &str, token: &str) -> WsConnection {
    let url = format!("{}/ingest", base.replacen("http://", "ws://", 1));
    let (_, connection) = awc::Client::new().ws(url).bearer_auth(token).connect().await.expect("/ingest connects");
    connection
}

/// The status with which `/ingest` refuses an upgrade (panics if it upgrades).
pub async fn ingest_refused(base: &str, token: Option<&str>) -> (u16, String) {
    let url = format!("{}/ingest", base.replacen("http://", "ws://", 1));
    let mut request = awc::Client::new().ws(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.connect().await {
        Ok(_) => panic!("/ingest accepted {token:?}"),
        Err(awc::error::WsClientError::InvalidResponseStatus(status)) => (status.as_u16(), String::new()),
        Err(other) => panic!("unexpected error {other}"),
    }
}

/// A user created straight in the store (for deployments whose processes have no
/// API to sign up on): the account, a signed-in session and an ingest token, made
/// as the server makes them under [`TEST_SESSION_SECRET`].
pub struct Provisioned {
    pub user: TestUser,
    pub token: String,
}

pub fn provision(database_url: &str, username: &str) -> Provisioned {
    use purplesector_engine::auth::{hash_password, Keys, INGEST_TOKEN_PREFIX, SESSION_PREFIX};
    use purplesector_engine::storage::{now_ms, SignupOutcome, SignupRules, Store, SCOPE_INGEST};
    let store = Store::open_url(database_url, std::path::Path::new("unused")).expect("the store opens");
    let password = password_of(username);
    let rules = SignupRules { invite_digest: None, invite_required: false, now_ms: now_ms() };
    let account = match store.create_account(username, &hash_password(&password).unwrap(), rules).unwrap() {
        SignupOutcome::Created(account) => account,
        other => panic!("cannot create {username}: {other:?}"),
    };
    let keys = Keys::new(TEST_SESSION_SECRET);
    let session = keys.generate(SESSION_PREFIX);
    store.create_auth_session(&session.digest, account.id, now_ms() + 3_600_000).unwrap();
    let token = keys.generate(INGEST_TOKEN_PREFIX);
    store.create_api_token(account.id, "test rig", &token.digest, SCOPE_INGEST).unwrap();
    Provisioned {
        user: TestUser {
            id: account.id.0,
            username: username.to_string(),
            csrf: keys.csrf_token(&session.digest),
            session: session.secret,
        },
        token: token.secret,
    }
}
