//! The demo driver: drives the car around the track, lap after lap, a little
//! differently each time, and turns its state into 60 Hz telemetry frames.
//!
//! Real laps are never identical: braking points move by a few metres, corner
//! speeds by a percent or two, and now and then the driver locks a wheel, brakes
//! far too early or runs wide. The platform's lap detection, comparison and
//! coaching need that variation to have something to show, and their tests need it
//! reproducible, so every choice comes from a ChaCha8 generator seeded by the
//! caller: the same seed gives the same frames, bit for bit.
//!
//! Motion is exact for the model: between two table rows the profile has constant
//! acceleration, so the position after a frame's 1/60 s and the instant the car
//! crosses the line are solved in closed form, not integrated with a fixed step.

use super::car::{pedals, CarParams, Gearbox, Load, ProfileInputs, SpeedProfile, Thermals, DEMO_GT, FL, FR, G, RL, RR};
use super::track::{wrap_angle, DemoTrack};
use super::SAMPLE_RATE_HZ;
use purplesector_proto::v1::{TelemetryFrame, Vec3, Wheels};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::f64::consts::TAU;

/// The first laps are always clean, so every demo session starts with valid,
/// comparable laps.
const CLEAN_LAPS: u32 = 2;
/// Chance of a mistake on any later lap.
const MISTAKE_CHANCE: f64 = 0.2;
/// Chance that running wide is judged off track (the lap is invalidated).
const OFF_TRACK_INVALIDATES: f64 = 0.5;
/// Fractions of the limits the driver uses, `(nominal, ± spread)`: corner speed,
/// braking (lower brakes a few metres earlier) and traction out of corners.
const CORNER_SPEED: (f64, f64) = (0.985, 0.012);
const BRAKING: (f64, f64) = (0.93, 0.04);
const EXIT_TRACTION: (f64, f64) = (0.95, 0.04);
/// Time a mistake costs, seconds (drawn uniformly).
const MISTAKE_COST_S: (f64, f64) = (0.5, 1.3);
/// Bisection steps when sizing a mistake (the cost is then within ~1 ms).
const MISTAKE_BISECTIONS: usize = 12;
/// How far past a corner's end its exit (traction) lasts, metres.
const EXIT_ZONE_M: f64 = 120.0;
/// Only corners this tight or tighter have a braking zone worth a mistake.
const BRAKING_CORNER_MAX_RADIUS_M: f64 = 130.0;
/// Faster corners are taken flat out: there is no running wide there.
const RUN_WIDE_MAX_RADIUS_M: f64 = 200.0;
/// Below this the driver tops the tank up as the car crosses the line (the demo
/// has no pit lane).
const LOW_FUEL_L: f64 = 5.0;

/// What went wrong on a lap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MistakeKind {
    /// Brakes late, locks the fronts and scrubs off too much speed.
    LockUp,
    /// Brakes far too early and coasts to the corner.
    EarlyBrake,
    /// Carries too much speed, runs wide on the exit with two wheels off and has to
    /// lift.
    RunWide,
}

#[derive(Debug, Clone, Copy)]
struct Mistake {
    corner: usize,
    kind: MistakeKind,
    /// 0..1: how bad, solved so the mistake costs the drawn time.
    intensity: f64,
    /// Where the lap becomes invalid, when the mistake is judged off track.
    invalid_from_m: Option<f64>,
}

/// The driver's intent for one corner on one lap (fractions of the car's limits).
#[derive(Debug, Clone, Copy)]
struct CornerIntent {
    speed: f64,
    brake: f64,
    exit: f64,
}

/// The synthetic driver: a seeded, endless source of 60 Hz frames on Purple Park.
#[derive(Debug, Clone)]
pub struct DemoDriver {
    track: DemoTrack,
    car: CarParams,
    rng: ChaCha8Rng,
    intents: Vec<CornerIntent>,
    mistake: Option<Mistake>,
    inputs: ProfileInputs,
    profile: SpeedProfile,
    /// Frames emitted so far (the last frame's seq).
    seq: u64,
    /// Sim time of the car's state, seconds.
    time_s: f64,
    /// Table interval the car is in, metres into it, and speed (m/s).
    interval: usize,
    into_interval_m: f64,
    speed: f64,
    lap_start_s: f64,
    lap_times_ms: Vec<f64>,
    gearbox: Gearbox,
    thermals: Thermals,
}

