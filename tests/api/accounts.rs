//! Accounts mode (docs/accounts.md): sign-up, login, logout, password change, cookies,
//! CSRF, origins, rate limits, ingest tokens, security headers, and the isolation
//! matrix: user B tries everything that touches user A's data and gets what a
//! missing thing gets, and no byte of A's.

use crate::accounts_support::{
    accounts_mode, call, create_token, ingest_as, ingest_refused, login, password_of, set_cookies, signup, ws_as,
    TestUser, TEST_SESSION_SECRET,
};
use crate::helpers::{next_json, send_json, spawn_bare_app, spawn_bare_app_in, WsConnection};
use awc::http::Method;
use awc::ws;
use futures_util::{SinkExt, StreamExt};
use prost::Message as _;
use purplesector_engine::auth::{Keys, SESSION_PREFIX};
use purplesector_engine::storage::{now_ms, Store, UserId};
use purplesector_proto::v1::{
    ingest_request, ingest_response, IngestRequest, IngestResponse, Sim, TelemetryBatch, TelemetryFrame,
};
use serde_json::json;
use std::time::{Duration, Instant};

fn base(app: &crate::helpers::TestApp) -> &str {
    &app.address
}

#[actix_rt::test]
async fn sign_up_log_in_log_out_and_change_the_password() {
    let app = spawn_bare_app(accounts_mode).await;
    let base = base(&app);

    // Before signing in: the app is told to show its login page, the API refuses.
    let (status, me) = call(base, None, Method::GET, "/api/auth/me", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (me["mode"].as_str(), me["signup"].as_str(), &me["user"]),
        (Some("accounts"), Some("open"), &json!(null))
    );
    let (status, body) = call(base, None, Method::GET, "/api/sessions", None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("unauthenticated")), "{body}");

    // Sign-up signs in; the cookies are what a browser needs and no more.
    let mut response = awc::Client::new()
        .post(format!("{base}/api/auth/signup"))
        .send_json(&json!({"username": "alice", "password": password_of("alice")}))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let cookies = set_cookies(&response);
    let reply: serde_json::Value = response.json().await.unwrap();
    assert_eq!((reply["user"]["username"].as_str(), reply["user"]["role"].as_str()), (Some("alice"), Some("admin")));
    let session = cookies.iter().find(|c| c.starts_with("ps_session=")).expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Path=/"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain HTTP on loopback: not Secure: {session}");
    let csrf = cookies.iter().find(|c| c.starts_with("ps_csrf=")).expect("csrf cookie");
    assert!(!csrf.contains("HttpOnly") && csrf.contains(reply["csrf_token"].as_str().unwrap()), "{csrf}");

    let alice = login(base, "alice", &password_of("alice")).await;
    let (status, me) = call(base, Some(&alice), Method::GET, "/api/auth/me", None).await;
    assert_eq!((status, me["user"]["username"].as_str()), (200, Some("alice")));
    assert_eq!(me["csrf_token"].as_str(), Some(alice.csrf.as_str()));
    let (status, sessions) = call(base, Some(&alice), Method::GET, "/api/sessions", None).await;
    assert_eq!((status, sessions["sessions"].as_array().map(Vec::len)), (200, Some(0)));

    // Wrong passwords and unknown users get one answer; a wrong current password is no logout.
    for (username, password) in [("alice", "wrong-password-123"), ("nobody", "wrong-password-123")] {
        let (status, body) = call(
            base,
            None,
            Method::POST,
            "/api/auth/login",
            Some(json!({"username": username, "password": password})),
        )
        .await;
        assert_eq!((status, body["error"]["code"].as_str()), (401, Some("invalid_credentials")), "{body}");
        assert_eq!(body["error"]["message"], "wrong username or password");
    }
    let other_device = login(base, "alice", &password_of("alice")).await;
    let change = |current: &str| json!({"current_password": current, "new_password": "a-brand-new-password"});
    let (status, body) =
        call(base, Some(&alice), Method::POST, "/api/auth/password", Some(change("not-my-password"))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("wrong_password")), "{body}");
    let (status, _) =
        call(base, Some(&alice), Method::POST, "/api/auth/password", Some(change(&password_of("alice")))).await;
    assert_eq!(status, 204);
    // The session that changed it stays; every other one is signed out; the new password works.
    assert_eq!(call(base, Some(&alice), Method::GET, "/api/sessions", None).await.0, 200);
    assert_eq!(call(base, Some(&other_device), Method::GET, "/api/sessions", None).await.0, 401);
    let old = call(
        base,
        None,
        Method::POST,
        "/api/auth/login",
        Some(json!({"username": "alice", "password": password_of("alice")})),
    )
    .await;
    assert_eq!(old.0, 401);
    let renewed = login(base, "alice", "a-brand-new-password").await;

    // Logout revokes the session on the server (a copied cookie is dead too).
    let (status, _) = call(base, Some(&renewed), Method::POST, "/api/auth/logout", None).await;
    assert_eq!(status, 204);
    assert_eq!(call(base, Some(&renewed), Method::GET, "/api/sessions", None).await.0, 401);
    assert_eq!(call(base, Some(&alice), Method::GET, "/api/sessions", None).await.0, 200, "other sessions stay");

    // Clear 400s for bad input; a taken name is a conflict.
    for (body, needle) in [
        (json!({"username": "al", "password": "long-enough-password"}), "3 to 32"),
        (json!({"username": "Alice", "password": "long-enough-password"}), "a-z"),
        (json!({"username": "carol", "password": "short"}), "at least 10"),
        (json!({"username": "carol"}), "password"),
    ] {
        let (status, reply) = call(base, None, Method::POST, "/api/auth/signup", Some(body)).await;
        assert_eq!(status, 400, "{reply}");
        assert!(reply["error"]["message"].as_str().unwrap().contains(needle), "{reply}");
    }
    let (status, reply) = call(
        base,
        None,
        Method::POST,
        "/api/auth/signup",
        Some(json!({"username": "alice", "password": "long-enough-password"})),
    )
    .await;
    assert_eq!((status, reply["error"]["message"].as_str()), (409, Some("the username alice is taken")));
    app.stop().await;
}

