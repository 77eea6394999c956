//! SessionActor: one live session of one user.
//!
//! Producers (collectors, the demo driver, later the Kafka consumer) send it
//! batches of frames. It hands every frame to the DbWriter, runs lap detection
//! (ordering and dedup by `seq` happen there), keeps the lap in progress for viewers
//! who join mid-lap, streams frames to subscribed viewers and announces completed
//! laps once they are stored. Frames of bus batches that wait in the mailbox
//! together go to the viewers as one message ([`BusFrames`]).
//!
//! In Kafka mode the same actor runs in two roles: in the writer (with a DbWriter:
//! it persists, stores laps and announces them on the bus) and in the bridge
//! (without one: it only keeps the lap in progress and streams to viewers; laps
//! arrive from the writer through the bus as [`LapFromBus`]).
//!
//! Supervised: a panic while processing a batch is caught at the handler boundary,
//! counted, and turned into a stop; the supervisor restarts the actor with the same
//! mailbox and subscribers and a fresh lap detector (the lap in progress is
//! abandoned, its frames are already on their way to the store). Other sessions
//! never notice.

use crate::db_writer::{DbWriter, Flush, RecordLap, WriteFrames};
use crate::lap_so_far::LapSoFar;
use crate::metrics::{actor_kind, drop_reason};
use crate::shared::SharedRef;
use crate::user::{SessionChanged, SessionIdle, UserActor};
use crate::viewer::{ViewerEvent, ViewerId, ViewerRecipient};
use actix::prelude::*;
use purplesector_engine::laps::{CompletedLap, LapDetector, LapDetectorConfig, LapEvent, Outcome};
use purplesector_engine::storage::{FrameRecord, NewLap, UserId};
use purplesector_proto::v1::{bus_record, BusRecord, LapInfo, LapStored, SessionInfo, TelemetryFrame};
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

/// Frames of [`BusFrames`] batches that wait in the mailbox together go out to
/// viewers as one message of at most about this many frames. A bridge takes a
/// user's records from the bus in bursts (one per broker fetch) and queues them
/// without waiting for each; one message per batch would overflow a viewer's
/// mailbox (64 messages) although the browser keeps up. Small enough that a
/// message stays under about 40 KB (actix-http keeps a connection's write buffer at
/// the largest message it carried).
const LIVE_MESSAGE_MAX_FRAMES: usize = 240;

/// Frames for this session, in capture order as far as the producer knows. Its
/// producers send one batch at a time (the ingest waits for each answer, the demo
/// driver sends on its clock), so the live frames go to the viewers at once.
#[derive(Message)]
#[rtype(result = "Result<IngestAck, IngestError>")]
pub struct IngestFrames(pub Vec<TelemetryFrame>);

/// Frames for this session from the bus (a Kafka bridge), queued without waiting
/// for each answer: handled as [`IngestFrames`], but the live frames of batches
/// waiting in the mailbox together go to the viewers in one message.
#[derive(Message)]
#[rtype(result = "Result<IngestAck, IngestError>")]
pub struct BusFrames(pub Vec<TelemetryFrame>);

/// What happened to a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IngestAck {
    pub accepted: usize,
    pub duplicates: usize,
    pub late: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    /// The session ended; open it again through the Engine.
    #[error("the session has ended")]
    Retired,
    #[error("a batch may hold at most {max} frames, this one has {got}")]
    TooLarge { max: usize, got: usize },
}

/// Adds a viewer. It first receives the lap in progress so far (`catch_up`), then
/// live frames: both through its own mailbox, so they cannot overtake each other.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AddSubscriber {
    pub viewer: ViewerId,
    pub recipient: ViewerRecipient,
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct RemoveSubscriber(pub ViewerId);

/// The producer is done: stop being live now rather than after the idle timeout.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Finish;

/// From the UserActor once it has forgotten this session: stop for good.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct Retire;

/// Answers once every frame this session took so far is durable in the store
/// (the Kafka writer commits its offsets after this). Immediate without a writer.
#[derive(Message)]
#[rtype(result = "()")]
pub struct MakeDurable;

