//! The synthetic circuit "Purple Park" that the demo driver laps.
//!
//! The demo needs a track whose telemetry looks like a real one (braking zones,
//! slow and fast corners, a long straight, a closed lap of known length) without
//! shipping any sim's track data. The circuit is built the way road and circuit
//! designers build them: straights and circular arcs joined by clothoid transitions
//! (curvature ramps linearly), so curvature, steering and lateral g are continuous.
//! Two straights are stretched or shortened at build time so that the lap closes
//! exactly on itself, and the geometry is then sampled about every metre into a
//! table that answers every per-frame lookup in O(1).

use std::f64::consts::{PI, TAU};

/// Half the width of the asphalt; a car whose centre is beyond it has two wheels off.
const HALF_WIDTH_M: f64 = 6.0;
/// Target spacing of the lookup table (the real spacing divides the length evenly).
const SAMPLE_SPACING_M: f64 = 1.0;
/// Step of the Simpson integration of position along curved segments.
const INTEGRATION_STEP_M: f64 = 0.25;
/// Widest the racing line swings from the centreline.
const MAX_LINE_OFFSET_M: f64 = 3.5;
/// Elevation: two harmonics of the lap, so it is periodic (amplitude m, harmonic, phase).
const ELEVATION: [(f64, f64, f64); 2] = [(3.0, 1.0, 0.0), (1.2, 3.0, 0.7)];

/// One piece of the layout, in driving order.
#[derive(Debug, Clone, Copy)]
enum Piece {
    Straight {
        length_m: f64,
    },
    /// A corner: clothoid in, arc of `radius_m`, clothoid out; `angle_deg` is the
    /// total change of heading, positive to the left.
    Turn {
        angle_deg: f64,
        radius_m: f64,
        transition_m: f64,
    },
}

const fn straight(length_m: f64) -> Piece {
    Piece::Straight { length_m }
}

const fn left(angle_deg: f64, radius_m: f64, transition_m: f64) -> Piece {
    Piece::Turn { angle_deg, radius_m, transition_m }
}

const fn right(angle_deg: f64, radius_m: f64, transition_m: f64) -> Piece {
    Piece::Turn { angle_deg: -angle_deg, radius_m, transition_m }
}

/// The layout, starting at the start/finish line on the main straight and driven
/// anticlockwise (the turning angles sum to +360°): up the east side, west along
/// two long straights, round the hairpin at the far end and back down to the line.
const LAYOUT: [Piece; 21] = [
    straight(600.0),          // main straight, after the line
    left(90.0, 60.0, 30.0),   // T1: heavy braking from top speed
    straight(300.0),          // closing straight (north)
    right(45.0, 250.0, 60.0), // T2: fast sweeper
    straight(150.0),          //
    left(135.0, 40.0, 25.0),  // T3
    straight(750.0),          // closing straight (west)
    left(40.0, 180.0, 50.0),  // T4: sweeper
    straight(150.0),          //
    right(40.0, 80.0, 35.0),  // T5
    straight(700.0),          // back straight
    left(180.0, 16.0, 12.0),  // T6: hairpin
    straight(150.0),          //
    right(30.0, 300.0, 60.0), // T7: flat-out kink
    straight(130.0),          //
    right(70.0, 50.0, 25.0),  // T8
    straight(150.0),          //
    left(60.0, 120.0, 40.0),  // T9
    straight(80.0),           //
    left(40.0, 100.0, 40.0),  // T10: onto the main straight
    straight(300.0),          // main straight, up to the line
];

/// The two straights whose lengths are solved so the lap closes (perpendicular,
/// so the solve is well conditioned; each changes by a few tens of metres).
const CLOSING_STRAIGHTS: (usize, usize) = (6, 2);

/// Which way a corner turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    Left,
    Right,
}

/// A corner of the track, from the start of its entry transition to the end of
/// its exit transition.
#[derive(Debug, Clone, PartialEq)]
pub struct Corner {
    /// 1-based, in driving order (T1, T2, ...).
    pub number: usize,
    pub turn: Turn,
    /// Radius of the constant-radius part, metres.
    pub radius_m: f64,
    /// Total change of heading, radians (unsigned).
    pub angle_rad: f64,
    pub start_m: f64,
    /// Middle of the constant-radius part.
    pub apex_m: f64,
    pub end_m: f64,
}

impl Corner {
    /// +1 for a left corner, -1 for a right one (the sign of its curvature).
    pub fn sign(&self) -> f64 {
        match self.turn {
            Turn::Left => 1.0,
            Turn::Right => -1.0,
        }
    }
}

