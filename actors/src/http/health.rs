//! `/healthz` (the process answers), `/readyz` (store, engine and, with Kafka, the
//! brokers answer), `/metrics`.

use super::AppState;
use crate::engine::GetStatus;
use actix_web::{web, HttpResponse};
use std::time::Duration;

pub(super) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

pub(super) async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let store = state.shared.store.clone();
    let store_ok = matches!(web::block(move || store.check()).await, Ok(Ok(())));
    let engine_ok =
        matches!(tokio::time::timeout(Duration::from_secs(2), state.engine.send(GetStatus)).await, Ok(Ok(_)));
    // Kafka mode: the brokers must answer too (for the roles that write to them).
    let kafka_ok = match state.shared.bus.clone() {
        Some(bus) => matches!(web::block(move || bus.check(Duration::from_secs(2))).await, Ok(Ok(()))),
        None => true,
    };
    let bus_ok = engine_ok && kafka_ok;
    let body = serde_json::json!({
        "status": if store_ok && bus_ok { "ready" } else { "not_ready" },
        "store": if store_ok { "ok" } else { "unavailable" },
        "bus": if bus_ok { "ok" } else { "unavailable" },
    });
    if store_ok && bus_ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

pub(super) async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(state.shared.metrics.render())
}
