//! WsClientActor: one browser's live stream (`/ws`).
//!
//! Why actix-ws and not actix-web-actors: `WebsocketContext` buffers outbound
//! frames without bound and cannot tell how much is queued, so a slow browser
//! would grow the server's memory. Here the actor keeps an [`Outbox`] (bounded,
//! drops the oldest telemetry first and counts it) and a writer task drains it into
//! actix-ws's `Session`, whose sends wait on a bounded channel: the socket's pace
//! sets how fast the outbox empties, and nothing else waits for a slow browser.
//!
//! Incoming messages are parsed with a clear `error` answer for anything that is
//! not understood; the connection stays open. A heartbeat closes silent clients.

use crate::engine::{Engine, EngineError, StartDemo, StopDemo};
use crate::metrics::{actor_kind, drop_reason};
use crate::shared::SharedRef;
use crate::user::{ConnectViewer, DisconnectViewer, Subscribe, Unsubscribe};
use crate::viewer::{ViewerEvent, ViewerId};
use actix::prelude::*;
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, ProtocolError};
use bytes::Bytes;
use prost::Message as _;
use purplesector_engine::outbox::{Outbox, Priority, PushOutcome};
use purplesector_engine::storage::UserId;
use purplesector_proto::v1::{
    client_message, server_message, Connected, Error as ErrorMessage, LapCompleted, Pong, ServerMessage,
    SessionUpdated, Telemetry, TelemetryFrame,
};
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The lap-so-far sent on subscribe is split into messages of at most this many
/// frames (2 s at 60 Hz, about 18 KB). Small, because actix-http keeps a connection's
/// write buffer at the largest size it reached (up to 128 KiB): 600-frame messages
/// (about 90 KB) left every viewer who joined mid-lap holding that much.
const CATCH_UP_FRAMES_PER_MESSAGE: usize = 120;

/// How messages are framed on this connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireFormat {
    /// Binary protobuf frames (default).
    Protobuf,
    /// The same messages as JSON text (`?format=json`).
    Json,
}

/// What the writer task sends next.
enum Outgoing {
    Message(ServerMessage),
    Frames { session_id: Arc<str>, frames: Arc<Vec<TelemetryFrame>>, catch_up: bool },
    Ping,
    Close(Option<CloseReason>),
}

pub struct WsClientActor {
    id: ViewerId,
    owner: UserId,
    shared: SharedRef,
    engine: Addr<Engine>,
    outbox: Rc<RefCell<Outbox<Outgoing>>>,
    wake_writer: Rc<Notify>,
    subscriptions: HashSet<String>,
    last_heard: Instant,
    closing: bool,
}

impl WsClientActor {
    /// Starts the actor for an upgraded connection: `session` writes to the
    /// browser, `stream` reads from it.
    pub fn start(
        owner: UserId,
        format: WireFormat,
        shared: SharedRef,
        engine: Addr<Engine>,
        session: actix_ws::Session,
        stream: actix_ws::MessageStream,
    ) -> Addr<Self> {
        let max_bytes = shared.settings.stream.max_client_message_bytes;
        let outbox = Rc::new(RefCell::new(Outbox::new(shared.settings.stream.viewer_queue_messages)));
        let wake_writer = Rc::new(Notify::new());
        actix_rt::spawn(write_loop(session, outbox.clone(), wake_writer.clone(), format));
        let stream = stream.max_frame_size(max_bytes).aggregate_continuations().max_continuation_size(max_bytes);
        WsClientActor::create(move |ctx| {
            ctx.add_stream(stream);
            WsClientActor {
                id: ViewerId::next(),
                owner,
                shared,
                engine,
                outbox,
                wake_writer,
                subscriptions: HashSet::new(),
                last_heard: Instant::now(),
                closing: false,
            }
        })
    }

    fn queue(&mut self, priority: Priority, item: Outgoing, ctx: &mut Context<Self>) {
        if self.closing {
            return;
        }
        let outcome = self.outbox.borrow_mut().push(priority, item);
        match outcome {
            PushOutcome::Queued { dropped } => self.shared.metrics.dropped(drop_reason::SLOW_VIEWER, dropped),
            PushOutcome::Overflow => {
                tracing::warn!(viewer = self.id.0, "browser too slow even for lap events; disconnecting it");
                self.close(Some(CloseReason { code: CloseCode::Again, description: Some("too slow".into()) }), ctx);
                return;
            }
        }
        self.wake_writer.notify_one();
    }

    fn send(&mut self, payload: server_message::Payload, ctx: &mut Context<Self>) {
        self.queue(Priority::Keep, Outgoing::Message(ServerMessage { payload: Some(payload) }), ctx);
    }

    fn send_error(&mut self, code: &str, message: impl Into<String>, ctx: &mut Context<Self>) {
        let error = ErrorMessage { code: code.into(), message: message.into() };
        self.send(server_message::Payload::Error(error), ctx);
    }

    /// Sends a close frame after what is queued, then stops.
    fn close(&mut self, reason: Option<CloseReason>, ctx: &mut Context<Self>) {
        if self.closing {
            return;
        }
        self.closing = true;
        queue_close(&self.outbox, reason);
        self.wake_writer.notify_one();
        ctx.stop();
    }

