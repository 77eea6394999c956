import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { askAiCoach, getChat, streamChat } from './coach';
import { ApiError, rememberCsrfToken } from './rest';
import { coachErrorMessage } from './useCoach';

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch answering with `chunks` (strings or raw bytes) as a streamed body. */
function stubStream(chunks: (string | Uint8Array)[], status = 200, headers: Record<string, string> = { 'Content-Type': 'text/event-stream' }): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
        controller.close();
      },
    });
    return new Response(body, { status, headers });
  });
  return calls;
}

function stubJson(status: number, body: unknown, headers: Record<string, string> = {}): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
  });
  return calls;
}

const header = (call: Call, name: string) => (call.init.headers as Record<string, string>)[name];

describe('coach API', () => {
  beforeEach(() => {
    vi.stubGlobal('document', { cookie: 'ps_csrf=tok' });
    vi.stubGlobal('window', new EventTarget());
    rememberCsrfToken(null);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('streams the deltas in order, across and within chunks, until done', async () => {
    const calls = stubStream(['data: {"delta":"Brake "}\n\ndata: {"del', 'ta":"ten metres "}\n', '\ndata: {"delta":"later."}\n\ndata: {"done":true}\n\n']);
    const pieces: string[] = [];
    await streamChat(17, 'Where do I lose time?', (t) => pieces.push(t));
    expect(pieces).toEqual(['Brake ', 'ten metres ', 'later.']);
    expect(calls[0].url).toBe('/api/laps/17/chat');
    expect(calls[0].init.method).toBe('POST');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({ message: 'Where do I lose time?' });
    expect(header(calls[0], 'X-CSRF-Token')).toBe('tok');
    expect(header(calls[0], 'Accept')).toBe('text/event-stream');
    expect(header(calls[0], 'Content-Type')).toBe('application/json');
  });

  it('decodes a character split between two chunks', async () => {
    const bytes = new TextEncoder().encode('data: {"delta":"Virage à droite"}\n\ndata: {"done":true}\n\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside "à"
    stubStream([bytes.slice(0, cut), bytes.slice(cut)]);
    const pieces: string[] = [];
    await streamChat(1, 'q', (t) => pieces.push(t));
    expect(pieces).toEqual(['Virage à droite']);
  });

  it('rejects with the error event after the deltas before it', async () => {
    stubStream(['data: {"delta":"Half"}\n\ndata: {"error":{"code":"ai_timeout","message":"the AI model did not answer within 60 s"}}\n\n']);
    const pieces: string[] = [];
    const error = await streamChat(1, 'q', (t) => pieces.push(t)).catch((e: unknown) => e);
    expect(pieces).toEqual(['Half']);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'ai_timeout', message: 'the AI model did not answer within 60 s' });
  });

  it('rejects when the stream ends without done', async () => {
    stubStream(['data: {"delta":"Half"}\n\n']);
    await expect(streamChat(1, 'q', () => {})).rejects.toMatchObject({ code: 'stream_ended' });
  });

  it('rejects a refusal with its JSON error and Retry-After', async () => {
    stubJson(429, { error: { code: 'rate_limited', message: 'too many AI requests: try again in 30 s' } }, { 'Retry-After': '30' });
    await expect(streamChat(1, 'q', () => {})).rejects.toMatchObject({ status: 429, code: 'rate_limited', retryAfterS: 30 });
    stubJson(503, { error: { code: 'ai_off', message: 'off' } });
    await expect(streamChat(1, 'q', () => {})).rejects.toMatchObject({ status: 503, code: 'ai_off' });
  });

  it('gets the chat and posts the analysis with the reference', async () => {
    let calls = stubJson(200, { ai: true, messages: [] });
    expect(await getChat(5)).toEqual({ ai: true, messages: [] });
    expect(calls[0].url).toBe('/api/laps/5/chat');
    expect(header(calls[0], 'X-CSRF-Token')).toBeUndefined();
    calls = stubJson(200, { ai: { status: 'off', error: { code: 'ai_off', message: '' } } });
    await askAiCoach(5, 9);
    await askAiCoach(5, null);
    expect(calls.map((c) => [c.url, c.init.method, header(c, 'X-CSRF-Token')])).toEqual([
      ['/api/laps/5/analysis?reference=9', 'POST', 'tok'],
      ['/api/laps/5/analysis', 'POST', 'tok'],
    ]);
  });

  it('says what failed in one sentence', () => {
    expect(coachErrorMessage(new ApiError(429, 'rate_limited', 'too many AI requests: try again in 30 s', 30))).toBe('Too many AI requests: try again in 30 s.');
    expect(coachErrorMessage(new ApiError(400, 'bad_request', 'a chat message has 1 to 2000 characters'))).toBe('A chat message has 1 to 2000 characters.');
    expect(coachErrorMessage(new TypeError('Failed to fetch'))).toBe('Could not reach the server: Failed to fetch');
  });
});
