// Pure formatting helpers for times, gears and sims.

const DASH = '—';

/** Formats a lap time in milliseconds as `m:ss.SSS` (e.g. 88123 → "1:28.123"); `—` when unknown. */
export function formatLapTime(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return DASH;
  const total = Math.round(ms);
  const minutes = Math.floor(total / 60000);
  const seconds = Math.floor((total % 60000) / 1000);
  const millis = total % 1000;
  return `${minutes}:${String(seconds).padStart(2, '0')}.${String(millis).padStart(3, '0')}`;
}

/** Formats a signed time difference as `+s.SSS` / `-s.SSS` (minutes added when ≥ 60 s). */
export function formatDelta(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return DASH;
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(Math.round(ms));
  if (abs >= 60000) return sign + formatLapTime(abs);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}

/** Gear as a driver reads it: R, N, 1, 2, … */
export function formatGear(gear: number | null | undefined): string {
  if (gear == null || !Number.isFinite(gear)) return DASH;
  if (gear < 0) return 'R';
  if (gear === 0) return 'N';
  return String(Math.round(gear));
}

const SIM_NAMES: Record<string, string> = {
  demo: 'Demo',
  ac: 'Assetto Corsa',
  acc: 'ACC',
  f1: 'F1',
  forza: 'Forza',
  outgauge: 'OutGauge',
  unspecified: 'Unknown sim',
};

export function simLabel(sim: string | null | undefined): string {
  if (!sim) return SIM_NAMES.unspecified;
  return SIM_NAMES[sim] ?? sim;
}

/** A Unix-milliseconds time as a short local date and time, e.g. "22 Nov 2025, 14:03". */
export function formatDateTime(ms: number | null | undefined, locale?: string): string {
  if (ms == null || !Number.isFinite(ms)) return DASH;
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(ms));
}

/** A number with a fixed count of decimals, `—` when unknown. */
export function formatNumber(value: number | null | undefined, decimals = 0): string {
  if (value == null || !Number.isFinite(value)) return DASH;
  return value.toFixed(decimals);
}

/**
 * How long ago `ms` was, relative to `now`: "just now", "5 min ago", "3 h ago", "2 days ago";
 * the date beyond 30 days; `never` when `ms` is null.
 */
export function formatRelativeTime(ms: number | null | undefined, now = Date.now(), never = 'never'): string {
  if (ms == null || !Number.isFinite(ms)) return never;
  const seconds = Math.round((now - ms) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days <= 30) return days === 1 ? 'yesterday' : `${days} days ago`;
  return new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(ms));
}
