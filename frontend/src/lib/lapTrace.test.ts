import { describe, expect, it } from 'vitest';
import type { CornerMetrics, Suggestion } from '../api/types';
import {
  alignOnto,
  alignReference,
  cornerRows,
  deltaColumns,
  formatSigned,
  formatStake,
  lapColumns,
  rankSuggestions,
  severityLabel,
  suggestionPlace,
  symmetricRange,
} from './lapTrace';

describe('lapColumns', () => {
  it('scales pedals to percent and keeps distance strictly ascending', () => {
    const cols = lapColumns({
      channels: {
        lap_distance_m: [0, 10, 10, null, 20, 15, 30],
        speed_kmh: [100, 110, 111, 112, 120, 121, 130],
        throttle: [1, 0.5, 0.5, 0.5, 0, 0, null],
        brake: [0, 0, 0, 0, 1, 1, 0.25],
        steering: [0, 0.1, 0.1, 0.1, -0.2, -0.2, 0],
      },
    });
    expect(Array.from(cols.distance)).toEqual([0, 10, 20, 30]);
    expect(Array.from(cols.speed)).toEqual([100, 110, 120, 130]);
    expect(Array.from(cols.throttle)).toEqual([100, 50, 0, 0]);
    expect(Array.from(cols.brake)).toEqual([0, 0, 100, 25]);
    expect(Array.from(cols.steering)).toEqual([0, 0.1, -0.2, 0]);
    expect(cols.length).toBe(4);
    expect(cols.maxDistance).toBe(30);
    expect(cols.maxSpeed).toBe(130);
  });

  it('skips samples left over from the end of the previous lap', () => {
    const cols = lapColumns({ channels: { lap_distance_m: [4894, 4895, 1, 2, 3000, 4890], speed_kmh: [1, 2, 3, 4, 5, 6] } });
    expect(Array.from(cols.distance)).toEqual([1, 2, 3000, 4890]);
    expect(Array.from(cols.speed)).toEqual([3, 4, 5, 6]);
  });

  it('keeps optional channels only when reported, with NaN for missing samples', () => {
    const cols = lapColumns({
      channels: {
        lap_distance_m: [0, 10, 20],
        gear: [3, 3, 4],
        rpm: [null, 6000, 6100],
        g_lat: [null, null, null],
        x: [1, 2, 3],
        tyre_temp_fl: [80, 81, 82],
      },
    });
    expect(Array.from(cols.optional.gear!)).toEqual([3, 3, 4]);
    expect(Array.from(cols.optional.rpm!)).toEqual([NaN, 6000, 6100]);
    expect(cols.optional.gLat).toBeUndefined();
    expect(cols.optional.gLon).toBeUndefined();
    expect(Array.from(cols.optional.x!)).toEqual([1, 2, 3]);
    expect(Array.from(cols.optional.tyreFL!)).toEqual([80, 81, 82]);
    expect(cols.optional.tyreRR).toBeUndefined();
  });

  it('copes with missing channels', () => {
    const cols = lapColumns({ channels: {} });
    expect(cols.length).toBe(0);
    expect(cols.maxDistance).toBe(0);
  });
});

describe('alignOnto', () => {
  it('interpolates linearly and leaves gaps outside the sampled range', () => {
    expect(alignOnto([0, 5, 10, 15, 20, 25], [5, 15, 20], [10, 30, 20])).toEqual([null, 10, 20, 30, 20, null]);
  });
  it('handles exact hits, a single sample and no samples', () => {
    expect(alignOnto([1, 2, 3], [1, 2, 3], [7, 8, 9])).toEqual([7, 8, 9]);
    expect(alignOnto([1, 2], [2], [5])).toEqual([null, 5]);
    expect(alignOnto([1, 2], [], [])).toEqual([null, null]);
  });
  it('holds the last sample in step mode and leaves gaps next to missing samples', () => {
    expect(alignOnto([0, 4, 5, 9, 10], [0, 5, 10], [3, 4, 5], 'step')).toEqual([3, 3, 4, 4, 5]);
    expect(alignOnto([0, 2.5, 5, 7.5], [0, 5, 10], [1, NaN, 3])).toEqual([1, null, null, null]);
  });
  it('aligns every overlay channel of a reference lap', () => {
    const lap = lapColumns({ channels: { lap_distance_m: [0, 50, 100], speed_kmh: [100, 100, 100], throttle: [1, 1, 1] } });
    const ref = lapColumns({ channels: { lap_distance_m: [0, 100], speed_kmh: [80, 120], throttle: [0, 1], brake: [1, 0], steering: [-1, 1] } });
    const aligned = alignReference(lap, ref);
    expect(aligned.speed).toEqual([80, 100, 120]);
    expect(aligned.throttle).toEqual([0, 50, 100]);
    expect(aligned.brake).toEqual([100, 50, 0]);
    expect(aligned.steering).toEqual([-1, 0, 1]);
    expect(aligned.gear).toBeUndefined();
  });
  it('aligns optional channels present in both laps, gears stepped', () => {
    const lap = lapColumns({ channels: { lap_distance_m: [0, 50, 100], gear: [2, 2, 3], rpm: [1, 1, 1] } });
    const ref = lapColumns({ channels: { lap_distance_m: [0, 60, 100], gear: [2, 3, 3], g_lat: [0, 1, 0] } });
    const aligned = alignReference(lap, ref);
    expect(aligned.gear).toEqual([2, 2, 3]);
    expect(aligned.rpm).toBeUndefined();
    expect(aligned.gLat).toBeUndefined();
  });
});