impl DemoDriver {
    /// A driver at the start/finish line with a rolling start, at the speed it
    /// will carry over the line on later laps.
    pub fn new(seed: u64) -> Self {
        let track = DemoTrack::new();
        let car = DEMO_GT;
        let corners = track.corners().len();
        let nominal = CornerIntent { speed: CORNER_SPEED.0, brake: BRAKING.0, exit: EXIT_TRACTION.0 };
        let mut driver = DemoDriver {
            inputs: ProfileInputs::new(track.intervals()),
            profile: SpeedProfile::new(&track),
            gearbox: Gearbox { gear: 1 },
            thermals: Thermals::new(&car),
            track,
            car,
            rng: ChaCha8Rng::seed_from_u64(seed),
            intents: vec![nominal; corners],
            mistake: None,
            seq: 0,
            time_s: 0.0,
            interval: 0,
            into_interval_m: 0.0,
            speed: 0.0,
            lap_start_s: 0.0,
            lap_times_ms: Vec::new(),
        };
        // The speed over the line: drive the nominal lap until its end speed settles.
        driver.apply_intents();
        let mut line_speed = driver.car.max_speed_ms / 2.0;
        for _ in 0..3 {
            driver.profile.compute(&driver.track, &driver.car, &driver.inputs, line_speed);
            line_speed = driver.profile.speed.last().copied().unwrap_or(line_speed);
        }
        driver.speed = line_speed;
        driver.plan_lap(0);
        driver.gearbox = Gearbox::new(&driver.car, driver.speed);
        driver
    }

    /// The track being lapped.
    pub fn track(&self) -> &DemoTrack {
        &self.track
    }

    /// Exact sim times (ms) of the laps completed so far, line crossing to line
    /// crossing, solved inside the frame interval in which the crossing happened.
    pub fn completed_lap_times_ms(&self) -> &[f64] {
        &self.lap_times_ms
    }

    /// The next 60 Hz frame: `seq` counts from 1 and `session_time_ms` is
    /// `(seq - 1) * 1000 / 60`. `captured_at_us` is left 0 for the caller to stamp,
    /// and the sim's own lap times (`last_lap_time_ms`, `best_lap_time_ms`) are
    /// never reported: the platform interpolates lap times itself.
    pub fn next_frame(&mut self) -> TelemetryFrame {
        self.seq += 1;
        let frames_before = (self.seq - 1) as f64;
        let time_s = frames_before / SAMPLE_RATE_HZ;
        let dt = time_s - self.time_s;
        self.advance(dt, time_s);
        self.time_s = time_s;
        let mut frame = self.frame(dt);
        frame.session_time_ms = frames_before * 1000.0 / SAMPLE_RATE_HZ;
        frame
    }

    /// Time the current lap's speed profile takes, seconds.
    #[cfg(test)]
    pub(super) fn planned_lap_time_s(&self) -> f64 {
        self.profile.lap_time_s()
    }

    /// Moves the car `dt` seconds along the profile; `end_s` is the sim time it
    /// arrives at. Each step either finishes the current interval (constant
    /// acceleration: it takes `2·ds / (v0 + v1)`) or stops inside it.
    fn advance(&mut self, dt: f64, end_s: f64) {
        let ds = self.track.sample_spacing_m();
        let n = self.track.intervals();
        let mut remaining = dt;
        while remaining > 0.0 {
            let accel = self.profile.accel[self.interval];
            let v_end = self.profile.speed[self.interval + 1];
            let to_end = 2.0 * (ds - self.into_interval_m) / (self.speed + v_end).max(1e-9);
            if to_end <= remaining {
                remaining -= to_end;
                self.interval += 1;
                self.into_interval_m = 0.0;
                self.speed = v_end;
                if self.interval == n {
                    self.complete_lap(end_s - remaining);
                }
            } else {
                self.into_interval_m =
                    (self.into_interval_m + self.speed * remaining + 0.5 * accel * remaining * remaining)
                        .clamp(0.0, ds);
                self.speed = (self.speed + accel * remaining).max(0.0);
                remaining = 0.0;
            }
        }
    }

    /// The car crossed the line at sim time `at_s`: record the lap, plan the next.
    fn complete_lap(&mut self, at_s: f64) {
        self.lap_times_ms.push((at_s - self.lap_start_s) * 1000.0);
        self.lap_start_s = at_s;
        self.interval = 0;
        self.into_interval_m = 0.0;
        if self.thermals.fuel_l < LOW_FUEL_L {
            self.thermals.fuel_l = self.car.fuel_capacity_l;
        }
        let lap = self.lap_times_ms.len() as u32;
        self.plan_lap(lap);
    }

