import { describe, expect, it } from 'vitest';
import { deltaRange, deltaReference, deltaTone, formatLiveDelta, liveDeltaMs, referenceTimeAt } from './liveDelta';

/** A 1000 m lap at a steady 10 m/s: 100 ms per metre, a sample every 10 m. */
function steadyLap() {
  const distance: number[] = [];
  const time: number[] = [];
  for (let d = 0; d <= 1000; d += 10) {
    distance.push(d);
    time.push(d * 100);
  }
  return { distance, time };
}

describe('deltaReference', () => {
  it('keeps a clean lap as typed arrays', () => {
    const { distance, time } = steadyLap();
    const ref = deltaReference(distance, time, 7)!;
    expect(ref.lapId).toBe(7);
    expect(ref.length).toBe(101);
    expect(ref.distance).toBeInstanceOf(Float64Array);
    expect(ref.timeMs).toBeInstanceOf(Float64Array);
    expect(ref.distance.length).toBe(101);
    expect(ref.timeMs[100]).toBe(100_000);
  });

  it('skips the previous lap’s end at the start and the next lap’s start at the end (distance resets)', () => {
    const distance = [995, 999, 1, 10, 500, 990, 2, 5];
    const time = [99_500, 99_900, 16, 1_000, 50_000, 99_000, 99_200, 99_500];
    const ref = deltaReference(distance, time)!;
    expect(Array.from(ref.distance)).toEqual([1, 10, 500, 990]);
    expect(Array.from(ref.timeMs)).toEqual([16, 1_000, 50_000, 99_000]);
  });

  it('drops missing samples, standing still and time running backwards', () => {
    const distance = [null, 0, 10, 10, 20, NaN, 30, 40];
    const time = [0, 0, 1_000, 1_100, 2_000, 2_500, 1_500, 4_000];
    const ref = deltaReference(distance, time)!;
    expect(Array.from(ref.distance)).toEqual([0, 10, 20, 40]);
    expect(Array.from(ref.timeMs)).toEqual([0, 1_000, 2_000, 4_000]);
  });

  it('is null with fewer than two usable samples', () => {
    expect(deltaReference([], [])).toBeNull();
    expect(deltaReference([5], [100])).toBeNull();
    expect(deltaReference([1, 2, 3], [null, null, 5])).toBeNull();
  });
});

describe('referenceTimeAt', () => {
  const lap = steadyLap();
  const ref = deltaReference(lap.distance, lap.time)!;

  it('returns samples exactly and interpolates between them', () => {
    expect(referenceTimeAt(ref, 0)).toBe(0);
    expect(referenceTimeAt(ref, 10)).toBe(1_000);
    expect(referenceTimeAt(ref, 1000)).toBe(100_000);
    expect(referenceTimeAt(ref, 15)).toBeCloseTo(1_500);
    expect(referenceTimeAt(ref, 333.3)).toBeCloseTo(33_330);
  });

  it('is null outside the distances the lap covers', () => {
    expect(referenceTimeAt(ref, -1)).toBeNull();
    expect(referenceTimeAt(ref, 1000.5)).toBeNull();
    expect(referenceTimeAt(ref, NaN)).toBeNull();
  });

  it('interpolates on uneven spacing', () => {
    const uneven = deltaReference([0, 1, 100, 101], [0, 10, 2_000, 2_010])!;
    expect(referenceTimeAt(uneven, 50.5)).toBeCloseTo(1_005);
    expect(referenceTimeAt(uneven, 100.5)).toBeCloseTo(2_005);
  });
});

describe('liveDeltaMs', () => {
  const { distance, time } = steadyLap();
  const ref = deltaReference(distance, time)!;

  it('is the current lap time minus the best lap’s at the same distance', () => {
    expect(liveDeltaMs(ref, 500, 49_877)).toBeCloseTo(-123);
    expect(liveDeltaMs(ref, 500, 50_456)).toBeCloseTo(456);
    expect(liveDeltaMs(ref, 255, 25_500)).toBeCloseTo(0);
  });

  it('is null without a best lap, off its distances, or without a lap time', () => {
    expect(liveDeltaMs(null, 500, 50_000)).toBeNull();
    expect(liveDeltaMs(ref, 1200, 50_000)).toBeNull();
    expect(liveDeltaMs(ref, 500, NaN)).toBeNull();
  });

  it('ignores a frame whose distance and time belong to different laps (around the line)', () => {
    // Lap time already reset, distance not yet: about −100 s.
    expect(liveDeltaMs(ref, 999, 16)).toBeNull();
    // Distance reset, lap time not yet: about +100 s.
    expect(liveDeltaMs(ref, 1, 99_950)).toBeNull();
    // A big but believable loss (a spin) is kept.
    expect(liveDeltaMs(ref, 500, 50_000 + 20_000)).toBe(20_000);
  });
});

describe('deltaTone', () => {
  it('is red behind, purple ahead on a lap that counts, green ahead on one that does not', () => {
    expect(deltaTone(120, true)).toBe('behind');
    expect(deltaTone(-120, true)).toBe('best');
    expect(deltaTone(-120, false)).toBe('ahead');
    expect(deltaTone(0.2, true)).toBe('level');
    expect(deltaTone(null, true)).toBe('none');
    expect(deltaTone(NaN, true)).toBe('none');
  });
});

describe('formatLiveDelta', () => {
  it('signs seconds with milliseconds, a real minus sign when ahead', () => {
    expect(formatLiveDelta(123)).toBe('+0.123');
    expect(formatLiveDelta(-456)).toBe('−0.456');
    expect(formatLiveDelta(-1_234.4)).toBe('−1.234');
    expect(formatLiveDelta(75_000)).toBe('+75.000');
    expect(formatLiveDelta(0)).toBe('+0.000');
    expect(formatLiveDelta(-0.2)).toBe('+0.000');
    expect(formatLiveDelta(null)).toBe('—');
    for (const ms of [1, -1, 999, -10_500]) expect(formatLiveDelta(ms)).toMatch(/^[+−]\d+\.\d{3}$/);
  });
});

describe('deltaRange', () => {
  it('is symmetric, at least ±0.5 s, in quarter seconds', () => {
    expect(deltaRange(0)).toEqual([-0.5, 0.5]);
    expect(deltaRange(0.3)).toEqual([-0.5, 0.5]);
    expect(deltaRange(1)).toEqual([-1.25, 1.25]);
    expect(deltaRange(NaN)).toEqual([-0.5, 0.5]);
  });
});
