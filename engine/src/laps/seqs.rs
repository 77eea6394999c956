//! Which frame seqs have been seen, in bounded memory.
//!
//! Collectors retry batches and networks reorder them, so the same frame can arrive
//! twice and an older frame after a newer one. Lap detection must see each frame
//! once and in capture order, so every frame is classified before it touches the
//! lap state. A bitmap of the last [`WINDOW`] seqs below the newest one is enough:
//! a frame older than that is reported late either way, and the store's
//! `(session, seq)` key makes a re-delivery of it a no-op.

/// How many seqs below the newest one are remembered.
const WINDOW: u64 = u128::BITS as u64;

/// What a seq is relative to the frames seen before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Seen {
    /// Never seen and newer than every frame so far.
    New,
    /// Seen before.
    Duplicate,
    /// Older than the newest frame and not seen before (or too old to tell).
    Late,
}

/// The newest seq and a bitmap of the seqs just below it.
#[derive(Debug, Clone, Default)]
pub(super) struct SeqWindow {
    newest: Option<u64>,
    /// Bit `i` set: seq `newest - i` was seen.
    seen: u128,
}

impl SeqWindow {
    /// Classifies `seq` and records it as seen.
    pub(super) fn observe(&mut self, seq: u64) -> Seen {
        let Some(newest) = self.newest else {
            self.newest = Some(seq);
            self.seen = 1;
            return Seen::New;
        };
        if seq > newest {
            let shift = seq - newest;
            self.seen = if shift >= WINDOW { 1 } else { (self.seen << shift) | 1 };
            self.newest = Some(seq);
            return Seen::New;
        }
        let age = newest - seq;
        if age >= WINDOW {
            return Seen::Late;
        }
        let bit = 1u128 << age;
        if self.seen & bit != 0 {
            Seen::Duplicate
        } else {
            self.seen |= bit;
            Seen::Late
        }
    }
}
