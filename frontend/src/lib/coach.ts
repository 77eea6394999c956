// Pure parts of the lap page's AI coach (docs/api.md, "AI coaching"): what the AI's
// answer means for the panel, its errors as sentences, the chat's stream events, the
// rules of a chat message and its keys, and the conversation's state as a reducer
// (history, the question on its way, the reply growing delta by delta).
import type { AiResult, ChatMessage, Suggestion } from '../api/types';
import { rankSuggestions } from './lapTrace';

/** What the panel says, and all it says, when the server has no AI key. */
export const AI_OFF_LINE = 'AI coaching is off on this server — the built-in suggestions above still apply.';

/** Longest chat message the server takes (in characters, as it counts them). */
export const CHAT_MAX_CHARS = 2000;

/** Why `text` cannot be sent as a chat message, or null when it can (the server trims it too). */
export function chatMessageProblem(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) return 'Type a question first.';
  const length = [...trimmed].length;
  if (length > CHAT_MAX_CHARS) return `At most ${CHAT_MAX_CHARS.toLocaleString('en')} characters (this is ${length.toLocaleString('en')}).`;
  return null;
}

/** Enter sends, Shift+Enter (or Enter while an IME composes) is a new line. */
export function chatKeyAction(event: { key: string; shiftKey?: boolean; isComposing?: boolean }): 'send' | null {
  return event.key === 'Enter' && !event.shiftKey && !event.isComposing ? 'send' : null;
}

const KIND_LABELS: Record<string, string> = {
  braking: 'Braking',
  throttle: 'Throttle',
  steering: 'Steering',
  line: 'Line',
  consistency: 'Consistency',
  general: 'General',
  minimum_speed: 'Minimum speed',
};

/** A suggestion kind for people: "braking" → "Braking", an unknown "late_apex" → "Late apex". */
export function kindLabel(kind: string): string {
  const known = KIND_LABELS[kind];
  if (known) return known;
  const words = kind.replace(/_/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : 'General';
}

function sentence(text: string | null | undefined): string | null {
  const t = text?.trim();
  if (!t) return null;
  const capital = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** Seconds to wait: the `Retry-After` header's, else the "try again in N s" of the server's message. */
export function retryAfterSeconds(retryAfterS: number | null | undefined, message: string | null | undefined): number | null {
  if (retryAfterS != null && retryAfterS > 0) return retryAfterS;
  const match = /try again in (\d+)\s*s\b/i.exec(message ?? '');
  return match ? Number(match[1]) : null;
}

/** What to tell the driver when the AI could not answer (a refusal, an `ai.error`, a stream's `error` event). */
export function aiErrorMessage(error: { code: string; message?: string | null; retryAfterS?: number | null }): string {
  switch (error.code) {
    case 'ai_off':
      return AI_OFF_LINE;
    case 'rate_limited': {
      const wait = retryAfterSeconds(error.retryAfterS, error.message);
      return wait != null ? `Too many AI requests: try again in ${wait} s.` : 'Too many AI requests: try again shortly.';
    }
    case 'ai_timeout': {
      const said = sentence(error.message) ?? 'The AI model did not answer in time.';
      return `${said} Try again.`;
    }
    case 'ai_upstream':
      return sentence(error.message) ?? 'The AI service refused the request.';
    case 'ai_busy':
      return sentence(error.message) ?? 'The AI coach is busy: try again shortly.';
    default:
      return sentence(error.message) ?? 'The AI coach could not answer: try again.';
  }
}

export type AiOutcome = { state: 'ok'; suggestions: Suggestion[] } | { state: 'off'; message: string } | { state: 'error'; code: string; message: string };

/** The panel's reading of `ai`: the suggestions ranked like the built-in ones, or why there are none. */
export function aiOutcome(ai: AiResult | null | undefined): AiOutcome {
  if (!ai) return { state: 'error', code: 'ai_missing', message: 'The server did not answer for the AI coach.' };
  if (ai.status === 'ok') return { state: 'ok', suggestions: rankSuggestions(ai.suggestions ?? []) };
  if (ai.status === 'off') return { state: 'off', message: AI_OFF_LINE };
  return { state: 'error', code: ai.error?.code ?? 'ai_error', message: aiErrorMessage(ai.error ?? { code: 'ai_error' }) };
}

export type ChatStreamEvent = { kind: 'delta'; text: string } | { kind: 'done' } | { kind: 'error'; code: string; message: string };

/** One `data:` payload of the chat stream, or null when it is none of `delta`, `done`, `error`. */
export function chatEvent(data: string): ChatStreamEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const v = value as { delta?: unknown; done?: unknown; error?: { code?: unknown; message?: unknown } };
  if (typeof v.delta === 'string') return { kind: 'delta', text: v.delta };
  if (v.done === true) return { kind: 'done' };
  if (v.error && typeof v.error === 'object') {
    return { kind: 'error', code: typeof v.error.code === 'string' ? v.error.code : 'ai_error', message: typeof v.error.message === 'string' ? v.error.message : '' };
  }
  return null;
}

// ---- the conversation ----

export interface Conversation {
  messages: ChatMessage[];
  /** The exchange on its way: the question sent and the reply so far. */
  pending: { question: string; reply: string } | null;
  /** Why the last question got no (complete) answer; cleared by the next one. */
  error: string | null;
}

export const EMPTY_CONVERSATION: Conversation = { messages: [], pending: null, error: null };

export type ConversationAction =
  | { type: 'loaded'; messages: ChatMessage[] }
  | { type: 'sent'; question: string }
  | { type: 'delta'; text: string }
  | { type: 'done'; at: number }
  | { type: 'failed'; error: string };

export function conversationReducer(state: Conversation, action: ConversationAction): Conversation {
  switch (action.type) {
    case 'loaded':
      return { ...state, messages: action.messages };
    case 'sent':
      return { ...state, pending: { question: action.question, reply: '' }, error: null };
    case 'delta':
      return state.pending ? { ...state, pending: { ...state.pending, reply: state.pending.reply + action.text } } : state;
    case 'done': {
      const p = state.pending;
      if (!p) return state;
      const stored: ChatMessage[] = [
        { role: 'user', content: p.question, created_at_ms: action.at },
        { role: 'assistant', content: p.reply, created_at_ms: action.at },
      ];
      return { messages: [...state.messages, ...stored], pending: null, error: null };
    }
    case 'failed':
      // Nothing was stored: the exchange leaves the conversation (the question goes back into the input).
      return { ...state, pending: null, error: action.error };
  }
}

/** `idle`, `thinking` (sent, no words yet) or `streaming` (the reply is arriving). */
export function chatPhase(c: Conversation): 'idle' | 'thinking' | 'streaming' {
  if (!c.pending) return 'idle';
  return c.pending.reply ? 'streaming' : 'thinking';
}
