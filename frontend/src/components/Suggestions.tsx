// The lap analysis's suggestions, biggest time at stake first. `SuggestionItem` is one of
// them, shared with the AI coach's suggestions so both read (and colour) alike.
import type { Suggestion } from '../api/types';
import { kindLabel } from '../lib/coach';
import { formatStake, rankSuggestions, severityLabel, suggestionPlace } from '../lib/lapTrace';

export function SuggestionItem({ s, testId = 'suggestion', showKind = false }: { s: Suggestion; testId?: string; showKind?: boolean }) {
  return (
    <li className={`suggestion suggestion--${s.severity}`} data-testid={testId} data-severity={s.severity} data-corner={s.corner ?? ''} data-kind={s.kind}>
      <span className="suggestion__place">{suggestionPlace(s)}</span>
      <span className="suggestion__message">
        {showKind && <span className="suggestion__kind">{kindLabel(s.kind)}</span>}
        {s.message}
      </span>
      <span className="suggestion__meta">
        <span className={`severity severity--${s.severity}`}>{severityLabel(s.severity)}</span>
        <span className="mono">{formatStake(s.time_at_stake_ms)}</span>
      </span>
    </li>
  );
}

export function Suggestions({ suggestions, hasReference }: { suggestions: readonly Suggestion[]; hasReference: boolean }) {
  const ranked = rankSuggestions(suggestions);
  return (
    <section className="panel" data-testid="suggestions">
      <h2>Suggestions</h2>
      {ranked.length ? (
        <ol className="suggestions">
          {ranked.map((s, i) => (
            <SuggestionItem key={i} s={s} />
          ))}
        </ol>
      ) : (
        <p className="muted">{hasReference ? 'Nothing stands out against the reference lap.' : 'Suggestions need a reference lap.'}</p>
      )}
    </section>
  );
}
