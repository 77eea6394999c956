//! RemoteIngest: a standalone collector's link to its engine, with an on-disk
//! spool so that no frame is lost while the engine is away.
//!
//! Batches (and session ends) are sent over `/ingest` in order and each is answered
//! in order. The data waiting to be acknowledged is always in exactly one place:
//!
//! - **memory mode** (connected, spool empty): a bounded queue; up to
//!   [`WINDOW`] requests are in flight at once, so a distant engine is not paced by
//!   its round trip;
//! - **spool mode** (the engine went away, or fell so far behind that the queue
//!   filled): the queue is moved to the spool, in order, and everything new is
//!   appended there; once connected, the spool is drained one batch at a time
//!   (`peek`, send, answer, `ack`) and memory mode resumes when it is empty.
//!
//! Keeping the two apart keeps the order: the engine's lap detection relies on
//! frames arriving in `seq` order. Re-sent batches are harmless (frames are
//! idempotent by `(session_id, seq)`). A session end travels in the same order as
//! frames, as a batch without frames.

use crate::collector::CollectorOutput;
use crate::metrics::{drop_reason, Metrics};
use actix::io::{SinkWrite, WriteHandler};
use actix::prelude::*;
use awc::error::WsProtocolError;
use awc::ws::{self, Frame};
use awc::BoxedSocket;
use bytes::Bytes;
use futures_util::stream::{SplitSink, StreamExt};
use prost::Message as _;
use purplesector_engine::spool::{Spool, SpoolConfig, SpoolError};
use purplesector_proto::v1::{
    ingest_request, ingest_response, EndSession, IngestRequest, IngestResponse, TelemetryBatch,
};
use std::collections::VecDeque;
use std::time::Duration;

/// Requests in flight at once in memory mode.
pub const WINDOW: usize = 32;
/// Batches held in memory before spilling to the spool (about 13 s at 20 batches/s).
pub const MEMORY_QUEUE_BATCHES: usize = 256;
const MAX_BACKOFF: Duration = Duration::from_secs(5);
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

type WsSink = SplitSink<actix_codec::Framed<BoxedSocket, ws::Codec>, ws::Message>;

#[derive(Debug, Clone)]
pub struct RemoteIngestConfig {
    /// The engine, `http://HOST:PORT` or `https://...`.
    pub server: String,
    /// Presented as `Authorization: Bearer ...` when not empty.
    pub token: String,
    pub spool: SpoolConfig,
}

/// Counts for tests and the collector's status line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStatus {
    pub connected: bool,
    pub acknowledged_batches: u64,
    pub spooled_batches: u64,
    pub queued_batches: usize,
}

#[derive(Message)]
#[rtype(result = "LinkStatus")]
pub struct GetLinkStatus;

/// Flushes the spool to disk and stops.
#[derive(Message)]
#[rtype(result = "()")]
pub struct StopLink;

pub struct RemoteIngest {
    config: RemoteIngestConfig,
    metrics: Metrics,
    spool: Spool,
    /// Memory mode: oldest first; the first `in_flight` were sent.
    queue: VecDeque<TelemetryBatch>,
    in_flight: usize,
    /// Spool mode: whether the peeked batch was sent and awaits its answer.
    spool_mode: bool,
    /// Spool mode: the frames of the peeked batch, once sent and awaiting its answer.
    spool_sent: Option<usize>,
    sink: Option<SinkWrite<ws::Message, WsSink>>,
    connecting: bool,
    backoff: Duration,
    status: LinkStatus,
    /// The engine refused the token (logged once).
    warned_refused: bool,
    warned_spooling: bool,
}

impl RemoteIngest {
    pub fn new(config: RemoteIngestConfig, metrics: Metrics) -> Result<RemoteIngest, SpoolError> {
        let spool = Spool::open(config.spool.clone())?;
        let spool_mode = !spool.is_empty();
        if spool_mode {
            tracing::info!(batches = spool.pending_batches(), "frames spooled by an earlier run will be sent first");
        }
        Ok(RemoteIngest {
            config,
            metrics,
            spool,
            queue: VecDeque::new(),
            in_flight: 0,
            spool_mode,
            spool_sent: None,
            sink: None,
            connecting: false,
            backoff: FIRST_BACKOFF,
            status: LinkStatus::default(),
            warned_refused: false,
            warned_spooling: false,
        })
    }

    fn url(&self) -> String {
        let base = self.config.server.trim_end_matches('/');
        let base = base.replacen("https://", "wss://", 1).replacen("http://", "ws://", 1);
        format!("{base}/ingest")
    }

