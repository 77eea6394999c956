//! CollectorActor: follows one sim over UDP and turns what it says into sessions
//! of stamped frames.
//!
//! The sim's protocol lives in `purplesector_engine::sims` as a pure state machine
//! ([`SimClient`]); this actor owns what the state machine cannot: the socket, the
//! clock, session ids, `seq` numbering and capture timestamps, batching, and the
//! sink the batches go to (the engine in-process inside `serve --collect`, or a
//! remote engine through the spool in `purplesector collect`).
//!
//! Bad datagrams are counted per sim and reason and logged once per reason; they
//! never stop the collector.

use crate::metrics::Metrics;
use crate::metrics::{actor_kind, drop_reason};
use actix::prelude::*;
use purplesector_engine::sims::{self, acc, SessionMeta, SimClient, SimEvent, Transport};
use purplesector_proto::sim_name;
use purplesector_proto::v1::{Sim, TelemetryBatch, TelemetryFrame};
use std::collections::HashSet;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::UdpSocket;

/// What a collector hands on: batches of one session's frames, and session ends.
#[derive(Message, Debug, Clone)]
#[rtype(result = "()")]
pub enum CollectorOutput {
    Batch(TelemetryBatch),
    End { session_id: String },
}

/// Where and how to collect.
#[derive(Debug, Clone)]
pub struct CollectorConfig {
    pub sim: Sim,
    /// Local address of the collector's socket (the port a listen-only game sends to).
    pub listen: SocketAddr,
    /// The game's address, for sims the collector must talk to (AC, ACC).
    pub game: Option<SocketAddr>,
    /// Batches leave at least this often...
    pub batch_interval: Duration,
    /// ...or when this many frames are waiting.
    pub max_batch_frames: usize,
    /// ACC only: the directory holding the shared-memory pages (`acpmf_physics`,
    /// `acpmf_graphics`, `acpmf_static`), as Linux/Proton bridges and recordings
    /// deliver them; on Windows `named` opens the game's own sections.
    pub acc_shared_memory: Option<String>,
}

impl CollectorConfig {
    /// The sim's usual ports: listen on the game's documented port for listen-only
    /// sims, or on any port and talk to the game on localhost.
    pub fn for_sim(sim: Sim) -> Option<CollectorConfig> {
        let (listen, game) = match sims::transport(sim)? {
            Transport::Listen { port } => (SocketAddr::from(([0, 0, 0, 0], port)), None),
            Transport::RequestReply { game_port } => {
                (SocketAddr::from(([0, 0, 0, 0], 0)), Some(SocketAddr::from(([127, 0, 0, 1], game_port))))
            }
        };
        Some(CollectorConfig {
            sim,
            listen,
            game,
            batch_interval: Duration::from_millis(50),
            max_batch_frames: 600,
            acc_shared_memory: None,
        })
    }
}

/// Answers the local address the collector's socket is bound to.
#[derive(Message)]
#[rtype(result = "Option<SocketAddr>")]
pub struct LocalAddr;

/// Stops the collector cleanly: tells the game (dismiss/unregister), flushes the
/// last batch and ends the session.
#[derive(Message)]
#[rtype(result = "()")]
pub struct StopCollector;

#[derive(Message)]
#[rtype(result = "()")]
struct Datagram(Vec<u8>);

struct LiveSession {
    id: String,
    meta: SessionMeta,
    next_seq: u64,
}

pub struct CollectorActor {
    config: CollectorConfig,
    metrics: Metrics,
    sink: Recipient<CollectorOutput>,
    client: Box<dyn SimClient>,
    socket: Option<Rc<UdpSocket>>,
    clock: Instant,
    session: Option<LiveSession>,
    pending: Vec<TelemetryFrame>,
    logged_reasons: HashSet<&'static str>,
    stopping: bool,
    /// ACC with shared memory: the pages drive sessions and frames; broadcasting
    /// only fills what the pages lack.
    shared_memory: Option<SharedMemory>,
}

/// ACC's shared-memory pages, opened when the game is there.
struct SharedMemory {
    source: String,
    reader: Option<acc::SharedMemoryReader>,
    latest_broadcast: Option<TelemetryFrame>,
    last_open_attempt_ms: Option<u64>,
}

/// How often the shared-memory pages are sampled (the game's physics runs faster;
/// 60 Hz is what the rest of the platform is built for).
const SHARED_MEMORY_POLL: Duration = Duration::from_micros(16_667);