/// A lap the writer stored, read from the bus by the bridge: announce it to viewers.
#[derive(Message)]
#[rtype(result = "()")]
pub struct LapFromBus {
    pub lap: LapInfo,
    pub session: SessionInfo,
}

/// To self: the live frames taken since the last message go out to the viewers.
/// Sent with `notify`, which runs after the messages already in the mailbox, so a
/// burst of [`BusFrames`] becomes one message.
#[derive(Message)]
#[rtype(result = "()")]
struct SendLive;

/// Test hook: the next batch's processing panics, to exercise supervision.
#[cfg(test)]
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct PanicOnNextBatch;

pub struct SessionActor {
    owner: UserId,
    session_id: Arc<str>,
    info: SessionInfo,
    shared: SharedRef,
    user: Addr<UserActor>,
    /// The store's writer; `None` in a Kafka bridge, which only streams.
    db: Option<Addr<DbWriter>>,
    detector: LapDetector,
    /// The number the next completed lap gets (continues a re-opened session).
    next_lap_number: u32,
    /// The lap in progress for viewers joining mid-lap.
    lap_so_far: LapSoFar,
    subscribers: HashMap<ViewerId, ViewerRecipient>,
    /// Live frames taken but not yet sent to the viewers (see [`SendLive`]).
    unsent_live: Vec<TelemetryFrame>,
    /// A [`SendLive`] is on its way.
    send_live_queued: bool,
    idle_timer: Option<SpawnHandle>,
    /// Ended: answers producers `Retired` until they let go of it.
    retired: bool,
    /// Whether this instance is counted in the actors-alive gauge.
    counted_alive: bool,
    #[cfg(test)]
    panic_on_next_batch: bool,
}

/// What lap detection made of one batch.
#[derive(Default)]
struct Detection {
    live: Vec<TelemetryFrame>,
    laps: Vec<NewLap>,
    duplicate_seqs: Vec<u64>,
    late: usize,
}

impl SessionActor {
    pub fn new(
        owner: UserId,
        info: SessionInfo,
        subscribers: HashMap<ViewerId, ViewerRecipient>,
        shared: SharedRef,
        user: Addr<UserActor>,
        db: Option<Addr<DbWriter>>,
    ) -> Self {
        let detector = Self::fresh_detector(&info);
        let max = shared.settings.session.max_lap_buffer_frames;
        let lap_so_far = if db.is_some() { LapSoFar::stored(max) } else { LapSoFar::buffered(max) };
        SessionActor {
            owner,
            session_id: Arc::from(info.id.as_str()),
            next_lap_number: info.lap_count + 1,
            info: SessionInfo { live: true, ..info },
            shared,
            user,
            db,
            detector,
            lap_so_far,
            subscribers,
            unsent_live: Vec::new(),
            send_live_queued: false,
            idle_timer: None,
            retired: false,
            counted_alive: false,
            #[cfg(test)]
            panic_on_next_batch: false,
        }
    }

    /// The session as viewers see it.
    pub fn info(&self) -> &SessionInfo {
        &self.info
    }

    fn fresh_detector(info: &SessionInfo) -> LapDetector {
        LapDetector::new(LapDetectorConfig { track_length_m: info.track_length_m.map(f64::from) })
    }

    /// Runs lap detection over a batch. Pure bookkeeping, but it runs inside the
    /// panic boundary because it is where one user's bad data could trip a bug.
    fn detect(&mut self, frames: &[TelemetryFrame]) -> Detection {
        #[cfg(test)]
        if std::mem::take(&mut self.panic_on_next_batch) {
            panic!("injected fault in session {}", self.session_id);
        }
        let mut detection = Detection::default();
        for frame in frames {
            match self.detector.push(frame) {
                Outcome::Duplicate => detection.duplicate_seqs.push(frame.seq),
                Outcome::Late => detection.late += 1,
                Outcome::Accepted { events } => {
                    for event in events {
                        match event {
                            LapEvent::Completed(lap) => {
                                let lap = self.numbered(lap);
                                detection.laps.push(lap);
                            }
                            LapEvent::Started { .. } | LapEvent::Abandoned { .. } => self.lap_so_far.restart(),
                        }
                    }
                    self.lap_so_far.push(frame);
                    detection.live.push(*frame);
                }
            }
        }
        detection
    }

