//! One test per lap-detection rule, driven by a simulated car whose true lap times
//! are known exactly, so every assertion compares against the truth.

use super::*;
use purplesector_proto::v1::{TelemetryFrame, Vec3};
use std::f64::consts::TAU;

/// 60 Hz.
const FRAME_MS: f64 = 1000.0 / 60.0;
const TRACK_M: f64 = 4_000.0;
/// The car's exact lap time: not a multiple of the frame interval, so the line
/// falls between frames.
const LAP_MS: f64 = 83_456.7;
/// Lap times must be this close to the truth.
const TOLERANCE_MS: f64 = 2.0;

/// A car going round a circular track at constant speed, reporting 60 frames a
/// second the way a sim does.
#[derive(Debug, Clone)]
struct Car {
    seq: u64,
    time_ms: f64,
    /// Laps driven from the line, unwrapped: 2.25 is a quarter into the third lap.
    laps: f64,
    /// Laps per frame; negative when reversing.
    rate: f64,
    /// Frames by which the sim's lap counter and lap timer lag the line (negative:
    /// lead it, the sim's timing line being just before position 0).
    counter_lag: i32,
}

impl Car {
    fn at(laps: f64) -> Car {
        Car { seq: 1, time_ms: 0.0, laps, rate: FRAME_MS / LAP_MS, counter_lag: 0 }
    }

    /// The frame the sim reports now.
    fn frame(&self) -> TelemetryFrame {
        let position = self.laps.rem_euclid(1.0);
        let sim_laps = (self.laps - f64::from(self.counter_lag) * self.rate.abs()).max(0.0);
        let radius = TRACK_M / TAU;
        let angle = position * TAU;
        TelemetryFrame {
            seq: self.seq,
            session_time_ms: self.time_ms,
            current_lap_time_ms: (sim_laps.fract() * LAP_MS) as u32,
            lap_number: sim_laps.floor() as u32,
            normalized_position: position as f32,
            lap_distance_m: Some((position * TRACK_M) as f32),
            speed_kmh: (TRACK_M / LAP_MS * 3_600.0) as f32,
            world_position: Some(Vec3 { x: (radius * angle.cos()) as f32, y: 0.0, z: (radius * angle.sin()) as f32 }),
            ..Default::default()
        }
    }

    /// One frame later.
    fn advance(&mut self) {
        self.seq += 1;
        self.time_ms += FRAME_MS;
        self.laps += self.rate;
    }
}

/// A detector fed by a car, recording every event.
struct Rig {
    detector: LapDetector,
    car: Car,
    events: Vec<LapEvent>,
}

impl Rig {
    fn new(car: Car) -> Rig {
        Rig { detector: LapDetector::new(LapDetectorConfig { track_length_m: Some(TRACK_M) }), car, events: Vec::new() }
    }

    fn push(&mut self, frame: &TelemetryFrame) -> Outcome {
        let outcome = self.detector.push(frame);
        if let Outcome::Accepted { events } = &outcome {
            self.events.extend(events.iter().cloned());
        }
        outcome
    }

    /// Pushes the car's frame, edited, and moves the car on; returns the events.
    fn tick(&mut self, edit: impl Fn(&Car, &mut TelemetryFrame)) -> Vec<LapEvent> {
        let mut frame = self.car.frame();
        edit(&self.car, &mut frame);
        self.car.advance();
        match self.push(&frame) {
            Outcome::Accepted { events } => events,
            other => panic!("frame {} not accepted: {other:?}", frame.seq),
        }
    }

    /// Drives (either way) until the car reaches `laps`.
    fn drive_to(&mut self, laps: f64) {
        self.drive_to_with(laps, |_, _| {});
    }

    fn drive_to_with(&mut self, laps: f64, edit: impl Fn(&Car, &mut TelemetryFrame)) {
        while (self.car.rate > 0.0 && self.car.laps < laps) || (self.car.rate < 0.0 && self.car.laps > laps) {
            self.tick(&edit);
        }
    }

    /// `frames` frames with the sim clock and the car stopped: the game is paused.
    fn pause(&mut self, frames: usize) -> Vec<LapEvent> {
        let mut events = Vec::new();
        for _ in 0..frames {
            let frame = self.car.frame();
            self.car.seq += 1;
            match self.push(&frame) {
                Outcome::Accepted { events: new } => events.extend(new),
                other => panic!("paused frame not accepted: {other:?}"),
            }
        }
        events
    }

