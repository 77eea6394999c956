//! Actor tests: the actors talk to each other through their real messages, over a
//! real SQLite store in a temporary directory; a recording actor plays the viewer.

use crate::db_writer::{DbWriter, Flush, RecordLap, WriteFrames};
use crate::engine::{Engine, GetStatus};
use crate::metrics::Metrics;
use crate::session::{BusFrames, IngestFrames, PanicOnNextBatch};
use crate::shared::{Shared, SharedRef};
use crate::user::{ConnectViewer, LiveSessionIds, OpenSession, SessionHandle, Subscribe};
use crate::viewer::{ViewerEvent, ViewerId};
use actix::prelude::*;
use purplesector_engine::config::Settings;
use purplesector_engine::storage::{FrameRecord, NewLap, NewSession, Store, LOCAL_USER};
use purplesector_proto::v1::{Sim, TelemetryFrame};
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct Harness {
    _dir: tempfile::TempDir,
    shared: SharedRef,
    db: Addr<DbWriter>,
    engine: Addr<Engine>,
}

fn harness(adjust: impl FnOnce(&mut Settings)) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::default();
    settings.storage.data_dir = dir.path().to_path_buf();
    adjust(&mut settings);
    let store = Store::open(&settings.sqlite_path()).unwrap();
    let shared = Arc::new(Shared::new(settings, store, Metrics::new()));
    let db = DbWriter::new(shared.clone()).start();
    let engine = Engine::new(shared.clone(), db.clone()).start();
    Harness { _dir: dir, shared, db, engine }
}

/// A viewer that records what it is sent.
struct Recorder(Arc<Mutex<Vec<ViewerEvent>>>);

impl Actor for Recorder {
    type Context = Context<Self>;
}

impl Handler<ViewerEvent> for Recorder {
    type Result = ();
    fn handle(&mut self, event: ViewerEvent, _ctx: &mut Context<Self>) {
        self.0.lock().unwrap().push(event);
    }
}

fn recorder() -> (Addr<Recorder>, Arc<Mutex<Vec<ViewerEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    (Recorder(events.clone()).start(), events)
}

/// Live (non catch-up) frame seqs a viewer got for one session.
fn live_seqs(events: &Mutex<Vec<ViewerEvent>>, session: &str) -> Vec<u64> {
    events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|event| match event {
            ViewerEvent::Frames { session_id, frames, catch_up: false } if &**session_id == session => {
                Some(frames.iter().map(|frame| frame.seq).collect::<Vec<_>>())
            }
            _ => None,
        })
        .flatten()
        .collect()
}

/// Frames of a car going round a 1 km lap at 50 m/s, 60 Hz.
fn frames(seqs: std::ops::RangeInclusive<u64>) -> Vec<TelemetryFrame> {
    seqs.map(|seq| {
        let time_ms = (seq - 1) as f64 * 1000.0 / 60.0;
        let distance = (time_ms / 1000.0 * 50.0) % 1000.0;
        TelemetryFrame {
            seq,
            session_time_ms: time_ms,
            current_lap_time_ms: ((time_ms % 20_000.0) as u32),
            lap_number: (time_ms / 20_000.0) as u32,
            normalized_position: (distance / 1000.0) as f32,
            lap_distance_m: Some(distance as f32),
            speed_kmh: 180.0,
            ..Default::default()
        }
    })
    .collect()
}

async fn open(h: &Harness, id: &str) -> SessionHandle {
    let session = NewSession {
        id: id.into(),
        name: id.into(),
        sim: Sim::Demo,
        track: "test".into(),
        car: "test".into(),
        track_length_m: Some(1000.0),
    };
    h.engine.send(OpenSession { owner: LOCAL_USER, session }).await.unwrap().unwrap()
}

async fn settle() {
    actix_rt::time::sleep(Duration::from_millis(50)).await;
}

