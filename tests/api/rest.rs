//! REST API: sessions CRUD, laps, errors, health and metrics.

use crate::helpers::spawn_app;
use serde_json::json;

#[actix_rt::test]
async fn sessions_can_be_created_read_renamed_listed_and_deleted() {
    let app = spawn_app(|_| {}).await;
    let client = app.client();

    let mut created = client
        .post(format!("{}/api/sessions", app.address))
        .send_json(&json!({"name": "Practice", "sim": "ac", "track": "Monza", "car": "GT3"}))
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created: serde_json::Value = created.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["sim"], "ac");
    assert_eq!(created["lap_count"], 0);
    assert_eq!(created["live"], false);

    let (status, fetched) = app.get_json(&format!("/api/sessions/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(fetched["track"], "Monza");

    let mut renamed = client
        .patch(format!("{}/api/sessions/{id}", app.address))
        .send_json(&json!({"name": "Qualifying"}))
        .await
        .unwrap();
    assert_eq!(renamed.status().as_u16(), 200);
    assert_eq!(renamed.json::<serde_json::Value>().await.unwrap()["name"], "Qualifying");

    let (_, list) = app.get_json("/api/sessions").await;
    assert_eq!(list["sessions"].as_array().unwrap().len(), 1);
    let (status, laps) = app.get_json(&format!("/api/sessions/{id}/laps")).await;
    assert_eq!((status, laps), (200, json!({"laps": []})));

    let deleted = client.delete(format!("{}/api/sessions/{id}", app.address)).send().await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let (status, body) = app.get_json(&format!("/api/sessions/{id}")).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    app.stop().await;
}

#[actix_rt::test]
async fn bad_requests_get_clear_json_errors() {
    let app = spawn_app(|_| {}).await;
    let client = app.client();

    let mut bad_json = client
        .post(format!("{}/api/sessions", app.address))
        .content_type("application/json")
        .send_body("{not json")
        .await
        .unwrap();
    assert_eq!(bad_json.status().as_u16(), 400);
    let body: serde_json::Value = bad_json.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    assert!(body["error"]["message"].as_str().unwrap().contains("JSON"), "{body}");

    let mut bad_sim =
        client.post(format!("{}/api/sessions", app.address)).send_json(&json!({"sim": "pong"})).await.unwrap();
    assert_eq!(bad_sim.status().as_u16(), 400);
    let body: serde_json::Value = bad_sim.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("pong"), "{body}");

    let mut too_big = client
        .post(format!("{}/api/sessions", app.address))
        .send_json(&json!({"name": "x".repeat(100_000)}))
        .await
        .unwrap();
    assert_eq!(too_big.status().as_u16(), 413);
    assert_eq!(too_big.json::<serde_json::Value>().await.unwrap()["error"]["code"], "payload_too_large");

    for path in ["/api/nothing-here", "/api/laps/not-a-number", "/api/laps/999999", "/api/sessions/unknown/laps"] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["error"]["code"], "not_found", "{path}: {body}");
    }
    app.stop().await;
}

#[actix_rt::test]
async fn health_readiness_and_metrics_answer() {
    let app = spawn_app(|_| {}).await;
    let (status, body) = app.get_json("/healthz").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let (status, body) = app.get_json("/readyz").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"status": "ready", "store": "ok", "bus": "ok"}));

    let mut response = app.client().get(format!("{}/metrics", app.address)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let text = String::from_utf8(response.body().await.unwrap().to_vec()).unwrap();
    for name in [
        "purplesector_frames_ingested_total",
        "purplesector_frames_written_total",
        "purplesector_ws_clients",
        "purplesector_active_users",
        "purplesector_db_write_seconds",
    ] {
        assert!(text.contains(name), "{name} missing from /metrics:\n{text}");
    }
    app.stop().await;
}

#[actix_rt::test]
async fn the_web_app_or_a_clear_page_is_served_at_the_root() {
    let app = spawn_app(|_| {}).await;
    for path in ["/", "/sessions/some-id"] {
        let mut response = app.client().get(format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let html = String::from_utf8(response.body().await.unwrap().to_vec()).unwrap();
        assert!(html.contains("Purple Sector"), "{path}: {html}");
    }
    app.stop().await;
}
