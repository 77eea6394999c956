import { describe, expect, it } from 'vitest';
import type { LapAnalysis } from '../api/types';
import { lapColumns } from './lapTrace';
import { swapAnalysis, viewData } from './viewData';

const lap = lapColumns({ channels: { lap_distance_m: [0, 500, 990], speed_kmh: [100, 200, 150] } });
const ref = lapColumns({ channels: { lap_distance_m: [0, 1000], speed_kmh: [100, 300] } });

describe('viewData', () => {
  it('aligns the reference, scales the delta and the corners to metres', () => {
    const data = viewData({
      lap,
      referenceLap: ref,
      analysis: { length_m: 1000, delta: { length_m: 1000, distance: [0, 0.5, 1], delta_ms: [0, 100, 250], lap_time_ms: 1, reference_lap_time_ms: 1, final_delta_ms: 250 } },
      corners: [{ number: 1, start: 0.2, apex: 0.25, end: 0.3, direction: 'left' }],
      lapLabel: 'lap 2',
      referenceLabel: 'lap 1',
    });
    expect(data.reference?.speed).toEqual([100, 200, 298]);
    expect(data.referenceLap).toBe(ref);
    expect(Array.from(data.delta!.distance)).toEqual([0, 500, 1000]);
    expect(Array.from(data.delta!.delta)).toEqual([0, 0.1, 0.25]);
    expect(data.xMax).toBe(1000);
    expect(data.corners).toEqual([{ number: 1, apex: 250 }]);
  });
  it('works without a reference or an analysis', () => {
    const data = viewData({ lap, referenceLap: null, analysis: null, corners: [], lapLabel: 'lap 2', referenceLabel: 'reference' });
    expect(data.reference).toBeNull();
    expect(data.delta).toBeNull();
    expect(data.xMax).toBe(990);
  });
});

describe('swapAnalysis', () => {
  const analysis = {
    lap_time_ms: 100_000,
    reference_lap_time_ms: 99_000,
    length_m: 1000,
    measured_length_m: 1000,
    corners: [{ corner: 1, min_speed_kmh: 90 }],
    reference_corners: [{ corner: 1, min_speed_kmh: 95 }],
    segments: [{ index: 0, kind: 'straight', corner: null, name: 's', start_m: 0, end_m: 1000, time_ms: 100_000, reference_ms: 99_000, delta_ms: 1000 }],
    sectors_ms: [30_000, 30_000, 40_000],
    reference_sectors_ms: [29_000, 30_500, 39_500],
    delta: { length_m: 1000, distance: [0, 1], delta_ms: [0, 1000], lap_time_ms: 100_000, reference_lap_time_ms: 99_000, final_delta_ms: 1000 },
    zones: [{ corner: 1, start_m: 0, end_m: 100, lap_ms: 5000, reference_ms: 4900, loss_ms: 100, entry_loss_ms: 60, exit_loss_ms: 40 }],
    suggestions: [{ corner: 1, kind: 'braking', message: 'm', time_at_stake_ms: 100, severity: 'minor' }],
  } as unknown as LapAnalysis;

  it('turns lap A against B into B against A', () => {
    const swapped = swapAnalysis(analysis);
    expect(swapped.lap_time_ms).toBe(99_000);
    expect(swapped.reference_lap_time_ms).toBe(100_000);
    expect(swapped.corners).toEqual([{ corner: 1, min_speed_kmh: 95 }]);
    expect(swapped.reference_corners).toEqual([{ corner: 1, min_speed_kmh: 90 }]);
    expect(swapped.sectors_ms).toEqual([29_000, 30_500, 39_500]);
    expect(swapped.reference_sectors_ms).toEqual([30_000, 30_000, 40_000]);
    expect(swapped.delta?.delta_ms).toEqual([-0, -1000]);
    expect(swapped.delta?.final_delta_ms).toBe(-1000);
    expect(swapped.zones[0]).toMatchObject({ lap_ms: 4900, reference_ms: 5000, loss_ms: -100, entry_loss_ms: -60, exit_loss_ms: -40 });
    expect(swapped.segments[0]).toMatchObject({ time_ms: 99_000, reference_ms: 100_000, delta_ms: -1000 });
    expect(swapped.suggestions).toEqual([]);
    // The original is left alone.
    expect(analysis.delta?.delta_ms).toEqual([0, 1000]);
  });
});