impl CollectorActor {
    /// Binds the socket and starts the actor. Fails for sims without a UDP protocol
    /// and when the port is taken.
    pub async fn start(
        config: CollectorConfig,
        metrics: Metrics,
        sink: Recipient<CollectorOutput>,
    ) -> std::io::Result<Addr<CollectorActor>> {
        let client = sims::client(config.sim).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("no collector for sim {}", sim_name::name(config.sim)),
            )
        })?;
        let socket = UdpSocket::bind(config.listen).await.map_err(|error| {
            std::io::Error::new(error.kind(), format!("binding the collector's UDP socket {}: {error}", config.listen))
        })?;
        let socket = Rc::new(socket);
        let actor = CollectorActor {
            config,
            metrics,
            sink,
            client,
            socket: Some(socket.clone()),
            clock: Instant::now(),
            session: None,
            pending: Vec::new(),
            logged_reasons: HashSet::new(),
            stopping: false,
            shared_memory: None,
        };
        let mut actor = actor;
        if actor.config.sim == Sim::Acc {
            actor.shared_memory = actor.config.acc_shared_memory.clone().map(|source| SharedMemory {
                source,
                reader: None,
                latest_broadcast: None,
                last_open_attempt_ms: None,
            });
        }
        Ok(CollectorActor::create(move |ctx| {
            let addr = ctx.address();
            ctx.spawn(
                async move {
                    let mut buffer = vec![0u8; 65_536];
                    loop {
                        match socket.recv_from(&mut buffer).await {
                            Ok((len, _from)) => {
                                if addr.send(Datagram(buffer[..len].to_vec())).await.is_err() {
                                    break;
                                }
                            }
                            // ICMP "port unreachable" from a game that is not running
                            // yet shows up here on some systems: keep listening.
                            Err(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => {}
                            Err(error) => {
                                tracing::error!(%error, "collector socket failed");
                                break;
                            }
                        }
                    }
                }
                .into_actor(&actor),
            );
            actor
        }))
    }

    fn now_ms(&self) -> u64 {
        self.clock.elapsed().as_millis() as u64
    }

    fn sim_label(&self) -> &'static str {
        sim_name::name(self.config.sim)
    }

    fn send_to_game(&self, datagrams: Vec<Vec<u8>>) {
        let (Some(socket), Some(game)) = (&self.socket, self.config.game) else { return };
        for datagram in datagrams {
            // Small datagrams to localhost; a full socket buffer drops a request,
            // which the protocol's own retry covers.
            if let Err(error) = socket.try_send_to(&datagram, game) {
                tracing::debug!(%error, %game, "could not send to the game");
            }
        }
    }

    /// Events from the UDP protocol: with ACC's shared memory active, broadcasting
    /// frames are kept to fill gaps and the pages decide sessions and frames.
    fn handle_protocol_events(&mut self, events: Vec<SimEvent>) {
        let Some(shared_memory) = self.shared_memory.as_mut().filter(|memory| memory.reader.is_some()) else {
            return self.handle_events(events);
        };
        for event in events {
            if let SimEvent::Frame(frame) = event {
                shared_memory.latest_broadcast = Some(*frame);
            }
        }
    }

    /// Samples ACC's shared-memory pages (opening them when the game appears).
    fn poll_shared_memory(&mut self) {
        let now = self.now_ms();
        let Some(memory) = self.shared_memory.as_mut() else { return };
        if memory.reader.is_none() {
            if memory.last_open_attempt_ms.is_some_and(|last| now.saturating_sub(last) < 2_000) {
                return;
            }
            memory.last_open_attempt_ms = Some(now);
            let opened = if memory.source == "named" {
                open_named_sections()
            } else {
                acc::SharedMemoryReader::open_dir(&memory.source)
            };
            match opened {
                Ok(reader) => {
                    tracing::info!(source = %memory.source, "reading ACC shared memory");
                    memory.reader = Some(reader);
                }
                Err(error) => {
                    tracing::debug!(source = %memory.source, %error, "ACC shared memory not there yet");
                    return;
                }
            }
        }
        let reader = memory.reader.as_mut().expect("opened above");
        let events = match reader.read_events_at(now) {
            Ok(Ok(events)) => events,
            Ok(Err(error)) => {
                let reason = error.reason();
                self.metrics.packets_dropped.with_label_values(&["acc", reason]).inc();
                if self.logged_reasons.insert(reason) {
                    tracing::warn!(%error, "unusable ACC shared-memory pages (logged once per reason)");
                }
                return;
            }
            Err(error) => {
                tracing::warn!(%error, "ACC shared memory went away; reopening when the game is back");
                memory.reader = None;
                return;
            }
        };
        let latest_broadcast = memory.latest_broadcast;
        let events = events
            .into_iter()
            .map(|event| match (event, &latest_broadcast) {
                (SimEvent::Frame(frame), Some(broadcast)) => SimEvent::Frame(Box::new(acc::merge(&frame, broadcast))),
                (event, _) => event,
            })
            .collect();
        self.handle_events(events);
    }

    fn handle_events(&mut self, events: Vec<SimEvent>) {
        for event in events {
            match event {
                SimEvent::Session(meta) => {
                    self.end_session();
                    self.begin_session(meta);
                }
                SimEvent::Frame(frame) => {
                    if self.session.is_none() {
                        self.begin_session(SessionMeta { sim: self.config.sim, ..SessionMeta::default() });
                    }
                    let session = self.session.as_mut().expect("a session was just begun");
                    let mut frame = *frame;
                    frame.seq = session.next_seq;
                    session.next_seq += 1;
                    frame.captured_at_us = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map(|now| now.as_micros() as u64)
                        .unwrap_or_default();
                    self.pending.push(frame);
                    if self.pending.len() >= self.config.max_batch_frames {
                        self.flush();
                    }
                }
                SimEvent::SessionEnded => self.end_session(),
            }
        }
    }

    fn begin_session(&mut self, meta: SessionMeta) {
        let id = uuid::Uuid::new_v4().to_string();
        tracing::info!(sim = self.sim_label(), session = %id, track = %meta.track, car = %meta.car, "session started");
        self.session = Some(LiveSession { id, meta, next_seq: 1 });
    }

    fn end_session(&mut self) {
        self.flush();
        if let Some(session) = self.session.take() {
            tracing::info!(sim = self.sim_label(), session = %session.id, "session ended");
            self.output(CollectorOutput::End { session_id: session.id });
        }
    }

    /// Hands the waiting frames on as one batch.
    fn flush(&mut self) {
        let Some(session) = &self.session else {
            self.pending.clear();
            return;
        };
        if self.pending.is_empty() {
            return;
        }
        let batch = TelemetryBatch {
            session_id: session.id.clone(),
            sim: session.meta.sim as i32,
            sample_rate_hz: 0.0,
            frames: std::mem::take(&mut self.pending),
            track: session.meta.track.clone(),
            car: session.meta.car.clone(),
            track_length_m: session.meta.track_length_m,
            driver: session.meta.driver.clone(),
        };
        self.output(CollectorOutput::Batch(batch));
    }

    fn output(&mut self, output: CollectorOutput) {
        match self.sink.try_send(output) {
            Ok(()) => {}
            Err(SendError::Full(CollectorOutput::Batch(batch))) => {
                self.metrics.dropped(drop_reason::COLLECTOR_BACKLOG, batch.frames.len());
                if self.logged_reasons.insert(drop_reason::COLLECTOR_BACKLOG) {
                    tracing::warn!(
                        sim = self.sim_label(),
                        "the engine is not keeping up; dropping frames (logged once)"
                    );
                }
            }
            Err(SendError::Full(end)) => self.sink.do_send(end),
            Err(SendError::Closed(_)) => {
                tracing::error!(sim = self.sim_label(), "the collector's sink is gone; frames lost");
            }
        }
    }

    fn tick(&mut self) {
        if self.stopping {
            return;
        }
        let now = self.now_ms();
        let datagrams = self.client.poll(now);
        self.send_to_game(datagrams);
        let events = self.client.take_events();
        self.handle_protocol_events(events);
        self.flush();
    }
}

