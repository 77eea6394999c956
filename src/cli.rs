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
    /// Create or upgrade the database schema, then exit (`serve` also does this).
    Migrate,
    /// Print the effective configuration as TOML, secrets redacted.
    Config,
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
}

impl Cli {
    /// The flags as configuration overrides (`key`, `value`).
    pub fn overrides(&self) -> Vec<(String, String)> {
        let mut overrides = Vec::new();
        if let Command::Serve(args) = &self.command {
            if let Some(addr) = &args.addr {
                overrides.push(("server.addr".into(), addr.clone()));
            }
            if let Some(dir) = &args.data_dir {
                overrides.push(("storage.data_dir".into(), dir.display().to_string()));
            }
            if args.demo {
                overrides.push(("demo.enabled".into(), "true".into()));
            }
            if let Some(dir) = &args.web_dir {
                overrides.push(("server.web_dir".into(), dir.display().to_string()));
            }
        }
        overrides
    }
}