describe('deltaColumns', () => {
  it('scales distance to metres and the delta to seconds', () => {
    const d = deltaColumns({ length_m: 2000, distance: [0, 0.5, 1], delta_ms: [0, 120, -250], lap_time_ms: 1, reference_lap_time_ms: 1, final_delta_ms: -250 });
    expect(Array.from(d.distance)).toEqual([0, 1000, 2000]);
    expect(Array.from(d.delta)).toEqual([0, 0.12, -0.25]);
    expect(Array.from(deltaColumns({ length_m: 2000, distance: [0.5], delta_ms: [1], lap_time_ms: 1, reference_lap_time_ms: 1, final_delta_ms: 1 }, 3000).distance)).toEqual([1500]);
  });
  it('gives a symmetric range around zero', () => {
    const [lo, hi] = symmetricRange([0.2, -0.5, 0.1]);
    expect(hi).toBeCloseTo(0.55);
    expect(lo).toBeCloseTo(-0.55);
    expect(symmetricRange([])[1]).toBeCloseTo(0.11);
  });
});

function corner(n: number, braking: number | null, minSpeed: number): CornerMetrics {
  return {
    corner: n,
    braking_point_m: braking,
    peak_brake: 1,
    min_speed_kmh: minSpeed,
    min_speed_at_m: 0,
    throttle_on_m: null,
    full_throttle_m: null,
    exit_throttle: 1,
    entry_ms: 0,
    apex_ms: 0,
    exit_ms: 0,
    entry_speed_kmh: 0,
    apex_speed_kmh: 0,
    exit_speed_kmh: 0,
    corner_time_ms: 0,
  };
}

describe('cornerRows', () => {
  it('pairs each corner with the reference and the zone loss', () => {
    const rows = cornerRows({
      corners: [corner(2, null, 150), corner(1, 480, 95.5)],
      reference_corners: [corner(1, 500, 98), corner(2, 700, 149)],
      zones: [{ corner: 1, start_m: 0, end_m: 1, lap_ms: 1, reference_ms: 1, loss_ms: 84.5, entry_loss_ms: 40, exit_loss_ms: 44.5 }],
    });
    expect(rows).toEqual([
      { corner: 1, brakingM: 480, refBrakingM: 500, brakingDiffM: -20, minSpeed: 95.5, refMinSpeed: 98, minSpeedDiff: -2.5, lossMs: 84.5 },
      { corner: 2, brakingM: null, refBrakingM: 700, brakingDiffM: null, minSpeed: 150, refMinSpeed: 149, minSpeedDiff: 1, lossMs: null },
    ]);
  });
  it('works without a reference', () => {
    const rows = cornerRows({ corners: [corner(1, 480, 95)], reference_corners: null, zones: [] });
    expect(rows[0]).toMatchObject({ refBrakingM: null, brakingDiffM: null, refMinSpeed: null, minSpeedDiff: null, lossMs: null });
  });
});

describe('suggestions', () => {
  const s = (corner: number | null, stake: number, severity: Suggestion['severity']): Suggestion => ({
    corner,
    kind: 'braking',
    message: 'm',
    time_at_stake_ms: stake,
    severity,
  });
  it('ranks by time at stake, then severity', () => {
    const ranked = rankSuggestions([s(1, 50, 'minor'), s(2, 200, 'major'), s(3, 50, 'major'), s(null, 10, 'info')]);
    expect(ranked.map((x) => x.corner)).toEqual([2, 3, 1, null]);
  });
  it('formats place, severity and stake', () => {
    expect(suggestionPlace(s(4, 0, 'info'))).toBe('T4');
    expect(suggestionPlace(s(null, 0, 'info'))).toBe('Lap');
    expect(severityLabel('major')).toBe('Major');
    expect(severityLabel('minor')).toBe('Minor');
    expect(severityLabel('info')).toBe('Info');
    expect(formatStake(123.4)).toBe('0.123 s');
    expect(formatStake(1500)).toBe('1.500 s');
    expect(formatStake(null)).toBe('—');
  });
  it('formats signed differences', () => {
    expect(formatSigned(3.04, 1)).toBe('+3.0');
    expect(formatSigned(-20)).toBe('-20');
    expect(formatSigned(-0.01, 1)).toBe('±0.0');
    expect(formatSigned(null)).toBe('—');
  });
});
