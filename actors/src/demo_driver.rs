//! DemoDriverActor: streams the synthetic demo driver into a live session.
//!
//! It is a producer like a sim collector: it opens its session through the Engine
//! and sends batches of frames to the session's mailbox, waiting for each answer,
//! so a slow engine slows the demo instead of queueing frames without bound. Its
//! clock runs `demo.speed` times real time; frames keep the sim's 60 Hz spacing.

use crate::engine::{Engine, EngineError};
use crate::metrics::actor_kind;
use crate::session::{Finish, IngestError, IngestFrames, SessionActor};
use crate::shared::SharedRef;
use crate::user::OpenSession;
use actix::prelude::*;
use purplesector_engine::demo::{self, DemoDriver};
use purplesector_engine::storage::{NewSession, UserId};
use purplesector_proto::v1::{SessionInfo, Sim};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How often the actor wakes to emit the frames that are due.
const TICK: Duration = Duration::from_millis(16);
/// At most this many frames per batch (a slow engine catches up in steps).
const MAX_BATCH: u64 = 600;

/// Answers with the demo's session once it is open.
#[derive(Message)]
#[rtype(result = "Result<SessionInfo, EngineError>")]
pub struct DemoSession;

#[derive(Message)]
#[rtype(result = "()")]
pub struct StopDemoDriver;

pub struct DemoDriverActor {
    owner: UserId,
    seed: u64,
    shared: SharedRef,
    engine: Addr<Engine>,
    driver: DemoDriver,
    session: Option<(Addr<SessionActor>, SessionInfo)>,
    failure: Option<EngineError>,
    clock_start: Instant,
    frames_sent: u64,
    in_flight: bool,
}

impl DemoDriverActor {
    pub fn new(owner: UserId, seed: u64, shared: SharedRef, engine: Addr<Engine>) -> Self {
        DemoDriverActor {
            owner,
            seed,
            shared,
            engine,
            driver: DemoDriver::new(seed),
            session: None,
            failure: None,
            clock_start: Instant::now(),
            frames_sent: 0,
            in_flight: false,
        }
    }

    /// Frames the sim clock has produced by now.
    fn frames_due(&self) -> u64 {
        let sim_seconds = self.clock_start.elapsed().as_secs_f64() * self.shared.settings.demo.speed;
        (sim_seconds * demo::SAMPLE_RATE_HZ) as u64
    }

    fn tick(&mut self, ctx: &mut Context<Self>) {
        if self.in_flight {
            return; // the session has not taken the previous batch yet
        }
        let Some((session, _)) = &self.session else { return };
        let due = self.frames_due().saturating_sub(self.frames_sent).min(MAX_BATCH);
        if due == 0 {
            return;
        }
        let captured_at_us =
            SystemTime::now().duration_since(UNIX_EPOCH).map(|now| now.as_micros() as u64).unwrap_or_default();
        let frames: Vec<_> = (0..due)
            .map(|_| {
                let mut frame = self.driver.next_frame();
                frame.captured_at_us = captured_at_us;
                frame
            })
            .collect();
        self.frames_sent += due;
        self.in_flight = true;
        ctx.spawn(session.send(IngestFrames(frames)).into_actor(self).map(|result, act, ctx| {
            act.in_flight = false;
            match result {
                Ok(Ok(_)) => {}
                Ok(Err(error @ IngestError::TooLarge { .. })) => {
                    tracing::error!(%error, "demo batch refused; stopping the demo");
                    ctx.stop();
                }
                Ok(Err(IngestError::Retired)) | Err(_) => {
                    tracing::warn!("demo session ended under the demo driver; stopping the demo");
                    ctx.stop();
                }
            }
        }));
    }
}

impl Actor for DemoDriverActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.shared.metrics.actor_started(actor_kind::DEMO_DRIVER);
        let session = NewSession {
            id: uuid::Uuid::new_v4().to_string(),
            name: format!("Demo — {}", demo::TRACK_NAME),
            sim: Sim::Demo,
            track: demo::TRACK_NAME.into(),
            car: demo::CAR_NAME.into(),
            track_length_m: Some(self.driver.track().length_m()),
        };
        tracing::info!(session = %session.id, seed = self.seed, speed = self.shared.settings.demo.speed, "demo driver starting");
        let open = self.engine.send(OpenSession { owner: self.owner, session });
        // Nothing else is handled until the session is open.
        ctx.wait(open.into_actor(self).map(|result, act, ctx| match result {
            Ok(Ok(handle)) => {
                act.session = Some((handle.addr, handle.info));
                act.clock_start = Instant::now();
                ctx.run_interval(TICK, |act, ctx| act.tick(ctx));
            }
            Ok(Err(error)) => act.failure = Some(error),
            Err(_) => act.failure = Some(EngineError::Unavailable("engine".into())),
        }));
    }

    fn stopped(&mut self, _ctx: &mut Context<Self>) {
        if let Some((session, _)) = self.session.take() {
            session.do_send(Finish);
        }
        self.shared.metrics.actor_stopped(actor_kind::DEMO_DRIVER);
    }
}

impl Handler<DemoSession> for DemoDriverActor {
    type Result = Result<SessionInfo, EngineError>;

    fn handle(&mut self, _msg: DemoSession, ctx: &mut Context<Self>) -> Self::Result {
        match (&self.session, &self.failure) {
            (Some((_, info)), _) => Ok(info.clone()),
            (None, Some(error)) => {
                ctx.stop();
                Err(error.clone())
            }
            (None, None) => Err(EngineError::Unavailable("demo session".into())),
        }
    }
}

impl Handler<StopDemoDriver> for DemoDriverActor {
    type Result = ();

    fn handle(&mut self, _msg: StopDemoDriver, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}
