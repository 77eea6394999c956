//! The lap state machine: one lap in progress, at most one finished lap waiting for
//! the sim's official time, and the previous frame.
//!
//! Each accepted frame is checked, in this order, for a session restart, the sim's
//! official time of a held lap, a teleport, and a line crossing; then its flags are
//! applied to the lap in progress. The rules live in the functions that apply them,
//! each with the reason it exists.

use purplesector_proto::v1::TelemetryFrame;

use super::crossing::{self, Step};
use super::sample::Sample;
use super::seqs::{Seen, SeqWindow};
use super::{AbandonReason, CompletedLap, LapDetectorConfig, LapEvent, Outcome};

/// How long, in sim time after the crossing, a finished lap waits for the sim's own
/// lap time. Sims publish it on the crossing frame or a few frames later; a second
/// covers the slow ones without holding the lap list back noticeably.
pub const OFFICIAL_TIME_GRACE_MS: f64 = 1_000.0;

/// A lap must have covered at least this fraction of the track before a crossing
/// ends it. Reversing over the line and back, or jitter around it, crosses the line
/// without driving a lap; half a lap tells them apart from every real lap.
const MIN_PROGRESS: f64 = 0.5;

/// A timed lap shorter than this is not a lap: a backstop against a lap counter or
/// position that bounces at the line. No real circuit is lapped this fast.
const MIN_LAP_MS: f64 = 5_000.0;

/// A first frame this close to the line (fraction of a lap, or metres), with the
/// sim's timer under [`AT_LINE_TIMER_MS`], is a rolling start: the lap is timed.
const AT_LINE_POSITION: f64 = 0.02;
/// See [`AT_LINE_POSITION`].
const AT_LINE_DISTANCE_M: f64 = 5.0;
/// See [`AT_LINE_POSITION`].
const AT_LINE_TIMER_MS: u32 = 100;

/// The sim clock going back more than this means the session restarted; less is
/// clock jitter, treated as a pause.
const RESTART_CLOCK_BACK_MS: f64 = 1_000.0;
/// A lap counter that drops while the sim's lap timer is below this means the
/// session restarted; a drop with a running timer is a counter glitch.
const RESTART_TIMER_MS: u32 = 1_000;

/// A world-position step longer than `max(TELEPORT_MARGIN_M, TELEPORT_SPEED_FACTOR ×
/// speed × dt)` cannot have been driven. The margin absorbs sims that report
/// positions coarsely or with dt = 0 (pause); the factor absorbs speed changes.
const TELEPORT_MARGIN_M: f64 = 50.0;
/// See [`TELEPORT_MARGIN_M`].
const TELEPORT_SPEED_FACTOR: f64 = 3.0;

/// When the crossing is known only from the lap counter, the sim's timer tells how
/// long ago its own lap started, if it is this small (it was just reset).
const TIMER_AT_LINE_MAX_MS: u32 = 1_000;

/// The sim's lap time is taken when it is within this much of the interpolated
/// one, or [`OFFICIAL_TOLERANCE_SHARE`] of it, whichever is larger. A value further
/// off is the sim timing a different stretch (an out-lap it started elsewhere, a
/// stale value), and would contradict the lap's own frames.
const OFFICIAL_TOLERANCE_MS: f64 = 1_000.0;
/// See [`OFFICIAL_TOLERANCE_MS`].
const OFFICIAL_TOLERANCE_SHARE: f64 = 0.05;

/// Where a lap begins, which decides how its progress is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// At a crossing of the line: a position near 1 is just behind the line.
    Line,
    /// Wherever the first frame finds the car (session start, restart, teleport): a
    /// position near 1 is almost a lap done, so the out-lap ends at the line ahead.
    Anywhere,
}

/// The lap being driven.
#[derive(Debug, Clone)]
struct Lap {
    number: u32,
    first_seq: u64,
    start_ms: f64,
    start: Start,
    out_lap: bool,
    in_lap: bool,
    invalid: bool,
    /// Laps of progress since the lap's origin, unwrapped (0.5 = half way, 1 = at
    /// the line again); None until a frame of the lap has a usable position.
    progress: Option<f64>,
    /// Metres driven in the lap, integrated from speed over sim time.
    distance_m: f64,
}

