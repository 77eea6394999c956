// Pure helpers for the lap page: stored telemetry as chart columns, a reference lap
// aligned onto the lap's distance axis, the delta trace in metres, corner-table rows and
// suggestion formatting.
import type { DeltaTrace, LapAnalysis, LapTelemetry, Severity, Suggestion } from '../api/types';

/**
 * Channels a sim may lack: each is in `LapColumns.optional` only when the lap has at least
 * one finite value of it (missing samples are NaN).
 */
export const OPTIONAL_CHANNELS = {
  gear: 'gear',
  rpm: 'rpm',
  gLat: 'g_lat',
  gLon: 'g_lon',
  tyreFL: 'tyre_temp_fl',
  tyreFR: 'tyre_temp_fr',
  tyreRL: 'tyre_temp_rl',
  tyreRR: 'tyre_temp_rr',
  x: 'x',
  y: 'y',
  z: 'z',
  lapTime: 'lap_time_ms',
} as const;
export type OptionalName = keyof typeof OPTIONAL_CHANNELS;

/** A lap's channels against lap distance; all columns have the same length, distance ascending. */
export interface LapColumns {
  distance: Float64Array;
  speed: Float64Array;
  /** Percent, 0..100. */
  throttle: Float64Array;
  /** Percent, 0..100. */
  brake: Float64Array;
  /** -1 (left) … 1 (right). */
  steering: Float64Array;
  /** Channels the sim reported (gear, rpm, g, tyre temperatures, world position, lap time). */
  optional: Partial<Record<OptionalName, Float64Array>>;
  length: number;
  maxDistance: number;
  maxSpeed: number;
}

export type ColumnName = 'speed' | 'throttle' | 'brake' | 'steering';
/** Channels overlaid with the reference lap. */
export type OverlayName = ColumnName | 'gear' | 'rpm' | 'gLat' | 'gLon';
export type ReferenceOverlay = Partial<Record<OverlayName, (number | null)[]>>;

/**
 * Turns columnar telemetry into typed columns against lap distance. Frames without a
 * distance are dropped, and so is any frame that does not move forward from the last one
 * kept (e.g. a few samples still near the end of the track right after the line), so the
 * distance axis is strictly ascending as uPlot needs. Pedals are scaled to percent.
 */
export function lapColumns(telemetry: Pick<LapTelemetry, 'channels'>): LapColumns {
  const ch = telemetry.channels;
  const dist = ch.lap_distance_m ?? [];
  const n = dist.length;
  const at = (name: string, i: number, scale = 1): number => {
    const v = ch[name]?.[i];
    return v == null || !Number.isFinite(v) ? 0 : v * scale;
  };
  // A lap starting with samples from the end of the previous one: skip to the first
  // sample in the first half of the track.
  let start = 0;
  let top = 0;
  for (const d of dist) if (d != null && Number.isFinite(d) && d > top) top = d;
  while (start < n && (dist[start] == null || (dist[start] as number) > top / 2)) start++;

  const keep: number[] = [];
  let last = -Infinity;
  for (let i = start; i < n; i++) {
    const d = dist[i];
    if (d == null || !Number.isFinite(d) || d <= last) continue;
    keep.push(i);
    last = d;
  }
  const columns: LapColumns = {
    distance: new Float64Array(keep.length),
    speed: new Float64Array(keep.length),
    throttle: new Float64Array(keep.length),
    brake: new Float64Array(keep.length),
    steering: new Float64Array(keep.length),
    optional: {},
    length: keep.length,
    maxDistance: 0,
    maxSpeed: 0,
  };
  keep.forEach((i, k) => {
    columns.distance[k] = dist[i] as number;
    columns.speed[k] = at('speed_kmh', i);
    columns.throttle[k] = at('throttle', i, 100);
    columns.brake[k] = at('brake', i, 100);
    columns.steering[k] = at('steering', i);
    if (columns.speed[k] > columns.maxSpeed) columns.maxSpeed = columns.speed[k];
  });
  for (const [name, channel] of Object.entries(OPTIONAL_CHANNELS) as [OptionalName, string][]) {
    const source = ch[channel];
    if (!source) continue;
    const column = new Float64Array(keep.length);
    let present = false;
    keep.forEach((i, k) => {
      const v = source[i];
      const ok = v != null && Number.isFinite(v);
      column[k] = ok ? v : NaN;
      present ||= ok;
    });
    if (present) columns.optional[name] = column;
  }
  columns.maxDistance = keep.length ? columns.distance[keep.length - 1] : 0;
  return columns;
}

/**
 * Interpolation of `values` (sampled at ascending `xs`) at each of `at` (ascending), `null`
 * outside the sampled range or next to a missing (NaN) sample so uPlot leaves a gap. `step`
 * holds the last sample instead of interpolating (gears). O(n + m).
 */
