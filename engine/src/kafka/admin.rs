//! Topic administration: a user's topic is created on demand (the first time the
//! ingest sees that user), and `purplesector kafka setup` creates the shared topics
//! and checks the cluster before an operator starts the roles.

use super::{client_config, KafkaError, TopicNames, SHARED_TOPICS};
use crate::config::KafkaSettings;
use crate::storage::UserId;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::types::RDKafkaErrorCode;
use std::time::Duration;

pub type Admin = AdminClient<DefaultClientContext>;

const ADMIN_TIMEOUT: Duration = Duration::from_secs(10);

pub fn admin_client(settings: &KafkaSettings, client_id: &str) -> Result<Admin, KafkaError> {
    client_config(settings, client_id)
        .create()
        .map_err(|source| KafkaError::Client { brokers: settings.brokers.clone(), source })
}

/// Creates `topic` unless it exists; true when this call created it.
async fn create_topic(
    admin: &Admin,
    topic: &str,
    partitions: i32,
    settings: &KafkaSettings,
    retention_ms: Option<i64>,
) -> Result<bool, KafkaError> {
    let retention = retention_ms.map(|ms| ms.to_string());
    let mut new_topic = NewTopic::new(topic, partitions, TopicReplication::Fixed(settings.replication_factor))
        // The producer compresses with LZ4; keep its batches as they are.
        .set("compression.type", "producer");
    if let Some(retention) = retention.as_deref() {
        new_topic = new_topic.set("retention.ms", retention);
    }
    let options = AdminOptions::new().request_timeout(Some(ADMIN_TIMEOUT)).operation_timeout(Some(ADMIN_TIMEOUT));
    let results = admin
        .create_topics([&new_topic], &options)
        .await
        .map_err(|error| KafkaError::Topic { topic: topic.to_string(), message: error.to_string() })?;
    match results.into_iter().next() {
        Some(Ok(_)) => Ok(true),
        Some(Err((_, RDKafkaErrorCode::TopicAlreadyExists))) => Ok(false),
        Some(Err((_, code))) => Err(KafkaError::Topic { topic: topic.to_string(), message: code.to_string() }),
        None => Err(KafkaError::Topic { topic: topic.to_string(), message: "no answer from the cluster".into() }),
    }
}

/// Creates the user's topic with the configured partitions and retention unless it exists.
pub async fn create_user_topic(admin: &Admin, settings: &KafkaSettings, user: UserId) -> Result<bool, KafkaError> {
    let topic = TopicNames::new(settings).user_topic(user);
    create_topic(admin, &topic, settings.user_topic_partitions, settings, Some(settings.user_topic_retention_ms)).await
}

/// What `kafka setup` found and did.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterReport {
    pub brokers: Vec<String>,
    pub created: Vec<String>,
    pub existing: Vec<String>,
    pub user_topics: usize,
}

impl std::fmt::Display for ClusterReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "brokers: {}", self.brokers.join(", "))?;
        writeln!(f, "created: {}", if self.created.is_empty() { "-".to_string() } else { self.created.join(", ") })?;
        writeln!(
            f,
            "already there: {}",
            if self.existing.is_empty() { "-".to_string() } else { self.existing.join(", ") }
        )?;
        write!(f, "user topics: {}", self.user_topics)
    }
}

/// Checks that the cluster answers and creates the shared topics.
pub async fn setup_cluster(settings: &KafkaSettings) -> Result<ClusterReport, KafkaError> {
    let admin = admin_client(settings, "purplesector-setup")?;
    let names = TopicNames::new(settings);
    let metadata = admin
        .inner()
        .fetch_metadata(None, ADMIN_TIMEOUT)
        .map_err(|error| KafkaError::Cluster { brokers: settings.brokers.clone(), message: error.to_string() })?;
    let brokers: Vec<String> = metadata
        .brokers()
        .iter()
        .map(|broker| format!("{}:{} (id {})", broker.host(), broker.port(), broker.id()))
        .collect();
    if brokers.is_empty() {
        return Err(KafkaError::Cluster {
            brokers: settings.brokers.clone(),
            message: "no broker in the metadata".into(),
        });
    }
    let user_topics = metadata.topics().iter().filter(|topic| names.user_of_topic(topic.name()).is_some()).count();
    let mut report = ClusterReport { brokers, created: Vec::new(), existing: Vec::new(), user_topics };
    for name in SHARED_TOPICS {
        let topic = names.shared_topic(name);
        if create_topic(&admin, &topic, 1, settings, None).await? {
            report.created.push(topic);
        } else {
            report.existing.push(topic);
        }
    }
    Ok(report)
}