impl Lap {
    /// Progress of a lap whose first usable position is `position`.
    fn initial_progress(start: Start, position: f64) -> f64 {
        match start {
            Start::Line if position > crossing::WRAP_HIGH => position - 1.0,
            _ => position,
        }
    }
}

/// A finished lap waiting for the sim's official time.
#[derive(Debug, Clone)]
struct Held {
    lap: CompletedLap,
    crossing_ms: f64,
    /// The sim's last lap time before the crossing: the previous lap's, not this one's.
    official_before: Option<u32>,
}

/// The last frame with a usable position.
#[derive(Debug, Clone, Copy)]
struct Placed {
    position: f64,
    time_ms: f64,
    speed_ms: f64,
}

/// Detects laps in one session's frames. Holds a handful of scalars: memory does
/// not grow with laps or frames.
#[derive(Debug, Clone)]
pub struct LapDetector {
    track_length_m: Option<f64>,
    seqs: SeqWindow,
    last: Option<Sample>,
    last_placed: Option<Placed>,
    /// The latest non-zero `last_lap_time_ms` seen.
    last_official: Option<u32>,
    /// Whether the sim's positions have ever moved. A sim that reports a constant
    /// position (or none) gives no progress, and its lap counter alone must decide.
    positions_move: bool,
    lap: Option<Lap>,
    held: Option<Held>,
}

impl LapDetector {
    pub fn new(config: LapDetectorConfig) -> Self {
        LapDetector {
            track_length_m: config.track_length_m.filter(|m| m.is_finite() && *m > 0.0),
            seqs: SeqWindow::default(),
            last: None,
            last_placed: None,
            last_official: None,
            positions_move: false,
            lap: None,
            held: None,
        }
    }

    /// Feeds one frame, in arrival order.
    pub fn push(&mut self, frame: &TelemetryFrame) -> Outcome {
        match self.seqs.observe(frame.seq) {
            Seen::Duplicate => return Outcome::Duplicate,
            Seen::Late => return Outcome::Late,
            Seen::New => {}
        }
        let sample = Sample::from_frame(frame, self.last.as_ref().map(|last| last.time_ms));
        let mut events = Vec::new();
        match self.last.take() {
            Some(prev) => self.advance(&prev, &sample, &mut events),
            None => {
                let out_lap = !at_line(&sample);
                self.start_anywhere(&sample, out_lap, &mut events);
            }
        }
        if let Some(position) = sample.position {
            self.last_placed = Some(Placed { position, time_ms: sample.time_ms, speed_ms: sample.speed_ms });
        }
        if sample.last_lap_ms.is_some() {
            self.last_official = sample.last_lap_ms;
        }
        self.last = Some(sample);
        Outcome::Accepted { events }
    }

    /// seq of the first frame of the lap in progress; None before any frame. (The
    /// frame that abandons a lap starts the next one, so after the first frame there
    /// is always a lap in progress.)
    pub fn current_lap_first_seq(&self) -> Option<u64> {
        self.lap.as_ref().map(|lap| lap.first_seq)
    }

    /// Releases a finished lap still waiting for the sim's official time, with its
    /// interpolated time. For the end of a stream: without it, a lap finished in the
    /// last second of a session would never be reported.
    pub fn flush(&mut self) -> Vec<LapEvent> {
        let mut events = Vec::new();
        self.release_held(&mut events);
        events
    }

