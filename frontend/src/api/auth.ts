// Typed calls for accounts, browser sessions and ingest tokens (docs/accounts.md).
// Login and sign-up remember the CSRF token they answer with, so the next changing
// request carries it even before the ps_csrf cookie is readable.
import { authErrorMessage } from '../lib/auth';
import { ApiError, rememberCsrfToken, request } from './rest';

export type AuthMode = 'local' | 'accounts';
export type SignupPolicy = 'open' | 'invite' | 'closed';

export interface User {
  id: number;
  username: string;
  role: 'admin' | 'user' | (string & {});
}

/** `GET /api/auth/me`: never 401, asked first to know whether to show the login page. */
export interface AuthMe {
  mode: AuthMode;
  signup: SignupPolicy;
  user: User | null;
  csrf_token: string | null;
}

export interface SignedIn {
  user: User;
  csrf_token: string;
}

export interface IngestToken {
  id: number;
  name: string;
  scope: 'ingest' | (string & {});
  created_at_ms: number;
  last_used_at_ms: number | null;
  revoked_at_ms: number | null;
}

export interface CreatedToken {
  token: IngestToken;
  /** `psi_...`: shown this once, the server keeps only its HMAC. */
  secret: string;
}

export async function getMe(signal?: AbortSignal): Promise<AuthMe> {
  const me = await request<AuthMe>('/api/auth/me', { signal });
  rememberCsrfToken(me.csrf_token);
  return me;
}

export async function signup(username: string, password: string, invite?: string): Promise<SignedIn> {
  const body: Record<string, string> = { username, password };
  if (invite) body.invite = invite;
  const answer = await request<SignedIn>('/api/auth/signup', { method: 'POST', body: JSON.stringify(body) });
  rememberCsrfToken(answer.csrf_token);
  return answer;
}

export async function login(username: string, password: string): Promise<SignedIn> {
  const answer = await request<SignedIn>('/api/auth/login', { method: 'POST', body: JSON.stringify({ username, password }) });
  rememberCsrfToken(answer.csrf_token);
  return answer;
}

export async function logout(): Promise<void> {
  try {
    await request<void>('/api/auth/logout', { method: 'POST' });
  } finally {
    rememberCsrfToken(null);
  }
}

/** Changes the password (204); the server revokes every other session of the user. */
export function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  return request<void>('/api/auth/password', {
    method: 'POST',
    body: JSON.stringify({ current_password: currentPassword, new_password: newPassword }),
  });
}

export async function listTokens(signal?: AbortSignal): Promise<IngestToken[]> {
  const body = await request<{ tokens: IngestToken[] }>('/api/tokens', { signal });
  return body.tokens;
}

export function createToken(name: string): Promise<CreatedToken> {
  return request<CreatedToken>('/api/tokens', { method: 'POST', body: JSON.stringify({ name }) });
}

export function revokeToken(id: number): Promise<void> {
  return request<void>(`/api/tokens/${encodeURIComponent(String(id))}`, { method: 'DELETE' });
}

/** A sentence for the user about any failed call (server message, rate-limit wait). */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return authErrorMessage(error);
  if (error instanceof Error) return error.message;
  return String(error);
}
