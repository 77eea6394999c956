// The corner table of a lap against its reference: braking point, minimum speed and the
// time lost in each corner's zone (from the lap analysis). The compare page labels the
// columns with its two laps.
import { formatDelta, formatNumber } from '../lib/format';
import { formatSigned, type CornerRow } from '../lib/lapTrace';

export function CornerTable({ rows, hasReference, refLabel = 'ref' }: { rows: readonly CornerRow[]; hasReference: boolean; refLabel?: string }) {
  return (
    <section className="panel">
      <h2>Corners</h2>
      <table className="corners" data-testid="corner-table">
        <thead>
          <tr>
            <th>Turn</th>
            <th className="num">Brake at (m)</th>
            <th className="num">{refLabel}</th>
            <th className="num">Δ m</th>
            <th className="num">Min km/h</th>
            <th className="num">{refLabel}</th>
            <th className="num">Δ km/h</th>
            <th className="num">Zone Δ</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.corner} data-testid="corner-row" data-corner={r.corner}>
              <td>T{r.corner}</td>
              <td className="num mono">{r.brakingM == null ? 'no brake' : formatNumber(r.brakingM)}</td>
              <td className="num mono muted">{hasReference ? (r.refBrakingM == null ? 'no brake' : formatNumber(r.refBrakingM)) : '—'}</td>
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
  );
}
