//! UserActor: everything live of one user.
//!
//! It owns the user's live sessions (starting each SessionActor under a
//! supervisor), the user's connected viewers and which sessions each viewer
//! follows. It exists while the user has a live session or a viewer: when the
//! last of both goes, it asks the Engine to retire it (a message, not a timer).

use crate::db_writer::DbWriter;
use crate::engine::{Engine, EngineError, UserIdle};
use crate::kafka_bridge::{KafkaBridge, StopTopicConsumer, TopicConsumerActor};
use crate::metrics::actor_kind;
use crate::session::{AddSubscriber, Finish, LapFromBus, RemoveSubscriber, Retire, SessionActor};
use crate::shared::SharedRef;
use crate::viewer::{ViewerEvent, ViewerId, ViewerRecipient};
use actix::prelude::*;
use purplesector_engine::storage::{NewSession, UserId};
use purplesector_proto::v1::{LapInfo, SessionInfo};
use std::collections::{HashMap, HashSet};

/// A live session's mailbox, for producers.
#[derive(Clone)]
pub struct SessionHandle {
    pub addr: Addr<SessionActor>,
    pub info: SessionInfo,
}

/// Opens (creating if needed) a live session.
#[derive(Message)]
#[rtype(result = "Result<SessionHandle, EngineError>")]
pub struct OpenSession {
    pub owner: UserId,
    pub session: NewSession,
}

/// A new viewer is told about this many of its user's live sessions at most, the
/// newest first; `/api/sessions` marks every live one. Bounded because the list is
/// one message per connection, and actix-http keeps a connection's write buffer at the
/// largest message it carried: with 500 live sessions (about 50 KB) that was most of
/// each of 10,000 viewers' memory (README "Memory").
pub const MAX_LIVE_SESSIONS_ON_CONNECT: usize = 50;

/// Registers a viewer; answers with the user's newest live sessions (at most
/// [`MAX_LIVE_SESSIONS_ON_CONNECT`]).
#[derive(Message)]
#[rtype(result = "Vec<SessionInfo>")]
pub struct ConnectViewer {
    pub owner: UserId,
    pub viewer: ViewerId,
    pub recipient: ViewerRecipient,
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct DisconnectViewer {
    pub owner: UserId,
    pub viewer: ViewerId,
}

/// Follow a session (live or stored). The viewer then receives the lap in progress
/// so far (`catch_up`, empty when not live) and live frames.
#[derive(Message)]
#[rtype(result = "Result<(), EngineError>")]
pub struct Subscribe {
    pub owner: UserId,
    pub viewer: ViewerId,
    pub session_id: String,
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct Unsubscribe {
    pub owner: UserId,
    pub viewer: ViewerId,
    pub session_id: String,
}

/// The ids of the user's live sessions.
#[derive(Message)]
#[rtype(result = "HashSet<String>")]
pub struct LiveSessionIds {
    pub owner: UserId,
}

/// Ends a live session now (it was deleted, or its producer is done).
#[derive(Message)]
#[rtype(result = "()")]
pub struct EndSession {
    pub owner: UserId,
    pub session_id: String,
}

/// From a SessionActor: its lap count, best lap or liveness changed.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct SessionChanged(pub SessionInfo);

/// From a SessionActor that stopped being live.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct SessionIdle {
    pub session_id: String,
    pub addr: Addr<SessionActor>,
    pub info: SessionInfo,
}

/// From the Engine: stop if there is still nothing to do; answers whether it stopped.
#[derive(Message)]
#[rtype(result = "bool")]
pub(crate) struct StopIfIdle;

pub struct UserActor {
    owner: UserId,
    shared: SharedRef,
    engine: Addr<Engine>,
    db: Option<Addr<DbWriter>>,
    /// Kafka bridge: where this user's stream is read from while it has viewers.
    bridge: Option<Addr<KafkaBridge>>,
    /// Kafka bridge: the user's stream, alive while the user has a viewer.
    topic_consumer: Option<Addr<TopicConsumerActor>>,
    sessions: HashMap<String, SessionHandle>,
    viewers: HashMap<ViewerId, ViewerRecipient>,
    /// Session id -> the viewers following it (kept across the session's restarts,
    /// and for sessions that are not live yet).
    subscriptions: HashMap<String, HashMap<ViewerId, ViewerRecipient>>,
}

impl UserActor {
    pub fn new(
        owner: UserId,
        shared: SharedRef,
        engine: Addr<Engine>,
        db: Option<Addr<DbWriter>>,
        bridge: Option<Addr<KafkaBridge>>,
    ) -> Self {
        UserActor {
            owner,
            shared,
            engine,
            db,
            bridge,
            topic_consumer: None,
            sessions: HashMap::new(),
            viewers: HashMap::new(),
            subscriptions: HashMap::new(),
        }
    }

