// React glue for the lap page's AI coach: the lap's chat (whether AI coaching is on, the
// history, sending a question and following its streamed reply) and the AI suggestions
// asked for with a button. Mount them keyed by lap (and by reference for the suggestions):
// a new lap or reference starts afresh.
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { EMPTY_CONVERSATION, aiErrorMessage, aiOutcome, conversationReducer, type AiOutcome, type Conversation } from '../lib/coach';
import { askAiCoach, getChat, streamChat } from './coach';
import { isAbort } from './lapData';
import { ApiError } from './rest';

/** A failed AI call as one sentence for the panel. */
export function coachErrorMessage(error: unknown): string {
  if (error instanceof ApiError) return aiErrorMessage(error);
  if (error instanceof TypeError) return `Could not reach the server: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

export type ChatLoad = { state: 'loading' } | { state: 'ok'; ai: boolean } | { state: 'error'; message: string };

export interface CoachChat {
  load: ChatLoad;
  conversation: Conversation;
  /** Sends a question; true once the reply is complete and stored, false if it failed (the error is in `conversation`). */
  send: (question: string) => Promise<boolean>;
}

export function useCoachChat(lapId: number): CoachChat {
  const [load, setLoad] = useState<ChatLoad>({ state: 'loading' });
  const [conversation, dispatch] = useReducer(conversationReducer, EMPTY_CONVERSATION);
  const streaming = useRef<AbortController | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    getChat(lapId, abort.signal).then(
      (history) => {
        dispatch({ type: 'loaded', messages: history.messages });
        setLoad({ state: 'ok', ai: history.ai });
      },
      (error) => !isAbort(error) && setLoad({ state: 'error', message: coachErrorMessage(error) }),
    );
    return () => {
      abort.abort();
      streaming.current?.abort();
    };
  }, [lapId]);

  const send = useCallback(
    async (question: string) => {
      const abort = new AbortController();
      streaming.current = abort;
      dispatch({ type: 'sent', question });
      try {
        await streamChat(lapId, question, (text) => dispatch({ type: 'delta', text }), abort.signal);
        dispatch({ type: 'done', at: Date.now() });
        return true;
      } catch (error) {
        if (!isAbort(error)) dispatch({ type: 'failed', error: coachErrorMessage(error) });
        return false;
      } finally {
        if (streaming.current === abort) streaming.current = null;
      }
    },
    [lapId],
  );

  return { load, conversation, send };
}

export type AskState = { state: 'idle' } | { state: 'asking' } | AiOutcome;

/** The AI's suggestions for the lap against `reference`, asked for by `ask()` (POST, so never on load). */
export function useAiSuggestions(lapId: number, reference: number | null): { result: AskState; ask: () => void } {
  const [result, setResult] = useState<AskState>({ state: 'idle' });
  const inFlight = useRef<AbortController | null>(null);
  useEffect(() => () => inFlight.current?.abort(), []);

  const ask = useCallback(() => {
    inFlight.current?.abort();
    const abort = new AbortController();
    inFlight.current = abort;
    setResult({ state: 'asking' });
    askAiCoach(lapId, reference, abort.signal).then(
      (response) => setResult(aiOutcome(response.ai)),
      (error) => {
        if (isAbort(error)) return;
        const code = error instanceof ApiError ? error.code : 'network';
        setResult({ state: 'error', code, message: coachErrorMessage(error) });
      },
    );
  }, [lapId, reference]);

  return { result, ask };
}
