// React glue for the live stream: one LiveClient per tab, shared through context.
import { createContext, useContext, useEffect, useRef, useSyncExternalStore, type ReactNode } from 'react';
import { LiveClient, defaultStreamUrl, type ConnectionState } from './live';
import type { ServerMessage } from './types';

const LiveClientContext = createContext<LiveClient | null>(null);

export function LiveProvider({ client, children }: { client?: LiveClient; children: ReactNode }) {
  const ref = useRef<LiveClient | null>(null);
  if (!ref.current) ref.current = client ?? new LiveClient(defaultStreamUrl());
  const live = ref.current;
  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);
  return <LiveClientContext.Provider value={live}>{children}</LiveClientContext.Provider>;
}

export function useLiveClient(): LiveClient {
  const client = useContext(LiveClientContext);
  if (!client) throw new Error('useLiveClient needs a <LiveProvider>');
  return client;
}

export function useConnectionState(): ConnectionState {
  const client = useLiveClient();
  return useSyncExternalStore(
    (notify) => client.onState(notify),
    () => client.state,
  );
}

/** Calls `handler` for every server message while mounted (the latest handler, no re-subscribing). */
export function useLiveMessages(handler: (message: ServerMessage) => void): void {
  const client = useLiveClient();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => client.onMessage((message) => ref.current(message)), [client]);
}

/** Calls `handler` each time the stream comes back after a drop, e.g. to refetch what may have been missed. */
export function useOnReconnect(handler: () => void): void {
  const client = useLiveClient();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    let previous = client.state;
    return client.onState((state) => {
      if (state === 'live' && previous === 'reconnecting') ref.current();
      previous = state;
    });
  }, [client]);
}

/** Subscribes to a session's frames and laps while mounted. */
export function useSessionSubscription(sessionId: string | null | undefined): void {
  const client = useLiveClient();
  useEffect(() => {
    if (!sessionId) return;
    return client.subscribe(sessionId);
  }, [client, sessionId]);
}
