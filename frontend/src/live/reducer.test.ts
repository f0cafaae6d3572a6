import { describe, expect, it } from 'vitest';
import { event, progress, row, SWEEP } from '../test/sweepFixtures';
import { applyEvent, applyEvents, applyHello, applySnapshot, initialLiveState, LOG_LIMIT } from './reducer';

const ENDPOINTS = {
  sim: {
    in_flight: 2,
    waiting: { concurrency: 3, rpm: 1, tpm: 0 },
    backoff: 1,
    next_retry_s: 2.5,
    circuit: 'probing',
  },
};

describe('the live state of a sweep', () => {
  it('takes progress, counters and each endpoint\'s limit state from progress events', () => {
    const state = applyEvents(initialLiveState(), [
      progress(1, 19, {
        planned: 32,
        errors: 1,
        cache_hits: 4,
        calls: 15,
        calls_saved: 4,
        cost: 0.00055,
        calls_per_s: 17.62,
        eta_s: 0.7,
        endpoints: ENDPOINTS,
      }),
    ]);
    expect(state.counters).toEqual({ done: 19, planned: 32, errors: 1, cacheHits: 4, calls: 15, cost: 0.00055 });
    expect(state.pace).toMatchObject({ callsSaved: 4, callsPerS: 17.62, etaS: 0.7, seq: 1 });
    expect(state.pace?.endpoints.sim).toEqual({
      inFlight: 2,
      waiting: { concurrency: 3, rpm: 1, tpm: 0 },
      backoff: 1,
      nextRetryS: 2.5,
      circuit: 'probing',
    });
    expect(state.lastSeq).toBe(1);
  });

  it('applies each event once and in seq order, whatever order and repeats it is given', () => {
    const once = applyEvents(initialLiveState(), [progress(2, 20), progress(1, 10), progress(3, 30)]);
    expect(once.counters?.done).toBe(30);
    const again = applyEvents(once, [progress(2, 20), progress(3, 30)]);
    expect(again).toBe(once);
    expect(applyEvent(once, progress(1, 10))).toBe(once);
  });

  it('keeps the greeting\'s snapshot over replayed older events, and takes newer ones over it', () => {
    let state = applyHello(initialLiveState(), {
      type: 'hello',
      seq: 5,
      sweep: { ...SWEEP, status: 'paused', done: 300, concurrency: 4 },
    });
    state = applyEvents(state, [
      event(1, 'sweep.created', { status: 'queued', concurrency: 16, strategy: 'grid', experiment: { id: 3, name: 'extraction' } }),
      event(2, 'sweep.status', { status: 'running', error: '' }),
      progress(3, 120),
    ]);
    expect(state.status).toBe('paused');
    expect(state.counters?.done).toBe(300);
    expect(state.concurrency).toBe(4);
    expect(state.experiment).toEqual({ id: 3, name: 'extraction' });
    // The replayed events are in the log all the same.
    expect(state.log.map((e) => e.kind)).toEqual(['created', 'status']);

    state = applyEvents(state, [
      event(6, 'sweep.status', { status: 'running', error: '' }),
      progress(7, 310),
    ]);
    expect(state.status).toBe('running');
    expect(state.counters?.done).toBe(310);
  });

  it('lets any event win over a REST snapshot, whose moment is unknown', () => {
    let state = applySnapshot(initialLiveState(), { ...SWEEP, status: 'completed', done: 720 }, 0);
    expect(state.status).toBe('completed');
    state = applyEvents(state, [event(1, 'sweep.created', { status: 'queued', concurrency: 16 })]);
    expect(state.status).toBe('queued');
  });

  it('keeps the latest leaderboard rows and says when it is final', () => {
    const first = row(1, { label: 'a / sim:m (t=0)' } as never);
    let state = applyEvents(initialLiveState(), [
      event(1, 'leaderboard', { rows: [row(2), first], configs: 18, final: false }),
    ]);
    expect(state.leaderboard?.rows.map((r) => r.rank)).toEqual([2, 1]);
    expect(state.leaderboard?.configs).toBe(18);
    state = applyEvents(state, [event(2, 'leaderboard', { rows: [first], configs: 18, final: true })]);
    expect(state.leaderboard).toMatchObject({ final: true, seq: 2 });
    expect(state.log[state.log.length - 1]).toMatchObject({
      kind: 'final',
      best: { label: 'a / sim:m (t=0)', score: first.score },
    });
  });

  it('records the configs each guided rung promoted and dropped, with their values', () => {
    const config = (id: string, score: number) => ({
      id,
      label: `config ${id}`,
      values: { score, '-cost': -0.001 },
      ranked_by: { score: score - 0.01, '-cost': -0.001 },
      items: 10,
    });
    const state = applyEvents(initialLiveState(), [
      event(4, 'guided.rung', {
        bracket: 0,
        rung: 1,
        last: false,
        items: 10,
        promoted: [config('aa', 0.9), config('bb', 0.8)],
        dropped: [config('cc', 0.4)],
        best: null,
        spent: 120,
        budget: 400,
      }),
    ]);
    expect(state.rungs).toHaveLength(1);
    const [rung] = state.rungs;
    expect(rung?.promoted.map((c) => c.id)).toEqual(['aa', 'bb']);
    expect(rung?.dropped[0]).toEqual({
      id: 'cc',
      label: 'config cc',
      values: { score: 0.4, '-cost': -0.001 },
      rankedBy: { score: 0.39, '-cost': -0.001 },
      items: 10,
    });
    expect(rung).toMatchObject({ bracket: 0, rung: 1, items: 10, spent: 120, budget: 400 });
    expect(state.log[0]).toMatchObject({ kind: 'rung', promoted: 2, dropped: 1 });
  });

  it('logs steering with who did it, and takes the concurrency it set', () => {
    const state = applyEvents(initialLiveState(), [
      event(1, 'sweep.created', { status: 'queued', concurrency: 16, created_by: 'alice' }),
      event(2, 'steering', {
        action: 'concurrency',
        by: 'bob',
        at: '2026-12-01T12:02:00Z',
        result: { status: 'running', concurrency: 4 },
      }),
      event(3, 'steering', { action: 'pause', by: null, at: '2026-12-01T12:03:00Z', result: { status: 'paused', concurrency: 4 } }),
    ]);
    expect(state.concurrency).toBe(4);
    expect(state.steering.map((s) => [s.action, s.by])).toEqual([
      ['concurrency', 'bob'],
      ['pause', null],
    ]);
    expect(state.log.map((e) => e.kind)).toEqual(['created', 'steering', 'steering']);
  });

  it('sums the runs and leaderboard updates between two decisions into one log line', () => {
    const runs = (n: number, failed: number) => ({
      runs: Array.from({ length: n }, (_, i) => ({
        id: i,
        config: { id: 'aa', label: 'x' },
        status: i < failed ? 'failed' : 'done',
        score: 1,
        cache_hit: i === n - 1,
      })),
    });
    const state = applyEvents(initialLiveState(), [
      event(1, 'sweep.status', { status: 'running', error: '' }),
      event(2, 'run.batch', runs(3, 1)),
      progress(3, 3),
      event(4, 'leaderboard', { rows: [row(1)], configs: 1, final: false }),
      event(5, 'run.batch', runs(2, 0)),
      event(6, 'steering', { action: 'pause', by: 'bob', result: { status: 'paused', concurrency: 8 } }),
      event(7, 'run.batch', runs(1, 0)),
    ]);
    expect(state.log.map((e) => e.kind)).toEqual(['status', 'activity', 'steering', 'activity']);
    expect(state.log[1]).toMatchObject({ runs: 5, failed: 1, cacheHits: 2, firstSeq: 2, seq: 5, configs: 1 });
  });

  it('keeps only the newest log entries', () => {
    const events = Array.from({ length: LOG_LIMIT + 20 }, (_, i) =>
      event(i + 1, 'sweep.status', { status: i % 2 ? 'paused' : 'running', error: '' }),
    );
    const state = applyEvents(initialLiveState(), events);
    expect(state.log).toHaveLength(LOG_LIMIT);
    expect(state.log[state.log.length - 1]?.seq).toBe(LOG_LIMIT + 20);
  });

  it('reads a payload with missing or mistyped fields without failing', () => {
    const state = applyEvents(initialLiveState(), [
      event(1, 'sweep.progress', { done: 'many', endpoints: { sim: null } }),
      event(2, 'guided.rung', { promoted: [{ no: 'id' }], dropped: 'none' }),
      event(3, 'leaderboard', { rows: [{ rank: 'x' }] }),
    ]);
    expect(state.counters?.done).toBe(0);
    expect(state.pace?.endpoints.sim?.circuit).toBeNull();
    expect(state.rungs[0]?.promoted).toEqual([]);
    expect(state.leaderboard?.rows).toEqual([]);
  });
});
