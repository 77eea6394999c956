import { describe, expect, it } from 'vitest';
import { clampZoom, inZoom, LapView, selectionRange, visibleRange } from './lapView';

describe('selectionRange', () => {
  const toValue = (px: number) => px * 2 + 100; // 2 m per pixel from 100 m
  it('maps a drag in pixels to a distance range', () => {
    expect(selectionRange(10, 50, toValue)).toEqual([120, 220]);
  });
  it('orders a reversed mapping', () => {
    expect(selectionRange(10, 50, (px) => 1000 - px)).toEqual([940, 990]);
  });
  it('takes a narrow selection as a click', () => {
    expect(selectionRange(10, 2, toValue)).toBeNull();
    expect(selectionRange(10, 0, toValue)).toBeNull();
    expect(selectionRange(10, NaN, toValue)).toBeNull();
    expect(selectionRange(10, 20, () => NaN)).toBeNull();
  });
});

describe('clampZoom', () => {
  it('keeps a range inside the lap', () => {
    expect(clampZoom([100, 300], 1000)).toEqual([100, 300]);
    expect(clampZoom([-50, 300], 1000)).toEqual([0, 300]);
    expect(clampZoom([300, 100], 1000)).toEqual([100, 300]);
  });
  it('widens a range narrower than the minimum around its middle, inside the lap', () => {
    expect(clampZoom([100, 101], 1000, 10)).toEqual([95.5, 105.5]);
    expect(clampZoom([0, 1], 1000, 10)).toEqual([0, 10]);
    expect(clampZoom([999, 1000], 1000, 10)).toEqual([990, 1000]);
  });
  it('is no zoom when it covers the lap or is invalid', () => {
    expect(clampZoom([-1, 2000], 1000)).toBeNull();
    expect(clampZoom(null, 1000)).toBeNull();
    expect(clampZoom([NaN, 10], 1000)).toBeNull();
    expect(clampZoom([1, 10], 0)).toBeNull();
  });
  it('gives the visible range and membership', () => {
    expect(visibleRange(null, 500)).toEqual([0, 500]);
    expect(visibleRange([10, 20], 500)).toEqual([10, 20]);
    expect(inZoom(null, 7)).toBe(true);
    expect(inZoom([10, 20], 15)).toBe(true);
    expect(inZoom([10, 20], 25)).toBe(false);
  });
});

describe('LapView', () => {
  it('tells listeners what changed and who changed it, once per real change', () => {
    const view = new LapView(1000);
    const seen: string[] = [];
    const stop = view.subscribe((change, source) => seen.push(`${change}:${source}`));
    view.setCursor(10, 'chart-speed');
    view.setCursor(10, 'chart-speed');
    view.setZoom([100, 200], 'chart-rpm');
    view.setZoom([100, 200]);
    view.setZoom([-10, 5000]);
    view.toggleReference();
    view.setShowReference(false);
    stop();
    view.setCursor(20);
    expect(seen).toEqual(['cursor:chart-speed', 'zoom:chart-rpm', 'zoom:null', 'reference:null']);
    expect(view.cursor).toBe(20);
    expect(view.zoom).toBeNull();
    expect(view.showReference).toBe(false);
  });
  it('clears the cursor with null or a non-number', () => {
    const view = new LapView(1000);
    view.setCursor(5);
    view.setCursor(NaN);
    expect(view.cursor).toBeNull();
  });
});
