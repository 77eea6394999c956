// Pure geometry and colour for the track map: which world axes lie flat, fitting a lap's
// positions onto a canvas, the sample nearest to the mouse or to a lap distance, the
// colour scales (speed, and time gained or lost against the reference) and the local
// gain/loss rate from the delta trace. Kept out of the component so it can be unit-tested.

/** A lap's ground plane: `east` to the right of the canvas, `north` up. */
export interface Plane {
  east: ArrayLike<number>;
  north: ArrayLike<number>;
}

export interface Bounds {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/** Screen position = offset + (world - min) * scale, with `north` flipped (canvas y grows down). */
export interface Projection {
  scale: number;
  offsetX: number;
  offsetY: number;
  bounds: Bounds;
}

function extent(values: ArrayLike<number> | undefined): number {
  if (!values) return -1;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi >= lo ? hi - lo : -1;
}

/**
 * The ground plane of a lap's world positions. `x` is always horizontal; of `y` and `z`
 * the one that spans less is height (Assetto Corsa, ACC, F1 and Forza put height in `y`;
 * the demo driver and Live for Speed in `z`). Null without `x` or a second axis.
 */
export function groundPlane(pos: { x?: ArrayLike<number>; y?: ArrayLike<number>; z?: ArrayLike<number> }): Plane | null {
  const ex = extent(pos.x);
  const ey = extent(pos.y);
  const ez = extent(pos.z);
  if (!pos.x || ex < 0) return null;
  if (ey < 0 && ez < 0) return null;
  const north = ez >= ey ? pos.z! : pos.y!;
  // A track is seldom more than a few metres off flat: the remaining axis would have to be
  // tiny on both for this guess to be wrong, and then the map is a line either way.
  return { east: pos.x, north };
}

/** The bounds of every finite point of the planes, or null when there is none. */
export function boundsOf(planes: readonly (Plane | null | undefined)[]): Bounds | null {
  const b: Bounds = { minX: Infinity, maxX: -Infinity, minY: Infinity, maxY: -Infinity };
  for (const plane of planes) {
    if (!plane) continue;
    const n = Math.min(plane.east.length, plane.north.length);
    for (let i = 0; i < n; i++) {
      const x = plane.east[i];
      const y = plane.north[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < b.minX) b.minX = x;
      if (x > b.maxX) b.maxX = x;
      if (y < b.minY) b.minY = y;
      if (y > b.maxY) b.maxY = y;
    }
  }
  return b.maxX >= b.minX ? b : null;
}

/** Fits `bounds` into `width` x `height` (CSS pixels) less `pad` on every side, same scale on both axes, centred. */
export function fitProjection(bounds: Bounds, width: number, height: number, pad = 12): Projection {
  const spanX = Math.max(bounds.maxX - bounds.minX, 1e-9);
  const spanY = Math.max(bounds.maxY - bounds.minY, 1e-9);
  const roomX = Math.max(width - 2 * pad, 1);
  const roomY = Math.max(height - 2 * pad, 1);
  const scale = Math.min(roomX / spanX, roomY / spanY);
  return {
    scale,
    offsetX: (width - spanX * scale) / 2,
    offsetY: (height - spanY * scale) / 2,
    bounds,
  };
}

/** Canvas position of one world point. */
export function project(p: Projection, east: number, north: number): [number, number] {
  return [p.offsetX + (east - p.bounds.minX) * p.scale, p.offsetY + (p.bounds.maxY - north) * p.scale];
}

/** Every point of `plane` projected, interleaved x, y (NaN where the position is missing). */
export function projectPlane(plane: Plane, p: Projection): Float32Array {
  const n = Math.min(plane.east.length, plane.north.length);
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const [x, y] = project(p, plane.east[i], plane.north[i]);
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
  return out;
}

/** A canvas height that suits the track's shape at `width`, between `min` and `max`. */
export function mapHeight(bounds: Bounds | null, width: number, min = 220, max = 520, pad = 12): number {
  if (!bounds) return min;
  const spanX = Math.max(bounds.maxX - bounds.minX, 1e-9);
  const spanY = Math.max(bounds.maxY - bounds.minY, 1e-9);
  const h = (width - 2 * pad) * (spanY / spanX) + 2 * pad;
  return Math.round(Math.min(max, Math.max(min, h)));
}

/** Index of the projected point (interleaved x, y) nearest to (px, py), or -1 when none lies within `maxDist`. O(n). */
export function nearestPoint(points: ArrayLike<number>, px: number, py: number, maxDist = Infinity): number {
  let best = -1;
  let bestD2 = maxDist * maxDist;
  const n = Math.floor(points.length / 2);
  for (let i = 0; i < n; i++) {
    const dx = points[2 * i] - px;
    const dy = points[2 * i + 1] - py;
    const d2 = dx * dx + dy * dy;
    // The first of equally near points wins; NaN positions never do.
    if (d2 < bestD2 || (best < 0 && d2 <= bestD2)) {
      best = i;
      bestD2 = d2;
    }
  }
  return best;
}

/** Index of the sample of ascending `distance` nearest to `d` (-1 when empty). O(log n). */
export function indexAtDistance(distance: ArrayLike<number>, d: number): number {
  const n = distance.length;
  if (n === 0 || !Number.isFinite(d)) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (distance[mid] < d) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(distance[lo - 1] - d) <= Math.abs(distance[lo] - d)) return lo - 1;
  return lo;
}

