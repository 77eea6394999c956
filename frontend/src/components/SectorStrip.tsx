// A lap's three sector times beside its reference's, each marked faster or slower.
import { formatDelta } from '../lib/format';
import { formatSectorTime } from '../lib/sectors';

export function SectorStrip({ sectors, reference, label, refLabel }: { sectors: readonly number[] | null; reference: readonly number[] | null; label: string; refLabel: string }) {
  if (!sectors?.length) return null;
  return (
    <table className="sector-strip" data-testid="sector-strip">
      <thead>
        <tr>
          <th />
          {sectors.map((_, i) => (
            <th key={i} className="num">
              S{i + 1}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr>
          <th>{label}</th>
          {sectors.map((ms, i) => (
            <td key={i} className="num mono" data-testid="sector-time">
              {formatSectorTime(ms)}
            </td>
          ))}
        </tr>
        {reference?.length ? (
          <>
            <tr className="muted">
              <th>{refLabel}</th>
              {sectors.map((_, i) => (
                <td key={i} className="num mono">
                  {formatSectorTime(reference[i])}
                </td>
              ))}
            </tr>
            <tr>
              <th>Δ</th>
              {sectors.map((ms, i) => {
                const d = reference[i] == null ? null : ms - reference[i];
                return (
                  <td key={i} className={`num mono ${d == null ? '' : d <= 0 ? 'gain' : 'loss'}`}>
                    {formatDelta(d)}
                  </td>
                );
              })}
            </tr>
          </>
        ) : null}
      </tbody>
    </table>
  );
}
