// The live delta to the session's best lap: the best lap's lap time as a function of lap
// distance (typed arrays, built once per new best), looked up by binary search and linear
// interpolation at each live frame's distance, and the sign, colour and text of the result.
// Pure, so the session page's readout, chart and buffer share one tested definition.

/** The best lap's distance → lap time, both strictly usable for interpolation. */
export interface DeltaReference {
  /** The stored lap's id (null in tests or when unknown). */
  lapId: number | null;
  /** Metres into the lap, strictly ascending. */
  distance: Float64Array;
  /** The lap's own clock (`lap_time_ms`) at each distance, never decreasing. */
  timeMs: Float64Array;
  length: number;
  /** A delta bigger than this (either sign) is a frame that does not fit the lap (see `liveDeltaMs`). */
  maxAbsMs: number;
}

/** At least this many seconds of difference are always believed. */
const MIN_PLAUSIBLE_MS = 5_000;

const finite = (v: number | null | undefined): v is number => v != null && Number.isFinite(v);

/**
 * Builds the reference from a stored lap's columns (`lap_distance_m`, `lap_time_ms`, in
 * frame order, `null` where missing). A lap's distance may reset: samples at the start
 * still near the end of the previous lap are skipped (up to the first sample in the first
 * half of the lap), and from there only samples that move forward in distance and not
 * back in time are kept, so the samples after the line at the end are dropped too.
 * Null when fewer than two samples remain.
 */
export function deltaReference(
  distance: ArrayLike<number | null>,
  timeMs: ArrayLike<number | null>,
  lapId: number | null = null,
): DeltaReference | null {
  const n = Math.min(distance.length, timeMs.length);
  let top = 0;
  for (let i = 0; i < n; i++) {
    const d = distance[i];
    if (finite(d) && finite(timeMs[i]) && d > top) top = d;
  }
  let start = 0;
  while (start < n && !(finite(distance[start]) && finite(timeMs[start]) && (distance[start] as number) <= top / 2)) start++;

  const ds = new Float64Array(n - start);
  const ts = new Float64Array(n - start);
  let k = 0;
  for (let i = start; i < n; i++) {
    const d = distance[i];
    const t = timeMs[i];
    if (!finite(d) || !finite(t)) continue;
    if (k > 0 && (d <= ds[k - 1] || t < ts[k - 1])) continue;
    ds[k] = d;
    ts[k] = t;
    k++;
  }
  if (k < 2) return null;
  const span = ts[k - 1] - ts[0];
  return {
    lapId,
    distance: ds.slice(0, k),
    timeMs: ts.slice(0, k),
    length: k,
    maxAbsMs: Math.max(MIN_PLAUSIBLE_MS, ts[k - 1] / 2, span / 2),
  };
}

/** The reference's lap time at `d` metres (linear between samples); null outside the distances it covers. O(log n). */
export function referenceTimeAt(ref: DeltaReference, d: number): number | null {
  const { distance, timeMs, length: n } = ref;
  if (!Number.isFinite(d) || n < 2 || d < distance[0] || d > distance[n - 1]) return null;
  // The last sample at or before d.
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (distance[mid] <= d) lo = mid;
    else hi = mid;
  }
  if (distance[hi] <= d) return timeMs[hi];
  const t = (d - distance[lo]) / (distance[hi] - distance[lo]);
  return timeMs[lo] + (timeMs[hi] - timeMs[lo]) * t;
}

/**
 * The live delta in milliseconds: the current lap's time at `distanceM` minus the best
 * lap's at the same distance (negative: ahead). Null without a reference, outside the
 * distances the best lap covers, or when the difference is bigger than half a lap (a
 * frame whose distance and lap time belong to different laps, as around the line when a
 * sim resets one a frame before the other).
 */
export function liveDeltaMs(ref: DeltaReference | null, distanceM: number, lapTimeMs: number): number | null {
  if (!ref || !Number.isFinite(lapTimeMs)) return null;
  const best = referenceTimeAt(ref, distanceM);
  if (best == null) return null;
  const delta = lapTimeMs - best;
  return Math.abs(delta) > ref.maxAbsMs ? null : delta;
}

/** How the delta readout is coloured. */
export type DeltaTone = 'none' | 'level' | 'ahead' | 'best' | 'behind';

/**
 * `behind` (red) when slower than the best lap; `best` (purple) when faster on a lap
 * that can still count, i.e. on the pace of a new best lap; `ahead` (green) when faster
 * but the lap is invalid or in the pits, so it cannot set one; `level` when it rounds
 * to 0.000; `none` without a delta.
 */
export function deltaTone(deltaMs: number | null | undefined, lapCounts: boolean): DeltaTone {
  if (deltaMs == null || !Number.isFinite(deltaMs)) return 'none';
  if (Math.abs(deltaMs) < 0.5) return 'level';
  if (deltaMs > 0) return 'behind';
  return lapCounts ? 'best' : 'ahead';
}

/** A delta as signed seconds with milliseconds, `+0.123` / `−0.456` (a real minus sign); `—` when none. */
export function formatLiveDelta(deltaMs: number | null | undefined): string {
  if (deltaMs == null || !Number.isFinite(deltaMs)) return '—';
  const abs = Math.round(Math.abs(deltaMs));
  const sign = deltaMs < 0 && abs > 0 ? '−' : '+';
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}

/** A symmetric y range in seconds for the delta chart: the largest |delta| shown plus a margin, in 0.25 s steps, at least ±0.5 s. */
export function deltaRange(maxAbsSeconds: number): [number, number] {
  const peak = Number.isFinite(maxAbsSeconds) ? Math.abs(maxAbsSeconds) : 0;
  const bound = Math.max(0.5, Math.ceil((peak * 1.1) / 0.25) * 0.25);
  return [-bound, bound];
}