#[actix_rt::test]
async fn forged_expired_and_revoked_cookies_and_tokens_are_refused() {
    let app = spawn_bare_app(accounts_mode).await;
    let base = app.address.clone();
    let alice = signup(&base, "alice").await;
    let as_cookie = |session: &str| TestUser { session: session.to_string(), ..alice.clone() };

    // Forged: well-formed but never issued; malformed; issued under another key.
    let forged = format!("{SESSION_PREFIX}{}", "A".repeat(43));
    let other_key = Keys::new("another-secret-key-0123456789abcdef").generate(SESSION_PREFIX);
    for cookie in [forged.as_str(), "garbage", "", other_key.secret.as_str()] {
        let (status, body) = call(&base, Some(&as_cookie(cookie)), Method::GET, "/api/sessions", None).await;
        assert_eq!((status, body["error"]["code"].as_str()), (401, Some("unauthenticated")), "{cookie:?}");
    }
    // Expired: a session whose time is up (written as the server would have, long ago).
    let store = Store::open(&app.data_dir.path().join("purplesector.db")).unwrap();
    let keys = Keys::new(TEST_SESSION_SECRET);
    let expired = keys.generate(SESSION_PREFIX);
    store.create_auth_session(&expired.digest, UserId(alice.id), now_ms() - 1).unwrap();
    let live = keys.generate(SESSION_PREFIX);
    store.create_auth_session(&live.digest, UserId(alice.id), now_ms() + 60_000).unwrap();
    assert_eq!(call(&base, Some(&as_cookie(&expired.secret)), Method::GET, "/api/sessions", None).await.0, 401);
    assert_eq!(call(&base, Some(&as_cookie(&live.secret)), Method::GET, "/api/sessions", None).await.0, 200);
    // The browser stream refuses a bad cookie before the upgrade.
    let refused = awc::Client::new()
        .ws(format!("ws://127.0.0.1:{}/ws", app.port))
        .header("Cookie", format!("ps_session={forged}"))
        .connect()
        .await;
    assert!(matches!(refused, Err(awc::error::WsClientError::InvalidResponseStatus(status)) if status == 401));

    // Ingest tokens: none, malformed, forged, revoked are refused before the upgrade.
    let (token_id, token) = create_token(&base, &alice, "rig").await;
    assert_eq!(ingest_refused(&base, None).await.0, 401);
    assert_eq!(ingest_refused(&base, Some("psi_short")).await.0, 401);
    assert_eq!(ingest_refused(&base, Some(&format!("psi_{}", "B".repeat(43)))).await.0, 401);
    assert_eq!(ingest_refused(&base, Some(&forged)).await.0, 401, "a session cookie is no ingest token");
    let mut open = ingest_as(&base, &token).await;
    let (_, tokens) = call(&base, Some(&alice), Method::GET, "/api/tokens", None).await;
    assert!(tokens["tokens"][0]["last_used_at_ms"].as_i64().is_some(), "last use recorded: {tokens}");
    assert!(tokens["tokens"][0].get("token_hash").is_none() && !tokens.to_string().contains(&token));
    let (status, _) = call(&base, Some(&alice), Method::DELETE, &format!("/api/tokens/{token_id}"), None).await;
    assert_eq!(status, 204);
    assert_eq!(ingest_refused(&base, Some(&token)).await.0, 401, "revoked");
    // The connection opened before the revocation is closed within its recheck interval.
    let closed = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match open.next().await {
                Some(Ok(ws::Frame::Close(reason))) => return reason,
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    })
    .await
    .expect("the revoked token's connection closes within 20 s");
    assert_eq!(closed.map(|reason| reason.code), Some(ws::CloseCode::Policy));
    let (_, tokens) = call(&base, Some(&alice), Method::GET, "/api/tokens", None).await;
    assert!(tokens["tokens"][0]["revoked_at_ms"].as_i64().is_some());

    // A restart with another secret key: every cookie and token of the old key is dead.
    let (_, token2) = create_token(&base, &alice, "second").await;
    let data_dir = app.stop().await;
    let app = spawn_bare_app_in(data_dir, |settings| {
        accounts_mode(settings);
        settings.auth.session_secret = "a-rotated-secret-key-0123456789abcdef".into();
    })
    .await;
    assert_eq!(call(&app.address, Some(&alice), Method::GET, "/api/sessions", None).await.0, 401);
    assert_eq!(ingest_refused(&app.address, Some(&token2)).await.0, 401);
    app.stop().await;
}

