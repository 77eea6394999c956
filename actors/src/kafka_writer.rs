//! KafkaWriter: the writer role of the scale-out mode.
//!
//! One consumer in the group `<prefix>writer` follows every user's topic (a regex
//! subscription; a new user's topic is found within `kafka.metadata_refresh_ms`).
//! Each record goes through the same path as an embedded producer's batch: a
//! per-user IngestRouter opens the session in this process's Engine, whose
//! SessionActors run lap detection and feed the DbWriter. Offsets are committed
//! only after the frames they cover are durable (`MakeDurable` through every router
//! and session, then the DbWriter's flush), every `kafka.commit_interval_ms` and at
//! shutdown, so a writer that dies re-reads what it had not stored; re-read frames
//! are no-ops in the store (keyed by session and seq). Several writers share the
//! topics' partitions through the group.

use crate::engine::Engine;
use crate::ingest::{EndIngestSession, IngestBatch, IngestFailure, IngestRouter, MakeDurable};
use crate::kafka_client::{is_no_topic_yet, LagConsumer, LagContext};
use crate::metrics::actor_kind;
use crate::shared::SharedRef;
use actix::prelude::*;
use purplesector_engine::kafka::{client_config, decode_record, RecordHeaders, TopicNames};
use purplesector_engine::storage::UserId;
use purplesector_proto::v1::bus_record::Payload;
use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::message::{Message as _, OwnedMessage};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// Stops consuming, makes everything consumed durable, commits; answers when done.
#[derive(Message)]
#[rtype(result = "()")]
pub struct StopKafkaWriter;

pub struct KafkaWriter {
    shared: SharedRef,
    engine: Addr<Engine>,
    stop: watch::Sender<bool>,
    done: Option<oneshot::Receiver<()>>,
}

impl KafkaWriter {
    pub fn new(shared: SharedRef, engine: Addr<Engine>) -> Self {
        KafkaWriter { shared, engine, stop: watch::Sender::new(false), done: None }
    }

    fn consumer(&self) -> anyhow::Result<Arc<LagConsumer>> {
        let settings = &self.shared.settings.kafka;
        let context = LagContext { metrics: self.shared.metrics.clone(), role: "writer" };
        let consumer: LagConsumer = client_config(settings, "purplesector-writer")
            .set("group.id", format!("{}writer", settings.consumer_group_prefix))
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest")
            .set("session.timeout.ms", settings.session_timeout_ms.to_string())
            .set("heartbeat.interval.ms", (settings.session_timeout_ms / 3).max(100).to_string())
            .set("statistics.interval.ms", "5000")
            // Bounded prefetch: at most 16 MiB queued per consumer, not librdkafka's 64 MiB.
            .set("queued.max.messages.kbytes", "16384")
            .create_with_context(context)?;
        let pattern = TopicNames::new(settings).user_topic_pattern();
        consumer.subscribe(&[&pattern])?;
        Ok(Arc::new(consumer))
    }
}

impl Actor for KafkaWriter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.shared.metrics.actor_started(actor_kind::KAFKA_WRITER);
        // Created here, inside the running runtime, as StreamConsumer requires.
        let consumer = match self.consumer() {
            Ok(consumer) => consumer,
            Err(error) => {
                tracing::error!(%error, "cannot start the Kafka writer consumer");
                ctx.stop();
                return;
            }
        };
        tracing::info!(brokers = %self.shared.settings.kafka.brokers, "Kafka writer consuming every user's topic");
        let (done_tx, done_rx) = oneshot::channel();
        self.done = Some(done_rx);
        let run = WriterLoop {
            shared: self.shared.clone(),
            engine: self.engine.clone(),
            consumer,
            topics: TopicNames::new(&self.shared.settings.kafka),
            routers: HashMap::new(),
            uncommitted: HashMap::new(),
            logged_bad: false,
        };
        let stop = self.stop.subscribe();
        actix_rt::spawn(async move {
            run.run(stop).await;
            let _ = done_tx.send(());
        });
    }

    fn stopped(&mut self, _ctx: &mut Context<Self>) {
        self.shared.metrics.actor_stopped(actor_kind::KAFKA_WRITER);
    }
}

impl Handler<StopKafkaWriter> for KafkaWriter {
    type Result = ResponseActFuture<Self, ()>;

    fn handle(&mut self, _msg: StopKafkaWriter, _ctx: &mut Context<Self>) -> Self::Result {
        self.stop.send_replace(true);
        let done = self.done.take();
        Box::pin(
            async move {
                if let Some(done) = done {
                    let _ = done.await;
                }
            }
            .into_actor(self)
            .map(|_, _, ctx| ctx.stop()),
        )
    }
}

/// The consuming task: reads, routes, and commits what is durable.
struct WriterLoop {
    shared: SharedRef,
    engine: Addr<Engine>,
    consumer: Arc<LagConsumer>,
    topics: TopicNames,
    routers: HashMap<UserId, Addr<IngestRouter>>,
    /// (topic, partition) -> the offset to commit once what came before is durable.
    uncommitted: HashMap<(String, i32), i64>,
    logged_bad: bool,
}

