import { describe, expect, it } from 'vitest';
import type { TelemetryFrame } from '../api/types';
import { LapTrace, LiveLapBuffer, frameDistance } from './liveBuffer';
import { deltaReference } from './liveDelta';

function frame(seq: number, lap: number, distance: number | null, extra: Partial<TelemetryFrame> = {}): TelemetryFrame {
  return {
    seq,
    captured_at_us: seq * 16_667,
    session_time_ms: seq * 16.667,
    current_lap_time_ms: seq * 16,
    lap_number: lap,
    normalized_position: distance == null ? 0.5 : distance / 1000,
    lap_distance_m: distance,
    throttle: 0.5,
    brake: 0.25,
    steering: -0.1,
    speed_kmh: 100 + seq,
    gear: 3,
    rpm: 5000,
    max_rpm: 8000,
    in_pit: false,
    lap_invalid: false,
    ...extra,
  };
}

const frames = (from: number, to: number, lap: number, metresPerFrame = 10, offset = 0) =>
  Array.from({ length: to - from + 1 }, (_, i) => frame(from + i, lap, offset + (i + 1) * metresPerFrame));

describe('LapTrace', () => {
  it('grows past its initial capacity and keeps every sample', () => {
    const trace = new LapTrace(0, 16);
    for (let i = 0; i < 1000; i++) trace.push(i, i * 2, 0, 0, 0);
    expect(trace.length).toBe(1000);
    expect(trace.column('distance')[999]).toBe(999);
    expect(trace.column('speed')[500]).toBe(1000);
    expect(trace.column('speed').length).toBe(1000);
    expect(trace.maxDistance).toBe(999);
    expect(trace.maxSpeed).toBe(1998);
  });
});