    fn handle_client_message(&mut self, message: client_message::Payload, ctx: &mut Context<Self>) {
        use client_message::Payload;
        match message {
            Payload::Ping(ping) => self.send(server_message::Payload::Pong(Pong { nonce: ping.nonce }), ctx),
            Payload::Subscribe(subscribe) => self.subscribe(subscribe.session_id, ctx),
            Payload::Unsubscribe(unsubscribe) => {
                self.subscriptions.remove(&unsubscribe.session_id);
                self.engine.do_send(Unsubscribe {
                    owner: self.owner,
                    viewer: self.id,
                    session_id: unsubscribe.session_id,
                });
            }
            Payload::StartDemo(start) => {
                let seed = (start.seed != 0).then_some(start.seed);
                let request = self.engine.send(StartDemo { owner: self.owner, seed });
                ctx.spawn(request.into_actor(self).map(|result, act, ctx| match result {
                    Ok(Ok(session)) => {
                        let session_id = session.id.clone();
                        act.send(
                            server_message::Payload::SessionUpdated(SessionUpdated { session: Some(session) }),
                            ctx,
                        );
                        act.subscribe(session_id, ctx);
                    }
                    Ok(Err(error)) => act.send_engine_error(error, ctx),
                    Err(_) => act.send_error("unavailable", "the engine is not answering", ctx),
                }));
            }
            Payload::StopDemo(_) => {
                self.engine.do_send(StopDemo { owner: self.owner });
            }
        }
    }

    fn subscribe(&mut self, session_id: String, ctx: &mut Context<Self>) {
        if session_id.is_empty() {
            self.send_error("bad_message", "subscribe needs a session_id", ctx);
            return;
        }
        let request =
            self.engine.send(Subscribe { owner: self.owner, viewer: self.id, session_id: session_id.clone() });
        ctx.spawn(request.into_actor(self).map(move |result, act, ctx| match result {
            Ok(Ok(())) => {
                act.subscriptions.insert(session_id);
            }
            Ok(Err(error)) => act.send_engine_error(error, ctx),
            Err(_) => act.send_error("unavailable", "the engine is not answering", ctx),
        }));
    }

    fn send_engine_error(&mut self, error: EngineError, ctx: &mut Context<Self>) {
        let code = match error {
            EngineError::NotFound(_) => "not_found",
            EngineError::Unavailable(_) | EngineError::Store(_) => "unavailable",
        };
        if matches!(error, EngineError::Store(_)) {
            tracing::error!(%error, "store error while serving a viewer");
            self.send_error(code, "the store is unavailable", ctx);
        } else {
            self.send_error(code, error.to_string(), ctx);
        }
    }

    fn bad_message(&mut self, message: String, ctx: &mut Context<Self>) {
        self.shared.metrics.bad_client_messages.inc();
        tracing::debug!(viewer = self.id.0, %message, "bad client message");
        self.send_error("bad_message", message, ctx);
    }
}

impl Actor for WsClientActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(64);
        self.shared.metrics.ws_clients.inc();
        self.shared.metrics.actor_started(actor_kind::WS_CLIENT);
        let heartbeat = Duration::from_secs(self.shared.settings.stream.heartbeat_interval_s);
        let timeout = Duration::from_secs(self.shared.settings.stream.client_timeout_s);
        ctx.run_interval(heartbeat, move |act, ctx| {
            if act.last_heard.elapsed() > timeout {
                tracing::info!(viewer = act.id.0, "browser silent too long; closing");
                act.close(
                    Some(CloseReason { code: CloseCode::Away, description: Some("heartbeat timeout".into()) }),
                    ctx,
                );
            } else {
                act.queue(Priority::Keep, Outgoing::Ping, ctx);
            }
        });
        // The application is stopping: say so and close, rather than hold it up.
        let mut shutdown = self.shared.shutdown.subscribe();
        ctx.spawn(
            async move {
                let _ = shutdown.wait_for(|stopping| *stopping).await;
            }
            .into_actor(self)
            .map(|_, act, ctx| {
                act.close(
                    Some(CloseReason { code: CloseCode::Away, description: Some("server shutting down".into()) }),
                    ctx,
                )
            }),
        );
        // `connected` goes first: nothing else is handled until it is queued.
        let connect = self.engine.send(ConnectViewer {
            owner: self.owner,
            viewer: self.id,
            recipient: ctx.address().recipient(),
        });
        ctx.wait(connect.into_actor(self).map(|result, act, ctx| match result {
            Ok(live_sessions) => {
                let connected =
                    Connected { server_version: env!("CARGO_PKG_VERSION").into(), user_id: act.owner.0, live_sessions };
                act.send(server_message::Payload::Connected(connected), ctx);
            }
            _ => {
                act.send_error("unavailable", "the engine is not answering", ctx);
                act.close(Some(CloseReason { code: CloseCode::Error, description: None }), ctx);
            }
        }));
    }

    fn stopped(&mut self, _ctx: &mut Context<Self>) {
        self.shared.metrics.ws_clients.dec();
        self.shared.metrics.actor_stopped(actor_kind::WS_CLIENT);
        self.engine.do_send(DisconnectViewer { owner: self.owner, viewer: self.id });
        if !self.closing {
            self.closing = true;
            queue_close(&self.outbox, None);
        }
        self.wake_writer.notify_one();
    }
}

