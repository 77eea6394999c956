// Data hooks of the lap and compare pages: a lap with its session, a lap's analysis, and
// its telemetry as chart columns. Telemetry is fetched once per lap and kept in a small
// module-level cache, so stepping between laps ([ and ]) or opening a comparison reuses
// the laps already seen.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { lapColumns, type LapColumns } from '../lib/lapTrace';
import { ApiError, getLap, getLapAnalysis, getLapTelemetry } from './rest';
import type { LapAnalysisResponse, LapDetail } from './types';

export type Fetched<T> = { state: 'loading' } | { state: 'ok'; data: T } | { state: 'error'; status: number | null; message: string };

export function failure(error: unknown): { state: 'error'; status: number | null; message: string } {
  if (error instanceof ApiError) return { state: 'error', status: error.status, message: error.message };
  return { state: 'error', status: null, message: error instanceof Error ? error.message : String(error) };
}

export const isAbort = (error: unknown) => error instanceof DOMException && error.name === 'AbortError';

/** Laps whose columns are kept besides those on screen (a 100 s lap at 60 Hz is about 0.7 MB of them). */
const CACHE_LAPS = 8;
const cache = new Map<number, Fetched<LapColumns>>();
/** How many mounted hooks use each lap: those are never evicted. */
const users = new Map<number, number>();
const listeners = new Set<() => void>();
const LOADING = { state: 'loading' } as const;

function changed(): void {
  for (const listener of [...listeners]) listener();
}

/** Starts fetching a lap's telemetry unless it is cached or on its way; the newest use moves it to the back of the LRU. */
export function loadLapColumns(id: number): void {
  const known = cache.get(id);
  if (known) {
    cache.delete(id);
    cache.set(id, known);
    return;
  }
  cache.set(id, { state: 'loading' });
  getLapTelemetry(id).then(
    (telemetry) => cache.set(id, { state: 'ok', data: lapColumns(telemetry) }),
    (error) => cache.set(id, failure(error)),
  ).finally(() => {
    evict();
    changed();
  });
}

/** Drops the least recently used laps nobody shows until at most CACHE_LAPS are kept. */
function evict(): void {
  for (const id of [...cache.keys()]) {
    if (cache.size <= CACHE_LAPS) break;
    if (!users.get(id) && cache.get(id)?.state !== 'loading') cache.delete(id);
  }
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A lap's telemetry columns (undefined for no lap); fetched on first use. */
export function useLapColumns(id: number | null): Fetched<LapColumns> | undefined {
  useEffect(() => {
    if (id == null) return;
    users.set(id, (users.get(id) ?? 0) + 1);
    loadLapColumns(id);
    return () => {
      const left = (users.get(id) ?? 1) - 1;
      if (left > 0) users.set(id, left);
      else users.delete(id);
    };
  }, [id]);
  return useSyncExternalStore(subscribe, () => (id == null ? undefined : (cache.get(id) ?? LOADING)));
}

/** A lap and its session. */
export function useLapDetail(id: number | null): Fetched<LapDetail> {
  const [detail, setDetail] = useState<Fetched<LapDetail>>({ state: 'loading' });
  useEffect(() => {
    if (id == null) return;
    const abort = new AbortController();
    setDetail({ state: 'loading' });
    getLap(id, abort.signal).then(
      (data) => setDetail({ state: 'ok', data }),
      (error) => !isAbort(error) && setDetail(failure(error)),
    );
    return () => abort.abort();
  }, [id]);
  return detail;
}

/** A lap's analysis against `reference` (null: the server's default); its reference's telemetry is fetched too. */
export function useLapAnalysis(id: number | null, reference: number | null): Fetched<LapAnalysisResponse> {
  const [analysis, setAnalysis] = useState<Fetched<LapAnalysisResponse>>({ state: 'loading' });
  useEffect(() => {
    if (id == null) return;
    const abort = new AbortController();
    setAnalysis({ state: 'loading' });
    getLapAnalysis(id, reference, abort.signal).then(
      (data) => {
        if (data.reference) loadLapColumns(data.reference.id);
        setAnalysis({ state: 'ok', data });
      },
      (error) => !isAbort(error) && setAnalysis(failure(error)),
    );
    return () => abort.abort();
  }, [id, reference]);
  return analysis;
}
