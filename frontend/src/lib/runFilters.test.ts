import { describe, expect, it } from 'vitest';
import { activeFilterCount, parseRunFilters, shouldLoadMore, withRunFilters } from './runFilters';

describe('the run filters in the URL', () => {
  it('reads every filter the API takes, typed', () => {
    const search = new URLSearchParams(
      'status=failed&config_hash=abc&item=12&score_min=0.5&score_max=0.9&error=true&cache_hit=false&error_kind=skipped',
    );
    expect(parseRunFilters(search)).toEqual({
      status: 'failed',
      config_hash: 'abc',
      item: 12,
      score_min: 0.5,
      score_max: 0.9,
      error: true,
      cache_hit: false,
      error_kind: 'skipped',
    });
  });

  it('leaves out values the API would refuse, and parameters it does not filter by', () => {
    const search = new URLSearchParams('status=lost&item=-3&score_min=high&error=maybe&page=2&ordering=score');
    expect(parseRunFilters(search)).toEqual({});
  });

  it('writes the filters back in one order, keeping other parameters', () => {
    const next = withRunFilters(new URLSearchParams('tab=x&status=done&item=4'), { item: 9, error: false });
    expect(next.toString()).toBe('tab=x&item=9&error=false');
    expect(parseRunFilters(next)).toEqual({ item: 9, error: false });
    expect(activeFilterCount(parseRunFilters(next))).toBe(2);
  });
});

describe('when the table fetches the next page', () => {
  const base = { loaded: 100, hasNextPage: true, fetching: false, ahead: 20 };

  it('waits while the last drawn row is far from the end', () => {
    expect(shouldLoadMore({ ...base, lastVisibleIndex: 40 })).toBe(false);
    expect(shouldLoadMore({ ...base, lastVisibleIndex: 78 })).toBe(false);
  });

  it('fetches once the last drawn row comes within `ahead` rows of the end', () => {
    expect(shouldLoadMore({ ...base, lastVisibleIndex: 79 })).toBe(true);
    expect(shouldLoadMore({ ...base, lastVisibleIndex: 99 })).toBe(true);
  });

  it('never fetches past the last page, twice at once, or before any row is drawn', () => {
    expect(shouldLoadMore({ ...base, lastVisibleIndex: 99, hasNextPage: false })).toBe(false);
    expect(shouldLoadMore({ ...base, lastVisibleIndex: 99, fetching: true })).toBe(false);
    expect(shouldLoadMore({ ...base, lastVisibleIndex: undefined })).toBe(false);
  });
});
