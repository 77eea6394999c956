// REST client for the engine's /api routes. In accounts mode (docs/accounts.md) every
// changing request carries the CSRF token, and a 401 `unauthenticated` from any call is
// announced so the auth provider can show the login page.
import { parseRetryAfter, readCookie } from '../lib/auth';
import type { ApiErrorBody, LapAnalysisResponse, LapDetail, LapInfo, LapTelemetry, SessionAnalysisResponse, SessionInfo } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds from the `Retry-After` header (429 `rate_limited`), when sent. */
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Dispatched on `window` when the server answers 401 `unauthenticated` (the session ended or never was). */
export const UNAUTHENTICATED_EVENT = 'purplesector:unauthenticated';

const CSRF_COOKIE = 'ps_csrf';
let lastCsrfToken: string | null = null;

/** Remembers the csrf_token the server returned last (`/api/auth/me`, login, sign-up); null forgets it. */
export function rememberCsrfToken(token: string | null | undefined): void {
  lastCsrfToken = token ?? null;
}

/** The token for `X-CSRF-Token`: the `ps_csrf` cookie, else the last one the server returned. */
export function csrfToken(): string | null {
  const cookies = typeof document === 'undefined' ? '' : document.cookie;
  return readCookie(cookies, CSRF_COOKIE) ?? lastCsrfToken;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The headers of an API call: JSON, plus `X-CSRF-Token` on changing methods (shared by `request` and the chat's streaming fetch). */
export function apiHeaders(init?: RequestInit): Record<string, string> {
  const method = (init?.method ?? 'GET').toUpperCase();
  const csrf = SAFE_METHODS.has(method) ? null : csrfToken();
  return {
    Accept: 'application/json',
    ...(init?.body ? { 'Content-Type': 'application/json' } : {}),
    ...(csrf ? { 'X-CSRF-Token': csrf } : {}),
    ...(init?.headers as Record<string, string> | undefined),
  };
}

/** The ApiError of a failed answer (its JSON `error` when there is one; a 401 `unauthenticated` is announced). */
export async function apiErrorOf(response: Response): Promise<ApiError> {
  let code = 'http_error';
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as ApiErrorBody;
    if (body?.error) {
      code = body.error.code ?? code;
      message = body.error.message || message;
    }
  } catch {
    // not JSON: keep the status line
  }
  if (response.status === 401 && code === 'unauthenticated' && typeof window !== 'undefined') {
    window.dispatchEvent(new Event(UNAUTHENTICATED_EVENT));
  }
  return new ApiError(response.status, code, message, parseRetryAfter(response.headers.get('Retry-After')));
}

export async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { credentials: 'same-origin', ...init, headers: apiHeaders(init) });
  if (!response.ok) throw await apiErrorOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export async function listSessions(signal?: AbortSignal): Promise<SessionInfo[]> {
  const body = await request<{ sessions: SessionInfo[] }>('/api/sessions', { signal });
  return body.sessions;
}

export function getSession(id: string, signal?: AbortSignal): Promise<SessionInfo> {
  return request<SessionInfo>(`/api/sessions/${encodeURIComponent(id)}`, { signal });
}

/** Renames a session (`PATCH /api/sessions/{id}`). */
export function renameSession(id: string, name: string): Promise<SessionInfo> {
  return request<SessionInfo>(`/api/sessions/${encodeURIComponent(id)}`, { method: 'PATCH', body: JSON.stringify({ name }) });
}

/** Deletes a session with its laps and frames (`DELETE /api/sessions/{id}`, 204). */
export function deleteSession(id: string): Promise<void> {
  return request<void>(`/api/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export async function listLaps(sessionId: string, signal?: AbortSignal): Promise<LapInfo[]> {
  const body = await request<{ laps: LapInfo[] }>(`/api/sessions/${encodeURIComponent(sessionId)}/laps`, { signal });
  return body.laps;
}

export function getLap(id: number | string, signal?: AbortSignal): Promise<LapDetail> {
  return request<LapDetail>(`/api/laps/${encodeURIComponent(String(id))}`, { signal });
}

export function getLapTelemetry(id: number | string, signal?: AbortSignal): Promise<LapTelemetry> {
  return request<LapTelemetry>(`/api/laps/${encodeURIComponent(String(id))}/telemetry`, { signal });
}

/** The lap's analysis against `reference` (default: the server's choice, the session's best valid lap). */
export function getLapAnalysis(id: number | string, reference?: number | null, signal?: AbortSignal): Promise<LapAnalysisResponse> {
  const query = reference != null ? `?reference=${encodeURIComponent(String(reference))}` : '';
  return request<LapAnalysisResponse>(`/api/laps/${encodeURIComponent(String(id))}/analysis${query}`, { signal });
}

/** A session's analysis: splits of its newest 60 laps, best sectors and segments, theoretical best (422 when no valid lap can be analysed). */
export function getSessionAnalysis(id: string, signal?: AbortSignal): Promise<SessionAnalysisResponse> {
  return request<SessionAnalysisResponse>(`/api/sessions/${encodeURIComponent(id)}/analysis`, { signal });
}

/** Where the lap's telemetry is served as CSV (one row per frame). */
export function lapCsvUrl(id: number | string): string {
  return `/api/laps/${encodeURIComponent(String(id))}/telemetry.csv`;
}

/** Where the lap is served as a MoTeC i2 log (`.ld`). */
export function lapLdUrl(id: number | string): string {
  return `/api/laps/${encodeURIComponent(String(id))}/export.ld`;
}
