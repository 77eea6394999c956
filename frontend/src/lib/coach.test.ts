import { describe, expect, it } from 'vitest';
import type { Suggestion } from '../api/types';
import {
  AI_OFF_LINE,
  CHAT_MAX_CHARS,
  EMPTY_CONVERSATION,
  aiErrorMessage,
  aiOutcome,
  chatEvent,
  chatKeyAction,
  chatMessageProblem,
  chatPhase,
  conversationReducer,
  kindLabel,
  retryAfterSeconds,
  type Conversation,
  type ConversationAction,
} from './coach';

const suggestion = (corner: number | null, stake: number, severity: Suggestion['severity'] = 'minor'): Suggestion => ({
  corner,
  kind: 'braking',
  message: `m${corner}`,
  time_at_stake_ms: stake,
  severity,
});

describe('chatMessageProblem', () => {
  it('wants 1 to 2000 characters once trimmed', () => {
    expect(chatMessageProblem('')).toMatch(/type a question/i);
    expect(chatMessageProblem('  \n ')).toMatch(/type a question/i);
    expect(chatMessageProblem('Where do I lose time?')).toBeNull();
    expect(chatMessageProblem('x'.repeat(CHAT_MAX_CHARS))).toBeNull();
    expect(chatMessageProblem(`  ${'x'.repeat(CHAT_MAX_CHARS)}  `)).toBeNull();
    expect(chatMessageProblem('x'.repeat(CHAT_MAX_CHARS + 1))).toMatch(/at most 2,000 characters \(this is 2,001\)/i);
  });
  it('counts characters as the server does, not UTF-16 units', () => {
    expect(chatMessageProblem('🏁'.repeat(CHAT_MAX_CHARS))).toBeNull();
  });
});

describe('chatKeyAction', () => {
  it('sends on Enter only', () => {
    expect(chatKeyAction({ key: 'Enter' })).toBe('send');
    expect(chatKeyAction({ key: 'Enter', shiftKey: true })).toBeNull();
    expect(chatKeyAction({ key: 'Enter', isComposing: true })).toBeNull();
    expect(chatKeyAction({ key: 'a' })).toBeNull();
  });
});

describe('kindLabel', () => {
  it('names the kinds', () => {
    expect(['braking', 'throttle', 'steering', 'line', 'consistency', 'general', 'minimum_speed'].map(kindLabel)).toEqual([
      'Braking',
      'Throttle',
      'Steering',
      'Line',
      'Consistency',
      'General',
      'Minimum speed',
    ]);
    expect(kindLabel('late_apex')).toBe('Late apex');
    expect(kindLabel('')).toBe('General');
  });
});

describe('aiErrorMessage', () => {
  it('says how long to wait when rate limited, from Retry-After or the message', () => {
    expect(aiErrorMessage({ code: 'rate_limited', message: 'too many AI requests: try again in 42 s', retryAfterS: 7 })).toBe('Too many AI requests: try again in 7 s.');
    expect(aiErrorMessage({ code: 'rate_limited', message: 'too many AI requests: try again in 42 s' })).toBe('Too many AI requests: try again in 42 s.');
    expect(aiErrorMessage({ code: 'rate_limited' })).toBe('Too many AI requests: try again shortly.');
  });
  it('turns the server’s messages into sentences', () => {
    expect(aiErrorMessage({ code: 'ai_timeout', message: 'the AI model did not answer within 60 s' })).toBe('The AI model did not answer within 60 s. Try again.');
    expect(aiErrorMessage({ code: 'ai_timeout' })).toBe('The AI model did not answer in time. Try again.');
    expect(aiErrorMessage({ code: 'ai_upstream', message: "the AI model's service refused: 429 Too Many Requests" })).toBe("The AI model's service refused: 429 Too Many Requests.");
    expect(aiErrorMessage({ code: 'ai_upstream', message: '' })).toBe('The AI service refused the request.');
    expect(aiErrorMessage({ code: 'ai_busy' })).toBe('The AI coach is busy: try again shortly.');
    expect(aiErrorMessage({ code: 'ai_off', message: 'whatever' })).toBe(AI_OFF_LINE);
    expect(aiErrorMessage({ code: 'cannot_analyse', message: 'lap too short!' })).toBe('Lap too short!');
    expect(aiErrorMessage({ code: 'x' })).toBe('The AI coach could not answer: try again.');
  });
  it('reads the wait of a message', () => {
    expect(retryAfterSeconds(null, 'try again in 12 s')).toBe(12);
    expect(retryAfterSeconds(0, 'try again in 12 s')).toBe(12);
    expect(retryAfterSeconds(null, 'try again later')).toBeNull();
  });
});

