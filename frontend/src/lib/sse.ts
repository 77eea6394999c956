// A server-sent events parser for a stream read in arbitrary chunks (the lap chat's reply
// comes from `fetch` + `getReader()`, since EventSource cannot POST or send the CSRF
// header). Pure: the caller keeps the returned state between chunks. Follows the HTML
// spec's event-stream rules: lines end in LF, CRLF or CR; a blank line ends an event;
// `data:` lines are joined with LF; `event:` names it; comments (`:`) and other fields
// are skipped; an event still open when the stream ends is dropped.

export interface SseEvent {
  /** The `event:` field, `message` when none was sent. */
  event: string;
  data: string;
}

export interface SseState {
  /** Text after the last complete line (may end in a CR whose LF has not arrived yet). */
  readonly rest: string;
  /** `data:` values of the event being read; null before its first `data:` line. */
  readonly data: readonly string[] | null;
  readonly event: string;
}

export const SSE_START: SseState = { rest: '', data: null, event: '' };

/**
 * Reads `chunk` after `state`: the events it completes, in order, and the state to pass
 * with the next chunk. `final` marks the end of the stream (a trailing CR then ends its line).
 */
export function parseSse(state: SseState, chunk: string, final = false): { state: SseState; events: SseEvent[] } {
  const text = state.rest + chunk;
  const events: SseEvent[] = [];
  let data = state.data ? [...state.data] : null;
  let event = state.event;
  let start = 0;
  for (;;) {
    let end = start;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
    if (end >= text.length) break;
    // A CR at the very end may be the first half of a CRLF split across chunks.
    if (text[end] === '\r' && end === text.length - 1 && !final) break;
    const line = text.slice(start, end);
    start = end + (text[end] === '\r' && text[end + 1] === '\n' ? 2 : 1);

    if (line === '') {
      if (data) events.push({ event: event || 'message', data: data.join('\n') });
      data = null;
      event = '';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') (data ??= []).push(value);
    else if (field === 'event') event = value;
  }
  if (final) return { state: SSE_START, events };
  return { state: { rest: text.slice(start), data, event }, events };
}
