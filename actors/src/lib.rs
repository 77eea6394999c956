//! The actor system of Purple Sector and its HTTP/WebSocket server.
//!
//! ```text
//! Engine                root: registries, supervision of everything below
//! ├─ UserActor          one per active user; created on demand, stops when idle
//! │  ├─ SessionActor    one per live session (supervised: restarted on failure)
//! │  └─ (viewers)       the user's WsClientActors, for session events
//! ├─ DbWriter           batches frames and laps into the store
//! ├─ DemoDriverActor    the synthetic driver, a producer like any collector
//! └─ CollectorActor     a sim's UDP protocol, inside `serve --collect` or `collect`
//! WsClientActor         one per browser connection, bounded drop-oldest outbox
//! IngestRouter          one per producer (`/ingest` connection or collector): opens
//!                       its sessions and feeds them in order
//! ```
//!
//! Actors are thin: lap detection, storage, the demo car and the outbox are plain
//! code in `purplesector-engine`; actors own the lifecycles and move messages.

pub mod bus_link;
pub mod coach;
pub mod collector;
pub mod db_writer;
pub mod demo_driver;
pub mod demo_source;
pub mod emulate;
pub mod engine;
pub mod http;
pub mod ingest;
pub mod kafka_bridge;
mod kafka_client;
pub mod kafka_writer;
mod lap_so_far;
pub mod metrics;
pub mod rate_limit;
pub mod remote_ingest;
pub mod session;
pub mod shared;
pub mod startup;
pub mod user;
pub mod viewer;
pub mod ws_client;

#[cfg(test)]
mod tests;
