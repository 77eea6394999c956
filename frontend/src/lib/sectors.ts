// Sector times: a lap's three sectors (equal thirds of the lap's distance, as the engine's
// analysis splits them) from its own telemetry when no analysis is at hand, and the
// session's lap table from GET /api/sessions/{id}/analysis (each lap's sectors, which
// ones are the session's best, the theoretical best).
import type { SessionAnalysisResponse } from '../api/types';
import { formatLapTime } from './format';

export const SECTORS = 3;

/**
 * Sector times (ms) from telemetry: the lap's elapsed time (`lapTime`, ms, against ascending
 * `distance`) interpolated at equal fractions of `lengthM`; the last sector ends at
 * `lapTimeMs`, the lap's official time. Null when the samples do not reach every boundary.
 */
export function sectorTimes(
  distance: ArrayLike<number>,
  lapTime: ArrayLike<number> | undefined,
  lengthM: number,
  lapTimeMs: number,
  sectors = SECTORS,
): number[] | null {
  if (!lapTime || !(lengthM > 0) || sectors < 1) return null;
  const n = Math.min(distance.length, lapTime.length);
  const at = (d: number): number | null => {
    let j = 0;
    while (j < n - 1 && distance[j + 1] < d) j++;
    if (j >= n - 1 || distance[j] > d) return null;
    const x0 = distance[j];
    const x1 = distance[j + 1];
    const t = x1 > x0 ? (d - x0) / (x1 - x0) : 0;
    const v = lapTime[j] + (lapTime[j + 1] - lapTime[j]) * Math.min(1, Math.max(0, t));
    return Number.isFinite(v) ? v : null;
  };
  const bounds: number[] = [0];
  for (let k = 1; k < sectors; k++) {
    const t = at((lengthM * k) / sectors);
    if (t == null) return null;
    bounds.push(t);
  }
  bounds.push(lapTimeMs);
  const out = bounds.slice(1).map((t, k) => t - bounds[k]);
  return out.every((t) => t > 0) ? out : null;
}

/** A sector time: seconds with milliseconds under a minute ("33.508"), else m:ss.SSS. */
export function formatSectorTime(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms >= 60_000) return formatLapTime(ms);
  const total = Math.round(ms);
  return `${Math.floor(total / 1000)}.${String(total % 1000).padStart(3, '0')}`;
}

export interface LapSplits {
  sectorsMs: number[];
  /** Sectors in which this lap holds the session's best. */
  purple: boolean[];
}

export interface SessionSplits {
  /** By lap id; laps the analysis left out (too old, unanalysable) are missing. */
  byLap: Map<number, LapSplits>;
  sectorCount: number;
  /** Sum of the session's best segments. */
  theoreticalBestMs: number | null;
  /** Sum of the session's best sectors. */
  bestSectorsMs: number | null;
  bestLapId: number | null;
}

export const NO_SPLITS: SessionSplits = { byLap: new Map(), sectorCount: 0, theoreticalBestMs: null, bestSectorsMs: null, bestLapId: null };

/** The lap table's splits from a session analysis (its lap indices mapped to lap ids). */
export function sessionSplits(response: SessionAnalysisResponse): SessionSplits {
  const ids = response.lap_ids;
  const { laps, theoretical_best: best } = response.analysis;
  const byLap = new Map<number, LapSplits>();
  let sectorCount = 0;
  for (const lap of laps) {
    const id = ids[lap.lap];
    if (id == null) continue;
    byLap.set(id, { sectorsMs: lap.sector_ms, purple: lap.purple_sectors });
    sectorCount = Math.max(sectorCount, lap.sector_ms.length);
  }
  const finite = (v: number | undefined) => (v != null && Number.isFinite(v) ? v : null);
  return {
    byLap,
    sectorCount,
    theoreticalBestMs: finite(best?.theoretical_best_ms),
    bestSectorsMs: finite(best?.best_sectors_ms),
    bestLapId: best ? (ids[best.best_lap] ?? null) : null,
  };
}