    fn persist(&mut self, frames: Vec<TelemetryFrame>, duplicate_seqs: &[u64], ctx: &mut Context<Self>) {
        let Some(db) = self.db.clone() else { return };
        let records: Vec<FrameRecord> = frames
            .into_iter()
            .filter(|frame| !duplicate_seqs.contains(&frame.seq))
            .map(|frame| FrameRecord { owner: self.owner, session_id: self.session_id.clone(), frame })
            .collect();
        if records.is_empty() {
            return;
        }
        // Bounded: when the writer's mailbox is full, this session waits for room
        // (its own mailbox fills, and its producers wait in turn).
        match db.try_send(WriteFrames(records)) {
            Ok(()) => {}
            Err(SendError::Full(message)) => {
                ctx.wait(db.send(message).into_actor(self).map(|_, _, _| ()));
            }
            Err(SendError::Closed(_)) => {
                tracing::error!(session = %self.session_id, "the store writer is gone; frames not stored");
            }
        }
    }

    /// A session opened again (the producer came back after the session went idle,
    /// or after the server restarted) first replays its stored lap in progress
    /// through the detector, before taking any new frame, so that lap is timed from
    /// its real start and viewers joining get it whole.
    fn resume(&mut self, ctx: &mut Context<Self>) {
        let store = self.shared.store.clone();
        let (owner, session_id) = (self.owner, self.session_id.to_string());
        let limit = self.shared.settings.session.max_lap_buffer_frames;
        let load = tokio::task::spawn_blocking(move || store.resume_frames(owner, &session_id, limit));
        ctx.wait(load.into_actor(self).map(|result, act, ctx| {
            let frames = match result {
                Ok(Ok(frames)) => frames,
                Ok(Err(error)) => {
                    tracing::warn!(session = %act.session_id, %error, "could not replay the lap in progress");
                    return;
                }
                Err(error) => {
                    tracing::warn!(session = %act.session_id, %error, "could not replay the lap in progress");
                    return;
                }
            };
            if frames.is_empty() {
                return;
            }
            tracing::info!(session = %act.session_id, frames = frames.len(), "resumed the lap in progress from the store");
            match std::panic::catch_unwind(AssertUnwindSafe(|| act.detect(&frames))) {
                Ok(detection) => {
                    for lap in detection.laps {
                        act.record_lap(lap, ctx);
                    }
                }
                Err(_) => {
                    tracing::error!(session = %act.session_id, "replaying the lap in progress failed; starting afresh");
                    act.detector = Self::fresh_detector(&act.info);
                    act.lap_so_far.clear();
                }
            }
        }));
    }

    /// The store's row for a lap the detector completed, numbered in this session.
    fn numbered(&mut self, lap: CompletedLap) -> NewLap {
        let lap_number = self.next_lap_number;
        self.next_lap_number += 1;
        NewLap {
            session_id: self.session_id.to_string(),
            lap_number,
            lap_time_ms: lap.lap_time_ms,
            official_time: lap.official_time,
            valid: lap.valid,
            out_lap: lap.out_lap,
            in_lap: lap.in_lap,
            first_seq: lap.first_seq,
            last_seq: lap.last_seq,
        }
    }

    fn record_lap(&mut self, lap: NewLap, ctx: &mut Context<Self>) {
        let request = self.store_lap(lap);
        ctx.spawn(request);
    }

    /// Stores a lap, then announces it to viewers (and, in Kafka mode, on the bus for
    /// the bridges). A bridge stores nothing: the writer's announcement reaches it.
    fn store_lap(&mut self, lap: NewLap) -> ResponseActFuture<Self, ()> {
        let Some(db) = self.db.clone() else {
            return Box::pin(fut::ready(()));
        };
        let request = db.send(RecordLap { owner: self.owner, lap });
        Box::pin(request.into_actor(self).map(|result, act, _ctx| match result {
            Ok(Ok(Some((lap, session)))) => {
                act.announce_on_bus(&lap, &session);
                act.lap_stored(lap, session)
            }
            Ok(Ok(None)) => tracing::warn!(session = %act.session_id, "lap not stored: the session was deleted"),
            Ok(Err(error)) => tracing::error!(session = %act.session_id, %error, "lap not stored"),
            Err(error) => tracing::error!(session = %act.session_id, %error, "lap not stored: writer unreachable"),
        }))
    }