    fn is_idle(&self) -> bool {
        self.sessions.is_empty() && self.viewers.is_empty()
    }

    fn tell_engine_if_idle(&self) {
        if self.is_idle() {
            self.engine.do_send(UserIdle { owner: self.owner });
        }
    }

    /// Session events are never dropped (the outbox keeps them); they are rare.
    fn broadcast(&self, info: &SessionInfo) {
        for recipient in self.viewers.values() {
            recipient.do_send(ViewerEvent::SessionUpdated(info.clone()));
        }
    }
}

impl Actor for UserActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        // Control messages only; the Engine relies on them arriving in order.
        ctx.set_mailbox_capacity(1024);
        self.shared.metrics.actor_started(actor_kind::USER);
    }

    fn stopped(&mut self, _ctx: &mut Context<Self>) {
        self.shared.metrics.actor_stopped(actor_kind::USER);
    }
}

impl Handler<OpenSession> for UserActor {
    type Result = ResponseActFuture<Self, Result<SessionHandle, EngineError>>;

    fn handle(&mut self, msg: OpenSession, _ctx: &mut Context<Self>) -> Self::Result {
        if let Some(handle) = self.sessions.get(&msg.session.id) {
            return Box::pin(fut::ready(Ok(handle.clone())));
        }
        let store = self.shared.store.clone();
        let owner = self.owner;
        let lookup = tokio::task::spawn_blocking(move || store.ensure_session(owner, &msg.session));
        Box::pin(lookup.into_actor(self).map(move |result, act, ctx| {
            let info = match result {
                Ok(Ok(Some(info))) => info,
                // Another user's session id answers like a missing one.
                Ok(Ok(None)) => return Err(EngineError::NotFound("session".into())),
                Ok(Err(error)) => return Err(EngineError::Store(error.to_string())),
                Err(error) => return Err(EngineError::Store(error.to_string())),
            };
            // Two opens may have raced; the first one wins.
            if let Some(handle) = act.sessions.get(&info.id) {
                return Ok(handle.clone());
            }
            let subscribers = act.subscriptions.get(&info.id).cloned().unwrap_or_default();
            let (shared, user, db) = (act.shared.clone(), ctx.address(), act.db.clone());
            let session = SessionActor::new(owner, info, subscribers, shared, user, db);
            let started_info = session.info().clone();
            let addr = Supervisor::start(move |_| session);
            let handle = SessionHandle { addr, info: started_info.clone() };
            act.sessions.insert(started_info.id.clone(), handle.clone());
            act.broadcast(&started_info);
            Ok(handle)
        }))
    }
}

impl Handler<ConnectViewer> for UserActor {
    type Result = MessageResult<ConnectViewer>;

    fn handle(&mut self, msg: ConnectViewer, ctx: &mut Context<Self>) -> Self::Result {
        self.viewers.insert(msg.viewer, msg.recipient);
        // Kafka bridge: the first viewer starts the user's stream.
        if let (Some(bridge), None) = (&self.bridge, &self.topic_consumer) {
            let consumer = TopicConsumerActor::new(
                self.owner,
                self.shared.clone(),
                self.engine.clone(),
                ctx.address(),
                bridge.clone(),
            )
            .start();
            self.topic_consumer = Some(consumer);
        }
        let mut live: Vec<&SessionInfo> = self.sessions.values().map(|handle| &handle.info).collect();
        live.sort_by_key(|session| std::cmp::Reverse(session.started_at_ms));
        MessageResult(live.into_iter().take(MAX_LIVE_SESSIONS_ON_CONNECT).cloned().collect())
    }
}

impl Handler<DisconnectViewer> for UserActor {
    type Result = ();

    fn handle(&mut self, msg: DisconnectViewer, _ctx: &mut Context<Self>) {
        self.viewers.remove(&msg.viewer);
        // ...and the last one leaving stops it (its live sessions then go idle).
        if self.viewers.is_empty() {
            if let Some(consumer) = self.topic_consumer.take() {
                consumer.do_send(StopTopicConsumer);
            }
        }
        self.subscriptions.retain(|session_id, viewers| {
            if viewers.remove(&msg.viewer).is_some() {
                if let Some(handle) = self.sessions.get(session_id) {
                    handle.addr.do_send(RemoveSubscriber(msg.viewer));
                }
            }
            !viewers.is_empty()
        });
        self.tell_engine_if_idle();
    }
}

impl Handler<Subscribe> for UserActor {
    type Result = ResponseActFuture<Self, Result<(), EngineError>>;

