//! Configuration of a Purple Sector process.
//!
//! Layers, lowest first: built-in defaults (the embedded local mode), the TOML file
//! (`purplesector.toml` in the working directory, or `--config FILE`), environment
//! variables `PURPLESECTOR__SECTION__KEY`, the conventional names (`DATABASE_URL`),
//! and finally command-line flags. A bad value fails at start with one line naming
//! the key, so an operator never has to guess which setting is wrong.

use crate::auth::{AuthMode, SignupPolicy};
use crate::storage::DatabaseTarget;

/// The shortest `auth.session_secret` accepted.
const MIN_SECRET_CHARS: usize = 32;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Every setting of the process. Field names are the configuration keys.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub server: ServerSettings,
    pub storage: StorageSettings,
    pub writer: WriterSettings,
    pub stream: StreamSettings,
    pub session: SessionSettings,
    pub demo: DemoSettings,
    pub collect: CollectSettings,
    pub kafka: KafkaSettings,
    pub auth: AuthSettings,
    pub openai: OpenAiSettings,
    pub log: LogSettings,
}

/// LLM coaching through an OpenAI-compatible chat-completions API (OpenAI, Azure,
/// vLLM, Ollama, LM Studio). Without a key, coaching is the built-in analysis only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpenAiSettings {
    /// The API key (also `OPENAI_API_KEY`); empty: AI coaching is off. Secret: redacted.
    pub api_key: String,
    /// The API's base URL (also `OPENAI_BASE_URL`), up to and including `/v1`.
    pub base_url: String,
    pub model: String,
    /// Seconds one request may take (a streamed reply: until its last piece).
    pub timeout_s: u64,
    /// Most tokens one answer may use.
    pub max_tokens: u32,
    /// AI requests (suggestions and chat messages) allowed per user per minute.
    pub requests_per_minute: u32,
}

impl Default for OpenAiSettings {
    fn default() -> Self {
        OpenAiSettings {
            api_key: String::new(),
            base_url: "https://api.openai.com/v1".into(),
            model: "gpt-4o-mini".into(),
            timeout_s: 60,
            max_tokens: 800,
            requests_per_minute: 6,
        }
    }
}

/// Accounts (docs/accounts.md): who may call, and the limits that keep one caller
/// from hurting the others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// `auto` (accounts on a hosted setup: non-loopback bind, PostgreSQL or Kafka;
    /// the local user otherwise), `local` or `accounts`.
    pub mode: String,
    /// The key under which session cookies, CSRF tokens and ingest tokens are kept and
    /// checked; at least 32 characters; needed in accounts mode, the same in every
    /// process of a deployment. Secret: redacted.
    pub session_secret: String,
    /// Who may sign up: `open`, `invite` (with an admin's invite code) or `closed`.
    pub signup: String,
    /// How long a login lasts, in hours.
    pub session_ttl_hours: u64,
    /// Login attempts allowed per client address per minute.
    pub login_per_minute: u32,
    /// Sign-ups allowed per client address per hour.
    pub signup_per_hour: u32,
    /// API requests allowed per user per minute.
    pub api_per_minute: u32,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            mode: "auto".into(),
            session_secret: String::new(),
            signup: "open".into(),
            session_ttl_hours: 24 * 7,
            login_per_minute: 10,
            signup_per_hour: 20,
            api_per_minute: 1200,
        }
    }
}

/// The scale-out transport. Empty `brokers` (the default) keeps the in-process bus;
/// any broker list switches the process to Kafka mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KafkaSettings {
    /// Bootstrap brokers, `host:port[,host:port...]` (also `KAFKA_BROKERS`).
    pub brokers: String,
    /// `plaintext`, `ssl`, `sasl_plaintext` or `sasl_ssl`.
    pub security_protocol: String,
    /// SASL mechanism when the protocol is `sasl_*`: `PLAIN`, `SCRAM-SHA-256` or `SCRAM-SHA-512`.
    pub sasl_mechanism: String,
    pub sasl_username: String,
    /// Secret: redacted.
    pub sasl_password: String,
    /// Prepended to every topic name (`<prefix>telemetry-user-<id>`), to share a cluster.
    pub topic_prefix: String,
    /// Prepended to the consumer group ids (`<prefix>writer`).
    pub consumer_group_prefix: String,
    /// Partitions of each user's topic, created on demand.
    pub user_topic_partitions: i32,
    /// How long a user's topic keeps telemetry, in milliseconds.
    pub user_topic_retention_ms: i64,
    /// Replication factor of the topics this process creates.
    pub replication_factor: i32,
    /// How long the producer waits to fill a batch, in milliseconds (latency vs. throughput).
    pub linger_ms: u64,
    /// How often a writer makes what it consumed durable and commits its offsets, in milliseconds.
    pub commit_interval_ms: u64,
    /// A writer that stops answering the group for this long loses its partitions to
    /// the other writers (librdkafka's `session.timeout.ms`; Kafka's default is 45 s).
    pub session_timeout_ms: u64,
    /// How often clients look for new topics (a new user's topic is consumed within this).
    pub metadata_refresh_ms: u64,
    /// A bridge starting a user's stream reads this far back (milliseconds), so that a
    /// viewer joining mid-lap gets the lap in progress from its start (longer than a lap).
    pub bridge_replay_ms: i64,
    /// Messages a user's bridge stream may queue before the oldest telemetry is dropped.
    pub bridge_queue_messages: usize,
}

