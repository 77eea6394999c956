// The AI coach's suggestions for the lap, asked for with a button (each ask is a model
// call and counts against the user's AI rate limit, so never on load). Against the page's
// reference; keyed by it, so another reference starts again from the button.
import { useAiSuggestions } from '../api/useCoach';
import { SuggestionItem } from './Suggestions';

export function AiSuggestions({ lapId, reference }: { lapId: number; reference: number | null }) {
  const { result, ask } = useAiSuggestions(lapId, reference);
  const asking = result.state === 'asking';
  return (
    <div className="coach__suggestions" data-testid="ai-suggestions" data-state={result.state}>
      <div className="coach__ask">
        <button type="button" className="button button--primary" onClick={ask} disabled={asking} data-testid="ask-ai">
          {asking ? 'Asking…' : result.state === 'idle' ? 'Ask the AI coach' : 'Ask again'}
        </button>
        {asking && <span className="muted">The AI coach is looking at this lap…</span>}
      </div>
      {result.state === 'ok' &&
        (result.suggestions.length ? (
          <ol className="suggestions">
            {result.suggestions.map((s, i) => (
              <SuggestionItem key={i} s={s} testId="ai-suggestion" showKind />
            ))}
          </ol>
        ) : (
          <p className="muted">The AI coach has nothing to add to the built-in suggestions.</p>
        ))}
      {(result.state === 'off' || result.state === 'error') && (
        <p className="note note--error" data-testid="ai-suggestions-error" data-code={result.state === 'error' ? result.code : 'ai_off'}>
          {result.message}
        </p>
      )}
    </div>
  );
}
