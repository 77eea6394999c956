// The live session page: readouts, the live delta to the session's best lap and the live
// track map, four live charts against lap distance (delta, speed, pedals, steering), and the
// lap list with sector times, the session's best sectors and its theoretical best.
import { useEffect, useRef, useState } from 'react';
import { useLaps, useSession } from '../api/hooks';
import { useLiveBest } from '../api/liveBest';
import { useLiveMessages, useSessionSubscription } from '../api/LiveProvider';
import { useSessionSplits, type SplitsState } from '../api/sessionAnalysis';
import type { SessionInfo } from '../api/types';
import { LapList } from '../components/LapList';
import { LiveBadge } from '../components/LiveBadge';
import { LiveChart, type ChartSeries } from '../components/LiveChart';
import { LiveDeltaReadout } from '../components/LiveDeltaReadout';
import { LiveTrackMap } from '../components/LiveTrackMap';
import { Readout } from '../components/Readout';
import { formatDateTime, formatLapTime, simLabel } from '../lib/format';
import { FrameScheduler } from '../lib/frameScheduler';
import { formatSectorTime } from '../lib/sectors';
import { LiveLapBuffer } from '../lib/liveBuffer';
import { deltaRange } from '../lib/liveDelta';
import { NotFoundPage } from './NotFoundPage';

const SPEED: ChartSeries[] = [{ label: 'Speed', channel: 'speed', color: '#38bdf8', faint: 'rgba(56,189,248,0.28)' }];
const PEDALS: ChartSeries[] = [
  { label: 'Throttle', channel: 'throttle', color: '#22c55e', faint: 'rgba(34,197,94,0.25)' },
  { label: 'Brake', channel: 'brake', color: '#ef4444', faint: 'rgba(239,68,68,0.25)' },
];
const STEERING: ChartSeries[] = [{ label: 'Steering', channel: 'steering', color: '#f59e0b', faint: 'rgba(245,158,11,0.28)' }];
const DELTA: ChartSeries[] = [{ label: 'Delta', channel: 'delta', color: '#c084fc', faint: 'rgba(192,132,252,0.3)' }];

function speedRange(buffer: LiveLapBuffer): [number, number] {
  const max = Math.max(buffer.current?.maxSpeed ?? 0, buffer.previous?.maxSpeed ?? 0, 100);
  return [0, Math.ceil((max * 1.05) / 20) * 20];
}
const pedalRange = (): [number, number] => [0, 100];
const steeringRange = (): [number, number] => [-1, 1];
const deltaChartRange = (buffer: LiveLapBuffer): [number, number] =>
  deltaRange(Math.max(buffer.current?.maxAbsDelta ?? 0, buffer.previous?.maxAbsDelta ?? 0));