impl Default for KafkaSettings {
    fn default() -> Self {
        KafkaSettings {
            brokers: String::new(),
            security_protocol: "plaintext".into(),
            sasl_mechanism: String::new(),
            sasl_username: String::new(),
            sasl_password: String::new(),
            topic_prefix: String::new(),
            consumer_group_prefix: "purplesector-".into(),
            user_topic_partitions: 1,
            user_topic_retention_ms: 3_600_000,
            replication_factor: 1,
            linger_ms: 2,
            commit_interval_ms: 1_000,
            session_timeout_ms: 10_000,
            metadata_refresh_ms: 2_000,
            bridge_replay_ms: 300_000,
            bridge_queue_messages: 256,
        }
    }
}

/// The parts of the engine one process runs (`serve --roles`). In embedded mode a
/// process is all of them; with Kafka, operators scale each one separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    /// `/ingest` and collectors inside the process: frames onto the bus.
    pub ingest: bool,
    /// Browsers' live streams (`/ws`): per-user consumers of the bus.
    pub bridge: bool,
    /// Lap detection and durable writes: consumes every user's topic.
    pub writer: bool,
    /// REST API and the web app.
    pub api: bool,
}

impl Roles {
    pub const ALL: Roles = Roles { ingest: true, bridge: true, writer: true, api: true };

    pub fn is_all(&self) -> bool {
        *self == Roles::ALL
    }
}

impl std::fmt::Display for Roles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> =
            [(self.ingest, "ingest"), (self.bridge, "bridge"), (self.writer, "writer"), (self.api, "api")]
                .into_iter()
                .filter_map(|(on, name)| on.then_some(name))
                .collect();
        f.write_str(&names.join(","))
    }
}

/// Sim collectors: inside `serve` (`--collect SIM`) or standalone (`collect SIM`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CollectSettings {
    /// Sims followed inside `serve`, comma-separated short names (`ac,acc,f1,forza,outgauge`).
    pub sims: String,
    /// The collector's UDP address; empty: the sim's usual port on all interfaces
    /// for sims that send to the collector (F1, Forza, OutGauge), any port for AC/ACC.
    pub listen: String,
    /// The game's UDP address for AC and ACC; empty: `127.0.0.1` and the game's port.
    pub game: String,
    /// The engine a standalone collector sends to (`http://HOST:PORT`).
    pub server: String,
    /// The ingest token a standalone collector presents. Secret: redacted.
    pub token: String,
    /// Where a standalone collector spools frames while the engine is unreachable;
    /// empty: `<storage.data_dir>/spool`.
    pub spool_dir: String,
    /// The spool's bound in MiB; beyond it the oldest frames are dropped (counted).
    pub spool_max_mb: u64,
    /// ACC's shared-memory pages: empty (broadcasting only), `named` (the game's
    /// sections, Windows), or a directory holding `acpmf_physics`, `acpmf_graphics`
    /// and `acpmf_static` (Linux/Proton bridges, recordings).
    pub acc_shared_memory: String,
}

