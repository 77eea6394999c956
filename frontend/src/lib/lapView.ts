// The state every view of a lap shares (its charts and its track map): the cursor's lap
// distance, the zoomed distance range and whether the reference lap is shown. A plain
// observable outside React, so a mouse move reaches every chart and the map without a
// render; plus the pure mapping from a drag on a chart to a zoom range.

export type Range = [number, number];
export type ViewChange = 'cursor' | 'zoom' | 'reference';

/** Narrowest zoom, metres: a drag narrower than this is taken as a click. */
export const MIN_ZOOM_M = 5;

/**
 * The distance range a horizontal selection covers: `left` and `width` in CSS pixels of the
 * plot area, `toValue` the chart's pixel-to-distance mapping. Null for a selection narrower
 * than `minPx` (a click, not a drag).
 */
export function selectionRange(left: number, width: number, toValue: (px: number) => number, minPx = 3): Range | null {
  if (!(width >= minPx)) return null;
  const a = toValue(left);
  const b = toValue(left + width);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  return a <= b ? [a, b] : [b, a];
}

/**
 * A zoom range kept within [0, xMax] and at least `minSpan` wide (widened around its
 * middle); null (no zoom) when it covers the whole lap or cannot be made valid.
 */
export function clampZoom(range: Range | null, xMax: number, minSpan = MIN_ZOOM_M): Range | null {
  if (!range || !(xMax > 0)) return null;
  let [lo, hi] = range[0] <= range[1] ? range : [range[1], range[0]];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  lo = Math.max(0, lo);
  hi = Math.min(xMax, hi);
  if (hi - lo < minSpan) {
    const span = Math.min(minSpan, xMax);
    const mid = Math.min(Math.max((lo + hi) / 2, span / 2), xMax - span / 2);
    lo = mid - span / 2;
    hi = mid + span / 2;
  }
  if (lo <= 0 && hi >= xMax) return null;
  return [lo, hi];
}

/** The x range a chart shows: the zoom, else the whole lap. */
export function visibleRange(zoom: Range | null, xMax: number): Range {
  return zoom ?? [0, xMax];
}

/** Whether distance `d` lies in the zoom (everything does without one). */
export function inZoom(zoom: Range | null, d: number): boolean {
  return !zoom || (d >= zoom[0] && d <= zoom[1]);
}

type Listener = (change: ViewChange, source: string | null) => void;

/** One lap view's shared state. `source` names who made a change, so it can skip its own. */
export class LapView {
  cursor: number | null = null;
  zoom: Range | null = null;
  showReference = true;
  private listeners = new Set<Listener>();

  constructor(public xMax: number) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: ViewChange, source: string | null): void {
    for (const listener of [...this.listeners]) listener(change, source);
  }

  /** The cursor at lap distance `d` (null: none). */
  setCursor(d: number | null, source: string | null = null): void {
    const next = d == null || !Number.isFinite(d) ? null : d;
    if (next === this.cursor) return;
    this.cursor = next;
    this.emit('cursor', source);
  }

  /** Zooms every view to `range` (clamped; null resets to the whole lap). */
  setZoom(range: Range | null, source: string | null = null): void {
    const next = clampZoom(range, this.xMax);
    const same = next === this.zoom || (next && this.zoom && next[0] === this.zoom[0] && next[1] === this.zoom[1]);
    if (same) return;
    this.zoom = next;
    this.emit('zoom', source);
  }

  setShowReference(show: boolean): void {
    if (show === this.showReference) return;
    this.showReference = show;
    this.emit('reference', null);
  }

  toggleReference(): void {
    this.setShowReference(!this.showReference);
  }
}
