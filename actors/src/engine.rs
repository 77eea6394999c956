//! Engine: the root of the actor tree.
//!
//! Everything that creates work for a user passes through here (opening a session,
//! connecting a viewer, starting the demo), so the Engine is where UserActors are
//! created on demand and retired when idle without racing new work: a user that
//! reports itself idle is only stopped if it still is when the Engine asks.

use crate::db_writer::DbWriter;
use crate::demo_driver::{DemoDriverActor, DemoSession, StopDemoDriver};
use crate::kafka_bridge::KafkaBridge;
use crate::shared::SharedRef;
use crate::user::{
    ConnectViewer, DisconnectViewer, EndSession, LiveSessionIds, OpenSession, SessionHandle, StopIfIdle, Subscribe,
    Unsubscribe, UserActor,
};
use actix::prelude::*;
use purplesector_engine::storage::UserId;
use purplesector_proto::v1::SessionInfo;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} is unavailable")]
    Unavailable(String),
    #[error("store: {0}")]
    Store(String),
}

/// Start the demo driver for a user (or return the one running).
#[derive(Message)]
#[rtype(result = "Result<SessionInfo, EngineError>")]
pub struct StartDemo {
    pub owner: UserId,
    /// `None` uses the configured seed.
    pub seed: Option<u64>,
}

/// Stop the user's demo driver; answers whether one was running.
#[derive(Message)]
#[rtype(result = "bool")]
pub struct StopDemo {
    pub owner: UserId,
}

/// From a UserActor with no live session and no viewer.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct UserIdle {
    pub owner: UserId,
}

/// Counts for readiness and tests.
#[derive(Message)]
#[rtype(result = "EngineStatus")]
pub struct GetStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineStatus {
    pub active_users: usize,
    pub demos: usize,
}

pub struct Engine {
    shared: SharedRef,
    /// The store's writer; `None` for a Kafka bridge's engine, which only streams.
    db: Option<Addr<DbWriter>>,
    /// Kafka bridge: the shared consumer a user's stream is read through while the
    /// user has viewers.
    bridge: Option<Addr<KafkaBridge>>,
    users: HashMap<UserId, Addr<UserActor>>,
    demos: HashMap<UserId, Addr<DemoDriverActor>>,
}

impl Engine {
    /// The embedded engine (and a Kafka writer's): sessions persist through `db`.
    pub fn new(shared: SharedRef, db: Addr<DbWriter>) -> Self {
        Engine { shared, db: Some(db), bridge: None, users: HashMap::new(), demos: HashMap::new() }
    }

    /// A Kafka bridge's engine: users' streams come from the bus, nothing is stored here.
    pub fn bridge(shared: SharedRef, bridge: Addr<KafkaBridge>) -> Self {
        Engine { shared, db: None, bridge: Some(bridge), users: HashMap::new(), demos: HashMap::new() }
    }

    /// An engine with neither store nor stream (a Kafka process that only ingests or
    /// only serves the API): it answers "nothing live here".
    pub fn detached(shared: SharedRef) -> Self {
        Engine { shared, db: None, bridge: None, users: HashMap::new(), demos: HashMap::new() }
    }

    /// The user's actor, created on demand.
    fn user(&mut self, owner: UserId, ctx: &mut Context<Self>) -> Addr<UserActor> {
        let (shared, db, engine, bridge) = (self.shared.clone(), self.db.clone(), ctx.address(), self.bridge.clone());
        let user = self
            .users
            .entry(owner)
            .or_insert_with(|| UserActor::new(owner, shared, engine, db, bridge).start())
            .clone();
        self.shared.metrics.active_users.set(self.users.len() as i64);
        user
    }
}

impl Actor for Engine {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        // Control messages only (frames go straight to sessions): a roomy mailbox.
        ctx.set_mailbox_capacity(1024);
    }
}

impl Handler<OpenSession> for Engine {
    type Result = ResponseFuture<Result<SessionHandle, EngineError>>;

    fn handle(&mut self, msg: OpenSession, ctx: &mut Context<Self>) -> Self::Result {
        let request = self.user(msg.owner, ctx).send(msg);
        Box::pin(async move { request.await.map_err(|_| EngineError::Unavailable("user".into()))? })
    }
}

impl Handler<ConnectViewer> for Engine {
    type Result = ResponseFuture<Vec<SessionInfo>>;