impl Default for CollectSettings {
    fn default() -> Self {
        CollectSettings {
            sims: String::new(),
            listen: String::new(),
            game: String::new(),
            server: "http://127.0.0.1:8080".into(),
            token: String::new(),
            spool_dir: String::new(),
            spool_max_mb: 512,
            acc_shared_memory: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// Address the HTTP/WebSocket server binds, `HOST:PORT` (port 0 picks a free one).
    pub addr: String,
    /// Directory of the built web app; empty means: look next to the binary and in
    /// the working directory for `frontend/dist`.
    pub web_dir: String,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// Threads for blocking work (store queries, exports, analyses, password hashes)
    /// per runtime: the engine's and each HTTP worker's. Work beyond it queues. Tokio's
    /// default, 512, let 500 sessions opening at once start 450 threads, nearly all
    /// waiting for one of the store's few connections, each with its own stack.
    pub blocking_threads: usize,
    /// On SIGTERM, seconds connections get to finish before they are closed.
    pub shutdown_timeout_s: u64,
    /// What this process runs, comma-separated: `ingest`, `bridge`, `writer`, `api`
    /// (or `all`). Anything but all of them needs Kafka.
    pub roles: String,
    /// Other origins whose pages may call the API with credentials (CORS) and open
    /// `/ws`, comma-separated (`https://app.example.com`); the server's own origin
    /// always may.
    pub cors_origins: String,
    /// The server is behind a reverse proxy (an ingress) that sets `X-Forwarded-For`
    /// and `X-Forwarded-Proto`: trust them for client addresses (rate limits, logs)
    /// and HTTPS (Secure cookies). Off, they are ignored: anyone could send them.
    pub behind_proxy: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageSettings {
    /// Directory for the embedded SQLite database.
    pub data_dir: PathBuf,
    /// Database URL; empty means the embedded SQLite file `<data_dir>/purplesector.db`,
    /// `sqlite:PATH` a SQLite file elsewhere, `postgres://` (or `postgresql://`) PostgreSQL.
    /// Secret: redacted by `purplesector config`.
    pub database_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WriterSettings {
    /// Flush the frame batch when it holds this many frames...
    pub batch_frames: usize,
    /// ...or when its oldest frame has waited this long, whichever comes first.
    pub flush_interval_ms: u64,
    /// Frames the writer may hold while a flush is in progress before it pushes
    /// back on the sessions feeding it.
    pub max_pending_frames: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StreamSettings {
    /// Messages queued for one browser before the oldest telemetry is dropped.
    pub viewer_queue_messages: usize,
    /// Seconds between WebSocket pings to a browser.
    pub heartbeat_interval_s: u64,
    /// A browser silent for this long is disconnected.
    pub client_timeout_s: u64,
    /// Largest WebSocket message accepted from a client, in bytes.
    pub max_client_message_bytes: usize,
    /// Largest message accepted from a collector on `/ingest`, in bytes.
    pub max_ingest_message_bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionSettings {
    /// A live session that receives no frame for this long stops being live.
    pub idle_timeout_s: u64,
    /// Frames of the lap in progress kept for viewers who join mid-lap.
    pub max_lap_buffer_frames: usize,
    /// Frames a session accepts in one ingest batch.
    pub max_batch_frames: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DemoSettings {
    /// Start the synthetic demo driver with the server.
    pub enabled: bool,
    /// Seed of the demo driver (same seed, same laps).
    pub seed: u64,
    /// Time multiplier: 1 is real time; tests run it faster.
    pub speed: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// `tracing` filter, e.g. `info` or `purplesector=debug,info`.
    pub level: String,
    /// `human` or `json`.
    pub format: String,
    /// OpenTelemetry: the OTLP/HTTP collector's base URL (`http://HOST:4318`) to export
    /// the request and ingest spans to; empty: no export.
    pub otlp_endpoint: String,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            addr: "127.0.0.1:8080".into(),
            web_dir: String::new(),
            workers: 0,
            blocking_threads: 16,
            shutdown_timeout_s: 10,
            roles: "all".into(),
            cors_origins: String::new(),
            behind_proxy: false,
        }
    }
}

impl Default for StorageSettings {
    fn default() -> Self {
        StorageSettings { data_dir: PathBuf::from("./data"), database_url: String::new() }
    }
}

impl Default for WriterSettings {
    fn default() -> Self {
        WriterSettings { batch_frames: 10_000, flush_interval_ms: 200, max_pending_frames: 100_000 }
    }
}

impl Default for StreamSettings {
    fn default() -> Self {
        StreamSettings {
            viewer_queue_messages: 256,
            heartbeat_interval_s: 5,
            client_timeout_s: 30,
            max_client_message_bytes: 64 * 1024,
            max_ingest_message_bytes: 8 * 1024 * 1024,
        }
    }
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings { idle_timeout_s: 30, max_lap_buffer_frames: 60 * 60 * 10, max_batch_frames: 10_000 }
    }
}

impl Default for DemoSettings {
    fn default() -> Self {
        DemoSettings { enabled: false, seed: 1, speed: 1.0 }
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings { level: "info".into(), format: "human".into(), otlp_endpoint: String::new() }
    }
}

/// A configuration that cannot be used; its message names the key.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(String);

impl ConfigError {
    fn key(key: &str, message: impl std::fmt::Display) -> Self {
        ConfigError(format!("`{key}`: {message}"))
    }
}

/// Where the settings come from besides defaults and the environment.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    /// An explicit `--config FILE` (must exist); otherwise `purplesector.toml` in the
    /// working directory is read when present.
    pub config_file: Option<PathBuf>,
    /// Command-line overrides as `(key, value)`, e.g. `("server.addr", "0.0.0.0:80")`.
    pub overrides: Vec<(String, String)>,
}

/// Conventional environment names that also set a key (lower priority than flags,
/// higher than `PURPLESECTOR__...`).
const CONVENTIONAL_ENV: &[(&str, &str)] = &[
    ("DATABASE_URL", "storage.database_url"),
    ("KAFKA_BROKERS", "kafka.brokers"),
    ("OTEL_EXPORTER_OTLP_ENDPOINT", "log.otlp_endpoint"),
    ("OPENAI_API_KEY", "openai.api_key"),
    ("OPENAI_BASE_URL", "openai.base_url"),
];

/// Keys whose values are secrets: shown as `<redacted>` by [`Settings::redacted`].
const SECRET_KEYS: &[&str] = &["storage.database_url", "collect.token", "kafka.sasl_password", "auth.session_secret"];

impl Settings {
    /// Loads and validates the settings from every layer.
    pub fn load(sources: &Sources) -> Result<Settings, ConfigError> {
        Self::load_from(sources, std::env::vars())
    }

    /// As [`Settings::load`], with the environment given (tests pass their own).
    pub fn load_from(
        sources: &Sources,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, ConfigError> {
        let defaults = config::Config::try_from(&Settings::default())
            .map_err(|error| ConfigError(format!("built-in defaults: {error}")))?;
        let mut builder = config::Config::builder().add_source(defaults);

        match &sources.config_file {
            Some(path) => {
                if !path.exists() {
                    return Err(ConfigError(format!("config file {} does not exist", path.display())));
                }
                builder = builder.add_source(config::File::from(path.as_path()).required(true));
            }
            None => {
                builder = builder.add_source(config::File::from(Path::new("purplesector.toml")).required(false));
            }
        }

        let env: Vec<(String, String)> = env.into_iter().collect();
        let prefixed: std::collections::HashMap<String, String> =
            env.iter().filter(|(name, _)| name.starts_with("PURPLESECTOR__")).cloned().collect();
        builder = builder.add_source(
            config::Environment::with_prefix("PURPLESECTOR")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true)
                .source(Some(prefixed)),
        );
        for (name, key) in CONVENTIONAL_ENV {
            if let Some((_, value)) = env.iter().find(|(env_name, _)| env_name == name) {
                builder = builder.set_override(*key, value.clone()).map_err(|error| ConfigError::key(key, error))?;
            }
        }
        for (key, value) in &sources.overrides {
            builder =
                builder.set_override(key.as_str(), value.clone()).map_err(|error| ConfigError::key(key, error))?;
        }

        let settings: Settings = builder
            .build()
            .and_then(|config| config.try_deserialize())
            .map_err(|error| ConfigError(error.to_string()))?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks what the types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.server_addr()?;
        if self.server.blocking_threads == 0 {
            return Err(ConfigError::key("server.blocking_threads", "must be at least 1"));
        }
        if self.writer.batch_frames == 0 {
            return Err(ConfigError::key("writer.batch_frames", "must be at least 1"));
        }
        if self.writer.max_pending_frames < self.writer.batch_frames {
            return Err(ConfigError::key("writer.max_pending_frames", "must be at least writer.batch_frames"));
        }
        if self.writer.flush_interval_ms == 0 {
            return Err(ConfigError::key("writer.flush_interval_ms", "must be at least 1"));
        }
        if self.stream.viewer_queue_messages < 2 {
            return Err(ConfigError::key("stream.viewer_queue_messages", "must be at least 2"));
        }
        if self.stream.heartbeat_interval_s == 0 || self.stream.client_timeout_s <= self.stream.heartbeat_interval_s {
            return Err(ConfigError::key(
                "stream.client_timeout_s",
                "must be longer than stream.heartbeat_interval_s (and both above 0)",
            ));
        }
        if self.session.idle_timeout_s == 0 {
            return Err(ConfigError::key("session.idle_timeout_s", "must be at least 1"));
        }
        if self.session.max_batch_frames == 0 {
            return Err(ConfigError::key("session.max_batch_frames", "must be at least 1"));
        }
        if !(self.demo.speed > 0.0 && self.demo.speed <= 1000.0) {
            return Err(ConfigError::key("demo.speed", format!("{} is not in (0, 1000]", self.demo.speed)));
        }
        self.collect_sims()?;
        for (key, value) in [("collect.listen", &self.collect.listen), ("collect.game", &self.collect.game)] {
            if !value.is_empty() && value.parse::<SocketAddr>().is_err() {
                return Err(ConfigError::key(key, format!("{value:?} is not HOST:PORT")));
            }
        }
        if !(self.collect.server.starts_with("http://") || self.collect.server.starts_with("https://")) {
            return Err(ConfigError::key(
                "collect.server",
                format!("{:?} is not an http(s):// URL", self.collect.server),
            ));
        }
        if self.collect.spool_max_mb == 0 {
            return Err(ConfigError::key("collect.spool_max_mb", "must be at least 1"));
        }
        self.roles()?;
        self.validate_kafka()?;
        self.validate_auth()?;
        let base = &self.openai.base_url;
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ConfigError::key("openai.base_url", format!("{base:?} is not an http(s):// URL")));
        }
        if self.openai.model.trim().is_empty() {
            return Err(ConfigError::key("openai.model", "must name a model"));
        }
        for (key, value) in [
            ("openai.timeout_s", self.openai.timeout_s),
            ("openai.max_tokens", u64::from(self.openai.max_tokens)),
            ("openai.requests_per_minute", u64::from(self.openai.requests_per_minute)),
        ] {
            if value == 0 {
                return Err(ConfigError::key(key, "must be at least 1"));
            }
        }
        let otlp = &self.log.otlp_endpoint;
        if !(otlp.is_empty() || otlp.starts_with("http://") || otlp.starts_with("https://")) {
            return Err(ConfigError::key("log.otlp_endpoint", format!("{otlp:?} is not an http(s):// URL")));
        }
        if !["human", "json"].contains(&self.log.format.as_str()) {
            return Err(ConfigError::key("log.format", format!("{:?} is not `human` or `json`", self.log.format)));
        }
        self.database()?;
        Ok(())
    }

    /// Whether frames travel over Kafka (any broker configured) instead of the in-process bus.
    pub fn kafka_mode(&self) -> bool {
        !self.kafka.brokers.trim().is_empty()
    }

    /// `server.roles`, parsed; a subset of the roles needs Kafka.
    pub fn roles(&self) -> Result<Roles, ConfigError> {
        let mut roles = Roles { ingest: false, bridge: false, writer: false, api: false };
        for name in self.server.roles.split(',').map(str::trim).filter(|name| !name.is_empty()) {
            match name {
                "all" => roles = Roles::ALL,
                "ingest" => roles.ingest = true,
                "bridge" => roles.bridge = true,
                "writer" => roles.writer = true,
                "api" => roles.api = true,
                other => {
                    return Err(ConfigError::key(
                        "server.roles",
                        format!("{other:?} is not a role (ingest, bridge, writer, api, all)"),
                    ))
                }
            }
        }
        if roles == (Roles { ingest: false, bridge: false, writer: false, api: false }) {
            return Err(ConfigError::key("server.roles", "name at least one role (ingest, bridge, writer, api, all)"));
        }
        if !roles.is_all() && !self.kafka_mode() {
            return Err(ConfigError::key(
                "server.roles",
                format!("{roles} is only a part of the engine: splitting roles needs Kafka (set kafka.brokers or KAFKA_BROKERS)"),
            ));
        }
        Ok(roles)
    }

    fn validate_kafka(&self) -> Result<(), ConfigError> {
        let kafka = &self.kafka;
        if !self.kafka_mode() {
            return Ok(());
        }
        for broker in kafka.brokers.split(',').map(str::trim) {
            let valid =
                broker.rsplit_once(':').is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            if !valid {
                return Err(ConfigError::key("kafka.brokers", format!("{broker:?} is not HOST:PORT")));
            }
        }
        let protocol = kafka.security_protocol.to_ascii_lowercase();
        if !["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"].contains(&protocol.as_str()) {
            return Err(ConfigError::key(
                "kafka.security_protocol",
                format!("{:?} is not plaintext, ssl, sasl_plaintext or sasl_ssl", kafka.security_protocol),
            ));
        }
        if protocol.starts_with("sasl") {
            if !["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
                .contains(&kafka.sasl_mechanism.to_ascii_uppercase().as_str())
            {
                return Err(ConfigError::key(
                    "kafka.sasl_mechanism",
                    format!("{:?} is not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", kafka.sasl_mechanism),
                ));
            }
            if kafka.sasl_username.is_empty() {
                return Err(ConfigError::key("kafka.sasl_username", "is required with a sasl_* security protocol"));
            }
        }
        if kafka.user_topic_partitions < 1 {
            return Err(ConfigError::key("kafka.user_topic_partitions", "must be at least 1"));
        }
        if kafka.replication_factor < 1 {
            return Err(ConfigError::key("kafka.replication_factor", "must be at least 1"));
        }
        if kafka.user_topic_retention_ms < 60_000 {
            return Err(ConfigError::key("kafka.user_topic_retention_ms", "must be at least 60000 (one minute)"));
        }
        if kafka.commit_interval_ms == 0 {
            return Err(ConfigError::key("kafka.commit_interval_ms", "must be at least 1"));
        }
        if kafka.metadata_refresh_ms == 0 {
            return Err(ConfigError::key("kafka.metadata_refresh_ms", "must be at least 1"));
        }
        if kafka.session_timeout_ms < 1_000 {
            return Err(ConfigError::key("kafka.session_timeout_ms", "must be at least 1000"));
        }
        if kafka.bridge_queue_messages < 2 {
            return Err(ConfigError::key("kafka.bridge_queue_messages", "must be at least 2"));
        }
        if kafka.bridge_replay_ms < 0 {
            return Err(ConfigError::key("kafka.bridge_replay_ms", "must not be negative"));
        }
        Ok(())
    }

    /// Checks the `auth` section's values; whether the mode fits the deployment is
    /// [`Settings::auth_mode`]'s question, asked by `serve` only (`migrate` and the
    /// other tools need no secret).
    fn validate_auth(&self) -> Result<(), ConfigError> {
        if !["auto", "local", "accounts"].contains(&self.auth.mode.as_str()) {
            return Err(ConfigError::key(
                "auth.mode",
                format!("{:?} is not `auto`, `local` or `accounts`", self.auth.mode),
            ));
        }
        if SignupPolicy::parse(&self.auth.signup).is_none() {
            return Err(ConfigError::key(
                "auth.signup",
                format!("{:?} is not `open`, `invite` or `closed`", self.auth.signup),
            ));
        }
        let secret = &self.auth.session_secret;
        if !secret.is_empty() && secret.chars().count() < MIN_SECRET_CHARS {
            return Err(ConfigError::key(
                "auth.session_secret",
                format!("is too short: it needs at least {MIN_SECRET_CHARS} characters (e.g. `openssl rand -hex 32`)"),
            ));
        }
        for (key, value) in [
            ("auth.session_ttl_hours", self.auth.session_ttl_hours),
            ("auth.login_per_minute", u64::from(self.auth.login_per_minute)),
            ("auth.signup_per_hour", u64::from(self.auth.signup_per_hour)),
            ("auth.api_per_minute", u64::from(self.auth.api_per_minute)),
        ] {
            if value == 0 {
                return Err(ConfigError::key(key, "must be at least 1"));
            }
        }
        for origin in self.cors_origins() {
            if !(origin.starts_with("http://") || origin.starts_with("https://")) || origin.ends_with('/') {
                return Err(ConfigError::key(
                    "server.cors_origins",
                    format!("{origin:?} is not an origin like https://app.example.com"),
                ));
            }
        }
        Ok(())
    }

    /// Whether this deployment is hosted: reachable beyond this machine, or sharing a
    /// database server or a Kafka cluster with other processes.
    pub fn hosted(&self) -> bool {
        let loopback = self.server_addr().map(|addr| addr.ip().is_loopback()).unwrap_or(false);
        let postgres = matches!(self.database(), Ok(DatabaseTarget::Postgres(_)));
        !loopback || postgres || self.kafka_mode()
    }

    /// The auth mode `serve` runs in. A hosted deployment cannot run as the local user,
    /// and accounts need the secret key: both fail with the key to set.
    pub fn auth_mode(&self) -> Result<AuthMode, ConfigError> {
        let mode = match self.auth.mode.as_str() {
            "local" if self.hosted() => {
                return Err(ConfigError::key(
                    "auth.mode",
                    "`local` (no login) is only for a loopback bind with the embedded store and no Kafka; \
                     this deployment is reachable or shared, so it needs `accounts` (or `auto`)",
                ))
            }
            "local" => AuthMode::Local,
            "accounts" => AuthMode::Accounts,
            _ if self.hosted() => AuthMode::Accounts,
            _ => AuthMode::Local,
        };
        if mode == AuthMode::Accounts && self.auth.session_secret.is_empty() {
            return Err(ConfigError::key(
                "auth.session_secret",
                "accounts mode (hosted: a non-loopback bind, PostgreSQL or Kafka) needs a secret key of at least \
                 32 characters: set PURPLESECTOR__AUTH__SESSION_SECRET (e.g. `openssl rand -hex 32`), the same in \
                 every process",
            ));
        }
        Ok(mode)
    }

    /// `server.cors_origins`, split.
    pub fn cors_origins(&self) -> Vec<String> {
        self.server
            .cors_origins
            .split(',')
            .map(str::trim)
            .filter(|origin| !origin.is_empty())
            .map(String::from)
            .collect()
    }

    /// `auth.signup`, parsed (validated at load).
    pub fn signup_policy(&self) -> SignupPolicy {
        SignupPolicy::parse(&self.auth.signup).unwrap_or(SignupPolicy::Closed)
    }

    /// The bind address, parsed.
    pub fn server_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.server.addr.parse().map_err(|_| {
            ConfigError::key("server.addr", format!("{:?} is not HOST:PORT (e.g. 127.0.0.1:8080)", self.server.addr))
        })
    }

    /// The sims of `collect.sims`, parsed; each must have a UDP collector.
    pub fn collect_sims(&self) -> Result<Vec<purplesector_proto::v1::Sim>, ConfigError> {
        let mut sims = Vec::new();
        for name in self.collect.sims.split(',').map(str::trim).filter(|name| !name.is_empty()) {
            match purplesector_proto::sim_name::parse(name) {
                Some(sim) if crate::sims::transport(sim).is_some() => sims.push(sim),
                _ => {
                    return Err(ConfigError::key(
                        "collect.sims",
                        format!("{name:?} is not a sim with a collector (ac, acc, f1, forza, outgauge)"),
                    ))
                }
            }
        }
        Ok(sims)
    }

    /// Where a standalone collector spools.
    pub fn spool_dir(&self) -> PathBuf {
        if self.collect.spool_dir.is_empty() {
            self.storage.data_dir.join("spool")
        } else {
            PathBuf::from(&self.collect.spool_dir)
        }
    }

    /// The database this process uses: the SQLite file, or the PostgreSQL server of a
    /// `postgres://` URL. The error never repeats the URL (it may hold a password).
    pub fn database(&self) -> Result<DatabaseTarget, ConfigError> {
        DatabaseTarget::parse(&self.storage.database_url, &self.storage.data_dir)
            .map_err(|error| ConfigError::key("storage.database_url", error))
    }

    /// The SQLite database file this process uses (when it uses SQLite).
    pub fn sqlite_path(&self) -> PathBuf {
        match self.storage.database_url.strip_prefix("sqlite:") {
            Some(path) => PathBuf::from(path.trim_start_matches("//")),
            None => self.storage.data_dir.join("purplesector.db"),
        }
    }

    /// The effective settings as TOML with secrets replaced, for `purplesector config`.
    pub fn redacted(&self) -> String {
        let mut value = toml::Value::try_from(self).expect("settings serialize to TOML");
        for key in SECRET_KEYS {
            let mut parts = key.split('.');
            let (section, name) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            if let Some(field) = value.get_mut(section).and_then(|section| section.get_mut(name)) {
                if field.as_str().is_some_and(|text| !text.is_empty()) {
                    *field = toml::Value::String("<redacted>".into());
                }
            }
        }
        toml::to_string_pretty(&value).expect("TOML renders")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn load(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let sources = Sources { config_file: None, overrides: vec![] };
        // Run from a directory without purplesector.toml.
        let _ = dir;
        Settings::load_from(&sources, env(pairs))
    }

    #[test]
    fn defaults_are_the_embedded_local_mode() {
        let settings = load(&[]).unwrap();
        assert_eq!(settings, Settings::default());
        assert_eq!(settings.server_addr().unwrap().to_string(), "127.0.0.1:8080");
        assert_eq!(settings.sqlite_path(), PathBuf::from("./data/purplesector.db"));
    }

    #[test]
    fn environment_overrides_defaults() {
        let settings = load(&[
            ("PURPLESECTOR__SERVER__ADDR", "0.0.0.0:9000"),
            ("PURPLESECTOR__WRITER__BATCH_FRAMES", "500"),
            ("PURPLESECTOR__DEMO__SPEED", "10"),
            ("UNRELATED", "x"),
        ])
        .unwrap();
        assert_eq!(settings.server.addr, "0.0.0.0:9000");
        assert_eq!(settings.writer.batch_frames, 500);
        assert_eq!(settings.demo.speed, 10.0);
    }

    #[test]
    fn file_then_env_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("custom.toml");
        std::fs::write(&file, "[server]\naddr = \"127.0.0.1:1111\"\n[writer]\nbatch_frames = 10\n").unwrap();
        let sources =
            Sources { config_file: Some(file), overrides: vec![("server.addr".into(), "127.0.0.1:3333".into())] };
        let settings = Settings::load_from(&sources, env(&[("PURPLESECTOR__WRITER__BATCH_FRAMES", "20")])).unwrap();
        assert_eq!(settings.server.addr, "127.0.0.1:3333");
        assert_eq!(settings.writer.batch_frames, 20);
    }

    #[test]
    fn bad_values_name_their_key() {
        let error = load(&[("PURPLESECTOR__SERVER__ADDR", "nowhere")]).unwrap_err().to_string();
        assert!(error.contains("server.addr"), "{error}");
        let error = load(&[("PURPLESECTOR__WRITER__BATCH_FRAMES", "many")]).unwrap_err().to_string();
        assert!(error.contains("batch_frames"), "{error}");
        let error = load(&[("PURPLESECTOR__DEMO__SPEED", "-1")]).unwrap_err().to_string();
        assert!(error.contains("demo.speed"), "{error}");
        let error = load(&[("PURPLESECTOR__SERVER__PORTT", "1")]).unwrap_err().to_string();
        assert!(error.contains("portt"), "{error}");
        let missing = Sources { config_file: Some("/nonexistent/p.toml".into()), overrides: vec![] };
        let error = Settings::load_from(&missing, env(&[])).unwrap_err().to_string();
        assert!(error.contains("/nonexistent/p.toml"), "{error}");
    }

    #[test]
    fn conventional_database_url_is_read_and_redacted() {
        let settings = load(&[("DATABASE_URL", "sqlite:///tmp/x.db")]).unwrap();
        assert_eq!(settings.sqlite_path(), PathBuf::from("/tmp/x.db"));
        let shown = settings.redacted();
        assert!(shown.contains("<redacted>"), "{shown}");
        assert!(!shown.contains("/tmp/x.db"), "{shown}");
    }

    #[test]
    fn postgres_urls_are_accepted_and_other_schemes_refused() {
        for url in ["postgres://ps:secret@db:5432/ps", "postgresql://ps:secret@db/ps?sslmode=prefer"] {
            let settings = load(&[("DATABASE_URL", url)]).unwrap();
            assert_eq!(settings.database().unwrap().backend(), "postgres");
            let shown = settings.redacted();
            assert!(shown.contains("<redacted>") && !shown.contains("ps:secret"), "{shown}");
        }
        assert_eq!(load(&[]).unwrap().database().unwrap().backend(), "sqlite");
        let error = load(&[("DATABASE_URL", "mysql://ps:secret@db/ps")]).unwrap_err().to_string();
        assert!(error.contains("storage.database_url") && error.contains("`mysql:` is not supported"), "{error}");
        assert!(!error.contains("secret"), "{error}");
    }

    #[test]
    fn the_auth_mode_follows_the_deployment() {
        let secret = ("PURPLESECTOR__AUTH__SESSION_SECRET", "0123456789abcdef0123456789abcdef");
        assert_eq!(load(&[]).unwrap().auth_mode().unwrap(), AuthMode::Local);
        let hosted = [
            vec![("PURPLESECTOR__SERVER__ADDR", "0.0.0.0:8080")],
            vec![("DATABASE_URL", "postgres://db/ps")],
            vec![("KAFKA_BROKERS", "kafka:9092")],
        ];
        for env in hosted {
            let error = load(&env).unwrap().auth_mode().unwrap_err().to_string();
            assert!(
                error.contains("auth.session_secret") && error.contains("PURPLESECTOR__AUTH__SESSION_SECRET"),
                "{error}"
            );
            let mut with_secret = env.clone();
            with_secret.push(secret);
            assert_eq!(load(&with_secret).unwrap().auth_mode().unwrap(), AuthMode::Accounts, "{env:?}");
            let mut local = with_secret.clone();
            local.push(("PURPLESECTOR__AUTH__MODE", "local"));
            let error = load(&local).unwrap().auth_mode().unwrap_err().to_string();
            assert!(error.contains("auth.mode"), "{error}");
        }
        let forced = load(&[("PURPLESECTOR__AUTH__MODE", "accounts"), secret]).unwrap();
        assert_eq!(forced.auth_mode().unwrap(), AuthMode::Accounts);
    }

    #[test]
    fn bad_auth_values_name_their_key() {
        for (key, value, named) in [
            ("PURPLESECTOR__AUTH__MODE", "open", "auth.mode"),
            ("PURPLESECTOR__AUTH__SIGNUP", "maybe", "auth.signup"),
            ("PURPLESECTOR__AUTH__SESSION_SECRET", "short", "auth.session_secret"),
            ("PURPLESECTOR__AUTH__LOGIN_PER_MINUTE", "0", "auth.login_per_minute"),
            ("PURPLESECTOR__SERVER__CORS_ORIGINS", "app.example.com", "server.cors_origins"),
        ] {
            let error = load(&[(key, value)]).unwrap_err().to_string();
            assert!(error.contains(named), "{key}={value}: {error}");
        }
        let settings =
            load(&[("PURPLESECTOR__SERVER__CORS_ORIGINS", "https://a.example, http://b.example:3000")]).unwrap();
        assert_eq!(settings.cors_origins(), vec!["https://a.example", "http://b.example:3000"]);
        let shown =
            load(&[("PURPLESECTOR__AUTH__SESSION_SECRET", "0123456789abcdef0123456789abcdef")]).unwrap().redacted();
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
    }
}
