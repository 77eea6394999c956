//! Suggestions: the biggest mistake of a demo lap comes first and names its
//! corner with numbers, the wording of each kind, severities, ranking, and
//! consistency across a session.

use super::fixtures::{model, session, track, true_zone_losses};
use crate::analysis::{
    analyse_lap, consistency_suggestions, lap_suggestions, severity, with_session_consistency, CornerConsistency,
    CornerMetrics, Severity, SuggestionKind, ZoneLoss,
};

#[test]
fn the_top_suggestion_names_the_corner_of_the_mistake() {
    let mut checked = 0;
    for seed in [1, 2, 3] {
        let s = session(seed, 40);
        let m = model(seed);
        let best = s.best_lap();
        for lap in s.mistake_laps() {
            let analysis = analyse_lap(s.lap(lap).0, s.lap(lap).1, Some(s.lap(best)), &m).unwrap();
            let truth = true_zone_losses(&s.laps[lap], &s.laps[best]);
            let (worst_corner, worst_loss) = truth.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
            let top = &analysis.suggestions[0];
            let corner = top.corner.unwrap();
            assert_eq!(corner as usize, worst_corner, "seed {seed} lap {lap}: {top:#?} vs truth {truth:?}");
            let apex_m = m.corner(corner).unwrap().apex * m.length_m;
            assert!((apex_m - track().corners()[worst_corner - 1].apex_m).abs() < 30.0);
            // The time at stake is the zone's loss (braking zone to the next
            // corner's, so a little more of the exit than the truth's zone).
            assert!(top.time_at_stake_ms > 0.7 * worst_loss, "{top:?} vs {worst_loss} ms");
            assert_eq!(top.severity, Severity::Major);
            assert!(top.message.starts_with(&format!("Turn {corner}: you ")), "{}", top.message);
            assert!(top.message.contains(&format!("this costs {:.2} s", top.time_at_stake_ms / 1000.0)));
            // The figures are in the message, in metres and km/h.
            let f = &top.figures;
            if let Some(d) = f.braking_point_delta_m.filter(|d| d.abs() >= 5.0) {
                assert!(top.message.contains(&format!("brake {:.0} m", d.abs())), "{}", top.message);
            }
            let speed_diff = f.min_speed_kmh.unwrap() - f.reference_min_speed_kmh.unwrap();
            if speed_diff.abs() >= 1.0 {
                assert!(top.message.contains(&format!("{:.0} km/h", speed_diff.abs())), "{}", top.message);
            }
            assert!(top.message.contains(" m ") || top.message.contains("km/h"), "{}", top.message);
            eprintln!(
                "seed {seed} lap {lap} (+{:.0} ms): {}",
                analysis.delta.as_ref().unwrap().final_delta_ms,
                top.message
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked} mistake laps checked");
}

fn metrics(corner: u32, braking: Option<f64>, min_speed: f64, full_throttle: Option<f64>, exit: f64) -> CornerMetrics {
    CornerMetrics {
        corner,
        braking_point_m: braking,
        peak_brake: if braking.is_some() { 0.9 } else { 0.0 },
        min_speed_kmh: min_speed,
        min_speed_at_m: 3470.0,
        throttle_on_m: full_throttle.map(|t| t - 30.0),
        full_throttle_m: full_throttle,
        exit_throttle: exit,
        entry_ms: 0.0,
        apex_ms: 1.0,
        exit_ms: 2.0,
        entry_speed_kmh: min_speed + 10.0,
        apex_speed_kmh: min_speed,
        exit_speed_kmh: min_speed + 10.0,
        corner_time_ms: 2.0,
    }
}

fn loss(corner: u32, entry: f64, exit: f64) -> ZoneLoss {
    ZoneLoss {
        corner,
        start_m: 0.0,
        end_m: 100.0,
        lap_ms: 1000.0 + entry + exit,
        reference_ms: 1000.0,
        loss_ms: entry + exit,
        entry_loss_ms: entry,
        exit_loss_ms: exit,
    }
}

#[test]
fn each_kind_is_worded_for_a_driver_with_numbers() {
    let reference = [
        metrics(6, Some(3300.0), 88.0, Some(3540.0), 0.9),
        metrics(3, Some(1320.0), 103.0, Some(1560.0), 0.9),
        metrics(5, Some(2590.0), 122.0, Some(2735.0), 0.9),
        metrics(8, Some(3911.0), 95.0, Some(4085.0), 0.9),
        metrics(9, Some(4240.0), 152.0, None, 0.9),
    ];
    let lap = [
        metrics(6, Some(3286.0), 82.0, Some(3541.0), 0.9),
        metrics(3, Some(1322.0), 98.0, Some(1562.0), 0.9),
        metrics(5, Some(2591.0), 122.3, Some(2755.0), 0.9),
        metrics(8, Some(3920.0), 83.0, Some(4086.0), 0.9),
        metrics(9, Some(4241.0), 152.2, None, 0.9),
    ];
    let losses =
        [loss(6, 150.0, 60.0), loss(3, 100.0, 50.0), loss(5, 20.0, 100.0), loss(8, 300.0, 50.0), loss(9, 5.0, 10.0)];
    let suggestions = lap_suggestions(&lap, &reference, &losses);
    let messages: Vec<(&str, SuggestionKind, Severity)> =
        suggestions.iter().map(|s| (s.message.as_str(), s.kind, s.severity)).collect();
    assert_eq!(
        messages,
        vec![
            (
                "Turn 8: you brake 9 m later than on your reference lap but carry 12 km/h less minimum speed \
                 (83 vs 95 km/h); this costs 0.35 s.",
                SuggestionKind::Braking,
                Severity::Major
            ),
            (
                "Turn 6: you brake 14 m earlier than on your reference lap and carry 6 km/h less minimum speed \
                 (82 vs 88 km/h); this costs 0.21 s.",
                SuggestionKind::Braking,
                Severity::Minor
            ),
            (
                "Turn 3: you carry 5 km/h less minimum speed than on your reference lap (98 vs 103 km/h); \
                 this costs 0.15 s.",
                SuggestionKind::MinimumSpeed,
                Severity::Minor
            ),
            (
                "Turn 5: you reach full throttle 20 m later than on your reference lap; this costs 0.12 s.",
                SuggestionKind::Throttle,
                Severity::Minor
            ),
        ],
        "Turn 9 loses 15 ms: below the threshold"
    );
    let weak = lap_suggestions(
        &[metrics(4, None, 190.0, None, 0.7)],
        &[metrics(4, None, 190.2, None, 0.9)],
        &[loss(4, 10.0, 50.0)],
    );
    assert_eq!(weak[0].kind, SuggestionKind::Throttle);
    assert_eq!(
        weak[0].message,
        "Turn 4: you use less throttle on the exit than on your reference lap (70% vs 90% on average over 100 m); \
         this costs 0.06 s."
    );
    let vague = lap_suggestions(
        &[metrics(4, None, 190.0, None, 0.9)],
        &[metrics(4, None, 190.2, None, 0.9)],
        &[loss(4, 30.0, 5.0)],
    );
    assert_eq!(vague[0].kind, SuggestionKind::General);
    assert!(vague[0].message.starts_with("Turn 4: you lose 0.04 s here"), "{}", vague[0].message);
    assert_eq!((severity(79.0), severity(80.0), severity(250.0)), (Severity::Info, Severity::Minor, Severity::Major));
}

#[test]
fn consistency_counts_the_laps_that_lose_time_and_annotates_lap_suggestions() {
    let corners = [
        CornerConsistency {
            corner: 6,
            laps: 6,
            best_ms: 7810.0,
            best_lap: 2,
            mean_ms: 7950.0,
            std_ms: 90.0,
            worst_ms: 8230.0,
            laps_losing: 4,
        },
        CornerConsistency {
            corner: 2,
            laps: 6,
            best_ms: 4000.0,
            best_lap: 1,
            mean_ms: 4010.0,
            std_ms: 5.0,
            worst_ms: 4020.0,
            laps_losing: 0,
        },
    ];
    let suggestions = consistency_suggestions(&corners);
    assert_eq!(suggestions.len(), 1, "a steady corner needs no advice");
    let s = &suggestions[0];
    assert_eq!((s.corner, s.kind), (Some(6), SuggestionKind::Consistency));
    assert_eq!(s.consistency.map(|c| (c.laps_affected, c.laps)), Some((4, 6)));
    assert_eq!(s.time_at_stake_ms, 140.0);
    assert_eq!(
        s.message,
        "Turn 6: your time here varies by 0.42 s across 6 laps (best 7.81 s, average 7.95 s); on 4 of your 6 laps \
         you lose time here. Matching your best lap here is worth 0.14 s a lap."
    );

    let mut lap = lap_suggestions(
        &[metrics(6, Some(3286.0), 82.0, None, 0.9)],
        &[metrics(6, Some(3300.0), 88.0, None, 0.9)],
        &[loss(6, 150.0, 60.0)],
    );
    with_session_consistency(&mut lap, &corners);
    assert_eq!(lap[0].consistency.map(|c| (c.laps_affected, c.laps)), Some((4, 6)));
    assert!(
        lap[0].message.ends_with("this costs 0.21 s. On 4 of your 6 laps you lose time here."),
        "{}",
        lap[0].message
    );
}

#[test]
fn a_lap_against_itself_needs_no_advice() {
    let s = session(6, 3);
    let m = model(6);
    let analysis = analyse_lap(s.lap(1).0, s.lap(1).1, Some(s.lap(1)), &m).unwrap();
    assert!(analysis.suggestions.is_empty());
    assert!(analysis.zones.iter().all(|z| z.loss_ms == 0.0));
}
