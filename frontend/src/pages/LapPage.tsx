// A stored lap with its built-in analysis: header (times, markers, reference and delta),
// ranked suggestions, the corner table and stacked charts against lap distance with one
// shared cursor. Telemetry of each lap is fetched once and cached; changing the reference
// refetches only the analysis (and the new reference's telemetry, if not seen yet).
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, getLap, getLapAnalysis, getLapTelemetry, lapCsvUrl, listLaps } from '../api/rest';
import type { LapAnalysisResponse, LapDetail, LapInfo } from '../api/types';
import { LapCharts, type LapChartsData } from '../components/LapCharts';
import { formatDelta, formatLapTime, formatNumber } from '../lib/format';
import {
  alignReference,
  cornerRows,
  deltaColumns,
  formatSigned,
  formatStake,
  lapColumns,
  rankSuggestions,
  severityLabel,
  suggestionPlace,
  type LapColumns,
} from '../lib/lapTrace';
import { paths } from '../lib/routes';
import { Link } from '../router';
import { NotFoundPage } from './NotFoundPage';

type Fetched<T> = { state: 'loading' } | { state: 'ok'; data: T } | { state: 'error'; status: number | null; message: string };

function failure(error: unknown): { state: 'error'; status: number | null; message: string } {
  if (error instanceof ApiError) return { state: 'error', status: error.status, message: error.message };
  return { state: 'error', status: null, message: error instanceof Error ? error.message : String(error) };
}

const isAbort = (error: unknown) => error instanceof DOMException && error.name === 'AbortError';

function readReferenceParam(): number | null {
  const raw = new URLSearchParams(window.location.search).get('reference');
  const n = raw == null ? NaN : Number(raw);
  return Number.isInteger(n) ? n : null;
}

function lapLabel(lap: LapInfo): string {
  const flags = [!lap.valid && 'invalid', lap.out_lap && 'out', lap.in_lap && 'in'].filter(Boolean).join(', ');
  return `Lap ${lap.lap_number} — ${formatLapTime(lap.lap_time_ms)}${flags ? ` (${flags})` : ''}`;
}

