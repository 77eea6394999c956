// Two of the user's laps on one track, from any sessions: lap B drawn against lap A (the
// baseline, like a reference on the lap page) with the lap page's views: overlaid charts,
// the delta of B against A, the track map, sectors and corners. One analysis call
// (`/api/laps/{a}/analysis?reference={b}`) gives A against B; swapAnalysis turns it round.
import { useEffect, useMemo } from 'react';
import { useLapAnalysis, useLapColumns, useLapDetail, type Fetched } from '../api/lapData';
import type { LapDetail } from '../api/types';
import { CornerTable } from '../components/CornerTable';
import { LapViews, useReferenceShown } from '../components/LapViews';
import { SectorStrip } from '../components/SectorStrip';
import { formatDateTime, formatDelta, formatLapTime } from '../lib/format';
import { lapKeyAction } from '../lib/lapKeys';
import { cornerRows } from '../lib/lapTrace';
import { LapView } from '../lib/lapView';
import { paths } from '../lib/routes';
import { swapAnalysis, viewData, type LapViewData } from '../lib/viewData';
import { Link } from '../router';
import { NotFoundPage } from './NotFoundPage';

const toId = (raw: string): number | null => {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : null;
};

function LapCard({ role, detail, id }: { role: 'A' | 'B'; detail: Fetched<LapDetail>; id: number }) {
  const info = detail.state === 'ok' ? detail.data : null;
  return (
    <div className={`compare-card compare-card--${role.toLowerCase()}`} data-testid={`compare-lap-${role.toLowerCase()}`}>
      <span className="compare-card__role">{role}</span>
      <div>
        <div className="compare-card__title">
          <Link to={paths.lap(id)}>{info ? `Lap ${info.lap.lap_number}` : `Lap ${id}`}</Link>
          {info && !info.lap.valid && <span className="marker marker--invalid">INVALID</span>}
          {info?.lap.out_lap && <span className="marker">OUT</span>}
          {info?.lap.in_lap && <span className="marker">IN</span>}
        </div>
        {info && (
          <p className="muted compare-card__meta">
            <Link to={paths.session(info.session.id)}>{info.session.name || 'Untitled session'}</Link> · {info.session.car || 'unknown car'} ·{' '}
            {formatDateTime(info.lap.completed_at_ms)}
          </p>
        )}
        {detail.state === 'loading' && <p className="muted compare-card__meta">Loading…</p>}
        {detail.state === 'error' && <p className="error compare-card__meta">{detail.message}</p>}
      </div>
      <span className="mono lap-head__big" data-testid={`compare-time-${role.toLowerCase()}`}>
        {formatLapTime(info?.lap.lap_time_ms)}
      </span>
    </div>
  );
}

