//! `/ingest`: the collector stream.
//!
//! A collector sends binary protobuf `IngestRequest`s (batches of one session's
//! frames, session ends, pings) and gets one `IngestResponse` for each, in order. Requests are handled one at a time, in order: a collector that sends
//! faster than the engine takes frames waits on TCP, and nothing queues without
//! bound. A malformed or refused request gets an `error` answer (counted by code)
//! and the connection stays open; the frames of other requests are not affected.
//!
//! The user is the caller's (the local user in local mode; the ingest token's
//! owner in accounts mode), never a field of the payload. A token revoked while its
//! connection is open closes the connection within [`TOKEN_RECHECK`].

use super::{AppState, IngestCaller};
use crate::ingest::{EndIngestSession, IngestBatch, IngestFailure, IngestRouter};
use actix::Actor;
use actix_web::{web, HttpRequest, HttpResponse};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason};
use futures_util::StreamExt;
use prost::Message;
use purplesector_proto::v1::{ingest_request, ingest_response, Error, IngestAck, IngestRequest, IngestResponse, Pong};
use std::time::Duration;
use tracing::Instrument;

/// How often an open connection checks that its ingest token is still unrevoked.
const TOKEN_RECHECK: Duration = Duration::from_secs(10);

pub(super) async fn connect(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    caller: IngestCaller,
) -> Result<HttpResponse, actix_web::Error> {
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let max_bytes = state.shared.settings.stream.max_ingest_message_bytes;
    let stream = stream.max_frame_size(max_bytes).aggregate_continuations().max_continuation_size(max_bytes);
    let router = IngestRouter::for_producer(caller.user, state.shared.clone(), state.engine.clone()).start();
    let shared = state.shared.clone();
    actix_rt::spawn(async move {
        let mut session = session;
        let mut stream = stream;
        let refuse = |code: &'static str, message: String| {
            shared.metrics.bad_ingest_messages.with_label_values(&[code]).inc();
            IngestResponse { payload: Some(ingest_response::Payload::Error(Error { code: code.into(), message })) }
        };
        let mut logged_bad = false;
        let mut shutdown = shared.shutdown.subscribe();
        let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + TOKEN_RECHECK, TOKEN_RECHECK);
        // A busy connection checks once when it gets to it, not once per missed tick.
        recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // Requests in progress finish; at shutdown the collector is told to go
            // away (it keeps what was not acknowledged and sends it to the next engine).
            let item = tokio::select! {
                item = stream.next() => match item {
                    Some(item) => item,
                    None => break,
                },
                _ = shutdown.wait_for(|stopping| *stopping) => {
                    let reason = CloseReason { code: CloseCode::Away, description: Some("server shutting down".into()) };
                    let _ = session.close(Some(reason)).await;
                    return;
                }
                _ = recheck.tick(), if caller.token_id.is_some() => {
                    let store = shared.store.clone();
                    let id = caller.token_id.unwrap_or_default();
                    // A store that does not answer keeps the connection (it is checked again).
                    if let Ok(Ok(false)) = tokio::task::spawn_blocking(move || store.api_token_active(id)).await {
                        shared.metrics.auth_events.with_label_values(&["ingest_token_revoked_open"]).inc();
                        tracing::info!(target: "purplesector::security", event = "ingest_token_revoked_open", user = caller.user.0, "closing an ingest connection whose token was revoked");
                        let reason = CloseReason { code: CloseCode::Policy, description: Some("ingest token revoked".into()) };
                        let _ = session.close(Some(reason)).await;
                        return;
                    }
                    continue;
                }
            };
            let reply = match item {
                Ok(AggregatedMessage::Binary(bytes)) => match IngestRequest::decode(bytes) {
                    Ok(IngestRequest { payload: Some(ingest_request::Payload::Batch(batch)) }) => {
                        let span = tracing::debug_span!(
                            "ingest_batch",
                            user = caller.user.0,
                            session = %batch.session_id,
                            frames = batch.frames.len()
                        );
                        match router.send(IngestBatch(batch)).instrument(span).await {
                            Ok(Ok(ack)) => Some(IngestResponse { payload: Some(ingest_response::Payload::Ack(ack)) }),
                            Ok(Err(failure)) => Some(refuse(failure.code(), failure.to_string())),
                            Err(_) => Some(refuse(
                                IngestFailure::Unavailable(String::new()).code(),
                                "the engine is stopping".into(),
                            )),
                        }
                    }
                    Ok(IngestRequest { payload: Some(ingest_request::Payload::EndSession(end)) }) => {
                        // Answered like a batch, so a collector pairs answers with requests.
                        let ack = IngestAck { session_id: end.session_id.clone(), ..IngestAck::default() };
                        let _ = router.send(EndIngestSession(end.session_id)).await;
                        Some(IngestResponse { payload: Some(ingest_response::Payload::Ack(ack)) })
                    }
                    Ok(IngestRequest { payload: Some(ingest_request::Payload::Ping(ping)) }) => Some(IngestResponse {
                        payload: Some(ingest_response::Payload::Pong(Pong { nonce: ping.nonce })),
                    }),
                    Ok(IngestRequest { payload: None }) => Some(refuse("bad_message", "empty ingest request".into())),
                    Err(error) => {
                        if !std::mem::replace(&mut logged_bad, true) {
                            tracing::warn!(%error, "malformed protobuf on /ingest (logged once per connection)");
                        }
                        Some(refuse("bad_message", format!("not a protobuf IngestRequest: {error}")))
                    }
                },
                Ok(AggregatedMessage::Text(_)) => {
                    Some(refuse("bad_message", "/ingest speaks binary protobuf IngestRequest messages".into()))
                }
                Ok(AggregatedMessage::Ping(payload)) => {
                    if session.pong(&payload).await.is_err() {
                        break;
                    }
                    None
                }
                Ok(AggregatedMessage::Pong(_)) => None,
                Ok(AggregatedMessage::Close(_)) => break,
                Err(error) => {
                    shared.metrics.bad_ingest_messages.with_label_values(&["protocol"]).inc();
                    tracing::debug!(%error, "WebSocket protocol error on /ingest; closing");
                    let code = match error {
                        actix_ws::ProtocolError::Overflow => CloseCode::Size,
                        _ => CloseCode::Protocol,
                    };
                    let _ =
                        session.clone().close(Some(CloseReason { code, description: Some(error.to_string()) })).await;
                    return;
                }
            };
            if let Some(reply) = reply {
                if session.binary(reply.encode_to_vec()).await.is_err() {
                    break;
                }
            }
        }
        let _ = session.close(None).await;
    });
    Ok(response)
}
