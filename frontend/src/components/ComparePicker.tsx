// "Compare with…": the user's laps on this lap's track in the same car, from this session
// and the newest 19 others (one lap list request each, four at a time), fetched once the
// lap page has drawn. Picking one opens the compare page with that lap as the baseline (A)
// and this lap drawn against it (B), as the lap page draws a lap against its reference.
import { useEffect, useState } from 'react';
import { listLaps, listSessions } from '../api/rest';
import type { LapInfo, SessionInfo } from '../api/types';
import { compareGroups, compareSessions, type CompareGroup } from '../lib/compare';
import { formatDateTime, formatLapTime } from '../lib/format';
import { Limiter } from '../lib/limiter';
import { paths } from '../lib/routes';
import { navigate } from '../router';

type Groups = { state: 'idle' | 'loading' } | { state: 'ok'; groups: CompareGroup[] } | { state: 'error'; message: string };

function useCompareGroups(session: SessionInfo | null, lapId: number, enabled: boolean): Groups {
  const [groups, setGroups] = useState<Groups>({ state: 'idle' });
  const sessionId = session?.id ?? null;
  useEffect(() => {
    if (!enabled || !session) return;
    const abort = new AbortController();
    const limiter = new Limiter(4);
    setGroups({ state: 'loading' });
    listSessions(abort.signal)
      .then((sessions) => {
        const chosen = compareSessions(sessions, sessions.find((s) => s.id === session.id) ?? session);
        return Promise.all(
          chosen.map((s) =>
            limiter.run(() => listLaps(s.id, abort.signal)).then(
              (laps) => ({ session: s, laps }),
              () => ({ session: s, laps: [] as LapInfo[] }), // one session failing leaves the others
            ),
          ),
        );
      })
      .then(
        (all) => setGroups({ state: 'ok', groups: compareGroups(all, lapId) }),
        (error) => !abort.signal.aborted && setGroups({ state: 'error', message: error instanceof Error ? error.message : String(error) }),
      );
    return () => abort.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sessionId, lapId, enabled]);
  return groups;
}

function lapOption(lap: LapInfo): string {
  const flags = [!lap.valid && 'invalid', lap.out_lap && 'out', lap.in_lap && 'in'].filter(Boolean).join(', ');
  return `Lap ${lap.lap_number} — ${formatLapTime(lap.lap_time_ms)}${flags ? ` (${flags})` : ''}`;
}

export function ComparePicker({ session, lapId, enabled }: { session: SessionInfo | null; lapId: number; enabled: boolean }) {
  const groups = useCompareGroups(session, lapId, enabled);
  const count = groups.state === 'ok' ? groups.groups.reduce((n, g) => n + g.laps.length, 0) : 0;
  return (
    <label className="lap-head__picker">
      <span className="readout__label">Compare with…</span>
      <select
        data-testid="compare-picker"
        data-state={groups.state}
        data-options={count}
        value=""
        disabled={groups.state !== 'ok' || count === 0}
        onChange={(e) => e.target.value && navigate(paths.compare(e.target.value, lapId))}
      >
        <option value="">
          {groups.state === 'ok'
            ? count
              ? `${count} lap${count === 1 ? '' : 's'} on ${session?.track || 'this track'}`
              : 'No other lap on this track and car'
            : groups.state === 'error'
              ? 'Could not list laps'
              : 'Listing laps…'}
        </option>
        {groups.state === 'ok' &&
          groups.groups.map((g) => (
            <optgroup key={g.session.id} label={`${g.session.id === session?.id ? 'This session' : g.session.name || 'Untitled session'} · ${formatDateTime(g.session.started_at_ms)}`}>
              {g.laps.map((l) => (
                <option key={l.id} value={l.id}>
                  {lapOption(l)}
                </option>
              ))}
            </optgroup>
          ))}
      </select>
    </label>
  );
}