#[actix_rt::test]
async fn state_changing_requests_need_the_csrf_token_and_an_allowed_origin() {
    let app = spawn_bare_app(|settings| {
        accounts_mode(settings);
        settings.server.cors_origins = "https://dash.example.com".into();
    })
    .await;
    let base = app.address.clone();
    let alice = signup(&base, "alice").await;
    let bob = signup(&base, "bob").await;
    let create = || Some(json!({"name": "rig"}));

    for (csrf, why) in [("", "no token"), ("0000", "a wrong token"), (bob.csrf.as_str(), "another user's token")] {
        let user = TestUser { csrf: csrf.to_string(), ..alice.clone() };
        let (status, body) = call(&base, Some(&user), Method::POST, "/api/tokens", create()).await;
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("csrf")), "{why}: {body}");
    }
    let (_, tokens) = call(&base, Some(&alice), Method::GET, "/api/tokens", None).await;
    assert_eq!(tokens["tokens"].as_array().unwrap().len(), 0, "nothing was created");
    assert_eq!(call(&base, Some(&alice), Method::POST, "/api/tokens", create()).await.0, 201);

    // Another site's page: refused, even with the cookie and the token.
    let from = |origin: &str| {
        awc::Client::new()
            .post(format!("{base}/api/tokens"))
            .insert_header(("Origin", origin.to_string()))
            .insert_header(("Cookie", format!("ps_session={}", alice.session)))
            .insert_header(("X-CSRF-Token", alice.csrf.clone()))
    };
    let mut response = from("https://evil.example").send_json(&json!({"name": "x"})).await.unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!((response.status().as_u16(), body["error"]["code"].as_str()), (403, Some("origin")), "{body}");
    let response = from(&base).send_json(&json!({"name": "same origin"})).await.unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let response = from("https://dash.example.com").send_json(&json!({"name": "allowed"})).await.unwrap();
    assert_eq!(response.status().as_u16(), 201);
    assert_eq!(
        response.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
        Some("https://dash.example.com")
    );
    let login_from_evil = awc::Client::new()
        .post(format!("{base}/api/auth/login"))
        .insert_header(("Origin", "https://evil.example"))
        .send_json(&json!({"username": "alice", "password": password_of("alice")}))
        .await
        .unwrap();
    assert_eq!(login_from_evil.status().as_u16(), 403, "no login CSRF from another site");
    let ws_from_evil = awc::Client::new()
        .ws(format!("ws://127.0.0.1:{}/ws", app.port))
        .origin("https://evil.example")
        .header("Cookie", format!("ps_session={}", alice.session))
        .connect()
        .await;
    assert!(matches!(ws_from_evil, Err(awc::error::WsClientError::InvalidResponseStatus(s)) if s == 403));
    app.stop().await;
}