    fn handle(&mut self, msg: ConnectViewer, ctx: &mut Context<Self>) -> Self::Result {
        let request = self.user(msg.owner, ctx).send(msg);
        Box::pin(async move { request.await.unwrap_or_default() })
    }
}

impl Handler<DisconnectViewer> for Engine {
    type Result = ();

    fn handle(&mut self, msg: DisconnectViewer, _ctx: &mut Context<Self>) {
        if let Some(user) = self.users.get(&msg.owner) {
            user.do_send(msg);
        }
    }
}

impl Handler<Subscribe> for Engine {
    type Result = ResponseFuture<Result<(), EngineError>>;

    fn handle(&mut self, msg: Subscribe, _ctx: &mut Context<Self>) -> Self::Result {
        match self.users.get(&msg.owner) {
            Some(user) => {
                let request = user.send(msg);
                Box::pin(async move { request.await.map_err(|_| EngineError::Unavailable("user".into()))? })
            }
            None => Box::pin(async { Err(EngineError::NotFound("viewer".into())) }),
        }
    }
}

impl Handler<Unsubscribe> for Engine {
    type Result = ();

    fn handle(&mut self, msg: Unsubscribe, _ctx: &mut Context<Self>) {
        if let Some(user) = self.users.get(&msg.owner) {
            user.do_send(msg);
        }
    }
}

impl Handler<LiveSessionIds> for Engine {
    type Result = ResponseFuture<HashSet<String>>;

    fn handle(&mut self, msg: LiveSessionIds, _ctx: &mut Context<Self>) -> Self::Result {
        match self.users.get(&msg.owner) {
            Some(user) => {
                let request = user.send(msg);
                Box::pin(async move { request.await.unwrap_or_default() })
            }
            None => Box::pin(async { HashSet::new() }),
        }
    }
}

impl Handler<EndSession> for Engine {
    type Result = ();

    fn handle(&mut self, msg: EndSession, _ctx: &mut Context<Self>) {
        if let Some(user) = self.users.get(&msg.owner) {
            user.do_send(msg);
        }
    }
}

impl Handler<StartDemo> for Engine {
    type Result = ResponseFuture<Result<SessionInfo, EngineError>>;

    fn handle(&mut self, msg: StartDemo, ctx: &mut Context<Self>) -> Self::Result {
        if self.shared.settings.kafka_mode() {
            return Box::pin(async {
                Err(EngineError::Unavailable(
                    "the built-in demo driver (embedded mode only; with Kafka run `purplesector collect demo`)".into(),
                ))
            });
        }
        let demo = match self.demos.get(&msg.owner) {
            Some(demo) if demo.connected() => demo.clone(),
            _ => {
                let seed = msg.seed.unwrap_or(self.shared.settings.demo.seed);
                let demo = DemoDriverActor::new(msg.owner, seed, self.shared.clone(), ctx.address()).start();
                self.demos.insert(msg.owner, demo.clone());
                demo
            }
        };
        // The demo opens its session through this Engine before it answers.
        let request = demo.send(DemoSession);
        Box::pin(async move { request.await.map_err(|_| EngineError::Unavailable("demo driver".into()))? })
    }
}

impl Handler<StopDemo> for Engine {
    type Result = bool;

    fn handle(&mut self, msg: StopDemo, _ctx: &mut Context<Self>) -> bool {
        match self.demos.remove(&msg.owner) {
            Some(demo) => {
                demo.do_send(StopDemoDriver);
                true
            }
            None => false,
        }
    }
}

impl Handler<UserIdle> for Engine {
    type Result = ();

    fn handle(&mut self, msg: UserIdle, ctx: &mut Context<Self>) {
        let Some(user) = self.users.get(&msg.owner).cloned() else { return };
        // Wait for the answer with this mailbox paused, so no new work for the user
        // slips in between its answer and its removal.
        ctx.wait(user.send(StopIfIdle).into_actor(self).map(move |stopped, act, _| {
            if matches!(stopped, Ok(true) | Err(_)) {
                act.users.remove(&msg.owner);
                act.shared.metrics.active_users.set(act.users.len() as i64);
            }
        }));
    }
}

impl Handler<GetStatus> for Engine {
    type Result = MessageResult<GetStatus>;

    fn handle(&mut self, _msg: GetStatus, _ctx: &mut Context<Self>) -> Self::Result {
        MessageResult(EngineStatus { active_users: self.users.len(), demos: self.demos.len() })
    }
}