    /// Kafka writer: tells the user's bridges that a lap was stored.
    fn announce_on_bus(&self, lap: &LapInfo, session: &SessionInfo) {
        let Some(bus) = self.shared.bus.clone() else { return };
        let record = BusRecord {
            payload: Some(bus_record::Payload::LapStored(LapStored {
                lap: Some(lap.clone()),
                session: Some(session.clone()),
            })),
        };
        let (owner, session_id) = (self.owner, self.session_id.clone());
        actix_rt::spawn(async move {
            if let Err(error) = bus.publish(owner, &session_id, &record).await {
                tracing::warn!(session = %session_id, %error, "could not announce a stored lap on the bus");
            }
        });
    }

    fn lap_stored(&mut self, lap: LapInfo, session: SessionInfo) {
        if self.db.is_some() {
            self.shared.metrics.laps_completed.inc();
        }
        self.info = SessionInfo { live: !self.retired, ..session };
        self.send_live();
        for recipient in self.subscribers.values() {
            recipient.do_send(ViewerEvent::LapCompleted(lap.clone()));
        }
        self.user.do_send(SessionChanged(self.info.clone()));
    }

    /// Live frames for the viewers: at once, or (`together`, frames from the bus)
    /// once the batches already in the mailbox are taken too or a message is full.
    fn broadcast(&mut self, mut frames: Vec<TelemetryFrame>, together: bool, ctx: &mut Context<Self>) {
        if frames.is_empty() || self.subscribers.is_empty() {
            return;
        }
        if self.unsent_live.is_empty() {
            self.unsent_live = frames;
        } else {
            self.unsent_live.append(&mut frames);
        }
        if !together || self.unsent_live.len() >= LIVE_MESSAGE_MAX_FRAMES {
            self.send_live();
        } else if !self.send_live_queued {
            self.send_live_queued = true;
            ctx.notify(SendLive);
        }
    }

    /// Sends the live frames taken so far to every viewer. Called before anything
    /// else reaches the viewers (a lap, a new viewer's catch-up), so they keep
    /// their order.
    fn send_live(&mut self) {
        let frames = std::mem::take(&mut self.unsent_live);
        if frames.is_empty() || self.subscribers.is_empty() {
            return;
        }
        let count = frames.len();
        let event =
            ViewerEvent::Frames { session_id: self.session_id.clone(), frames: Arc::new(frames), catch_up: false };
        let metrics = &self.shared.metrics;
        self.subscribers.retain(|_, recipient| match recipient.try_send(event.clone()) {
            Ok(()) => true,
            Err(SendError::Full(_)) => {
                metrics.dropped(drop_reason::VIEWER_MAILBOX_FULL, count);
                true
            }
            Err(SendError::Closed(_)) => false,
        });
    }

    fn rearm_idle_timer(&mut self, ctx: &mut Context<Self>) {
        if let Some(timer) = self.idle_timer.take() {
            ctx.cancel_future(timer);
        }
        let timeout = Duration::from_secs(self.shared.settings.session.idle_timeout_s);
        self.idle_timer = Some(ctx.run_later(timeout, |act, ctx| {
            tracing::info!(session = %act.session_id, "no frames for a while: session no longer live");
            act.idle_timer = None;
            act.end(ctx);
        }));
    }

    /// Stops being live: the user forgets this session and then retires it.
    fn end(&mut self, ctx: &mut Context<Self>) {
        if self.retired {
            return;
        }
        self.send_live();
        // A lap finished in the session's last second may still be waiting for the
        // sim's own time: it is complete, so store it before the session retires.
        let held_laps: Vec<NewLap> = self
            .detector
            .flush()
            .into_iter()
            .filter_map(|event| match event {
                LapEvent::Completed(lap) => Some(self.numbered(lap)),
                _ => None,
            })
            .collect();
        for lap in held_laps {
            let stored = self.store_lap(lap);
            ctx.wait(stored);
        }
        ctx.wait(fut::ready(()).map(|_, act: &mut Self, ctx: &mut Context<Self>| {
            act.info.live = false;
            act.user.do_send(SessionIdle {
                session_id: act.session_id.to_string(),
                addr: ctx.address(),
                info: act.info.clone(),
            });
        }));
    }
}