#[actix_rt::test]
async fn login_attempts_are_limited_per_address() {
    let app = spawn_bare_app(|settings| {
        accounts_mode(settings);
        settings.auth.login_per_minute = 5;
    })
    .await;
    let base = app.address.clone();
    signup(&base, "alice").await;
    let attempt = |password: &'static str, forwarded: usize| {
        let base = base.clone();
        async move {
            let mut response = awc::Client::new()
                .post(format!("{base}/api/auth/login"))
                // Not behind a proxy: a forged X-Forwarded-For changes nothing.
                .insert_header(("X-Forwarded-For", format!("10.0.0.{forwarded}")))
                .send_json(&json!({"username": "alice", "password": password}))
                .await
                .unwrap();
            let retry = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(String::from);
            let body: serde_json::Value = response.json().await.unwrap();
            (response.status().as_u16(), body["error"]["code"].as_str().map(String::from), retry)
        }
    };
    for i in 0..5 {
        assert_eq!(attempt("wrong-password-123", i).await.0, 401);
    }
    let (status, code, retry) = attempt("wrong-password-123", 99).await;
    assert_eq!((status, code.as_deref()), (429, Some("rate_limited")));
    assert!(retry.unwrap().parse::<u64>().unwrap() >= 1);
    let (status, _, _) = attempt("alice-correct-horse-battery", 100).await;
    assert_eq!(status, 429, "the right password waits too: a guess is no faster");
    let metrics = app.client().get(format!("{base}/metrics")).send().await.unwrap().body().await.unwrap();
    let metrics = String::from_utf8_lossy(&metrics);
    assert!(metrics.contains(r#"purplesector_auth_events_total{event="login_failed"} 5"#), "{metrics}");
    assert!(metrics.contains(r#"purplesector_auth_events_total{event="login_rate_limited"} 2"#), "{metrics}");
    app.stop().await;
}

#[actix_rt::test]
async fn sign_up_can_be_invite_only_or_closed() {
    let app = spawn_bare_app(|settings| {
        accounts_mode(settings);
        settings.auth.signup = "invite".into();
    })
    .await;
    let base = app.address.clone();
    let (_, me) = call(&base, None, Method::GET, "/api/auth/me", None).await;
    assert_eq!(me["signup"], "invite");
    let admin = signup(&base, "admin").await; // the first account needs no invite
    let attempt = |username: &str, invite: Option<&str>| {
        let mut body = json!({"username": username, "password": password_of(username)});
        if let Some(invite) = invite {
            body["invite"] = json!(invite);
        }
        call(&base, None, Method::POST, "/api/auth/signup", Some(body))
    };
    let (status, body) = attempt("bob", None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("invite")), "{body}");
    let (status, body) = call(&base, Some(&admin), Method::POST, "/api/admin/invites", None).await;
    assert_eq!(status, 201, "{body}");
    let code = body["code"].as_str().unwrap().to_string();
    assert!(code.starts_with("psv_"));
    assert_eq!(attempt("bob", Some("psv_wrong")).await.0, 403);
    let (status, body) = attempt("bob", Some(&code)).await;
    assert_eq!((status, body["user"]["role"].as_str()), (201, Some("user")), "{body}");
    assert_eq!(attempt("carol", Some(&code)).await.0, 403, "an invite works once");
    let bob = login(&base, "bob", &password_of("bob")).await;
    let (status, body) = call(&base, Some(&bob), Method::POST, "/api/admin/invites", None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("admin_only")));
    app.stop().await;

    let app = spawn_bare_app(|settings| {
        accounts_mode(settings);
        settings.auth.signup = "closed".into();
    })
    .await;
    let (status, body) = call(
        &app.address,
        None,
        Method::POST,
        "/api/auth/signup",
        Some(json!({"username": "eve", "password": password_of("eve")})),
    )
    .await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("signup_closed")));
    app.stop().await;
}

