import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, UNAUTHENTICATED_EVENT, apiHeaders, csrfToken, rememberCsrfToken, request } from './rest';

interface Call {
  url: string;
  init: RequestInit;
}

function stubFetch(status: number, body: unknown, headers: Record<string, string> = {}): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
  });
  return calls;
}

const header = (call: Call, name: string) => (call.init.headers as Record<string, string>)[name];

describe('request', () => {
  let cookie = '';
  let window: EventTarget;
  beforeEach(() => {
    cookie = '';
    window = new EventTarget();
    vi.stubGlobal('document', {
      get cookie() {
        return cookie;
      },
    });
    vi.stubGlobal('window', window);
    rememberCsrfToken(null);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('sends X-CSRF-Token from the ps_csrf cookie on changing requests only', async () => {
    cookie = 'other=1; ps_csrf=from-cookie';
    const calls = stubFetch(200, { ok: true });
    await request('/api/sessions');
    await request('/api/sessions/x', { method: 'PATCH', body: '{}' });
    await request('/api/tokens/1', { method: 'delete' });
    expect(header(calls[0], 'X-CSRF-Token')).toBeUndefined();
    expect(header(calls[1], 'X-CSRF-Token')).toBe('from-cookie');
    expect(header(calls[2], 'X-CSRF-Token')).toBe('from-cookie');
    expect(calls.every((c) => c.init.credentials === 'same-origin')).toBe(true);
  });

  it('falls back to the last token the server returned', async () => {
    const calls = stubFetch(204, null);
    await request('/api/auth/logout', { method: 'POST' });
    expect(header(calls[0], 'X-CSRF-Token')).toBeUndefined();
    rememberCsrfToken('from-server');
    expect(csrfToken()).toBe('from-server');
    await request('/api/auth/logout', { method: 'POST' });
    expect(header(calls[1], 'X-CSRF-Token')).toBe('from-server');
    cookie = 'ps_csrf=newer';
    expect(csrfToken()).toBe('newer');
  });

  it('announces 401 unauthenticated, and only that', async () => {
    const heard = vi.fn();
    window.addEventListener(UNAUTHENTICATED_EVENT, heard);
    stubFetch(401, { error: { code: 'unauthenticated', message: 'sign in' } });
    await expect(request('/api/sessions')).rejects.toMatchObject({ status: 401, code: 'unauthenticated', message: 'sign in' });
    expect(heard).toHaveBeenCalledTimes(1);
    stubFetch(401, { error: { code: 'invalid_credentials', message: 'wrong username or password' } });
    await expect(request('/api/auth/login', { method: 'POST', body: '{}' })).rejects.toBeInstanceOf(ApiError);
    expect(heard).toHaveBeenCalledTimes(1);
  });

  it('carries Retry-After on 429 even without a message', async () => {
    stubFetch(429, { error: { code: 'rate_limited' } }, { 'Retry-After': '12' });
    const error = await request('/api/auth/login', { method: 'POST', body: '{}' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterS: 12 });
  });

  it('builds the same headers for a hand-made fetch (the chat stream)', () => {
    cookie = 'ps_csrf=tok';
    expect(apiHeaders({ method: 'POST', body: '{}', headers: { Accept: 'text/event-stream' } })).toEqual({
      Accept: 'text/event-stream',
      'Content-Type': 'application/json',
      'X-CSRF-Token': 'tok',
    });
    expect(apiHeaders()).toEqual({ Accept: 'application/json' });
  });
});