#[actix_rt::test]
async fn a_crash_in_one_session_leaves_another_streaming() {
    let h = harness(|_| {});
    let a = open(&h, "session-a").await;
    let b = open(&h, "session-b").await;
    let (viewer, events) = recorder();
    let id = ViewerId::next();
    h.engine.send(ConnectViewer { owner: LOCAL_USER, viewer: id, recipient: viewer.recipient() }).await.unwrap();
    for session in ["session-a", "session-b"] {
        h.engine.send(Subscribe { owner: LOCAL_USER, viewer: id, session_id: session.into() }).await.unwrap().unwrap();
    }

    a.addr.send(IngestFrames(frames(1..=60))).await.unwrap().unwrap();
    b.addr.send(IngestFrames(frames(1..=60))).await.unwrap().unwrap();
    a.addr.send(PanicOnNextBatch).await.unwrap();
    // This batch crashes session A's handler.
    a.addr.send(IngestFrames(frames(61..=120))).await.unwrap().unwrap();
    b.addr.send(IngestFrames(frames(61..=120))).await.unwrap().unwrap();
    // Both keep streaming afterwards; A was restarted with the same mailbox.
    a.addr.send(IngestFrames(frames(121..=180))).await.unwrap().unwrap();
    b.addr.send(IngestFrames(frames(121..=180))).await.unwrap().unwrap();
    settle().await;

    assert_eq!(live_seqs(&events, "session-b"), (1..=180).collect::<Vec<_>>(), "B lost nothing");
    let a_seqs = live_seqs(&events, "session-a");
    assert_eq!(a_seqs, (1..=60).chain(121..=180).collect::<Vec<_>>(), "A resumed after its restart");
    let restarts = h.shared.metrics.actor_restarts.with_label_values(&["session"]).get();
    assert_eq!(restarts, 1);
    // The crashed batch's frames were still stored.
    h.db.send(Flush).await.unwrap();
    assert_eq!(h.shared.store.count_frames(LOCAL_USER, "session-a").unwrap(), 180);
    assert_eq!(h.shared.store.count_frames(LOCAL_USER, "session-b").unwrap(), 180);
}

#[actix_rt::test]
async fn a_subscriber_gets_the_lap_so_far_then_live_frames_in_order() {
    let h = harness(|_| {});
    let a = open(&h, "s").await;
    a.addr.send(IngestFrames(frames(1..=100))).await.unwrap().unwrap();
    let (viewer, events) = recorder();
    let id = ViewerId::next();
    h.engine.send(ConnectViewer { owner: LOCAL_USER, viewer: id, recipient: viewer.recipient() }).await.unwrap();
    h.engine.send(Subscribe { owner: LOCAL_USER, viewer: id, session_id: "s".into() }).await.unwrap().unwrap();
    a.addr.send(IngestFrames(frames(101..=110))).await.unwrap().unwrap();
    settle().await;
    let events = events.lock().unwrap();
    let seqs: Vec<(bool, u64)> = events
        .iter()
        .filter_map(|event| match event {
            ViewerEvent::Frames { frames, catch_up, .. } => {
                Some(frames.iter().map(|f| (*catch_up, f.seq)).collect::<Vec<_>>())
            }
            _ => None,
        })
        .flatten()
        .collect();
    let expected: Vec<(bool, u64)> =
        (1..=100).map(|seq| (true, seq)).chain((101..=110).map(|seq| (false, seq))).collect();
    assert_eq!(seqs, expected);
}

#[actix_rt::test]
async fn a_burst_of_bus_batches_reaches_a_viewer_whole_in_a_few_messages() {
    let h = harness(|_| {});
    let a = open(&h, "burst").await;
    // The recorder's mailbox holds 16 messages (actix's default) and runs on this
    // thread: it cannot take any while the session works through the burst.
    let (viewer, events) = recorder();
    let id = ViewerId::next();
    h.engine.send(ConnectViewer { owner: LOCAL_USER, viewer: id, recipient: viewer.recipient() }).await.unwrap();
    h.engine.send(Subscribe { owner: LOCAL_USER, viewer: id, session_id: "burst".into() }).await.unwrap().unwrap();
    // 51 batches of 10 frames land in the session's mailbox at once, as when a
    // bridge takes a slow fetch's worth of records from the bus.
    for first in (1..=500).step_by(10) {
        a.addr.do_send(BusFrames(frames(first..=first + 9)));
    }
    a.addr.send(BusFrames(frames(501..=510))).await.unwrap().unwrap();
    settle().await;

    assert_eq!(live_seqs(&events, "burst"), (1..=510).collect::<Vec<_>>(), "every frame, in order");
    assert_eq!(h.shared.metrics.frames_dropped.with_label_values(&["viewer_mailbox_full"]).get(), 0);
    let messages = events.lock().unwrap().iter().filter(|event| matches!(event, ViewerEvent::Frames { .. })).count();
    assert!(messages <= 6, "51 batches went out as {messages} messages (catch-up included)");
}

#[actix_rt::test]
async fn another_users_session_cannot_be_followed() {
    let h = harness(|_| {});
    let (viewer, _events) = recorder();
    let id = ViewerId::next();
    h.engine.send(ConnectViewer { owner: LOCAL_USER, viewer: id, recipient: viewer.recipient() }).await.unwrap();
    let missing = h.engine.send(Subscribe { owner: LOCAL_USER, viewer: id, session_id: "nope".into() }).await.unwrap();
    assert!(matches!(missing, Err(crate::engine::EngineError::NotFound(_))), "{missing:?}");
}

