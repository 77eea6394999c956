//! The record format on a user's topic: a protobuf `BusRecord` as the value, the
//! session id as the key, and headers naming the session, the user and the
//! encoding, so that tools (and a future format) can tell records apart without
//! decoding them.

use super::KafkaError;
use crate::storage::UserId;
use prost::Message;
use purplesector_proto::v1::BusRecord;
use rdkafka::message::{Header, Headers, OwnedHeaders};

/// The `encoding` header of every record this engine writes.
pub const ENCODING: &str = "application/x-protobuf; type=purplesector.v1.BusRecord";

pub fn encode_record(record: &BusRecord) -> Vec<u8> {
    record.encode_to_vec()
}

pub fn decode_record(bytes: &[u8]) -> Result<BusRecord, prost::DecodeError> {
    BusRecord::decode(bytes)
}

impl KafkaError {
    pub fn bad_record(topic: &str, offset: i64, error: impl std::fmt::Display) -> Self {
        KafkaError::BadRecord { topic: topic.to_string(), offset, message: error.to_string() }
    }
}

/// The headers of a record for `user`'s session.
pub fn headers(user: UserId, session_id: &str) -> OwnedHeaders {
    OwnedHeaders::new_with_capacity(3)
        .insert(Header { key: "sessionId", value: Some(session_id) })
        .insert(Header { key: "userId", value: Some(&user.0.to_string()) })
        .insert(Header { key: "encoding", value: Some(ENCODING) })
}

/// The headers a consumer found on a record (any may be missing on a foreign record).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordHeaders {
    pub session_id: Option<String>,
    pub user_id: Option<UserId>,
    pub encoding: Option<String>,
}

impl RecordHeaders {
    pub fn parse<H: Headers>(headers: Option<&H>) -> RecordHeaders {
        let mut parsed = RecordHeaders::default();
        let Some(headers) = headers else { return parsed };
        for header in headers.iter() {
            let Some(value) = header.value.and_then(|bytes| std::str::from_utf8(bytes).ok()) else { continue };
            match header.key {
                "sessionId" => parsed.session_id = Some(value.to_string()),
                "userId" => parsed.user_id = value.parse().ok().map(UserId),
                "encoding" => parsed.encoding = Some(value.to_string()),
                _ => {}
            }
        }
        parsed
    }
}