export function ComparePage({ a, b }: { a: string; b: string }) {
  const idA = toId(a);
  const idB = toId(b);
  const detailA = useLapDetail(idA);
  const detailB = useLapDetail(idB);
  const analysis = useLapAnalysis(idA, idB);
  const colsA = useLapColumns(idA);
  const colsB = useLapColumns(idB);
  const view = useMemo(() => new LapView(1), []);
  const referenceShown = useReferenceShown(view);

  const result = analysis.state === 'ok' ? analysis.data : null;
  const swapped = useMemo(() => (result ? swapAnalysis(result.analysis) : null), [result]);
  const lapA = detailA.state === 'ok' ? detailA.data : null;
  const lapB = detailB.state === 'ok' ? detailB.data : null;
  const dataA = colsA?.state === 'ok' ? colsA.data : null;
  const dataB = colsB?.state === 'ok' ? colsB.data : null;
  const ready = dataB != null && colsA?.state !== 'loading' && analysis.state !== 'loading';
  const chartData = useMemo<LapViewData | null>(() => {
    if (!ready || !dataB) return null;
    const data = viewData({
      lap: dataB,
      referenceLap: dataA,
      analysis: swapped,
      corners: result?.track_model.corners ?? [],
      lapLabel: 'B',
      referenceLabel: `A${lapA ? ` · lap ${lapA.lap.lap_number}` : ''}`,
    });
    view.xMax = data.xMax;
    return data;
  }, [ready, dataA, dataB, swapped, result, lapA, view]);

  // `r` shows or hides lap A, as it does the reference on the lap page.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target instanceof HTMLElement ? event.target : null;
      const action = lapKeyAction({ key: event.key, ctrlKey: event.ctrlKey, metaKey: event.metaKey, altKey: event.altKey, targetTag: target?.tagName, targetEditable: target?.isContentEditable });
      if (action !== 'reference') return;
      event.preventDefault();
      view.toggleReference();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [view]);

  if (idA == null || idB == null) return <NotFoundPage message="A comparison needs two lap ids: /compare/A/B." />;
  const missing = [detailA, detailB].some((d) => d.state === 'error' && d.status === 404);
  if (missing) return <NotFoundPage message={`There is no lap ${detailA.state === 'error' ? a : b}.`} />;

  const differentTracks = lapA && lapB && lapA.session.track !== lapB.session.track;
  const rows = swapped ? cornerRows(swapped) : [];
  const deltaMs = lapA && lapB ? lapB.lap.lap_time_ms - lapA.lap.lap_time_ms : null;

  return (
    <main className="page lap-page compare-page" data-testid="compare-page" data-lap-a={idA} data-lap-b={idB} data-analysis={analysis.state} data-reference-shown={referenceShown ? 'true' : 'false'}>
      <div className="page__head lap-head">
        <div>
          <h1>Compare laps</h1>
          <p className="muted lap-head__meta">
            {lapB?.session.track || lapA?.session.track || 'Loading…'} · B drawn against A ·{' '}
            <Link to={paths.compare(idB, idA)} data-testid="compare-swap">
              swap
            </Link>
          </p>
          <p className="key-hint muted">
            <kbd>r</kbd> lap A {referenceShown ? 'shown' : 'hidden'}
          </p>
        </div>
        <div className="lap-head__side">
          <div className="compare-cards">
            <LapCard role="A" detail={detailA} id={idA} />
            <LapCard role="B" detail={detailB} id={idB} />
          </div>
          <div className="lap-head__time">
            <span className="readout__label">B − A</span>
            <span className={`mono lap-head__big ${deltaMs == null ? 'muted' : deltaMs <= 0 ? 'gain' : 'loss'}`} data-testid="compare-delta">
              {formatDelta(deltaMs)}
            </span>
          </div>
          <SectorStrip sectors={swapped?.sectors_ms ?? null} reference={swapped?.reference_sectors_ms ?? null} label="B" refLabel="A" />
        </div>
      </div>

      {idA === idB && <p className="note">A and B are the same lap.</p>}
      {differentTracks && (
        <p className="note" data-testid="compare-different-tracks">
          These laps are on different tracks ({lapA.session.track || 'unknown'} and {lapB.session.track || 'unknown'}): they are lined up by lap distance only.
        </p>
      )}
      {analysis.state === 'error' && (
        <p className="note note--error" data-testid="analysis-error">
          {analysis.status === 422 ? 'These laps cannot be analysed together: ' : 'Could not load the analysis: '}
          {analysis.message}
        </p>
      )}
      {swapped && rows.length > 0 && (
        <div className="lap-grid lap-grid--single">
          <CornerTable rows={rows} hasReference refLabel="A" />
        </div>
      )}

      {[colsA, colsB].map((c, i) =>
        c?.state === 'error' ? (
          <p key={i} className="error">
            Could not load lap {i ? 'B' : 'A'}'s telemetry: {c.message}
          </p>
        ) : null,
      )}
      {!chartData && colsB?.state !== 'error' && <p className="muted">Loading telemetry…</p>}
      {chartData && <LapViews data={chartData} view={view} />}
    </main>
  );
}
