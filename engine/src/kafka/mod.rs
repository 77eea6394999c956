//! The Kafka bus of the scale-out mode: topic names, the record format, and the
//! client configuration every role shares.
//!
//! Each user has a topic `telemetry-user-<userId>`: its records are that user's
//! frames (keyed by session, so one session stays in order on one partition), the
//! ends of its sessions and the laps the writer stored. Per-user topics make the
//! user id a property of where a record is, not of what it says: a consumer that
//! reads a user's topic can only ever hand that user's data to that user's viewers.
//!
//! Only plain code and librdkafka clients live here; the actors that run them are
//! in `purplesector-actors` (`kafka_writer`, `kafka_bridge`).

mod admin;
mod producer;
mod record;

pub use admin::{create_user_topic, setup_cluster, ClusterReport};
pub use producer::BusProducer;
pub use record::{decode_record, encode_record, headers, RecordHeaders, ENCODING};

use crate::config::KafkaSettings;
use crate::storage::UserId;
use rdkafka::ClientConfig;

#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    #[error("kafka client for {brokers}: {source}")]
    Client { brokers: String, source: rdkafka::error::KafkaError },
    #[error("kafka topic {topic}: {message}")]
    Topic { topic: String, message: String },
    #[error("kafka delivery to {topic} failed: {source}")]
    Delivery { topic: String, source: rdkafka::error::KafkaError },
    #[error("kafka record on {topic} at offset {offset} is not a valid BusRecord: {message}")]
    BadRecord { topic: String, offset: i64, message: String },
    #[error("kafka cluster at {brokers}: {message}")]
    Cluster { brokers: String, message: String },
}

/// The shared topics `kafka setup` creates besides the per-user ones.
pub const SHARED_TOPICS: &[&str] = &["telemetry", "commands"];

const USER_TOPIC_STEM: &str = "telemetry-user-";

/// Topic names under the configured prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicNames {
    prefix: String,
}

impl TopicNames {
    pub fn new(settings: &KafkaSettings) -> Self {
        TopicNames { prefix: settings.topic_prefix.clone() }
    }

    /// `<prefix>telemetry-user-<id>`.
    pub fn user_topic(&self, user: UserId) -> String {
        format!("{}{USER_TOPIC_STEM}{}", self.prefix, user.0)
    }

    /// The user whose topic this is; `None` for any other topic.
    pub fn user_of_topic(&self, topic: &str) -> Option<UserId> {
        let id = topic.strip_prefix(&self.prefix)?.strip_prefix(USER_TOPIC_STEM)?;
        if id.is_empty() || !id.bytes().all(|byte| byte.is_ascii_digit()) || (id.len() > 1 && id.starts_with('0')) {
            return None;
        }
        id.parse().ok().map(UserId)
    }

    /// A librdkafka subscription pattern (a leading `^` makes it a regex) matching
    /// every user's topic and nothing else.
    pub fn user_topic_pattern(&self) -> String {
        format!("^{}{}[0-9]+$", regex_escape(&self.prefix), regex_escape(USER_TOPIC_STEM))
    }

    /// A shared topic's full name.
    pub fn shared_topic(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }
}

fn regex_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// What every client of this process is configured with: brokers, security, and a
/// metadata refresh short enough that a new user's topic is found within seconds
/// (librdkafka's default is five minutes).
pub fn client_config(settings: &KafkaSettings, client_id: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", settings.brokers.trim())
        .set("client.id", client_id)
        .set("security.protocol", settings.security_protocol.to_ascii_lowercase())
        .set("topic.metadata.refresh.interval.ms", settings.metadata_refresh_ms.to_string())
        // Log through `tracing` at the level librdkafka reports, not to stderr.
        .set_log_level(rdkafka::config::RDKafkaLogLevel::Warning);
    if settings.security_protocol.to_ascii_lowercase().starts_with("sasl") {
        config
            .set("sasl.mechanism", settings.sasl_mechanism.to_ascii_uppercase())
            .set("sasl.username", &settings.sasl_username)
            .set("sasl.password", &settings.sasl_password);
    }
    config
}

#[cfg(test)]
mod tests;
