//! A stored lap in other tools' file formats, so a driver can take it to the
//! analysis software they already use. Each format is a pure function from frames
//! and plain metadata to bytes; the HTTP layer only fetches and serves them. (The
//! CSV export lives with the channel table in [`crate::channels`].)

pub mod motec;
