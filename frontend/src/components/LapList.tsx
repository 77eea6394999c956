// A session's laps, newest first: lap time, sector times (from the session analysis, when
// there is one), gap to the best lap, and markers. The best lap and each sector's best are
// purple; invalid, out- and in-laps are marked. A row opens its lap page.
import type { LapInfo } from '../api/types';
import { formatDelta, formatLapTime } from '../lib/format';
import { paths } from '../lib/routes';
import { formatSectorTime, NO_SPLITS, type SessionSplits } from '../lib/sectors';
import { Link, navigate } from '../router';

export function LapList({ laps, best, loading, splits = NO_SPLITS }: { laps: readonly LapInfo[]; best: LapInfo | null; loading?: boolean; splits?: SessionSplits }) {
  if (!laps.length) {
    return (
      <p className="muted" data-testid="lap-list-empty">
        {loading ? 'Loading laps…' : 'No completed laps yet.'}
      </p>
    );
  }
  const newestFirst = [...laps].reverse();
  const sectorCount = splits.sectorCount;
  return (
    <table className="laps" data-testid="lap-list" data-sectors={sectorCount}>
      <thead>
        <tr>
          <th>Lap</th>
          <th className="num">Time</th>
          {Array.from({ length: sectorCount }, (_, i) => (
            <th key={i} className="num">
              S{i + 1}
            </th>
          ))}
          <th className="num">Δ best</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {newestFirst.map((lap) => {
          const isBest = best?.id === lap.id;
          const split = splits.byLap.get(lap.id);
          const classes = ['lap-row', isBest ? 'lap-row--best' : '', lap.valid ? '' : 'lap-row--invalid'].filter(Boolean).join(' ');
          return (
            <tr
              key={lap.id}
              className={classes}
              data-testid="lap-row"
              data-lap-number={lap.lap_number}
              data-lap-id={lap.id}
              onClick={(event) => {
                // The whole row opens the lap; the link inside handles its own clicks.
                if (!(event.target instanceof Element && event.target.closest('a'))) navigate(paths.lap(lap.id));
              }}
              data-best={isBest ? 'true' : undefined}
              data-valid={lap.valid ? 'true' : 'false'}
              data-out-lap={lap.out_lap ? 'true' : undefined}
              data-in-lap={lap.in_lap ? 'true' : undefined}
            >
              <td>
                <Link to={paths.lap(lap.id)} className="lap-row__link" title={`Open lap ${lap.lap_number}`}>
                  {lap.lap_number}
                </Link>
              </td>
              <td className="num lap-row__time">
                <span className="lap-row__time-value">{formatLapTime(lap.lap_time_ms)}</span>
                {!lap.official_time && (
                  <span className="lap-row__est" title="Line crossing interpolated by Purple Sector (the sim did not report this lap time)">
                    *
                  </span>
                )}
              </td>
              {Array.from({ length: sectorCount }, (_, i) => {
                const purple = split?.purple[i] ?? false;
                return (
                  <td key={i} className={`num mono sector ${purple ? 'sector--best' : ''}`} data-testid="lap-sector" data-best={purple ? 'true' : undefined}>
                    {formatSectorTime(split?.sectorsMs[i])}
                  </td>
                );
              })}
              <td className="num muted">{best && !isBest ? formatDelta(lap.lap_time_ms - best.lap_time_ms) : ''}</td>
              <td className="markers">
                {isBest && <span className="marker marker--best">BEST</span>}
                {lap.valid ? (
                  <span className="marker marker--valid" title="Valid lap">
                    ✓
                  </span>
                ) : (
                  <span className="marker marker--invalid" title="Invalid lap">
                    INVALID
                  </span>
                )}
                {lap.out_lap && <span className="marker" title="Out lap">OUT</span>}
                {lap.in_lap && <span className="marker" title="In lap">IN</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
