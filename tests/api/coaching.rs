//! LLM coaching against a local OpenAI-compatible server: the request carries the
//! model, the JSON schema and the analysis (never frames, never the key anywhere
//! but its header); a chat reply streams in pieces and is stored; malformed output,
//! a timeout and a 429 each end in a clear message beside the built-in suggestions;
//! without a key, AI coaching says it is off.

use crate::helpers::{spawn_app, TestApp};
use crate::openai_stub::{Mode, Stub, CHAT_PIECES};
use futures_util::StreamExt;
use serde_json::json;
use std::time::{Duration, Instant};

const KEY: &str = "sk-test-0123456789-never-shown";

async fn stored_laps(app: &TestApp, count: usize) -> Vec<serde_json::Value> {
    let (_, sessions) = app.get_json("/api/sessions").await;
    let session = sessions["sessions"][0]["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (_, body) = app.get_json(&format!("/api/sessions/{session}/laps")).await;
        let laps = body["laps"].as_array().unwrap().clone();
        if laps.len() >= count {
            return laps;
        }
        assert!(Instant::now() < deadline, "{count} demo laps within two minutes");
        actix_rt::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn post(app: &TestApp, path: &str, body: serde_json::Value) -> (u16, String) {
    let mut response = app.client().post(format!("{}{path}", app.address)).send_json(&body).await.unwrap();
    let bytes = response.body().limit(16 << 20).await.unwrap();
    (response.status().as_u16(), String::from_utf8_lossy(&bytes).to_string())
}

async fn ai_of(app: &TestApp, lap: &serde_json::Value) -> serde_json::Value {
    let (status, body) = post(app, &format!("/api/laps/{}/analysis", lap["id"]), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains(KEY), "the key never reaches a response");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        !body["analysis"]["suggestions"].as_array().unwrap().is_empty(),
        "the built-in suggestions are always there"
    );
    body["ai"].clone()
}

#[actix_rt::test]
async fn suggestions_and_a_streamed_chat_come_from_an_openai_compatible_server() {
    let stub = Stub::start().await;
    let app = spawn_app(|settings| {
        settings.demo.enabled = true;
        settings.demo.seed = 4;
        settings.demo.speed = 60.0;
        settings.openai.api_key = KEY.into();
        settings.openai.base_url = stub.base_url.clone();
        settings.openai.model = "coach-model".into();
        settings.openai.timeout_s = 2;
        settings.openai.requests_per_minute = 100;
    })
    .await;
    let laps = stored_laps(&app, 3).await;
    let lap = &laps[2];

    // Suggestions: the request carries the model, the schema and the analysis.
    let ai = ai_of(&app, lap).await;
    assert_eq!(ai["status"], "ok", "{ai}");
    assert_eq!(ai["suggestions"][0]["corner"], 3);
    assert_eq!(ai["suggestions"][0]["kind"], "braking");
    {
        let seen = stub.seen.lock().unwrap();
        let request = &seen.bodies[0];
        assert_eq!(request["model"], "coach-model");
        assert_eq!(request["response_format"]["type"], "json_schema");
        assert_eq!(request["response_format"]["json_schema"]["name"], "lap_suggestions");
        assert_eq!(request["response_format"]["json_schema"]["strict"], true);
        assert!(request["response_format"]["json_schema"]["schema"]["properties"]["suggestions"].is_object());
        assert!(request["max_completion_tokens"].as_u64().is_some(), "a token budget per request");
        let prompt = request["messages"].to_string();
        assert!(prompt.contains("min_speed_kmh") && prompt.contains("braking_point_m"), "the analysis is the input");
        assert!(!prompt.contains("\"frames\"") && !prompt.contains("session_time_ms"), "never raw frames");
        assert_eq!(seen.authorization[0], format!("Bearer {KEY}"));
    }

    // Chat: the reply streams in pieces (server-sent events) and is stored.
    let mut response = app
        .client()
        .post(format!("{}/api/laps/{}/chat", app.address, lap["id"]))
        .send_json(&json!({"message": "Where do I lose the most time?"}))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers().get("content-type").unwrap(), "text/event-stream");
    let mut pieces = Vec::new();
    let mut text = String::new();
    while let Some(chunk) = response.next().await {
        let chunk = String::from_utf8_lossy(&chunk.unwrap()).to_string();
        if chunk.contains("\"delta\"") {
            pieces.push(chunk.clone());
        }
        text.push_str(&chunk);
    }
    assert!(pieces.len() >= 2, "the reply arrived in pieces, not at once: {pieces:?}");
    let reply: String = text
        .split("\n\n")
        .filter_map(|event| event.strip_prefix("data: "))
        .filter_map(|data| serde_json::from_str::<serde_json::Value>(data).ok())
        .filter_map(|event| event["delta"].as_str().map(String::from))
        .collect();
    assert_eq!(reply, CHAT_PIECES.concat());
    assert!(text.contains("\"done\":true"), "{text}");
    let (_, history) = app.get_json(&format!("/api/laps/{}/chat", lap["id"])).await;
    assert_eq!(history["ai"], true);
    let messages = history["messages"].as_array().unwrap();
    assert_eq!((messages[0]["role"].as_str(), messages[1]["role"].as_str()), (Some("user"), Some("assistant")));
    assert_eq!(messages[1]["content"], CHAT_PIECES.concat());
    {
        let seen = stub.seen.lock().unwrap();
        let chat = seen.bodies.last().unwrap();
        assert_eq!(chat["stream"], true);
        assert!(chat["messages"].to_string().contains("Where do I lose the most time?"));
        assert!(chat["messages"].to_string().contains("min_speed_kmh"), "the analysis is the chat's context");
        assert!(chat["messages"].to_string().contains("Brake 10 m later into turn 3"), "and the suggestions so far");
    }
    // The next message carries the conversation so far.
    let (status, _) = post(&app, &format!("/api/laps/{}/chat", lap["id"]), json!({"message": "And turn 5?"})).await;
    assert_eq!(status, 200);
    let history = stub.seen.lock().unwrap().bodies.last().unwrap()["messages"].to_string();
    assert!(history.contains("Where do I lose the most time?") && history.contains(&CHAT_PIECES.concat()));

    // Malformed output is retried once, then reported; the built-in suggestions stay.
    stub.set(Mode::Malformed);
    let ai = ai_of(&app, lap).await;
    assert_eq!((ai["status"].as_str(), ai["error"]["code"].as_str()), (Some("error"), Some("ai_bad_output")), "{ai}");
    assert_eq!(stub.requests(), 2, "one retry after invalid output");

    // A model slower than openai.timeout_s.
    stub.set(Mode::Slow);
    let ai = ai_of(&app, lap).await;
    assert_eq!(ai["error"]["code"], "ai_timeout", "{ai}");
    assert!(ai["error"]["message"].as_str().unwrap().contains("2 s"), "{ai}");

    // 429s: retried with backoff (async-openai: three retries), then a clear message.
    stub.set(Mode::TooManyRequests);
    let ai = ai_of(&app, lap).await;
    assert_eq!(ai["error"]["code"], "ai_upstream", "{ai}");
    assert!(ai["error"]["message"].as_str().unwrap().contains("429"), "{ai}");
    assert_eq!(stub.requests(), 4, "three retries after a 429");
    let (status, body) = post(&app, &format!("/api/laps/{}/chat", lap["id"]), json!({"message": "Again?"})).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("ai_upstream"), "{body}");

    // Another user's lap, or a missing one: 404, no request to the model.
    stub.set(Mode::Good);
    let (status, _) = post(&app, "/api/laps/987654/chat", json!({"message": "hi"})).await;
    assert_eq!(status, 404);
    assert_eq!(stub.requests(), 0);
    app.stop().await;
    stub.stop().await;
}

