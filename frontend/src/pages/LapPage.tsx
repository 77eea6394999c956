// A stored lap with its built-in analysis: header (times, markers, reference and delta,
// exports, the reference and "Compare with…" pickers, sectors), ranked suggestions, the
// corner table, the AI coach (its suggestions on demand and a chat; one line when off),
// then the charts and the track map sharing one cursor and one zoom.
// Telemetry of each lap is fetched once and cached; changing the reference refetches only
// the analysis (and the new reference's telemetry, if not seen yet). Keys: [ ] step
// between the session's laps, r shows or hides the reference.
import { useEffect, useMemo, useState } from 'react';
import { useLapAnalysis, useLapColumns, useLapDetail } from '../api/lapData';
import { lapCsvUrl, lapLdUrl, listLaps } from '../api/rest';
import type { LapInfo } from '../api/types';
import { AiCoach } from '../components/AiCoach';
import { ComparePicker } from '../components/ComparePicker';
import { CornerTable } from '../components/CornerTable';
import { KeyHint } from '../components/KeyHint';
import { LapViews, useReferenceShown } from '../components/LapViews';
import { SectorStrip } from '../components/SectorStrip';
import { Suggestions } from '../components/Suggestions';
import { formatDelta, formatLapTime } from '../lib/format';
import { adjacentLap, lapKeyAction } from '../lib/lapKeys';
import { cornerRows, type LapColumns } from '../lib/lapTrace';
import { LapView } from '../lib/lapView';
import { paths } from '../lib/routes';
import { sectorTimes } from '../lib/sectors';
import { viewData, type LapViewData } from '../lib/viewData';
import { Link, navigate } from '../router';
import { NotFoundPage } from './NotFoundPage';

function readReferenceParam(): number | null {
  const raw = new URLSearchParams(window.location.search).get('reference');
  const n = raw == null ? NaN : Number(raw);
  return Number.isInteger(n) ? n : null;
}

export function lapLabel(lap: LapInfo): string {
  const flags = [!lap.valid && 'invalid', lap.out_lap && 'out', lap.in_lap && 'in'].filter(Boolean).join(', ');
  return `Lap ${lap.lap_number} — ${formatLapTime(lap.lap_time_ms)}${flags ? ` (${flags})` : ''}`;
}

/** The analysis's sectors, else the lap's own from its telemetry. */
function sectorsOf(fromAnalysis: number[] | null | undefined, columns: LapColumns | null, lengthM: number, lapTimeMs: number | undefined): number[] | null {
  if (fromAnalysis?.length) return fromAnalysis;
  if (!columns || lapTimeMs == null) return null;
  return sectorTimes(columns.distance, columns.optional.lapTime, lengthM, lapTimeMs);
}

/** The session's laps in order (for the reference picker and [ ]). */
function useSessionLaps(sessionId: string | null): LapInfo[] {
  const [laps, setLaps] = useState<LapInfo[]>([]);
  useEffect(() => {
    if (!sessionId) return;
    const abort = new AbortController();
    listLaps(sessionId, abort.signal).then(
      (list) => setLaps([...list].sort((a, b) => a.lap_number - b.lap_number)),
      () => {}, // the picker then offers only the default, and [ ] do nothing
    );
    return () => abort.abort();
  }, [sessionId]);
  return laps;
}