    fn connect(&mut self, ctx: &mut Context<Self>) {
        if self.connecting || self.sink.is_some() {
            return;
        }
        self.connecting = true;
        let mut request =
            awc::Client::builder().timeout(Duration::from_secs(10)).finish().ws(self.url()).max_frame_size(1 << 20);
        if !self.config.token.is_empty() {
            request = request.bearer_auth(&self.config.token);
        }
        ctx.spawn(request.connect().into_actor(self).map(|result, act, ctx| {
            act.connecting = false;
            match result {
                Ok((_response, framed)) => {
                    tracing::info!(server = %act.config.server, "connected to the engine");
                    act.backoff = FIRST_BACKOFF;
                    act.status.connected = true;
                    let (sink, stream) = framed.split();
                    ctx.add_stream(stream);
                    act.sink = Some(SinkWrite::new(sink, ctx));
                    act.in_flight = 0;
                    act.spool_sent = None;
                    act.pump(ctx);
                }
                Err(awc::error::WsClientError::InvalidResponseStatus(status))
                    if status.as_u16() == 401 || status.as_u16() == 403 =>
                {
                    // Frames keep going to the spool; the engine may be right (a revoked
                    // token) or wrong (its key rotated): say so once, keep retrying slowly.
                    if !std::mem::replace(&mut act.warned_refused, true) {
                        tracing::error!(
                            server = %act.config.server,
                            %status,
                            "the engine refused this collector's ingest token (missing, unknown or revoked): \
                             create one on the web app's Account page and pass it with --token; frames are \
                             spooled meanwhile"
                        );
                    }
                    act.backoff = MAX_BACKOFF;
                    act.schedule_reconnect(ctx);
                }
                Err(error) => {
                    tracing::debug!(%error, server = %act.config.server, "engine unreachable; retrying");
                    act.schedule_reconnect(ctx);
                }
            }
        }));
    }

    fn schedule_reconnect(&mut self, ctx: &mut Context<Self>) {
        let delay = self.backoff;
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        ctx.run_later(delay, |act, ctx| act.connect(ctx));
    }

    fn disconnected(&mut self, ctx: &mut Context<Self>) {
        if let Some(mut sink) = self.sink.take() {
            sink.close();
        }
        self.status.connected = false;
        if !self.warned_spooling {
            self.warned_spooling = true;
            tracing::warn!(server = %self.config.server, "engine unreachable: spooling frames to disk until it is back");
        }
        self.spill();
        self.spool_sent = None;
        self.schedule_reconnect(ctx);
    }

    /// Moves the memory queue to the spool, in order: spool mode.
    fn spill(&mut self) {
        self.in_flight = 0;
        while let Some(batch) = self.queue.pop_front() {
            self.append_to_spool(&batch);
        }
        self.spool_mode = true;
    }

    fn append_to_spool(&mut self, batch: &TelemetryBatch) {
        match self.spool.push(batch) {
            Ok(dropped) => {
                self.status.spooled_batches += 1;
                if !dropped.is_empty() {
                    self.metrics.dropped(drop_reason::SPOOL_FULL, dropped.frames as usize);
                    tracing::warn!(frames = dropped.frames, "spool full: its oldest frames were dropped");
                }
            }
            Err(error) => {
                self.metrics.dropped(drop_reason::SPOOL_FULL, batch.frames.len());
                tracing::error!(%error, "could not spool a batch; its frames are lost");
            }
        }
    }

    fn send(&mut self, batch: &TelemetryBatch) -> bool {
        let Some(sink) = self.sink.as_mut() else { return false };
        let payload = if batch.frames.is_empty() {
            ingest_request::Payload::EndSession(EndSession { session_id: batch.session_id.clone() })
        } else {
            ingest_request::Payload::Batch(batch.clone())
        };
        let bytes = IngestRequest { payload: Some(payload) }.encode_to_vec();
        sink.write(ws::Message::Binary(Bytes::from(bytes))).is_ok()
    }

    /// Sends whatever may be sent now.
    fn pump(&mut self, ctx: &mut Context<Self>) {
        if self.sink.is_none() {
            return;
        }
        if self.spool_mode {
            if self.spool_sent.is_some() {
                return;
            }
            match self.spool.peek() {
                Ok(Some(batch)) => {
                    if self.send(&batch) {
                        self.spool_sent = Some(batch.frames.len());
                    } else {
                        self.disconnected(ctx);
                    }
                }
                Ok(None) => {
                    self.spool_mode = false;
                    let _ = self.spool.sync();
                    tracing::info!("spool drained; streaming live again");
                    self.pump(ctx);
                }
                Err(error) => {
                    // A corrupt record was skipped; the next peek goes on after it.
                    tracing::error!(%error, "spool damage; skipping the bad record");
                    ctx.run_later(Duration::from_millis(10), |act, ctx| act.pump(ctx));
                }
            }
            return;
        }
        while self.in_flight < self.queue.len().min(WINDOW) {
            let batch = self.queue[self.in_flight].clone();
            if !self.send(&batch) {
                self.disconnected(ctx);
                return;
            }
            self.in_flight += 1;
        }
    }

