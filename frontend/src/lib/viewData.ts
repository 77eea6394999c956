// What the charts and the track map of a lap draw, built once per data set: the lap's
// columns, the reference lap's (raw for the map, aligned onto the lap's distance for the
// charts), the delta trace in metres, the corner apexes. The compare page draws lap B
// against lap A from the analysis of A against B, so it turns that analysis around.
import type { CornerSpan, LapAnalysis } from '../api/types';
import { alignReference, deltaColumns, type LapColumns, type ReferenceOverlay } from './lapTrace';

export interface LapViewData {
  lap: LapColumns;
  /** The reference lap's own columns (the map draws its line), or null without one. */
  referenceLap: LapColumns | null;
  /** The reference lap's channels aligned onto `lap.distance`, or null without a reference. */
  reference: ReferenceOverlay | null;
  lapLabel: string;
  referenceLabel: string;
  /** The delta trace (seconds, lap minus reference) against metres, or null without a reference. */
  delta: { distance: Float64Array; delta: Float64Array } | null;
  xMax: number;
  /** Corner apexes in metres, for markers. */
  corners: { number: number; apex: number }[];
}

export interface ViewDataInput {
  lap: LapColumns;
  referenceLap: LapColumns | null;
  /** The analysis whose delta is drawn (lap minus reference), if any. */
  analysis: Pick<LapAnalysis, 'length_m' | 'delta'> | null;
  corners: readonly CornerSpan[];
  lapLabel: string;
  referenceLabel: string;
}

export function viewData({ lap, referenceLap, analysis, corners, lapLabel, referenceLabel }: ViewDataInput): LapViewData {
  const length = analysis?.length_m ?? lap.maxDistance;
  return {
    lap,
    referenceLap,
    reference: referenceLap ? alignReference(lap, referenceLap) : null,
    lapLabel,
    referenceLabel,
    delta: analysis?.delta ? deltaColumns(analysis.delta, length) : null,
    xMax: Math.max(length, lap.maxDistance, 1),
    corners: corners.map((c) => ({ number: c.number, apex: c.apex * length })),
  };
}

/**
 * An analysis of lap A against reference B, seen from B against A: the corner figures
 * swap sides, zone losses and the delta trace change sign, sectors swap. (The lap times
 * are what they are; only the point of view changes.)
 */
export function swapAnalysis(a: LapAnalysis): LapAnalysis {
  return {
    ...a,
    lap_time_ms: a.reference_lap_time_ms ?? a.lap_time_ms,
    reference_lap_time_ms: a.lap_time_ms,
    corners: a.reference_corners ?? [],
    reference_corners: a.corners,
    sectors_ms: a.reference_sectors_ms ?? [],
    reference_sectors_ms: a.sectors_ms,
    zones: a.zones.map((z) => ({
      ...z,
      lap_ms: z.reference_ms,
      reference_ms: z.lap_ms,
      loss_ms: -z.loss_ms,
      entry_loss_ms: -z.entry_loss_ms,
      exit_loss_ms: -z.exit_loss_ms,
    })),
    segments: a.segments.map((s) => ({
      ...s,
      time_ms: s.reference_ms ?? s.time_ms,
      reference_ms: s.reference_ms == null ? null : s.time_ms,
      delta_ms: s.delta_ms == null ? null : -s.delta_ms,
    })),
    delta: a.delta
      ? {
          ...a.delta,
          delta_ms: a.delta.delta_ms.map((v) => -v),
          lap_time_ms: a.delta.reference_lap_time_ms,
          reference_lap_time_ms: a.delta.lap_time_ms,
          final_delta_ms: -a.delta.final_delta_ms,
        }
      : null,
    // Suggestions are advice for lap A; they do not turn around.
    suggestions: [],
  };
}