export function LapPage({ id }: { id: string }) {
  const lapId = Number(id);
  const validId = Number.isInteger(lapId) && lapId > 0;
  const [detail, setDetail] = useState<Fetched<LapDetail>>({ state: 'loading' });
  const [analysis, setAnalysis] = useState<Fetched<LapAnalysisResponse>>({ state: 'loading' });
  const [sessionLaps, setSessionLaps] = useState<LapInfo[]>([]);
  const [referenceParam, setReferenceParam] = useState<number | null>(readReferenceParam);
  // Telemetry per lap id, fetched once each; `columnsVersion` re-renders when one arrives.
  const columns = useRef(new Map<number, Fetched<LapColumns>>());
  const [, setColumnsVersion] = useState(0);

  const fetchColumns = (lap: number) => {
    if (columns.current.has(lap)) return;
    columns.current.set(lap, { state: 'loading' });
    getLapTelemetry(lap).then(
      (telemetry) => columns.current.set(lap, { state: 'ok', data: lapColumns(telemetry) }),
      (error) => columns.current.set(lap, failure(error)),
    ).finally(() => setColumnsVersion((v) => v + 1));
  };

  useEffect(() => {
    if (!validId) return;
    const abort = new AbortController();
    getLap(lapId, abort.signal).then(
      (data) => setDetail({ state: 'ok', data }),
      (error) => !isAbort(error) && setDetail(failure(error)),
    );
    fetchColumns(lapId);
    return () => abort.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lapId, validId]);

  const sessionId = detail.state === 'ok' ? detail.data.lap.session_id : null;
  useEffect(() => {
    if (!sessionId) return;
    const abort = new AbortController();
    listLaps(sessionId, abort.signal).then(
      (laps) => setSessionLaps([...laps].sort((a, b) => a.lap_number - b.lap_number)),
      () => {}, // the picker then offers only the default
    );
    return () => abort.abort();
  }, [sessionId]);

  useEffect(() => {
    if (!validId) return;
    const abort = new AbortController();
    setAnalysis({ state: 'loading' });
    getLapAnalysis(lapId, referenceParam, abort.signal).then(
      (data) => {
        setAnalysis({ state: 'ok', data });
        if (data.reference) fetchColumns(data.reference.id);
      },
      (error) => !isAbort(error) && setAnalysis(failure(error)),
    );
    return () => abort.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lapId, validId, referenceParam]);

  const pickReference = (value: string) => {
    const next = value === '' ? null : Number(value);
    setReferenceParam(next);
    const query = next == null ? '' : `?reference=${next}`;
    window.history.replaceState(null, '', paths.lap(lapId) + query);
  };

  const lapCols = columns.current.get(lapId);
  const result = analysis.state === 'ok' ? analysis.data : null;
  const refInfo = result?.reference ?? null;
  const refCols = refInfo ? columns.current.get(refInfo.id) : undefined;

  // Chart data once everything it needs has arrived (the reference's telemetry may fail: then no overlay).
  const lapData = lapCols?.state === 'ok' ? lapCols.data : null;
  const refData = refCols?.state === 'ok' ? refCols.data : null;
  const refSettled = !refInfo || (refCols != null && refCols.state !== 'loading');
  const chartReady = lapData != null && analysis.state !== 'loading' && refSettled;
  const chartData = useMemo<LapChartsData | null>(() => {
    if (!chartReady || !lapData) return null;
    const a = result?.analysis ?? null;
    const length = a?.length_m ?? lapData.maxDistance;
    return {
      lap: lapData,
      reference: refData ? alignReference(lapData, refData) : null,
      referenceLabel: refInfo ? `lap ${refInfo.lap_number}` : 'reference',
      delta: a?.delta ? deltaColumns(a.delta, length) : null,
      xMax: Math.max(length, lapData.maxDistance, 1),
      corners: (result?.track_model.corners ?? []).map((c) => ({ number: c.number, apex: c.apex * length })),
    };
  }, [chartReady, lapData, refData, refInfo, result]);

  if (!validId) return <NotFoundPage message={`There is no lap ${id}.`} />;
  if (detail.state === 'error' && detail.status === 404) return <NotFoundPage message={`There is no lap ${id}.`} />;

  const info = detail.state === 'ok' ? detail.data : null;
  const lap = info?.lap ?? null;
  const a = result?.analysis ?? null;
  const rows = a ? cornerRows(a) : [];
  const suggestions = a ? rankSuggestions(a.suggestions) : [];

  return (
    <main
      className="page lap-page"
      data-testid="lap-page"
      data-lap-id={lapId}
      data-reference-id={refInfo?.id ?? ''}
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
            </p>
          )}
          {validId && (
            <p className="lap-head__actions">
              <a
                className="button button--small"
                href={lapCsvUrl(lapId)}
                download={`lap-${lapId}.csv`}
                data-testid="export-csv"
              >
                Export CSV
              </a>
            </p>
          )}
          {detail.state === 'error' && <p className="error">Could not load the lap: {detail.message}</p>}
        </div>
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
          <label className="lap-head__picker">
            <span className="readout__label">Compare with</span>
            <select
              data-testid="reference-picker"
              value={referenceParam == null ? '' : String(referenceParam)}
              onChange={(e) => pickReference(e.target.value)}
            >
              <option value="">Best other valid lap (default)</option>
              {sessionLaps
                .filter((l) => l.id !== lapId)
                .map((l) => (
                  <option key={l.id} value={l.id}>
                    {lapLabel(l)}
                  </option>
                ))}
              {referenceParam != null && !sessionLaps.some((l) => l.id === referenceParam) && (
                <option value={referenceParam}>Lap id {referenceParam}</option>
              )}
            </select>
          </label>
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
          <section className="panel" data-testid="suggestions">
            <h2>Suggestions</h2>
            {suggestions.length ? (
              <ol className="suggestions">
                {suggestions.map((s, i) => (
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
              <p className="muted">{refInfo ? 'Nothing stands out against the reference lap.' : 'Suggestions need a reference lap.'}</p>
            )}
          </section>

          <section className="panel">
            <h2>Corners</h2>
            <table className="corners" data-testid="corner-table">
              <thead>
                <tr>
                  <th>Turn</th>
                  <th className="num">Brake at (m)</th>
                  <th className="num">ref</th>
                  <th className="num">Δ m</th>
                  <th className="num">Min km/h</th>
                  <th className="num">ref</th>
                  <th className="num">Δ km/h</th>
                  <th className="num">Zone Δ</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.corner} data-testid="corner-row" data-corner={r.corner}>
                    <td>T{r.corner}</td>
                    <td className="num mono">{r.brakingM == null ? 'no brake' : formatNumber(r.brakingM)}</td>
                    <td className="num mono muted">{refInfo ? (r.refBrakingM == null ? 'no brake' : formatNumber(r.refBrakingM)) : '—'}</td>
                    <td className="num mono">{formatSigned(r.brakingDiffM)}</td>
                    <td className="num mono">{formatNumber(r.minSpeed, 1)}</td>
                    <td className="num mono muted">{formatNumber(r.refMinSpeed, 1)}</td>
                    <td className={`num mono ${r.minSpeedDiff == null ? '' : r.minSpeedDiff >= 0 ? 'gain' : 'loss'}`}>{formatSigned(r.minSpeedDiff, 1)}</td>
                    <td className={`num mono ${r.lossMs == null ? '' : r.lossMs <= 0 ? 'gain' : 'loss'}`} data-testid="corner-loss">
                      {r.lossMs == null ? '—' : formatDelta(r.lossMs)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
      )}

      {lapCols?.state === 'error' && <p className="error">Could not load the lap's telemetry: {lapCols.message}</p>}
      {!chartData && lapCols?.state !== 'error' && <p className="muted">Loading telemetry…</p>}
      {refCols?.state === 'error' && <p className="error">Could not load the reference lap's telemetry: {refCols.message}</p>}
      {chartData && <LapCharts data={chartData} />}
    </main>
  );
}
