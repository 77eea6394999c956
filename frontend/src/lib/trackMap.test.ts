import { describe, expect, it } from 'vitest';
import {
  binOf,
  boundsOf,
  DELTA_STOPS,
  deltaRate,
  fitProjection,
  groundPlane,
  indexAtDistance,
  mapHeight,
  nearestPoint,
  palette,
  project,
  projectPlane,
  rampColor,
  SPEED_STOPS,
  symmetricBound,
} from './trackMap';

describe('groundPlane', () => {
  it('takes x and z when y is height (AC, ACC, F1, Forza)', () => {
    const plane = groundPlane({ x: [0, 100, 0], y: [1, 2, 1], z: [0, 50, 200] });
    expect(plane?.north).toEqual([0, 50, 200]);
  });
  it('takes x and y when z is height (demo, Live for Speed)', () => {
    const plane = groundPlane({ x: [0, 100, 0], y: [0, 300, 500], z: [-3, 3, 0] });
    expect(plane?.north).toEqual([0, 300, 500]);
  });
  it('needs x and one more axis', () => {
    expect(groundPlane({ y: [1, 2], z: [3, 4] })).toBeNull();
    expect(groundPlane({ x: [1, 2] })).toBeNull();
    expect(groundPlane({ x: [1, 2], z: [NaN, NaN] })).toBeNull();
    expect(groundPlane({ x: [1, 2], y: [5, 6] })?.north).toEqual([5, 6]);
  });
});

describe('projection', () => {
  const plane = { east: [0, 200, 200, 0, NaN], north: [0, 0, 100, 100, 5] };
  const bounds = boundsOf([plane, null])!;

  it('finds the bounds of every finite point', () => {
    expect(bounds).toEqual({ minX: 0, maxX: 200, minY: 0, maxY: 100 });
    expect(boundsOf([{ east: [NaN], north: [1] }])).toBeNull();
    expect(boundsOf([plane, { east: [-50], north: [300] }])).toEqual({ minX: -50, maxX: 200, minY: 0, maxY: 300 });
  });

  it('fits with one scale, centred, north up', () => {
    // 200 x 100 m into 420 x 420 px with 10 px padding: 2 px per metre, 100 px of slack above and below.
    const p = fitProjection(bounds, 420, 420, 10);
    expect(p.scale).toBe(2);
    expect(project(p, 0, 0)).toEqual([10, 310]);
    expect(project(p, 200, 100)).toEqual([410, 110]);
    const points = projectPlane(plane, p);
    expect(Array.from(points.slice(0, 8))).toEqual([10, 310, 410, 310, 410, 110, 10, 110]);
    expect(Number.isNaN(points[8])).toBe(true);
  });

  it('survives a degenerate track', () => {
    const p = fitProjection({ minX: 5, maxX: 5, minY: 5, maxY: 5 }, 100, 100);
    expect(Number.isFinite(project(p, 5, 5)[0])).toBe(true);
  });

  it('picks a height that follows the shape, within limits', () => {
    expect(mapHeight(bounds, 424, 100, 1000, 12)).toBe(224);
    expect(mapHeight(bounds, 424, 300, 1000, 12)).toBe(300);
    expect(mapHeight({ minX: 0, maxX: 10, minY: 0, maxY: 100 }, 424, 100, 500)).toBe(500);
    expect(mapHeight(null, 424, 220)).toBe(220);
  });
});

describe('nearest point', () => {
  const points = [0, 0, 10, 0, 20, 0, NaN, NaN, 30, 5];
  it('finds the projected point nearest to the mouse', () => {
    expect(nearestPoint(points, 9, 3)).toBe(1);
    expect(nearestPoint(points, 100, 100)).toBe(4);
    expect(nearestPoint(points, 15, 0)).toBe(1); // a tie goes to the first
  });
  it('gives up beyond the maximum distance or without points', () => {
    expect(nearestPoint(points, 100, 100, 20)).toBe(-1);
    expect(nearestPoint(points, 10, 20, 20)).toBe(1);
    expect(nearestPoint([], 0, 0)).toBe(-1);
  });
  it('finds the sample nearest to a lap distance', () => {
    const d = [0, 10, 20, 30];
    expect(indexAtDistance(d, 14)).toBe(1);
    expect(indexAtDistance(d, 16)).toBe(2);
    expect(indexAtDistance(d, 15)).toBe(1);
    expect(indexAtDistance(d, -5)).toBe(0);
    expect(indexAtDistance(d, 99)).toBe(3);
    expect(indexAtDistance([], 5)).toBe(-1);
    expect(indexAtDistance(d, NaN)).toBe(-1);
  });
});

describe('colour scales', () => {
  it('ramps through the stops', () => {
    expect(rampColor(SPEED_STOPS, 0)).toEqual([239, 68, 68]);
    expect(rampColor(SPEED_STOPS, 1)).toEqual([56, 189, 248]);
    expect(rampColor(DELTA_STOPS, 0.5)).toEqual([107, 114, 128]);
    expect(rampColor(DELTA_STOPS, 0.25)).toEqual([71, 156, 111]);
    expect(rampColor(DELTA_STOPS, 7)).toEqual([239, 68, 68]);
    expect(rampColor(DELTA_STOPS, NaN)).toEqual([34, 197, 94]);
  });
  it('builds palettes and bins values', () => {
    expect(palette(DELTA_STOPS, 3)).toEqual(['rgb(34,197,94)', 'rgb(107,114,128)', 'rgb(239,68,68)']);
    expect(binOf(100, 100, 300, 5)).toBe(0);
    expect(binOf(200, 100, 300, 5)).toBe(2);
    expect(binOf(300, 100, 300, 5)).toBe(4);
    expect(binOf(999, 100, 300, 5)).toBe(4);
    expect(binOf(-999, 100, 300, 5)).toBe(0);
    expect(binOf(NaN, 100, 300, 5)).toBe(2);
    expect(binOf(7, 7, 7, 5)).toBe(2);
  });
  it('bounds a diverging scale by a quantile of the magnitudes', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i % 2 ? 1 : -1) * (i + 1));
    expect(symmetricBound(values, 0.95)).toBe(95);
    expect(symmetricBound([NaN], 0.95, 0.5)).toBe(0.5);
    expect(symmetricBound([0, 0], 0.95, 0.5)).toBe(0.5);
  });
});

describe('deltaRate', () => {
  it('is the slope of the delta in ms per 100 m, positive where time is lost', () => {
    // Losing 0.1 s over the first 100 m, then gaining it back over the next 100 m.
    const rate = deltaRate([0, 50, 100, 150, 200, 250], [0, 100, 200], [0, 0.1, 0], 10);
    expect(Array.from(rate.slice(0, 5)).map((v) => Math.round(v) + 0)).toEqual([100, 100, 0, -100, -100]);
    expect(Number.isNaN(rate[5])).toBe(true);
  });
  it('is NaN without a trace', () => {
    expect(Number.isNaN(deltaRate([1], [0], [0])[0])).toBe(true);
  });
});
