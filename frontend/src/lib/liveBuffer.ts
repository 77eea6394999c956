// Columnar buffers of the live lap, fed by the WebSocket stream and read by the charts.
//
// Each lap is a `LapTrace`: one growable Float64Array per channel, appended to in
// place; the charts read `column(name)` (a zero-copy view of the filled part). A
// `LiveLapBuffer` holds the lap in progress and the previous lap (drawn faint as
// reference), detects new laps (the sim's lap counter changes or the lap distance
// wraps back to the line), drops re-delivered frames by `seq`, and turns the
// catch-up after a (re)subscribe into "the lap so far". Besides the charted channels a
// lap keeps the car's world position (the live map's path) and its lap time and delta to
// the session's best lap (`reference`, recomputed for the laps held when it changes).
import type { TelemetryFrame } from '../api/types';
import { liveDeltaMs, type DeltaReference } from './liveDelta';

export const TRACE_CHANNELS = ['distance', 'speed', 'throttle', 'brake', 'steering', 'x', 'y', 'z', 'lapTime', 'delta'] as const;
export type TraceChannel = (typeof TRACE_CHANNELS)[number];

/** Per-sample values besides the charted ones; missing ones are stored as NaN. */
export interface TraceExtras {
  x?: number | null;
  y?: number | null;
  z?: number | null;
  /** The lap's clock, ms. */
  lapTimeMs?: number | null;
  /** Delta to the best lap, seconds (negative: ahead). */
  deltaS?: number | null;
}

/** A new lap whose distance wraps within this many samples started at the line early. */
const STRAY_LAP_SAMPLES = 3;

const orNaN = (v: number | null | undefined): number => (v == null || !Number.isFinite(v) ? NaN : v);

export class LapTrace {
  length = 0;
  private capacity: number;
  private columns: Record<TraceChannel, Float64Array>;
  /** Largest distance seen (for axis ranges). */
  maxDistance = 0;
  /** Largest speed seen (for axis ranges). */
  maxSpeed = 0;
  /** Largest |delta| in seconds (for the delta chart's range). */
  maxAbsDelta = 0;
  /** The newest known delta in seconds, null until the lap has one. */
  lastDelta: number | null = null;

  constructor(
    readonly lapNumber: number,
    initialCapacity = 4096,
  ) {
    this.capacity = Math.max(16, initialCapacity);
    this.columns = {} as Record<TraceChannel, Float64Array>;
    for (const name of TRACE_CHANNELS) this.columns[name] = new Float64Array(this.capacity);
  }

  push(distance: number, speed: number, throttle: number, brake: number, steering: number, extras: TraceExtras = {}): void {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    const c = this.columns;
    c.distance[i] = distance;
    c.speed[i] = speed;
    c.throttle[i] = throttle;
    c.brake[i] = brake;
    c.steering[i] = steering;
    c.x[i] = orNaN(extras.x);
    c.y[i] = orNaN(extras.y);
    c.z[i] = orNaN(extras.z);
    c.lapTime[i] = orNaN(extras.lapTimeMs);
    c.delta[i] = orNaN(extras.deltaS);
    if (distance > this.maxDistance) this.maxDistance = distance;
    if (speed > this.maxSpeed) this.maxSpeed = speed;
    this.noteDelta(c.delta[i]);
  }

  /** Recomputes every sample's delta from its distance and lap time (a new best lap). */
  recomputeDelta(deltaS: (distance: number, lapTimeMs: number) => number | null): void {
    const c = this.columns;
    this.maxAbsDelta = 0;
    this.lastDelta = null;
    for (let i = 0; i < this.length; i++) {
      c.delta[i] = orNaN(deltaS(c.distance[i], c.lapTime[i]));
      this.noteDelta(c.delta[i]);
    }
  }

  private noteDelta(v: number): void {
    if (!Number.isFinite(v)) return;
    this.lastDelta = v;
    if (Math.abs(v) > this.maxAbsDelta) this.maxAbsDelta = Math.abs(v);
  }

  /** A view of the filled part of one channel (no copy; valid until the next push). */
  column(name: TraceChannel): Float64Array {
    return this.columns[name].subarray(0, this.length);
  }

  get lastDistance(): number | null {
    return this.length > 0 ? this.columns.distance[this.length - 1] : null;
  }

  private grow(): void {
    this.capacity *= 2;
    for (const name of TRACE_CHANNELS) {
      const bigger = new Float64Array(this.capacity);
      bigger.set(this.columns[name]);
      this.columns[name] = bigger;
    }
  }
}