#[actix_rt::test]
async fn every_response_carries_the_security_headers_and_local_mode_needs_no_login() {
    let app = spawn_bare_app(|_| {}).await;
    let (status, me) = app.get_json("/api/auth/me").await;
    assert_eq!((status, me["mode"].as_str(), me["user"]["username"].as_str()), (200, Some("local"), Some("local")));
    assert_eq!(app.get_json("/api/sessions").await.0, 200, "local mode: no login");
    assert_eq!(app.get_json("/api/tokens").await.0, 404, "local mode has no tokens");
    for path in ["/", "/api/sessions", "/api/nothing-here", "/healthz", "/metrics"] {
        let response = app.client().get(format!("{}{path}", app.address)).send().await.unwrap();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let csp = header("content-security-policy");
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
    }
    // A page of another site cannot change anything of the local user either.
    let response = app
        .client()
        .delete(format!("{}/api/sessions/anything", app.address))
        .insert_header(("Origin", "https://evil.example"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    app.stop().await;
}

/// What the stream says next, skipping telemetry and session updates (which belong
/// to the viewer's own sessions).
async fn next_answer(connection: &mut WsConnection) -> serde_json::Value {
    loop {
        let message = next_json(connection).await;
        if message.get("telemetry").is_none()
            && message.get("session_updated").is_none()
            && message.get("lap_completed").is_none()
        {
            return message;
        }
    }
}

/// A user's session with stored laps, for the isolation matrix.
pub struct Driven {
    pub session: String,
    pub laps: Vec<serde_json::Value>,
}

/// Waits until `user`'s session has stored `laps` laps, and returns them.
pub async fn wait_for_laps(base: &str, user: &TestUser, session_id: &str, laps: usize) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (_, body) = call(base, Some(user), Method::GET, &format!("/api/sessions/{session_id}/laps"), None).await;
        let stored = body["laps"].as_array().cloned().unwrap_or_default();
        if stored.len() >= laps {
            return stored;
        }
        assert!(Instant::now() < deadline, "{laps} laps of {} within two minutes", user.username);
        actix_rt::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Starts the demo as `user` and waits until it has stored `laps` laps; the session,
/// and the stream (the demo drives while it is open).
async fn drive_demo(base: &str, user: &TestUser, laps: usize) -> (Driven, WsConnection) {
    let mut stream = ws_as(base, user).await;
    assert!(next_json(&mut stream).await.get("connected").is_some());
    send_json(&mut stream, json!({"start_demo": {"seed": 7}})).await;
    let session_id = loop {
        let message = next_json(&mut stream).await;
        if let Some(id) = message["session_updated"]["session"]["id"].as_str() {
            break id.to_string();
        }
    };
    let laps = wait_for_laps(base, user, &session_id, laps).await;
    (Driven { session: session_id, laps }, stream)
}

/// The same answer, once the ids asked about are replaced by a placeholder.
fn same_answer(mine: &(u16, serde_json::Value), missing: &(u16, serde_json::Value), ids: &[(&str, &str)]) -> bool {
    let mut a = mine.1.to_string();
    let mut b = missing.1.to_string();
    for (real, absent) in ids {
        a = a.replace(real, "<id>");
        b = b.replace(absent, "<id>");
    }
    mine.0 == missing.0 && a == b
}

/// Runs blocking store calls off the test's async thread.
async fn web_block<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.unwrap()
}

/// B tries every route and message that touches A's sessions, laps, telemetry,
/// analysis, exports, tokens and live stream, and ingest into A's session with B's
/// token: each answer is what a missing id gets (404), and A's data is untouched.
pub async fn isolation_matrix(
    base: &str,
    ingest_base: &str,
    database_url: &str,
    (alice, a): (&TestUser, &Driven),
    (bob, b): (&TestUser, &Driven),
) {
    let a_session = a.session.clone();
    let a_laps = a.laps.len();
    let a_lap = a.laps[0]["id"].as_i64().unwrap().to_string();
    let b_lap = b.laps[0]["id"].as_i64().unwrap().to_string();
    let (a_token_id, _a_token) = create_token(base, alice, "alice's rig").await;
    let a_token_id = a_token_id.to_string();
    let (_, a_name_before) = call(base, Some(alice), Method::GET, &format!("/api/sessions/{a_session}"), None).await;

    // B's list holds none of A's sessions.
    let (status, list) = call(base, Some(bob), Method::GET, "/api/sessions", None).await;
    assert_eq!(status, 200);
    assert!(!list.to_string().contains(&a_session), "{list}");

    let missing_session = "no-such-session-0000";
    let missing_lap = "987654321";
    let missing_token = "987654322";
    let probes: Vec<(Method, String, Option<serde_json::Value>)> = vec![
        (Method::GET, "/api/sessions/{s}".into(), None),
        (Method::PATCH, "/api/sessions/{s}".into(), Some(json!({"name": "taken over"}))),
        (Method::DELETE, "/api/sessions/{s}".into(), None),
        (Method::GET, "/api/sessions/{s}/laps".into(), None),
        (Method::GET, "/api/sessions/{s}/analysis".into(), None),
        (Method::GET, "/api/laps/{l}".into(), None),
        (Method::GET, "/api/laps/{l}/telemetry".into(), None),
        (Method::GET, "/api/laps/{l}/telemetry.csv".into(), None),
        (Method::GET, "/api/laps/{l}/export.ld".into(), None),
        (Method::GET, "/api/laps/{l}/analysis".into(), None),
        (Method::GET, format!("/api/laps/{b_lap}/analysis?reference={{l}}"), None),
        (Method::POST, "/api/laps/{l}/analysis".into(), Some(json!({}))),
        (Method::GET, format!("/api/laps/{b_lap}/compare/{{l}}"), None),
        (Method::GET, "/api/laps/{l}/compare/{l}".into(), None),
        (Method::GET, "/api/laps/{l}/chat".into(), None),
        (Method::POST, "/api/laps/{l}/chat".into(), Some(json!({"message": "what did A do in turn 3?"}))),
        (Method::DELETE, "/api/tokens/{t}".into(), None),
    ];
    for (method, template, body) in probes {
        let fill = |s: &str, l: &str, t: &str| template.replace("{s}", s).replace("{l}", l).replace("{t}", t);
        let theirs = call(base, Some(bob), method.clone(), &fill(&a_session, &a_lap, &a_token_id), body.clone()).await;
        let absent =
            call(base, Some(bob), method.clone(), &fill(missing_session, missing_lap, missing_token), body).await;
        assert!(matches!(theirs.0, 403 | 404), "{method} {template}: {theirs:?}");
        assert!(
            same_answer(
                &theirs,
                &absent,
                &[(&a_session, missing_session), (&a_lap, missing_lap), (&a_token_id, missing_token)]
            ),
            "{method} {template}: A's answers {theirs:?}, a missing one {absent:?}"
        );
    }

    // A's data is as it was: the session, its name, its laps, its token.
    let (status, a_now) = call(base, Some(alice), Method::GET, &format!("/api/sessions/{a_session}"), None).await;
    assert_eq!((status, &a_now["name"]), (200, &a_name_before["name"]));
    let (_, laps) = call(base, Some(alice), Method::GET, &format!("/api/sessions/{a_session}/laps"), None).await;
    assert!(laps["laps"].as_array().unwrap().len() >= a_laps);
    let (_, tokens) = call(base, Some(alice), Method::GET, "/api/tokens", None).await;
    assert!(tokens["tokens"][0]["revoked_at_ms"].is_null(), "{tokens}");

    // The live stream: A's session is as absent to B as a session that does not exist.
    let mut b_viewer = ws_as(base, bob).await;
    let connected = next_json(&mut b_viewer).await;
    assert!(!connected.to_string().contains(&a_session), "{connected}");
    send_json(&mut b_viewer, json!({"subscribe": {"session_id": a_session}})).await;
    let theirs = next_answer(&mut b_viewer).await;
    send_json(&mut b_viewer, json!({"subscribe": {"session_id": missing_session}})).await;
    let absent = next_answer(&mut b_viewer).await;
    assert_eq!(theirs["error"]["code"], "not_found", "{theirs}");
    assert!(same_answer(&(0, theirs), &(0, absent), &[(&a_session, missing_session)]));
    // Nothing of A's arrives afterwards either (in embedded mode A's demo is still driving).
    let quiet = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            let message = next_json(&mut b_viewer).await;
            assert!(!message.to_string().contains(&a_session), "B received A's data: {message}");
        }
    })
    .await;
    assert!(quiet.is_err(), "the watch ran its time");

    // Ingest into A's session with B's token: refused, and nothing lands in A's session.
    let (_, b_token) = create_token(base, bob, "bob's rig").await;
    let mut ingest = ingest_as(ingest_base, &b_token).await;
    let batch = TelemetryBatch {
        session_id: a_session.clone(),
        sim: Sim::AssettoCorsa as i32,
        sample_rate_hz: 60.0,
        frames: (50_000_001..=50_000_010)
            .map(|seq| TelemetryFrame { seq, session_time_ms: seq as f64, speed_kmh: 4321.5, ..Default::default() })
            .collect(),
        track: "stolen".into(),
        car: "stolen".into(),
        track_length_m: None,
        driver: "bob".into(),
    };
    let request = IngestRequest { payload: Some(ingest_request::Payload::Batch(batch)) };
    ingest.send(ws::Message::Binary(request.encode_to_vec().into())).await.unwrap();
    let answer = loop {
        match tokio::time::timeout(Duration::from_secs(30), ingest.next()).await.expect("an answer").unwrap().unwrap() {
            ws::Frame::Binary(bytes) => break IngestResponse::decode(bytes).unwrap().payload.unwrap(),
            _ => continue,
        }
    };
    // Embedded mode refuses it at once; Kafka mode puts it on B's own topic, where
    // the writer finds that B has no such session and stores nothing.
    if let ingest_response::Payload::Error(error) = &answer {
        assert_eq!(error.code, "not_found", "{error:?}");
    }
    actix_rt::time::sleep(Duration::from_secs(2)).await;
    let (_, a_after) = call(base, Some(alice), Method::GET, &format!("/api/sessions/{a_session}"), None).await;
    let a_session_id = a_session.clone();
    assert_eq!((&a_after["track"], &a_after["car"]), (&a_now["track"], &a_now["car"]));
    let store = Store::open_url(database_url, std::path::Path::new("unused")).unwrap();
    let owner = UserId(alice.id);
    let stolen = web_block(move || store.session_frames(owner, &a_session_id, 50_000_001, 50_000_010).unwrap()).await;
    assert!(stolen.is_empty(), "B's frames landed in A's session: {} frames", stolen.len());
    let (_, list) = call(base, Some(bob), Method::GET, "/api/sessions", None).await;
    assert!(!list.to_string().contains(&a_session), "B did not get A's session either: {list}");
}

