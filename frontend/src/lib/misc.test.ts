import { describe, expect, it } from 'vitest';
import type { LapInfo, SessionInfo } from '../api/types';
import { backoffDelay } from './backoff';
import { FrameScheduler } from './frameScheduler';
import { matchPath } from './routes';
import { bestLap, upsertLap, upsertSession } from './sessions';

describe('backoffDelay', () => {
  it('doubles up to the cap', () => {
    const none = () => 0.5; // no jitter
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((a) => backoffDelay(a, {}, none))).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });
  it('jitters within bounds', () => {
    expect(backoffDelay(1, { jitter: 0.2 }, () => 0)).toBe(800);
    expect(backoffDelay(1, { jitter: 0.2 }, () => 1)).toBe(1200);
    expect(backoffDelay(20, { jitter: 0.2 }, () => 1)).toBe(10000);
  });
});

describe('matchPath', () => {
  it('matches static and parameter segments', () => {
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/sessions/:id', '/sessions/abc')).toEqual({ id: 'abc' });
    expect(matchPath('/sessions/:id', '/sessions/a%20b/')).toEqual({ id: 'a b' });
    expect(matchPath('/sessions/:id', '/sessions')).toBeNull();
    expect(matchPath('/', '/nope')).toBeNull();
  });
});

describe('FrameScheduler', () => {
  it('runs every task once per animation frame however often asked', () => {
    const callbacks: Array<(t: number) => void> = [];
    const scheduler = new FrameScheduler((cb) => callbacks.push(cb), () => {});
    let a = 0;
    let b = 0;
    scheduler.add(() => a++);
    const removeB = scheduler.add(() => b++);
    scheduler.request();
    scheduler.request();
    scheduler.request();
    expect(callbacks.length).toBe(1);
    callbacks[0](0);
    expect([a, b]).toEqual([1, 1]);
    removeB();
    scheduler.request();
    callbacks[1](16);
    expect([a, b]).toEqual([2, 1]);
  });
});

const session = (id: string, started: number, extra: Partial<SessionInfo> = {}): SessionInfo => ({
  id,
  name: id,
  sim: 'demo',
  track: 'Purple Park',
  car: 'Demo GT',
  track_length_m: null,
  started_at_ms: started,
  updated_at_ms: started,
  lap_count: 0,
  best_lap_time_ms: null,
  live: false,
  ...extra,
});

const lap = (id: number, n: number, ms: number, extra: Partial<LapInfo> = {}): LapInfo => ({
  id,
  session_id: 's',
  lap_number: n,
  lap_time_ms: ms,
  official_time: false,
  valid: true,
  out_lap: false,
  in_lap: false,
  first_seq: 0,
  last_seq: 0,
  completed_at_ms: 0,
  ...extra,
});

describe('session and lap lists', () => {
  it('upserts sessions newest first', () => {
    let list = [session('a', 1), session('b', 3)];
    list = upsertSession(list, session('c', 2));
    expect(list.map((s) => s.id)).toEqual(['b', 'c', 'a']);
    list = upsertSession(list, session('a', 1, { live: true, lap_count: 2 }));
    expect(list.length).toBe(3);
    expect(list.find((s) => s.id === 'a')!.lap_count).toBe(2);
  });
  it('upserts laps in lap order without duplicates', () => {
    let laps = [lap(1, 1, 90000), lap(3, 3, 88000)];
    laps = upsertLap(laps, lap(2, 2, 89000));
    laps = upsertLap(laps, lap(3, 3, 88000));
    expect(laps.map((l) => l.lap_number)).toEqual([1, 2, 3]);
  });
  it('finds the best counting lap', () => {
    const laps = [lap(1, 1, 70000, { out_lap: true }), lap(2, 2, 80000, { valid: false }), lap(3, 3, 89000), lap(4, 4, 88000)];
    expect(bestLap(laps)?.id).toBe(4);
    expect(bestLap([lap(1, 1, 70000, { out_lap: true })])).toBeNull();
  });
});
