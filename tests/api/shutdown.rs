//! SIGTERM during ingest: the real binary stops accepting, tells browsers and
//! collectors it is going away, flushes the writer and exits; every frame it
//! acknowledged is in the store.

use awc::ws;
use futures_util::{SinkExt, StreamExt};
use prost::Message as _;
use purplesector_engine::demo::DemoDriver;
use purplesector_engine::storage::{Store, LOCAL_USER};
use purplesector_proto::v1::{ingest_request, ingest_response, IngestRequest, IngestResponse, Sim, TelemetryBatch};
use std::cell::Cell;
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

#[actix_rt::test]
async fn sigterm_during_ingest_keeps_every_acknowledged_frame() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_purplesector"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .env("PURPLESECTOR__LOG__LEVEL", "warn")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let url = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("purplesector listening on http://").map(str::to_string))
        .expect("the server announces its address");

    // A browser, to see it told "going away".
    let (_, mut browser) = awc::Client::new().ws(format!("ws://{url}/ws?format=json")).connect().await.unwrap();

    // A collector streaming as fast as the engine acknowledges.
    let (_, ingest) = awc::Client::new().ws(format!("ws://{url}/ingest")).connect().await.unwrap();
    let (mut sink, mut answers) = ingest.split();
    let acked = Rc::new(Cell::new(0u64));
    let reader = actix_rt::spawn({
        let acked = acked.clone();
        async move {
            let mut close_code = None;
            while let Some(Ok(frame)) = answers.next().await {
                match frame {
                    ws::Frame::Binary(bytes) => {
                        if let Some(ingest_response::Payload::Ack(ack)) = IngestResponse::decode(bytes).unwrap().payload
                        {
                            acked.set(acked.get().max(ack.up_to_seq));
                        }
                    }
                    ws::Frame::Close(reason) => {
                        close_code = reason.map(|reason| reason.code);
                        break;
                    }
                    _ => {}
                }
            }
            close_code
        }
    });
    let mut driver = DemoDriver::new(9);
    let mut sent = 0u64;
    let started = Instant::now();
    let mut terminated = false;
    loop {
        let frames: Vec<_> = (0..120).map(|_| driver.next_frame()).collect();
        sent += frames.len() as u64;
        let batch = TelemetryBatch {
            session_id: "shutdown-test".into(),
            sim: Sim::Demo as i32,
            frames,
            track: "Purple Park".into(),
            ..TelemetryBatch::default()
        };
        let request = IngestRequest { payload: Some(ingest_request::Payload::Batch(batch)) };
        if sink.send(ws::Message::Binary(request.encode_to_vec().into())).await.is_err() {
            break;
        }
        if !terminated && acked.get() >= 20_000 {
            // Mid-stream: the writer holds unflushed frames now.
            let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
            assert!(status.success());
            terminated = true;
        }
        if terminated && reader.is_finished() {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the stream ends after SIGTERM");
        actix_rt::time::sleep(Duration::from_millis(2)).await;
    }
    let close_code = reader.await.unwrap();
    assert_eq!(close_code, Some(ws::CloseCode::Away), "the collector is told the server is going away");

    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server exits within its shutdown deadline");
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "a clean exit: {status}");

    // The browser was told too.
    let mut browser_close = None;
    while let Some(Ok(frame)) = browser.next().await {
        if let ws::Frame::Close(reason) = frame {
            browser_close = reason.map(|reason| reason.code);
            break;
        }
    }
    assert_eq!(browser_close, Some(ws::CloseCode::Away));

    let acknowledged = acked.get();
    assert!(acknowledged >= 20_000 && acknowledged <= sent);
    let store = Store::open(&data.path().join("purplesector.db")).unwrap();
    let stored = store.session_frames(LOCAL_USER, "shutdown-test", 1, acknowledged).unwrap();
    assert_eq!(stored.len() as u64, acknowledged, "every acknowledged frame is stored");
}
