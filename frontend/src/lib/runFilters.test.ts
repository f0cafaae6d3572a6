import { describe, expect, it } from 'vitest';
import {
  activeFilterCount,
  isAxisCondition,
  nextOrdering,
  parseRunFilters,
  shouldLoadMore,
  withRunFilters,
} from './runFilters';

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
    const search = new URLSearchParams('status=lost&item=-3&score_min=high&error=maybe&page=2&ordering=output_text');
    expect(parseRunFilters(search)).toEqual({});
  });

  it('reads the sort, axis conditions and a scorer threshold', () => {
    const search = new URLSearchParams(
      'ordering=-score&axis=params.temperature:0.7&axis=model:sim-sloppy&axis=extract.prompt:terse&scorer=json_f1&scorer_max=0.6',
    );
    expect(parseRunFilters(search)).toEqual({
      ordering: '-score',
      axis: ['extract.prompt:terse', 'model:sim-sloppy', 'params.temperature:0.7'],
      scorer: 'json_f1',
      scorer_max: 0.6,
    });
  });

  it('leaves out a sort, axis or scorer threshold the API would refuse', () => {
    expect(parseRunFilters(new URLSearchParams('ordering=-output_text&axis=model&axis=colour:red&axis=params:1'))).toEqual(
      {},
    );
    // A scorer without a bound, and bounds without a scorer.
    expect(parseRunFilters(new URLSearchParams('scorer=json_f1'))).toEqual({});
    expect(parseRunFilters(new URLSearchParams('scorer_min=0.5'))).toEqual({});
    // Ascending run id is the default order: it has no parameter.
    expect(parseRunFilters(new URLSearchParams('ordering=id'))).toEqual({});
  });

  it('knows an axis condition as the API does', () => {
    for (const good of ['model:x', 'prompt:a:b', 'params.temperature:0.2', 'extract.model:m', 'extract.params.top_p:1'])
      expect(isAxisCondition(good), good).toBe(true);
    for (const bad of ['model', ':x', 'colour:red', 'params:1', 'params.a.b:1', 'extract.params:1', 'prompt.model:x'])
      expect(isAxisCondition(bad), bad).toBe(false);
  });

  it('writes axis conditions as repeated params in one order, the ordering last', () => {
    const next = withRunFilters(new URLSearchParams('axis=prompt:old'), {
      ordering: 'latency_ms',
      axis: ['params.temperature:0.7', 'model:a'],
      status: 'done',
    });
    expect(next.toString()).toBe('status=done&axis=model%3Aa&axis=params.temperature%3A0.7&ordering=latency_ms');
    expect(activeFilterCount(parseRunFilters(next))).toBe(3);
    expect(activeFilterCount({ scorer: 'f1', scorer_min: 0.2, scorer_max: 0.4 })).toBe(2);
  });

  it('sorts ascending on a first click of a column, and turns the order around on the next', () => {
    expect(nextOrdering(undefined, 'score')).toBe('score');
    expect(nextOrdering('score', 'score')).toBe('-score');
    expect(nextOrdering('-score', 'score')).toBe('score');
    expect(nextOrdering('-score', 'cost')).toBe('cost');
    expect(nextOrdering(undefined, 'id')).toBe('-id');
    expect(nextOrdering('-id', 'id')).toBeUndefined();
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
