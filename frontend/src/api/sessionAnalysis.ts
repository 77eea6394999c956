// A session's analysis (GET /api/sessions/{id}/analysis) where the app shows it: the
// session page's lap table (sector times, best sectors, theoretical best) and the sessions
// page's theoretical-best column. The analysis reads up to 60 laps of frames on the
// engine, so it is asked for sparingly: after a lap completes at most every 5 s on the
// session page, and on the sessions page only for rows on screen, two at a time, cached
// per session and refreshed at most every 15 s while a session gains laps.
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Limiter } from '../lib/limiter';
import { NO_SPLITS, sessionSplits, type SessionSplits } from '../lib/sectors';
import { ApiError, getSessionAnalysis } from './rest';

const isAbort = (error: unknown) => error instanceof DOMException && error.name === 'AbortError';

export type SplitsState = { state: 'loading' | 'none' | 'ok' | 'error'; splits: SessionSplits; message?: string };

const SESSION_PAGE_INTERVAL_MS = 5_000;

/**
 * The session page's splits, refetched when the lap count changes: at most one request in
 * flight (never aborted for a newer lap: at 40x a new lap would otherwise cancel every
 * answer) and at most one every 5 s; the last splits stay shown meanwhile.
 */
export function useSessionSplits(sessionId: string, lapCount: number): SplitsState {
  const [state, setState] = useState<SplitsState>({ state: 'loading', splits: NO_SPLITS });
  const fetcher = useRef<{ request: (laps: number) => void } | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | null = null;
    let inFlight = false;
    let lastFetch = 0;
    let wanted = 0;
    let fetched = -1;
    const run = () => {
      timer = null;
      inFlight = true;
      lastFetch = Date.now();
      const laps = wanted;
      getSessionAnalysis(sessionId, abort.signal)
        .then(
          (response) => setState({ state: 'ok', splits: sessionSplits(response) }),
          (error) => {
            if (isAbort(error)) return;
            // 422: no valid lap to analyse yet; the table shows times without sectors.
            if (error instanceof ApiError && error.status === 422) setState({ state: 'none', splits: NO_SPLITS, message: error.message });
            else setState((s) => ({ ...s, state: 'error', message: error instanceof Error ? error.message : String(error) }));
          },
        )
        .finally(() => {
          inFlight = false;
          fetched = laps;
          if (!abort.signal.aborted) request(wanted);
        });
    };
    const request = (laps: number) => {
      wanted = laps;
      if (laps === fetched || inFlight || timer != null) return;
      if (laps === 0) {
        setState({ state: 'none', splits: NO_SPLITS });
        fetched = 0;
        return;
      }
      timer = setTimeout(run, Math.max(0, lastFetch + SESSION_PAGE_INTERVAL_MS - Date.now()));
    };
    fetcher.current = { request };
    return () => {
      abort.abort();
      if (timer != null) clearTimeout(timer);
      fetcher.current = null;
    };
  }, [sessionId]);

  useEffect(() => fetcher.current?.request(lapCount), [sessionId, lapCount]);
  return state;
}

// ---- the sessions page's column ----

export type TheoreticalBest = { state: 'idle' | 'loading' } | { state: 'ok'; ms: number | null } | { state: 'error'; message: string };

interface Entry {
  lapCount: number;
  fetchedAt: number;
  value: TheoreticalBest;
}

const REFRESH_MS = 15_000;
const limiter = new Limiter(2);
const entries = new Map<string, Entry>();
const listeners = new Set<() => void>();
const IDLE: TheoreticalBest = { state: 'idle' };

function changed(): void {
  for (const listener of [...listeners]) listener();
}

function fetchBest(id: string, lapCount: number): void {
  const previous = entries.get(id);
  entries.set(id, { lapCount, fetchedAt: Date.now(), value: previous?.value.state === 'ok' ? previous.value : { state: 'loading' } });
  changed();
  limiter
    .run(() => getSessionAnalysis(id))
    .then(
      (response): TheoreticalBest => ({ state: 'ok', ms: sessionSplits(response).theoreticalBestMs }),
      (error): TheoreticalBest =>
        error instanceof ApiError && (error.status === 422 || error.status === 404)
          ? { state: 'ok', ms: null } // not analysable (no valid lap) or gone
          : { state: 'error', message: error instanceof Error ? error.message : String(error) },
    )
    .then((value) => {
      const entry = entries.get(id);
      if (entry && entry.lapCount === lapCount) entries.set(id, { ...entry, value });
      changed();
    });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A session's theoretical best, fetched once `visible` (and again, at most every 15 s, when its lap count changes). */
export function useTheoreticalBest(id: string, lapCount: number, visible: boolean): TheoreticalBest {
  useEffect(() => {
    if (!visible || lapCount === 0) return;
    const entry = entries.get(id);
    if (entry && (entry.lapCount === lapCount || Date.now() - entry.fetchedAt < REFRESH_MS)) return;
    fetchBest(id, lapCount);
  }, [id, lapCount, visible]);
  return useSyncExternalStore(subscribe, () => (lapCount === 0 ? NONE : (entries.get(id)?.value ?? IDLE)));
}

const NONE: TheoreticalBest = { state: 'ok', ms: null };
