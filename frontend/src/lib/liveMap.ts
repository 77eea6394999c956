// Geometry of the session page's live track map, kept pure for tests: which world axis is
// "north" (the same rule as the lap page's `groundPlane`: x across, and of y and z the one
// that spans more ground), extents that grow as live positions arrive, the best lap's
// outline as typed arrays, and the padded fit that the growing path is drawn in.
import type { Bounds } from './trackMap';

export type NorthAxis = 'y' | 'z';

/** Running min/max of world positions; the path's extents grow sample by sample. */
export class PathExtents {
  minX = Infinity;
  maxX = -Infinity;
  minY = Infinity;
  maxY = -Infinity;
  minZ = Infinity;
  maxZ = -Infinity;
  count = 0;

  add(x: number, y: number, z: number): void {
    if (!Number.isFinite(x)) return;
    this.count++;
    if (x < this.minX) this.minX = x;
    if (x > this.maxX) this.maxX = x;
    if (Number.isFinite(y)) {
      if (y < this.minY) this.minY = y;
      if (y > this.maxY) this.maxY = y;
    }
    if (Number.isFinite(z)) {
      if (z < this.minZ) this.minZ = z;
      if (z > this.maxZ) this.maxZ = z;
    }
  }

  /** The ground axis besides x: z when it spans at least as much as y (demo, Live for Speed), else y (AC, ACC, F1, Forza). */
  get axis(): NorthAxis | null {
    const ey = this.maxY >= this.minY ? this.maxY - this.minY : -1;
    const ez = this.maxZ >= this.minZ ? this.maxZ - this.minZ : -1;
    if (this.count === 0 || (ey < 0 && ez < 0)) return null;
    return ez >= ey ? 'z' : 'y';
  }

  /** The bounds on the ground plane of `axis`, or null when nothing is known there. */
  bounds(axis: NorthAxis | null = this.axis): Bounds | null {
    if (!axis || this.count === 0) return null;
    const [minY, maxY] = axis === 'z' ? [this.minZ, this.maxZ] : [this.minY, this.maxY];
    if (!(maxY >= minY)) return null;
    return { minX: this.minX, maxX: this.maxX, minY, maxY };
  }
}

/** The best lap's line on the ground plane. */
export interface MapOutline {
  lapId: number | null;
  east: Float64Array;
  north: Float64Array;
  axis: NorthAxis;
  bounds: Bounds;
  length: number;
}

/** The outline of a stored lap from its world positions (NaN where missing); null without x and a second axis. */
export function mapOutline(
  pos: { x?: ArrayLike<number>; y?: ArrayLike<number>; z?: ArrayLike<number> },
  lapId: number | null = null,
): MapOutline | null {
  const { x, y, z } = pos;
  if (!x) return null;
  const extents = new PathExtents();
  for (let i = 0; i < x.length; i++) extents.add(x[i], y?.[i] ?? NaN, z?.[i] ?? NaN);
  const axis = extents.axis;
  const bounds = extents.bounds(axis);
  const source = axis === 'z' ? z : y;
  if (!axis || !bounds || !source) return null;
  const n = Math.min(x.length, source.length);
  return {
    lapId,
    east: Float64Array.from({ length: n }, (_, i) => x[i]),
    north: Float64Array.from({ length: n }, (_, i) => source[i]),
    axis,
    bounds,
    length: n,
  };
}

/** A live frame's position on the ground plane of `axis`, or null when it has none. */
export function groundPoint(position: { x: number; y: number; z: number } | null | undefined, axis: NorthAxis): [number, number] | null {
  if (!position) return null;
  const east = position.x;
  const north = axis === 'z' ? position.z : position.y;
  return Number.isFinite(east) && Number.isFinite(north) ? [east, north] : null;
}

/** `b` grown on every side by `fraction` of its larger span, at least `minMetres`, so a growing path seldom leaves it. */
export function padBounds(b: Bounds, fraction = 0.3, minMetres = 30): Bounds {
  const span = Math.max(b.maxX - b.minX, b.maxY - b.minY);
  const pad = Math.max(span * fraction, minMetres);
  return { minX: b.minX - pad, maxX: b.maxX + pad, minY: b.minY - pad, maxY: b.maxY + pad };
}

/** Whether `inner` lies within `outer`. */
export function containsBounds(outer: Bounds, inner: Bounds): boolean {
  return inner.minX >= outer.minX && inner.maxX <= outer.maxX && inner.minY >= outer.minY && inner.maxY <= outer.maxY;
}

/**
 * `b` widened along its slack axis to the shape of a `width` x `height` canvas less `pad`
 * on each side, centred: everything a fit of `b` shows, so a path is refitted only once
 * it would really leave the canvas.
 */
export function toAspect(b: Bounds, width: number, height: number, pad = 12): Bounds {
  const roomX = Math.max(width - 2 * pad, 1);
  const roomY = Math.max(height - 2 * pad, 1);
  const spanX = Math.max(b.maxX - b.minX, 1e-9);
  const spanY = Math.max(b.maxY - b.minY, 1e-9);
  const scale = Math.min(roomX / spanX, roomY / spanY);
  const [halfX, halfY] = [roomX / scale / 2, roomY / scale / 2];
  const [cx, cy] = [(b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2];
  return { minX: cx - halfX, maxX: cx + halfX, minY: cy - halfY, maxY: cy + halfY };
}
