//! A standalone collector loses nothing while its engine is away: it spools to
//! disk for the 30 seconds the server is down and sends everything, in order, when
//! the server is back.

use crate::helpers::{spawn_app, spawn_app_in};
use actix::Actor;
use purplesector_actors::demo_source::{DemoSource, FramesEmitted, StopDemoSource};
use purplesector_actors::metrics::Metrics;
use purplesector_actors::remote_ingest::{GetLinkStatus, RemoteIngest, RemoteIngestConfig, StopLink};
use purplesector_engine::spool::SpoolConfig;
use purplesector_engine::storage::{Store, LOCAL_USER};
use std::time::{Duration, Instant};

#[actix_rt::test]
async fn frames_sent_while_the_server_is_down_for_30_seconds_are_all_stored() {
    let app = spawn_app(|_| {}).await;
    let port = app.port;
    let spool_dir = tempfile::tempdir().unwrap();
    let config = RemoteIngestConfig {
        server: format!("http://127.0.0.1:{port}"),
        token: String::new(),
        spool: SpoolConfig::new(spool_dir.path()),
    };
    let link = RemoteIngest::new(config, Metrics::new()).unwrap().start();
    let source = DemoSource::new(3, 5.0, link.clone().recipient());
    let session_id = source.session_id().to_string();
    let source = source.start();

    // Streaming live...
    let deadline = Instant::now() + Duration::from_secs(30);
    while link.send(GetLinkStatus).await.unwrap().acknowledged_batches < 10 {
        assert!(Instant::now() < deadline, "the collector reaches the engine");
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    }

    // ...the server goes away for 30 seconds while the car keeps lapping...
    let data_dir = app.stop().await;
    let spooled_before = link.send(GetLinkStatus).await.unwrap().spooled_batches;
    actix_rt::time::sleep(Duration::from_secs(30)).await;
    let status = link.send(GetLinkStatus).await.unwrap();
    assert!(!status.connected);
    assert!(status.spooled_batches > spooled_before + 100, "frames went to the spool: {status:?}");

    // ...and comes back on the same address.
    let app = spawn_app_in(data_dir, |settings| settings.server.addr = format!("127.0.0.1:{port}")).await;
    actix_rt::time::sleep(Duration::from_secs(2)).await;
    let emitted = source.send(StopDemoSource).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = link.send(GetLinkStatus).await.unwrap();
        if status.connected && status.queued_batches == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the spool drains: {status:?}");
        actix_rt::time::sleep(Duration::from_millis(200)).await;
    }
    link.send(StopLink).await.unwrap();

    // Every frame is stored, exactly once, and the laps were detected in order.
    let data_dir = app.stop().await;
    let store = Store::open(&data_dir.path().join("purplesector.db")).unwrap();
    assert_eq!(store.count_frames(LOCAL_USER, &session_id).unwrap() as u64, emitted);
    let laps = store.list_laps(LOCAL_USER, &session_id).unwrap().unwrap();
    assert!(!laps.is_empty(), "at 5x real time for ~45 s a lap completed");
    assert!(laps.iter().all(|lap| lap.valid && !lap.out_lap), "{laps:?}");
    let _ = source.send(FramesEmitted).await;
}