export interface LiveBufferOptions {
  /** Track length, to place frames without `lap_distance_m` from `normalized_position`. */
  trackLengthM?: number | null;
  /** A drop in lap distance of more than this many metres (and over half the distance so far) is a new lap. */
  wrapThresholdM?: number;
}

/** The distance into the lap of a frame, in metres where known. */
export function frameDistance(frame: TelemetryFrame, trackLengthM?: number | null): number {
  if (frame.lap_distance_m != null && Number.isFinite(frame.lap_distance_m)) return frame.lap_distance_m;
  const pos = frame.normalized_position ?? 0;
  return trackLengthM ? pos * trackLengthM : pos;
}

export class LiveLapBuffer {
  current: LapTrace | null = null;
  previous: LapTrace | null = null;
  latest: TelemetryFrame | null = null;
  lastSeq = 0;
  /** Bumped on every change; a redraw is due when it differs from what was drawn. */
  version = 0;
  /** Laps started since the buffer was created (including the first). */
  lapsStarted = 0;
  /** Track length in metres, when known (settable once the session info arrives). */
  trackLengthM: number | null;
  /** The session's best lap, for the delta (null: no delta). Set with `setReference`. */
  reference: DeltaReference | null = null;
  private readonly wrapThresholdM: number;

  constructor(options: LiveBufferOptions = {}) {
    this.trackLengthM = options.trackLengthM ?? null;
    this.wrapThresholdM = options.wrapThresholdM ?? 50;
  }

  /**
   * Adds frames from a `telemetry` message. A catch-up that starts at or before a
   * frame already held is the lap so far again (after a re-subscribe): it replaces
   * the lap in progress instead of being dropped as duplicates.
   */
  ingest(frames: readonly TelemetryFrame[], catchUp = false): void {
    if (frames.length === 0) return;
    if (catchUp && frames[0].seq <= this.lastSeq) {
      if (this.current && this.current.lapNumber === frames[0].lap_number) this.current = null;
      this.lastSeq = frames[0].seq - 1;
    }
    let changed = false;
    for (const frame of frames) {
      if (frame.seq <= this.lastSeq) continue;
      this.lastSeq = frame.seq;
      this.append(frame);
      changed = true;
    }
    if (changed) this.version++;
  }

  /** Takes a new best lap: the laps held get their deltas against it. */
  setReference(reference: DeltaReference | null): void {
    if (reference === this.reference) return;
    this.reference = reference;
    const delta = (distance: number, lapTimeMs: number) => deltaSeconds(reference, distance, lapTimeMs);
    this.current?.recomputeDelta(delta);
    if (this.previous && this.previous !== this.current) this.previous.recomputeDelta(delta);
    this.version++;
  }

  reset(): void {
    this.current = null;
    this.previous = null;
    this.latest = null;
    this.lastSeq = 0;
    this.lapsStarted = 0;
    this.version++;
  }

  private append(frame: TelemetryFrame): void {
    const distance = frameDistance(frame, this.trackLengthM);
    const current = this.current;
    if (!current || current.lapNumber !== frame.lap_number) {
      this.startLap(frame.lap_number);
    } else if (this.wrapped(current, distance)) {
      // A lap that wraps within its first few samples began at the end of the track:
      // the sim bumped its lap counter a frame or two before the distance reset. Those
      // samples are the end of the lap before, not a lap to keep as the previous one.
      if (current.length <= STRAY_LAP_SAMPLES) {
        this.current = null;
        this.lapsStarted--;
      }
      this.startLap(frame.lap_number);
    }
    const position = frame.world_position;
    this.current!.push(distance, frame.speed_kmh, clamp01(frame.throttle) * 100, clamp01(frame.brake) * 100, frame.steering, {
      x: position?.x,
      y: position?.y,
      z: position?.z,
      lapTimeMs: frame.current_lap_time_ms,
      deltaS: deltaSeconds(this.reference, distance, frame.current_lap_time_ms),
    });
    this.latest = frame;
  }

  private wrapped(trace: LapTrace, distance: number): boolean {
    const last = trace.lastDistance;
    if (last == null) return false;
    const drop = last - distance;
    return drop > this.wrapThresholdM && drop > last / 2;
  }

  private startLap(lapNumber: number): void {
    if (this.current && this.current.length > 0) this.previous = this.current;
    this.current = new LapTrace(lapNumber);
    this.lapsStarted++;
  }
}

function deltaSeconds(reference: DeltaReference | null, distance: number, lapTimeMs: number): number | null {
  const ms = liveDeltaMs(reference, distance, lapTimeMs);
  return ms == null ? null : ms / 1000;
}

function clamp01(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
