//! Every sim's path from a UDP socket to stored laps: an emulated game (the demo
//! driver's laps in the game's own wire format, over real UDP) talks to a collector
//! inside a real server, and the laps the REST API lists carry the game's times.

use crate::helpers::{spawn_app, TestApp};
use purplesector_actors::collector::LocalAddr;
use purplesector_actors::emulate::{BoundEmulator, EmulatorOptions};
use purplesector_proto::sim_name;
use purplesector_proto::v1::Sim;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const SPEED: f64 = 20.0;
const LAPS: usize = 2;

/// The session the collector opened for `sim`, once it lists `laps` laps.
async fn wait_for_laps(app: &TestApp, sim: Sim, laps: usize) -> (serde_json::Value, Vec<serde_json::Value>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, sessions) = app.get_json("/api/sessions").await;
        let session = sessions["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|session| session["sim"] == sim_name::name(sim))
            .cloned();
        if let Some(session) = session {
            let (_, body) = app.get_json(&format!("/api/sessions/{}/laps", session["id"].as_str().unwrap())).await;
            let stored = body["laps"].as_array().unwrap().clone();
            if stored.len() >= laps {
                return (session, stored);
            }
        }
        assert!(Instant::now() < deadline, "{laps} {sim:?} laps stored within a minute");
        actix_rt::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Starts the app collecting `sim` and an emulated game talking to it.
async fn collect_from_emulated_game(sim: Sim, laps: Option<usize>) -> (TestApp, BoundEmulator) {
    let options =
        EmulatorOptions { sim, bind: "127.0.0.1:0".parse().unwrap(), collector: None, seed: 11, speed: SPEED, laps };
    let mut emulator = BoundEmulator::bind(options.clone()).await.expect("emulator binds");
    let game: SocketAddr = emulator.local_addr().unwrap();
    let app = spawn_app(|settings| {
        settings.collect.sims = sim_name::name(sim).into();
        settings.collect.listen = "127.0.0.1:0".into();
        settings.collect.game = game.to_string();
    })
    .await;
    let collector = app.collectors[0].send(LocalAddr).await.unwrap().expect("collector bound");
    let collector = SocketAddr::from(([127, 0, 0, 1], collector.port()));
    // Listen-only games send to the collector's port.
    if emulator_needs_target(sim) {
        emulator = BoundEmulator::bind(EmulatorOptions { collector: Some(collector), ..options }).await.unwrap();
    }
    (app, emulator)
}

fn emulator_needs_target(sim: Sim) -> bool {
    matches!(sim, Sim::F1 | Sim::Forza | Sim::Outgauge)
}

async fn laps_match_the_game(sim: Sim) {
    let (app, emulator) = collect_from_emulated_game(sim, Some(LAPS)).await;
    let report = emulator.run(std::future::pending()).await.expect("the emulated game runs");
    assert_eq!(report.lap_times_ms.len(), LAPS);

    let (session, laps) = wait_for_laps(&app, sim, LAPS).await;
    assert!(session["track"].as_str().is_some());
    for (lap, true_ms) in laps.iter().zip(&report.lap_times_ms) {
        let stored = lap["lap_time_ms"].as_f64().unwrap();
        assert!((stored - true_ms).abs() <= 17.0, "{sim:?}: stored lap {lap} vs the game's {true_ms} ms");
        assert_eq!(lap["out_lap"], false, "{sim:?}: a rolling start at the line is a timed lap: {lap}");
    }
    app.stop().await;
}

#[actix_rt::test]
async fn assetto_corsa_laps_reach_the_store_with_the_games_times() {
    laps_match_the_game(Sim::AssettoCorsa).await;
}

#[actix_rt::test]
async fn acc_broadcasting_laps_reach_the_store_with_the_games_times() {
    laps_match_the_game(Sim::Acc).await;
}

#[actix_rt::test]
async fn f1_laps_reach_the_store_with_the_games_times() {
    laps_match_the_game(Sim::F1).await;
}

#[actix_rt::test]
async fn forza_laps_reach_the_store_with_the_games_times() {
    laps_match_the_game(Sim::Forza).await;
}

/// OutGauge carries no lap data at all (no counter, no position): its frames are
/// stored and streamed, and laps cannot be told apart.
#[actix_rt::test]
async fn outgauge_frames_reach_a_session() {
    let (app, emulator) = collect_from_emulated_game(Sim::Outgauge, None).await;
    let stop = actix_rt::time::sleep(Duration::from_secs(3));
    let report = emulator.run(stop).await.unwrap();
    assert!(report.frames > 100);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, sessions) = app.get_json("/api/sessions").await;
        let found = sessions["sessions"].as_array().unwrap().iter().any(|session| session["sim"] == "outgauge");
        let body = reqwest_metrics(&app).await;
        let written = body
            .lines()
            .find_map(|line| line.strip_prefix("purplesector_frames_written_total "))
            .and_then(|value| value.trim().parse::<f64>().ok())
            .unwrap_or(0.0);
        if found && written >= report.frames as f64 * 0.95 {
            break;
        }
        assert!(Instant::now() < deadline, "outgauge frames stored: {written} of {}", report.frames);
        actix_rt::time::sleep(Duration::from_millis(200)).await;
    }
    app.stop().await;
}

