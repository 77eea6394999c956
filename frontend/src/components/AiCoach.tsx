// The lap page's "AI coach" panel (GitHub issue 7): asks the server once whether AI
// coaching is on (GET /api/laps/{id}/chat). Off: one calm line, and no AI request is ever
// made. On: the AI's suggestions on demand beside a chat about the lap. The built-in
// suggestions above stand whatever happens here. Mount it keyed by lap.
import { useCoachChat } from '../api/useCoach';
import { AI_OFF_LINE } from '../lib/coach';
import { AiSuggestions } from './AiSuggestions';
import { CoachChat } from './CoachChat';

export function AiCoach({ lapId, reference }: { lapId: number; reference: number | null }) {
  const chat = useCoachChat(lapId);
  const { load } = chat;
  const ai = load.state === 'ok' ? (load.ai ? 'on' : 'off') : load.state;
  return (
    <section className="panel coach" data-testid="ai-coach" data-ai={ai}>
      <h2>AI coach</h2>
      {load.state === 'loading' && <p className="muted">Asking the server about AI coaching…</p>}
      {load.state === 'error' && (
        <p className="error" data-testid="ai-coach-error">
          Could not load the AI coach: {load.message}
        </p>
      )}
      {ai === 'off' && (
        <p className="muted" data-testid="ai-off">
          {AI_OFF_LINE}
        </p>
      )}
      {ai === 'on' && (
        <div className="coach__body">
          <AiSuggestions key={reference ?? 'default'} lapId={lapId} reference={reference} />
          <CoachChat chat={chat} />
        </div>
      )}
    </section>
  );
}
