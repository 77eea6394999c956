import { describe, expect, it } from 'vitest';
import type { LapInfo, SessionInfo } from '../api/types';
import { compareGroups, compareSessions } from './compare';
import { adjacentLap, lapKeyAction } from './lapKeys';

const session = (id: string, track: string, car: string, started: number): SessionInfo => ({
  id,
  name: id,
  sim: 'ac',
  track,
  car,
  track_length_m: null,
  started_at_ms: started,
  updated_at_ms: started,
  lap_count: 1,
  best_lap_time_ms: null,
  live: false,
});
const lap = (id: number, lap_number: number, lap_time_ms = 90_000): LapInfo => ({
  id,
  session_id: 's',
  lap_number,
  lap_time_ms,
  official_time: true,
  valid: true,
  out_lap: false,
  in_lap: false,
  first_seq: 0,
  last_seq: 0,
  completed_at_ms: 0,
});

describe('compareSessions', () => {
  const current = session('now', 'Monza', 'GT3', 50);
  const all = [
    session('a', 'Monza', 'GT3', 10),
    session('b', 'Spa', 'GT3', 60),
    session('c', 'Monza', 'GT4', 70),
    current,
    session('d', 'Monza', 'GT3', 40),
    session('e', 'Monza', 'GT3', 45),
  ];
  it('lists the current session, then the same track and car, newest first', () => {
    expect(compareSessions(all, current).map((s) => s.id)).toEqual(['now', 'e', 'd', 'a']);
  });
  it('is bounded', () => {
    expect(compareSessions(all, current, 2).map((s) => s.id)).toEqual(['now', 'e']);
    expect(compareSessions(all, current, 0).map((s) => s.id)).toEqual(['now']);
  });
});

describe('compareGroups', () => {
  it('leaves out the lap on screen, laps without a time and empty sessions', () => {
    const groups = compareGroups(
      [
        { session: session('x', 't', 'c', 1), laps: [lap(3, 2), lap(2, 1), lap(9, 3, 0)] },
        { session: session('y', 't', 'c', 0), laps: [lap(5, 1)] },
      ],
      5,
    );
    expect(groups.map((g) => [g.session.id, g.laps.map((l) => l.id)])).toEqual([['x', [2, 3]]]);
  });
});

describe('lap keys', () => {
  it('maps [ ] and r, ignoring modified keys and typing in fields', () => {
    expect(lapKeyAction({ key: '[' })).toBe('previous');
    expect(lapKeyAction({ key: ']' })).toBe('next');
    expect(lapKeyAction({ key: 'r' })).toBe('reference');
    expect(lapKeyAction({ key: 'R' })).toBe('reference');
    expect(lapKeyAction({ key: 'x' })).toBeNull();
    expect(lapKeyAction({ key: 'r', ctrlKey: true })).toBeNull();
    expect(lapKeyAction({ key: ']', metaKey: true })).toBeNull();
    expect(lapKeyAction({ key: 'r', targetTag: 'input' })).toBeNull();
    expect(lapKeyAction({ key: '[', targetTag: 'SELECT' })).toBeNull();
    expect(lapKeyAction({ key: '[', targetTag: 'DIV', targetEditable: true })).toBeNull();
    expect(lapKeyAction({ key: '[', targetTag: 'BODY' })).toBe('previous');
  });
  it('finds the previous and next lap in lap order', () => {
    const laps = [lap(30, 3), lap(10, 1), lap(20, 2)];
    expect(adjacentLap(laps, 20, -1)?.id).toBe(10);
    expect(adjacentLap(laps, 20, 1)?.id).toBe(30);
    expect(adjacentLap(laps, 10, -1)).toBeNull();
    expect(adjacentLap(laps, 30, 1)).toBeNull();
    expect(adjacentLap(laps, 99, 1)).toBeNull();
  });
});