/// A stretch of constant or linearly varying curvature.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start_m: f64,
    length_m: f64,
    k0: f64,
    k1: f64,
    x0: f64,
    y0: f64,
    heading0: f64,
}

impl Segment {
    fn heading(&self, u: f64) -> f64 {
        self.heading0 + self.k0 * u + (self.k1 - self.k0) * u * u / (2.0 * self.length_m)
    }

    /// Position `u` metres into the segment, integrated from `from_u` at `from`.
    fn advance(&self, from: (f64, f64), from_u: f64, u: f64) -> (f64, f64) {
        if self.k0 == 0.0 && self.k1 == 0.0 {
            let d = u - from_u;
            return (from.0 + d * self.heading0.cos(), from.1 + d * self.heading0.sin());
        }
        let span = u - from_u;
        let steps = ((span / INTEGRATION_STEP_M).ceil() as usize).max(1) * 2;
        let h = span / steps as f64;
        let (mut sx, mut sy) = (0.0, 0.0);
        for j in 0..=steps {
            let weight = if j == 0 || j == steps {
                1.0
            } else if j % 2 == 1 {
                4.0
            } else {
                2.0
            };
            let heading = self.heading(from_u + j as f64 * h);
            sx += weight * heading.cos();
            sy += weight * heading.sin();
        }
        (from.0 + sx * h / 3.0, from.1 + sy * h / 3.0)
    }

    fn end(&self) -> (f64, f64) {
        self.advance((self.x0, self.y0), 0.0, self.length_m)
    }
}

/// One row of the lookup table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    pub x: f64,
    pub y: f64,
    /// Unwrapped (continuous) heading, radians anticlockwise from +x.
    pub heading: f64,
    /// 1/m, positive to the left.
    pub curvature: f64,
    /// Elevation, metres.
    pub z: f64,
    /// dz/ds.
    pub grade: f64,
    /// d²z/ds², 1/m (positive in a dip).
    pub vertical_curvature: f64,
    /// Racing line: metres left of the centreline.
    pub line_offset: f64,
}

/// The geometry of Purple Park, sampled for fast lookup.
#[derive(Debug, Clone)]
pub struct DemoTrack {
    length_m: f64,
    spacing_m: f64,
    /// `n + 1` rows at `i * spacing_m`; the last one is the integrated end of the
    /// lap (the same place as the first, within the closure error).
    samples: Vec<Sample>,
    corners: Vec<Corner>,
}

impl DemoTrack {
    /// Builds and samples the circuit (a few milliseconds).
    pub fn new() -> Self {
        let Layout { segments, corners, .. } = build_segments(&closing_lengths());
        let length_m = segments.last().map_or(0.0, |last| last.start_m + last.length_m);
        let n = ((length_m / SAMPLE_SPACING_M).round() as usize).max(1);
        let spacing_m = length_m / n as f64;
        let mut samples = sample_segments(&segments, length_m, n, spacing_m);
        add_racing_line(&mut samples, &corners, length_m, spacing_m);
        DemoTrack { length_m, spacing_m, samples, corners }
    }

    /// Length of the lap along the centreline, metres.
    pub fn length_m(&self) -> f64 {
        self.length_m
    }

    /// Spacing of the lookup table, metres (about 1).
    pub fn sample_spacing_m(&self) -> f64 {
        self.spacing_m
    }

    /// Half the width of the asphalt, metres.
    pub fn half_width_m(&self) -> f64 {
        HALF_WIDTH_M
    }

    /// The corners, in driving order.
    pub fn corners(&self) -> &[Corner] {
        &self.corners
    }

    /// Centreline position `(x, y)` in metres at distance `s` (any `s`; taken modulo
    /// the length). The start/finish line is at the origin, heading along +x.
    pub fn position_at(&self, s: f64) -> (f64, f64) {
        let (a, b, f) = self.bracket(s);
        (lerp(a.x, b.x, f), lerp(a.y, b.y, f))
    }

    /// Heading of the centreline in radians, anticlockwise from +x, in (-π, π].
    pub fn heading_at(&self, s: f64) -> f64 {
        let (a, b, f) = self.bracket(s);
        wrap_angle(lerp(a.heading, b.heading, f))
    }

    /// Curvature in 1/m, positive in left-hand corners.
    pub fn curvature_at(&self, s: f64) -> f64 {
        let (a, b, f) = self.bracket(s);
        lerp(a.curvature, b.curvature, f)
    }

