import { describe, expect, it } from 'vitest';
import {
  formatCost,
  formatCount,
  formatDateTime,
  formatDuration,
  formatMs,
  formatPercent,
  formatProgress,
  formatRelativeTime,
  formatScore,
  MISSING,
  shortHash,
} from './format';

describe('formatters', () => {
  it('show a dash for what is not known', () => {
    for (const format of [formatCount, formatScore, formatPercent, formatCost, formatMs, formatDuration]) {
      expect(format(null)).toBe(MISSING);
      expect(format(undefined)).toBe(MISSING);
      expect(format(Number.NaN)).toBe(MISSING);
    }
    expect(formatRelativeTime(null)).toBe(MISSING);
    expect(formatDateTime('not a date')).toBe(MISSING);
  });

  it('count with separators and scores to three places', () => {
    expect(formatCount(12480)).toBe('12,480');
    expect(formatCount(0)).toBe('0');
    expect(formatScore(0.91349)).toBe('0.913');
    expect(formatScore(1)).toBe('1.000');
    expect(formatProgress(480, 1200)).toBe('480 / 1,200');
  });

  it('show ratios as percentages', () => {
    expect(formatPercent(0.125)).toBe('12.5%');
    expect(formatPercent(1, 0)).toBe('100%');
  });

  it('keep two significant digits of costs under a cent', () => {
    expect(formatCost(0)).toBe('$0.00');
    expect(formatCost(0.00012345)).toBe('$0.00012');
    expect(formatCost(0.0048)).toBe('$0.0048');
    expect(formatCost(0.01)).toBe('$0.01');
    expect(formatCost(1234.5)).toBe('$1,234.50');
    expect(formatCost(-0.002)).toBe('-$0.002');
  });

  it('give latencies and durations their units', () => {
    expect(formatMs(85.4)).toBe('85 ms');
    expect(formatMs(1240)).toBe('1.24 s');
    expect(formatMs(125_000)).toBe('2 min 5 s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(180)).toBe('3 min');
    expect(formatDuration(3900)).toBe('1 h 5 min');
    expect(formatDuration(7200)).toBe('2 h');
  });

  it('say how long ago, and never "this minute" for a minute ago', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    expect(formatRelativeTime('2026-12-01T11:59:30Z', now)).toBe('just now');
    expect(formatRelativeTime('2026-12-01T11:59:10Z', now)).toBe('1 min. ago');
    expect(formatRelativeTime('2026-12-01T11:55:00Z', now)).toBe('5 min. ago');
    expect(formatRelativeTime('2026-12-01T09:00:00Z', now)).toBe('3 hr. ago');
    expect(formatRelativeTime('2026-11-30T12:00:00Z', now)).toBe('yesterday');
    expect(formatRelativeTime('2026-11-21T12:00:00Z', now)).toBe('last wk.');
    expect(formatRelativeTime('2026-12-01T12:10:00Z', now)).toBe('in 10 min.');
  });

  it('give the exact time to the second with its zone', () => {
    expect(formatDateTime('2026-12-01T18:02:11.120Z', 'UTC')).toBe('2026-12-01 18:02:11 UTC');
    expect(formatDateTime('2026-12-01T00:30:00Z', 'UTC')).toBe('2026-12-01 00:30:00 UTC');
  });

  it('shorten config hashes', () => {
    expect(shortHash('3f0c9a1b2c3d4e5f')).toBe('3f0c9a1b');
  });
});