#[actix_rt::test]
async fn another_user_can_reach_nothing_of_a_users_data_embedded() {
    let app = spawn_bare_app(|settings| {
        accounts_mode(settings);
        settings.demo.speed = 40.0;
    })
    .await;
    let alice = signup(&app.address, "alice").await;
    let bob = signup(&app.address, "bob").await;
    let (a, _a_driving) = drive_demo(&app.address, &alice, 2).await;
    let (b, _b_driving) = drive_demo(&app.address, &bob, 1).await;
    let database = format!("sqlite:{}", app.data_dir.path().join("purplesector.db").display());
    isolation_matrix(&app.address, &app.address, &database, (&alice, &a), (&bob, &b)).await;
    app.stop().await;
}

/// A real `serve` process in accounts mode, logging at debug: after sign-ups, logins
/// (wrong and right), tokens, an ingest and a password change, no password, session
/// cookie, CSRF token or ingest token appears anywhere in its output, while the
/// security events are there with their user and address.
#[actix_rt::test]
async fn passwords_and_tokens_never_reach_the_logs() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::sync::{Arc, Mutex};

    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_purplesector"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .env_remove("DATABASE_URL")
        .env_remove("KAFKA_BROKERS")
        .env_remove("RUST_LOG")
        .env("PURPLESECTOR__AUTH__MODE", "accounts")
        .env("PURPLESECTOR__AUTH__SESSION_SECRET", TEST_SESSION_SECRET)
        .env("PURPLESECTOR__LOG__LEVEL", "debug")
        .env("PURPLESECTOR__LOG__FORMAT", "json")
        .env("OPENAI_API_KEY", "sk-log-scan-key-0123456789")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = Arc::new(Mutex::new(String::new()));
    let (found, listening) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let readers = [
        std::thread::spawn({
            let output = output.clone();
            move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(url) = line.strip_prefix("purplesector listening on ") {
                        let _ = found.send(url.trim().to_string());
                    }
                    output.lock().unwrap().push_str(&line);
                    output.lock().unwrap().push('\n');
                }
            }
        }),
        std::thread::spawn({
            let output = output.clone();
            move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    output.lock().unwrap().push_str(&line);
                    output.lock().unwrap().push('\n');
                }
            }
        }),
    ];
    let base = listening.recv_timeout(Duration::from_secs(30)).expect("the server listens");

    let alice = signup(&base, "alice").await;
    let wrong = "a-wrong-guess-at-alices-password";
    let (status, _) =
        call(&base, None, Method::POST, "/api/auth/login", Some(json!({"username": "alice", "password": wrong}))).await;
    assert_eq!(status, 401);
    let again = login(&base, "alice", &password_of("alice")).await;
    let (_, token) = create_token(&base, &alice, "rig").await;
    let mut ingest = ingest_as(&base, &token).await;
    ingest.send(ws::Message::Close(None)).await.unwrap();
    let refused = format!("psi_{}", "Z".repeat(43));
    assert_eq!(ingest_refused(&base, Some(&refused)).await.0, 401);
    let new_password = "alices-brand-new-password";
    let (status, _) = call(
        &base,
        Some(&again),
        Method::POST,
        "/api/auth/password",
        Some(json!({"current_password": password_of("alice"), "new_password": new_password})),
    )
    .await;
    assert_eq!(status, 204);
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    child.wait().unwrap();
    for reader in readers {
        reader.join().unwrap();
    }

    let log = output.lock().unwrap().clone();
    let keys = Keys::new(TEST_SESSION_SECRET);
    let secrets = [
        ("alice's password", password_of("alice")),
        ("the wrong password", wrong.to_string()),
        ("the new password", new_password.to_string()),
        ("a session cookie", alice.session.clone()),
        ("another session cookie", again.session.clone()),
        ("a CSRF token", alice.csrf.clone()),
        ("the ingest token", token.clone()),
        ("the ingest token's stored digest", keys.digest(&token)),
        ("a refused token", refused.clone()),
        ("the secret key", TEST_SESSION_SECRET.to_string()),
        ("the OpenAI key", "sk-log-scan-key-0123456789".to_string()),
    ];
    for (what, secret) in secrets {
        assert!(!log.contains(&secret), "{what} appears in the log:\n{log}");
    }
    // The security events, as JSON log lines with their user and address.
    let events: Vec<serde_json::Value> = log
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["target"] == "purplesector::security")
        .collect();
    for event in [
        "signup",
        "login_failed",
        "login",
        "token_created",
        "ingest_token_used",
        "ingest_token_refused",
        "password_changed",
    ] {
        let logged = events.iter().find(|line| line["fields"]["event"] == event);
        let logged = logged.unwrap_or_else(|| panic!("security event {event} logged: {events:?}"));
        assert_eq!(logged["fields"]["address"], "127.0.0.1", "{logged}");
        if !event.ends_with("_failed") && !event.ends_with("_refused") {
            assert_eq!(logged["fields"]["user"], alice.id, "{logged}");
        }
    }
}

