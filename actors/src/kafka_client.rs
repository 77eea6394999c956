//! What the Kafka roles' consumers share: a client context that turns librdkafka's
//! statistics into the lag gauge and its global errors into logs at the right level.

use crate::metrics::Metrics;
use rdkafka::consumer::{ConsumerContext, StreamConsumer};
use rdkafka::statistics::Statistics;
use rdkafka::ClientContext;

/// Reports a consumer's lag (records behind the end of its partitions) from
/// librdkafka's statistics, as `purplesector_kafka_consumer_lag{role}`.
pub(crate) struct LagContext {
    pub metrics: Metrics,
    pub role: &'static str,
}

impl ClientContext for LagContext {
    fn stats(&self, statistics: Statistics) {
        let lag: i64 = statistics
            .topics
            .values()
            .flat_map(|topic| topic.partitions.values())
            .filter(|partition| partition.partition >= 0)
            .map(|partition| partition.consumer_lag.max(0))
            .sum();
        self.metrics.kafka_consumer_lag.with_label_values(&[self.role]).set(lag);
    }

    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        if is_no_topic_yet(&error) {
            // A writer started before any user drove: normal, and it keeps looking.
            tracing::debug!(role = self.role, %reason, "no user topic yet");
        } else {
            tracing::warn!(role = self.role, %error, %reason, "Kafka client error");
        }
    }
}

/// The subscription matches no topic (yet): not a failure.
pub(crate) fn is_no_topic_yet(error: &rdkafka::error::KafkaError) -> bool {
    error.rdkafka_error_code() == Some(rdkafka::types::RDKafkaErrorCode::UnknownTopicOrPartition)
}

impl ConsumerContext for LagContext {}

pub(crate) type LagConsumer = StreamConsumer<LagContext>;