impl Handler<ViewerEvent> for WsClientActor {
    type Result = ();

    fn handle(&mut self, event: ViewerEvent, ctx: &mut Context<Self>) {
        match event {
            ViewerEvent::Frames { session_id, frames, catch_up: false } => {
                let weight = frames.len();
                let item = Outgoing::Frames { session_id, frames, catch_up: false };
                self.queue(Priority::Droppable { weight }, item, ctx);
            }
            ViewerEvent::Frames { session_id, frames, catch_up: true } => {
                // The lap so far is kept whole, in messages of bounded size.
                if frames.is_empty() {
                    let item = Outgoing::Frames { session_id, frames, catch_up: true };
                    self.queue(Priority::Keep, item, ctx);
                    return;
                }
                for chunk in frames.chunks(CATCH_UP_FRAMES_PER_MESSAGE) {
                    let item = Outgoing::Frames {
                        session_id: session_id.clone(),
                        frames: Arc::new(chunk.to_vec()),
                        catch_up: true,
                    };
                    self.queue(Priority::Keep, item, ctx);
                }
            }
            ViewerEvent::LapCompleted(lap) => {
                self.send(server_message::Payload::LapCompleted(LapCompleted { lap: Some(lap) }), ctx)
            }
            ViewerEvent::SessionUpdated(session) => {
                self.send(server_message::Payload::SessionUpdated(SessionUpdated { session: Some(session) }), ctx)
            }
        }
    }
}

impl StreamHandler<Result<AggregatedMessage, ProtocolError>> for WsClientActor {
    fn handle(&mut self, item: Result<AggregatedMessage, ProtocolError>, ctx: &mut Context<Self>) {
        self.last_heard = Instant::now();
        let message = match item {
            Ok(message) => message,
            Err(error) => {
                self.shared.metrics.bad_client_messages.inc();
                let code = match error {
                    ProtocolError::Overflow => CloseCode::Size,
                    _ => CloseCode::Protocol,
                };
                tracing::debug!(viewer = self.id.0, %error, "WebSocket protocol error; closing");
                self.close(Some(CloseReason { code, description: Some(error.to_string()) }), ctx);
                return;
            }
        };
        match message {
            AggregatedMessage::Text(text) => match serde_json::from_str::<client_message::Payload>(&text) {
                Ok(payload) => self.handle_client_message(payload, ctx),
                Err(error) => self.bad_message(format!("not a client message: {error}"), ctx),
            },
            AggregatedMessage::Binary(bytes) => match purplesector_proto::v1::ClientMessage::decode(bytes) {
                Ok(purplesector_proto::v1::ClientMessage { payload: Some(payload) }) => {
                    self.handle_client_message(payload, ctx)
                }
                Ok(_) => self.bad_message("empty or unknown client message".into(), ctx),
                Err(error) => self.bad_message(format!("not a protobuf ClientMessage: {error}"), ctx),
            },
            AggregatedMessage::Ping(_) | AggregatedMessage::Pong(_) => {}
            AggregatedMessage::Close(_) => self.close(None, ctx),
        }
    }

    fn finished(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

/// Queues the close frame as the last message, making room for it if needed, so
/// the writer task always ends.
fn queue_close(outbox: &RefCell<Outbox<Outgoing>>, reason: Option<CloseReason>) {
    let mut outbox = outbox.borrow_mut();
    while outbox.push(Priority::Keep, Outgoing::Close(reason.clone())) == PushOutcome::Overflow {
        outbox.pop();
    }
}

/// Drains the outbox into the socket; ends after a close or when the socket is gone.
async fn write_loop(
    mut session: actix_ws::Session,
    outbox: Rc<RefCell<Outbox<Outgoing>>>,
    wake: Rc<Notify>,
    format: WireFormat,
) {
    loop {
        let next = outbox.borrow_mut().pop();
        let Some(item) = next else {
            wake.notified().await;
            continue;
        };
        let message = match item {
            Outgoing::Message(message) => message,
            Outgoing::Frames { session_id, frames, catch_up } => ServerMessage {
                payload: Some(server_message::Payload::Telemetry(Telemetry {
                    session_id: session_id.to_string(),
                    frames: frames.as_ref().clone(),
                    catch_up,
                })),
            },
            Outgoing::Ping => {
                if session.ping(b"").await.is_err() {
                    return;
                }
                continue;
            }
            Outgoing::Close(reason) => {
                let _ = session.close(reason).await;
                return;
            }
        };
        let sent = match format {
            WireFormat::Json => match serde_json::to_string(&message) {
                Ok(text) => session.text(text).await,
                Err(error) => {
                    tracing::error!(%error, "could not encode a message as JSON");
                    Ok(())
                }
            },
            WireFormat::Protobuf => session.binary(Bytes::from(message.encode_to_vec())).await,
        };
        if sent.is_err() {
            return;
        }
    }
}
