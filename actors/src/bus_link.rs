//! BusLink: a standalone collector writing straight to Kafka (`collect --kafka`).
//!
//! For installations where collectors run inside the operator's network (a team's
//! garage PCs, a league's servers): no engine in between, the user given by the
//! operator (`--user`), the same records the ingest role writes. Batches go out
//! one at a time, in order; while the cluster is unreachable a batch is retried
//! with backoff and the collector's bounded backlog absorbs (and counts) the rest.

use crate::collector::CollectorOutput;
use crate::metrics::Metrics;
use actix::prelude::*;
use purplesector_engine::kafka::BusProducer;
use purplesector_engine::storage::UserId;
use purplesector_proto::v1::{bus_record, BusRecord, EndSession};
use std::time::Duration;

pub struct BusLink {
    owner: UserId,
    bus: BusProducer,
    metrics: Metrics,
}

impl BusLink {
    pub fn new(owner: UserId, bus: BusProducer, metrics: Metrics) -> Self {
        BusLink { owner, bus, metrics }
    }
}

impl Actor for BusLink {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.set_mailbox_capacity(16);
    }
}

/// Answers once every batch sent before it is on the bus (the link handles one
/// message at a time, in order).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Drained;

impl Handler<Drained> for BusLink {
    type Result = ();

    fn handle(&mut self, _msg: Drained, _ctx: &mut Context<Self>) {}
}

impl Handler<CollectorOutput> for BusLink {
    type Result = AtomicResponse<Self, ()>;

    fn handle(&mut self, msg: CollectorOutput, _ctx: &mut Context<Self>) -> Self::Result {
        let (session_id, record, frames) = match msg {
            CollectorOutput::Batch(batch) => {
                let frames = batch.frames.len();
                (batch.session_id.clone(), BusRecord { payload: Some(bus_record::Payload::Batch(batch)) }, frames)
            }
            CollectorOutput::End { session_id } => {
                let end = EndSession { session_id: session_id.clone() };
                (session_id, BusRecord { payload: Some(bus_record::Payload::EndSession(end)) }, 0)
            }
        };
        let (bus, owner, metrics) = (self.bus.clone(), self.owner, self.metrics.clone());
        AtomicResponse::new(Box::pin(
            async move {
                let mut attempt = 0u32;
                loop {
                    match bus.publish(owner, &session_id, &record).await {
                        Ok(_) => {
                            metrics.frames_ingested.inc_by(frames as u64);
                            return;
                        }
                        Err(error) => {
                            attempt += 1;
                            if attempt == 1 || attempt.is_power_of_two() {
                                tracing::warn!(%error, attempt, "Kafka unreachable; retrying the batch");
                            }
                            tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt.min(25)))).await;
                        }
                    }
                }
            }
            .into_actor(self),
        ))
    }
}
