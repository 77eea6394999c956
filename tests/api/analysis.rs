//! The built-in analysis over HTTP: a stored demo lap against the session's best,
//! and the session's theoretical best.

use crate::helpers::spawn_app;
use std::time::{Duration, Instant};

#[actix_rt::test]
async fn a_lap_is_analysed_against_the_sessions_best_and_the_session_gets_its_theoretical_best() {
    let app = spawn_app(|settings| {
        settings.demo.enabled = true;
        settings.demo.seed = 4;
        settings.demo.speed = 60.0;
    })
    .await;
    let (_, sessions) = app.get_json("/api/sessions").await;
    let session_id = sessions["sessions"][0]["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(120);
    let laps = loop {
        let (_, body) = app.get_json(&format!("/api/sessions/{session_id}/laps")).await;
        let laps = body["laps"].as_array().unwrap().clone();
        if laps.len() >= 3 {
            break laps;
        }
        assert!(Instant::now() < deadline, "three laps within two minutes");
        actix_rt::time::sleep(Duration::from_millis(250)).await;
    };

    let lap = &laps[2];
    let (status, body) = app.get_json(&format!("/api/laps/{}/analysis", lap["id"])).await;
    assert_eq!(status, 200, "{body}");
    let reference = &body["reference"];
    let best = laps[..3].iter().filter(|l| l["id"] != lap["id"]).map(|l| l["lap_time_ms"].as_i64().unwrap()).min();
    assert_eq!(reference["lap_time_ms"].as_i64(), best, "the default reference is the session's best other lap");
    let analysis = &body["analysis"];
    assert_eq!(body["track_model"]["corners"].as_array().unwrap().len(), 10, "Purple Park has 10 corners");
    assert_eq!(analysis["corners"].as_array().unwrap().len(), 10);
    let delta = analysis["delta"]["delta_ms"].as_array().unwrap();
    assert!(delta.len() <= 2_000);
    let at_finish = delta.last().unwrap().as_f64().unwrap();
    let difference = (lap["lap_time_ms"].as_i64().unwrap() - best.unwrap()) as f64;
    assert!((at_finish - difference).abs() <= 1.0, "delta at the line {at_finish} vs {difference}");
    let parts: f64 = analysis["segments"].as_array().unwrap().iter().filter_map(|s| s["delta_ms"].as_f64()).sum();
    assert!((parts - difference).abs() <= 1.0, "segments sum to the lap delta: {parts} vs {difference}");

    // Against an explicit reference, and errors.
    let (status, _) = app.get_json(&format!("/api/laps/{}/analysis?reference={}", lap["id"], laps[0]["id"])).await;
    assert_eq!(status, 200);
    let (status, body) = app.get_json(&format!("/api/laps/{}/analysis?reference=999999", lap["id"])).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")));
    let (status, _) = app.get_json("/api/laps/999999/analysis").await;
    assert_eq!(status, 404);

    let (status, body) = app.get_json(&format!("/api/sessions/{session_id}/analysis")).await;
    assert_eq!(status, 200, "{body}");
    let theoretical = body["analysis"]["theoretical_best"]["theoretical_best_ms"].as_f64().unwrap();
    let best_lap = body["analysis"]["theoretical_best"]["best_lap_time_ms"].as_f64().unwrap();
    assert!(theoretical <= best_lap + 0.001 && theoretical > best_lap * 0.95, "{theoretical} vs {best_lap}");
    let (status, _) = app.get_json("/api/sessions/no-such-session/analysis").await;
    assert_eq!(status, 404);
    app.stop().await;
}

/// The track model is stored per user, sim and track, and each lap that counts
/// refines it once, the first time it is analysed; the corners keep their numbers.
#[actix_rt::test]
async fn the_track_model_is_stored_and_refined_once_per_lap() {
    use purplesector_engine::storage::{Store, LOCAL_USER};
    let app = spawn_app(|settings| {
        settings.demo.enabled = true;
        settings.demo.seed = 4;
        settings.demo.speed = 60.0;
    })
    .await;
    let (_, sessions) = app.get_json("/api/sessions").await;
    let session = &sessions["sessions"][0];
    let (session_id, track) =
        (session["id"].as_str().unwrap().to_string(), session["track"].as_str().unwrap().to_string());
    let deadline = Instant::now() + Duration::from_secs(120);
    let counting = loop {
        let (_, body) = app.get_json(&format!("/api/sessions/{session_id}/laps")).await;
        let counting: Vec<serde_json::Value> = body["laps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|lap| lap["valid"] == true && lap["out_lap"] == false && lap["in_lap"] == false)
            .cloned()
            .collect();
        if counting.len() >= 3 {
            break counting;
        }
        assert!(Instant::now() < deadline, "three laps that count within two minutes");
        actix_rt::time::sleep(Duration::from_millis(250)).await;
    };
    let store = Store::open(&app.data_dir.path().join("purplesector.db")).unwrap();
    let stored = |store: &Store| {
        let row = store.track_model(LOCAL_USER, "demo", &track).unwrap().expect("a stored model");
        let model: serde_json::Value = serde_json::from_str(&row.model).unwrap();
        (model["laps"].as_u64().unwrap(), row.through_lap_id)
    };
    let path = |lap: &serde_json::Value, reference: &serde_json::Value| {
        format!("/api/laps/{}/analysis?reference={}", lap["id"], reference["id"])
    };
    let (status, first) = app.get_json(&path(&counting[1], &counting[0])).await;
    assert_eq!(status, 200, "{first}");
    let (laps, through) = stored(&store);
    assert_eq!(laps, 2, "built from the reference and the lap");
    assert_eq!(through, counting[1]["id"].as_i64().unwrap());
    let (_, second) = app.get_json(&path(&counting[2], &counting[0])).await;
    assert_eq!(stored(&store), (3, counting[2]["id"].as_i64().unwrap()), "refined with the new lap only");
    let (_, again) = app.get_json(&path(&counting[2], &counting[1])).await;
    assert_eq!(stored(&store).0, 3, "a lap refines the model once");
    let numbers = |body: &serde_json::Value| -> Vec<(u64, i64)> {
        body["track_model"]["corners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["number"].as_u64().unwrap(), (c["apex"].as_f64().unwrap() / 50.0).round() as i64))
            .collect()
    };
    assert_eq!(numbers(&first).len(), 10);
    assert_eq!(
        numbers(&first).iter().map(|c| c.0).collect::<Vec<_>>(),
        numbers(&again).iter().map(|c| c.0).collect::<Vec<_>>()
    );
    assert_eq!(numbers(&second), numbers(&again), "the same corners, the same numbers");
    app.stop().await;
}
