//! Integration tests: a real server on 127.0.0.1:0 with its own temporary SQLite
//! database per test, spoken to over real HTTP and WebSocket connections.

mod accounts;
mod accounts_support;
mod analysis;
mod cli;
mod coaching;
mod collectors;
mod docs;
mod helpers;
mod ingest;
mod kafka;
mod kafka_support;
mod live_stream;
mod motec;
mod openai_stub;
mod openapi;
mod postgres_support;
mod rest;
mod shutdown;
mod spool;
