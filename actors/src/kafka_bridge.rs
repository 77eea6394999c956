//! The bridge role of the scale-out mode: users' streams from Kafka to their browsers.
//!
//! One shared librdkafka consumer per process ([`KafkaBridge`]), because a client
//! costs threads and prefetch memory and a bridge serves thousands of users. It
//! belongs to no consumer group: a user's partitions are added to its assignment
//! (`incremental_assign`) when the user's first viewer connects and removed when
//! the last one leaves, so every bridge sees every record of the users it serves.
//! Each active user has a [`TopicConsumerActor`] (a child of its UserActor) that
//! receives the user's records through a bounded mailbox and feeds them to the
//! bridge's SessionActors (which stream to viewers but store nothing) and the laps
//! the writer stored to the viewers.
//!
//! A user's stream starts `kafka.bridge_replay_ms` (five minutes) back in time, so
//! the bridge's sessions rebuild the lap in progress from the bus itself and a
//! viewer who joins mid-lap gets the lap from its start. (Not from the store: the
//! writer may be ahead of the bridge, and frames read from the store would count as
//! seen and never be streamed.)

use crate::engine::Engine;
use crate::ingest::{new_session_for, validate_batch};
use crate::kafka_client::{LagConsumer, LagContext};
use crate::metrics::{actor_kind, drop_reason};
use crate::session::{BusFrames, Finish, SessionActor};
use crate::shared::SharedRef;
use crate::user::OpenSession;
use crate::user::{BusLap, UserActor};
use actix::prelude::*;
use purplesector_engine::kafka::{client_config, create_user_topic, decode_record, TopicNames};
use purplesector_engine::storage::UserId;
use purplesector_proto::v1::bus_record::Payload;
use purplesector_proto::v1::{BusRecord, TelemetryBatch};
use rdkafka::admin::AdminClient;
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::Consumer;
use rdkafka::message::Message as _;
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KAFKA_TIMEOUT: Duration = Duration::from_secs(10);

/// One of a user's records, for that user's TopicConsumerActor.
#[derive(Message)]
#[rtype(result = "()")]
pub struct UserRecord(pub BusRecord);

/// Start reading a user's topic for `recipient`.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AddUser {
    pub user: UserId,
    pub recipient: Recipient<UserRecord>,
}

/// Stop reading a user's topic.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RemoveUser {
    pub user: UserId,
}

type Routes = Arc<Mutex<HashMap<String, Recipient<UserRecord>>>>;

pub struct KafkaBridge {
    shared: SharedRef,
    topics: TopicNames,
    consumer: Option<Arc<LagConsumer>>,
    admin: Option<Arc<AdminClient<DefaultClientContext>>>,
    routes: Routes,
    /// The partitions assigned for each user.
    assigned: HashMap<UserId, TopicPartitionList>,
}

impl KafkaBridge {
    pub fn new(shared: SharedRef) -> Self {
        let topics = TopicNames::new(&shared.settings.kafka);
        KafkaBridge { shared, topics, consumer: None, admin: None, routes: Routes::default(), assigned: HashMap::new() }
    }

    fn connect(&self) -> anyhow::Result<(Arc<LagConsumer>, Arc<AdminClient<DefaultClientContext>>)> {
        let settings = &self.shared.settings.kafka;
        let context = LagContext { metrics: self.shared.metrics.clone(), role: "bridge" };
        let consumer: LagConsumer = client_config(settings, "purplesector-bridge")
            // Manual assignment only: the group id is never joined, nothing is committed.
            // (Offsets are still stored in memory as records are read: librdkafka's
            // consumer lag, the lag gauge's source, is measured from them.)
            .set("group.id", format!("{}bridge", settings.consumer_group_prefix))
            .set("enable.auto.commit", "false")
            .set("statistics.interval.ms", "5000")
            .set("queued.max.messages.kbytes", "16384")
            .create_with_context(context)?;
        let admin: AdminClient<DefaultClientContext> = client_config(settings, "purplesector-bridge-admin").create()?;
        Ok((Arc::new(consumer), Arc::new(admin)))
    }
}