describe('LiveLapBuffer', () => {
  it('appends frames as columns with pedals in percent', () => {
    const buffer = new LiveLapBuffer();
    buffer.ingest(frames(1, 3, 0));
    const trace = buffer.current!;
    expect(trace.length).toBe(3);
    expect(Array.from(trace.column('distance'))).toEqual([10, 20, 30]);
    expect(Array.from(trace.column('speed'))).toEqual([101, 102, 103]);
    expect(trace.column('throttle')[0]).toBe(50);
    expect(trace.column('brake')[0]).toBe(25);
    expect(trace.column('steering')[0]).toBeCloseTo(-0.1);
    expect(buffer.latest?.seq).toBe(3);
  });

  it('keeps the whole lap as the previous one when the sim bumps its lap counter a frame early', () => {
    const buffer = new LiveLapBuffer();
    buffer.ingest(frames(1, 99, 1)); // lap 1: 10 m .. 990 m
    buffer.ingest([frame(100, 2, 995)]); // the counter says lap 2, the car is still before the line
    buffer.ingest(frames(101, 110, 2, 10, -8)); // lap 2 from 2 m
    expect(buffer.previous?.lapNumber).toBe(1);
    expect(buffer.previous?.length).toBe(99);
    expect(buffer.current?.lapNumber).toBe(2);
    expect(buffer.current?.column('distance')[0]).toBe(2);
    expect(buffer.current?.length).toBe(10);
    expect(buffer.lapsStarted).toBe(2);
  });

  it('bumps the version only when something was added', () => {
    const buffer = new LiveLapBuffer();
    const v0 = buffer.version;
    buffer.ingest(frames(1, 3, 0));
    const v1 = buffer.version;
    expect(v1).toBeGreaterThan(v0);
    buffer.ingest(frames(2, 3, 0)); // duplicates
    expect(buffer.version).toBe(v1);
    buffer.ingest([]);
    expect(buffer.version).toBe(v1);
  });

  it('drops re-delivered frames by seq', () => {
    const buffer = new LiveLapBuffer();
    buffer.ingest(frames(1, 5, 0));
    buffer.ingest(frames(3, 7, 0, 10, 20));
    expect(buffer.current!.length).toBe(7);
    expect(Array.from(buffer.current!.column('distance'))).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it('starts a new trace when the lap number changes, keeping the previous lap as reference', () => {
    const buffer = new LiveLapBuffer();
    buffer.ingest(frames(1, 100, 0));
    buffer.ingest([frame(101, 1, 5), frame(102, 1, 15)]);
    expect(buffer.current!.lapNumber).toBe(1);
    expect(buffer.current!.length).toBe(2);
    expect(buffer.previous!.lapNumber).toBe(0);
    expect(buffer.previous!.length).toBe(100);
    expect(buffer.lapsStarted).toBe(2);
  });

  it('starts a new trace when the distance wraps even if the lap counter lags', () => {
    const buffer = new LiveLapBuffer();
    buffer.ingest(frames(1, 300, 0)); // up to 3000 m
    buffer.ingest([frame(301, 0, 3.5), frame(302, 0, 12)]);
    expect(buffer.current!.length).toBe(2);
    expect(buffer.previous!.length).toBe(300);
    // ...and the counter catching up a moment later does start another lap
    buffer.ingest([frame(303, 1, 20)]);
    expect(buffer.current!.lapNumber).toBe(1);
  });

  it('does not take small backward steps for a new lap', () => {
    const buffer = new LiveLapBuffer();
    buffer.ingest([frame(1, 0, 1000), frame(2, 0, 990), frame(3, 0, 1010)]);
    expect(buffer.current!.length).toBe(3);
    expect(buffer.previous).toBeNull();
  });

  it('treats a catch-up after a re-subscribe as the lap so far', () => {
    const buffer = new LiveLapBuffer();
    buffer.ingest(frames(1, 50, 3), true); // catch-up on first subscribe
    buffer.ingest(frames(51, 60, 3, 10, 500));
    expect(buffer.current!.length).toBe(60);
    // reconnect: the server sends the lap so far again, from its first frame
    buffer.ingest(frames(1, 40, 3), true);
    buffer.ingest(frames(41, 80, 3, 10, 400), true); // a second catch-up chunk
    expect(buffer.current!.length).toBe(80);
    expect(buffer.current!.column('distance')[0]).toBe(10);
    expect(buffer.lastSeq).toBe(80);
    expect(buffer.previous).toBeNull();
  });

  it('keeps the held lap as reference when the catch-up is of a later lap', () => {
    const buffer = new LiveLapBuffer();
    buffer.ingest(frames(1, 50, 2));
    buffer.ingest(frames(10, 20, 3), true);
    expect(buffer.current!.lapNumber).toBe(3);
    expect(buffer.current!.length).toBe(11);
    expect(buffer.previous!.lapNumber).toBe(2);
  });

  it('places frames without lap distance by normalized position and track length', () => {
    const f = frame(1, 0, null, { normalized_position: 0.25 });
    expect(frameDistance(f, 4000)).toBe(1000);
    expect(frameDistance(f, null)).toBe(0.25);
    const buffer = new LiveLapBuffer({ trackLengthM: 2000 });
    buffer.ingest([f]);
    expect(buffer.current!.column('distance')[0]).toBe(500);
  });

  it('resets everything', () => {
    const buffer = new LiveLapBuffer();
    buffer.ingest(frames(1, 10, 0));
    buffer.reset();
    expect(buffer.current).toBeNull();
    expect(buffer.latest).toBeNull();
    buffer.ingest(frames(1, 2, 0));
    expect(buffer.current!.length).toBe(2);
  });

  it('keeps the world position and lap time of each frame (NaN when missing)', () => {
    const buffer = new LiveLapBuffer();
    buffer.ingest([frame(1, 0, 10, { world_position: { x: 1, y: 2, z: 3 } }), frame(2, 0, 20, { world_position: null })]);
    const trace = buffer.current!;
    expect(Array.from(trace.column('x'))).toEqual([1, NaN]);
    expect(Array.from(trace.column('y'))).toEqual([2, NaN]);
    expect(Array.from(trace.column('z'))).toEqual([3, NaN]);
    expect(Array.from(trace.column('lapTime'))).toEqual([16, 32]);
  });
});

describe('LiveLapBuffer delta to the best lap', () => {
  // A best lap of 1000 m at 10 m/s: 100 ms per metre.
  const best = deltaReference([0, 500, 1000], [0, 50_000, 100_000], 9)!;
  const at = (seq: number, lap: number, distance: number, lapTimeMs: number) => frame(seq, lap, distance, { current_lap_time_ms: lapTimeMs });

  it('has no delta without a best lap', () => {
    const buffer = new LiveLapBuffer();
    buffer.ingest([at(1, 0, 100, 10_000)]);
    expect(Number.isNaN(buffer.current!.column('delta')[0])).toBe(true);
    expect(buffer.current!.lastDelta).toBeNull();
  });

  it('computes each frame’s delta in seconds against the best lap', () => {
    const buffer = new LiveLapBuffer();
    buffer.setReference(best);
    buffer.ingest([at(1, 1, 100, 9_877), at(2, 1, 200, 20_456)]);
    const delta = buffer.current!.column('delta');
    expect(delta[0]).toBeCloseTo(-0.123);
    expect(delta[1]).toBeCloseTo(0.456);
    expect(buffer.current!.lastDelta).toBeCloseTo(0.456);
    expect(buffer.current!.maxAbsDelta).toBeCloseTo(0.456);
  });

  it('recomputes the laps held when a new best lap arrives, and bumps the version', () => {
    const buffer = new LiveLapBuffer();
    buffer.ingest([at(1, 0, 500, 60_000), at(2, 1, 100, 9_000)]);
    expect(buffer.current!.lastDelta).toBeNull();
    const v = buffer.version;
    buffer.setReference(best);
    expect(buffer.version).toBeGreaterThan(v);
    expect(buffer.current!.lastDelta).toBeCloseTo(-1);
    expect(buffer.previous!.lastDelta).toBeCloseTo(10);
    buffer.setReference(null);
    expect(buffer.current!.lastDelta).toBeNull();
    expect(buffer.current!.maxAbsDelta).toBe(0);
  });

  it('starts each lap without a delta (it resets at the line)', () => {
    const buffer = new LiveLapBuffer();
    buffer.setReference(best);
    buffer.ingest([at(1, 0, 900, 91_000)]);
    expect(buffer.current!.lastDelta).toBeCloseTo(1);
    // The first frame of the next lap still carries the old distance with the new time: no delta.
    buffer.ingest([at(2, 1, 999, 16)]);
    expect(buffer.current!.lapNumber).toBe(1);
    expect(buffer.current!.lastDelta).toBeNull();
  });
});
