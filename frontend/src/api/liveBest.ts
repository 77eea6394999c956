// The session's best lap as the live view needs it: its telemetry fetched once per new
// best (through the lap pages' per-lap cache, which never drops a lap in use), turned into
// the delta's distance → lap-time reference and the live map's outline, both typed arrays
// built once per best lap. While a new best loads, the previous one stays in use, so the
// map does not flicker and the delta goes on until the new reference replaces it.
import { useMemo, useRef } from 'react';
import { deltaReference, type DeltaReference } from '../lib/liveDelta';
import { mapOutline, type MapOutline } from '../lib/liveMap';
import { useLapColumns } from './lapData';
import type { LapInfo } from './types';

export interface LiveBest {
  /** `none`: no lap counts yet (or the view is not live). */
  state: 'none' | 'loading' | 'ok' | 'error';
  lap: LapInfo | null;
  /** Null when the best lap has no lap distance or lap time (the previous best's while a new one loads). */
  reference: DeltaReference | null;
  /** Null when the best lap has no world position. */
  outline: MapOutline | null;
  error: string | null;
}

/** The best lap's reference and outline; pass null to fetch nothing. */
export function useLiveBest(best: LapInfo | null): LiveBest {
  const fetched = useLapColumns(best?.id ?? null);
  const columns = fetched?.state === 'ok' ? fetched.data : null;
  const built = useMemo(() => {
    if (!columns) return { reference: null, outline: null };
    const { lapTime, x, y, z } = columns.optional;
    return {
      reference: lapTime ? deltaReference(columns.distance, lapTime, best?.id ?? null) : null,
      outline: mapOutline({ x, y, z }, best?.id ?? null),
    };
    // Built once per fetched lap: the columns object is the cache's, stable per lap id.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [columns]);
  const last = useRef(built);
  if (!best || !fetched) {
    last.current = { reference: null, outline: null };
    return { state: 'none', lap: null, reference: null, outline: null, error: null };
  }
  if (fetched.state === 'loading') return { state: 'loading', lap: best, ...last.current, error: null };
  if (fetched.state === 'error') return { state: 'error', lap: best, ...last.current, error: fetched.message };
  last.current = built;
  return { state: 'ok', lap: best, ...built, error: null };
}
