import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '../api/types';
import { filterOptions, filterSessions, removeSession } from './sessions';

const session = (id: string, track: string, car: string): SessionInfo => ({
  id,
  name: `s${id}`,
  sim: 'ac',
  track,
  car,
  track_length_m: null,
  started_at_ms: Number(id),
  updated_at_ms: Number(id),
  lap_count: 0,
  best_lap_time_ms: null,
  live: false,
});

const list = [session('1', 'Monza', 'GT3'), session('2', 'Spa', 'GT3'), session('3', 'Monza', 'F4'), session('4', '', ''), session('5', 'Imola', 'GT3')];

describe('filterOptions', () => {
  it('lists distinct non-empty tracks, sorted', () => {
    expect(filterOptions(list, 'track')).toEqual(['Imola', 'Monza', 'Spa']);
  });
  it('lists distinct non-empty cars, sorted', () => {
    expect(filterOptions(list, 'car')).toEqual(['F4', 'GT3']);
  });
  it('is empty for no sessions', () => {
    expect(filterOptions([], 'car')).toEqual([]);
  });
});

describe('filterSessions', () => {
  it('keeps everything with an empty filter', () => {
    expect(filterSessions(list, { track: '', car: '' })).toEqual(list);
  });
  it('filters by track', () => {
    expect(filterSessions(list, { track: 'Monza', car: '' }).map((s) => s.id)).toEqual(['1', '3']);
  });
  it('filters by car', () => {
    expect(filterSessions(list, { track: '', car: 'GT3' }).map((s) => s.id)).toEqual(['1', '2', '5']);
  });
  it('filters by both', () => {
    expect(filterSessions(list, { track: 'Monza', car: 'GT3' }).map((s) => s.id)).toEqual(['1']);
    expect(filterSessions(list, { track: 'Spa', car: 'F4' })).toEqual([]);
  });
});

describe('removeSession', () => {
  it('drops the session by id', () => {
    expect(removeSession(list, '3').map((s) => s.id)).toEqual(['1', '2', '4', '5']);
    expect(removeSession(list, 'nope')).toHaveLength(5);
  });
});
