// Data hooks: REST snapshots kept current by the live stream.
import { useCallback, useEffect, useState } from 'react';
import { bestLap, upsertLap, upsertSession, sortSessions } from '../lib/sessions';
import { navigate } from '../router';
import { paths } from '../lib/routes';
import { ApiError, getSession, listLaps, listSessions } from './rest';
import { useLiveClient, useLiveMessages, useOnReconnect } from './LiveProvider';
import { listTokens, type IngestToken } from './auth';
import type { LapInfo, SessionInfo } from './types';

export interface Loadable<T> {
  data: T;
  loading: boolean;
  error: string | null;
}

function describe(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** Every session, newest first, updated by `session_updated` and `connected` messages. */
export function useSessions(): Loadable<SessionInfo[]> & { reload: () => void } {
  const [state, setState] = useState<Loadable<SessionInfo[]>>({ data: [], loading: true, error: null });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    const abort = new AbortController();
    listSessions(abort.signal).then(
      (sessions) => setState({ data: sortSessions([...sessions]), loading: false, error: null }),
      (error) => {
        if (!isAbort(error)) setState((s) => ({ ...s, loading: false, error: describe(error) }));
      },
    );
    return () => abort.abort();
  }, [generation]);

  useOnReconnect(reload);
  useLiveMessages((message) => {
    if ('session_updated' in message) {
      const session = message.session_updated?.session;
      if (session) setState((s) => ({ ...s, data: upsertSession(s.data, session) }));
    } else if ('connected' in message) {
      const live = message.connected?.live_sessions ?? [];
      if (live.length) setState((s) => ({ ...s, data: live.reduce(upsertSession, s.data) }));
    }
  });
  return { ...state, reload };
}

/** One session, updated by `session_updated`. `data` is null while loading or when missing. */
export function useSession(id: string): Loadable<SessionInfo | null> & { notFound: boolean } {
  const [state, setState] = useState<Loadable<SessionInfo | null> & { notFound: boolean }>({
    data: null,
    loading: true,
    error: null,
    notFound: false,
  });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    setState((s) => (s.data?.id === id ? s : { data: null, loading: true, error: null, notFound: false }));
  }, [id]);

  useEffect(() => {
    const abort = new AbortController();
    getSession(id, abort.signal).then(
      (session) => setState({ data: session, loading: false, error: null, notFound: false }),
      (error) => {
        if (isAbort(error)) return;
        const notFound = error instanceof ApiError && error.status === 404;
        setState((s) => ({ ...s, loading: false, error: describe(error), notFound }));
      },
    );
    return () => abort.abort();
  }, [id, generation]);

  useOnReconnect(() => setGeneration((g) => g + 1));
  useLiveMessages((message) => {
    if ('session_updated' in message && message.session_updated?.session?.id === id) {
      const session = message.session_updated.session;
      setState({ data: session, loading: false, error: null, notFound: false });
    }
  });
  return state;
}

/** A session's completed laps in order, growing with `lap_completed`. */
export function useLaps(sessionId: string): Loadable<LapInfo[]> & { best: LapInfo | null } {
  const [state, setState] = useState<Loadable<LapInfo[]>>({ data: [], loading: true, error: null });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    setState({ data: [], loading: true, error: null });
  }, [sessionId]);

  useEffect(() => {
    const abort = new AbortController();
    listLaps(sessionId, abort.signal).then(
      // Laps that arrived on the stream while the request ran are kept.
      (laps) => setState((s) => ({ data: s.data.reduce(upsertLap, laps.slice().sort((a, b) => a.lap_number - b.lap_number)), loading: false, error: null })),
      (error) => {
        if (!isAbort(error)) setState((s) => ({ ...s, loading: false, error: describe(error) }));
      },
    );
    return () => abort.abort();
  }, [sessionId, generation]);

  useOnReconnect(() => setGeneration((g) => g + 1));
  useLiveMessages((message) => {
    if ('lap_completed' in message && message.lap_completed?.lap?.session_id === sessionId) {
      const lap = message.lap_completed.lap;
      setState((s) => ({ ...s, data: upsertLap(s.data, lap) }));
    }
  });
  return { ...state, best: bestLap(state.data) };
}

/** Starts the demo and opens its session page once the server announces it. */
export function useStartDemo(): { start: () => void; busy: boolean; error: string | null } {
  const client = useLiveClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = useCallback(() => {
    setBusy(true);
    setError(null);
    client.startDemo(0).then(
      (session) => {
        setBusy(false);
        navigate(paths.session(session.id));
      },
      (e) => {
        setBusy(false);
        setError(describe(e));
      },
    );
  }, [client]);
  return { start, busy, error };
}

/** The caller's ingest tokens (accounts mode), as the server lists them. */
export function useTokens(): Loadable<IngestToken[]> & { reload: () => void } {
  const [state, setState] = useState<Loadable<IngestToken[]>>({ data: [], loading: true, error: null });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    const abort = new AbortController();
    listTokens(abort.signal).then(
      (tokens) => setState({ data: tokens, loading: false, error: null }),
      (error) => {
        if (!isAbort(error)) setState((s) => ({ ...s, loading: false, error: describe(error) }));
      },
    );
    return () => abort.abort();
  }, [generation]);
  return { ...state, reload };
}