    /// One frame after the first.
    fn advance(&mut self, prev: &Sample, cur: &Sample, events: &mut Vec<LapEvent>) {
        if is_restart(prev, cur) {
            self.release_held(events);
            self.abandon(prev, AbandonReason::SessionRestart, events);
            self.start_anywhere(cur, !at_line(cur), events);
            return;
        }
        self.resolve_held(cur, events);

        let step = match (self.last_placed, cur.position) {
            (Some(placed), Some(position)) => Some((placed, Step::between(placed.position, position))),
            _ => None,
        };
        if self.teleported(prev, cur, step) {
            self.release_held(events);
            self.abandon(prev, AbandonReason::Teleport, events);
            self.start_anywhere(cur, true, events);
            return;
        }
        if step.is_some_and(|(_, step)| step.delta.abs() > f64::EPSILON) {
            self.positions_move = true;
        }

        let Some(lap) = self.lap.as_mut() else {
            // Unreachable after the first frame; start afresh rather than panic.
            self.start_anywhere(cur, true, events);
            return;
        };
        let dt_ms = (cur.time_ms - prev.time_ms).max(0.0);
        lap.distance_m += (prev.speed_ms + cur.speed_ms) / 2.0 * dt_ms / 1000.0;
        let progress_before = lap.progress;
        lap.progress = match (lap.progress, step, cur.position) {
            (Some(progress), Some((_, step)), _) => Some(progress + step.delta),
            (None, _, Some(position)) => Some(Lap::initial_progress(lap.start, position)),
            (progress, _, _) => progress,
        };

        if let Some(crossing_ms) = self.crossing(prev, cur, progress_before, step) {
            self.complete(prev, cur, crossing_ms, events);
            return;
        }

        let Some(lap) = self.lap.as_mut() else { return };
        if cur.lap_number != prev.lap_number {
            // A counter change that is not a crossing: the sim catching up after a
            // wrap (late increment), or a glitch. The lap is known by the sim's count.
            lap.number = cur.lap_number;
        }
        if cur.in_pit && !prev.in_pit {
            // Entering the pit lane ends the run: the lap is an in-lap.
            lap.in_lap = true;
        }
        lap.invalid |= cur.lap_invalid;
    }

    /// The sim time at which the car crossed the line to end the lap in progress, if
    /// it did between `prev` and `cur`.
    ///
    /// Two signals can say so. The position wrapping forward over the line is the
    /// primary one: every sim reports position, and it places the crossing in time.
    /// The lap counter incrementing covers sims whose positions are missing or
    /// coarse. Either one counts only once the lap has covered most of the track, so
    /// when both fire a few frames apart (a counter lagging the wrap, or leading
    /// it), the second finds a lap that has barely begun and is ignored: one
    /// crossing, one lap.
    fn crossing(
        &self,
        prev: &Sample,
        cur: &Sample,
        progress_before: Option<f64>,
        step: Option<(Placed, Step)>,
    ) -> Option<f64> {
        let lap = self.lap.as_ref()?;
        let line = step.and_then(|(placed, step)| step.line_fraction.map(|fraction| (placed, fraction)));
        let by_position = line.is_some() && progress_before.is_some_and(|progress| progress >= MIN_PROGRESS);
        let by_counter = cur.lap_number > prev.lap_number && self.covered_most_of(lap);
        if !by_position && !by_counter {
            return None;
        }
        let crossing_ms = match line {
            Some((placed, fraction)) => crossing::interpolate(placed.time_ms, cur.time_ms, fraction),
            None => counter_crossing_ms(cur, lap.start_ms),
        };
        // Out-laps are exempt: a car that starts just behind the line has a short
        // out-lap, and its first timed lap must start at the line it reaches.
        if !lap.out_lap && crossing_ms - lap.start_ms < MIN_LAP_MS {
            return None;
        }
        Some(crossing_ms)
    }

    /// Whether the lap in progress has covered enough of the track for the lap
    /// counter to end it: by position, by distance when the track length is known,
    /// or trivially when the sim's positions carry no information.
    fn covered_most_of(&self, lap: &Lap) -> bool {
        let by_position = lap.progress.is_some_and(|progress| progress >= MIN_PROGRESS);
        let by_distance = self.track_length_m.is_some_and(|length| lap.distance_m >= length * MIN_PROGRESS);
        let positions_uninformative = !self.positions_move || lap.progress.is_none();
        by_position || by_distance || positions_uninformative
    }