    /// Draws the driver's intents (and maybe a mistake) for lap `lap` (0-based)
    /// and computes its speed profile from the car's current speed.
    fn plan_lap(&mut self, lap: u32) {
        let rng = &mut self.rng;
        let mut spread = |(nominal, spread): (f64, f64)| nominal + rng.random_range(-spread..=spread);
        for intent in &mut self.intents {
            *intent = CornerIntent { speed: spread(CORNER_SPEED), brake: spread(BRAKING), exit: spread(EXIT_TRACTION) };
        }
        self.mistake = None;
        self.apply_intents();
        self.profile.compute(&self.track, &self.car, &self.inputs, self.speed);
        if lap >= CLEAN_LAPS && self.rng.random_bool(MISTAKE_CHANCE) {
            let mistake = self.draw_mistake();
            let cost_s = self.rng.random_range(MISTAKE_COST_S.0..=MISTAKE_COST_S.1);
            self.make_mistake(mistake, cost_s);
        }
        self.speed = self.profile.speed[0];
    }

    /// A mistake at a random corner, of unknown intensity yet.
    fn draw_mistake(&mut self) -> Mistake {
        let kind = match self.rng.random_range(0..3) {
            0 => MistakeKind::LockUp,
            1 => MistakeKind::EarlyBrake,
            _ => MistakeKind::RunWide,
        };
        let corners = self.track.corners();
        let candidates: Vec<usize> = (0..corners.len())
            .filter(|&c| match kind {
                MistakeKind::RunWide => corners[c].radius_m <= RUN_WIDE_MAX_RADIUS_M,
                MistakeKind::LockUp | MistakeKind::EarlyBrake => corners[c].radius_m <= BRAKING_CORNER_MAX_RADIUS_M,
            })
            .collect();
        let corner = match candidates.len() {
            0 => 0, // every layout has a slow corner; never reached
            count => candidates[self.rng.random_range(0..count)],
        };
        let judged_off = kind == MistakeKind::RunWide && self.rng.random_bool(OFF_TRACK_INVALIDATES);
        let invalid_from_m = judged_off.then(|| self.wide_bump(corner).0);
        Mistake { corner, kind, intensity: 0.0, invalid_from_m }
    }

    /// Makes `mistake` on this lap, as bad as it takes to lose `cost_s` seconds
    /// against the clean plan (bisection on its intensity; the lap time grows with
    /// it), or as bad as it gets where the corner cannot cost that much.
    fn make_mistake(&mut self, mistake: Mistake, cost_s: f64) {
        let v_start = self.speed;
        let target_s = self.profile.lap_time_s() + cost_s;
        let (mut low, mut high) = (0.0, 1.0);
        for _ in 0..MISTAKE_BISECTIONS {
            let intensity = (low + high) / 2.0;
            self.mistake = Some(Mistake { intensity, ..mistake });
            self.apply_intents();
            self.profile.compute(&self.track, &self.car, &self.inputs, v_start);
            if self.profile.lap_time_s() < target_s {
                low = intensity;
            } else {
                high = intensity;
            }
        }
        self.mistake = Some(Mistake { intensity: high, ..mistake });
        self.apply_intents();
        self.profile.compute(&self.track, &self.car, &self.inputs, v_start);
    }

