//! The lap in progress, for viewers who join a live session mid-lap.
//!
//! A session backed by the store keeps only where the lap started: when a viewer
//! joins, the writer is flushed and the lap so far is read back from the store. So a
//! live session with nobody watching (the common case: a driver alone, or every
//! session in a Kafka writer) costs no frame memory at all. A Kafka bridge's session
//! cannot rely on the store (the writer may lag behind or run ahead of it), so it
//! keeps the frames themselves; it exists only while the user has viewers.

use purplesector_proto::v1::TelemetryFrame;
use std::collections::VecDeque;

pub(crate) enum LapSoFar {
    /// The frames, at most `max` (the oldest go first).
    Buffered { frames: VecDeque<TelemetryFrame>, max: usize },
    /// The seqs of the lap's first and latest frames; the frames are in the store.
    Stored { first_seq: Option<u64>, last_seq: u64, max: usize },
}

impl LapSoFar {
    pub(crate) fn buffered(max: usize) -> Self {
        LapSoFar::Buffered { frames: VecDeque::new(), max: max.max(1) }
    }

    pub(crate) fn stored(max: usize) -> Self {
        LapSoFar::Stored { first_seq: None, last_seq: 0, max: max.max(1) }
    }

    /// A lap began, or the one in progress was abandoned: the next frame starts it.
    pub(crate) fn restart(&mut self) {
        match self {
            LapSoFar::Buffered { frames, .. } => frames.clear(),
            LapSoFar::Stored { first_seq, .. } => *first_seq = None,
        }
    }

    /// A frame of the lap in progress (in seq order).
    pub(crate) fn push(&mut self, frame: &TelemetryFrame) {
        match self {
            LapSoFar::Buffered { frames, max } => {
                if frames.len() >= *max {
                    frames.pop_front();
                }
                frames.push_back(*frame);
            }
            LapSoFar::Stored { first_seq, last_seq, .. } => {
                first_seq.get_or_insert(frame.seq);
                *last_seq = frame.seq;
            }
        }
    }

    /// Forgets everything (a restart after a failure, or retirement).
    pub(crate) fn clear(&mut self) {
        match self {
            LapSoFar::Buffered { frames, .. } => *frames = VecDeque::new(),
            LapSoFar::Stored { first_seq, .. } => *first_seq = None,
        }
    }

    /// The frames kept in memory, or `None` when they are to be read from the store.
    pub(crate) fn buffered_frames(&self) -> Option<Vec<TelemetryFrame>> {
        match self {
            LapSoFar::Buffered { frames, .. } => Some(frames.iter().copied().collect()),
            LapSoFar::Stored { .. } => None,
        }
    }

    /// The seq range to read from the store (at most `max` frames, the newest);
    /// `None` when no lap is in progress.
    pub(crate) fn stored_range(&self) -> Option<(u64, u64)> {
        match self {
            LapSoFar::Stored { first_seq: Some(first), last_seq, max } => {
                Some(((*first).max(last_seq.saturating_sub(*max as u64 - 1)), *last_seq))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(seq: u64) -> TelemetryFrame {
        TelemetryFrame { seq, ..Default::default() }
    }

    #[test]
    fn a_buffer_keeps_the_newest_frames_of_the_lap() {
        let mut lap = LapSoFar::buffered(3);
        for seq in 1..=5 {
            lap.push(&frame(seq));
        }
        let seqs: Vec<u64> = lap.buffered_frames().unwrap().iter().map(|frame| frame.seq).collect();
        assert_eq!(seqs, vec![3, 4, 5]);
        lap.restart();
        lap.push(&frame(6));
        assert_eq!(lap.buffered_frames().unwrap().len(), 1);
        assert_eq!(lap.stored_range(), None);
    }

    #[test]
    fn a_stored_lap_is_a_seq_range_capped_at_the_newest_frames() {
        let mut lap = LapSoFar::stored(100);
        assert_eq!(lap.stored_range(), None, "no lap yet");
        for seq in 10..=50 {
            lap.push(&frame(seq));
        }
        assert_eq!(lap.stored_range(), Some((10, 50)));
        assert!(lap.buffered_frames().is_none());
        lap.restart();
        assert_eq!(lap.stored_range(), None);
        for seq in 51..=400 {
            lap.push(&frame(seq));
        }
        assert_eq!(lap.stored_range(), Some((301, 400)), "at most the newest 100");
    }
}
