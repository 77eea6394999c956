import { describe, expect, it } from 'vitest';
import { authErrorMessage, collectorCommand, parseRetryAfter, passwordProblem, readCookie, sortTokens, usernameProblem } from './auth';

describe('usernameProblem', () => {
  it('accepts 3 to 32 of a-z 0-9 _ . -', () => {
    for (const ok of ['abc', 'alice', 'a.b-c_d', 'x'.repeat(32), '007', '...']) expect(usernameProblem(ok)).toBeNull();
  });
  it('names what is wrong', () => {
    expect(usernameProblem('')).toMatch(/at least 3/);
    expect(usernameProblem('ab')).toMatch(/at least 3/);
    expect(usernameProblem('x'.repeat(33))).toMatch(/at most 32/);
    expect(usernameProblem('Alice')).toMatch(/lowercase/);
    expect(usernameProblem('al ice')).toMatch(/a-z, 0-9/);
    expect(usernameProblem('alice@home')).toMatch(/a-z, 0-9/);
    expect(usernameProblem('élise')).toMatch(/a-z, 0-9/);
  });
});

describe('passwordProblem', () => {
  it('wants 10 to 1024 characters', () => {
    expect(passwordProblem('123456789')).toMatch(/at least 10/);
    expect(passwordProblem('1234567890')).toBeNull();
    expect(passwordProblem('x'.repeat(1024))).toBeNull();
    expect(passwordProblem('x'.repeat(1025))).toMatch(/at most 1024/);
  });
});

describe('readCookie', () => {
  it('finds one cookie among several', () => {
    expect(readCookie('ps_csrf=abc123', 'ps_csrf')).toBe('abc123');
    expect(readCookie('theme=dark; ps_csrf=abc123; other=1', 'ps_csrf')).toBe('abc123');
    expect(readCookie('theme=dark;ps_csrf=abc', 'ps_csrf')).toBe('abc');
  });
  it('does not match a cookie whose name only ends with the name', () => {
    expect(readCookie('xps_csrf=nope; ps_csrf=yes', 'ps_csrf')).toBe('yes');
    expect(readCookie('xps_csrf=nope', 'ps_csrf')).toBeNull();
  });
  it('decodes, unquotes and keeps = in values', () => {
    expect(readCookie('ps_csrf=a%2Bb', 'ps_csrf')).toBe('a+b');
    expect(readCookie('ps_csrf="quoted"', 'ps_csrf')).toBe('quoted');
    expect(readCookie('ps_csrf=YWJj==', 'ps_csrf')).toBe('YWJj==');
    expect(readCookie('ps_csrf=%E0%A4%A', 'ps_csrf')).toBe('%E0%A4%A');
  });
  it('answers null when absent or empty', () => {
    expect(readCookie('', 'ps_csrf')).toBeNull();
    expect(readCookie('ps_csrf=', 'ps_csrf')).toBeNull();
    expect(readCookie('flag; a=b', 'ps_csrf')).toBeNull();
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('42')).toBe(42);
    expect(parseRetryAfter(' 7 ')).toBe(7);
  });
  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now)).toBe(0);
  });
  it('answers null for nothing usable', () => {
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('')).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});

describe('authErrorMessage', () => {
  it('says how long to wait when rate limited', () => {
    expect(authErrorMessage({ code: 'rate_limited', message: 'too many login attempts', retryAfterS: 37 })).toBe('Too many attempts: try again in 37 s.');
    expect(authErrorMessage({ code: 'rate_limited', retryAfterS: null })).toBe('Too many attempts: try again shortly.');
  });
  it("prefers the server's message", () => {
    expect(authErrorMessage({ code: 'conflict', message: 'username "alice" is taken' })).toBe('username "alice" is taken');
    expect(authErrorMessage({ code: 'invalid_credentials', message: 'wrong username or password' })).toBe('wrong username or password');
  });
  it('falls back to a sentence per code', () => {
    expect(authErrorMessage({ code: 'invalid_credentials', message: '' })).toBe('Wrong username or password.');
    expect(authErrorMessage({ code: 'mystery' })).toBe('Something went wrong: try again.');
  });
});

describe('collectorCommand', () => {
  it('names the server and the token', () => {
    expect(collectorCommand('https://ps.example.com', 'psi_abc')).toBe('purplesector collect ac --server https://ps.example.com --token psi_abc');
    expect(collectorCommand('http://127.0.0.1:8080', 'psi_x', 'acc')).toBe('purplesector collect acc --server http://127.0.0.1:8080 --token psi_x');
  });
});

describe('sortTokens', () => {
  const token = (id: number, created: number, revoked: number | null = null) => ({ id, created_at_ms: created, revoked_at_ms: revoked });
  it('lists usable tokens first, newest first', () => {
    const sorted = sortTokens([token(1, 100), token(2, 300, 400), token(3, 200), token(4, 50, 60), token(5, 200)]);
    expect(sorted.map((t) => t.id)).toEqual([5, 3, 1, 2, 4]);
  });
  it('leaves its input alone', () => {
    const input = [token(1, 1), token(2, 2)];
    sortTokens(input);
    expect(input.map((t) => t.id)).toEqual([1, 2]);
  });
});