    fn completed(&self) -> Vec<CompletedLap> {
        self.events
            .iter()
            .filter_map(|event| match event {
                LapEvent::Completed(lap) => Some(lap.clone()),
                _ => None,
            })
            .collect()
    }

    fn abandoned(&self) -> Vec<(u64, u64, AbandonReason)> {
        self.events
            .iter()
            .filter_map(|event| match event {
                LapEvent::Abandoned { first_seq, last_seq, reason } => Some((*first_seq, *last_seq, *reason)),
                _ => None,
            })
            .collect()
    }

    fn started(&self) -> Vec<(u32, u64, bool)> {
        self.events
            .iter()
            .filter_map(|event| match event {
                LapEvent::Started { lap_number, first_seq, out_lap } => Some((*lap_number, *first_seq, *out_lap)),
                _ => None,
            })
            .collect()
    }
}

fn assert_true_time(lap: &CompletedLap) {
    let error = (f64::from(lap.lap_time_ms) - LAP_MS).abs();
    assert!(error < TOLERANCE_MS, "lap {} took {} ms, true {LAP_MS} ms", lap.lap_number, lap.lap_time_ms);
}

fn assert_timed_laps(laps: &[CompletedLap], count: usize) {
    assert_eq!(laps.len(), count, "{laps:#?}");
    for (index, lap) in laps.iter().enumerate() {
        assert_eq!(lap.lap_number, index as u32);
        assert!(lap.valid && !lap.out_lap && !lap.in_lap, "{lap:?}");
        assert_true_time(lap);
    }
    for pair in laps.windows(2) {
        assert_eq!(pair[1].first_seq, pair[0].last_seq + 1, "laps are contiguous");
    }
}

#[test]
fn lap_counter_boundary() {
    let mut rig = Rig::new(Car::at(0.0));
    assert_eq!(rig.detector.current_lap_first_seq(), None);
    let first = rig.tick(|_, _| {});
    assert_eq!(first, vec![LapEvent::Started { lap_number: 0, first_seq: 1, out_lap: false }]);
    assert_eq!(rig.detector.current_lap_first_seq(), Some(1));
    rig.drive_to(3.05);
    let laps = rig.completed();
    assert_timed_laps(&laps, 3);
    assert_eq!(laps[0].first_seq, 1);
    assert!(laps.iter().all(|lap| !lap.official_time));
    let started: Vec<u32> = rig.started().iter().map(|(number, _, _)| *number).collect();
    assert_eq!(started, vec![0, 1, 2, 3]);
    assert_eq!(rig.detector.current_lap_first_seq(), Some(laps[2].last_seq + 1));
}

#[test]
fn lap_counter_boundary_without_positions_uses_the_sim_timer() {
    // A sim with no usable position: the counter alone finds the line, and the
    // sim's timer (reset at its line) says when it was crossed.
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to_with(3.05, |_, frame| {
        frame.normalized_position = 0.0;
        frame.lap_distance_m = None;
    });
    assert_timed_laps(&rig.completed(), 3);
}

#[test]
fn normalized_position_wrap_without_lap_counter() {
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to_with(3.05, |_, frame| frame.lap_number = 0);
    assert_timed_laps(&rig.completed(), 3);
}

#[test]
fn late_lap_counter_counts_one_lap() {
    for lag in 1..=3 {
        let mut rig = Rig::new(Car { counter_lag: lag, ..Car::at(0.0) });
        rig.drive_to(3.05);
        assert_timed_laps(&rig.completed(), 3);
        let started: Vec<u32> = rig.started().iter().map(|(number, _, _)| *number).collect();
        assert_eq!(started, vec![0, 1, 2, 3], "lag {lag}");
    }
}

#[test]
fn early_lap_counter_counts_one_lap() {
    for lead in 1..=3 {
        let mut rig = Rig::new(Car { counter_lag: -lead, ..Car::at(0.0) });
        rig.drive_to(3.05);
        assert_timed_laps(&rig.completed(), 3);
    }
}