describe('aiOutcome', () => {
  it('ranks the suggestions like the built-in ones', () => {
    const out = aiOutcome({ status: 'ok', suggestions: [suggestion(1, 50), suggestion(3, 150), suggestion(null, 90, 'major')] });
    expect(out.state === 'ok' && out.suggestions.map((s) => s.corner)).toEqual([3, null, 1]);
  });
  it('says off or why it failed', () => {
    expect(aiOutcome({ status: 'off', error: { code: 'ai_off', message: 'no key' } })).toEqual({ state: 'off', message: AI_OFF_LINE });
    expect(aiOutcome({ status: 'error', error: { code: 'rate_limited', message: 'too many AI requests: try again in 9 s' } })).toEqual({
      state: 'error',
      code: 'rate_limited',
      message: 'Too many AI requests: try again in 9 s.',
    });
    expect(aiOutcome(undefined).state).toBe('error');
  });
});

describe('chatEvent', () => {
  it('reads delta, done and error payloads', () => {
    expect(chatEvent('{"delta":"Brake "}')).toEqual({ kind: 'delta', text: 'Brake ' });
    expect(chatEvent('{"delta":""}')).toEqual({ kind: 'delta', text: '' });
    expect(chatEvent('{"done":true}')).toEqual({ kind: 'done' });
    expect(chatEvent('{"error":{"code":"ai_timeout","message":"late"}}')).toEqual({ kind: 'error', code: 'ai_timeout', message: 'late' });
    expect(chatEvent('{"error":{}}')).toEqual({ kind: 'error', code: 'ai_error', message: '' });
  });
  it('ignores what it does not know', () => {
    expect(chatEvent('[DONE]')).toBeNull();
    expect(chatEvent('null')).toBeNull();
    expect(chatEvent('{"done":false}')).toBeNull();
    expect(chatEvent('{"other":1}')).toBeNull();
  });
});

describe('conversationReducer', () => {
  const run = (actions: ConversationAction[], from: Conversation = EMPTY_CONVERSATION) => actions.reduce(conversationReducer, from);
  const history = [
    { role: 'user' as const, content: 'q0', created_at_ms: 1 },
    { role: 'assistant' as const, content: 'a0', created_at_ms: 2 },
  ];

  it('grows the reply delta by delta and stores the exchange when done', () => {
    let c = run([{ type: 'loaded', messages: history }, { type: 'sent', question: 'Where?' }]);
    expect(chatPhase(c)).toBe('thinking');
    c = run([{ type: 'delta', text: 'Brake ' }], c);
    expect(chatPhase(c)).toBe('streaming');
    c = run([{ type: 'delta', text: 'later.' }], c);
    expect(c.pending).toEqual({ question: 'Where?', reply: 'Brake later.' });
    c = run([{ type: 'done', at: 9 }], c);
    expect(chatPhase(c)).toBe('idle');
    expect(c.messages).toEqual([
      ...history,
      { role: 'user', content: 'Where?', created_at_ms: 9 },
      { role: 'assistant', content: 'Brake later.', created_at_ms: 9 },
    ]);
    expect(c.error).toBeNull();
  });

  it('drops a failed exchange and keeps the error until the next question', () => {
    let c = run([{ type: 'loaded', messages: history }, { type: 'sent', question: 'q' }, { type: 'delta', text: 'half' }, { type: 'failed', error: 'Too slow.' }]);
    expect(c).toEqual({ messages: history, pending: null, error: 'Too slow.' });
    c = run([{ type: 'sent', question: 'again' }], c);
    expect(c.error).toBeNull();
  });

  it('ignores deltas and done without a question on its way', () => {
    const c = run([{ type: 'delta', text: 'x' }, { type: 'done', at: 1 }]);
    expect(c).toEqual(EMPTY_CONVERSATION);
  });
});
