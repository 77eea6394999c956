// Pure helpers keeping lists of sessions and laps up to date from stream messages.
import type { LapInfo, SessionInfo } from '../api/types';

/** Inserts or replaces a session, keeping the list newest first. */
export function upsertSession(list: readonly SessionInfo[], session: SessionInfo): SessionInfo[] {
  const next = list.filter((s) => s.id !== session.id);
  next.push(session);
  return sortSessions(next);
}

export function sortSessions(list: SessionInfo[]): SessionInfo[] {
  return list.sort((a, b) => b.started_at_ms - a.started_at_ms || a.id.localeCompare(b.id));
}

/** Inserts or replaces a lap (matched by id, else by lap number), keeping lap order. */
export function upsertLap(list: readonly LapInfo[], lap: LapInfo): LapInfo[] {
  const next = list.filter((l) => l.id !== lap.id && l.lap_number !== lap.lap_number);
  next.push(lap);
  return next.sort((a, b) => a.lap_number - b.lap_number);
}

/** The fastest lap that counts: valid, not an out- or in-lap. Null when none. */
export function bestLap(laps: readonly LapInfo[]): LapInfo | null {
  let best: LapInfo | null = null;
  for (const lap of laps) {
    if (!lap.valid || lap.out_lap || lap.in_lap || lap.lap_time_ms <= 0) continue;
    if (!best || lap.lap_time_ms < best.lap_time_ms) best = lap;
  }
  return best;
}
