import { describe, expect, it } from 'vitest';
import { containsBounds, groundPoint, mapOutline, padBounds, PathExtents, toAspect } from './liveMap';
import { fitProjection, project } from './trackMap';

describe('PathExtents', () => {
  it('grows with each position and takes y as north when z is height (demo, Live for Speed)', () => {
    const e = new PathExtents();
    expect(e.axis).toBeNull();
    expect(e.bounds()).toBeNull();
    e.add(0, 0, 1);
    e.add(100, 300, 2);
    e.add(50, 500, 0);
    expect(e.axis).toBe('y');
    expect(e.bounds()).toEqual({ minX: 0, maxX: 100, minY: 0, maxY: 500 });
    expect(e.bounds('z')).toEqual({ minX: 0, maxX: 100, minY: 0, maxY: 2 });
  });

  it('takes z when it spans more (AC, ACC, F1, Forza put height in y)', () => {
    const e = new PathExtents();
    e.add(0, 1, 0);
    e.add(100, 2, 200);
    expect(e.axis).toBe('z');
  });

  it('ignores positions without x and missing axes', () => {
    const e = new PathExtents();
    e.add(NaN, 5, 5);
    expect(e.count).toBe(0);
    e.add(1, NaN, 5);
    e.add(2, NaN, 7);
    expect(e.axis).toBe('z');
    expect(e.bounds('y')).toBeNull();
  });
});

describe('mapOutline', () => {
  it('keeps the ground plane of a lap as typed arrays with its axis and bounds', () => {
    const outline = mapOutline({ x: [0, 100, 0], y: [0, 300, 500], z: [-3, 3, 0] }, 4)!;
    expect(outline.axis).toBe('y');
    expect(outline.lapId).toBe(4);
    expect(outline.east).toBeInstanceOf(Float64Array);
    expect(Array.from(outline.north)).toEqual([0, 300, 500]);
    expect(outline.bounds).toEqual({ minX: 0, maxX: 100, minY: 0, maxY: 500 });
    expect(outline.length).toBe(3);
  });

  it('is null without positions', () => {
    expect(mapOutline({})).toBeNull();
    expect(mapOutline({ x: [1, 2] })).toBeNull();
    expect(mapOutline({ x: [NaN, NaN], y: [1, 2] })).toBeNull();
  });
});

describe('groundPoint', () => {
  it('places a frame on the chosen plane', () => {
    expect(groundPoint({ x: 1, y: 2, z: 3 }, 'y')).toEqual([1, 2]);
    expect(groundPoint({ x: 1, y: 2, z: 3 }, 'z')).toEqual([1, 3]);
    expect(groundPoint(null, 'y')).toBeNull();
    expect(groundPoint({ x: NaN, y: 2, z: 3 }, 'y')).toBeNull();
  });
});

describe('padBounds and containsBounds', () => {
  it('pads by a share of the larger span, at least a minimum', () => {
    expect(padBounds({ minX: 0, maxX: 100, minY: 0, maxY: 10 }, 0.5, 1)).toEqual({ minX: -50, maxX: 150, minY: -50, maxY: 60 });
    expect(padBounds({ minX: 0, maxX: 0, minY: 0, maxY: 0 }, 0.5, 30)).toEqual({ minX: -30, maxX: 30, minY: -30, maxY: 30 });
  });

  it('tells when a path has left its fit', () => {
    const outer = { minX: 0, maxX: 10, minY: 0, maxY: 10 };
    expect(containsBounds(outer, { minX: 1, maxX: 9, minY: 0, maxY: 10 })).toBe(true);
    expect(containsBounds(outer, { minX: 1, maxX: 11, minY: 0, maxY: 10 })).toBe(false);
  });
});

describe('toAspect', () => {
  it('widens the slack axis to the canvas shape, centred, keeping the fit', () => {
    const b = { minX: 0, maxX: 100, minY: 0, maxY: 100 };
    const wide = toAspect(b, 224, 124, 12); // room 200 x 100
    expect(wide).toEqual({ minX: -50, maxX: 150, minY: 0, maxY: 100 });
    // The same fit either way: the widened bounds fill the canvas to its padding.
    const p = fitProjection(wide, 224, 124, 12);
    expect(p.scale).toBeCloseTo(fitProjection(b, 224, 124, 12).scale);
    expect(project(p, 0, 0)).toEqual(project(fitProjection(b, 224, 124, 12), 0, 0));
    expect(project(p, -50, 100)).toEqual([12, 12]);
  });
});
