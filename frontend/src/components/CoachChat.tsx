// A chat with the AI coach about this lap: the stored conversation, the question on its
// way with "thinking…" until the first words, then the reply growing as it streams, and
// any error inline. Text is rendered as text (React escapes it; no HTML or Markdown).
// The log keeps its newest message in view.
import { useLayoutEffect, useRef } from 'react';
import type { CoachChat as Chat } from '../api/useCoach';
import type { ChatMessage } from '../api/types';
import { chatPhase } from '../lib/coach';
import { ChatComposer } from './ChatComposer';

function Bubble({ role, content, streaming = false }: { role: ChatMessage['role']; content: string; streaming?: boolean }) {
  return (
    <li className={`chat__msg chat__msg--${role}`} data-testid="chat-message" data-role={role} data-streaming={streaming ? 'true' : undefined}>
      <span className="chat__who">{role === 'user' ? 'You' : 'AI coach'}</span>
      <span className="chat__text">
        {content}
        {streaming && !content && <span className="chat__thinking">thinking…</span>}
      </span>
    </li>
  );
}

export function CoachChat({ chat }: { chat: Chat }) {
  const { conversation, send } = chat;
  const { messages, pending, error } = conversation;
  const phase = chatPhase(conversation);
  const log = useRef<HTMLOListElement>(null);

  useLayoutEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [messages.length, pending?.question, pending?.reply, error]);

  return (
    <div className="chat" data-testid="coach-chat" data-phase={phase}>
      <h3>Ask about this lap</h3>
      <ol className="chat__log" ref={log} aria-live="polite" data-testid="chat-log">
        {!messages.length && !pending && <li className="muted chat__empty">Ask where the time goes, about a corner, or what to try next lap.</li>}
        {messages.map((m, i) => (
          <Bubble key={i} role={m.role} content={m.content} />
        ))}
        {pending && <Bubble role="user" content={pending.question} />}
        {pending && <Bubble role="assistant" content={pending.reply} streaming />}
      </ol>
      {error && (
        <p className="note note--error chat__error" data-testid="chat-error">
          {error}
        </p>
      )}
      <ChatComposer busy={phase !== 'idle'} onSend={send} />
    </div>
  );
}