#[actix_rt::test]
async fn without_a_key_ai_coaching_is_off_and_requests_are_limited_per_user() {
    let stub = Stub::start().await;
    let app = spawn_app(|settings| {
        settings.demo.enabled = true;
        settings.demo.seed = 4;
        settings.demo.speed = 60.0;
    })
    .await;
    let laps = stored_laps(&app, 3).await;
    let ai = ai_of(&app, &laps[2]).await;
    assert_eq!((ai["status"].as_str(), ai["error"]["code"].as_str()), (Some("off"), Some("ai_off")), "{ai}");
    assert!(ai["error"]["message"].as_str().unwrap().contains("AI coaching is off"));
    let (status, body) = post(&app, &format!("/api/laps/{}/chat", laps[2]["id"]), json!({"message": "hi"})).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("ai_off"));
    let (_, history) = app.get_json(&format!("/api/laps/{}/chat", laps[2]["id"])).await;
    assert_eq!(history["ai"], false);
    app.stop().await;

    // One AI request per minute: the second is refused with a wait, not sent.
    let app = spawn_app(|settings| {
        settings.demo.enabled = true;
        settings.demo.seed = 4;
        settings.demo.speed = 60.0;
        settings.openai.api_key = KEY.into();
        settings.openai.base_url = stub.base_url.clone();
        settings.openai.requests_per_minute = 1;
    })
    .await;
    let laps = stored_laps(&app, 3).await;
    assert_eq!(ai_of(&app, &laps[2]).await["status"], "ok");
    let ai = ai_of(&app, &laps[2]).await;
    assert_eq!(ai["error"]["code"], "rate_limited", "{ai}");
    let (status, _) = post(&app, &format!("/api/laps/{}/chat", laps[2]["id"]), json!({"message": "hi"})).await;
    assert_eq!(status, 429);
    assert_eq!(stub.requests(), 1, "refused requests never reach the model");
    app.stop().await;
    stub.stop().await;
}