impl Actor for SessionActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        if self.retired {
            return;
        }
        ctx.set_mailbox_capacity(64);
        if !self.counted_alive {
            self.counted_alive = true;
            self.shared.metrics.actor_started(actor_kind::SESSION);
            // A bridge's session learns the lap in progress from the bus instead (its
            // stream starts `kafka.bridge_replay_ms` back): frames the store holds
            // would count as seen and never reach the viewers.
            if self.db.is_some() {
                self.resume(ctx);
            }
        }
        self.rearm_idle_timer(ctx);
    }

    fn stopped(&mut self, _ctx: &mut Context<Self>) {
        // A restart passes through here too; only a retired session is really gone.
        if self.retired && std::mem::take(&mut self.counted_alive) {
            self.shared.metrics.actor_stopped(actor_kind::SESSION);
        }
    }
}

impl Supervised for SessionActor {
    fn restarting(&mut self, _ctx: &mut Context<Self>) {
        if self.retired {
            return;
        }
        self.shared.metrics.actor_restarts.with_label_values(&[actor_kind::SESSION]).inc();
        tracing::warn!(session = %self.session_id, "session actor restarting after a failure");
        // Whatever the failed handler left half-done is discarded; the lap in progress
        // restarts at the next line crossing.
        self.detector = Self::fresh_detector(&self.info);
        self.lap_so_far.clear();
        self.idle_timer = None;
        // A restart drops what was spawned or notified, the queued SendLive too.
        self.send_live_queued = false;
    }
}

impl Handler<IngestFrames> for SessionActor {
    type Result = Result<IngestAck, IngestError>;

    fn handle(&mut self, msg: IngestFrames, ctx: &mut Context<Self>) -> Self::Result {
        self.take(msg.0, false, ctx)
    }
}

impl Handler<BusFrames> for SessionActor {
    type Result = Result<IngestAck, IngestError>;

    fn handle(&mut self, msg: BusFrames, ctx: &mut Context<Self>) -> Self::Result {
        self.take(msg.0, true, ctx)
    }
}

impl SessionActor {
    /// A batch: lap detection, the store, the viewers (`together`: see [`BusFrames`]).
    fn take(
        &mut self,
        frames: Vec<TelemetryFrame>,
        together: bool,
        ctx: &mut Context<Self>,
    ) -> Result<IngestAck, IngestError> {
        if self.retired {
            return Err(IngestError::Retired);
        }
        let max = self.shared.settings.session.max_batch_frames;
        if frames.len() > max {
            self.shared.metrics.dropped(drop_reason::REJECTED, frames.len());
            return Err(IngestError::TooLarge { max, got: frames.len() });
        }
        if !self.shared.settings.kafka_mode() {
            // With Kafka, the ingest counts frames as it puts them on the bus.
            self.shared.metrics.frames_ingested.inc_by(frames.len() as u64);
        }
        self.rearm_idle_timer(ctx);

        let detection = std::panic::catch_unwind(AssertUnwindSafe(|| self.detect(&frames)));
        match detection {
            Ok(detection) => {
                let ack = IngestAck {
                    accepted: detection.live.len(),
                    duplicates: detection.duplicate_seqs.len(),
                    late: detection.late,
                };
                self.shared.metrics.dropped(drop_reason::DUPLICATE, ack.duplicates);
                self.shared.metrics.dropped(drop_reason::LATE, ack.late);
                self.persist(frames, &detection.duplicate_seqs, ctx);
                for lap in detection.laps {
                    self.record_lap(lap, ctx);
                }
                self.broadcast(detection.live, together, ctx);
                Ok(ack)
            }
            Err(panic) => {
                let reason = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("unknown panic");
                tracing::error!(session = %self.session_id, reason, "session actor failed; restarting it");
                // The frames themselves are kept: they are what the driver did.
                self.persist(frames, &[], ctx);
                self.send_live();
                ctx.stop();
                Ok(IngestAck::default())
            }
        }
    }
}

