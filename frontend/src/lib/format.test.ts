import { describe, expect, it } from 'vitest';
import { formatDelta, formatGear, formatLapTime, formatRelativeTime, simLabel } from './format';

describe('formatLapTime', () => {
  it('formats m:ss.SSS', () => {
    expect(formatLapTime(88123)).toBe('1:28.123');
    expect(formatLapTime(0)).toBe('0:00.000');
    expect(formatLapTime(59999)).toBe('0:59.999');
    expect(formatLapTime(60000)).toBe('1:00.000');
    expect(formatLapTime(61005)).toBe('1:01.005');
    expect(formatLapTime(10 * 60000 + 7)).toBe('10:00.007');
  });
  it('rounds fractional milliseconds', () => {
    expect(formatLapTime(1234.4)).toBe('0:01.234');
    expect(formatLapTime(59999.6)).toBe('1:00.000');
  });
  it('shows a dash for unknown times', () => {
    expect(formatLapTime(null)).toBe('—');
    expect(formatLapTime(undefined)).toBe('—');
    expect(formatLapTime(Number.NaN)).toBe('—');
    expect(formatLapTime(-5)).toBe('—');
  });
});

describe('formatDelta', () => {
  it('signs the difference', () => {
    expect(formatDelta(1234)).toBe('+1.234');
    expect(formatDelta(-56)).toBe('-0.056');
    expect(formatDelta(0)).toBe('+0.000');
    expect(formatDelta(61000)).toBe('+1:01.000');
  });
});

describe('formatGear', () => {
  it('reads like a dash', () => {
    expect(formatGear(-1)).toBe('R');
    expect(formatGear(0)).toBe('N');
    expect(formatGear(4)).toBe('4');
    expect(formatGear(null)).toBe('—');
  });
});

describe('simLabel', () => {
  it('names known sims and passes unknown ones through', () => {
    expect(simLabel('ac')).toBe('Assetto Corsa');
    expect(simLabel('demo')).toBe('Demo');
    expect(simLabel('rf2')).toBe('rf2');
  });
});

describe('formatRelativeTime', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');
  const ago = (s: number) => now - s * 1000;
  it('says never for no time', () => {
    expect(formatRelativeTime(null, now)).toBe('never');
    expect(formatRelativeTime(undefined, now, 'not yet')).toBe('not yet');
  });
  it('rounds to the largest sensible unit', () => {
    expect(formatRelativeTime(ago(5), now)).toBe('just now');
    expect(formatRelativeTime(ago(-30), now)).toBe('just now');
    expect(formatRelativeTime(ago(60), now)).toBe('1 min ago');
    expect(formatRelativeTime(ago(59 * 60), now)).toBe('59 min ago');
    expect(formatRelativeTime(ago(3 * 3600), now)).toBe('3 h ago');
    expect(formatRelativeTime(ago(24 * 3600), now)).toBe('yesterday');
    expect(formatRelativeTime(ago(5 * 86400), now)).toBe('5 days ago');
  });
  it('shows the date beyond a month', () => {
    expect(formatRelativeTime(ago(90 * 86400), now)).toMatch(/2025/);
  });
});