    fn handle(&mut self, msg: Subscribe, _ctx: &mut Context<Self>) -> Self::Result {
        let Some(recipient) = self.viewers.get(&msg.viewer).cloned() else {
            return Box::pin(fut::ready(Err(EngineError::NotFound("viewer".into()))));
        };
        if let Some(handle) = self.sessions.get(&msg.session_id) {
            self.subscriptions.entry(msg.session_id.clone()).or_default().insert(msg.viewer, recipient.clone());
            let request = handle.addr.send(AddSubscriber { viewer: msg.viewer, recipient });
            return Box::pin(
                request
                    .into_actor(self)
                    .map(|result, _, _| result.map_err(|_| EngineError::Unavailable("session".into()))),
            );
        }
        // Not live: a stored session can be followed, to see it when it goes live.
        let store = self.shared.store.clone();
        let owner = self.owner;
        let session_id = msg.session_id.clone();
        let lookup = tokio::task::spawn_blocking(move || store.get_session(owner, &session_id));
        Box::pin(lookup.into_actor(self).map(move |result, act, _| match result {
            Ok(Ok(Some(_))) => {
                if let Some(handle) = act.sessions.get(&msg.session_id) {
                    // It went live while we looked it up.
                    handle.addr.do_send(AddSubscriber { viewer: msg.viewer, recipient: recipient.clone() });
                } else {
                    recipient.do_send(ViewerEvent::Frames {
                        session_id: msg.session_id.as_str().into(),
                        frames: Default::default(),
                        catch_up: true,
                    });
                }
                if act.viewers.contains_key(&msg.viewer) {
                    act.subscriptions.entry(msg.session_id).or_default().insert(msg.viewer, recipient);
                }
                Ok(())
            }
            Ok(Ok(None)) => Err(EngineError::NotFound(format!("session {}", msg.session_id))),
            Ok(Err(error)) => Err(EngineError::Store(error.to_string())),
            Err(error) => Err(EngineError::Store(error.to_string())),
        }))
    }
}

impl Handler<Unsubscribe> for UserActor {
    type Result = ();

    fn handle(&mut self, msg: Unsubscribe, _ctx: &mut Context<Self>) {
        if let Some(viewers) = self.subscriptions.get_mut(&msg.session_id) {
            viewers.remove(&msg.viewer);
            if viewers.is_empty() {
                self.subscriptions.remove(&msg.session_id);
            }
        }
        if let Some(handle) = self.sessions.get(&msg.session_id) {
            handle.addr.do_send(RemoveSubscriber(msg.viewer));
        }
    }
}

impl Handler<LiveSessionIds> for UserActor {
    type Result = MessageResult<LiveSessionIds>;

    fn handle(&mut self, _msg: LiveSessionIds, _ctx: &mut Context<Self>) -> Self::Result {
        MessageResult(self.sessions.keys().cloned().collect())
    }
}

impl Handler<EndSession> for UserActor {
    type Result = ();

    fn handle(&mut self, msg: EndSession, _ctx: &mut Context<Self>) {
        if let Some(handle) = self.sessions.get(&msg.session_id) {
            handle.addr.do_send(Finish);
        }
    }
}

impl Handler<SessionChanged> for UserActor {
    type Result = ();

    fn handle(&mut self, msg: SessionChanged, _ctx: &mut Context<Self>) {
        if let Some(handle) = self.sessions.get_mut(&msg.0.id) {
            handle.info = msg.0.clone();
        }
        self.broadcast(&msg.0);
    }
}

impl Handler<SessionIdle> for UserActor {
    type Result = ();

    fn handle(&mut self, msg: SessionIdle, _ctx: &mut Context<Self>) {
        let is_current = self.sessions.get(&msg.session_id).is_some_and(|handle| handle.addr == msg.addr);
        if is_current {
            // Forget it first: a supervised actor comes back while an address lives.
            self.sessions.remove(&msg.session_id);
            self.broadcast(&msg.info);
        }
        msg.addr.do_send(Retire);
        self.tell_engine_if_idle();
    }
}

/// Kafka bridge: a lap the writer stored, from the user's stream.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct BusLap {
    pub lap: LapInfo,
    pub session: SessionInfo,
}

impl Handler<BusLap> for UserActor {
    type Result = ();

    fn handle(&mut self, msg: BusLap, _ctx: &mut Context<Self>) {
        match self.sessions.get(&msg.session.id) {
            Some(handle) => handle.addr.do_send(LapFromBus { lap: msg.lap, session: msg.session }),
            None => self.broadcast(&SessionInfo { live: false, ..msg.session }),
        }
    }
}

impl Handler<StopIfIdle> for UserActor {
    type Result = bool;

    fn handle(&mut self, _msg: StopIfIdle, ctx: &mut Context<Self>) -> bool {
        if self.is_idle() {
            ctx.stop();
            true
        } else {
            false
        }
    }
}
