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

// ---- Stored laps and their analysis (docs/api.md, "Laps" and "Analysis") ----

export interface LapDetail {
  lap: LapInfo;
  session: SessionInfo;
}

/** Columnar telemetry: one array per channel, `null` where the sim did not report a value. */
export interface LapTelemetry {
  lap: LapInfo;
  channels: Record<string, (number | null)[]>;
}

export type Severity = 'info' | 'minor' | 'major';
export type SuggestionKind = 'braking' | 'minimum_speed' | 'throttle' | 'consistency' | 'general' | (string & {});

export interface CornerMetrics {
  corner: number;
  braking_point_m: number | null;
  peak_brake: number;
  min_speed_kmh: number;
  min_speed_at_m: number;
  throttle_on_m: number | null;
  full_throttle_m: number | null;
  exit_throttle: number;
  entry_ms: number;
  apex_ms: number;
  exit_ms: number;
  entry_speed_kmh: number;
  apex_speed_kmh: number;
  exit_speed_kmh: number;
  corner_time_ms: number;
}

export interface SegmentTime {
  index: number;
  kind: 'straight' | 'corner';
  corner: number | null;
  name: string;
  start_m: number;
  end_m: number;
  time_ms: number;
  reference_ms: number | null;
  delta_ms: number | null;
}

export interface DeltaTrace {
  length_m: number;
  /** Normalised distance, 0..1. */
  distance: number[];
  /** Lap minus reference elapsed time, ms (positive: behind). */
  delta_ms: number[];
  lap_time_ms: number;
  reference_lap_time_ms: number;
  final_delta_ms: number;
}

export interface ZoneLoss {
  corner: number;
  start_m: number;
  end_m: number;
  lap_ms: number;
  reference_ms: number;
  loss_ms: number;
  entry_loss_ms: number;
  exit_loss_ms: number;
}

export interface Suggestion {
  corner: number | null;
  kind: SuggestionKind;
  message: string;
  time_at_stake_ms: number;
  severity: Severity;
  consistency?: { laps_affected: number; laps: number } | null;
  figures?: Record<string, number | null>;
}

export interface LapAnalysis {
  lap_time_ms: number;
  reference_lap_time_ms: number | null;
  length_m: number;
  measured_length_m: number;
  corners: CornerMetrics[];
  reference_corners: CornerMetrics[] | null;
  segments: SegmentTime[];
  sectors_ms: number[];
  reference_sectors_ms: number[] | null;
  delta: DeltaTrace | null;
  zones: ZoneLoss[];
  suggestions: Suggestion[];
}

/** A corner of the track model; `start`, `apex` and `end` are fractions of the lap, 0..1. */
export interface CornerSpan {
  number: number;
  start: number;
  apex: number;
  end: number;
  direction: 'left' | 'right' | 'unknown';
}

export interface LapAnalysisResponse {
  lap: LapInfo;
  reference: LapInfo | null;
  track_model: { length_m: number; corners: CornerSpan[] };
  analysis: LapAnalysis;
}

// ---- AI coaching (POST /api/laps/{id}/analysis's `ai`, /api/laps/{id}/chat; docs/api.md "AI coaching") ----

/** What went wrong with the AI: `ai_off`, `rate_limited`, `ai_busy`, `ai_timeout`, `ai_upstream`, `ai_bad_output`. */
export interface AiError {
  code: string;
  message: string;
}

export type AiResult = { status: 'ok'; suggestions: Suggestion[] } | { status: 'off' | 'error'; error: AiError };

/** `POST /api/laps/{id}/analysis`: the built-in analysis with the AI's suggestions. */
export interface LapAnalysisWithAi extends LapAnalysisResponse {
  ai: AiResult;
}

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
  created_at_ms: number;
}

/** `GET /api/laps/{id}/chat`: whether AI coaching is on, and the lap's conversation, oldest first. */
export interface ChatHistory {
  ai: boolean;
  messages: ChatMessage[];
}

// ---- A session's analysis (GET /api/sessions/{id}/analysis; engine/src/analysis/session.rs) ----

/** One lap's splits; `lap` is an index into the response's `lap_ids`. */
export interface SessionLapSummary {
  lap: number;
  lap_time_ms: number;
  valid: boolean;
  gap_to_best_ms: number;
  sector_ms: number[];
  /** Sectors in which this lap holds the session best. */
  purple_sectors: boolean[];
  segment_ms: number[];
  purple_segments: boolean[];
}

/** The best time of one piece (segment or sector) and the lap (index) that set it. */
export interface BestPart {
  index: number;
  name: string;
  time_ms: number;
  lap: number;
}

export interface TheoreticalBest {
  best_lap: number;
  best_lap_time_ms: number;
  /** Sum of the best segment times. */
  theoretical_best_ms: number;
  best_segments: BestPart[];
  /** Sum of the best sector times. */
  best_sectors_ms: number;
  best_sectors: BestPart[];
  gain_ms: number;
}

export interface SessionAnalysisResponse {
  /** Lap ids of the analysed laps (the newest 60), in the order the indices refer to. */
  lap_ids: number[];
  track_model: { length_m: number; corners: CornerSpan[] };
  analysis: {
    length_m: number;
    laps: SessionLapSummary[];
    skipped: { lap: number; error: unknown }[];
    theoretical_best: TheoreticalBest;
  };
}