// ---- colour ----

type Rgb = [number, number, number];

/** Slow to fast: red, amber, yellow, green, sky blue. */
export const SPEED_STOPS: Rgb[] = [
  [239, 68, 68],
  [245, 158, 11],
  [234, 179, 8],
  [34, 197, 94],
  [56, 189, 248],
];
/** Gaining (negative), level, losing (positive): green, grey, red. */
export const DELTA_STOPS: Rgb[] = [
  [34, 197, 94],
  [107, 114, 128],
  [239, 68, 68],
];

/** The colour at `t` (0..1, clamped) along evenly spaced `stops`. */
export function rampColor(stops: readonly Rgb[], t: number): Rgb {
  const u = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const pos = u * (stops.length - 1);
  const i = Math.min(Math.floor(pos), stops.length - 2);
  const f = pos - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as Rgb;
}

export const cssColor = ([r, g, b]: Rgb): string => `rgb(${r},${g},${b})`;

/** `bins` colours evenly along `stops`, as CSS strings (drawing batches points by bin). */
export function palette(stops: readonly Rgb[], bins: number): string[] {
  return Array.from({ length: bins }, (_, i) => cssColor(rampColor(stops, bins === 1 ? 0.5 : i / (bins - 1))));
}

/** The bin (0..bins-1) of `value` on a linear scale from `min` to `max`; NaN maps to the middle. */
export function binOf(value: number, min: number, max: number, bins: number): number {
  if (!Number.isFinite(value)) return Math.floor(bins / 2);
  const t = max > min ? (value - min) / (max - min) : 0.5;
  return Math.min(bins - 1, Math.max(0, Math.round(t * (bins - 1))));
}

/** A symmetric bound for a diverging scale: the `q` quantile of |values| (outliers saturate), at least `floor`. */
export function symmetricBound(values: ArrayLike<number>, q = 0.95, floor = 1e-6): number {
  const abs: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) abs.push(Math.abs(values[i]));
  if (!abs.length) return floor;
  abs.sort((a, b) => a - b);
  return Math.max(floor, abs[Math.min(abs.length - 1, Math.floor(q * (abs.length - 1)))]);
}

/**
 * Where time is gained or lost: the slope of the delta trace (seconds against metres,
 * ascending distance) over a window of ±`halfWindowM` around each of `at`, in milliseconds
 * per 100 m (positive: losing). NaN where the trace does not reach.
 */
export function deltaRate(at: ArrayLike<number>, traceDistance: ArrayLike<number>, traceSeconds: ArrayLike<number>, halfWindowM = 25): Float64Array {
  const out = new Float64Array(at.length).fill(NaN);
  const n = Math.min(traceDistance.length, traceSeconds.length);
  if (n < 2) return out;
  const first = traceDistance[0];
  const last = traceDistance[n - 1];
  const valueAt = (d: number): number => {
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (traceDistance[mid] <= d) lo = mid;
      else hi = mid;
    }
    const x0 = traceDistance[lo];
    const x1 = traceDistance[hi];
    const t = x1 > x0 ? Math.min(1, Math.max(0, (d - x0) / (x1 - x0))) : 0;
    return traceSeconds[lo] + (traceSeconds[hi] - traceSeconds[lo]) * t;
  };
  for (let i = 0; i < at.length; i++) {
    const d = at[i];
    if (!(d >= first && d <= last)) continue;
    const a = Math.max(first, d - halfWindowM);
    const b = Math.min(last, d + halfWindowM);
    if (b <= a) continue;
    out[i] = ((valueAt(b) - valueAt(a)) / (b - a)) * 100_000;
  }
  return out;
}
