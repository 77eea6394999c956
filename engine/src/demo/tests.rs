//! Tests of the demo driver: the track's geometry, the car's physical plausibility,
//! determinism per seed, and the exact lap times the platform is checked against.

use super::*;
use purplesector_proto::v1::TelemetryFrame;
use std::f64::consts::TAU;

const DT_S: f64 = 1.0 / SAMPLE_RATE_HZ;

/// Frames from a new driver until `laps` laps are complete (the frame that first
/// reports the last of them included).
fn frames_for_laps(seed: u64, laps: usize) -> (DemoDriver, Vec<TelemetryFrame>) {
    let mut driver = DemoDriver::new(seed);
    let mut frames = Vec::new();
    while driver.completed_lap_times_ms().len() < laps {
        frames.push(driver.next_frame());
    }
    (driver, frames)
}

/// Session times (ms) of the line crossings seen in `frames`, interpolated where
/// `normalized_position` wraps, between the last frame of a lap and the first of
/// the next, as the platform does.
fn crossings_from_frames(frames: &[TelemetryFrame]) -> Vec<f64> {
    frames
        .windows(2)
        .filter(|pair| pair[1].normalized_position < pair[0].normalized_position)
        .map(|pair| {
            let before = 1.0 - pair[0].normalized_position as f64;
            let after = pair[1].normalized_position as f64;
            let fraction = before / (before + after);
            pair[0].session_time_ms + fraction * (pair[1].session_time_ms - pair[0].session_time_ms)
        })
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_frames_and_another_seed_other_frames() {
    let (mut a, mut b, mut c) = (DemoDriver::new(42), DemoDriver::new(42), DemoDriver::new(43));
    let mut differing = 0;
    for _ in 0..20_000 {
        let (frame_a, frame_b, frame_c) = (a.next_frame(), b.next_frame(), c.next_frame());
        assert_eq!(frame_a, frame_b, "seed 42 twice, frame {}", frame_a.seq);
        if frame_a.speed_kmh != frame_c.speed_kmh || frame_a.lap_distance_m != frame_c.lap_distance_m {
            differing += 1;
        }
    }
    assert_eq!(a.completed_lap_times_ms(), b.completed_lap_times_ms());
    assert_ne!(a.completed_lap_times_ms(), c.completed_lap_times_ms());
    assert!(differing > 10_000, "seeds 42 and 43 drive differently ({differing} frames differ)");
}

#[test]
fn frames_count_from_one_sixtieth_of_a_second_apart_without_sim_lap_times() {
    let mut driver = DemoDriver::new(3);
    for n in 1..=30_000u64 {
        let frame = driver.next_frame();
        assert_eq!(frame.seq, n);
        assert_eq!(frame.session_time_ms, (n - 1) as f64 * 1000.0 / 60.0);
        assert_eq!(frame.captured_at_us, 0, "the caller stamps wall-clock time");
        assert_eq!((frame.last_lap_time_ms, frame.best_lap_time_ms), (None, None));
        assert!(!frame.in_pit);
        assert_eq!(frame.clutch, Some(0.0));
        assert_eq!(frame.max_rpm, Some(8000.0));
    }
    assert!(driver.completed_lap_times_ms().len() >= 4, "30,000 frames are more than four laps");
}

#[test]
fn the_track_closes_on_itself() {
    let track = DemoTrack::new();
    let samples = track.samples();
    let (first, last) = (samples[0], samples[samples.len() - 1]);
    assert_eq!((first.x, first.y, first.heading), (0.0, 0.0, 0.0), "the line is at the origin, heading +x");
    let gap = (last.x - first.x).hypot(last.y - first.y);
    assert!(gap < 1.0, "end of the lap {gap} m from its start");
    assert!((last.heading - first.heading - TAU).abs() < 0.01, "one anticlockwise turn: {}", last.heading);
    assert!((last.z - first.z).abs() < 1e-6 && (last.line_offset - first.line_offset).abs() < 1e-6);
    assert!((3500.0..=5000.0).contains(&track.length_m()), "length {}", track.length_m());
    assert!((track.sample_spacing_m() - 1.0).abs() < 0.01);
    // Lookups wrap: a lap further on is the same place.
    let s = 1234.5;
    let (x, y) = track.position_at(s);
    let (x2, y2) = track.position_at(s + track.length_m());
    assert!((x - x2).abs() < 1e-9 && (y - y2).abs() < 1e-9);
    assert!((track.heading_at(s) - track.heading_at(s - track.length_m())).abs() < 1e-9);
    // Consecutive table rows are a sample spacing apart (no jumps).
    for pair in samples.windows(2) {
        let step = (pair[1].x - pair[0].x).hypot(pair[1].y - pair[0].y);
        assert!((step - track.sample_spacing_m()).abs() < 0.01, "row step {step}");
    }
}

#[test]
fn the_track_has_varied_corners_and_a_long_main_straight() {
    let track = DemoTrack::new();
    let corners = track.corners();
    assert!(corners.len() >= 8, "{} corners", corners.len());
    assert!(corners.iter().any(|c| c.turn == Turn::Left) && corners.iter().any(|c| c.turn == Turn::Right));
    for (i, a) in corners.iter().enumerate() {
        for b in &corners[i + 1..] {
            assert!((a.radius_m - b.radius_m).abs() >= 5.0, "T{} and T{} share a radius", a.number, b.number);
        }
        assert!(a.start_m < a.apex_m && a.apex_m < a.end_m && a.end_m <= track.length_m());
        let k = track.curvature_at(a.apex_m);
        assert!((k.abs() - 1.0 / a.radius_m).abs() < 1e-6 && k.signum() == a.sign(), "T{} apex", a.number);
    }
    let count = |range: std::ops::RangeInclusive<f64>| corners.iter().filter(|c| range.contains(&c.radius_m)).count();
    assert_eq!(count(15.0..=20.0), 1, "one hairpin");
    assert!(count(40.0..=80.0) >= 2, "medium corners");
    assert!(count(150.0..=300.0) >= 2, "fast sweepers");
    // The line is on the longest straight, which runs from the last corner to T1.
    let main = corners[0].start_m + track.length_m() - corners[corners.len() - 1].end_m;
    assert!(main >= 800.0, "main straight {main} m");
    assert!(corners[0].start_m >= 400.0 && track.curvature_at(0.0) == 0.0);
}

#[test]
fn the_track_does_not_cross_itself() {
    let track = DemoTrack::new();
    let length = track.length_m();
    let points: Vec<(f64, f64, f64)> = (0..(length / 4.0) as usize)
        .map(|i| {
            let s = i as f64 * 4.0;
            let (x, y) = track.position_at(s);
            (s, x, y)
        })
        .collect();
    for (i, a) in points.iter().enumerate() {
        for b in &points[i + 1..] {
            let along = (b.0 - a.0).min(length - (b.0 - a.0));
            if along > 150.0 {
                let apart = (a.1 - b.1).hypot(a.2 - b.2);
                assert!(apart > 25.0, "s = {} and s = {} are {apart} m apart", a.0, b.0);
            }
        }
    }
}

#[test]
fn frames_are_physically_plausible_over_three_laps() {
    let (driver, frames) = frames_for_laps(5, 3);
    let track = driver.track();
    let mut previous: Option<&TelemetryFrame> = None;
    for frame in &frames {
        let at = format!("frame {} at {:?} m", frame.seq, frame.lap_distance_m);
        assert!(frame.speed_kmh > 0.0 && frame.speed_kmh < 330.0, "{at}: {} km/h", frame.speed_kmh);
        let g_lat = frame.g_lat.unwrap();
        let g_lon = frame.g_lon.unwrap();
        assert!(g_lat.abs() < 3.0, "{at}: g_lat {g_lat}");
        assert!(g_lon > -2.5 && g_lon < 1.5, "{at}: g_lon {g_lon}");
        assert!((0.8..1.2).contains(&frame.g_vert.unwrap()), "{at}");
        assert!((1..=6).contains(&frame.gear), "{at}: gear {}", frame.gear);
        assert!(frame.rpm >= 3500.0 && frame.rpm <= 7800.0, "{at}: rpm {}", frame.rpm);
        assert!((0.0..=1.0).contains(&frame.throttle) && (0.0..=1.0).contains(&frame.brake), "{at}");
        assert!(!(frame.throttle > 0.2 && frame.brake > 0.2), "{at}: both pedals");
        assert!((-1.0..=1.0).contains(&frame.steering), "{at}");
        // Steering and g_lat follow the schema: both negative to the left.
        if g_lat.abs() > 0.5 {
            assert!(frame.steering.signum() == g_lat.signum(), "{at}: steering {} g_lat {g_lat}", frame.steering);
        }
        assert!((0.0..1.0).contains(&frame.normalized_position), "{at}");
        let s = frame.lap_distance_m.unwrap() as f64;
        assert!((frame.normalized_position as f64 - s / track.length_m()).abs() < 1e-6, "{at}");
        // On the asphalt (runs wide aside, which the first laps never have).
        let position = frame.world_position.unwrap();
        let (x, y) = track.position_at(s);
        let off = (position.x as f64 - x).hypot(position.y as f64 - y);
        assert!(off <= track.half_width_m(), "{at}: {off} m off the centreline");
        assert!(!frame.lap_invalid, "{at}: the first laps are clean");
        let velocity = frame.velocity.unwrap();
        let speed = (velocity.x as f64).hypot(velocity.y as f64) * 3.6;
        assert!((speed - frame.speed_kmh as f64).abs() < 0.5, "{at}: velocity {speed} km/h");
        if let Some(previous) = previous {
            let before = previous.world_position.unwrap();
            let step = (position.x - before.x).hypot(position.y - before.y) as f64;
            let allowed = previous.speed_kmh.max(frame.speed_kmh) as f64 / 3.6 * DT_S + 0.5;
            assert!(step < allowed, "{at}: moved {step} m in a frame");
            let change = frame.speed_kmh - previous.speed_kmh;
            assert!(change.abs() < 1.0, "{at}: speed jumped by {change} km/h");
            if frame.gear != previous.gear {
                assert_eq!((frame.gear - previous.gear).abs(), 1, "{at}: one gear at a time");
            }
        }
        previous = Some(frame);
    }
    let top = frames.iter().map(|f| f.speed_kmh).fold(0.0, f32::max);
    let slowest = frames.iter().map(|f| f.speed_kmh).fold(f32::MAX, f32::min);
    assert!(top > 240.0 && slowest < 80.0, "speeds {slowest}..{top} km/h");
    assert!(frames.iter().any(|f| f.brake > 0.8) && frames.iter().any(|f| f.throttle == 1.0));
    assert!(frames.iter().any(|f| f.gear == 6) && frames.iter().any(|f| f.gear == 1));
}

#[test]
fn lap_times_are_realistic_and_vary_by_tenths() {
    let (driver, _) = frames_for_laps(11, 12);
    let laps = driver.completed_lap_times_ms();
    for &lap in laps {
        assert!((95_000.0..130_000.0).contains(&lap), "lap {lap} ms");
    }
    for pair in laps.windows(2) {
        assert!((pair[1] - pair[0]).abs() < 2000.0, "laps {pair:?} differ by 2 s or more");
    }
    let best = laps.iter().copied().fold(f64::MAX, f64::min);
    let worst = laps.iter().copied().fold(0.0, f64::max);
    assert!(worst - best > 100.0, "laps differ by tenths: {laps:?}");
    assert!(worst - best < 2500.0, "{laps:?}");
}

#[test]
fn lap_times_interpolated_from_frames_match_the_exact_times() {
    let (driver, frames) = frames_for_laps(7, 6);
    let exact = driver.completed_lap_times_ms();
    let crossings = crossings_from_frames(&frames);
    assert_eq!(crossings.len(), exact.len());
    // The first lap starts at the line at time 0 (frame 1).
    assert_eq!(frames[0].lap_distance_m, Some(0.0));
    let mut start = 0.0;
    for (crossing, exact) in crossings.iter().zip(exact) {
        let from_frames = crossing - start;
        assert!((from_frames - exact).abs() < 17.0, "{from_frames} ms from frames vs {exact} exact");
        assert!((from_frames - exact).abs() < 1.0, "linear interpolation at speed is sub-millisecond");
        start = *crossing;
    }
}

#[test]
fn the_lap_counter_and_clock_reset_at_the_line() {
    let (driver, frames) = frames_for_laps(9, 3);
    let exact = driver.completed_lap_times_ms();
    let mut lap_start_ms = 0.0;
    for pair in frames.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        if after.lap_number == before.lap_number {
            assert!(after.current_lap_time_ms > before.current_lap_time_ms);
            assert!(after.lap_distance_m > before.lap_distance_m);
        } else {
            assert_eq!(after.lap_number, before.lap_number + 1);
            lap_start_ms += exact[before.lap_number as usize];
            assert!(after.normalized_position < 0.01 && before.normalized_position > 0.99);
            assert!(after.current_lap_time_ms < 17, "{}", after.current_lap_time_ms);
            let expected = (after.session_time_ms - lap_start_ms).floor() as u32;
            assert_eq!(after.current_lap_time_ms, expected);
        }
    }
}

