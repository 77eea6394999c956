//! A bounded queue of messages for one slow consumer (a browser) that drops the
//! oldest droppable messages when full.
//!
//! Live telemetry is droppable: a viewer who falls behind would rather see the
//! newest frames than stale ones, and a slow browser must cost neither memory nor
//! the other viewers' latency. Lap and session events are not droppable; if so many
//! of them pile up that even they overflow, the consumer is hopeless and is told so.

use std::collections::VecDeque;

/// How a message may be treated when the queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// May be dropped, oldest first; `weight` is what dropping it counts (frames).
    Droppable { weight: usize },
    /// Kept while there is any room to make.
    Keep,
}

#[derive(Debug, PartialEq, Eq)]
pub enum PushOutcome {
    /// Queued; `dropped` is the weight of older droppable messages removed to make room.
    Queued { dropped: usize },
    /// Even after dropping everything droppable there is no room: the consumer is too slow.
    Overflow,
}

/// An empty queue keeps room for this many messages at most.
const SHRINK_ABOVE: usize = 16;

/// The queue. `capacity` counts messages of either kind.
#[derive(Debug)]
pub struct Outbox<T> {
    items: VecDeque<(Priority, T)>,
    capacity: usize,
}

impl<T> Outbox<T> {
    /// An empty queue that holds at most `capacity` messages. Nothing is reserved up
    /// front: a browser that keeps up holds a message or two, and reserving the whole
    /// capacity cost 40 KiB per connected viewer (heaptrack, 2,000 viewers).
    pub fn new(capacity: usize) -> Self {
        Outbox { items: VecDeque::new(), capacity: capacity.max(1) }
    }

    /// Queues a message, dropping the oldest droppable ones if the queue is full.
    pub fn push(&mut self, priority: Priority, item: T) -> PushOutcome {
        let mut dropped = 0;
        while self.items.len() >= self.capacity {
            match self.items.iter().position(|(priority, _)| matches!(priority, Priority::Droppable { .. })) {
                Some(index) => {
                    if let Some((Priority::Droppable { weight }, _)) = self.items.remove(index) {
                        dropped += weight;
                    }
                }
                None => return PushOutcome::Overflow,
            }
        }
        self.items.push_back((priority, item));
        PushOutcome::Queued { dropped }
    }

    pub fn pop(&mut self) -> Option<T> {
        let item = self.items.pop_front().map(|(_, item)| item);
        // Once a burst (a catch-up, a slow moment) has drained, give its room back.
        if self.items.is_empty() && self.items.capacity() > SHRINK_ABOVE {
            self.items.shrink_to(SHRINK_ABOVE);
        }
        item
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: Priority = Priority::Droppable { weight: 1 };

    #[test]
    fn keeps_order_while_there_is_room() {
        let mut outbox = Outbox::new(3);
        for value in 1..=3 {
            assert_eq!(outbox.push(FRAME, value), PushOutcome::Queued { dropped: 0 });
        }
        assert_eq!((outbox.pop(), outbox.pop(), outbox.pop(), outbox.pop()), (Some(1), Some(2), Some(3), None));
    }

    #[test]
    fn a_full_queue_drops_the_oldest_frames_and_counts_them() {
        let mut outbox = Outbox::new(3);
        for value in 1..=3 {
            outbox.push(Priority::Droppable { weight: 10 }, value);
        }
        assert_eq!(outbox.push(FRAME, 4), PushOutcome::Queued { dropped: 10 });
        assert_eq!(outbox.len(), 3);
        assert_eq!(outbox.pop(), Some(2));
    }

    #[test]
    fn events_are_never_dropped_for_frames() {
        let mut outbox = Outbox::new(3);
        outbox.push(Priority::Keep, "lap");
        outbox.push(FRAME, "f1");
        outbox.push(FRAME, "f2");
        assert_eq!(outbox.push(Priority::Keep, "session"), PushOutcome::Queued { dropped: 1 });
        let drained: Vec<_> = std::iter::from_fn(|| outbox.pop()).collect();
        assert_eq!(drained, vec!["lap", "f2", "session"]);
    }

    #[test]
    fn only_events_and_full_is_an_overflow() {
        let mut outbox = Outbox::new(2);
        outbox.push(Priority::Keep, 1);
        outbox.push(Priority::Keep, 2);
        assert_eq!(outbox.push(FRAME, 3), PushOutcome::Overflow);
        assert_eq!(outbox.len(), 2);
    }

    #[test]
    fn reserves_nothing_up_front_and_gives_a_drained_burst_back() {
        let mut outbox = Outbox::new(256);
        assert_eq!(outbox.items.capacity(), 0);
        for value in 0..200 {
            outbox.push(FRAME, value);
        }
        assert!(outbox.items.capacity() >= 200);
        let drained: Vec<_> = std::iter::from_fn(|| outbox.pop()).collect();
        assert_eq!(drained, (0..200).collect::<Vec<_>>());
        assert!(outbox.items.capacity() <= SHRINK_ABOVE, "capacity {}", outbox.items.capacity());
    }
}
