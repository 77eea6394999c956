//! IngestRouter: one producer's way into its sessions.
//!
//! A producer (a collector's `/ingest` connection, or a collector inside `serve`)
//! sends whole `TelemetryBatch`es naming their session. The router opens the
//! session through the Engine the first time it sees it (with the batch's sim,
//! track and car), then hands frames to that SessionActor's bounded mailbox and
//! answers with an ack. Batches are handled one at a time, in order
//! (`AtomicResponse`), so a session sees its frames in the producer's order and a
//! slow engine slows the producer instead of queueing without bound.

use crate::engine::{Engine, EngineError};
use crate::session::{Finish, IngestError, IngestFrames, SessionActor};
use crate::shared::SharedRef;
use crate::user::OpenSession;
use actix::prelude::*;
use purplesector_engine::kafka::BusProducer;
use purplesector_engine::storage::{NewSession, UserId};
use purplesector_proto::sim_name;
use purplesector_proto::v1::{bus_record, BusRecord, EndSession, IngestAck, Sim, TelemetryBatch};
use std::collections::{HashMap, HashSet};

/// Why a batch was refused. `code` is what the collector sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestFailure {
    #[error("{0}")]
    BadMessage(String),
    #[error("batch of {got} frames; at most {max} per batch")]
    TooLarge { max: usize, got: usize },
    #[error("session {0} not found")]
    NotFound(String),
    #[error("{0}")]
    Unavailable(String),
}

impl IngestFailure {
    pub fn code(&self) -> &'static str {
        match self {
            IngestFailure::BadMessage(_) => "bad_message",
            IngestFailure::TooLarge { .. } => "too_large",
            IngestFailure::NotFound(_) => "not_found",
            IngestFailure::Unavailable(_) => "unavailable",
        }
    }
}

/// Frames for a session, opened on first sight.
#[derive(Message)]
#[rtype(result = "Result<IngestAck, IngestFailure>")]
pub struct IngestBatch(pub TelemetryBatch);

/// The producer is done with a session.
#[derive(Message)]
#[rtype(result = "()")]
pub struct EndIngestSession(pub String);

/// Where a router's frames go.
#[derive(Clone)]
enum Target {
    /// Embedded mode, and the Kafka roles that consume the bus: this process's sessions.
    Engine(Addr<Engine>),
    /// Kafka ingest: the user's topic; acknowledged once every in-sync replica has it.
    Bus(BusProducer),
}

pub struct IngestRouter {
    owner: UserId,
    shared: SharedRef,
    target: Target,
    sessions: HashMap<String, Addr<SessionActor>>,
    /// Sessions that took frames since the last [`MakeDurable`] (Kafka writer).
    touched: HashSet<String>,
}

/// Longest session id a producer may choose.
const MAX_SESSION_ID_LEN: usize = 64;

impl IngestRouter {
    pub fn new(owner: UserId, shared: SharedRef, engine: Addr<Engine>) -> Self {
        IngestRouter {
            owner,
            shared,
            target: Target::Engine(engine),
            sessions: HashMap::new(),
            touched: HashSet::new(),
        }
    }

    /// A router that puts the owner's frames on the Kafka bus.
    pub fn to_bus(owner: UserId, shared: SharedRef, bus: BusProducer) -> Self {
        IngestRouter { owner, shared, target: Target::Bus(bus), sessions: HashMap::new(), touched: HashSet::new() }
    }

    /// The router a producer of this process gets: onto the bus in Kafka mode,
    /// straight into the engine otherwise.
    pub fn for_producer(owner: UserId, shared: SharedRef, engine: Addr<Engine>) -> Self {
        match shared.bus.clone() {
            Some(bus) if shared.settings.kafka_mode() => Self::to_bus(owner, shared, bus),
            _ => Self::new(owner, shared, engine),
        }
    }

    fn validate(&self, batch: &TelemetryBatch) -> Result<(), IngestFailure> {
        validate_batch(batch, self.shared.settings.session.max_batch_frames)
    }

    fn new_session(&self, batch: &TelemetryBatch) -> NewSession {
        new_session_for(batch)
    }
}

/// What a well-formed batch looks like; checked before anything is opened (by every
/// consumer of batches: the ingest, and the Kafka roles for records they did not write).
pub(crate) fn validate_batch(batch: &TelemetryBatch, max_frames: usize) -> Result<(), IngestFailure> {
    let id = &batch.session_id;
    if id.is_empty() || id.len() > MAX_SESSION_ID_LEN {
        return Err(IngestFailure::BadMessage(format!("session_id must be 1 to {MAX_SESSION_ID_LEN} characters")));
    }
    if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(IngestFailure::BadMessage("session_id may hold only letters, digits, - and _".into()));
    }
    if batch.frames.len() > max_frames {
        return Err(IngestFailure::TooLarge { max: max_frames, got: batch.frames.len() });
    }
    if batch.frames.iter().any(|frame| frame.seq == 0) {
        return Err(IngestFailure::BadMessage("frame seq starts at 1".into()));
    }
    Ok(())
}