#[test]
fn mistakes_happen_on_some_laps_and_some_invalidate_them() {
    let (driver, frames) = frames_for_laps(1, 40);
    let laps = driver.completed_lap_times_ms().len();
    let mut invalid = vec![false; laps];
    let mut locked = vec![false; laps];
    for pair in frames.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        let lap = after.lap_number as usize;
        if lap < laps {
            invalid[lap] |= after.lap_invalid;
            locked[lap] |= after.wheel_slip.unwrap().fl > 0.1;
            if before.lap_invalid && after.lap_number == before.lap_number {
                assert!(after.lap_invalid, "an invalid lap stays invalid");
            }
        }
    }
    assert!(!invalid[0] && !invalid[1] && !locked[0] && !locked[1], "the first two laps are clean");
    let invalid_laps = invalid.iter().filter(|&&i| i).count();
    let mistake_laps = {
        let times = driver.completed_lap_times_ms();
        let mut sorted = times.to_vec();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2];
        times.iter().filter(|&&t| t > median + 400.0).count()
    };
    assert!((1..=laps / 4).contains(&invalid_laps), "{invalid_laps} invalid laps of {laps}");
    assert!((3..=laps / 2).contains(&mistake_laps), "{mistake_laps} slow laps of {laps}");
}

#[test]
fn tyres_brakes_and_fuel_evolve_plausibly() {
    let (_, frames) = frames_for_laps(2, 3);
    let first = &frames[0];
    assert_eq!(first.tyre_temp_c.unwrap().fl, 60.0, "out of the blankets");
    assert_eq!(first.fuel_l, Some(50.0));
    let per_lap: Vec<&TelemetryFrame> =
        (1..=3).map(|lap| frames.iter().find(|f| f.lap_number == lap).unwrap_or(frames.last().unwrap())).collect();
    let tyres = per_lap[0].tyre_temp_c.unwrap();
    let mean = (tyres.fl + tyres.fr + tyres.rl + tyres.rr) / 4.0;
    assert!((80.0..=100.0).contains(&mean), "warm after a lap: {tyres:?}");
    for frame in &frames {
        let t = frame.tyre_temp_c.unwrap();
        let p = frame.tyre_pressure_kpa.unwrap();
        let b = frame.brake_temp_c.unwrap();
        let slip = frame.wheel_slip.unwrap();
        for (temp, pressure, brake, slip) in [
            (t.fl, p.fl, b.fl, slip.fl),
            (t.fr, p.fr, b.fr, slip.fr),
            (t.rl, p.rl, b.rl, slip.rl),
            (t.rr, p.rr, b.rr, slip.rr),
        ] {
            assert!((55.0..=115.0).contains(&temp), "tyre {temp} °C");
            assert!((160.0..=195.0).contains(&pressure), "pressure {pressure} kPa");
            assert!((50.0..=900.0).contains(&brake), "brake {brake} °C");
            assert!((0.0..0.1).contains(&slip), "slip {slip}");
        }
    }
    // Brakes heat under braking and cool on the straights; fronts run hotter.
    let hottest = frames.iter().map(|f| f.brake_temp_c.unwrap().fl).fold(0.0, f32::max);
    let hottest_rear = frames.iter().map(|f| f.brake_temp_c.unwrap().rl).fold(0.0, f32::max);
    assert!(hottest > 400.0 && hottest > hottest_rear, "front {hottest} rear {hottest_rear}");
    let fuel: Vec<f32> = per_lap.iter().map(|f| f.fuel_l.unwrap()).collect();
    for pair in [50.0, fuel[0], fuel[1], fuel[2]].windows(2) {
        let used = pair[0] - pair[1];
        assert!((2.0..=3.0).contains(&used), "{used} L per lap");
    }
    assert!(frames.windows(2).all(|pair| pair[1].fuel_l <= pair[0].fuel_l));
}

#[test]
fn the_driven_lap_time_is_the_planned_profile_time() {
    // The driven lap time is the profile's, exactly: motion is solved in closed form.
    let mut driver = DemoDriver::new(4);
    let expected = driver.planned_lap_time_s() * 1000.0;
    while driver.completed_lap_times_ms().is_empty() {
        driver.next_frame();
    }
    let driven = driver.completed_lap_times_ms()[0];
    assert!((driven - expected).abs() < 1e-6, "{driven} ms driven, {expected} ms planned");
}