#[test]
fn interpolated_crossing_is_within_two_ms() {
    // Starts mid-lap, so both ends of every timed lap are interpolated crossings.
    let mut rig = Rig::new(Car::at(0.37));
    rig.drive_to(4.05);
    let laps = rig.completed();
    assert_eq!(laps.len(), 4);
    for lap in &laps[1..] {
        assert!(lap.valid && !lap.official_time);
        assert_true_time(lap);
    }
}

/// The sim's own time for lap `n` (0-based), a few ms off the true one so the test
/// can tell which was used.
fn official_ms(lap: u32) -> u32 {
    83_460 + lap
}

/// Reports the sim's time for each finished lap `delay_frames` after the line.
fn reporting_official(delay_frames: u32) -> impl Fn(&Car, &mut TelemetryFrame) {
    move |car, frame| {
        let finished = (car.laps - f64::from(delay_frames) * car.rate).floor();
        frame.last_lap_time_ms = (finished >= 1.0).then(|| official_ms(finished as u32 - 1));
    }
}

#[test]
fn official_time_on_the_crossing_frame() {
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to_with(2.0, reporting_official(0));
    let crossing = rig.tick(reporting_official(0));
    assert!(
        matches!(
            &crossing[..],
            [LapEvent::Completed(lap), LapEvent::Started { lap_number: 2, .. }] if lap.lap_number == 1
        ),
        "Completed, then Started: {crossing:?}"
    );
    let laps = rig.completed();
    assert_eq!(laps.len(), 2);
    for lap in &laps {
        assert!(lap.official_time && lap.valid);
        assert_eq!(lap.lap_time_ms, official_ms(lap.lap_number));
    }
}

#[test]
fn official_time_a_few_frames_after_the_crossing() {
    for delay in [1, 20, 55] {
        let mut rig = Rig::new(Car::at(0.0));
        rig.drive_to_with(3.05, reporting_official(delay));
        let laps = rig.completed();
        assert_eq!(laps.len(), 3, "delay {delay}");
        for lap in &laps {
            assert!(lap.official_time && lap.valid, "delay {delay}: {lap:?}");
            assert_eq!(lap.lap_time_ms, official_ms(lap.lap_number));
        }
        // Held for the official time: the next lap's Started comes first, and the
        // lap keeps its own frames.
        let started_1 = rig.events.iter().position(|e| matches!(e, LapEvent::Started { lap_number: 1, .. }));
        let completed_0 = rig.events.iter().position(|e| matches!(e, LapEvent::Completed(lap) if lap.lap_number == 0));
        assert!(started_1 < completed_0, "delay {delay}: {:?}", rig.events);
        let (_, lap_1_first, _) = rig.started()[1];
        assert_eq!(laps[0].last_seq + 1, lap_1_first);
    }
}

#[test]
fn official_time_after_the_grace_period_is_not_used() {
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to_with(3.05, reporting_official(90));
    let laps = rig.completed();
    assert_eq!(laps.len(), 3);
    for lap in &laps {
        assert!(!lap.official_time);
        assert_true_time(lap);
    }
}

#[test]
fn unchanged_official_time_is_the_previous_laps() {
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to_with(2.05, |_, frame| frame.last_lap_time_ms = Some(70_000));
    let laps = rig.completed();
    assert_eq!(laps.len(), 2);
    for lap in &laps {
        assert!(!lap.official_time);
        assert_true_time(lap);
    }
}

#[test]
fn out_lap_when_the_first_frame_is_mid_track() {
    let mut rig = Rig::new(Car::at(0.37));
    rig.drive_to(2.05);
    assert_eq!(rig.started()[0], (0, 1, true));
    let laps = rig.completed();
    assert_eq!(laps.len(), 2);
    assert!(laps[0].out_lap && !laps[0].valid && !laps[0].in_lap);
    assert_eq!((laps[0].lap_number, laps[0].first_seq), (0, 1));
    assert!(!laps[1].out_lap && laps[1].valid);
    assert_true_time(&laps[1]);
}

#[test]
fn rolling_start_at_the_line_is_a_timed_lap() {
    // 0.1 % into the lap: 4 m past the line, the sim's timer at 83 ms.
    let mut rig = Rig::new(Car::at(0.001));
    rig.drive_to(1.05);
    assert_eq!(rig.started()[0], (0, 1, false));
    let laps = rig.completed();
    assert_eq!(laps.len(), 1);
    assert!(laps[0].valid && !laps[0].out_lap);
    assert_true_time(&laps[0]);
}