    /// Elevation in metres (mild: a few metres up and down).
    pub fn elevation_at(&self, s: f64) -> f64 {
        elevation(s.rem_euclid(self.length_m), self.length_m).0
    }

    /// The racing line: metres left of the centreline (negative: right).
    pub fn racing_line_offset_at(&self, s: f64) -> f64 {
        let (a, b, f) = self.bracket(s);
        lerp(a.line_offset, b.line_offset, f)
    }

    /// The table rows; `samples()[i]` is at `i * sample_spacing_m()`.
    pub(crate) fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// Number of table intervals in a lap.
    pub(crate) fn intervals(&self) -> usize {
        self.samples.len() - 1
    }

    /// Interval `i` and the fraction into it at table position `s`.
    pub(crate) fn locate(&self, s: f64) -> (usize, f64) {
        let position = s.rem_euclid(self.length_m) / self.spacing_m;
        let i = (position.max(0.0) as usize).min(self.intervals() - 1);
        (i, (position - i as f64).clamp(0.0, 1.0))
    }

    /// Interpolates the table between rows `i` and `i + 1`.
    pub(crate) fn interpolate(&self, i: usize, f: f64) -> Sample {
        let i = i.min(self.intervals() - 1);
        let (a, b) = (&self.samples[i], &self.samples[i + 1]);
        Sample {
            x: lerp(a.x, b.x, f),
            y: lerp(a.y, b.y, f),
            heading: lerp(a.heading, b.heading, f),
            curvature: lerp(a.curvature, b.curvature, f),
            z: lerp(a.z, b.z, f),
            grade: lerp(a.grade, b.grade, f),
            vertical_curvature: lerp(a.vertical_curvature, b.vertical_curvature, f),
            line_offset: lerp(a.line_offset, b.line_offset, f),
        }
    }

    fn bracket(&self, s: f64) -> (&Sample, &Sample, f64) {
        let (i, f) = self.locate(s);
        (&self.samples[i], &self.samples[i + 1], f)
    }
}

impl Default for DemoTrack {
    fn default() -> Self {
        DemoTrack::new()
    }
}

fn lerp(a: f64, b: f64, f: f64) -> f64 {
    a + (b - a) * f
}

/// An angle in (-π, π].
pub(crate) fn wrap_angle(angle: f64) -> f64 {
    let wrapped = (angle + PI).rem_euclid(TAU) - PI;
    if wrapped <= -PI {
        wrapped + TAU
    } else {
        wrapped
    }
}

/// `(z, dz/ds, d²z/ds²)` at `s` on a lap of `length_m`.
fn elevation(s: f64, length_m: f64) -> (f64, f64, f64) {
    let mut out = (0.0, 0.0, 0.0);
    for (amplitude, harmonic, phase) in ELEVATION {
        let w = TAU * harmonic / length_m;
        let angle = w * s + phase;
        out.0 += amplitude * angle.sin();
        out.1 += amplitude * w * angle.cos();
        out.2 -= amplitude * w * w * angle.sin();
    }
    out
}

/// Lengths of the layout's straights after solving the closure: the two closing
/// straights change by whatever makes the end of the lap meet its start. Changing
/// a straight only translates everything after it, so one linear solve is exact.
fn closing_lengths() -> Vec<f64> {
    let mut lengths: Vec<f64> = LAYOUT
        .iter()
        .map(|piece| match piece {
            Piece::Straight { length_m } => *length_m,
            Piece::Turn { .. } => 0.0,
        })
        .collect();
    let layout = build_segments(&lengths);
    let (gap_x, gap_y) = layout.segments.last().map_or((0.0, 0.0), Segment::end);
    let heading_of = |piece: usize| layout.segments[layout.first_segment[piece]].heading0;
    let (a, b) = CLOSING_STRAIGHTS;
    let (ha, hb) = (heading_of(a), heading_of(b));
    // Solve da * (cos ha, sin ha) + db * (cos hb, sin hb) = -gap (Cramer's rule).
    let det = ha.cos() * hb.sin() - hb.cos() * ha.sin();
    if det.abs() > 1e-6 {
        lengths[a] += (-gap_x * hb.sin() + gap_y * hb.cos()) / det;
        lengths[b] += (-gap_y * ha.cos() + gap_x * ha.sin()) / det;
    }
    lengths
}

/// The layout as segments (one per straight, three per turn).
struct Layout {
    segments: Vec<Segment>,
    corners: Vec<Corner>,
    /// Index in `segments` of each layout piece's first segment.
    first_segment: Vec<usize>,
}