    /// Whether the car moved from `prev` to `cur` further than it could have driven.
    ///
    /// A car reset, a "return to pits" or a jump to another spot on track leaves a
    /// lap with a hole in it: its time means nothing. The world position is checked
    /// against how far the car could go at its speed; the normalized position, which
    /// every sim has, catches jumps of more than a tenth of a lap that are not a
    /// wrap, unless the track length is known and a gap between frames explains them.
    fn teleported(&self, prev: &Sample, cur: &Sample, step: Option<(Placed, Step)>) -> bool {
        let reach_m = |from_ms: f64, speed_ms: f64| {
            let dt_s = (cur.time_ms - from_ms).max(0.0) / 1000.0;
            (TELEPORT_SPEED_FACTOR * speed_ms.max(cur.speed_ms) * dt_s).max(TELEPORT_MARGIN_M)
        };
        let world_jump =
            prev.world_distance_m(cur).is_some_and(|distance| distance > reach_m(prev.time_ms, prev.speed_ms));
        let position_jump = step.is_some_and(|(placed, step)| {
            step.jump
                && !self.track_length_m.is_some_and(|length| {
                    step.delta.abs() * length <= reach_m(placed.time_ms, placed.speed_ms.max(prev.speed_ms))
                })
        });
        world_jump || position_jump
    }

    /// Ends the lap in progress at `crossing_ms` and starts the next one with `cur`.
    fn complete(&mut self, prev: &Sample, cur: &Sample, crossing_ms: f64, events: &mut Vec<LapEvent>) {
        let Some(lap) = self.lap.take() else { return };
        let finished = CompletedLap {
            lap_number: lap.number,
            lap_time_ms: duration_ms(crossing_ms - lap.start_ms),
            official_time: false,
            valid: !(lap.invalid || lap.in_lap || lap.out_lap),
            out_lap: lap.out_lap,
            in_lap: lap.in_lap,
            first_seq: lap.first_seq,
            last_seq: prev.seq,
        };
        // Laps complete in order: one still held gives up waiting.
        self.release_held(events);
        self.held = Some(Held { lap: finished, crossing_ms, official_before: self.last_official });
        // The sim's time may be on the crossing frame itself.
        self.resolve_held(cur, events);

        // A sim that has not incremented its counter yet will; one that never does
        // still gets laps numbered in order.
        let number = cur.lap_number.max(lap.number.saturating_add(1));
        // A lap that begins in the pit lane is an out-lap.
        let out_lap = cur.in_pit;
        self.lap = Some(Lap {
            number,
            first_seq: cur.seq,
            start_ms: crossing_ms,
            start: Start::Line,
            out_lap,
            in_lap: false,
            invalid: cur.lap_invalid,
            progress: cur.position.map(|position| Lap::initial_progress(Start::Line, position)),
            distance_m: 0.0,
        });
        events.push(LapEvent::Started { lap_number: number, first_seq: cur.seq, out_lap });
    }

    /// Starts a lap with `cur` away from a crossing: the first frame, or after an
    /// abandon. A timed lap (rolling start) began when the sim's timer says it did.
    fn start_anywhere(&mut self, cur: &Sample, out_lap: bool, events: &mut Vec<LapEvent>) {
        let out_lap = out_lap || cur.in_pit;
        let start_ms = if out_lap { cur.time_ms } else { cur.time_ms - f64::from(cur.lap_timer_ms) };
        self.lap = Some(Lap {
            number: cur.lap_number,
            first_seq: cur.seq,
            start_ms,
            start: Start::Anywhere,
            out_lap,
            in_lap: false,
            invalid: cur.lap_invalid,
            progress: cur.position.map(|position| Lap::initial_progress(Start::Anywhere, position)),
            distance_m: 0.0,
        });
        // Positions before the jump say nothing about steps after it.
        self.last_placed = None;
        events.push(LapEvent::Started { lap_number: cur.lap_number, first_seq: cur.seq, out_lap });
    }

