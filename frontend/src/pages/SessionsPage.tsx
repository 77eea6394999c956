import { useSessions } from '../api/hooks';
import type { SessionInfo } from '../api/types';
import { LiveBadge } from '../components/LiveBadge';
import { StartDemoButton } from '../components/StartDemoButton';
import { formatDateTime, formatLapTime, simLabel } from '../lib/format';
import { paths } from '../lib/routes';
import { Link, navigate } from '../router';

export function SessionsPage() {
  const { data: sessions, loading, error, reload } = useSessions();
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
      {!loading && !error && sessions.length === 0 ? <EmptyState /> : <SessionTable sessions={sessions} />}
    </main>
  );
}

function SessionTable({ sessions }: { sessions: SessionInfo[] }) {
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
        </tr>
      </thead>
      <tbody>
        {sessions.map((s) => (
          <tr
            key={s.id}
            className={`session-row ${s.live ? 'session-row--live' : ''}`}
            data-testid="session-row"
            data-session-id={s.id}
            data-sim={s.sim}
            data-live={s.live ? 'true' : 'false'}
            onClick={(e) => {
              if ((e.target as HTMLElement).closest('a')) return;
              navigate(paths.session(s.id));
            }}
          >
            <td className="session-row__name">
              <Link to={paths.session(s.id)} data-testid="session-link">
                {s.name || 'Untitled session'}
              </Link>
              {s.live && <LiveBadge />}
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
          </tr>
        ))}
      </tbody>
    </table>
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
