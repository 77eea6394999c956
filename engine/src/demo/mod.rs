//! Demo driver (being written).