    /// Writes the corner intents and the mistake into per-row profile inputs.
    fn apply_intents(&mut self) {
        let corners = self.track.corners();
        let inputs = &mut self.inputs;
        inputs.speed_scale.fill(1.0);
        inputs.brake_scale.fill(1.0);
        inputs.drive_scale.fill(1.0);
        for (c, corner) in corners.iter().enumerate() {
            let intent = self.intents[c];
            let previous_apex = corners[(c + corners.len() - 1) % corners.len()].apex_m;
            for_rows(&self.track, corner.start_m, corner.end_m, |i| inputs.speed_scale[i] = intent.speed);
            for_rows(&self.track, previous_apex, corner.apex_m, |i| inputs.brake_scale[i] = intent.brake);
            for_rows(&self.track, corner.apex_m, corner.end_m + EXIT_ZONE_M, |i| inputs.drive_scale[i] = intent.exit);
        }
        if let Some(mistake) = self.mistake {
            let corner = &corners[mistake.corner];
            let previous_apex = corners[(mistake.corner + corners.len() - 1) % corners.len()].apex_m;
            let x = mistake.intensity;
            match mistake.kind {
                MistakeKind::LockUp => {
                    // Late on the brakes, then the locked fronts scrub off too much.
                    for_rows(&self.track, previous_apex, corner.apex_m, |i| inputs.brake_scale[i] = 1.0);
                    for_rows(&self.track, corner.start_m, corner.end_m, |i| inputs.speed_scale[i] *= 1.0 - 0.3 * x);
                }
                MistakeKind::EarlyBrake => {
                    let brake = BRAKING.0 * (1.0 - 0.7 * x);
                    for_rows(&self.track, previous_apex, corner.apex_m, |i| inputs.brake_scale[i] = brake);
                    for_rows(&self.track, corner.start_m, corner.apex_m, |i| inputs.speed_scale[i] *= 1.0 - 0.1 * x);
                }
                MistakeKind::RunWide => {
                    let exit_start = (corner.apex_m + corner.end_m) / 2.0;
                    for_rows(&self.track, exit_start, corner.end_m, |i| inputs.speed_scale[i] *= 1.0 - 0.25 * x);
                    let drive = 1.0 - 0.8 * x;
                    for_rows(&self.track, corner.apex_m, corner.end_m + EXIT_ZONE_M, |i| {
                        inputs.drive_scale[i] *= drive
                    });
                }
            }
        }
        let n = self.track.intervals();
        inputs.speed_scale[n] = inputs.speed_scale[0];
        inputs.brake_scale[n] = inputs.brake_scale[0];
        inputs.drive_scale[n] = inputs.drive_scale[0];
    }

    /// Where running wide at `corner` takes the car off: `(from_m, peak_m, to_m)`
    /// of the outward excursion (the peak is the widest point).
    fn wide_bump(&self, corner: usize) -> (f64, f64, f64) {
        let corner = &self.track.corners()[corner];
        let from = corner.apex_m;
        let to = corner.end_m + EXIT_ZONE_M;
        (from + (to - from) * 0.35, (from + to) / 2.0, to)
    }

    /// Extra lateral offset (m, positive left) and its slope d/ds at `s` from a
    /// run-wide mistake: a raised-cosine excursion beyond the track edge.
    fn mistake_offset(&self, s: f64) -> (f64, f64) {
        let Some(Mistake { corner, kind: MistakeKind::RunWide, .. }) = self.mistake else { return (0.0, 0.0) };
        let side = self.track.corners()[corner].sign();
        let (_, peak, to) = self.wide_bump(corner);
        let from = self.track.corners()[corner].apex_m;
        let length = self.track.length_m();
        // A bump may straddle the line; measure s from the bump's start.
        let along = (s - from).rem_euclid(length);
        if along >= to - from {
            return (0.0, 0.0);
        }
        let span = to - from;
        // Deep enough that the car's centre ends up 0.4 m beyond the edge at the peak.
        let depth = self.track.half_width_m() + 0.4 + side * self.track.racing_line_offset_at(peak);
        let phase = TAU * along / span;
        (-side * depth * (1.0 - phase.cos()) / 2.0, -side * depth * TAU * phase.sin() / (2.0 * span))
    }