#[test]
fn first_lap_from_the_pit_is_an_out_lap() {
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to_with(2.05, |car, frame| frame.in_pit = car.laps < 0.05);
    assert_eq!(rig.started()[0], (0, 1, true));
    let laps = rig.completed();
    assert_eq!(laps.len(), 2);
    assert!(laps[0].out_lap && !laps[0].valid && !laps[0].in_lap);
    assert!(laps[1].valid);
}

#[test]
fn entering_the_pit_makes_an_in_lap() {
    let mut rig = Rig::new(Car::at(0.0));
    // Into the pit lane at 80 % of lap 1, out of it 10 % into lap 2.
    rig.drive_to_with(4.05, |car, frame| frame.in_pit = (1.8..2.1).contains(&car.laps));
    let laps = rig.completed();
    assert_eq!(laps.len(), 4);
    assert!(laps[0].valid);
    assert!(laps[1].in_lap && !laps[1].out_lap && !laps[1].valid, "{:?}", laps[1]);
    assert!(laps[2].out_lap && !laps[2].in_lap && !laps[2].valid, "began in the pit lane: {:?}", laps[2]);
    assert!(laps[3].valid);
}

#[test]
fn invalid_flag_invalidates_the_lap() {
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to_with(3.05, |car, frame| frame.lap_invalid = (1.4..1.45).contains(&car.laps));
    let valid: Vec<bool> = rig.completed().iter().map(|lap| lap.valid).collect();
    assert_eq!(valid, vec![true, false, true]);
}

#[test]
fn paused_game_accrues_no_time() {
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to(1.5);
    assert_eq!(rig.pause(300), vec![]);
    rig.drive_to(2.05);
    assert_timed_laps(&rig.completed(), 2);
}

#[test]
fn session_restart_abandons_the_lap_in_progress() {
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to(1.6);
    let (_, lap_1_first, _) = rig.started()[1];
    // The sim restarts the session: clock, counter, timer and car back to zero.
    rig.car.time_ms = 0.0;
    rig.car.laps = 0.0;
    let restart_seq = rig.car.seq;
    let events = rig.tick(|_, _| {});
    assert_eq!(
        events,
        vec![
            LapEvent::Abandoned {
                first_seq: lap_1_first,
                last_seq: restart_seq - 1,
                reason: AbandonReason::SessionRestart
            },
            LapEvent::Started { lap_number: 0, first_seq: restart_seq, out_lap: false },
        ]
    );
    assert_eq!(rig.detector.current_lap_first_seq(), Some(restart_seq));
    rig.drive_to(1.05);
    let laps = rig.completed();
    assert_eq!(laps.len(), 2, "lap 0 before the restart and lap 0 after it");
    assert_eq!(laps[1].first_seq, restart_seq);
    assert!(laps[1].valid);
    assert_true_time(&laps[1]);
}

#[test]
fn lap_counter_reset_is_a_session_restart() {
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to(2.6);
    // The sim clock keeps running, but the counter and timer drop to zero.
    rig.car.laps = 0.0;
    rig.drive_to(1.05);
    assert_eq!(rig.abandoned().len(), 1);
    assert_eq!(rig.abandoned()[0].2, AbandonReason::SessionRestart);
    let laps = rig.completed();
    assert_eq!(laps.len(), 3);
    assert!(laps[2].valid && laps[2].lap_number == 0);
    assert_true_time(&laps[2]);
}

/// Checks a teleport at `teleport_seq`: the lap is abandoned, an out-lap starts, and
/// the lap after the out-lap is timed again.
fn assert_teleport(rig: &Rig, teleport_seq: u64) {
    let abandoned = rig.abandoned();
    assert_eq!(abandoned.len(), 1, "{:?}", rig.events);
    assert_eq!((abandoned[0].1, abandoned[0].2), (teleport_seq - 1, AbandonReason::Teleport));
    assert!(rig.started().contains(&(1, teleport_seq, true)), "{:?}", rig.started());
    let laps = rig.completed();
    assert_eq!(laps.len(), 3, "{laps:#?}");
    assert!(laps[1].out_lap && !laps[1].valid && laps[1].first_seq == teleport_seq);
    assert!(laps[2].valid);
    assert_true_time(&laps[2]);
}

