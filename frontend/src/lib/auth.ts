// Pure helpers for accounts mode (docs/accounts.md): the sign-up rules checked before a
// request goes out, reading the CSRF cookie, and turning auth errors into sentences.

/** Usernames: 3 to 32 of `a-z 0-9 _ . -` (docs/accounts.md, "Passwords"). */
export const USERNAME_PATTERN = /^[a-z0-9_.-]{3,32}$/;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 1024;

/** Why `username` would be refused at sign-up, or null when it is fine. */
export function usernameProblem(username: string): string | null {
  if (username.length < 3) return 'Username must be at least 3 characters.';
  if (username.length > 32) return 'Username must be at most 32 characters.';
  if (/[A-Z]/.test(username) && USERNAME_PATTERN.test(username.toLowerCase())) return 'Username must be lowercase.';
  if (!USERNAME_PATTERN.test(username)) return 'Username may only use a-z, 0-9, _ . and -.';
  return null;
}

/** Why `password` would be refused as a new password, or null when it is fine. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN) return `Password must be at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `Password must be at most ${PASSWORD_MAX} characters.`;
  return null;
}

/** The value of cookie `name` in a `document.cookie` string, or null. */
export function readCookie(cookies: string, name: string): string | null {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (!raw) return null;
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return null;
}

/** Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | null {
  if (header == null) return null;
  const value = header.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** Sentences for error codes the server may answer without a message. */
const FALLBACK_MESSAGES: Record<string, string> = {
  invalid_credentials: 'Wrong username or password.',
  unauthenticated: 'Please sign in again.',
  csrf: 'The page lost its security token: reload it and try again.',
  origin: 'The request came from a page the server does not trust.',
};

/** What to tell the user about a failed auth call: the server's message, a retry delay for `rate_limited`. */
export function authErrorMessage(error: { code: string; message?: string | null; retryAfterS?: number | null }): string {
  if (error.code === 'rate_limited') {
    const wait = error.retryAfterS;
    return wait != null && wait > 0 ? `Too many attempts: try again in ${wait} s.` : 'Too many attempts: try again shortly.';
  }
  const message = error.message?.trim();
  if (message) return message;
  return FALLBACK_MESSAGES[error.code] ?? 'Something went wrong: try again.';
}

/** The command that runs a collector against this server with an ingest token. */
export function collectorCommand(origin: string, secret: string, sim = 'ac'): string {
  return `purplesector collect ${sim} --server ${origin} --token ${secret}`;
}

/** Tokens in the order the account page lists them: usable ones first, newest first within each group. */
export function sortTokens<T extends { id: number; created_at_ms: number; revoked_at_ms: number | null }>(tokens: readonly T[]): T[] {
  return [...tokens].sort((a, b) => Number(a.revoked_at_ms != null) - Number(b.revoked_at_ms != null) || b.created_at_ms - a.created_at_ms || b.id - a.id);
}
