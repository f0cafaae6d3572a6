/**
 * A sweep's live events as the socket and the polling endpoint send them
 * (docs/api.md, "Live sweeps"). The OpenAPI schema types every payload as a
 * plain object, so each payload is read here, field by field, into the
 * shapes the page uses: a field missing or of another type reads as null,
 * never as a crash (an older server, a thinned log).
 */
import type { components } from '../api/schema';

export type SweepEvent = components['schemas']['EventMessage'];
export type EventType = SweepEvent['type'];
export type Sweep = components['schemas']['Sweep'];
export type SweepStatus = components['schemas']['SweepStatusEnum'];
export type LeaderboardRow = components['schemas']['AnalysisLeaderboardRow'];

/** The socket's greeting: the sweep as `GET /api/sweeps/{id}/` gives it, as of `seq`. */
export interface Hello {
  type: 'hello';
  seq: number;
  sweep: Sweep;
}

/** What the socket answers a steering message it could not carry out. */
export interface ServerError {
  type: 'error';
  message: string;
  action?: string;
}

export const FINAL_STATUSES: readonly SweepStatus[] = ['completed', 'failed', 'cancelled'];

export function isFinal(status: SweepStatus | null | undefined): boolean {
  return status != null && FINAL_STATUSES.includes(status);
}

export interface EndpointLimits {
  inFlight: number | null;
  waiting: { concurrency: number; rpm: number; tpm: number };
  backoff: number;
  /** Seconds from the event's `at` until the first request in backoff retries. */
  nextRetryS: number | null;
  circuit: string | null;
}

export interface Progress {
  done: number;
  planned: number | null;
  errors: number;
  cacheHits: number;
  calls: number | null;
  callsSaved: number | null;
  cost: number | null;
  callsPerS: number | null;
  etaS: number | null;
  endpoints: Record<string, EndpointLimits>;
}

export interface RungConfig {
  id: string;
  label: string;
  values: Record<string, number>;
  rankedBy: Record<string, number>;
  /** The items the config has seen (promoted: will have seen); null from an older event. */
  items: number | null;
}

export interface GuidedRung {
  bracket: number;
  rung: number;
  last: boolean;
  items: number | null;
  promoted: RungConfig[];
  dropped: RungConfig[];
  best: RungConfig | null;
  spent: number | null;
  budget: number | null;
}

export interface Steering {
  action: string;
  by: string | null;
  at: string;
  status: SweepStatus | null;
  concurrency: number | null;
}

/** A leaderboard row as the event carries it: the endpoint's row and its `label`. */
export type LiveRow = Omit<LeaderboardRow, 'stages' | 'stage_usage'> & {
  label?: string;
  stages?: LeaderboardRow['stages'];
  stage_usage?: LeaderboardRow['stage_usage'];
};

export interface LeaderboardUpdate {
  rows: LiveRow[];
  configs: number | null;
  final: boolean;
}

export interface RunSummary {
  id: number;
  configId: string | null;
  configLabel: string | null;
  status: string;
  score: number | null;
  cacheHit: boolean;
  errorKind: string;
}

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : {};
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function numbers(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, item] of Object.entries(obj(value))) {
    const n = num(item);
    if (n !== null) out[key] = n;
  }
  return out;
}

const STATUSES: readonly SweepStatus[] = [
  'queued',
  'running',
  'paused',
  'completed',
  'failed',
  'cancelled',
];

export function readStatus(value: unknown): SweepStatus | null {
  return STATUSES.find((status) => status === value) ?? null;
}

function readEndpoint(value: unknown): EndpointLimits {
  const raw = obj(value);
  const waiting = obj(raw.waiting);
  return {
    inFlight: num(raw.in_flight),
    waiting: {
      concurrency: num(waiting.concurrency) ?? 0,
      rpm: num(waiting.rpm) ?? 0,
      tpm: num(waiting.tpm) ?? 0,
    },
    backoff: num(raw.backoff) ?? 0,
    nextRetryS: num(raw.next_retry_s),
    circuit: str(raw.circuit),
  };
}

