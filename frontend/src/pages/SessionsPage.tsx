// The sessions list: filters by track and car, each session's laps, best lap and theoretical
// best (fetched per row once on screen), inline rename and confirmed delete.
import { useEffect, useMemo, useState } from 'react';
import { useSessions } from '../api/hooks';
import { deleteSession, renameSession } from '../api/rest';
import type { SessionInfo } from '../api/types';
import { LiveBadge } from '../components/LiveBadge';
import { StartDemoButton } from '../components/StartDemoButton';
import { TheoreticalBestCell } from '../components/TheoreticalBestCell';
import { formatDateTime, formatLapTime, simLabel } from '../lib/format';
import { paths } from '../lib/routes';
import { filterOptions, filterSessions, type SessionFilter } from '../lib/sessions';
import { Link, navigate } from '../router';

export function SessionsPage() {
  const { data: sessions, loading, error, reload } = useSessions();
  const [filter, setFilter] = useState<SessionFilter>({ track: '', car: '' });
  const tracks = useMemo(() => filterOptions(sessions, 'track'), [sessions]);
  const cars = useMemo(() => filterOptions(sessions, 'car'), [sessions]);
  const shown = useMemo(() => filterSessions(sessions, filter), [sessions, filter]);
  return (
    <main className="page">
      <div className="page__head">
        <h1>Sessions</h1>
        <span className="muted">{loading ? 'Loading…' : `${sessions.length} session${sessions.length === 1 ? '' : 's'}`}</span>
      </div>
      {error && (
        <p className="error" role="alert">
          Could not load sessions: {error}{' '}
          <button type="button" className="button button--small" onClick={reload}>
            Retry
          </button>
        </p>
      )}
      {sessions.length > 0 && (
        <div className="session-filters">
          <label>
            <span className="readout__label">Track</span>
            <select data-testid="filter-track" value={filter.track} onChange={(e) => setFilter((f) => ({ ...f, track: e.target.value }))}>
              <option value="">All tracks</option>
              {tracks.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span className="readout__label">Car</span>
            <select data-testid="filter-car" value={filter.car} onChange={(e) => setFilter((f) => ({ ...f, car: e.target.value }))}>
              <option value="">All cars</option>
              {cars.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          {shown.length !== sessions.length && (
            <span className="muted" data-testid="filter-count">
              showing {shown.length} of {sessions.length}
            </span>
          )}
        </div>
      )}
      {!loading && !error && sessions.length === 0 ? (
        <EmptyState />
      ) : sessions.length > 0 && shown.length === 0 ? (
        <p className="muted" data-testid="sessions-filtered-empty">
          No session matches the filter.
        </p>
      ) : (
        <SessionTable sessions={shown} onChanged={reload} />
      )}
    </main>
  );
}

function SessionTable({ sessions, onChanged }: { sessions: SessionInfo[]; onChanged: () => void }) {
  if (!sessions.length) return null;
  return (
    <table className="sessions" data-testid="session-list">
      <thead>
        <tr>
          <th>Session</th>
          <th>Sim</th>
          <th>Track</th>
          <th>Car</th>
          <th>Date</th>
          <th className="num">Laps</th>
          <th className="num">Best lap</th>
          <th className="num" title="Sum of the best segments of the newest 60 laps">Theoretical best</th>
          <th className="session-row__actions-head">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {sessions.map((s) => (
          <SessionRow key={s.id} session={s} onChanged={onChanged} />
        ))}
      </tbody>
    </table>
  );
}

type RowMode = { kind: 'view' } | { kind: 'rename'; draft: string } | { kind: 'confirm-delete' };

function SessionRow({ session: s, onChanged }: { session: SessionInfo; onChanged: () => void }) {
  const [mode, setMode] = useState<RowMode>({ kind: 'view' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState<string | null>(null);
  // The name saved here shows at once; the reloaded list (or a stream update) takes over.
  useEffect(() => setName(null), [s.name]);
  const shownName = name ?? s.name;

  const run = (action: () => Promise<unknown>, after: () => void) => {
    setBusy(true);
    setError(null);
    action().then(
      () => {
        setBusy(false);
        after();
        onChanged();
      },
      (e: unknown) => {
        setBusy(false);
        setError(e instanceof Error ? e.message : String(e));
      },
    );
  };

  const saveRename = (draft: string) => {
    const next = draft.trim();
    if (!next || next === s.name) {
      setMode({ kind: 'view' });
      return;
    }
    run(
      () => renameSession(s.id, next).then((updated) => setName(updated.name)),
      () => setMode({ kind: 'view' }),
    );
  };

  return (
    <tr
      className={`session-row ${s.live ? 'session-row--live' : ''}`}
      data-testid="session-row"
      data-session-id={s.id}
      data-sim={s.sim}
      data-track={s.track}
      data-car={s.car}
      data-live={s.live ? 'true' : 'false'}
      onClick={(e) => {
        if (mode.kind !== 'view') return;
        if ((e.target as HTMLElement).closest('a, button, input, form')) return;
        navigate(paths.session(s.id));
      }}
    >
      <td className="session-row__name">
        {mode.kind === 'rename' ? (
          <form
            className="session-rename"
            onSubmit={(e) => {
              e.preventDefault();
              saveRename(mode.draft);
            }}
          >
            <input
              aria-label="Session name"
              data-testid="session-rename-input"
              value={mode.draft}
              autoFocus
              disabled={busy}
              maxLength={200}
              onChange={(e) => setMode({ kind: 'rename', draft: e.target.value })}
              onKeyDown={(e) => {
                if (e.key === 'Escape') setMode({ kind: 'view' });
              }}
            />
            <button type="submit" className="button button--small button--primary" data-testid="session-rename-save" disabled={busy}>
              Save
            </button>
            <button type="button" className="button button--small" data-testid="session-rename-cancel" disabled={busy} onClick={() => setMode({ kind: 'view' })}>
              Cancel
            </button>
          </form>
        ) : (
          <>
            <Link to={paths.session(s.id)} data-testid="session-link">
              {shownName || 'Untitled session'}
            </Link>
            {s.live && <LiveBadge />}
          </>
        )}
        {error && (
          <span className="error session-row__error" role="alert">
            {error}
          </span>
        )}
      </td>
      <td>{simLabel(s.sim)}</td>
      <td>{s.track || '—'}</td>
      <td>{s.car || '—'}</td>
      <td className="muted">{formatDateTime(s.started_at_ms)}</td>
      <td className="num" data-testid="session-lap-count">
        {s.lap_count}
      </td>
      <td className="num mono best-text" data-testid="session-best-lap">
        {formatLapTime(s.best_lap_time_ms)}
      </td>
      <TheoreticalBestCell session={s} />
      <td className="session-row__actions">
        {!s.live && mode.kind === 'view' && (
          <>
            <button
              type="button"
              className="button button--small"
              data-testid="session-rename"
              onClick={() => setMode({ kind: 'rename', draft: shownName })}
            >
              Rename
            </button>
            <button type="button" className="button button--small" data-testid="session-delete" onClick={() => setMode({ kind: 'confirm-delete' })}>
              Delete
            </button>
          </>
        )}
        {!s.live && mode.kind === 'confirm-delete' && (
          <span className="session-row__confirm">
            <span>Delete this session and its laps?</span>
            <button
              type="button"
              className="button button--small button--danger"
              data-testid="session-delete-confirm"
              disabled={busy}
              onClick={() => run(() => deleteSession(s.id), () => setMode({ kind: 'view' }))}
            >
              Delete
            </button>
            <button type="button" className="button button--small" data-testid="session-delete-cancel" disabled={busy} onClick={() => setMode({ kind: 'view' })}>
              Cancel
            </button>
          </span>
        )}
      </td>
    </tr>
  );
}

function EmptyState() {
  return (
    <section className="empty" data-testid="sessions-empty">
      <h2>No sessions yet</h2>
      <p>Every time you drive, Purple Sector records a session: live telemetry while you are on track, and every lap stored.</p>
      <div className="empty__options">
        <div className="empty__option">
          <h3>Try the demo</h3>
          <p>A synthetic driver laps the Purple Park circuit and streams its telemetry live, exactly like a sim would.</p>
          <StartDemoButton testId="empty-start-demo" label="Start demo" className="button button--primary" />
        </div>
        <div className="empty__option">
          <h3>Connect your sim</h3>
          <p>
            Run the collector next to your sim, e.g. <code>purplesector collect ac</code> (Assetto Corsa), <code>acc</code>, <code>f1</code>,{' '}
            <code>forza</code> or <code>outgauge</code>. Sessions appear here as soon as frames arrive.
          </p>
          <p className="muted">Sim collectors arrive in a later release.</p>
        </div>
      </div>
    </section>
  );
}
