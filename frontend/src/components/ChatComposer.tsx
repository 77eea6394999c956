// The chat's input: Enter sends, Shift+Enter is a new line; 1 to 2,000 characters (a
// counter near the limit); disabled while a reply streams, focused again after it. A
// question whose reply failed comes back into the box to send again.
import { useEffect, useRef, useState } from 'react';
import { CHAT_MAX_CHARS, chatKeyAction, chatMessageProblem } from '../lib/coach';

export function ChatComposer({ busy, onSend }: { busy: boolean; onSend: (question: string) => Promise<boolean> }) {
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const wasBusy = useRef(busy);

  useEffect(() => {
    if (wasBusy.current && !busy) box.current?.focus();
    wasBusy.current = busy;
  }, [busy]);

  const submit = async () => {
    if (busy) return;
    const why = chatMessageProblem(draft);
    if (why) {
      setProblem(why);
      return;
    }
    const question = draft.trim();
    setDraft('');
    setProblem(null);
    const ok = await onSend(question);
    if (!ok) setDraft((now) => now || question);
  };

  const length = [...draft].length;
  return (
    <form
      className="chat__composer"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <textarea
        ref={box}
        className="chat__input"
        data-testid="chat-input"
        rows={2}
        value={draft}
        disabled={busy}
        aria-label="Your question about this lap"
        placeholder={busy ? 'The AI coach is answering…' : 'Ask about this lap — Enter sends, Shift+Enter for a new line'}
        onChange={(event) => {
          setDraft(event.target.value);
          if (problem) setProblem(null);
        }}
        onKeyDown={(event) => {
          if (chatKeyAction({ key: event.key, shiftKey: event.shiftKey, isComposing: event.nativeEvent.isComposing }) !== 'send') return;
          event.preventDefault();
          void submit();
        }}
      />
      <div className="chat__bar">
        <span className={`chat__hint ${problem || length > CHAT_MAX_CHARS ? 'error' : 'muted'}`} data-testid="chat-hint">
          {problem ?? (length > CHAT_MAX_CHARS * 0.9 ? `${length.toLocaleString('en')} / ${CHAT_MAX_CHARS.toLocaleString('en')}` : '')}
        </span>
        <button type="submit" className="button button--small" disabled={busy} data-testid="chat-send">
          {busy ? 'Answering…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
