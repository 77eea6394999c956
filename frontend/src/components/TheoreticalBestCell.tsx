// The sessions table's theoretical-best cell: asks for the session's analysis once the row
// is on screen (IntersectionObserver), so a long list costs nothing until scrolled to.
import { useEffect, useRef, useState, type RefObject } from 'react';
import { useTheoreticalBest } from '../api/sessionAnalysis';
import type { SessionInfo } from '../api/types';
import { formatLapTime } from '../lib/format';

/** True once the element has been on screen (it stays true). */
function useSeen(ref: RefObject<Element | null>): boolean {
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || seen) return;
    if (typeof IntersectionObserver === 'undefined') {
      setSeen(true);
      return;
    }
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setSeen(true);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref, seen]);
  return seen;
}

export function TheoreticalBestCell({ session }: { session: SessionInfo }) {
  const ref = useRef<HTMLTableCellElement>(null);
  const seen = useSeen(ref);
  const best = useTheoreticalBest(session.id, session.lap_count, seen);
  const text = best.state === 'ok' ? formatLapTime(best.ms) : best.state === 'error' ? '—' : '…';
  return (
    <td
      ref={ref}
      className="num mono muted"
      data-testid="session-theoretical-best"
      data-state={best.state}
      title={best.state === 'error' ? `Could not analyse: ${best.message}` : best.state === 'ok' && best.ms == null ? 'Not analysable: no valid lap' : 'Sum of the best segments of the newest 60 laps'}
    >
      {text}
    </td>
  );
}
