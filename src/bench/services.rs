//! What a scale-out run needs around the engine, set up for the run and torn down
//! after it: a Kafka-protocol broker (`--kafka auto`: tansu, in memory) and a fresh
//! PostgreSQL database (`--database-url auto`).

use anyhow::Context as _;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The server `--database-url auto` creates its database on (trust authentication).
pub const AUTO_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432";

/// A name no other run uses: process id and start time.
pub fn run_name() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|now| now.as_nanos()).unwrap_or_default();
    format!("{}_{}", std::process::id(), nanos % 1_000_000_000_000)
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).map(|dir| dir.join(name)).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|candidate| candidate.is_file())
}

/// `tansu` on the PATH, else where `cargo install` puts it.
fn find_tansu() -> Option<PathBuf> {
    on_path("tansu").or_else(|| {
        let installed = PathBuf::from(std::env::var_os("HOME")?).join(".cargo/bin/tansu");
        installed.is_file().then_some(installed)
    })
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?.local_addr()?.port())
}

/// A tansu broker this run started (in-memory storage), stopped when dropped.
pub struct Broker {
    child: Child,
    pub brokers: String,
    pub description: String,
}

impl Broker {
    pub fn start() -> anyhow::Result<Broker> {
        let tansu = find_tansu().context(
            "--kafka auto starts a tansu broker, but `tansu` is neither on the PATH nor in ~/.cargo/bin: \
             install it with `cargo install tansu --locked --features dynostore` (what scripts/setup.sh does), \
             or pass --kafka HOST:PORT of a running Kafka cluster",
        )?;
        let version = Command::new(&tansu)
            .arg("--version")
            .output()
            .ok()
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
            .filter(|version| !version.is_empty())
            .unwrap_or_else(|| "tansu".into());
        let port = free_port()?;
        let url = format!("tcp://127.0.0.1:{port}");
        let mut child = Command::new(&tansu)
            .args(["broker", "--listener-url", &url, "--advertised-listener-url", &url])
            .args(["--storage-engine", "memory://tansu/"])
            .env_remove("STORAGE_ENGINE")
            .env_remove("LISTENER_URL")
            .env_remove("ADVERTISED_LISTENER_URL")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", tansu.display()))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                anyhow::bail!("{} exited ({status}) before listening on {port}", tansu.display());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                anyhow::bail!("{} did not listen on {port} within 30 s", tansu.display());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Broker {
            child,
            brokers: format!("127.0.0.1:{port}"),
            description: format!("{version}, in memory, started by the bench"),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn psql(server: &str, sql: &str) -> anyhow::Result<()> {
    let psql = on_path("psql").context(
        "--database-url auto creates its database with psql, which is not on the PATH: install PostgreSQL's \
         client (apt-get install postgresql-client), or create a database and pass --database-url postgres://...",
    )?;
    let output = Command::new(psql)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &format!("{server}/postgres"), "-c", sql])
        .stdin(Stdio::null())
        .output()
        .context("running psql")?;
    if !output.status.success() {
        anyhow::bail!("psql on {server}: {sql}: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}

/// A PostgreSQL database created for this run, dropped (with any connection left
/// to it) when dropped.
pub struct Database {
    server: String,
    name: String,
    pub url: String,
}

impl Database {
    pub fn create(server: &str, name: &str) -> anyhow::Result<Database> {
        psql(server, &format!("CREATE DATABASE {name}"))
            .with_context(|| format!("creating the database {name} (--database-url auto) on {server}"))?;
        Ok(Database { server: server.into(), name: name.into(), url: format!("{server}/{name}") })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Err(error) = psql(&self.server, &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)) {
            eprintln!("warning: could not drop the bench database {}: {error:#}", self.name);
        }
    }
}

/// Whether a database URL names this machine (its server's CPU can then be read).
pub fn is_local(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else { return false };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map(|(_, host)| host).unwrap_or(authority);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    matches!(host, "" | "localhost" | "127.0.0.1" | "::1") || host.starts_with('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_database_urls_are_recognized() {
        assert!(is_local("postgres://postgres@127.0.0.1:5432/db"));
        assert!(is_local("postgresql://u:p@localhost/db"));
        assert!(is_local("postgres://u@[::1]:5432/db"));
        assert!(!is_local("postgres://u:p@db.example.com:5432/db"));
    }
}