export function LapPage({ id }: { id: string }) {
  const lapId = Number(id);
  const validId = Number.isInteger(lapId) && lapId > 0;
  const [referenceParam, setReferenceParam] = useState<number | null>(readReferenceParam);
  const detail = useLapDetail(validId ? lapId : null);
  const analysis = useLapAnalysis(validId ? lapId : null, referenceParam);
  const sessionLaps = useSessionLaps(detail.state === 'ok' ? detail.data.lap.session_id : null);
  const view = useMemo(() => new LapView(1), []);
  const referenceShown = useReferenceShown(view);

  const result = analysis.state === 'ok' ? analysis.data : null;
  const refInfo = result?.reference ?? null;
  const lapCols = useLapColumns(validId ? lapId : null);
  const refCols = useLapColumns(refInfo?.id ?? null);

  // Chart data once everything it needs has arrived (the reference's telemetry may fail: then no overlay).
  const lapData = lapCols?.state === 'ok' ? lapCols.data : null;
  const refData = refCols?.state === 'ok' ? refCols.data : null;
  const refSettled = !refInfo || (refCols != null && refCols.state !== 'loading');
  const chartReady = lapData != null && analysis.state !== 'loading' && refSettled;
  const chartData = useMemo<LapViewData | null>(() => {
    if (!chartReady || !lapData) return null;
    const data = viewData({
      lap: lapData,
      referenceLap: refData,
      analysis: result?.analysis ?? null,
      corners: result?.track_model.corners ?? [],
      lapLabel: 'this lap',
      referenceLabel: refInfo ? `lap ${refInfo.lap_number}` : 'reference',
    });
    view.xMax = data.xMax;
    return data;
  }, [chartReady, lapData, refData, refInfo, result, view]);

  // Keyboard: [ ] previous/next lap of the session, r the reference overlay.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target instanceof HTMLElement ? event.target : null;
      const action = lapKeyAction({ key: event.key, ctrlKey: event.ctrlKey, metaKey: event.metaKey, altKey: event.altKey, targetTag: target?.tagName, targetEditable: target?.isContentEditable });
      if (!action) return;
      event.preventDefault();
      if (action === 'reference') view.toggleReference();
      else {
        const next = adjacentLap(sessionLaps, lapId, action === 'previous' ? -1 : 1);
        if (next) navigate(paths.lap(next.id));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [sessionLaps, lapId, view]);

  const pickReference = (value: string) => {
    const next = value === '' ? null : Number(value);
    setReferenceParam(next);
    const query = next == null ? '' : `?reference=${next}`;
    window.history.replaceState(null, '', paths.lap(lapId) + query);
  };

  if (!validId) return <NotFoundPage message={`There is no lap ${id}.`} />;
  if (detail.state === 'error' && detail.status === 404) return <NotFoundPage message={`There is no lap ${id}.`} />;

  const info = detail.state === 'ok' ? detail.data : null;
  const lap = info?.lap ?? null;
  const a = result?.analysis ?? null;
  const rows = a ? cornerRows(a) : [];
  const lengthM = a?.length_m ?? info?.session.track_length_m ?? lapData?.maxDistance ?? 0;
  const sectors = sectorsOf(a?.sectors_ms, lapData, lengthM, lap?.lap_time_ms);
  const refSectors = refInfo ? sectorsOf(a?.reference_sectors_ms, refData, lengthM, refInfo.lap_time_ms) : null;
  const position = lap ? sessionLaps.findIndex((l) => l.id === lap.id) : -1;

  return (
    <main
      className="page lap-page"
      data-testid="lap-page"
      data-lap-id={lapId}
      data-reference-id={refInfo?.id ?? ''}
      data-reference-shown={referenceShown ? 'true' : 'false'}
      data-analysis={analysis.state}
    >
      <div className="page__head lap-head">
        <div>
          <h1 data-testid="lap-title">
            {lap ? `Lap ${lap.lap_number}` : detail.state === 'loading' ? 'Loading lap…' : `Lap ${id}`}
            {lap && (
              <span className="lap-head__markers">
                {lap.valid ? (
                  <span className="marker marker--valid" title="Valid lap">✓ valid</span>
                ) : (
                  <span className="marker marker--invalid" title="Invalid lap">INVALID</span>
                )}
                {lap.out_lap && <span className="marker" title="Out lap">OUT</span>}
                {lap.in_lap && <span className="marker" title="In lap">IN</span>}
              </span>
            )}
          </h1>
          {info && (
            <p className="muted lap-head__meta">
              <Link to={paths.session(info.session.id)} data-testid="lap-session-link">
                {info.session.name || 'Untitled session'}
              </Link>
              {' · '}
              {info.session.track || 'unknown track'} · {info.session.car || 'unknown car'}
              {position >= 0 && ` · lap ${position + 1} of ${sessionLaps.length}`}
            </p>
          )}
          <p className="lap-head__actions">
            <a className="button button--small" href={lapCsvUrl(lapId)} download={`lap-${lapId}.csv`} data-testid="export-csv">
              Export CSV
            </a>
            <a className="button button--small" href={lapLdUrl(lapId)} download={`lap-${lapId}.ld`} data-testid="export-ld" title="MoTeC i2 log">
              MoTeC .ld
            </a>
          </p>
          <KeyHint referenceShown={referenceShown} hasReference={refInfo != null} />
          {detail.state === 'error' && <p className="error">Could not load the lap: {detail.message}</p>}
        </div>
        <div className="lap-head__side">
          <div className="lap-head__times">
            <div className="lap-head__time">
              <span className="readout__label">Lap time</span>
              <span className="mono lap-head__big" data-testid="lap-time">
                {formatLapTime(lap?.lap_time_ms)}
                {lap && !lap.official_time && (
                  <span className="lap-row__est" title="Line crossing interpolated by Purple Sector (the sim did not report this lap time)">*</span>
                )}
              </span>
            </div>
            <div className="lap-head__time">
              <span className="readout__label">Reference{refInfo ? ` (lap ${refInfo.lap_number})` : ''}</span>
              <span className="mono lap-head__big muted" data-testid="reference-time">
                {formatLapTime(refInfo?.lap_time_ms)}
              </span>
            </div>
            <div className="lap-head__time">
              <span className="readout__label">Delta</span>
              <span
                className={`mono lap-head__big ${lap && refInfo ? (lap.lap_time_ms <= refInfo.lap_time_ms ? 'gain' : 'loss') : 'muted'}`}
                data-testid="lap-delta"
              >
                {lap && refInfo ? formatDelta(lap.lap_time_ms - refInfo.lap_time_ms) : '—'}
              </span>
            </div>
          </div>
          <div className="lap-head__pickers">
            <label className="lap-head__picker">
              <span className="readout__label">Reference</span>
              <select data-testid="reference-picker" value={referenceParam == null ? '' : String(referenceParam)} onChange={(e) => pickReference(e.target.value)}>
                <option value="">Best other valid lap (default)</option>
                {sessionLaps
                  .filter((l) => l.id !== lapId)
                  .map((l) => (
                    <option key={l.id} value={l.id}>
                      {lapLabel(l)}
                    </option>
                  ))}
                {referenceParam != null && !sessionLaps.some((l) => l.id === referenceParam) && <option value={referenceParam}>Lap id {referenceParam}</option>}
              </select>
            </label>
            <ComparePicker session={info?.session ?? null} lapId={lapId} enabled={chartData != null} />
          </div>
          <SectorStrip sectors={sectors} reference={refSectors} label="This lap" refLabel={refInfo ? `Lap ${refInfo.lap_number}` : 'Reference'} />
        </div>
      </div>

      {analysis.state === 'loading' && (
        <p className="muted" data-testid="analysis-loading">
          Analysing…
        </p>
      )}
      {analysis.state === 'error' && (
        <p className="note note--error" data-testid="analysis-error">
          {analysis.status === 422 ? 'This lap cannot be analysed: ' : 'Could not load the analysis: '}
          {analysis.message}
        </p>
      )}
      {a && !refInfo && (
        <p className="note" data-testid="no-reference">
          No reference lap: this session has no other valid lap to compare with.
        </p>
      )}

      {a && (
        <div className="lap-grid">
          <Suggestions suggestions={a.suggestions} hasReference={refInfo != null} />
          <CornerTable rows={rows} hasReference={refInfo != null} />
        </div>
      )}

      {lap && <AiCoach key={lapId} lapId={lapId} reference={referenceParam} />}

      {lapCols?.state === 'error' && <p className="error">Could not load the lap's telemetry: {lapCols.message}</p>}
      {!chartData && lapCols?.state !== 'error' && <p className="muted">Loading telemetry…</p>}
      {refCols?.state === 'error' && <p className="error">Could not load the reference lap's telemetry: {refCols.message}</p>}
      {chartData && <LapViews data={chartData} view={view} />}
    </main>
  );
}
