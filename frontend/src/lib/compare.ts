// Which laps the lap page offers to compare with: the user's laps on the same track in the
// same car, from this session and the newest others (bounded, so the picker costs at most
// one request per session it lists), and the compare page's path.
import type { LapInfo, SessionInfo } from '../api/types';

/** Sessions whose laps are listed: at most this many, newest first. */
export const COMPARE_SESSIONS = 20;

/** The sessions to list laps from: same track and car as `current`, newest first, `current` always included, at most `limit`. */
export function compareSessions(sessions: readonly SessionInfo[], current: SessionInfo, limit = COMPARE_SESSIONS): SessionInfo[] {
  const same = sessions.filter((s) => s.id !== current.id && s.track === current.track && s.car === current.car);
  same.sort((a, b) => b.started_at_ms - a.started_at_ms || a.id.localeCompare(b.id));
  return [current, ...same].slice(0, Math.max(1, limit));
}

export interface CompareGroup {
  session: SessionInfo;
  laps: LapInfo[];
}

/** The picker's groups: each session's laps in lap order without `exclude` (the lap on screen); empty sessions dropped. */
export function compareGroups(groups: readonly CompareGroup[], exclude: number): CompareGroup[] {
  return groups
    .map((g) => ({ session: g.session, laps: g.laps.filter((l) => l.id !== exclude && l.lap_time_ms > 0).sort((a, b) => a.lap_number - b.lap_number) }))
    .filter((g) => g.laps.length > 0);
}