#[test]
fn world_position_jump_is_a_teleport() {
    let mut rig = Rig::new(Car::at(0.0));
    let moved = |car: &Car, frame: &mut TelemetryFrame| {
        if car.laps >= 1.3 {
            if let Some(position) = frame.world_position.as_mut() {
                position.x += 500.0;
            }
        }
    };
    rig.drive_to_with(1.3, moved);
    let teleport_seq = rig.car.seq;
    rig.drive_to_with(3.05, moved);
    assert_teleport(&rig, teleport_seq);
}

#[test]
fn normalized_position_jump_is_a_teleport() {
    let mut rig = Rig::new(Car::at(0.0));
    let no_world = |_: &Car, frame: &mut TelemetryFrame| frame.world_position = None;
    rig.drive_to_with(1.3, no_world);
    rig.car.laps = 1.6;
    let teleport_seq = rig.car.seq;
    rig.drive_to_with(3.05, no_world);
    assert_teleport(&rig, teleport_seq);
}

#[test]
fn reset_to_the_pits_is_a_teleport() {
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to(1.3);
    // "Return to pits": the car appears in its pit box near the end of the lap.
    rig.car.laps = 1.92;
    let teleport_seq = rig.car.seq;
    rig.drive_to_with(3.05, |car, frame| frame.in_pit = car.laps < 1.95);
    assert_teleport(&rig, teleport_seq);
}

#[test]
fn duplicate_and_late_frames_are_ignored() {
    let car = Car::at(0.0);
    let mut frames: Vec<TelemetryFrame> = Vec::new();
    let mut source = car.clone();
    for _ in 0..200 {
        frames.push(source.frame());
        source.advance();
    }
    let mut rig = Rig::new(car);
    for frame in &frames[..10] {
        assert!(matches!(rig.push(frame), Outcome::Accepted { .. }));
    }
    assert_eq!(rig.push(&frames[9]), Outcome::Duplicate);
    assert_eq!(rig.push(&frames[4]), Outcome::Duplicate);
    // seq 12 arrives before seq 11.
    assert!(matches!(rig.push(&frames[11]), Outcome::Accepted { .. }));
    assert_eq!(rig.push(&frames[10]), Outcome::Late);
    assert_eq!(rig.push(&frames[10]), Outcome::Duplicate, "a late frame delivered again");
    // A frame from before the session's first one, never seen.
    let mut early = frames[0];
    early.seq = 0;
    assert_eq!(rig.push(&early), Outcome::Late);
    assert_eq!(rig.push(&early), Outcome::Duplicate);
    // Far behind the newest frame: older than the remembered window.
    for frame in &frames[12..] {
        rig.push(frame);
    }
    assert_eq!(rig.push(&frames[1]), Outcome::Late);
    // None of it changed the lap: one lap in progress since seq 1, no other event.
    assert_eq!(rig.detector.current_lap_first_seq(), Some(1));
    assert_eq!(rig.events, vec![LapEvent::Started { lap_number: 0, first_seq: 1, out_lap: false }]);
}

#[test]
fn reversing_across_the_line_is_not_a_lap() {
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to(1.02);
    rig.car.rate = -rig.car.rate;
    rig.drive_to(0.98);
    rig.car.rate = -rig.car.rate;
    rig.drive_to(1.05);
    assert_eq!(rig.completed().len(), 1, "only lap 0: {:?}", rig.completed());
    rig.drive_to(2.05);
    let laps = rig.completed();
    assert_eq!(laps.len(), 2);
    assert_eq!(laps[1].lap_number, 1);
    assert!(rig.abandoned().is_empty());
}

#[test]
fn jitter_around_the_line_is_not_a_lap() {
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to(0.9995);
    for step in 0..60 {
        rig.car.laps = if step % 2 == 0 { 1.0005 } else { 0.9995 };
        rig.tick(|_, _| {});
    }
    rig.car.laps = 1.0005;
    rig.drive_to(1.05);
    assert_eq!(rig.completed().len(), 1);
    assert_eq!(rig.started().len(), 2);
}