impl WriterLoop {
    async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let interval = Duration::from_millis(self.shared.settings.kafka.commit_interval_ms);
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut failures = 0u32;
        let stopping = stop.clone();
        loop {
            let consumer = self.consumer.clone();
            tokio::select! {
                biased;
                _ = stop.wait_for(|stopping| *stopping) => break,
                _ = ticker.tick() => self.commit(CommitMode::Async).await,
                message = consumer.recv() => match message {
                    Ok(message) => {
                        failures = 0;
                        let message = message.detach();
                        if !self.handle(message, &stopping).await {
                            break;
                        }
                    }
                    Err(error) if is_no_topic_yet(&error) => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    Err(error) => {
                        failures += 1;
                        if failures == 1 || failures.is_power_of_two() {
                            tracing::warn!(%error, failures, "Kafka writer consumer error");
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                },
            }
        }
        self.commit(CommitMode::Sync).await;
        tracing::info!("Kafka writer stopped; offsets committed");
    }

    fn router(&mut self, owner: UserId) -> Addr<IngestRouter> {
        let (shared, engine) = (self.shared.clone(), self.engine.clone());
        self.routers.entry(owner).or_insert_with(|| IngestRouter::new(owner, shared, engine).start()).clone()
    }

    fn bad_record(&mut self, message: &OwnedMessage, reason: &str) {
        self.shared.metrics.bad_bus_records.inc();
        if !std::mem::replace(&mut self.logged_bad, true) {
            tracing::warn!(
                topic = message.topic(),
                offset = message.offset(),
                reason,
                "skipping a bad bus record (logged once; counted in purplesector_bus_records_bad_total)"
            );
        }
    }

    /// Routes one record; false when stopping interrupted a retry (its offset is
    /// then not committed, so the next writer reads it again).
    async fn handle(&mut self, message: OwnedMessage, stop: &watch::Receiver<bool>) -> bool {
        let position = (message.topic().to_string(), message.partition());
        let next_offset = message.offset() + 1;
        let Some(owner) = self.topics.user_of_topic(message.topic()) else {
            self.bad_record(&message, "not a user topic");
            self.uncommitted.insert(position, next_offset);
            return true;
        };
        let headers = RecordHeaders::parse(message.headers());
        if headers.user_id.is_some_and(|user| user != owner) {
            // The topic decides whose data it is; a record claiming otherwise is foreign.
            self.bad_record(&message, "userId header does not match the topic");
            self.uncommitted.insert(position, next_offset);
            return true;
        }
        let record = match decode_record(message.payload().unwrap_or_default()) {
            Ok(record) => record,
            Err(error) => {
                self.bad_record(&message, &error.to_string());
                self.uncommitted.insert(position, next_offset);
                return true;
            }
        };
        let router = self.router(owner);
        match record.payload {
            Some(Payload::Batch(batch)) => {
                let session_id = batch.session_id.clone();
                let mut attempt = 0u32;
                loop {
                    let reason = match router.send(IngestBatch(batch.clone())).await {
                        Ok(Ok(_)) => break,
                        Ok(Err(IngestFailure::Unavailable(reason))) => reason,
                        Err(_) => "the session is restarting".to_string(),
                        Ok(Err(failure)) => {
                            // Refused for good (not this user's session, malformed): skip it.
                            self.shared.metrics.dropped(crate::metrics::drop_reason::REJECTED, batch.frames.len());
                            tracing::warn!(session = %session_id, %failure, "bus batch refused");
                            break;
                        }
                    };
                    if *stop.borrow() {
                        return false;
                    }
                    attempt += 1;
                    if attempt == 1 || attempt.is_power_of_two() {
                        tracing::warn!(session = %session_id, attempt, %reason, "cannot take a batch yet; retrying");
                    }
                    tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt.min(20)))).await;
                }
            }
            Some(Payload::EndSession(end)) => {
                let _ = router.send(EndIngestSession(end.session_id)).await;
            }
            // This role wrote it; bridges read it.
            Some(Payload::LapStored(_)) | None => {}
        }
        self.uncommitted.insert(position, next_offset);
        true
    }

    /// Makes everything routed so far durable, then commits the offsets after it.
    async fn commit(&mut self, mode: CommitMode) {
        if self.uncommitted.is_empty() {
            return;
        }
        futures_util::future::join_all(self.routers.values().map(|router| router.send(MakeDurable))).await;
        let mut offsets = TopicPartitionList::new();
        for ((topic, partition), offset) in self.uncommitted.drain() {
            if let Err(error) = offsets.add_partition_offset(&topic, partition, Offset::Offset(offset)) {
                tracing::warn!(%topic, partition, %error, "cannot note an offset to commit");
            }
        }
        let consumer = self.consumer.clone();
        let result = match mode {
            // A synchronous commit blocks its thread: keep it off the actor runtime.
            CommitMode::Sync => tokio::task::spawn_blocking(move || consumer.commit(&offsets, CommitMode::Sync))
                .await
                .unwrap_or(Err(rdkafka::error::KafkaError::Canceled)),
            CommitMode::Async => consumer.commit(&offsets, CommitMode::Async),
        };
        if let Err(error) = result {
            tracing::warn!(%error, "committing Kafka offsets failed; they are committed with the next batch");
        }
    }
}
