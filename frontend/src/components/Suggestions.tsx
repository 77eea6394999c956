// The lap analysis's suggestions, biggest time at stake first.
import type { Suggestion } from '../api/types';
import { formatStake, rankSuggestions, severityLabel, suggestionPlace } from '../lib/lapTrace';

export function Suggestions({ suggestions, hasReference }: { suggestions: readonly Suggestion[]; hasReference: boolean }) {
  const ranked = rankSuggestions(suggestions);
  return (
    <section className="panel" data-testid="suggestions">
      <h2>Suggestions</h2>
      {ranked.length ? (
        <ol className="suggestions">
          {ranked.map((s, i) => (
            <li key={i} className={`suggestion suggestion--${s.severity}`} data-testid="suggestion" data-severity={s.severity} data-corner={s.corner ?? ''}>
              <span className="suggestion__place">{suggestionPlace(s)}</span>
              <span className="suggestion__message">{s.message}</span>
              <span className="suggestion__meta">
                <span className={`severity severity--${s.severity}`}>{severityLabel(s.severity)}</span>
                <span className="mono">{formatStake(s.time_at_stake_ms)}</span>
              </span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">{hasReference ? 'Nothing stands out against the reference lap.' : 'Suggestions need a reference lap.'}</p>
      )}
    </section>
  );
}