export function SessionPage({ id }: { id: string }) {
  const session = useSession(id);
  const laps = useLaps(id);
  const splits = useSessionSplits(id, laps.data.length);
  const [buffer] = useState(() => new LiveLapBuffer());
  const [scheduler] = useState(() => new FrameScheduler());
  const [hasFrames, setHasFrames] = useState(false);
  const hasFramesRef = useRef(false);

  useEffect(() => () => scheduler.cancelPending(), [scheduler]);

  const trackLength = session.data?.track_length_m ?? null;
  useEffect(() => {
    buffer.trackLengthM = trackLength;
    buffer.version++;
    scheduler.request();
  }, [buffer, scheduler, trackLength]);

  // The best lap (fetched once per new best while the view is live) gives the delta and the map's outline.
  const live = session.data?.live ?? false;
  const showLive = live || hasFrames;
  const best = useLiveBest(showLive ? laps.best : null);
  useEffect(() => {
    buffer.setReference(best.reference);
    scheduler.request();
  }, [buffer, scheduler, best.reference]);

  // Register the frame handler before subscribing so the catch-up is not missed.
  useLiveMessages((message) => {
    if (!('telemetry' in message) || message.telemetry?.session_id !== id) return;
    buffer.ingest(message.telemetry.frames ?? [], message.telemetry.catch_up ?? false);
    if (buffer.latest && !hasFramesRef.current) {
      hasFramesRef.current = true;
      setHasFrames(true);
    }
    scheduler.request();
  });
  useSessionSubscription(id);

  if (session.notFound) return <NotFoundPage message={`There is no session ${id}.`} />;

  const info = session.data;

  return (
    <main className="page session-page" data-testid="session-page" data-session-id={id} data-live={live ? 'true' : 'false'}>
      <SessionHead info={info} loading={session.loading} error={session.error} />
      {info && !live && (
        <p className="note" data-testid="not-streaming">
          {hasFrames
            ? 'This session has stopped streaming. The charts show the last lap received.'
            : `This session is not streaming. Its ${info.lap_count} recorded lap${info.lap_count === 1 ? ' is' : 's are'} listed below.`}
        </p>
      )}
      <div className={`session-grid ${showLive ? '' : 'session-grid--laps-only'}`}>
        {showLive && (
          <div className="session-main">
            <div className="live-top">
              <div className="live-top__readouts">
                <Readout
                  buffer={buffer}
                  scheduler={scheduler}
                  bestLapMs={laps.best?.lap_time_ms ?? info?.best_lap_time_ms ?? null}
                  lastLapMs={laps.data.at(-1)?.lap_time_ms ?? null}
                />
                <LiveDeltaReadout buffer={buffer} scheduler={scheduler} best={best} />
              </div>
              <LiveTrackMap buffer={buffer} scheduler={scheduler} outline={best.outline} />
            </div>
            {!hasFrames && <p className="muted waiting">Waiting for telemetry…</p>}
            <LiveChart testId="chart-delta" title="Delta to best" unit="s, + behind" buffer={buffer} scheduler={scheduler} series={DELTA} yRange={deltaChartRange} height={160} />
            <LiveChart testId="chart-speed" title="Speed" unit="km/h" buffer={buffer} scheduler={scheduler} series={SPEED} yRange={speedRange} />
            <LiveChart testId="chart-pedals" title="Throttle & brake" unit="%" buffer={buffer} scheduler={scheduler} series={PEDALS} yRange={pedalRange} height={160} />
            <LiveChart testId="chart-steering" title="Steering" unit="-1 left … 1 right" buffer={buffer} scheduler={scheduler} series={STEERING} yRange={steeringRange} height={160} />
          </div>
        )}
        <aside className="session-side">
          <div className="side-head">
            <h2>Laps</h2>
            <span className="muted" data-testid="lap-count">
              {laps.data.length}
            </span>
          </div>
          <TheoreticalBest splits={splits} />
          {laps.error && <p className="error">Could not load laps: {laps.error}</p>}
          <LapList laps={laps.data} best={laps.best} loading={laps.loading} splits={splits.splits} />
        </aside>
      </div>
    </main>
  );
}

function TheoreticalBest({ splits }: { splits: SplitsState }) {
  const { theoreticalBestMs, bestSectorsMs } = splits.splits;
  if (splits.state === 'loading' || splits.state === 'none') return null;
  return (
    <p className="theoretical-best" data-testid="theoretical-best" data-state={splits.state}>
      <span className="readout__label">Theoretical best</span>
      <span className="mono best-text" title="Sum of the session's best segments (newest 60 laps)">
        {formatLapTime(theoreticalBestMs)}
      </span>
      {bestSectorsMs != null && (
        <span className="muted" title="Sum of the session's best sectors">
          best sectors <span className="mono">{formatSectorTime(bestSectorsMs)}</span>
        </span>
      )}
      {splits.state === 'error' && <span className="error">({splits.message})</span>}
    </p>
  );
}

function SessionHead({ info, loading, error }: { info: SessionInfo | null; loading: boolean; error: string | null }) {
  if (!info) {
    return (
      <div className="page__head">
        <h1>{loading ? 'Loading session…' : 'Session'}</h1>
        {error && <p className="error">{error}</p>}
      </div>
    );
  }
  return (
    <div className="page__head session-head">
      <div>
        <h1>
          {info.name || 'Untitled session'} {info.live && <LiveBadge />}
        </h1>
        <p className="muted session-head__meta">
          {simLabel(info.sim)} · {info.track || 'unknown track'} · {info.car || 'unknown car'} · {formatDateTime(info.started_at_ms)}
          {info.track_length_m ? ` · ${(info.track_length_m / 1000).toFixed(2)} km` : ''}
        </p>
      </div>
      <div className="session-head__best">
        <span className="readout__label">Best lap</span>
        <span className="mono best-text" data-testid="session-best">
          {formatLapTime(info.best_lap_time_ms)}
        </span>
      </div>
    </div>
  );
}
