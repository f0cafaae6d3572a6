/**
 * What a sweep's page knows from its event log, folded event by event. Pure:
 * no React, no network; `stream.ts` feeds it, `useSweepLive` renders it.
 *
 * Each event is applied once, in `seq` order: one at or below `lastSeq` is
 * ignored, so a replay after a reconnect changes nothing twice. The
 * socket's greeting (and the REST snapshot while polling) carries the sweep
 * as of some `seq`; an event newer than the snapshot wins over it, an older
 * one (replayed after the greeting) does not roll it back.
 */
import {
  type EndpointLimits,
  type GuidedRung,
  type Hello,
  type LeaderboardUpdate,
  type Progress,
  readLeaderboard,
  readProgress,
  readRung,
  readRuns,
  readStatus,
  readSteering,
  type Steering,
  type Sweep,
  type SweepEvent,
  type SweepStatus,
} from './events';

/** The log keeps its newest entries; steering and rungs are kept whole. */
export const LOG_LIMIT = 500;

export interface Counters {
  done: number;
  planned: number | null;
  errors: number;
  cacheHits: number;
  calls: number | null;
  cost: number | null;
}

/** What only progress events carry: the recent pace and each endpoint's limits. */
export interface Pace {
  seq: number;
  /** When the event was written: `next_retry_s` counts from here. */
  at: string;
  callsSaved: number | null;
  callsPerS: number | null;
  etaS: number | null;
  endpoints: Record<string, EndpointLimits>;
}

interface LogBase {
  key: string;
  /** The first and last event the entry stands for (activity spans several). */
  firstSeq: number;
  seq: number;
  firstAt: string;
  at: string;
}

export type LogEntry = LogBase &
  (
    | { kind: 'created'; by: string | null; strategy: string | null; concurrency: number | null }
    | { kind: 'status'; status: SweepStatus | null; error: string }
    | ({ kind: 'steering' } & Steering)
    | { kind: 'rung'; bracket: number; rung: number; last: boolean; items: number | null; promoted: number; dropped: number }
    | {
        kind: 'activity';
        runs: number;
        failed: number;
        cacheHits: number;
        best: { label: string; score: number | null } | null;
        configs: number | null;
      }
    | { kind: 'final'; best: { label: string; score: number | null } | null; configs: number | null }
  );

export type RungEntry = GuidedRung & { seq: number; at: string };
export type SteeringEntry = Steering & { seq: number };
export type LeaderboardEntry = LeaderboardUpdate & { seq: number; at: string };

export interface LiveState {
  /** The last event applied: the cursor to resume from. */
  lastSeq: number;
  sweep: Sweep | null;
  experiment: { id: number; name: string } | null;
  strategy: string | null;
  status: SweepStatus | null;
  statusError: string;
  statusSeq: number;
  concurrency: number | null;
  concurrencySeq: number;
  counters: Counters | null;
  countersSeq: number;
  pace: Pace | null;
  leaderboard: LeaderboardEntry | null;
  rungs: RungEntry[];
  steering: SteeringEntry[];
  log: LogEntry[];
}

export function initialLiveState(): LiveState {
  return {
    lastSeq: 0,
    sweep: null,
    experiment: null,
    strategy: null,
    status: null,
    statusError: '',
    statusSeq: -1,
    concurrency: null,
    concurrencySeq: -1,
    counters: null,
    countersSeq: -1,
    pace: null,
    leaderboard: null,
    rungs: [],
    steering: [],
    log: [],
  };
}

function countersOf(sweep: Sweep): Counters {
  return {
    done: sweep.done,
    planned: sweep.planned,
    errors: sweep.errors,
    cacheHits: sweep.cache_hits,
    calls: sweep.calls,
    cost: sweep.cost,
  };
}

