// WebSocket client for the engine's live stream (`/ws?format=json`).
//
// One connection per tab. It reconnects on its own with exponential backoff when
// the server goes away, re-subscribes to every session a component still wants,
// and sends an application ping now and then so a quiet connection is not taken
// for a dead browser (and a dead server is noticed).
import { backoffDelay } from '../lib/backoff';
import type { ClientMessage, ServerMessage, SessionInfo } from './types';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

/** The minimal WebSocket surface the client uses (the browser's, or a fake in tests). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface LiveClientOptions {
  socketFactory?: SocketFactory;
  pingIntervalMs?: number;
  /** Reconnect when nothing at all was heard for this long. */
  silenceTimeoutMs?: number;
  random?: () => number;
}

const OPEN = 1;

export function defaultStreamUrl(loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/ws?format=json`;
}

export class LiveClient {
  private socket: SocketLike | null = null;
  private _state: ConnectionState = 'connecting';
  private attempt = 0;
  private everConnected = false;
  private stopped = true;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private nonce = 0;
  private readonly subscriptions = new Map<string, number>();
  private readonly pending: ClientMessage[] = [];
  private readonly messageListeners = new Set<(message: ServerMessage) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly socketFactory: SocketFactory;
  private readonly pingIntervalMs: number;
  private readonly silenceTimeoutMs: number;
  private readonly random: () => number;

  constructor(
    private readonly url: string,
    options: LiveClientOptions = {},
  ) {
    this.socketFactory = options.socketFactory ?? ((u) => new WebSocket(u) as unknown as SocketLike);
    this.pingIntervalMs = options.pingIntervalMs ?? 10_000;
    this.silenceTimeoutMs = options.silenceTimeoutMs ?? 35_000;
    this.random = options.random ?? Math.random;
  }

  get state(): ConnectionState {
    return this._state;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onclose = socket.onerror = socket.onmessage = null;
      socket.close(1000, 'client stopped');
    }
  }

  onMessage(listener: (message: ServerMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Sends now when connected; otherwise queues it for the next connection. */
  send(message: ClientMessage): void {
    if (this.socket && this.socket.readyState === OPEN) {
      this.socket.send(JSON.stringify(message));
    } else {
      this.pending.push(message);
    }
  }

  /**
   * Follows a session (reference counted across components); the subscription is
   * renewed after every reconnect. Returns the matching release.
   */
  subscribe(sessionId: string): () => void {
    const count = this.subscriptions.get(sessionId) ?? 0;
    this.subscriptions.set(sessionId, count + 1);
    if (count === 0 && this.isOpen()) this.send({ subscribe: { session_id: sessionId } });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.subscriptions.get(sessionId) ?? 1) - 1;
      if (left > 0) {
        this.subscriptions.set(sessionId, left);
      } else {
        this.subscriptions.delete(sessionId);
        if (this.isOpen()) this.send({ unsubscribe: { session_id: sessionId } });
      }
    };
  }

  /**
   * Starts the demo driver and resolves with the demo session when the server
   * announces it (`session_updated` with sim `demo`).
   */
  startDemo(seed = 0, timeoutMs = 15_000): Promise<SessionInfo> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error('the server did not announce the demo session in time'));
      }, timeoutMs);
      const off = this.onMessage((message) => {
        if ('session_updated' in message && message.session_updated?.session?.sim === 'demo') {
          clearTimeout(timer);
          off();
          resolve(message.session_updated.session);
        } else if ('error' in message) {
          clearTimeout(timer);
          off();
          reject(new Error(`${message.error.code}: ${message.error.message}`));
        }
      });
      this.send({ start_demo: { seed } });
    });
  }

  private isOpen(): boolean {
    return !!this.socket && this.socket.readyState === OPEN;
  }

  private setState(state: ConnectionState): void {
    if (state === this._state) return;
    this._state = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }

  private connect(): void {
    if (this.stopped) return;
    this.setState(this.everConnected ? 'reconnecting' : 'connecting');
    let socket: SocketLike;
    try {
      socket = this.socketFactory(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.lastHeard = Date.now();
      this.everConnected = true;
      this.setState('live');
      for (const sessionId of this.subscriptions.keys()) {
        socket.send(JSON.stringify({ subscribe: { session_id: sessionId } } satisfies ClientMessage));
      }
      const queued = this.pending.splice(0);
      for (const message of queued) socket.send(JSON.stringify(message));
      this.startPing();
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.lastHeard = Date.now();
      if (typeof event.data !== 'string') return;
      let message: ServerMessage;
      try {
        message = JSON.parse(event.data) as ServerMessage;
      } catch {
        return;
      }
      if ('connected' in message) this.attempt = 0;
      for (const listener of [...this.messageListeners]) {
        try {
          listener(message);
        } catch (error) {
          console.error('live stream listener failed', error);
        }
      }
    };
    socket.onerror = () => {
      // onclose follows and handles the reconnect
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.setState(this.everConnected ? 'reconnecting' : 'connecting');
    const delay = backoffDelay(this.attempt++, {}, this.random);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private startPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      const socket = this.socket;
      if (!socket) return;
      if (Date.now() - this.lastHeard > this.silenceTimeoutMs) {
        // Nothing heard, not even a pong: the connection is dead.
        this.socket = null;
        socket.onopen = socket.onclose = socket.onerror = socket.onmessage = null;
        try {
          socket.close(4000, 'silent server');
        } catch {
          // already closed
        }
        this.clearTimers();
        this.scheduleReconnect();
        return;
      }
      if (socket.readyState === OPEN) socket.send(JSON.stringify({ ping: { nonce: ++this.nonce } } satisfies ClientMessage));
    }, this.pingIntervalMs);
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.reconnectTimer = null;
    this.pingTimer = null;
  }
}
