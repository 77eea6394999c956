//! DbWriter: batches frames and laps into the store.
//!
//! Writing each frame on its own would cost a transaction per frame; the writer
//! gathers frames from every session and flushes them in one transaction when the
//! batch holds `writer.batch_frames` frames or its oldest frame has waited
//! `writer.flush_interval_ms`, whichever comes first. A lap is stored only after
//! every frame before it, and its sender hears back only once both are durable.
//!
//! Bounded: while a flush runs, new frames wait in `pending`; once that holds
//! `writer.max_pending_frames`, the next flush is awaited with the mailbox paused,
//! so the sessions feeding the writer (and their producers) wait instead of the
//! process growing. A failed write is retried with backoff, never dropped.
//!
//! Two frame buffers take turns (one filling, one being written) and are reused, so
//! the steady stream of frames does not allocate and free a multi-megabyte batch
//! several times a second (less allocator churn; no change in resident memory could
//! be measured from it alone, README "Memory").

use crate::metrics::actor_kind;
use crate::shared::SharedRef;
use actix::prelude::*;
use purplesector_engine::storage::{FrameRecord, NewLap, StoreError, UserId};
use purplesector_proto::v1::{LapInfo, SessionInfo};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Frames to store.
#[derive(Message)]
#[rtype(result = "()")]
pub struct WriteFrames(pub Vec<FrameRecord>);

/// A completed lap to store after the frames sent before it.
#[derive(Message)]
#[rtype(result = "Result<Option<(LapInfo, SessionInfo)>, String>")]
pub struct RecordLap {
    pub owner: UserId,
    pub lap: NewLap,
}

/// Writes everything pending now; answers once it is durable (shutdown, tests).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Flush;

type LapReply = oneshot::Sender<Result<Option<(LapInfo, SessionInfo)>, String>>;

pub struct DbWriter {
    shared: SharedRef,
    pending: Vec<FrameRecord>,
    /// The buffer of the last batch written, emptied, for `pending` to swap with.
    spare: Vec<FrameRecord>,
    pending_laps: Vec<(UserId, NewLap, LapReply)>,
    flush_waiters: Vec<oneshot::Sender<()>>,
    flushing: bool,
    timer: Option<SpawnHandle>,
    failures: u32,
}

impl DbWriter {
    pub fn new(shared: SharedRef) -> Self {
        DbWriter {
            shared,
            pending: Vec::new(),
            spare: Vec::new(),
            pending_laps: Vec::new(),
            flush_waiters: Vec::new(),
            flushing: false,
            timer: None,
            failures: 0,
        }
    }

    fn batch_frames(&self) -> usize {
        self.shared.settings.writer.batch_frames
    }

    /// Decides what to do after new work arrived or a flush finished.
    fn schedule(&mut self, ctx: &mut Context<Self>) {
        if self.flushing {
            return;
        }
        let urgent = self.pending.len() >= self.batch_frames()
            || !self.pending_laps.is_empty()
            || !self.flush_waiters.is_empty();
        if urgent {
            self.start_flush(ctx);
        } else if !self.pending.is_empty() && self.timer.is_none() {
            let interval = Duration::from_millis(self.shared.settings.writer.flush_interval_ms);
            self.timer = Some(ctx.run_later(interval, |act, ctx| {
                act.timer = None;
                act.start_flush(ctx);
            }));
        }
    }