#[test]
fn lap_counter_bounce_shortly_after_a_lap_is_not_a_lap() {
    // Positions unusable, so only the minimum lap time stands between a counter
    // glitch 2.5 s into the lap and a bogus lap.
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to_with(2.05, |car, frame| {
        frame.normalized_position = 0.0;
        frame.lap_distance_m = None;
        if (1.03..1.035).contains(&car.laps) {
            frame.lap_number = 2;
        }
    });
    let laps = rig.completed();
    assert_timed_laps(&laps, 2);
}

#[test]
fn flush_releases_a_held_lap() {
    let mut rig = Rig::new(Car::at(0.0));
    rig.drive_to(1.001);
    assert!(rig.completed().is_empty(), "held for the sim's time");
    let flushed = rig.detector.flush();
    assert!(matches!(&flushed[..], [LapEvent::Completed(lap)] if lap.valid && lap.lap_number == 0));
    assert_eq!(rig.detector.flush(), vec![]);
}

/// A small deterministic generator for the garbage test.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// True with probability 1 in `n` (`next` yields 31 random bits).
    fn one_in(&mut self, n: u64) -> bool {
        self.next() < (1 << 31) / n
    }

    fn pick<T: Copy>(&mut self, values: &[T]) -> T {
        values[self.next() as usize % values.len()]
    }
}

#[test]
fn garbage_frames_do_not_panic() {
    let times = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, 0.0, 0.5, 2.0, 90_000.0, f64::MAX, -1e300];
    let floats = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -0.5, 0.0, 0.05, 0.5, 0.95, 1.0, 1.5, f32::MAX];
    let counts = [0, 1, 2, 1_000, u32::MAX];
    let mut random = Lcg(7);
    let mut detector = LapDetector::new(LapDetectorConfig { track_length_m: Some(f64::NAN) });
    let (mut seq, mut newest) = (0u64, 0u64);
    for _ in 0..20_000 {
        seq = match random.next() % 10 {
            0 => 0,
            1 => seq.saturating_sub(random.next() % 300),
            2 => seq + random.next() % 1_000,
            _ => seq + 1,
        };
        newest = newest.max(seq);
        let frame = TelemetryFrame {
            seq,
            session_time_ms: random.pick(&times),
            current_lap_time_ms: random.pick(&counts),
            lap_number: random.pick(&counts),
            normalized_position: random.pick(&floats),
            lap_distance_m: Some(random.pick(&floats)).filter(|_| random.one_in(2)),
            speed_kmh: random.pick(&floats),
            world_position: Some(Vec3 { x: random.pick(&floats), y: 0.0, z: random.pick(&floats) }),
            in_pit: random.one_in(5),
            lap_invalid: random.one_in(5),
            last_lap_time_ms: Some(random.pick(&counts)).filter(|_| random.one_in(2)),
            best_lap_time_ms: Some(random.pick(&counts)),
            ..Default::default()
        };
        if let Outcome::Accepted { events } = detector.push(&frame) {
            for event in events {
                match event {
                    LapEvent::Completed(CompletedLap { first_seq, last_seq, .. })
                    | LapEvent::Abandoned { first_seq, last_seq, .. } => assert!(first_seq <= last_seq),
                    LapEvent::Started { first_seq, .. } => assert_eq!(first_seq, frame.seq),
                }
            }
        }
        assert!(detector.current_lap_first_seq().is_some());
    }
    detector.flush();

    // Clean frames afterwards are timed correctly again.
    let mut rig = Rig { detector, car: Car { seq: newest + 1, ..Car::at(0.0) }, events: Vec::new() };
    rig.drive_to(3.05);
    let last = rig.completed().pop().expect("laps after the garbage");
    assert!(last.valid && !last.out_lap, "{last:?}");
    assert_true_time(&last);

    // The largest seq there is, and whatever follows it.
    let mut detector = LapDetector::new(LapDetectorConfig::default());
    let frame = TelemetryFrame { seq: u64::MAX, ..Default::default() };
    assert!(matches!(detector.push(&frame), Outcome::Accepted { .. }));
    assert_eq!(detector.push(&frame), Outcome::Duplicate);
    assert_eq!(detector.push(&TelemetryFrame { seq: 0, ..Default::default() }), Outcome::Late);
}