impl Actor for KafkaBridge {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(1024);
        self.shared.metrics.actor_started(actor_kind::KAFKA_BRIDGE);
        let (consumer, admin) = match self.connect() {
            Ok(clients) => clients,
            Err(error) => {
                tracing::error!(%error, "cannot start the Kafka bridge consumer");
                ctx.stop();
                return;
            }
        };
        self.consumer = Some(consumer.clone());
        self.admin = Some(admin);
        let (routes, shared) = (self.routes.clone(), self.shared.clone());
        let mut shutdown = shared.shutdown.subscribe();
        // The reading task: each record to its user's actor, never waiting on one.
        // A task of its own, so that assigning a user (which waits on the cluster)
        // never holds up the records of the others.
        actix_rt::spawn(async move {
            let mut failures = 0u32;
            loop {
                let message = tokio::select! {
                    _ = shutdown.wait_for(|stopping| *stopping) => break,
                    message = consumer.recv() => message,
                };
                let message = match message {
                    Ok(message) => {
                        failures = 0;
                        message
                    }
                    Err(error) => {
                        failures += 1;
                        if failures == 1 || failures.is_power_of_two() {
                            tracing::warn!(%error, failures, "Kafka bridge consumer error");
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                };
                let recipient = routes.lock().ok().and_then(|routes| routes.get(message.topic()).cloned());
                let Some(recipient) = recipient else { continue };
                let record = match decode_record(message.payload().unwrap_or_default()) {
                    Ok(record) => record,
                    Err(_) => {
                        shared.metrics.bad_bus_records.inc();
                        continue;
                    }
                };
                let frames = match &record.payload {
                    Some(Payload::Batch(batch)) => batch.frames.len(),
                    _ => 0,
                };
                if let Err(SendError::Full(_)) = recipient.try_send(UserRecord(record)) {
                    // The user's viewers cannot keep up: their oldest news goes first.
                    shared.metrics.dropped(drop_reason::BRIDGE_BACKLOG, frames);
                }
            }
        });
    }

    fn stopped(&mut self, _ctx: &mut Context<Self>) {
        self.shared.metrics.actor_stopped(actor_kind::KAFKA_BRIDGE);
    }
}

impl Handler<AddUser> for KafkaBridge {
    // Atomic: a RemoveUser for the same user waits until this assignment is done,
    // so a quick connect-disconnect never leaves a partition assigned.
    type Result = AtomicResponse<Self, ()>;

    fn handle(&mut self, msg: AddUser, _ctx: &mut Context<Self>) -> Self::Result {
        let topic = self.topics.user_topic(msg.user);
        if let Ok(mut routes) = self.routes.lock() {
            routes.insert(topic.clone(), msg.recipient);
        }
        let (Some(consumer), Some(admin)) = (self.consumer.clone(), self.admin.clone()) else {
            return AtomicResponse::new(Box::pin(fut::ready(())));
        };
        if self.assigned.contains_key(&msg.user) {
            return AtomicResponse::new(Box::pin(fut::ready(())));
        }
        let settings = self.shared.settings.kafka.clone();
        let user = msg.user;
        let work = async move {
            // The topic may not exist yet (the user never drove): create it, so the
            // stream is there when the first frame is.
            create_user_topic(&admin, &settings, user).await?;
            let since = purplesector_engine::storage::now_ms() - settings.bridge_replay_ms;
            let topic_for_lookup = topic.clone();
            tokio::task::spawn_blocking(move || -> anyhow::Result<TopicPartitionList> {
                let metadata = consumer.fetch_metadata(Some(&topic_for_lookup), KAFKA_TIMEOUT)?;
                let partitions: Vec<i32> = metadata
                    .topics()
                    .iter()
                    .filter(|entry| entry.name() == topic_for_lookup)
                    .flat_map(|entry| entry.partitions().iter().map(|partition| partition.id()))
                    .collect();
                let mut wanted = TopicPartitionList::new();
                for partition in &partitions {
                    wanted.add_partition_offset(&topic_for_lookup, *partition, Offset::Offset(since))?;
                }
                // Each partition from the first record at or after `since`; the end when none is.
                let found = consumer.offsets_for_times(wanted, KAFKA_TIMEOUT)?;
                let mut assignment = TopicPartitionList::new();
                for element in found.elements() {
                    let offset = match element.offset() {
                        Offset::Offset(offset) if offset >= 0 => Offset::Offset(offset),
                        _ => Offset::End,
                    };
                    assignment.add_partition_offset(element.topic(), element.partition(), offset)?;
                }
                consumer.incremental_assign(&assignment)?;
                Ok(assignment)
            })
            .await?
        };
        AtomicResponse::new(Box::pin(work.into_actor(self).map(
            move |result: anyhow::Result<TopicPartitionList>, act, _ctx| match result {
                Ok(assignment) => {
                    tracing::debug!(user = user.0, partitions = assignment.count(), "bridge reading the user's topic");
                    act.assigned.insert(user, assignment);
                    act.shared.metrics.bridge_users.set(act.assigned.len() as i64);
                }
                Err(error) => {
                    tracing::error!(user = user.0, %error, "cannot read the user's topic; their live view stays empty")
                }
            },
        )))
    }
}

impl Handler<RemoveUser> for KafkaBridge {
    type Result = ();

