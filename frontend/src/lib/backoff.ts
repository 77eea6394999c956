// Reconnect delays: exponential with a cap and some jitter so many tabs do not
// hammer a restarting server in lockstep.

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** Fraction of the delay randomly added or removed, 0..1. */
  jitter?: number;
}

export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { baseMs = 500, maxMs = 10_000, jitter = 0.2 } = options;
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  const spread = exp * jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(maxMs, exp + spread)));
}
