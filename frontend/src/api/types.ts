// Wire types of the engine's HTTP/WebSocket API (docs/api.md, proto/telemetry.proto).
// JSON field names are the proto's snake_case names.

export type Sim = 'demo' | 'ac' | 'acc' | 'f1' | 'forza' | 'outgauge' | 'unspecified' | (string & {});

export interface SessionInfo {
  id: string;
  name: string;
  sim: Sim;
  track: string;
  car: string;
  track_length_m: number | null;
  /** Unix milliseconds. */
  started_at_ms: number;
  updated_at_ms: number;
  lap_count: number;
  best_lap_time_ms: number | null;
  /** True while frames are streaming into the session. */
  live: boolean;
}

export interface LapInfo {
  id: number;
  session_id: string;
  lap_number: number;
  lap_time_ms: number;
  official_time: boolean;
  valid: boolean;
  out_lap: boolean;
  in_lap: boolean;
  first_seq: number;
  last_seq: number;
  completed_at_ms: number;
}

export interface Vec3 {
  x: number;
  y: number;
  z: number;
}

export interface Wheels {
  fl: number;
  fr: number;
  rl: number;
  rr: number;
}

/** One sample of the car's state; optional channels are `null` (or absent) when the sim does not report them. */
export interface TelemetryFrame {
  seq: number;
  captured_at_us: number;
  session_time_ms: number;
  current_lap_time_ms: number;
  /** Laps completed in this session (0 on the first lap). */
  lap_number: number;
  normalized_position: number;
  lap_distance_m?: number | null;
  throttle: number;
  brake: number;
  clutch?: number | null;
  steering: number;
  speed_kmh: number;
  gear: number;
  rpm: number;
  max_rpm?: number | null;
  world_position?: Vec3 | null;
  velocity?: Vec3 | null;
  g_lat?: number | null;
  g_lon?: number | null;
  g_vert?: number | null;
  yaw?: number | null;
  tyre_temp_c?: Wheels | null;
  tyre_pressure_kpa?: Wheels | null;
  wheel_slip?: Wheels | null;
  brake_temp_c?: Wheels | null;
  fuel_l?: number | null;
  in_pit: boolean;
  lap_invalid: boolean;
  last_lap_time_ms?: number | null;
  best_lap_time_ms?: number | null;
}

export interface ApiErrorBody {
  error: { code: string; message: string };
}

// ---- WebSocket messages: each is an object with exactly one key naming its kind ----

export type ServerMessage =
  | { connected: { server_version: string; user_id: number; live_sessions: SessionInfo[] } }
  | { telemetry: { session_id: string; frames: TelemetryFrame[]; catch_up: boolean } }
  | { lap_completed: { lap: LapInfo } }
  | { session_updated: { session: SessionInfo } }
  | { pong: { nonce: number } }
  | { error: { code: string; message: string } };

export type ClientMessage =
  | { subscribe: { session_id: string } }
  | { unsubscribe: { session_id: string } }
  | { start_demo: { seed: number } }
  | { stop_demo: Record<string, never> }
  | { ping: { nonce: number } };
