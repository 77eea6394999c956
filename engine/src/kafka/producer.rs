//! The producer every role that writes to the bus shares: the ingest (frames and
//! session ends) and the writer (stored laps).
//!
//! Idempotent with `acks=all`, so a frame acknowledged to a collector is on every
//! in-sync replica and a retried send never duplicates it; LZ4-compressed batches
//! with a short linger, because every frame is live. The queue inside librdkafka is
//! bounded in messages and bytes: when the cluster is slow, sends wait
//! (`queue_timeout`) and the ingest answers its collector late rather than growing.

use super::admin::{admin_client, create_user_topic, Admin};
use super::record::{encode_record, headers};
use super::{client_config, KafkaError, TopicNames};
use crate::config::KafkaSettings;
use crate::storage::UserId;
use purplesector_proto::v1::BusRecord;
use rdkafka::producer::{FutureProducer, FutureRecord};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a send may wait for room in the producer's queue.
const QUEUE_TIMEOUT: Duration = Duration::from_secs(5);

/// A cheap-to-clone handle on one producer and the topics it knows exist.
#[derive(Clone)]
pub struct BusProducer {
    producer: FutureProducer,
    admin: Arc<Admin>,
    settings: Arc<KafkaSettings>,
    topics: TopicNames,
    known_users: Arc<Mutex<HashSet<UserId>>>,
}

impl std::fmt::Debug for BusProducer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BusProducer").field("brokers", &self.settings.brokers).finish()
    }
}

impl BusProducer {
    pub fn new(settings: &KafkaSettings, client_id: &str) -> Result<BusProducer, KafkaError> {
        let producer: FutureProducer = client_config(settings, client_id)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("compression.type", "lz4")
            .set("linger.ms", settings.linger_ms.to_string())
            // Bounded: 100,000 records or 64 MiB waiting for the cluster, whichever first.
            .set("queue.buffering.max.messages", "100000")
            .set("queue.buffering.max.kbytes", "65536")
            .set("message.timeout.ms", "30000")
            .create()
            .map_err(|source| KafkaError::Client { brokers: settings.brokers.clone(), source })?;
        let admin = admin_client(settings, &format!("{client_id}-admin"))?;
        Ok(BusProducer {
            producer,
            admin: Arc::new(admin),
            settings: Arc::new(settings.clone()),
            topics: TopicNames::new(settings),
            known_users: Arc::new(Mutex::new(HashSet::new())),
        })
    }

    pub fn topics(&self) -> &TopicNames {
        &self.topics
    }

    /// Creates the user's topic the first time this process writes for that user
    /// (unless the cluster already has it).
    pub async fn ensure_user_topic(&self, user: UserId) -> Result<(), KafkaError> {
        if self.known_users.lock().map(|known| known.contains(&user)).unwrap_or(false) {
            return Ok(());
        }
        let topic = self.topics.user_topic(user);
        let client = self.producer.clone();
        let lookup = topic.clone();
        let exists = tokio::task::spawn_blocking(move || {
            use rdkafka::producer::Producer;
            client.client().fetch_metadata(Some(&lookup), Duration::from_secs(5)).is_ok_and(|metadata| {
                metadata
                    .topics()
                    .iter()
                    .any(|entry| entry.name() == lookup && entry.error().is_none() && !entry.partitions().is_empty())
            })
        })
        .await
        .unwrap_or(false);
        if exists {
            if let Ok(mut known) = self.known_users.lock() {
                known.insert(user);
            }
            return Ok(());
        }
        let created = create_user_topic(&self.admin, &self.settings, user).await?;
        if created {
            tracing::info!(user = user.0, %topic, "created the user's topic");
        }
        if let Ok(mut known) = self.known_users.lock() {
            known.insert(user);
        }
        Ok(())
    }

    /// Writes one record to the user's topic, keyed by session; answers once every
    /// in-sync replica has it, with its partition and offset.
    ///
    /// A topic that cannot be created here (the engine's principal may lack the
    /// CREATE permission where an operator creates topics; the cluster may not offer
    /// the admin API) is not fatal: the record is sent anyway, and the send fails
    /// only if the topic does not exist.
    pub async fn publish(&self, user: UserId, session_id: &str, record: &BusRecord) -> Result<(i32, i64), KafkaError> {
        if let Err(error) = self.ensure_user_topic(user).await {
            tracing::debug!(user = user.0, %error, "could not create the user's topic; sending anyway");
        }
        let topic = self.topics.user_topic(user);
        let payload = encode_record(record);
        let future_record =
            FutureRecord::to(&topic).key(session_id).payload(&payload).headers(headers(user, session_id));
        match self.producer.send(future_record, QUEUE_TIMEOUT).await {
            Ok(delivery) => Ok((delivery.partition, delivery.offset)),
            Err((source, _message)) => Err(KafkaError::Delivery { topic, source }),
        }
    }

    /// Whether the cluster answers a metadata request within `timeout` (readiness).
    /// Blocks: call it from a blocking thread.
    pub fn check(&self, timeout: Duration) -> Result<(), KafkaError> {
        use rdkafka::producer::Producer;
        self.producer
            .client()
            .fetch_metadata(None, timeout)
            .map(|_| ())
            .map_err(|error| KafkaError::Cluster { brokers: self.settings.brokers.clone(), message: error.to_string() })
    }

    /// Waits until everything sent so far is delivered (shutdown).
    pub fn flush(&self, timeout: Duration) -> Result<(), KafkaError> {
        use rdkafka::producer::Producer;
        self.producer.flush(timeout).map_err(|source| KafkaError::Delivery { topic: "(flush)".into(), source })
    }
}