/// The session a batch opens, as its metadata describes it.
pub(crate) fn new_session_for(batch: &TelemetryBatch) -> NewSession {
    let sim = Sim::try_from(batch.sim).unwrap_or(Sim::Unspecified);
    let track = if batch.track.is_empty() { "unknown track".to_string() } else { batch.track.clone() };
    let car = if batch.car.is_empty() { "unknown car".to_string() } else { batch.car.clone() };
    NewSession {
        id: batch.session_id.clone(),
        name: match batch.driver.trim() {
            "" => format!("{} — {}", sim_display_name(sim), track),
            driver => format!("{} — {} · {}", sim_display_name(sim), track, driver),
        },
        sim,
        track,
        car,
        track_length_m: batch.track_length_m.filter(|m| m.is_finite() && *m > 0.0).map(f64::from),
    }
}

/// A sim's name as a driver would write it.
pub fn sim_display_name(sim: Sim) -> &'static str {
    match sim {
        Sim::AssettoCorsa => "Assetto Corsa",
        Sim::Acc => "ACC",
        Sim::F1 => "F1 25",
        Sim::Forza => "Forza",
        Sim::Outgauge => "OutGauge",
        Sim::Demo => "Demo",
        Sim::Unspecified => sim_name::name(sim),
    }
}

impl Actor for IngestRouter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(16);
    }
}

/// Opens the session when needed, then sends the frames; re-opens once when the
/// session retired in between (it went idle while the producer was away).
async fn deliver(
    engine: Addr<Engine>,
    owner: UserId,
    known: Option<Addr<SessionActor>>,
    session: NewSession,
    batch: TelemetryBatch,
) -> (Option<Addr<SessionActor>>, Result<IngestAck, IngestFailure>) {
    let up_to_seq = batch.frames.iter().map(|frame| frame.seq).max().unwrap_or(0);
    let session_id = batch.session_id.clone();
    let frames = batch.frames;
    let mut addr = known;
    for _attempt in 0..3 {
        let target = match addr.take() {
            Some(target) => target,
            None => match engine.send(OpenSession { owner, session: session.clone() }).await {
                Ok(Ok(handle)) => handle.addr,
                Ok(Err(EngineError::NotFound(_))) => return (None, Err(IngestFailure::NotFound(session_id))),
                Ok(Err(error)) => return (None, Err(IngestFailure::Unavailable(error.to_string()))),
                Err(_) => return (None, Err(IngestFailure::Unavailable("the engine is stopping".into()))),
            },
        };
        match target.send(IngestFrames(frames.clone())).await {
            Ok(Ok(ack)) => {
                let ack = IngestAck {
                    session_id,
                    up_to_seq,
                    accepted: ack.accepted as u32,
                    duplicates: ack.duplicates as u32,
                };
                return (Some(target), Ok(ack));
            }
            Ok(Err(IngestError::TooLarge { max, got })) => {
                return (Some(target), Err(IngestFailure::TooLarge { max, got }))
            }
            // The session went idle and retired while the producer was away (or
            // its actor is gone): open it again; the frames were not taken.
            Ok(Err(IngestError::Retired)) | Err(MailboxError::Closed) | Err(MailboxError::Timeout) => {
                addr = None;
            }
        }
    }
    (None, Err(IngestFailure::Unavailable("session unavailable".into())))
}

impl IngestRouter {
    /// Validates a batch, opens its session when needed and delivers its frames.
    fn ingest(&mut self, batch: TelemetryBatch) -> ResponseActFuture<Self, Result<IngestAck, IngestFailure>> {
        if let Err(failure) = self.validate(&batch) {
            if let IngestFailure::TooLarge { got, .. } = failure {
                self.shared.metrics.dropped(crate::metrics::drop_reason::REJECTED, got);
            }
            return Box::pin(fut::ready(Err(failure)));
        }
        let engine = match &self.target {
            Target::Engine(engine) => engine.clone(),
            Target::Bus(bus) => return self.publish(bus.clone(), batch),
        };
        let session = self.new_session(&batch);
        let known = self.sessions.get(&batch.session_id).cloned();
        let session_id = batch.session_id.clone();
        let work = deliver(engine, self.owner, known, session, batch);
        Box::pin(work.into_actor(self).map(move |(addr, result), act, _ctx| {
            match addr {
                Some(addr) => {
                    act.touched.insert(session_id.clone());
                    act.sessions.insert(session_id, addr);
                }
                None => {
                    act.sessions.remove(&session_id);
                }
            }
            result
        }))
    }
}