export function alignOnto(
  at: ArrayLike<number>,
  xs: ArrayLike<number>,
  values: ArrayLike<number>,
  mode: 'linear' | 'step' = 'linear',
): (number | null)[] {
  const out: (number | null)[] = new Array(at.length).fill(null);
  const n = xs.length;
  if (n === 0) return out;
  let j = 0;
  for (let i = 0; i < at.length; i++) {
    const x = at[i];
    if (x < xs[0] || x > xs[n - 1]) continue;
    while (j < n - 2 && xs[j + 1] < x) j++;
    let v: number;
    if (n === 1) {
      v = values[0];
    } else if (mode === 'step') {
      v = x >= xs[j + 1] ? values[j + 1] : values[j];
    } else {
      const x0 = xs[j];
      const x1 = xs[j + 1];
      const t = x1 > x0 ? Math.min(1, Math.max(0, (x - x0) / (x1 - x0))) : 0;
      v = t === 0 ? values[j] : t === 1 ? values[j + 1] : values[j] + (values[j + 1] - values[j]) * t;
    }
    out[i] = Number.isFinite(v) ? v : null;
  }
  return out;
}

/** The reference lap's channels on the lap's distance axis, for overlays (optional ones when both laps have them). */
export function alignReference(lap: LapColumns, reference: LapColumns): ReferenceOverlay {
  const onto = (values: ArrayLike<number>, mode: 'linear' | 'step' = 'linear') => alignOnto(lap.distance, reference.distance, values, mode);
  const out: ReferenceOverlay = {
    speed: onto(reference.speed),
    throttle: onto(reference.throttle),
    brake: onto(reference.brake),
    steering: onto(reference.steering),
  };
  for (const name of ['gear', 'rpm', 'gLat', 'gLon'] as const) {
    const values = reference.optional[name];
    if (values && lap.optional[name]) out[name] = onto(values, name === 'gear' ? 'step' : 'linear');
  }
  return out;
}

/** The delta trace against metres: its 0..1 distances scaled by `lengthM` (default: the trace's own length). */
export function deltaColumns(delta: DeltaTrace, lengthM = delta.length_m): { distance: Float64Array; delta: Float64Array } {
  const n = Math.min(delta.distance.length, delta.delta_ms.length);
  const distance = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    distance[i] = delta.distance[i] * lengthM;
    values[i] = delta.delta_ms[i] / 1000;
  }
  return { distance, delta: values };
}

/** A symmetric y range around zero that holds every value, at least ±`min`. */
export function symmetricRange(values: ArrayLike<number>, min = 0.1): [number, number] {
  let peak = min;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) peak = Math.max(peak, Math.abs(values[i]));
  const padded = peak * 1.1;
  return [-padded, padded];
}

export interface CornerRow {
  corner: number;
  brakingM: number | null;
  refBrakingM: number | null;
  /** Lap minus reference (negative: the lap brakes earlier). */
  brakingDiffM: number | null;
  minSpeed: number;
  refMinSpeed: number | null;
  /** Lap minus reference. */
  minSpeedDiff: number | null;
  /** Time lost (positive) or gained in the corner's zone. */
  lossMs: number | null;
}

const diff = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a != null && b != null && Number.isFinite(a) && Number.isFinite(b) ? a - b : null;

/** One row per corner of the lap, with the reference's figures and the zone's time lost. */
export function cornerRows(analysis: Pick<LapAnalysis, 'corners' | 'reference_corners' | 'zones'>): CornerRow[] {
  const refs = new Map((analysis.reference_corners ?? []).map((c) => [c.corner, c]));
  const zones = new Map((analysis.zones ?? []).map((z) => [z.corner, z]));
  return [...analysis.corners]
    .sort((a, b) => a.corner - b.corner)
    .map((c) => {
      const ref = refs.get(c.corner);
      return {
        corner: c.corner,
        brakingM: c.braking_point_m,
        refBrakingM: ref?.braking_point_m ?? null,
        brakingDiffM: diff(c.braking_point_m, ref?.braking_point_m),
        minSpeed: c.min_speed_kmh,
        refMinSpeed: ref?.min_speed_kmh ?? null,
        minSpeedDiff: diff(c.min_speed_kmh, ref?.min_speed_kmh),
        lossMs: zones.get(c.corner)?.loss_ms ?? null,
      };
    });
}

const SEVERITY_RANK: Record<string, number> = { major: 2, minor: 1, info: 0 };

/** Suggestions by time at stake (then severity), biggest first. */
export function rankSuggestions(suggestions: readonly Suggestion[]): Suggestion[] {
  return [...suggestions].sort(
    (a, b) => b.time_at_stake_ms - a.time_at_stake_ms || (SEVERITY_RANK[b.severity] ?? 0) - (SEVERITY_RANK[a.severity] ?? 0),
  );
}

export function severityLabel(severity: Severity | string): string {
  switch (severity) {
    case 'major':
      return 'Major';
    case 'minor':
      return 'Minor';
    default:
      return 'Info';
  }
}

/** Where a suggestion applies: "T3", or "Lap" for lap-wide ones. */
export function suggestionPlace(s: Pick<Suggestion, 'corner'>): string {
  return s.corner != null ? `T${s.corner}` : 'Lap';
}

/** Time at stake as seconds with three decimals, e.g. 123.4 → "0.123 s"; `—` when unknown. */
export function formatStake(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  return `${(Math.max(0, ms) / 1000).toFixed(3)} s`;
}

/** A signed difference with a fixed count of decimals: "+3", "-1.5", "±0"; `—` when unknown. */
export function formatSigned(value: number | null | undefined, decimals = 0): string {
  if (value == null || !Number.isFinite(value)) return '—';
  const text = Math.abs(value).toFixed(decimals);
  if (Number(text) === 0) return `±${text}`;
  return (value < 0 ? '-' : '+') + text;
}