function strategyOf(sweep: Sweep): string | null {
  const type = (sweep.strategy as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : null;
}

/**
 * The sweep as of event `seq` (the greeting's; 0 for a REST read, whose
 * moment is unknown, so that any event wins over it).
 */
export function applySnapshot(state: LiveState, sweep: Sweep, seq: number): LiveState {
  const next: LiveState = { ...state, sweep, strategy: state.strategy ?? strategyOf(sweep) };
  if (seq >= state.statusSeq) {
    next.status = sweep.status;
    next.statusError = sweep.error_message;
    next.statusSeq = seq;
  }
  if (seq >= state.concurrencySeq) {
    next.concurrency = sweep.concurrency;
    next.concurrencySeq = seq;
  }
  if (seq >= state.countersSeq) {
    next.counters = countersOf(sweep);
    next.countersSeq = seq;
  }
  return next;
}

export function applyHello(state: LiveState, hello: Hello): LiveState {
  return applySnapshot(state, hello.sweep, hello.seq);
}

/** Apply events in `seq` order, each once. */
export function applyEvents(state: LiveState, events: readonly SweepEvent[]): LiveState {
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  return ordered.reduce(applyEvent, state);
}

export function applyEvent(state: LiveState, event: SweepEvent): LiveState {
  if (event.seq <= state.lastSeq) return state;
  const next = apply({ ...state, lastSeq: event.seq }, event);
  if (next.log.length > LOG_LIMIT) next.log = next.log.slice(next.log.length - LOG_LIMIT);
  return next;
}

function entry(event: SweepEvent): LogBase {
  return { key: String(event.seq), firstSeq: event.seq, seq: event.seq, firstAt: event.at, at: event.at };
}

function bestOf(update: LeaderboardUpdate): { label: string; score: number | null } | null {
  const first = update.rows[0];
  if (!first) return null;
  return { label: first.label ?? first.config_hash.slice(0, 8), score: first.score };
}

/** Runs and leaderboard updates between two decisions read as one line of the log. */
function withActivity(
  log: LogEntry[],
  event: SweepEvent,
  change: { runs?: number; failed?: number; cacheHits?: number; update?: LeaderboardUpdate },
): LogEntry[] {
  const last = log[log.length - 1];
  const base =
    last?.kind === 'activity'
      ? last
      : ({ ...entry(event), kind: 'activity', runs: 0, failed: 0, cacheHits: 0, best: null, configs: null } as const);
  const merged: LogEntry = {
    ...base,
    seq: event.seq,
    at: event.at,
    runs: base.runs + (change.runs ?? 0),
    failed: base.failed + (change.failed ?? 0),
    cacheHits: base.cacheHits + (change.cacheHits ?? 0),
    best: change.update ? bestOf(change.update) : base.best,
    configs: change.update ? change.update.configs : base.configs,
  };
  return last?.kind === 'activity' ? [...log.slice(0, -1), merged] : [...log, merged];
}

function apply(state: LiveState, event: SweepEvent): LiveState {
  const payload = event.payload as Record<string, unknown>;
  switch (event.type) {
    case 'sweep.created': {
      const experiment = payload.experiment as { id?: unknown; name?: unknown } | undefined;
      const next = { ...state };
      if (experiment && typeof experiment.id === 'number' && typeof experiment.name === 'string') {
        next.experiment = { id: experiment.id, name: experiment.name };
      }
      const strategy = typeof payload.strategy === 'string' ? payload.strategy : null;
      next.strategy = strategy ?? state.strategy;
      const concurrency = typeof payload.concurrency === 'number' ? payload.concurrency : null;
      if (concurrency !== null && event.seq > state.concurrencySeq) {
        next.concurrency = concurrency;
        next.concurrencySeq = event.seq;
      }
      const status = readStatus(payload.status);
      if (status && event.seq > state.statusSeq) {
        next.status = status;
        next.statusSeq = event.seq;
      }
      const by = typeof payload.created_by === 'string' ? payload.created_by : null;
      next.log = [...state.log, { ...entry(event), kind: 'created', by, strategy, concurrency }];
      return next;
    }
    case 'sweep.status': {
      const status = readStatus(payload.status);
      const error = typeof payload.error === 'string' ? payload.error : '';
      const next = { ...state, log: [...state.log, { ...entry(event), kind: 'status', status, error } as LogEntry] };
      if (status && event.seq > state.statusSeq) {
        next.status = status;
        next.statusError = error;
        next.statusSeq = event.seq;
      }
      return next;
    }
    case 'sweep.progress': {
      const progress: Progress = readProgress(payload);
      const next: LiveState = {
        ...state,
        pace: {
          seq: event.seq,
          at: event.at,
          callsSaved: progress.callsSaved,
          callsPerS: progress.callsPerS,
          etaS: progress.etaS,
          endpoints: progress.endpoints,
        },
      };
      if (event.seq > state.countersSeq) {
        next.counters = {
          done: progress.done,
          planned: progress.planned,
          errors: progress.errors,
          cacheHits: progress.cacheHits,
          calls: progress.calls,
          cost: progress.cost,
        };
        next.countersSeq = event.seq;
      }
      return next;
    }
    case 'run.batch': {
      const runs = readRuns(payload);
      return {
        ...state,
        log: withActivity(state.log, event, {
          runs: runs.length,
          failed: runs.filter((run) => run.status === 'failed').length,
          cacheHits: runs.filter((run) => run.cacheHit).length,
        }),
      };
    }
    case 'leaderboard': {
      const update = readLeaderboard(payload);
      const log: LogEntry[] = update.final
        ? [...state.log, { ...entry(event), kind: 'final', best: bestOf(update), configs: update.configs }]
        : withActivity(state.log, event, { update });
      return { ...state, leaderboard: { ...update, seq: event.seq, at: event.at }, log };
    }
    case 'steering': {
      const steering = readSteering(payload, event.at);
      const next: LiveState = {
        ...state,
        steering: [...state.steering, { ...steering, seq: event.seq }],
        log: [...state.log, { ...entry(event), kind: 'steering', ...steering }],
      };
      if (steering.concurrency !== null && event.seq > state.concurrencySeq) {
        next.concurrency = steering.concurrency;
        next.concurrencySeq = event.seq;
      }
      return next;
    }
    case 'guided.rung': {
      const rung = readRung(payload);
      // A resumed runner announces a rung once; keyed anyway, so a rung is one row.
      const rungs = state.rungs.filter((r) => r.bracket !== rung.bracket || r.rung !== rung.rung);
      return {
        ...state,
        rungs: [...rungs, { ...rung, seq: event.seq, at: event.at }],
        log: [
          ...state.log,
          {
            ...entry(event),
            kind: 'rung',
            bracket: rung.bracket,
            rung: rung.rung,
            last: rung.last,
            items: rung.items,
            promoted: rung.promoted.length,
            dropped: rung.dropped.length,
          },
        ],
      };
    }
    default:
      return state;
  }
}
