//! The domain of Purple Sector, free of actors and sockets: what a telemetry frame
//! means, where laps begin and end, the synthetic demo driver, how frames and laps
//! are stored, and how the process is configured. The actor system in
//! `purplesector-actors` is a thin layer over these plain functions and types.

pub mod analysis;
pub mod auth;
pub mod channels;
pub mod coaching;
pub mod config;
pub mod demo;
pub mod export;
pub mod kafka;
pub mod laps;
pub mod outbox;
pub mod sims;
pub mod spool;
pub mod storage;