impl Handler<AddSubscriber> for SessionActor {
    type Result = ();

    fn handle(&mut self, msg: AddSubscriber, ctx: &mut Context<Self>) {
        // The lap so far holds the frames not yet sent: they go to the viewers who
        // were there before this one.
        self.send_live();
        let session_id = self.session_id.clone();
        let welcome = move |act: &mut Self, frames: Vec<TelemetryFrame>| {
            msg.recipient.do_send(ViewerEvent::Frames { session_id, frames: Arc::new(frames), catch_up: true });
            act.subscribers.insert(msg.viewer, msg.recipient);
        };
        if let Some(frames) = self.lap_so_far.buffered_frames() {
            return welcome(self, frames);
        }
        let (Some((first, last)), Some(db)) = (self.lap_so_far.stored_range(), self.db.clone()) else {
            return welcome(self, Vec::new());
        };
        // Read back from the store once everything taken so far is written; no frame
        // is taken meanwhile (this mailbox waits), so none falls between the lap so
        // far and the live frames that follow it.
        let (store, owner, id) = (self.shared.store.clone(), self.owner, self.session_id.to_string());
        let load = async move {
            let _ = db.send(Flush).await;
            tokio::task::spawn_blocking(move || store.session_frames(owner, &id, first, last)).await
        };
        ctx.wait(load.into_actor(self).map(move |result, act, _ctx| {
            let frames = match result {
                Ok(Ok(frames)) => frames,
                Ok(Err(error)) => {
                    tracing::warn!(session = %act.session_id, %error, "could not read the lap so far for a viewer");
                    Vec::new()
                }
                Err(error) => {
                    tracing::warn!(session = %act.session_id, %error, "could not read the lap so far for a viewer");
                    Vec::new()
                }
            };
            welcome(act, frames);
        }));
    }
}

impl Handler<RemoveSubscriber> for SessionActor {
    type Result = ();

    fn handle(&mut self, msg: RemoveSubscriber, _ctx: &mut Context<Self>) {
        self.subscribers.remove(&msg.0);
    }
}

impl Handler<MakeDurable> for SessionActor {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, _msg: MakeDurable, _ctx: &mut Context<Self>) -> Self::Result {
        // This mailbox is in order and a full writer pauses it (`persist`), so every
        // frame taken before this message is already in the writer's mailbox.
        match self.db.clone() {
            Some(db) => Box::pin(async move {
                let _ = db.send(Flush).await;
            }),
            None => Box::pin(async {}),
        }
    }
}

impl Handler<LapFromBus> for SessionActor {
    type Result = ();

    fn handle(&mut self, msg: LapFromBus, _ctx: &mut Context<Self>) {
        if self.db.is_none() && !self.retired {
            self.lap_stored(msg.lap, msg.session);
        }
    }
}

impl Handler<Finish> for SessionActor {
    type Result = ();

    fn handle(&mut self, _msg: Finish, ctx: &mut Context<Self>) {
        if let Some(timer) = self.idle_timer.take() {
            ctx.cancel_future(timer);
        }
        self.end(ctx);
    }
}

impl Handler<Retire> for SessionActor {
    type Result = ();

    fn handle(&mut self, _msg: Retire, ctx: &mut Context<Self>) {
        self.retired = true;
        self.send_live();
        self.subscribers.clear();
        self.lap_so_far.clear();
        ctx.stop();
    }
}

impl Handler<SendLive> for SessionActor {
    type Result = ();

    fn handle(&mut self, _msg: SendLive, _ctx: &mut Context<Self>) {
        self.send_live_queued = false;
        self.send_live();
    }
}

#[cfg(test)]
impl Handler<PanicOnNextBatch> for SessionActor {
    type Result = ();

    fn handle(&mut self, _msg: PanicOnNextBatch, _ctx: &mut Context<Self>) {
        self.panic_on_next_batch = true;
    }
}
