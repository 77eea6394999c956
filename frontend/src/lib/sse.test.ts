import { describe, expect, it } from 'vitest';
import { SSE_START, parseSse, type SseEvent } from './sse';

/** Feeds `chunks` one after another and collects every event's data. */
function feed(chunks: string[], final = true): SseEvent[] {
  let state = SSE_START;
  const events: SseEvent[] = [];
  for (const chunk of chunks) {
    const out = parseSse(state, chunk);
    state = out.state;
    events.push(...out.events);
  }
  if (final) events.push(...parseSse(state, '', true).events);
  return events;
}

const datas = (events: SseEvent[]) => events.map((e) => e.data);

describe('parseSse', () => {
  it('reads one event per blank line', () => {
    const out = parseSse(SSE_START, 'data: {"delta":"Brake "}\n\n');
    expect(out.events).toEqual([{ event: 'message', data: '{"delta":"Brake "}' }]);
    expect(out.state).toEqual(SSE_START);
  });

  it('reads several events from one chunk', () => {
    expect(datas(feed(['data: {"delta":"a"}\n\ndata: {"delta":"b"}\n\ndata: {"done":true}\n\n']))).toEqual([
      '{"delta":"a"}',
      '{"delta":"b"}',
      '{"done":true}',
    ]);
  });

  it('joins an event split across chunks, wherever the split falls', () => {
    const stream = 'data: {"delta":"Brake "}\n\ndata: {"delta":"later"}\n\ndata: {"done":true}\n\n';
    const whole = datas(feed([stream]));
    for (let i = 1; i < stream.length; i++) {
      expect(datas(feed([stream.slice(0, i), stream.slice(i)])), `split at ${i}`).toEqual(whole);
    }
    // One character at a time.
    expect(datas(feed([...stream]))).toEqual(whole);
  });

  it('keeps an unfinished event for the next chunk and emits nothing yet', () => {
    const first = parseSse(SSE_START, 'data: {"del');
    expect(first.events).toEqual([]);
    const second = parseSse(first.state, 'ta":"x"}\n');
    expect(second.events).toEqual([]);
    expect(parseSse(second.state, '\n').events).toEqual([{ event: 'message', data: '{"delta":"x"}' }]);
  });

  it('accepts CRLF and CR line ends, including a CRLF split between chunks', () => {
    expect(datas(feed(['data: a\r\n\r\ndata: b\r\rdata: c\n\n']))).toEqual(['a', 'b', 'c']);
    expect(datas(feed(['data: a\r', '\n\r', '\n']))).toEqual(['a']);
    // A lone CR at the end of the stream still ends its line.
    expect(datas(feed(['data: a\n\r']))).toEqual(['a']);
  });

  it('joins data lines with LF and strips only one leading space', () => {
    expect(datas(feed(['data: one\ndata:  two\ndata:three\n\n']))).toEqual(['one\n two\nthree']);
  });

  it('skips comments and unknown fields, names events, and drops events without data', () => {
    const events = feed([': keep-alive\n\nid: 4\nretry: 10\n\nevent: ping\ndata: x\n\ndata\n\n']);
    expect(events).toEqual([
      { event: 'ping', data: 'x' },
      { event: 'message', data: '' },
    ]);
  });

  it('drops an event the stream ends inside', () => {
    expect(datas(feed(['data: {"delta":"a"}\n\ndata: {"delta":"cut']))).toEqual(['{"delta":"a"}']);
  });

  it('does not change the state it was given', () => {
    const state = parseSse(SSE_START, 'data: a\n').state;
    const copy = JSON.stringify(state);
    parseSse(state, 'data: b\n\n');
    expect(JSON.stringify(state)).toBe(copy);
  });
});