/// The layout with `straight_lengths[i]` as the length of straight piece `i`.
fn build_segments(straight_lengths: &[f64]) -> Layout {
    let mut layout = Layout { segments: Vec::new(), corners: Vec::new(), first_segment: Vec::new() };
    let mut s = 0.0;
    let mut end = (0.0, 0.0, 0.0); // x, y, heading
    let mut push = |segments: &mut Vec<Segment>, s: &mut f64, length_m: f64, k0: f64, k1: f64| {
        let segment = Segment { start_m: *s, length_m, k0, k1, x0: end.0, y0: end.1, heading0: end.2 };
        let (x, y) = segment.end();
        end = (x, y, segment.heading(length_m));
        *s += length_m;
        segments.push(segment);
    };
    for (index, piece) in LAYOUT.iter().enumerate() {
        layout.first_segment.push(layout.segments.len());
        match *piece {
            Piece::Straight { .. } => {
                let length = straight_lengths.get(index).copied().unwrap_or(0.0).max(1.0);
                push(&mut layout.segments, &mut s, length, 0.0, 0.0);
            }
            Piece::Turn { angle_deg, radius_m, transition_m } => {
                let angle = angle_deg.to_radians();
                let k = angle.signum() / radius_m;
                let arc = (angle.abs() * radius_m - transition_m).max(1.0);
                let start_m = s;
                push(&mut layout.segments, &mut s, transition_m, 0.0, k);
                let apex_m = s + arc / 2.0;
                push(&mut layout.segments, &mut s, arc, k, k);
                push(&mut layout.segments, &mut s, transition_m, k, 0.0);
                layout.corners.push(Corner {
                    number: layout.corners.len() + 1,
                    turn: if angle > 0.0 { Turn::Left } else { Turn::Right },
                    radius_m,
                    angle_rad: angle.abs(),
                    start_m,
                    apex_m,
                    end_m: s,
                });
            }
        }
    }
    layout
}

/// Rows `0..=n` of the table, integrating position along each segment.
fn sample_segments(segments: &[Segment], length_m: f64, n: usize, spacing_m: f64) -> Vec<Sample> {
    let mut samples = Vec::with_capacity(n + 1);
    let mut current = 0;
    let mut at = (segments[0].x0, segments[0].y0, 0.0); // (x, y, u) within `current`
    for i in 0..=n {
        let s = if i == n { length_m } else { i as f64 * spacing_m };
        while current + 1 < segments.len() && s >= segments[current + 1].start_m {
            current += 1;
            at = (segments[current].x0, segments[current].y0, 0.0);
        }
        let segment = &segments[current];
        let u = (s - segment.start_m).clamp(0.0, segment.length_m);
        let (x, y) = segment.advance((at.0, at.1), at.2, u);
        at = (x, y, u);
        let k = segment.k0 + (segment.k1 - segment.k0) * u / segment.length_m;
        let (z, grade, vertical_curvature) = elevation(s, length_m);
        samples.push(Sample {
            x,
            y,
            heading: segment.heading(u),
            curvature: k,
            z,
            grade,
            vertical_curvature,
            line_offset: 0.0,
        });
    }
    samples
}

/// A simple racing line: outside at each corner's entry, inside at its apex,
/// outside at its exit, eased between these points with half-cosines. Tight
/// corners swing less (the offset is capped at a tenth of the radius).
fn add_racing_line(samples: &mut [Sample], corners: &[Corner], length_m: f64, spacing_m: f64) {
    let mut keys: Vec<(f64, f64)> = Vec::with_capacity(corners.len() * 3 + 1);
    for corner in corners {
        let width = (0.1 * corner.radius_m).min(MAX_LINE_OFFSET_M);
        let side = corner.sign();
        keys.push((corner.start_m, -side * width));
        keys.push((corner.apex_m, side * width));
        keys.push((corner.end_m, -side * width));
    }
    let Some(&first) = keys.first() else { return };
    keys.push((first.0 + length_m, first.1)); // the first key again, a lap later
    for (i, sample) in samples.iter_mut().enumerate() {
        let mut s = i as f64 * spacing_m;
        if s < first.0 {
            s += length_m; // before T1: still on the way from the last corner
        }
        let key = keys.partition_point(|&(at, _)| at <= s).clamp(1, keys.len() - 1);
        let ((s0, n0), (s1, n1)) = (keys[key - 1], keys[key]);
        let f = ((s - s0) / (s1 - s0)).clamp(0.0, 1.0);
        sample.line_offset = n0 + (n1 - n0) * (1.0 - (PI * f).cos()) / 2.0;
    }
}
