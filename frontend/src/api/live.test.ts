import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveClient, defaultStreamUrl, type SocketLike } from './live';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
}

describe('LiveClient', () => {
  let sockets: FakeSocket[];
  let client: LiveClient;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    client = new LiveClient('ws://test/ws?format=json', {
      socketFactory: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      random: () => 0.5,
    });
  });
  afterEach(() => {
    client.stop();
    vi.useRealTimers();
  });

  it('builds the JSON stream URL from the page location', () => {
    expect(defaultStreamUrl({ protocol: 'http:', host: 'localhost:8080' })).toBe('ws://localhost:8080/ws?format=json');
    expect(defaultStreamUrl({ protocol: 'https:', host: 'ps.example' })).toBe('wss://ps.example/ws?format=json');
  });

  it('reconnects with backoff and re-subscribes', () => {
    const states: string[] = [];
    client.onState((s) => states.push(s));
    const release = client.subscribe('s1');
    client.start();
    expect(client.state).toBe('connecting');
    sockets[0].open();
    expect(client.state).toBe('live');
    expect(sockets[0].sent).toEqual([{ subscribe: { session_id: 's1' } }]);

    sockets[0].drop();
    expect(client.state).toBe('reconnecting');
    vi.advanceTimersByTime(499);
    expect(sockets.length).toBe(1);
    vi.advanceTimersByTime(1);
    expect(sockets.length).toBe(2);
    sockets[1].drop(); // server still down: the next wait is longer
    vi.advanceTimersByTime(999);
    expect(sockets.length).toBe(2);
    vi.advanceTimersByTime(1);
    expect(sockets.length).toBe(3);
    sockets[2].open();
    expect(sockets[2].sent).toEqual([{ subscribe: { session_id: 's1' } }]);
    expect(states).toEqual(['live', 'reconnecting', 'live']);

    release();
    expect(sockets[2].sent.at(-1)).toEqual({ unsubscribe: { session_id: 's1' } });
  });

  it('counts subscriptions per session', () => {
    client.start();
    sockets[0].open();
    const a = client.subscribe('s');
    const b = client.subscribe('s');
    expect(sockets[0].sent).toEqual([{ subscribe: { session_id: 's' } }]);
    a();
    a();
    expect(sockets[0].sent.length).toBe(1);
    b();
    expect(sockets[0].sent.at(-1)).toEqual({ unsubscribe: { session_id: 's' } });
  });

  it('queues messages sent while disconnected', () => {
    client.start();
    client.send({ stop_demo: {} });
    sockets[0].open();
    expect(sockets[0].sent).toEqual([{ stop_demo: {} }]);
  });

  it('resolves startDemo with the announced demo session', async () => {
    client.start();
    sockets[0].open();
    const started = client.startDemo();
    expect(sockets[0].sent).toEqual([{ start_demo: { seed: 0 } }]);
    sockets[0].receive({ session_updated: { session: { id: 'other', sim: 'ac' } } });
    sockets[0].receive({ session_updated: { session: { id: 'demo-1', sim: 'demo', live: true } } });
    await expect(started).resolves.toMatchObject({ id: 'demo-1' });
  });

  it('delivers parsed messages and pings a quiet connection', () => {
    const got: unknown[] = [];
    client.onMessage((m) => got.push(m));
    client.start();
    sockets[0].open();
    sockets[0].receive({ pong: { nonce: 1 } });
    expect(got).toEqual([{ pong: { nonce: 1 } }]);
    vi.advanceTimersByTime(10_000);
    expect(sockets[0].sent).toEqual([{ ping: { nonce: 1 } }]);
  });

  it('gives up on a silent connection and reconnects', () => {
    client.start();
    sockets[0].open();
    vi.advanceTimersByTime(40_000);
    expect(client.state).toBe('reconnecting');
    vi.advanceTimersByTime(600);
    expect(sockets.length).toBe(2);
  });
});
