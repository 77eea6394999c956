//! The MoTeC i2 export over HTTP: a stored demo lap downloads as a `.ld` file that
//! `motec-i2` reads back with the lap's own telemetry; a lap that is not there is
//! the usual JSON 404.

use crate::helpers::spawn_app;
use motec_i2::LDReader;
use std::io::Cursor;
use std::time::{Duration, Instant};

#[actix_rt::test]
async fn a_stored_lap_downloads_as_a_motec_ld_file_of_its_telemetry() {
    let app = spawn_app(|settings| {
        settings.demo.enabled = true;
        settings.demo.speed = 60.0;
    })
    .await;
    let (_, sessions) = app.get_json("/api/sessions").await;
    let session = sessions["sessions"][0].clone();
    let session_id = session["id"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let lap = loop {
        let (_, body) = app.get_json(&format!("/api/sessions/{session_id}/laps")).await;
        if let Some(lap) = body["laps"].as_array().unwrap().first() {
            break lap.clone();
        }
        assert!(Instant::now() < deadline, "a lap within two minutes");
        actix_rt::time::sleep(Duration::from_millis(250)).await;
    };
    let lap_id = lap["id"].as_i64().unwrap();

    let mut response = app.client().get(format!("{}/api/laps/{lap_id}/export.ld", app.address)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let header = |name: &str| response.headers().get(name).unwrap().to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "application/octet-stream");
    assert_eq!(
        header("content-disposition"),
        format!("attachment; filename=\"Purple_Park-Demo_GT-lap{}.ld\"", lap["lap_number"])
    );
    let bytes = response.body().limit(64 << 20).await.unwrap().to_vec();

    let mut source = Cursor::new(bytes);
    let mut reader = LDReader::new(&mut source);
    let file_header = reader.read_header().unwrap();
    assert_eq!(file_header.venue, "Purple Park");
    assert_eq!(file_header.vehicleid, "Demo GT");
    assert_eq!(file_header.driver, "local", "the caller's username");
    assert_eq!(file_header.session, session["name"].as_str().unwrap());
    let event = reader.read_event().unwrap().unwrap();
    assert_eq!(event.name, session["name"].as_str().unwrap());
    let channels = reader.read_channels().unwrap();
    let names: Vec<&str> = channels.iter().map(|channel| channel.name.as_str()).collect();
    for name in ["Ground Speed", "Throttle Pos", "Brake Pos", "Steering Pos", "Gear", "Engine RPM", "Lap Distance"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }

    let (status, telemetry) = app.get_json(&format!("/api/laps/{lap_id}/telemetry")).await;
    assert_eq!(status, 200);
    let expected: Vec<f64> =
        telemetry["channels"]["speed_kmh"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let speed = channels.iter().find(|channel| channel.name == "Ground Speed").unwrap();
    assert_eq!(speed.unit, "km/h");
    assert_eq!(speed.sample_rate, 60, "the demo's 60 Hz, from session_time_ms");
    assert_eq!(speed.data_count as usize, expected.len(), "one sample per frame");
    let samples = reader.channel_data(speed).unwrap();
    for (index, (sample, want)) in samples.iter().zip(&expected).enumerate() {
        let got = sample.decode_f64(speed);
        // Stored as f32, the frames' own precision.
        assert!((got - want).abs() <= want.abs().max(1.0) * 1e-6, "sample {index}: {got} vs {want}");
    }

    let mut missing = app.client().get(format!("{}/api/laps/999999/export.ld", app.address)).send().await.unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found", "{body}");
    app.stop().await;
}
