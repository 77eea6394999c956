//! Prometheus metrics of one application instance, served at `/metrics`.

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Why a frame did not reach a viewer or the detector.
pub mod drop_reason {
    /// A browser fell behind; its oldest queued frames were dropped.
    pub const SLOW_VIEWER: &str = "slow_viewer";
    /// A browser connection's mailbox was full.
    pub const VIEWER_MAILBOX_FULL: &str = "viewer_mailbox_full";
    /// The same frame arrived twice.
    pub const DUPLICATE: &str = "duplicate";
    /// A frame arrived after newer ones (stored, not streamed).
    pub const LATE: &str = "late";
    /// A batch was refused (too large, or for a session that is not the sender's).
    pub const REJECTED: &str = "rejected";
    /// A collector's engine could not keep up and its bounded backlog was full.
    pub const COLLECTOR_BACKLOG: &str = "collector_backlog";
    /// A standalone collector's bounded on-disk spool was full (oldest dropped).
    pub const SPOOL_FULL: &str = "spool_full";
    /// A Kafka bridge's user stream could not keep up (its bounded mailbox was full).
    pub const BRIDGE_BACKLOG: &str = "bridge_backlog";
}

/// Actor kinds, as the `kind` label of the actor gauges.
pub mod actor_kind {
    pub const USER: &str = "user";
    pub const SESSION: &str = "session";
    pub const WS_CLIENT: &str = "ws_client";
    pub const DB_WRITER: &str = "db_writer";
    pub const DEMO_DRIVER: &str = "demo_driver";
    pub const COLLECTOR: &str = "collector";
    pub const KAFKA_WRITER: &str = "kafka_writer";
    pub const KAFKA_BRIDGE: &str = "kafka_bridge";
    pub const TOPIC_CONSUMER: &str = "topic_consumer";
}

#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    pub frames_ingested: IntCounter,
    pub frames_written: IntCounter,
    pub frames_dropped: IntCounterVec,
    pub laps_completed: IntCounter,
    pub ws_clients: IntGauge,
    pub active_users: IntGauge,
    pub actors_alive: IntGaugeVec,
    pub actor_restarts: IntCounterVec,
    pub db_write_seconds: Histogram,
    pub db_write_errors: IntCounter,
    pub bad_client_messages: IntCounter,
    pub bad_ingest_messages: IntCounterVec,
    pub packets_received: IntCounterVec,
    pub packets_dropped: IntCounterVec,
    pub kafka_consumer_lag: IntGaugeVec,
    pub bad_bus_records: IntCounter,
    pub bridge_users: IntGauge,
    pub auth_events: IntCounterVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let frames_ingested =
            IntCounter::new("purplesector_frames_ingested_total", "Telemetry frames received by sessions").unwrap();
        let frames_written =
            IntCounter::new("purplesector_frames_written_total", "Telemetry frames newly written to the store")
                .unwrap();
        let frames_dropped = IntCounterVec::new(
            Opts::new("purplesector_frames_dropped_total", "Telemetry frames not delivered, by reason"),
            &["reason"],
        )
        .unwrap();
        let laps_completed = IntCounter::new("purplesector_laps_completed_total", "Laps detected and stored").unwrap();
        let ws_clients = IntGauge::new("purplesector_ws_clients", "Connected browser WebSockets").unwrap();
        let active_users =
            IntGauge::new("purplesector_active_users", "Users with a live session or a viewer in this process")
                .unwrap();
        let actors_alive =
            IntGaugeVec::new(Opts::new("purplesector_actors_alive", "Running actors, by kind"), &["kind"]).unwrap();
        let actor_restarts = IntCounterVec::new(
            Opts::new("purplesector_actor_restarts_total", "Actors restarted by their supervisor after a failure"),
            &["kind"],
        )
        .unwrap();
        let db_write_seconds = Histogram::with_opts(
            HistogramOpts::new("purplesector_db_write_seconds", "Time to write one batch to the store")
                .buckets(vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]),
        )
        .unwrap();
        let db_write_errors =
            IntCounter::new("purplesector_db_write_errors_total", "Failed batch writes (retried)").unwrap();
        let bad_client_messages = IntCounter::new(
            "purplesector_bad_client_messages_total",
            "WebSocket messages from browsers that could not be understood",
        )
        .unwrap();
        let bad_ingest_messages = IntCounterVec::new(
            Opts::new("purplesector_bad_ingest_messages_total", "Collector messages on /ingest refused, by code"),
            &["code"],
        )
        .unwrap();
        let packets_received = IntCounterVec::new(
            Opts::new("purplesector_sim_packets_received_total", "Datagrams received from sims, by sim"),
            &["sim"],
        )
        .unwrap();
        let packets_dropped = IntCounterVec::new(
            Opts::new("purplesector_sim_packets_dropped_total", "Datagrams from sims that could not be used"),
            &["sim", "reason"],
        )
        .unwrap();
        let kafka_consumer_lag = IntGaugeVec::new(
            Opts::new("purplesector_kafka_consumer_lag", "Records behind the end of the consumed partitions, by role"),
            &["role"],
        )
        .unwrap();
        let bad_bus_records = IntCounter::new(
            "purplesector_bus_records_bad_total",
            "Kafka records skipped because they were not valid BusRecords of their topic's user",
        )
        .unwrap();
        let bridge_users = IntGauge::new(
            "purplesector_kafka_bridge_users",
            "Users whose topic the bridge's shared consumer is reading (users with a viewer here)",
        )
        .unwrap();
        let auth_events = IntCounterVec::new(
            Opts::new(
                "purplesector_auth_events_total",
                "Security events: logins, refusals (by reason), token use, rate limiting",
            ),
            &["event"],
        )
        .unwrap();
        for collector in [
            Box::new(frames_ingested.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(frames_written.clone()),
            Box::new(frames_dropped.clone()),
            Box::new(laps_completed.clone()),
            Box::new(ws_clients.clone()),
            Box::new(active_users.clone()),
            Box::new(actors_alive.clone()),
            Box::new(actor_restarts.clone()),
            Box::new(db_write_seconds.clone()),
            Box::new(db_write_errors.clone()),
            Box::new(bad_client_messages.clone()),
            Box::new(bad_ingest_messages.clone()),
            Box::new(packets_received.clone()),
            Box::new(packets_dropped.clone()),
            Box::new(kafka_consumer_lag.clone()),
            Box::new(bad_bus_records.clone()),
            Box::new(bridge_users.clone()),
            Box::new(auth_events.clone()),
        ] {
            registry.register(collector).expect("metric names are unique");
        }
        Metrics {
            registry,
            frames_ingested,
            frames_written,
            frames_dropped,
            laps_completed,
            ws_clients,
            active_users,
            actors_alive,
            actor_restarts,
            db_write_seconds,
            db_write_errors,
            bad_client_messages,
            bad_ingest_messages,
            packets_received,
            packets_dropped,
            kafka_consumer_lag,
            bad_bus_records,
            bridge_users,
            auth_events,
        }
    }

    pub fn dropped(&self, reason: &str, frames: usize) {
        if frames > 0 {
            self.frames_dropped.with_label_values(&[reason]).inc_by(frames as u64);
        }
    }

    pub fn actor_started(&self, kind: &str) {
        self.actors_alive.with_label_values(&[kind]).inc();
    }

    pub fn actor_stopped(&self, kind: &str) {
        self.actors_alive.with_label_values(&[kind]).dec();
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer).expect("text encoding cannot fail");
        String::from_utf8(buffer).expect("Prometheus text is UTF-8")
    }
}