#[actix_rt::test]
async fn behind_a_proxy_cookies_are_secure_over_https_and_api_calls_are_limited_per_user() {
    let app = spawn_bare_app(|settings| {
        accounts_mode(settings);
        settings.server.behind_proxy = true;
        settings.auth.api_per_minute = 3;
    })
    .await;
    let base = app.address.clone();
    let response = awc::Client::new()
        .post(format!("{base}/api/auth/signup"))
        .insert_header(("X-Forwarded-Proto", "https"))
        .send_json(&json!({"username": "alice", "password": password_of("alice")}))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    for cookie in set_cookies(&response) {
        assert!(cookie.contains("Secure"), "the ingress terminated TLS: {cookie}");
    }
    let alice = login(&base, "alice", &password_of("alice")).await;
    let bob = signup(&base, "bob").await;
    for _ in 0..3 {
        assert_eq!(call(&base, Some(&alice), Method::GET, "/api/sessions", None).await.0, 200);
    }
    let (status, body) = call(&base, Some(&alice), Method::GET, "/api/sessions", None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (429, Some("rate_limited")), "{body}");
    assert_eq!(
        call(&base, Some(&bob), Method::GET, "/api/sessions", None).await.0,
        200,
        "per user: bob is not limited"
    );
    app.stop().await;
}
