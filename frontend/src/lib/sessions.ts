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

export interface SessionFilter {
  /** Empty string: any track. */
  track: string;
  /** Empty string: any car. */
  car: string;
}

/** Distinct non-empty values of `key` across the sessions, sorted for a select's options. */
export function filterOptions(list: readonly SessionInfo[], key: 'track' | 'car'): string[] {
  const values = new Set<string>();
  for (const s of list) if (s[key]) values.add(s[key]);
  return [...values].sort((a, b) => a.localeCompare(b));
}

/** The sessions matching the filter (exact track and car; empty means any), order kept. */
export function filterSessions(list: readonly SessionInfo[], filter: SessionFilter): SessionInfo[] {
  return list.filter((s) => (!filter.track || s.track === filter.track) && (!filter.car || s.car === filter.car));
}

/** Removes a session by id. */
export function removeSession(list: readonly SessionInfo[], id: string): SessionInfo[] {
  return list.filter((s) => s.id !== id);
}
