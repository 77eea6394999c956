// The AI coaching routes (docs/api.md, "AI coaching"): the lap's chat history (and whether
// AI coaching is on), the analysis with the AI's suggestions, and a chat message whose
// reply streams back as server-sent events. The stream is read with fetch + getReader
// (EventSource can neither POST nor send the CSRF header) and parsed by lib/sse.
import { chatEvent } from '../lib/coach';
import { SSE_START, parseSse } from '../lib/sse';
import { ApiError, apiErrorOf, apiHeaders, request } from './rest';
import type { ChatHistory, LapAnalysisWithAi } from './types';

const lapPath = (id: number) => `/api/laps/${encodeURIComponent(String(id))}`;

/** `GET /api/laps/{id}/chat`: `ai` (is coaching on) and the conversation, oldest first. */
export function getChat(lapId: number, signal?: AbortSignal): Promise<ChatHistory> {
  return request<ChatHistory>(`${lapPath(lapId)}/chat`, { signal });
}

/** `POST /api/laps/{id}/analysis[?reference=]`: the built-in analysis plus `ai`. */
export function askAiCoach(lapId: number, reference?: number | null, signal?: AbortSignal): Promise<LapAnalysisWithAi> {
  const query = reference != null ? `?reference=${encodeURIComponent(String(reference))}` : '';
  return request<LapAnalysisWithAi>(`${lapPath(lapId)}/analysis${query}`, { method: 'POST', signal });
}

/**
 * Sends a chat message and calls `onDelta` with each piece of the reply as it arrives.
 * Resolves on `{"done": true}` (the question and the reply are stored); rejects with an
 * ApiError on a refusal (400/404/429/503, JSON), an `error` event, or a stream that ends
 * before either.
 */
export async function streamChat(lapId: number, message: string, onDelta: (text: string) => void, signal?: AbortSignal): Promise<void> {
  const init: RequestInit = { method: 'POST', body: JSON.stringify({ message }), headers: { Accept: 'text/event-stream' } };
  const response = await fetch(`${lapPath(lapId)}/chat`, { credentials: 'same-origin', ...init, signal, headers: apiHeaders(init) });
  if (!response.ok) throw await apiErrorOf(response);
  if (!response.body) throw new ApiError(response.status, 'no_stream', 'The reply could not be read.');

  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let state = SSE_START;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      const parsed = parseSse(state, text, done);
      state = parsed.state;
      for (const { data } of parsed.events) {
        const event = chatEvent(data);
        if (!event) continue;
        if (event.kind === 'delta') onDelta(event.text);
        else if (event.kind === 'done') return;
        else throw new ApiError(response.status, event.code, event.message);
      }
      if (done) throw new ApiError(response.status, 'stream_ended', 'The reply stopped before it was complete.');
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