    fn handle(&mut self, msg: RemoveUser, _ctx: &mut Context<Self>) {
        if let Ok(mut routes) = self.routes.lock() {
            routes.remove(&self.topics.user_topic(msg.user));
        }
        let (Some(assignment), Some(consumer)) = (self.assigned.remove(&msg.user), self.consumer.as_ref()) else {
            return;
        };
        self.shared.metrics.bridge_users.set(self.assigned.len() as i64);
        if let Err(error) = consumer.incremental_unassign(&assignment) {
            tracing::warn!(user = msg.user.0, %error, "cannot stop reading the user's topic");
        }
    }
}

/// From the UserActor when its last viewer left.
#[derive(Message)]
#[rtype(result = "()")]
pub struct StopTopicConsumer;

/// One user's stream in the bridge, alive while the user has a viewer.
///
/// It feeds the user's sessions in this bridge directly and without waiting for
/// each batch's answer (one mailbox to another keeps the order; a full session
/// mailbox pauses this one), so a user with many sessions is not held to one
/// round trip per batch. Sessions it does not know yet are opened through the
/// Engine first, with this mailbox paused.
pub struct TopicConsumerActor {
    owner: UserId,
    shared: SharedRef,
    engine: Addr<Engine>,
    user: Addr<UserActor>,
    bridge: Addr<KafkaBridge>,
    sessions: HashMap<String, Addr<SessionActor>>,
}

impl TopicConsumerActor {
    pub fn new(
        owner: UserId,
        shared: SharedRef,
        engine: Addr<Engine>,
        user: Addr<UserActor>,
        bridge: Addr<KafkaBridge>,
    ) -> Self {
        TopicConsumerActor { owner, shared, engine, user, bridge, sessions: HashMap::new() }
    }

    /// Hands a batch to its session, opening the session first when needed.
    fn stream(&mut self, batch: TelemetryBatch, ctx: &mut Context<Self>) {
        if let Err(failure) = validate_batch(&batch, self.shared.settings.session.max_batch_frames) {
            self.shared.metrics.bad_bus_records.inc();
            tracing::debug!(session = %batch.session_id, %failure, "bridge record refused");
            return;
        }
        let mut batch = batch;
        let frames = std::mem::take(&mut batch.frames);
        let frames = match self.sessions.get(&batch.session_id) {
            Some(session) => match session.try_send(BusFrames(frames)) {
                Ok(()) => return,
                Err(SendError::Full(message)) => {
                    ctx.wait(session.send(message).into_actor(self).map(|_, _, _| ()));
                    return;
                }
                // Retired (idle) meanwhile: open it again.
                Err(SendError::Closed(message)) => {
                    self.sessions.remove(&batch.session_id);
                    message.0
                }
            },
            None => frames,
        };
        let session_id = batch.session_id.clone();
        let open = self.engine.send(OpenSession { owner: self.owner, session: new_session_for(&batch) });
        ctx.wait(open.into_actor(self).then(move |opened, act, _ctx| {
            let session = match opened {
                Ok(Ok(handle)) => Some(handle.addr),
                Ok(Err(error)) => {
                    tracing::debug!(session = %session_id, %error, "bridge could not open the session");
                    None
                }
                Err(_) => None,
            };
            if let Some(session) = &session {
                act.sessions.insert(session_id, session.clone());
            }
            async move {
                if let Some(session) = session {
                    let _ = session.send(BusFrames(frames)).await;
                }
            }
            .into_actor(act)
        }));
    }
}

impl Actor for TopicConsumerActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(self.shared.settings.kafka.bridge_queue_messages);
        self.shared.metrics.actor_started(actor_kind::TOPIC_CONSUMER);
        self.bridge.do_send(AddUser { user: self.owner, recipient: ctx.address().recipient() });
    }

    fn stopped(&mut self, _ctx: &mut Context<Self>) {
        self.bridge.do_send(RemoveUser { user: self.owner });
        self.shared.metrics.actor_stopped(actor_kind::TOPIC_CONSUMER);
    }
}

impl Handler<UserRecord> for TopicConsumerActor {
    type Result = ();

    fn handle(&mut self, msg: UserRecord, ctx: &mut Context<Self>) {
        match msg.0.payload {
            Some(Payload::Batch(batch)) => self.stream(batch, ctx),
            Some(Payload::EndSession(end)) => {
                if let Some(session) = self.sessions.remove(&end.session_id) {
                    session.do_send(Finish);
                }
            }
            Some(Payload::LapStored(stored)) => {
                if let (Some(lap), Some(session)) = (stored.lap, stored.session) {
                    self.user.do_send(BusLap { lap, session });
                }
            }
            None => {}
        }
    }
}

impl Handler<StopTopicConsumer> for TopicConsumerActor {
    type Result = ();

    fn handle(&mut self, _msg: StopTopicConsumer, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}
