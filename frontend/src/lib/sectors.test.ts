import { describe, expect, it } from 'vitest';
import type { SessionAnalysisResponse, SessionLapSummary } from '../api/types';
import { formatSectorTime, sectorTimes, sessionSplits } from './sectors';

describe('sectorTimes', () => {
  it('splits the lap at equal thirds of its length', () => {
    // 300 m at 10 m/s, but the official lap time is 30.5 s.
    const distance = [0, 50, 100, 150, 200, 250, 299];
    const time = distance.map((d) => d * 100);
    expect(sectorTimes(distance, time, 300, 30_500)).toEqual([10_000, 10_000, 10_500]);
  });
  it('interpolates between samples', () => {
    expect(sectorTimes([0, 90, 110, 190, 210, 290], [0, 9000, 13000, 21000, 25000, 33000], 300, 34_000)).toEqual([11_000, 12_000, 11_000]);
  });
  it('needs a lap time channel reaching every boundary', () => {
    expect(sectorTimes([0, 50, 150], [0, 5000, 15000], 300, 30_000)).toBeNull();
    expect(sectorTimes([0, 300], undefined, 300, 30_000)).toBeNull();
    expect(sectorTimes([0, 300], [0, NaN], 300, 30_000)).toBeNull();
    expect(sectorTimes([0, 300], [0, 30_000], 0, 30_000)).toBeNull();
  });
});

describe('formatSectorTime', () => {
  it('reads seconds under a minute, else minutes', () => {
    expect(formatSectorTime(33_508.75)).toBe('33.509');
    expect(formatSectorTime(5_004)).toBe('5.004');
    expect(formatSectorTime(61_234)).toBe('1:01.234');
    expect(formatSectorTime(null)).toBe('—');
    expect(formatSectorTime(NaN)).toBe('—');
  });
});

describe('sessionSplits', () => {
  const lap = (index: number, sectors: number[], purple: boolean[]): SessionLapSummary => ({
    lap: index,
    lap_time_ms: sectors.reduce((a, b) => a + b, 0),
    valid: true,
    gap_to_best_ms: 0,
    sector_ms: sectors,
    purple_sectors: purple,
    segment_ms: [],
    purple_segments: [],
  });
  const response: SessionAnalysisResponse = {
    lap_ids: [41, 42, 43],
    track_model: { length_m: 1000, corners: [] },
    analysis: {
      length_m: 1000,
      laps: [lap(0, [10, 20, 30], [true, false, false]), lap(2, [11, 19, 31], [false, true, true])],
      skipped: [{ lap: 1, error: 'TooShort' }],
      theoretical_best: {
        best_lap: 0,
        best_lap_time_ms: 60,
        theoretical_best_ms: 58.5,
        best_segments: [],
        best_sectors_ms: 59,
        best_sectors: [],
        gain_ms: 1.5,
      },
    },
  };

  it('maps the analysis lap indices to lap ids', () => {
    const splits = sessionSplits(response);
    expect(splits.byLap.get(41)).toEqual({ sectorsMs: [10, 20, 30], purple: [true, false, false] });
    expect(splits.byLap.get(43)).toEqual({ sectorsMs: [11, 19, 31], purple: [false, true, true] });
    expect(splits.byLap.has(42)).toBe(false);
    expect(splits.sectorCount).toBe(3);
    expect(splits.theoreticalBestMs).toBe(58.5);
    expect(splits.bestSectorsMs).toBe(59);
    expect(splits.bestLapId).toBe(41);
  });
});