impl IngestRouter {
    /// Kafka ingest: the batch goes onto the owner's topic whole (sessions, lap
    /// detection and dedup run in the writer); acknowledged once it is replicated.
    fn publish(
        &mut self,
        bus: BusProducer,
        batch: TelemetryBatch,
    ) -> ResponseActFuture<Self, Result<IngestAck, IngestFailure>> {
        let owner = self.owner;
        let shared = self.shared.clone();
        let ack = IngestAck {
            session_id: batch.session_id.clone(),
            up_to_seq: batch.frames.iter().map(|frame| frame.seq).max().unwrap_or(0),
            accepted: batch.frames.len() as u32,
            duplicates: 0,
        };
        let session_id = batch.session_id.clone();
        let record = BusRecord { payload: Some(bus_record::Payload::Batch(batch)) };
        Box::pin(
            async move {
                match bus.publish(owner, &session_id, &record).await {
                    Ok(_) => {
                        shared.metrics.frames_ingested.inc_by(ack.accepted as u64);
                        Ok(ack)
                    }
                    Err(error) => {
                        tracing::warn!(user = owner.0, session = %session_id, %error, "could not put a batch on the bus");
                        Err(IngestFailure::Unavailable("the bus is unavailable; send the batch again".into()))
                    }
                }
            }
            .into_actor(self),
        )
    }

    fn end_session(&mut self, session_id: String, ctx: &mut Context<Self>) {
        match &self.target {
            Target::Engine(_) => {
                self.touched.remove(&session_id);
                if let Some(addr) = self.sessions.remove(&session_id) {
                    addr.do_send(Finish);
                }
            }
            Target::Bus(bus) => {
                let (bus, owner) = (bus.clone(), self.owner);
                let record = BusRecord {
                    payload: Some(bus_record::Payload::EndSession(EndSession { session_id: session_id.clone() })),
                };
                // In order with the session's batches: the mailbox waits for it.
                ctx.wait(
                    async move {
                        if let Err(error) = bus.publish(owner, &session_id, &record).await {
                            tracing::warn!(session = %session_id, %error, "could not put a session end on the bus");
                        }
                    }
                    .into_actor(self),
                );
            }
        }
    }
}

/// Answers once every frame this router delivered so far is durable (Kafka writer:
/// its offsets may then be committed).
#[derive(Message)]
#[rtype(result = "()")]
pub struct MakeDurable;

impl Handler<MakeDurable> for IngestRouter {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, _msg: MakeDurable, _ctx: &mut Context<Self>) -> Self::Result {
        let sessions: Vec<Addr<SessionActor>> =
            self.touched.drain().filter_map(|id| self.sessions.get(&id).cloned()).collect();
        Box::pin(async move {
            futures_util::future::join_all(sessions.iter().map(|session| session.send(crate::session::MakeDurable)))
                .await;
        })
    }
}

impl Handler<IngestBatch> for IngestRouter {
    type Result = AtomicResponse<Self, Result<IngestAck, IngestFailure>>;

    fn handle(&mut self, msg: IngestBatch, _ctx: &mut Context<Self>) -> Self::Result {
        AtomicResponse::new(self.ingest(msg.0))
    }
}

impl Handler<EndIngestSession> for IngestRouter {
    type Result = ();

    fn handle(&mut self, msg: EndIngestSession, ctx: &mut Context<Self>) {
        self.end_session(msg.0, ctx);
    }
}

/// A collector inside the same process feeds its router directly.
impl Handler<crate::collector::CollectorOutput> for IngestRouter {
    type Result = AtomicResponse<Self, ()>;

    fn handle(&mut self, msg: crate::collector::CollectorOutput, ctx: &mut Context<Self>) -> Self::Result {
        match msg {
            crate::collector::CollectorOutput::Batch(batch) => {
                let session_id = batch.session_id.clone();
                AtomicResponse::new(Box::pin(self.ingest(batch).map(move |result, _act, _ctx| {
                    if let Err(failure) = result {
                        tracing::warn!(session = %session_id, %failure, "collector batch refused");
                    }
                })))
            }
            crate::collector::CollectorOutput::End { session_id } => {
                <Self as Handler<EndIngestSession>>::handle(self, EndIngestSession(session_id), ctx);
                AtomicResponse::new(Box::pin(fut::ready(())))
            }
        }
    }
}
