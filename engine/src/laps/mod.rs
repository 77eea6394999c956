//! Lap detection (being written).