    fn start_flush(&mut self, ctx: &mut Context<Self>) {
        if self.flushing {
            return;
        }
        if let Some(timer) = self.timer.take() {
            ctx.cancel_future(timer);
        }
        if self.pending.is_empty() && self.pending_laps.is_empty() {
            for waiter in self.flush_waiters.drain(..) {
                let _ = waiter.send(());
            }
            return;
        }
        self.flushing = true;
        let take = self.pending.len().min(self.batch_frames().max(1) * 4);
        let frames: Vec<FrameRecord> = if take == self.pending.len() {
            std::mem::replace(&mut self.pending, std::mem::take(&mut self.spare))
        } else {
            self.pending.drain(..take).collect()
        };
        // Laps go with the flush only when every frame before them is in it.
        let laps: Vec<(UserId, NewLap, LapReply)> =
            if self.pending.is_empty() { self.pending_laps.drain(..).collect() } else { Vec::new() };
        let store = self.shared.store.clone();
        let laps_to_write: Vec<(UserId, NewLap)> = laps.iter().map(|(owner, lap, _)| (*owner, lap.clone())).collect();
        let delay = backoff(self.failures);
        let work = async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            tokio::task::spawn_blocking(move || {
                let started = Instant::now();
                let outcome = store.write_frames(&frames).and_then(|written| {
                    let mut stored = Vec::with_capacity(laps_to_write.len());
                    for (owner, lap) in &laps_to_write {
                        stored.push(store.record_lap(*owner, lap)?);
                    }
                    Ok::<_, StoreError>((written, stored))
                });
                // The frames come back so that a failed batch can be retried.
                (frames, outcome, started.elapsed())
            })
            .await
        };
        let backpressure = self.pending.len() >= self.shared.settings.writer.max_pending_frames;
        let finish = work.into_actor(self).map(move |result, act, ctx| {
            act.flushing = false;
            match result {
                Ok((mut frames, Ok((written, stored)), elapsed)) => {
                    act.failures = 0;
                    frames.clear();
                    act.keep_spare(frames);
                    act.shared.metrics.frames_written.inc_by(written as u64);
                    act.shared.metrics.db_write_seconds.observe(elapsed.as_secs_f64());
                    for ((_, _, reply), lap) in laps.into_iter().zip(stored) {
                        let _ = reply.send(Ok(lap));
                    }
                }
                Ok((frames, Err(error), _)) => act.retry_later(error.to_string(), laps, Some(frames)),
                Err(join_error) => act.retry_later(join_error.to_string(), laps, None),
            }
            act.schedule(ctx);
        });
        if backpressure {
            ctx.wait(finish);
        } else {
            ctx.spawn(finish);
        }
    }

    /// Keeps a written batch's buffer for the next swap, unless it grew far past a
    /// normal batch (a catch-up after a stall), so that a spike is not held forever.
    fn keep_spare(&mut self, buffer: Vec<FrameRecord>) {
        if buffer.capacity() <= self.batch_frames().max(1) * 4 && buffer.capacity() > self.spare.capacity() {
            self.spare = buffer;
        }
    }

    /// Puts a failed batch back in front of the queue to be retried with backoff.
    fn retry_later(&mut self, error: String, laps: Vec<(UserId, NewLap, LapReply)>, frames: Option<Vec<FrameRecord>>) {
        self.failures += 1;
        self.shared.metrics.db_write_errors.inc();
        if self.failures == 1 || self.failures.is_power_of_two() {
            tracing::error!(failures = self.failures, %error, "writing to the store failed; retrying");
        }
        if let Some(mut frames) = frames {
            frames.append(&mut self.pending);
            self.pending = frames;
        }
        let mut laps = laps;
        laps.append(&mut self.pending_laps);
        self.pending_laps = laps;
    }
}

/// 0 on the first try, then 100 ms doubling up to 5 s.
fn backoff(failures: u32) -> Duration {
    if failures == 0 {
        Duration::ZERO
    } else {
        Duration::from_millis((100u64 << failures.min(6).saturating_sub(1)).min(5_000))
    }
}

impl Actor for DbWriter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(256);
        self.shared.metrics.actor_started(actor_kind::DB_WRITER);
    }

    fn stopped(&mut self, _ctx: &mut Context<Self>) {
        self.shared.metrics.actor_stopped(actor_kind::DB_WRITER);
    }
}

impl Handler<WriteFrames> for DbWriter {
    type Result = ();

    fn handle(&mut self, msg: WriteFrames, ctx: &mut Context<Self>) {
        self.pending.extend(msg.0);
        self.schedule(ctx);
    }
}

impl Handler<RecordLap> for DbWriter {
    type Result = ResponseFuture<Result<Option<(LapInfo, SessionInfo)>, String>>;

    fn handle(&mut self, msg: RecordLap, ctx: &mut Context<Self>) -> Self::Result {
        let (reply, answer) = oneshot::channel();
        self.pending_laps.push((msg.owner, msg.lap, reply));
        self.schedule(ctx);
        Box::pin(async move { answer.await.map_err(|_| "the writer stopped".to_string())? })
    }
}

impl Handler<Flush> for DbWriter {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, _msg: Flush, ctx: &mut Context<Self>) -> Self::Result {
        let (reply, answer) = oneshot::channel();
        self.flush_waiters.push(reply);
        self.schedule(ctx);
        Box::pin(async move {
            let _ = answer.await;
        })
    }
}
