//! Rule-based coaching: what to change, where, and what it is worth, in a
//! driver's words and with numbers.
//!
//! The built-in coach works offline and is the fallback whenever the LLM is off
//! or fails, so it has to say something useful on its own. Each corner whose
//! zone loses time against the reference gets one suggestion naming the corner,
//! the inputs that differ (braking point in metres, minimum speed in km/h, full
//! throttle in metres) and the time the zone costs; its kind is the input that
//! best explains the loss (braking or minimum speed when the time goes before the
//! apex, throttle or minimum speed when it goes after). Across a session, corners
//! whose time varies from lap to lap get a consistency suggestion. Suggestions
//! are ranked by the time at stake.

use super::consistency::CornerConsistency;
use super::corner_metrics::{CornerMetrics, EXIT_WINDOW_M};
use super::zones::ZoneLoss;
use serde::{Deserialize, Serialize};

/// A zone must lose at least this much (ms) to be worth a suggestion.
pub const MIN_STAKE_MS: f64 = 20.0;
/// Severity thresholds on the time at stake, ms.
pub const MINOR_MS: f64 = 80.0;
pub const MAJOR_MS: f64 = 250.0;
/// Differences worth naming: braking point and full throttle (m), minimum speed (km/h).
const BRAKING_DIFF_M: f64 = 5.0;
const MIN_SPEED_DIFF_KMH: f64 = 1.0;
const THROTTLE_DIFF_M: f64 = 10.0;
/// Exit throttle difference worth naming (0..1: five percentage points).
const EXIT_THROTTLE_DIFF: f64 = 0.05;
/// A corner's time must vary by this much (mean above best, ms) across at least
/// [`CONSISTENCY_MIN_LAPS`] laps for a consistency suggestion.
const CONSISTENCY_MS: f64 = 50.0;
const CONSISTENCY_MIN_LAPS: u32 = 3;

/// What a suggestion is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    Braking,
    MinimumSpeed,
    Throttle,
    Consistency,
    /// Time lost with no single input standing out (the line, probably).
    General,
}

/// How much a suggestion matters, by the time at stake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Minor,
    Major,
}

/// On how many of a session's laps the driver loses time where a suggestion points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consistency {
    pub laps_affected: u32,
    pub laps: u32,
}

/// The numbers behind a suggestion (lap minus reference), for clients and the LLM.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Negative: the lap brakes earlier.
    pub braking_point_delta_m: Option<f64>,
    pub min_speed_kmh: Option<f64>,
    pub reference_min_speed_kmh: Option<f64>,
    /// Positive: the lap reaches full throttle later.
    pub full_throttle_delta_m: Option<f64>,
    /// Mean exit throttle (0..1) on the lap and on the reference.
    pub exit_throttle: Option<f64>,
    pub reference_exit_throttle: Option<f64>,
}

/// One piece of coaching.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub corner: Option<u32>,
    pub kind: SuggestionKind,
    pub message: String,
    pub time_at_stake_ms: f64,
    pub severity: Severity,
    pub consistency: Option<Consistency>,
    pub figures: Figures,
}

/// Severity of a time at stake.
pub fn severity(time_at_stake_ms: f64) -> Severity {
    if time_at_stake_ms >= MAJOR_MS {
        Severity::Major
    } else if time_at_stake_ms >= MINOR_MS {
        Severity::Minor
    } else {
        Severity::Info
    }
}

/// Suggestions for a lap against its reference: one per corner whose zone loses
/// at least [`MIN_STAKE_MS`], ranked by the time at stake.
pub fn lap_suggestions(lap: &[CornerMetrics], reference: &[CornerMetrics], losses: &[ZoneLoss]) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = losses
        .iter()
        .filter(|loss| loss.loss_ms >= MIN_STAKE_MS)
        .filter_map(|loss| {
            let mine = lap.iter().find(|m| m.corner == loss.corner)?;
            let theirs = reference.iter().find(|m| m.corner == loss.corner)?;
            Some(corner_suggestion(mine, theirs, loss))
        })
        .collect();
    rank(&mut out);
    out
}

/// Sorts by time at stake (largest first), then by corner.
pub fn rank(suggestions: &mut [Suggestion]) {
    suggestions.sort_by(|a, b| {
        b.time_at_stake_ms.total_cmp(&a.time_at_stake_ms).then(a.corner.cmp(&b.corner)).then(a.message.cmp(&b.message))
    });
}

/// A phrase of a message: `head` is followed by "than on your reference lap" when
/// it comes first, then `tail`.
struct Clause {
    kind: SuggestionKind,
    head: String,
    tail: String,
}