impl Actor for CollectorActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.metrics.actor_started(actor_kind::COLLECTOR);
        ctx.set_mailbox_capacity(4096);
        self.tick();
        ctx.run_interval(self.config.batch_interval, |act, _ctx| act.tick());
        if self.shared_memory.is_some() {
            ctx.run_interval(SHARED_MEMORY_POLL, |act, _ctx| act.poll_shared_memory());
        }
    }

    fn stopped(&mut self, _ctx: &mut Context<Self>) {
        self.metrics.actor_stopped(actor_kind::COLLECTOR);
    }
}

impl Handler<Datagram> for CollectorActor {
    type Result = ();

    fn handle(&mut self, msg: Datagram, _ctx: &mut Context<Self>) {
        let sim = self.sim_label();
        self.metrics.packets_received.with_label_values(&[sim]).inc();
        let now = self.now_ms();
        match self.client.receive(&msg.0, now) {
            Ok(events) => self.handle_protocol_events(events),
            Err(error) => {
                let reason = error.reason();
                self.metrics.packets_dropped.with_label_values(&[sim, reason]).inc();
                if self.logged_reasons.insert(reason) {
                    tracing::warn!(sim, %error, reason, "dropping a datagram the sim sent (logged once per reason)");
                }
            }
        }
        // Answers (subscribe after a handshake, requests after registering) go out now.
        let datagrams = self.client.poll(now);
        self.send_to_game(datagrams);
    }
}

#[cfg(windows)]
fn open_named_sections() -> std::io::Result<acc::SharedMemoryReader> {
    acc::SharedMemoryReader::open_named()
}

#[cfg(not(windows))]
fn open_named_sections() -> std::io::Result<acc::SharedMemoryReader> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "ACC's named shared-memory sections exist only on Windows; give the pages' directory",
    ))
}

impl Handler<LocalAddr> for CollectorActor {
    type Result = Option<SocketAddr>;

    fn handle(&mut self, _msg: LocalAddr, _ctx: &mut Context<Self>) -> Self::Result {
        self.socket.as_ref().and_then(|socket| socket.local_addr().ok())
    }
}

impl Handler<StopCollector> for CollectorActor {
    type Result = ();

    fn handle(&mut self, _msg: StopCollector, ctx: &mut Context<Self>) {
        let goodbye = self.client.shutdown();
        self.send_to_game(goodbye);
        let events = self.client.take_events();
        self.handle_protocol_events(events);
        self.end_session();
        self.stopping = true;
        self.socket = None;
        ctx.stop();
    }
}