export function readProgress(payload: unknown): Progress {
  const raw = obj(payload);
  const endpoints: Record<string, EndpointLimits> = {};
  for (const [name, state] of Object.entries(obj(raw.endpoints))) {
    endpoints[name] = readEndpoint(state);
  }
  return {
    done: num(raw.done) ?? 0,
    planned: num(raw.planned),
    errors: num(raw.errors) ?? 0,
    cacheHits: num(raw.cache_hits) ?? 0,
    calls: num(raw.calls),
    callsSaved: num(raw.calls_saved),
    cost: num(raw.cost),
    callsPerS: num(raw.calls_per_s),
    etaS: num(raw.eta_s),
    endpoints,
  };
}

function readRungConfig(value: unknown): RungConfig | null {
  const raw = obj(value);
  const id = str(raw.id);
  if (id === null) return null;
  return {
    id,
    label: str(raw.label) ?? id.slice(0, 8),
    values: numbers(raw.values),
    rankedBy: numbers(raw.ranked_by),
    items: num(raw.items),
  };
}

function rungConfigs(value: unknown): RungConfig[] {
  return (Array.isArray(value) ? value : [])
    .map(readRungConfig)
    .filter((config): config is RungConfig => config !== null);
}

export function readRung(payload: unknown): GuidedRung {
  const raw = obj(payload);
  return {
    bracket: num(raw.bracket) ?? 0,
    rung: num(raw.rung) ?? 0,
    last: raw.last === true,
    items: num(raw.items),
    promoted: rungConfigs(raw.promoted),
    dropped: rungConfigs(raw.dropped),
    best: readRungConfig(raw.best),
    spent: num(raw.spent),
    budget: num(raw.budget),
  };
}

export function readSteering(payload: unknown, at: string): Steering {
  const raw = obj(payload);
  const result = obj(raw.result);
  return {
    action: str(raw.action) ?? 'unknown',
    by: str(raw.by),
    at: str(raw.at) ?? at,
    status: readStatus(result.status),
    concurrency: num(result.concurrency),
  };
}

function isRow(value: unknown): value is LiveRow {
  const raw = obj(value);
  return typeof raw.config_hash === 'string' && typeof raw.rank === 'number';
}

export function readLeaderboard(payload: unknown): LeaderboardUpdate {
  const raw = obj(payload);
  return {
    rows: (Array.isArray(raw.rows) ? raw.rows : []).filter(isRow),
    configs: num(raw.configs),
    final: raw.final === true,
  };
}

export function readRuns(payload: unknown): RunSummary[] {
  const runs = obj(payload).runs;
  return (Array.isArray(runs) ? runs : []).map((value) => {
    const raw = obj(value);
    const config = obj(raw.config);
    return {
      id: num(raw.id) ?? 0,
      configId: str(config.id),
      configLabel: str(config.label),
      status: str(raw.status) ?? 'done',
      score: num(raw.score),
      cacheHit: raw.cache_hit === true,
      errorKind: str(raw.error_kind) ?? '',
    };
  });
}

/** A message from the socket: an event, the greeting, an error, or null (not ours). */
export function classifyMessage(
  data: unknown,
): { kind: 'event'; event: SweepEvent } | { kind: 'hello'; hello: Hello } | { kind: 'error'; error: ServerError } | null {
  const raw = obj(data);
  if (raw.type === 'hello' && typeof raw.seq === 'number') {
    return { kind: 'hello', hello: raw as unknown as Hello };
  }
  if (raw.type === 'error') {
    return {
      kind: 'error',
      error: { type: 'error', message: str(raw.message) ?? 'error', action: str(raw.action) ?? undefined },
    };
  }
  if (isEvent(raw)) return { kind: 'event', event: raw };
  return null;
}

export function isEvent(value: unknown): value is SweepEvent {
  const raw = obj(value);
  return (
    typeof raw.type === 'string' &&
    typeof raw.seq === 'number' &&
    Number.isInteger(raw.seq) &&
    typeof raw.at === 'string'
  );
}
