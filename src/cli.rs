//! The command line. Flags override the configuration file and environment.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "purplesector",
    version,
    about = "Sim-racing telemetry: live dashboard, every lap stored, analysis and coaching",
    long_about = "Sim-racing telemetry: live dashboard, every lap stored, analysis and coaching.\n\n\
        Configuration: built-in defaults < purplesector.toml (or --config FILE) < environment \
        PURPLESECTOR__SECTION__KEY (e.g. PURPLESECTOR__SERVER__ADDR) and DATABASE_URL < flags. \
        `purplesector config` prints the result."
)]
pub struct Cli {
    /// Configuration file (default: ./purplesector.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run everything in one process: web app, REST API, live stream, store.
    ///
    /// Open http://127.0.0.1:8080 (the default address) in a browser. With --demo a
    /// synthetic driver laps the Purple Park circuit live.
    Serve(ServeArgs),
    /// Follow a racing sim on this PC and send its telemetry to an engine.
    ///
    /// Runs next to the game. Frames are spooled to disk while the engine is
    /// unreachable and sent, in order, when it is back. `demo` sends the synthetic
    /// driver instead of a game. See docs/collectors.md for each game's settings.
    Collect(CollectArgs),
    /// Pretend to be a sim: speak its UDP protocol with the demo driver's laps.
    ///
    /// For trying a collector without the game: `purplesector emulate f1 --to
    /// 127.0.0.1:20777`, or `purplesector emulate ac` (listens on AC's port 9996 for
    /// a collector's handshake).
    Emulate(EmulateArgs),
    /// Load-test an engine through the real ingest path and report the numbers.
    ///
    /// Starts an engine (or targets --server), streams N demo sessions at R Hz over
    /// /ingest and M viewers over /ws, then prints throughput, capture-to-browser
    /// latency, drops, writer lag, CPU and memory (and JSON with --json).
    Bench(crate::bench::BenchArgs),
    /// Create or upgrade the database schema, then exit (`serve` also does this).
    Migrate,
    /// Print the effective configuration as TOML, secrets redacted.
    Config,
    /// Kafka administration for the scale-out mode.
    #[command(subcommand)]
    Kafka(KafkaCommand),
}

#[derive(Debug, Subcommand)]
pub enum KafkaCommand {
    /// Check the cluster (KAFKA_BROKERS) and create the shared topics; users'
    /// topics are created on demand.
    Setup,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, HOST:PORT (port 0 picks a free port) [config: server.addr].
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<String>,
    /// Directory for the embedded database [config: storage.data_dir].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Stream a synthetic demo driver into a live session [config: demo.enabled].
    #[arg(long)]
    pub demo: bool,
    /// Directory of the built web app [config: server.web_dir].
    #[arg(long, value_name = "DIR")]
    pub web_dir: Option<PathBuf>,
    /// Follow a sim on this machine: ac, acc, f1, forza or outgauge; repeatable
    /// [config: collect.sims].
    #[arg(long = "collect", value_name = "SIM")]
    pub collect: Vec<String>,
    #[command(flatten)]
    pub collector: CollectorFlags,
    /// What this process runs: ingest, bridge, writer, api (comma-separated) or all;
    /// a part needs Kafka [config: server.roles].
    #[arg(long, value_name = "ROLES")]
    pub roles: Option<String>,
}

/// Where a collector finds its game; shared by `serve --collect` and `collect`.
#[derive(Debug, Args)]
pub struct CollectorFlags {
    /// The game's UDP address for AC/ACC (default 127.0.0.1 and the game's port)
    /// [config: collect.game].
    #[arg(long, value_name = "HOST:PORT")]
    pub game_addr: Option<String>,
    /// The collector's UDP address (default: the sim's usual port) [config: collect.listen].
    #[arg(long, value_name = "HOST:PORT")]
    pub listen: Option<String>,
    /// ACC: also read the shared-memory pages, `named` (Windows) or their directory
    /// [config: collect.acc_shared_memory].
    #[arg(long, value_name = "DIR|named")]
    pub acc_shared_memory: Option<String>,
}

impl CollectorFlags {
    fn overrides(&self, overrides: &mut Vec<(String, String)>) {
        for (key, value) in [
            ("collect.game", &self.game_addr),
            ("collect.listen", &self.listen),
            ("collect.acc_shared_memory", &self.acc_shared_memory),
        ] {
            if let Some(value) = value {
                overrides.push((key.into(), value.clone()));
            }
        }
    }
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// The sim: ac, acc, f1, forza, outgauge, or demo.
    #[arg(value_name = "SIM")]
    pub sim: String,
    /// The engine to send to, http(s)://HOST:PORT [config: collect.server].
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// Ingest token from the web app [config: collect.token, env PURPLESECTOR__COLLECT__TOKEN].
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    #[command(flatten)]
    pub collector: CollectorFlags,
    /// Spool directory [config: collect.spool_dir; default <data_dir>/spool].
    #[arg(long, value_name = "DIR")]
    pub spool_dir: Option<PathBuf>,
    /// Time multiplier for `demo` (1 = real time).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Write straight to Kafka instead of an engine: the bootstrap brokers
    /// [config: kafka.brokers]. Needs --user.
    #[arg(long, value_name = "BROKERS", conflicts_with_all = ["server", "token"], requires = "user")]
    pub kafka: Option<String>,
    /// With --kafka: the user whose topic the frames go to (an operator's choice; an
    /// engine's ingest takes the user from the token instead).
    #[arg(long, value_name = "ID", requires = "kafka")]
    pub user: Option<i64>,
}

#[derive(Debug, Args)]
pub struct EmulateArgs {
    /// The sim to emulate: ac, acc, f1, forza or outgauge.
    #[arg(value_name = "SIM")]
    pub sim: String,
    /// Where the game sends (F1, Forza, OutGauge): the collector's HOST:PORT
    /// (default 127.0.0.1 and the sim's usual port).
    #[arg(long, value_name = "HOST:PORT")]
    pub to: Option<String>,
    /// The emulated game's own UDP address (default 127.0.0.1 and the game's port
    /// for AC/ACC, any port otherwise).
    #[arg(long, value_name = "HOST:PORT")]
    pub bind: Option<String>,
    /// Time multiplier (1 = real time).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Seed of the synthetic driver.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Stop after this many laps (default: run until Ctrl-C).
    #[arg(long)]
    pub laps: Option<usize>,
}

impl Cli {
    /// The flags as configuration overrides (`key`, `value`).
    pub fn overrides(&self) -> Vec<(String, String)> {
        let mut overrides: Vec<(String, String)> = Vec::new();
        let mut set = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                overrides.push((key.into(), value));
            }
        };
        let path = |dir: &Option<PathBuf>| dir.as_ref().map(|dir| dir.display().to_string());
        match &self.command {
            Command::Serve(args) => {
                set("server.addr", args.addr.clone());
                set("storage.data_dir", path(&args.data_dir));
                set("demo.enabled", args.demo.then(|| "true".into()));
                set("server.web_dir", path(&args.web_dir));
                set("collect.sims", (!args.collect.is_empty()).then(|| args.collect.join(",")));
                set("server.roles", args.roles.clone());
                args.collector.overrides(&mut overrides);
            }
            Command::Collect(args) => {
                set("collect.server", args.server.clone());
                set("collect.token", args.token.clone());
                set("collect.spool_dir", path(&args.spool_dir));
                set("kafka.brokers", args.kafka.clone());
                args.collector.overrides(&mut overrides);
            }
            _ => {}
        }
        overrides
    }
}
