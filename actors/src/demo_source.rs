//! DemoSource: the demo driver as a collector's source (`purplesector collect
//! demo`), for trying a remote engine, the spool and the ingest path without a game.
//!
//! Unlike the in-process DemoDriverActor it does not know the engine: it emits
//! batches to a collector sink exactly as a sim collector does.

use crate::collector::CollectorOutput;
use actix::prelude::*;
use purplesector_engine::demo::{self, DemoDriver};
use purplesector_proto::v1::{Sim, TelemetryBatch};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const TICK: Duration = Duration::from_millis(50);
const MAX_BATCH: u64 = 600;

/// Answers how many frames have been emitted so far.
#[derive(Message)]
#[rtype(result = "u64")]
pub struct FramesEmitted;

/// Ends the session and stops.
#[derive(Message)]
#[rtype(result = "u64")]
pub struct StopDemoSource;

pub struct DemoSource {
    driver: DemoDriver,
    session_id: String,
    speed: f64,
    sink: Recipient<CollectorOutput>,
    started: Instant,
    emitted: u64,
}

impl DemoSource {
    pub fn new(seed: u64, speed: f64, sink: Recipient<CollectorOutput>) -> Self {
        DemoSource {
            driver: DemoDriver::new(seed),
            session_id: uuid::Uuid::new_v4().to_string(),
            speed,
            sink,
            started: Instant::now(),
            emitted: 0,
        }
    }

    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    fn tick(&mut self) {
        let due = (self.started.elapsed().as_secs_f64() * self.speed * demo::SAMPLE_RATE_HZ) as u64;
        let count = due.saturating_sub(self.emitted).min(MAX_BATCH);
        if count == 0 {
            return;
        }
        let captured_at_us =
            SystemTime::now().duration_since(UNIX_EPOCH).map(|now| now.as_micros() as u64).unwrap_or_default();
        let frames = (0..count)
            .map(|_| {
                let mut frame = self.driver.next_frame();
                frame.captured_at_us = captured_at_us;
                frame
            })
            .collect();
        self.emitted += count;
        let batch = TelemetryBatch {
            session_id: self.session_id.clone(),
            sim: Sim::Demo as i32,
            sample_rate_hz: demo::SAMPLE_RATE_HZ as f32,
            frames,
            track: demo::TRACK_NAME.into(),
            car: demo::CAR_NAME.into(),
            track_length_m: Some(self.driver.track().length_m() as f32),
            driver: "Demo Driver".into(),
        };
        // The sink (a RemoteIngest) never refuses: it spools.
        self.sink.do_send(CollectorOutput::Batch(batch));
    }
}

impl Actor for DemoSource {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.started = Instant::now();
        ctx.run_interval(TICK, |act, _ctx| act.tick());
    }
}

impl Handler<FramesEmitted> for DemoSource {
    type Result = u64;

    fn handle(&mut self, _msg: FramesEmitted, _ctx: &mut Context<Self>) -> u64 {
        self.emitted
    }
}

impl Handler<StopDemoSource> for DemoSource {
    type Result = u64;

    fn handle(&mut self, _msg: StopDemoSource, ctx: &mut Context<Self>) -> u64 {
        self.sink.do_send(CollectorOutput::End { session_id: self.session_id.clone() });
        ctx.stop();
        self.emitted
    }
}