    /// Drops the lap in progress; `prev` was its last frame.
    fn abandon(&mut self, prev: &Sample, reason: AbandonReason, events: &mut Vec<LapEvent>) {
        if let Some(lap) = self.lap.take() {
            events.push(LapEvent::Abandoned { first_seq: lap.first_seq, last_seq: prev.seq, reason });
        }
    }

    /// Completes the held lap if `cur` carries the sim's time for it, or if the sim
    /// has had its grace period to publish one.
    ///
    /// A `last_lap_time_ms` equal to the one before the crossing is the previous
    /// lap's; the held lap's is the first value that differs. Once the sim publishes
    /// a new value there is nothing more to wait for: it is used if it agrees with
    /// the interpolated time, and the interpolated time is used otherwise.
    fn resolve_held(&mut self, cur: &Sample, events: &mut Vec<LapEvent>) {
        let Some(held) = self.held.as_ref() else { return };
        if let Some(official) = cur.last_lap_ms.filter(|ms| Some(*ms) != held.official_before) {
            let Some(mut held) = self.held.take() else { return };
            let interpolated = f64::from(held.lap.lap_time_ms);
            let tolerance = OFFICIAL_TOLERANCE_MS.max(interpolated * OFFICIAL_TOLERANCE_SHARE);
            if (f64::from(official) - interpolated).abs() <= tolerance {
                held.lap.lap_time_ms = official;
                held.lap.official_time = true;
            }
            events.push(LapEvent::Completed(held.lap));
        } else if cur.time_ms - held.crossing_ms > OFFICIAL_TIME_GRACE_MS {
            self.release_held(events);
        }
    }

    /// Completes the held lap, if any, with its interpolated time.
    fn release_held(&mut self, events: &mut Vec<LapEvent>) {
        if let Some(held) = self.held.take() {
            events.push(LapEvent::Completed(held.lap));
        }
    }
}

/// Whether the sim's session started again between `prev` and `cur`.
///
/// The sim clock only stops (pause) or runs forward within a session, so a clock
/// that jumps back, or a lap counter that drops while the sim's lap timer is near
/// zero, is a new session: the lap in progress will never be finished.
fn is_restart(prev: &Sample, cur: &Sample) -> bool {
    let clock_back = prev.time_ms - cur.time_ms > RESTART_CLOCK_BACK_MS;
    let counter_reset = cur.lap_number < prev.lap_number && cur.lap_timer_ms < RESTART_TIMER_MS;
    clock_back || counter_reset
}

/// Whether a lap starting with `sample` starts at the line with the sim's timer at
/// zero: a rolling start whose lap is fully timed. Any other first lap started
/// somewhere round the track (or the timer was running) and is an out-lap.
fn at_line(sample: &Sample) -> bool {
    let near_line = sample.position.is_some_and(|position| position < AT_LINE_POSITION)
        || sample.lap_distance_m.is_some_and(|distance| distance < AT_LINE_DISTANCE_M);
    near_line && sample.lap_timer_ms < AT_LINE_TIMER_MS && !sample.in_pit
}

/// The crossing time when only the lap counter saw the line: the sim's own lap start
/// (`session_time - current_lap_time`) when its timer was just reset and the result
/// falls inside the lap, else the frame's time.
fn counter_crossing_ms(cur: &Sample, lap_start_ms: f64) -> f64 {
    let sim_start_ms = cur.time_ms - f64::from(cur.lap_timer_ms);
    if cur.lap_timer_ms <= TIMER_AT_LINE_MAX_MS && sim_start_ms > lap_start_ms {
        sim_start_ms
    } else {
        cur.time_ms
    }
}

/// A duration in ms as a lap time: rounded, 0 when negative or not a number,
/// saturating at `u32::MAX`.
fn duration_ms(ms: f64) -> u32 {
    let rounded = ms.round();
    if rounded > 0.0 {
        // `as` saturates at u32::MAX.
        rounded as u32
    } else {
        0
    }
}
