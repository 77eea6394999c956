//! A fresh PostgreSQL database per test on the machine's server
//! (`PURPLESECTOR_TEST_PG`, default `postgres://postgres@127.0.0.1:5432/postgres`,
//! as the storage tests use), dropped when the test ends. An unreachable server
//! fails the test and says so.

/// The server's URL (its maintenance database).
fn server() -> String {
    std::env::var("PURPLESECTOR_TEST_PG")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or("postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Runs SQL on the test server (on a thread of its own, so that async tests can call it).
pub fn on_test_server(sql: &str) {
    let sql = sql.to_string();
    if let Err(panic) = std::thread::spawn(move || run_sql(&sql)).join() {
        std::panic::resume_unwind(panic);
    }
}

fn run_sql(sql: &str) {
    let server = server();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|error| panic!("PostgreSQL test server unreachable (PURPLESECTOR_TEST_PG): {error:?}"));
        let driver = tokio::spawn(connection);
        client.batch_execute(sql).await.unwrap();
        drop(client);
        let _ = driver.await;
    });
}

pub struct PgDatabase {
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    /// Creates an empty database (the engine migrates it when it starts).
    pub fn fresh(tag: &str) -> PgDatabase {
        let name = format!("ps_test_{tag}_{}", uuid_like());
        on_test_server(&format!("CREATE DATABASE {name}"));
        let base = server();
        let url = format!("{}/{name}", base.rsplit_once('/').map(|(authority, _)| authority).unwrap_or(&base));
        PgDatabase { name, url }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let _ = std::thread::spawn(move || run_sql(&sql)).join();
    }
}

fn uuid_like() -> String {
    let nanos = std::time::UNIX_EPOCH.elapsed().unwrap().as_nanos();
    format!("{}_{nanos}", std::process::id())
}