fn corner_suggestion(lap: &CornerMetrics, reference: &CornerMetrics, loss: &ZoneLoss) -> Suggestion {
    let braking = match (lap.braking_point_m, reference.braking_point_m) {
        (Some(a), Some(b)) => Some(a - b),
        _ => None,
    };
    let throttle = match (lap.full_throttle_m, reference.full_throttle_m) {
        (Some(a), Some(b)) => Some(a - b),
        _ => None,
    };
    let speed = lap.min_speed_kmh - reference.min_speed_kmh;
    let figures = Figures {
        braking_point_delta_m: braking,
        min_speed_kmh: Some(lap.min_speed_kmh),
        reference_min_speed_kmh: Some(reference.min_speed_kmh),
        full_throttle_delta_m: throttle,
        exit_throttle: Some(lap.exit_throttle),
        reference_exit_throttle: Some(reference.exit_throttle),
    };

    let mut clauses = Vec::new();
    if let Some(d) = braking.filter(|d| d.abs() >= BRAKING_DIFF_M) {
        let way = if d < 0.0 { "earlier" } else { "later" };
        clauses.push(Clause {
            kind: SuggestionKind::Braking,
            head: format!("brake {:.0} m {way}", d.abs()),
            tail: String::new(),
        });
    }
    if speed.abs() >= MIN_SPEED_DIFF_KMH {
        let way = if speed < 0.0 { "less" } else { "more" };
        clauses.push(Clause {
            kind: SuggestionKind::MinimumSpeed,
            head: format!("carry {:.0} km/h {way} minimum speed", speed.abs()),
            tail: format!(" ({:.0} vs {:.0} km/h)", lap.min_speed_kmh, reference.min_speed_kmh),
        });
    }
    // Throttle: only a later (or weaker) exit is worth naming in a zone that loses time.
    let later_throttle = throttle.is_some_and(|d| d >= THROTTLE_DIFF_M);
    let weaker_exit = reference.exit_throttle - lap.exit_throttle >= EXIT_THROTTLE_DIFF;
    if let Some(d) = throttle.filter(|_| later_throttle) {
        clauses.push(Clause {
            kind: SuggestionKind::Throttle,
            head: format!("reach full throttle {d:.0} m later"),
            tail: String::new(),
        });
    } else if weaker_exit {
        clauses.push(Clause {
            kind: SuggestionKind::Throttle,
            head: "use less throttle on the exit".to_string(),
            tail: format!(
                " ({:.0}% vs {:.0}% on average over {:.0} m)",
                lap.exit_throttle * 100.0,
                reference.exit_throttle * 100.0,
                EXIT_WINDOW_M
            ),
        });
    }

    // The kind: the input that explains the part of the zone where the time went.
    let has = |kind| clauses.iter().any(|c: &Clause| c.kind == kind);
    let slower_apex = speed <= -MIN_SPEED_DIFF_KMH;
    let kind = if loss.entry_loss_ms >= loss.exit_loss_ms {
        if has(SuggestionKind::Braking) {
            SuggestionKind::Braking
        } else if has(SuggestionKind::MinimumSpeed) {
            SuggestionKind::MinimumSpeed
        } else {
            SuggestionKind::General
        }
    } else if has(SuggestionKind::Throttle) {
        SuggestionKind::Throttle
    } else if slower_apex {
        SuggestionKind::MinimumSpeed
    } else if has(SuggestionKind::Braking) {
        SuggestionKind::Braking
    } else {
        SuggestionKind::General
    };
    clauses.sort_by_key(|c| c.kind != kind);

    let stake = loss.loss_ms;
    let cost = format!("{:.2} s", stake / 1000.0);
    let message = if clauses.is_empty() {
        format!(
            "Turn {}: you lose {cost} here with braking, minimum speed and throttle close to your reference lap; \
             compare your line through the corner.",
            loss.corner
        )
    } else {
        let mut text = format!("Turn {}: you ", loss.corner);
        for (i, clause) in clauses.iter().enumerate() {
            if i > 0 {
                let late_braking_but_slower = i == 1
                    && clauses[0].kind == SuggestionKind::Braking
                    && braking.is_some_and(|d| d > 0.0)
                    && clause.kind == SuggestionKind::MinimumSpeed
                    && speed < 0.0;
                text += if late_braking_but_slower {
                    " but "
                } else if i + 1 == clauses.len() {
                    " and "
                } else {
                    ", "
                };
            }
            text += &clause.head;
            if i == 0 {
                text += " than on your reference lap";
            }
            text += &clause.tail;
        }
        text += &format!("; this costs {cost}.");
        text
    };
    Suggestion {
        corner: Some(loss.corner),
        kind,
        message,
        time_at_stake_ms: stake,
        severity: severity(stake),
        consistency: None,
        figures,
    }
}

/// Consistency suggestions for a session's corners: where the zone time varies,
/// ranked by the mean time lost to the best lap there.
pub fn consistency_suggestions(corners: &[CornerConsistency]) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = corners
        .iter()
        .filter(|c| c.laps >= CONSISTENCY_MIN_LAPS && c.mean_ms - c.best_ms >= CONSISTENCY_MS)
        .map(|c| {
            let stake = c.mean_ms - c.best_ms;
            Suggestion {
                corner: Some(c.corner),
                kind: SuggestionKind::Consistency,
                message: format!(
                    "Turn {}: your time here varies by {:.2} s across {} laps (best {:.2} s, average {:.2} s); \
                     on {} of your {} laps you lose time here. Matching your best lap here is worth {:.2} s a lap.",
                    c.corner,
                    (c.worst_ms - c.best_ms) / 1000.0,
                    c.laps,
                    c.best_ms / 1000.0,
                    c.mean_ms / 1000.0,
                    c.laps_losing,
                    c.laps,
                    stake / 1000.0
                ),
                time_at_stake_ms: stake,
                severity: severity(stake),
                consistency: Some(Consistency { laps_affected: c.laps_losing, laps: c.laps }),
                figures: Figures::default(),
            }
        })
        .collect();
    rank(&mut out);
    out
}

/// Adds to a lap's suggestions how often the session loses time at the same
/// corner ("On 4 of your 6 laps you lose time here.").
pub fn with_session_consistency(suggestions: &mut [Suggestion], corners: &[CornerConsistency]) {
    for suggestion in suggestions.iter_mut() {
        let Some(c) = suggestion.corner.and_then(|n| corners.iter().find(|c| c.corner == n)) else { continue };
        if suggestion.kind == SuggestionKind::Consistency || suggestion.consistency.is_some() {
            continue;
        }
        suggestion.consistency = Some(Consistency { laps_affected: c.laps_losing, laps: c.laps });
        suggestion.message += &format!(" On {} of your {} laps you lose time here.", c.laps_losing, c.laps);
    }
}
