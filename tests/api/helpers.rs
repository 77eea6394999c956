//! `spawn_app`: one application per test, on a free port, with a fresh data dir.

use crate::accounts_support::{create_token, signup, TestUser};
use awc::ws;
use futures_util::{SinkExt, StreamExt};
use purplesector_actors::startup::{Application, ShutdownHandle};
use purplesector_engine::auth::AuthMode;
use purplesector_engine::config::Settings;
use purplesector_engine::storage::LOCAL_USER;
use std::time::Duration;

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub data_dir: tempfile::TempDir,
    /// Collectors running inside the app (`collect.sims`), to ask their UDP address.
    pub collectors: Vec<actix::Addr<purplesector_actors::collector::CollectorActor>>,
    /// The root actor, for tests that act as a viewer of a user the HTTP API cannot
    /// name yet (before accounts, every browser is the local user).
    pub engine: actix::Addr<purplesector_actors::engine::Engine>,
    /// In accounts mode: the driver signed up at start, whom `get_json` and `ws` act as
    /// (`None` in local mode, where everything is the local user's).
    pub user: Option<TestUser>,
    /// In accounts mode: an ingest token of `user`.
    pub ingest_token: Option<String>,
    server: ShutdownHandle,
    task: actix_rt::task::JoinHandle<std::io::Result<()>>,
}

pub type WsConnection = actix_codec::Framed<awc::BoxedSocket, ws::Codec>;

pub async fn spawn_app(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_in(tempfile::tempdir().expect("temporary directory"), adjust).await
}

/// Starts an application on an existing data directory (to test restarts).
pub async fn spawn_app_in(data_dir: tempfile::TempDir, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    start(data_dir, adjust, true).await
}

/// Starts an application whose accounts (in accounts mode) are all the test's own:
/// no driver is signed up first.
pub async fn spawn_bare_app(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    start(tempfile::tempdir().expect("temporary directory"), adjust, false).await
}

/// [`spawn_bare_app`] on an existing data directory.
pub async fn spawn_bare_app_in(data_dir: tempfile::TempDir, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    start(data_dir, adjust, false).await
}

async fn start(data_dir: tempfile::TempDir, adjust: impl FnOnce(&mut Settings), driver: bool) -> TestApp {
    let mut settings = Settings::default();
    settings.server.addr = "127.0.0.1:0".into();
    settings.server.workers = 1;
    settings.storage.data_dir = data_dir.path().to_path_buf();
    adjust(&mut settings);
    let accounts = settings.auth_mode().expect("auth settings") == AuthMode::Accounts;
    let app = Application::build(settings).await.expect("the application builds");
    let port = app.port();
    let server = app.shutdown_handle();
    let collectors = app.collectors().to_vec();
    let engine = app.engine();
    let task = actix_rt::spawn(app.run_until_stopped());
    let address = format!("http://127.0.0.1:{port}");
    let (user, ingest_token) = if accounts && driver {
        let user = signup(&address, "driver").await;
        let (_, token) = create_token(&address, &user, "test rig").await;
        (Some(user), Some(token))
    } else {
        (None, None)
    };
    TestApp { address, port, data_dir, collectors, engine, user, ingest_token, server, task }
}

impl TestApp {
    /// Stops the server gracefully (flushing the store) and hands back its data dir.
    pub async fn stop(self) -> tempfile::TempDir {
        self.server.shutdown().await;
        self.task.await.expect("server task").expect("server ran cleanly");
        self.data_dir
    }

    pub fn client(&self) -> awc::Client {
        awc::Client::builder().timeout(Duration::from_secs(30)).finish()
    }

    /// The driver's ingest token (accounts mode only).
    pub fn token(&self) -> &str {
        self.ingest_token.as_deref().expect("an app in accounts mode")
    }

    /// The id of the user the app's helpers act as (the local user in local mode).
    pub fn user_id(&self) -> i64 {
        self.user.as_ref().map_or(LOCAL_USER.0, |user| user.id)
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let mut request = self.client().get(format!("{}{path}", self.address));
        if let Some(user) = &self.user {
            request = request.insert_header(("Cookie", format!("ps_session={}", user.session)));
        }
        let mut response = request.send().await.expect("GET");
        let body = response.json::<serde_json::Value>().limit(64 << 20).await.expect("JSON body");
        (response.status().as_u16(), body)
    }

    pub async fn ws(&self, query: &str) -> WsConnection {
        let mut request = awc::Client::new().ws(format!("ws://127.0.0.1:{}/ws{query}", self.port));
        if let Some(user) = &self.user {
            request = request.header("Cookie", format!("ps_session={}", user.session));
        }
        let (_, connection) = request.max_frame_size(16 << 20).connect().await.expect("WebSocket connects");
        connection
    }
}

/// The next JSON text message (pings skipped), or panics after `timeout`.
pub async fn next_json(connection: &mut WsConnection) -> serde_json::Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(30), connection.next())
            .await
            .expect("a message within 30 s")
            .expect("the stream is open")
            .expect("a valid frame");
        match frame {
            ws::Frame::Text(text) => return serde_json::from_slice(&text).expect("JSON text"),
            ws::Frame::Ping(payload) => connection.send(ws::Message::Pong(payload)).await.unwrap(),
            ws::Frame::Close(reason) => panic!("server closed the stream: {reason:?}"),
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

pub async fn send_json(connection: &mut WsConnection, value: serde_json::Value) {
    connection.send(ws::Message::Text(value.to_string().into())).await.expect("send");
}

/// The demo session's id from a `connected` message.
pub fn demo_session_id(connected: &serde_json::Value) -> String {
    let sessions = connected["connected"]["live_sessions"].as_array().expect("live_sessions");
    assert_eq!(sessions.len(), 1, "exactly the demo session is live: {connected}");
    assert_eq!(sessions[0]["sim"], "demo");
    sessions[0]["id"].as_str().unwrap().to_string()
}