async fn reqwest_metrics(app: &TestApp) -> String {
    let mut response = app.client().get(format!("{}/metrics", app.address)).send().await.unwrap();
    String::from_utf8_lossy(&response.body().await.unwrap()).into_owned()
}

#[actix_rt::test]
async fn garbage_datagrams_are_counted_and_the_collector_keeps_going() {
    let (app, emulator) = collect_from_emulated_game(Sim::F1, Some(1)).await;
    let collector = app.collectors[0].send(LocalAddr).await.unwrap().unwrap();
    let garbage = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let target = SocketAddr::from(([127, 0, 0, 1], collector.port()));
    for packet in [vec![], vec![0xff; 3], vec![0x41; 1352], vec![0u8; 65_000]] {
        garbage.send_to(&packet, target).await.unwrap();
    }
    let report = emulator.run(std::future::pending()).await.unwrap();
    let (_, laps) = wait_for_laps(&app, Sim::F1, 1).await;
    assert!((laps[0]["lap_time_ms"].as_f64().unwrap() - report.lap_times_ms[0]).abs() <= 17.0);
    let metrics = reqwest_metrics(&app).await;
    let dropped: f64 = metrics
        .lines()
        .filter(|line| line.starts_with("purplesector_sim_packets_dropped_total{") && line.contains("sim=\"f1\""))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert!(dropped >= 3.0, "garbage counted: {dropped}\n{metrics}");
    app.stop().await;
}

/// ACC on the game's PC: the shared-memory pages (written here as a Linux/Proton
/// bridge would) drive the frames, with the physics broadcasting lacks.
#[actix_rt::test]
async fn acc_shared_memory_pages_become_frames_with_physics_channels() {
    use purplesector_engine::demo::{self, DemoDriver};
    use purplesector_engine::sims::{acc, SessionMeta};
    use purplesector_engine::storage::{Store, LOCAL_USER};

    let pages = tempfile::tempdir().unwrap();
    let meta = SessionMeta {
        sim: Sim::Acc,
        track: "monza".into(),
        car: "Demo GT".into(),
        driver: "Demo Driver".into(),
        track_length_m: Some(5793.0),
    };
    let mut driver = DemoDriver::new(5);
    acc::write_pages(pages.path(), &driver.next_frame(), &meta).unwrap();
    let app = spawn_app(|settings| {
        settings.collect.sims = "acc".into();
        settings.collect.listen = "127.0.0.1:0".into();
        // No game answers on this port: broadcasting stays silent.
        settings.collect.game = "127.0.0.1:9".into();
        settings.collect.acc_shared_memory = pages.path().display().to_string();
    })
    .await;
    // The game's physics steps, written in real time at 60 Hz for two seconds.
    for _ in 0..120 {
        acc::write_pages(pages.path(), &driver.next_frame(), &meta).unwrap();
        actix_rt::time::sleep(Duration::from_micros(1_000_000 / demo::SAMPLE_RATE_HZ as u64)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let session = loop {
        let (_, sessions) = app.get_json("/api/sessions").await;
        if let Some(session) = sessions["sessions"].as_array().unwrap().iter().find(|s| s["sim"] == "acc") {
            break session.clone();
        }
        assert!(Instant::now() < deadline, "an ACC session from shared memory");
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(session["track"], "monza");
    let session_id = session["id"].as_str().unwrap().to_string();
    let data_dir = app.stop().await;
    let store = Store::open(&data_dir.path().join("purplesector.db")).unwrap();
    let frames = store.session_frames(LOCAL_USER, &session_id, 1, u64::MAX).unwrap();
    assert!(frames.len() >= 60, "most of the 120 physics steps sampled: {}", frames.len());
    let frame = frames.last().unwrap();
    assert!(frame.rpm > 1000.0 && frame.tyre_temp_c.is_some() && frame.fuel_l.is_some(), "{frame:?}");
    assert!(frames.windows(2).all(|pair| pair[1].session_time_ms > pair[0].session_time_ms));
}
