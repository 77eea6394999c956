//! The game's side of a sim's UDP protocol, driven by the demo driver: what
//! `purplesector emulate SIM` runs and what the collector tests talk to.
//!
//! The protocol itself is `purplesector_engine::sims::SimEmulator` (pure bytes);
//! this is only its socket and clock. For sims the collector must talk to first
//! (AC's handshake, ACC's registration) the synthetic car waits on the grid until
//! a collector has subscribed, so the first lap is a whole one from the line.

use purplesector_engine::demo::{self, DemoDriver};
use purplesector_engine::sims::{self, SessionMeta, Transport};
use purplesector_proto::sim_name;
use purplesector_proto::v1::{Sim, TelemetryFrame};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::UdpSocket;

/// What to emulate and how fast.
#[derive(Debug, Clone)]
pub struct EmulatorOptions {
    pub sim: Sim,
    /// The emulated game's own socket (AC listens on 9996, ACC on 9000).
    pub bind: SocketAddr,
    /// Where a listen-only sim's game sends (the collector's port).
    pub collector: Option<SocketAddr>,
    pub seed: u64,
    /// Multiple of real time.
    pub speed: f64,
    /// Stop after this many completed laps (None: run until stopped).
    pub laps: Option<usize>,
}

/// What the emulated game did.
#[derive(Debug, Clone, Default)]
pub struct EmulatorReport {
    pub frames: u64,
    /// The demo driver's exact lap times, in order.
    pub lap_times_ms: Vec<f64>,
}

/// A bound emulator, ready to run.
pub struct BoundEmulator {
    options: EmulatorOptions,
    socket: UdpSocket,
}

/// At most this many frames per tick, so a stalled process catches up in steps
/// instead of flooding the collector's socket buffer.
const MAX_FRAMES_PER_TICK: u64 = 32;
const TICK: Duration = Duration::from_millis(5);

impl BoundEmulator {
    pub async fn bind(options: EmulatorOptions) -> std::io::Result<BoundEmulator> {
        if sims::transport(options.sim).is_none() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("no emulator for sim {}", sim_name::name(options.sim)),
            ));
        }
        let socket = UdpSocket::bind(options.bind).await.map_err(|error| {
            std::io::Error::new(error.kind(), format!("binding the emulator's UDP socket {}: {error}", options.bind))
        })?;
        Ok(BoundEmulator { options, socket })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Runs until the configured laps are done or `stop` resolves.
    pub async fn run(self, stop: impl std::future::Future<Output = ()>) -> std::io::Result<EmulatorReport> {
        let BoundEmulator { options, socket } = self;
        let transport = sims::transport(options.sim).expect("checked in bind");
        let mut driver = DemoDriver::new(options.seed);
        let meta = SessionMeta {
            sim: options.sim,
            track: demo::TRACK_NAME.into(),
            car: demo::CAR_NAME.into(),
            driver: "Demo Driver".into(),
            track_length_m: Some(driver.track().length_m() as f32),
        };
        let mut emulator = sims::emulator(options.sim, &meta).expect("checked in bind");
        let mut peer: Option<SocketAddr> = match transport {
            Transport::Listen { .. } => options.collector,
            Transport::RequestReply { .. } => None,
        };
        let mut next: TelemetryFrame = driver.next_frame();
        let mut streaming = false;
        let mut clock = Instant::now();
        let mut sent: u64 = 0;
        let mut laps_done_at: Option<u64> = None;
        let mut buffer = vec![0u8; 65_536];
        let mut ticker = tokio::time::interval(TICK);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                received = socket.recv_from(&mut buffer) => {
                    let (len, from) = match received {
                        Ok(received) => received,
                        Err(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => continue,
                        Err(error) => return Err(error),
                    };
                    if matches!(transport, Transport::RequestReply { .. }) {
                        peer = Some(from);
                    }
                    for reply in emulator.receive(&buffer[..len]) {
                        let _ = socket.send_to(&reply, from).await;
                    }
                }
                _ = ticker.tick() => {
                    let Some(target) = peer else { continue };
                    if !streaming {
                        // On the grid until the collector listens.
                        let packets = emulator.frame(&next, &meta);
                        if packets.is_empty() {
                            continue;
                        }
                        for packet in packets {
                            let _ = socket.send_to(&packet, target).await;
                        }
                        streaming = true;
                        clock = Instant::now();
                        sent = 1;
                        next = driver.next_frame();
                        continue;
                    }
                    let due = (clock.elapsed().as_secs_f64() * options.speed * demo::SAMPLE_RATE_HZ) as u64 + 1;
                    for _ in 0..due.saturating_sub(sent).min(MAX_FRAMES_PER_TICK) {
                        for packet in emulator.frame(&next, &meta) {
                            let _ = socket.send_to(&packet, target).await;
                        }
                        sent += 1;
                        next = driver.next_frame();
                    }
                    // After the last lap, two more seconds on track: the game reports
                    // the lap's time in the frames after the line.
                    if let Some(laps) = options.laps {
                        if driver.completed_lap_times_ms().len() >= laps {
                            let done_at = *laps_done_at.get_or_insert(sent);
                            if sent >= done_at + 2 * demo::SAMPLE_RATE_HZ as u64 {
                                break;
                            }
                        }
                    }
                }
            }
        }
        let laps = options.laps.unwrap_or(usize::MAX).min(driver.completed_lap_times_ms().len());
        Ok(EmulatorReport { frames: sent, lap_times_ms: driver.completed_lap_times_ms()[..laps].to_vec() })
    }
}
