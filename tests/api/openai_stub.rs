//! A local server speaking the OpenAI chat-completions HTTP API (the only stand-in
//! the tests use for the real service): `POST /v1/chat/completions`, plain JSON or
//! streamed as server-sent events, with a mode to misbehave (malformed output, too
//! slow, 429). It records every request for the tests to inspect.

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Good,
    Malformed,
    Slow,
    TooManyRequests,
}

/// The pieces of the streamed chat reply, sent 100 ms apart.
pub const CHAT_PIECES: [&str; 4] = ["Brake ", "ten metres ", "later into ", "turn 3."];

pub const SUGGESTIONS: &str = r#"{"suggestions": [{"corner": 3, "kind": "braking", "message": "Brake 10 m later into turn 3", "time_at_stake_ms": 150, "severity": "minor"}]}"#;

#[derive(Default)]
pub struct Seen {
    pub bodies: Vec<serde_json::Value>,
    pub authorization: Vec<String>,
}

pub struct Stub {
    pub base_url: String,
    pub mode: Arc<Mutex<Mode>>,
    pub seen: Arc<Mutex<Seen>>,
    server: actix_web::dev::ServerHandle,
}

impl Stub {
    pub async fn start() -> Stub {
        let mode = Arc::new(Mutex::new(Mode::Good));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (state_mode, state_seen) = (mode.clone(), seen.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new((state_mode.clone(), state_seen.clone())))
                .route("/v1/chat/completions", web::post().to(completions))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        actix_rt::spawn(server);
        Stub { base_url: format!("http://127.0.0.1:{port}/v1"), mode, seen, server: handle }
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
        *self.seen.lock().unwrap() = Seen::default();
    }

    pub fn requests(&self) -> usize {
        self.seen.lock().unwrap().bodies.len()
    }

    pub async fn stop(self) {
        self.server.stop(false).await;
    }
}

type State = web::Data<(Arc<Mutex<Mode>>, Arc<Mutex<Seen>>)>;

async fn completions(req: HttpRequest, body: web::Json<serde_json::Value>, state: State) -> HttpResponse {
    let mode = *state.0.lock().unwrap();
    {
        let mut seen = state.1.lock().unwrap();
        seen.bodies.push(body.0.clone());
        let auth = req.headers().get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        seen.authorization.push(auth);
    }
    let stream = body["stream"].as_bool().unwrap_or(false);
    match mode {
        Mode::TooManyRequests => {
            return HttpResponse::TooManyRequests().json(serde_json::json!({
                "error": {"message": "Rate limit reached", "type": "rate_limit_error", "param": null, "code": "rate_limit_exceeded"}
            }))
        }
        Mode::Slow => actix_rt::time::sleep(Duration::from_secs(5)).await,
        _ => {}
    }
    if stream {
        let chunks = futures_util::stream::unfold(0usize, |index| async move {
            if index > CHAT_PIECES.len() {
                return None;
            }
            actix_rt::time::sleep(Duration::from_millis(100)).await;
            let data = if index == CHAT_PIECES.len() {
                "data: [DONE]\n\n".to_string()
            } else {
                let chunk = serde_json::json!({
                    "id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0, "model": "coach-model",
                    "choices": [{"index": 0, "delta": {"role": "assistant", "content": CHAT_PIECES[index]}, "finish_reason": null}]
                });
                format!("data: {chunk}\n\n")
            };
            Some((Ok::<_, actix_web::Error>(web::Bytes::from(data)), index + 1))
        });
        return HttpResponse::Ok().content_type("text/event-stream").streaming(chunks);
    }
    let content = match mode {
        Mode::Malformed => "Here are my tips: brake later!".to_string(),
        _ => SUGGESTIONS.to_string(),
    };
    HttpResponse::Ok().json(serde_json::json!({
        "id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": "coach-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop", "logprobs": null}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    }))
}