#[actix_rt::test]
async fn the_writer_flushes_at_batch_size_or_after_the_interval() {
    let h = harness(|settings| {
        settings.writer.batch_frames = 10;
        settings.writer.flush_interval_ms = 100;
    });
    open(&h, "w").await;
    let records = |seqs| {
        frames(seqs)
            .into_iter()
            .map(|frame| FrameRecord { owner: LOCAL_USER, session_id: Arc::from("w"), frame })
            .collect::<Vec<_>>()
    };
    h.db.send(WriteFrames(records(1..=25))).await.unwrap();
    settle().await;
    // A full batch went at once; the rest waits for the interval.
    let early = h.shared.store.count_frames(LOCAL_USER, "w").unwrap();
    assert!(early >= 10, "flushed at batch size, stored {early}");
    actix_rt::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(h.shared.store.count_frames(LOCAL_USER, "w").unwrap(), 25, "the remainder flushed on time");

    // A lap is answered only once it and the frames before it are stored.
    h.db.send(WriteFrames(records(26..=30))).await.unwrap();
    let lap = NewLap {
        session_id: "w".into(),
        lap_number: 1,
        lap_time_ms: 20_000,
        official_time: false,
        valid: true,
        out_lap: false,
        in_lap: false,
        first_seq: 1,
        last_seq: 30,
    };
    let (stored, session) = h.db.send(RecordLap { owner: LOCAL_USER, lap }).await.unwrap().unwrap().unwrap();
    assert_eq!(stored.lap_time_ms, 20_000);
    assert_eq!(session.lap_count, 1);
    assert_eq!(h.shared.store.count_frames(LOCAL_USER, "w").unwrap(), 30);
    assert_eq!(h.shared.metrics.frames_written.get(), 30);
}

#[actix_rt::test]
async fn an_idle_session_stops_being_live_and_an_idle_user_is_retired() {
    let h = harness(|settings| settings.session.idle_timeout_s = 1);
    let session = open(&h, "idle").await;
    session.addr.send(IngestFrames(frames(1..=10))).await.unwrap().unwrap();
    drop(session);
    let live = h.engine.send(LiveSessionIds { owner: LOCAL_USER }).await.unwrap();
    assert!(live.contains("idle"));
    assert_eq!(h.engine.send(GetStatus).await.unwrap().active_users, 1);
    actix_rt::time::sleep(Duration::from_millis(1_500)).await;
    assert!(h.engine.send(LiveSessionIds { owner: LOCAL_USER }).await.unwrap().is_empty());
    assert_eq!(h.engine.send(GetStatus).await.unwrap().active_users, 0, "the user actor was retired");
    assert_eq!(h.shared.metrics.actors_alive.with_label_values(&["session"]).get(), 0);
    assert_eq!(h.shared.metrics.actors_alive.with_label_values(&["user"]).get(), 0);
}

#[actix_rt::test]
async fn a_batch_too_large_is_refused_and_counted() {
    let h = harness(|settings| settings.session.max_batch_frames = 50);
    let session = open(&h, "big").await;
    let refused = session.addr.send(IngestFrames(frames(1..=51))).await.unwrap();
    assert!(matches!(refused, Err(crate::session::IngestError::TooLarge { max: 50, got: 51 })));
    assert_eq!(h.shared.metrics.frames_dropped.with_label_values(&["rejected"]).get(), 51);
    let accepted = session.addr.send(IngestFrames(frames(1..=50))).await.unwrap().unwrap();
    assert_eq!(accepted.accepted, 50);
    // Re-delivered frames are recognised as duplicates.
    let again = session.addr.send(IngestFrames(frames(41..=50))).await.unwrap().unwrap();
    assert_eq!(again.duplicates, 10);
}

#[actix_rt::test]
async fn a_new_viewer_hears_of_at_most_fifty_live_sessions_newest_first() {
    let h = harness(|_| {});
    let opened: Vec<String> = (0..crate::user::MAX_LIVE_SESSIONS_ON_CONNECT + 5).map(|i| format!("s-{i:03}")).collect();
    for id in &opened {
        open(&h, id).await;
    }
    let (viewer, _) = recorder();
    let live = h
        .engine
        .send(ConnectViewer { owner: LOCAL_USER, viewer: ViewerId::next(), recipient: viewer.recipient() })
        .await
        .unwrap();
    assert_eq!(live.len(), crate::user::MAX_LIVE_SESSIONS_ON_CONNECT);
    let ids: std::collections::HashSet<&str> = live.iter().map(|session| session.id.as_str()).collect();
    assert_eq!(ids.len(), live.len(), "no session twice");
    assert!(ids.iter().all(|id| opened.iter().any(|opened| opened == id)));
    assert!(live.windows(2).all(|pair| pair[0].started_at_ms >= pair[1].started_at_ms), "newest first");
}