    /// The frame of the car's current state; `dt` is the time since the last frame
    /// (zero for the first), over which tyres, brakes and fuel evolve.
    fn frame(&mut self, dt: f64) -> TelemetryFrame {
        let car = self.car;
        let ds = self.track.sample_spacing_m();
        let length = self.track.length_m();
        let i = self.interval;
        let s = (i as f64 * ds + self.into_interval_m).clamp(0.0, length);
        let row = self.track.interpolate(i, self.into_interval_m / ds);
        let v = self.speed;
        let accel = self.profile.accel[i];
        let lateral = v * v * row.curvature;
        let (throttle, brake) = pedals(&car, v, row.grade, accel);
        let (gear, rpm) = self.gearbox.update(&car, v);
        let load = Load { speed: v, lateral, longitudinal: accel, brake, throttle };
        self.thermals.update(&car, &load, dt);

        // The car sits on the racing line (plus any excursion), `offset` metres left
        // of the centreline; its heading follows the line.
        let next_row = &self.track.samples()[i + 1];
        let this_row = &self.track.samples()[i];
        let (extra, extra_slope) = self.mistake_offset(s);
        let offset = row.line_offset + extra;
        let slope = (next_row.line_offset - this_row.line_offset) / ds + extra_slope;
        let (sin_h, cos_h) = row.heading.sin_cos();
        let yaw = row.heading + slope.atan2(1.0 - offset * row.curvature);
        let position = Vec3 { x: (row.x - offset * sin_h) as f32, y: (row.y + offset * cos_h) as f32, z: row.z as f32 };
        let velocity = Vec3 { x: (v * yaw.cos()) as f32, y: (v * yaw.sin()) as f32, z: (v * row.grade) as f32 };

        let locking = self.locking(s, brake);
        let lat_g = lateral / G;
        let front_slip = if locking { 0.15 + 0.25 * self.mistake.map_or(0.0, |m| m.intensity) } else { 0.02 * brake };
        let rear_slip = 0.04 * (accel / G).max(0.0) + 0.01 * brake;
        let corner_slip = 0.01 * lat_g.abs();
        let tyre = self.thermals.tyre_c;
        let pressure = self.thermals.tyre_pressure_kpa();
        let brakes = self.thermals.brake_c;
        let lap_invalid = self.mistake.and_then(|m| m.invalid_from_m).is_some_and(|from| s >= from);
        let elapsed_ms = ((self.time_s - self.lap_start_s) * 1000.0).max(0.0);

        TelemetryFrame {
            seq: self.seq,
            captured_at_us: 0,
            session_time_ms: 0.0, // set by the caller from seq
            current_lap_time_ms: elapsed_ms.floor() as u32,
            lap_number: self.lap_times_ms.len() as u32,
            normalized_position: normalized(s / length),
            lap_distance_m: Some(s as f32),
            throttle: throttle as f32,
            brake: brake as f32,
            clutch: Some(0.0),
            steering: car.steering(row.curvature, lateral) as f32,
            speed_kmh: (v * 3.6) as f32,
            gear,
            rpm: rpm as f32,
            max_rpm: Some(car.max_rpm as f32),
            world_position: Some(position),
            velocity: Some(velocity),
            // The schema's g_lat is positive to the right; the model's to the left.
            g_lat: Some(-lat_g as f32),
            g_lon: Some((accel / G) as f32),
            g_vert: Some((1.0 + v * v * row.vertical_curvature / G) as f32),
            yaw: Some(wrap_angle(yaw) as f32),
            tyre_temp_c: Some(wheels(tyre)),
            tyre_pressure_kpa: Some(wheels(pressure)),
            wheel_slip: Some(wheels([
                front_slip + corner_slip,
                front_slip + corner_slip,
                rear_slip + corner_slip,
                rear_slip + corner_slip,
            ])),
            brake_temp_c: Some(wheels(brakes)),
            fuel_l: Some(self.thermals.fuel_l as f32),
            in_pit: false,
            lap_invalid,
            last_lap_time_ms: None,
            best_lap_time_ms: None,
        }
    }

    /// Whether the fronts are locked: braking hard into the corner of a lock-up.
    fn locking(&self, s: f64, brake: f64) -> bool {
        let Some(Mistake { corner, kind: MistakeKind::LockUp, .. }) = self.mistake else { return false };
        let corner = &self.track.corners()[corner];
        brake > 0.2 && s > corner.start_m - 60.0 && s < corner.apex_m
    }
}

/// A lap fraction as the frame's `f32`, kept below 1 (rounding must not report
/// the line before the car reaches it).
fn normalized(fraction: f64) -> f32 {
    let below_one = f32::from_bits(1.0f32.to_bits() - 1);
    (fraction as f32).clamp(0.0, below_one)
}

fn wheels(values: [f64; 4]) -> Wheels {
    Wheels { fl: values[FL] as f32, fr: values[FR] as f32, rl: values[RL] as f32, rr: values[RR] as f32 }
}

/// Calls `f` with every table row index (0..n) from `from_m` to `to_m` along the
/// lap, wrapping past the line when `to_m` is beyond the end or before `from_m`.
fn for_rows(track: &DemoTrack, from_m: f64, to_m: f64, mut f: impl FnMut(usize)) {
    let ds = track.sample_spacing_m();
    let n = track.intervals();
    let length = track.length_m();
    let from = from_m.rem_euclid(length);
    let mut span = (to_m - from_m).rem_euclid(length);
    if to_m - from_m >= length {
        span = length;
    }
    let first = (from / ds).ceil() as usize;
    let last = ((from + span) / ds).floor() as usize;
    for row in first..=last {
        f(row % n);
    }
}