    /// The engine answered the oldest request: it is done with, delivered or
    /// (`refused`) dropped for good; returns how many frames it held.
    fn answered(&mut self, ctx: &mut Context<Self>) -> usize {
        self.status.acknowledged_batches += 1;
        let mut frames = 0;
        if self.spool_mode {
            if let Some(sent) = self.spool_sent.take() {
                frames = sent;
                if let Err(error) = self.spool.ack() {
                    tracing::error!(%error, "could not record a delivered batch in the spool");
                }
            }
        } else if self.in_flight > 0 {
            self.in_flight -= 1;
            frames = self.queue.pop_front().map(|batch| batch.frames.len()).unwrap_or_default();
        }
        self.pump(ctx);
        frames
    }
}

impl Actor for RemoteIngest {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(1024);
        self.connect(ctx);
        ctx.run_interval(Duration::from_secs(1), |act, _ctx| {
            if let Err(error) = act.spool.sync() {
                tracing::warn!(%error, "could not sync the spool");
            }
        });
    }
}

impl Handler<CollectorOutput> for RemoteIngest {
    type Result = ();

    fn handle(&mut self, msg: CollectorOutput, ctx: &mut Context<Self>) {
        let batch = match msg {
            CollectorOutput::Batch(batch) => batch,
            CollectorOutput::End { session_id } => TelemetryBatch { session_id, ..TelemetryBatch::default() },
        };
        if self.spool_mode {
            self.append_to_spool(&batch);
        } else {
            self.queue.push_back(batch);
            if self.queue.len() > MEMORY_QUEUE_BATCHES {
                tracing::warn!("the engine is falling behind; spooling to disk");
                self.spill();
            }
        }
        self.status.queued_batches = self.queue.len();
        self.pump(ctx);
    }
}

impl StreamHandler<Result<Frame, WsProtocolError>> for RemoteIngest {
    fn handle(&mut self, item: Result<Frame, WsProtocolError>, ctx: &mut Context<Self>) {
        match item {
            Ok(Frame::Binary(bytes)) => match IngestResponse::decode(bytes) {
                Ok(IngestResponse { payload: Some(ingest_response::Payload::Ack(_)) }) => {
                    self.answered(ctx);
                }
                Ok(IngestResponse { payload: Some(ingest_response::Payload::Error(error)) }) => {
                    if error.code == "unavailable" {
                        tracing::warn!(message = %error.message, "the engine cannot take frames now; reconnecting");
                        self.disconnected(ctx);
                    } else {
                        // Refused for good (malformed, too large, not ours): sending it
                        // again would not help.
                        let frames = self.answered(ctx);
                        self.metrics.dropped(drop_reason::REJECTED, frames);
                        tracing::error!(code = %error.code, message = %error.message, frames, "the engine refused a batch");
                    }
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "unreadable answer from the engine"),
            },
            Ok(Frame::Ping(payload)) => {
                if let Some(sink) = self.sink.as_mut() {
                    let _ = sink.write(ws::Message::Pong(payload));
                }
            }
            Ok(Frame::Close(_)) => self.disconnected(ctx),
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "ingest stream error");
                self.disconnected(ctx);
            }
        }
    }

    fn finished(&mut self, ctx: &mut Context<Self>) {
        if self.sink.is_some() {
            self.disconnected(ctx);
        }
    }
}

impl WriteHandler<WsProtocolError> for RemoteIngest {
    fn error(&mut self, error: WsProtocolError, _ctx: &mut Context<Self>) -> Running {
        tracing::warn!(%error, "ingest stream write error");
        Running::Continue
    }

    fn finished(&mut self, _ctx: &mut Context<Self>) {}
}

impl Handler<GetLinkStatus> for RemoteIngest {
    type Result = MessageResult<GetLinkStatus>;

    fn handle(&mut self, _msg: GetLinkStatus, _ctx: &mut Context<Self>) -> Self::Result {
        let mut status = self.status;
        status.queued_batches = self.queue.len() + self.spool.pending_batches() as usize;
        MessageResult(status)
    }
}

impl Handler<StopLink> for RemoteIngest {
    type Result = ();

    fn handle(&mut self, _msg: StopLink, ctx: &mut Context<Self>) {
        // What was not acknowledged yet is kept for the next run.
        self.spill();
        if let Err(error) = self.spool.sync() {
            tracing::error!(%error, "could not sync the spool at shutdown");
        }
        ctx.stop();
    }
}
