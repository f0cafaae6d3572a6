import { type FormEvent, useState } from 'react';
import { RUN_STATUSES, type RunFilters, type RunStatus, splitAxis } from '../../lib/runFilters';
import type { AxisChoice } from './axes';

export interface ConfigChoice {
  hash: string;
  label: string;
}

function boolValue(value: boolean | undefined): string {
  return value === undefined ? '' : String(value);
}

function parseBoolChoice(value: string): boolean | undefined {
  return value === '' ? undefined : value === 'true';
}

function numberOrUndefined(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

const FIELD = 'flex flex-col gap-1 text-xs font-medium text-zinc-600';
const CONTROL = 'rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm font-normal text-zinc-900';

/**
 * The filters the API takes. Choices apply at once; numbers apply on
 * Enter or when the field is left, so typing "0.75" does not fetch
 * "0", "0.", "0.7" on the way.
 */
export function RunFilterForm({
  filters,
  configs,
  axes,
  scorers,
  onChange,
}: {
  filters: RunFilters;
  configs: readonly ConfigChoice[];
  /** The config axes with more than one value in the sweep. */
  axes: readonly AxisChoice[];
  scorers: readonly string[];
  onChange: (filters: RunFilters) => void;
}) {
  const [item, setItem] = useState(filters.item?.toString() ?? '');
  const [scoreMin, setScoreMin] = useState(filters.score_min?.toString() ?? '');
  const [scoreMax, setScoreMax] = useState(filters.score_max?.toString() ?? '');
  const [errorKind, setErrorKind] = useState(filters.error_kind ?? '');
  // A scorer applies only with a bound (the API refuses it alone): until one is typed it is this form's.
  const [scorer, setScorer] = useState(filters.scorer ?? '');
  const [scorerMin, setScorerMin] = useState(filters.scorer_min?.toString() ?? '');
  const [scorerMax, setScorerMax] = useState(filters.scorer_max?.toString() ?? '');

  function typed(scorerName: string = scorer): RunFilters {
    const itemId = numberOrUndefined(item);
    const low = numberOrUndefined(scorerMin);
    const high = numberOrUndefined(scorerMax);
    const bounded = scorerName !== '' && (low !== undefined || high !== undefined);
    return {
      ...filters,
      item: itemId !== undefined && Number.isInteger(itemId) && itemId > 0 ? itemId : undefined,
      score_min: numberOrUndefined(scoreMin),
      score_max: numberOrUndefined(scoreMax),
      error_kind: errorKind.trim() || undefined,
      scorer: bounded ? scorerName : undefined,
      scorer_min: bounded ? low : undefined,
      scorer_max: bounded ? high : undefined,
    };
  }

  function applyTyped(scorerName: string = scorer) {
    const next = typed(scorerName);
    if (
      next.item !== filters.item ||
      next.score_min !== filters.score_min ||
      next.score_max !== filters.score_max ||
      next.error_kind !== filters.error_kind ||
      next.scorer !== filters.scorer ||
      next.scorer_min !== filters.scorer_min ||
      next.scorer_max !== filters.scorer_max
    ) {
      onChange(next);
    }
  }

  const chosenAxes = new Map((filters.axis ?? []).map(splitAxis));
  // An axis in the URL the sweep's configs do not vary on still gets its select, so it can be cleared.
  const axisSelects: AxisChoice[] = [
    ...axes,
    ...[...chosenAxes.keys()].filter((name) => !axes.some((a) => a.name === name)).map((name) => ({ name, values: [] })),
  ];

  function chooseAxis(name: string, value: string) {
    const others = (filters.axis ?? []).filter((text) => splitAxis(text)[0] !== name);
    const axis = value === '' ? others : [...others, `${name}:${value}`];
    onChange({ ...typed(), axis: axis.length > 0 ? axis : undefined });
  }

  function chooseScorer(name: string) {
    setScorer(name);
    if (name === '') {
      setScorerMin('');
      setScorerMax('');
      if (filters.scorer !== undefined) onChange({ ...typed(''), scorer: undefined });
    } else {
      applyTyped(name);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    applyTyped();
  }

  const knownConfig = !filters.config_hash || configs.some((c) => c.hash === filters.config_hash);

  return (
    <form onSubmit={submit} aria-label="Filter runs" className="flex flex-wrap items-end gap-3">
      <label className={FIELD}>
        Config
        <select
          className={`${CONTROL} w-60`}
          value={filters.config_hash ?? ''}
          onChange={(e) => onChange({ ...typed(), config_hash: e.target.value || undefined })}
        >
          <option value="">Any config</option>
          {!knownConfig && <option value={filters.config_hash}>{filters.config_hash}</option>}
          {configs.map((config) => (
            <option key={config.hash} value={config.hash}>
              {config.label}
            </option>
          ))}
        </select>
      </label>
      {axisSelects.map((axis) => {
        const chosen = chosenAxes.get(axis.name);
        return (
          <label key={axis.name} className={FIELD}>
            {axis.name}
            <select
              className={`${CONTROL} max-w-48`}
              value={chosen ?? ''}
              onChange={(e) => chooseAxis(axis.name, e.target.value)}
            >
              <option value="">Any</option>
              {chosen !== undefined && !axis.values.includes(chosen) && <option value={chosen}>{chosen}</option>}
              {axis.values.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </label>
        );
      })}
      <label className={FIELD}>
        Status
        <select
          className={CONTROL}
          value={filters.status ?? ''}
          onChange={(e) => onChange({ ...typed(), status: (e.target.value || undefined) as RunStatus | undefined })}
        >
          <option value="">Any status</option>
          {RUN_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </label>
      <label className={FIELD}>
        Errors
        <select
          className={CONTROL}
          value={boolValue(filters.error)}
          onChange={(e) => onChange({ ...typed(), error: parseBoolChoice(e.target.value) })}
        >
          <option value="">With or without</option>
          <option value="true">Errors only</option>
          <option value="false">No errors</option>
        </select>
      </label>
      <label className={FIELD}>
        Cache
        <select
          className={CONTROL}
          value={boolValue(filters.cache_hit)}
          onChange={(e) => onChange({ ...typed(), cache_hit: parseBoolChoice(e.target.value) })}
        >
          <option value="">Hits and misses</option>
          <option value="true">Cache hits only</option>
          <option value="false">Cache misses only</option>
        </select>
      </label>
      <label className={FIELD}>
        Item id
        <input
          className={`${CONTROL} w-20`}
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          value={item}
          onChange={(e) => setItem(e.target.value)}
          onBlur={() => applyTyped()}
        />
      </label>
      <label className={FIELD}>
        Score at least
        <input
          className={`${CONTROL} w-20`}
          type="number"
          step="any"
          value={scoreMin}
          onChange={(e) => setScoreMin(e.target.value)}
          onBlur={() => applyTyped()}
        />
      </label>
      <label className={FIELD}>
        Score at most
        <input
          className={`${CONTROL} w-20`}
          type="number"
          step="any"
          value={scoreMax}
          onChange={(e) => setScoreMax(e.target.value)}
          onBlur={() => applyTyped()}
        />
      </label>
      <label className={FIELD}>
        Scorer
        <select className={CONTROL} value={scorer} onChange={(e) => chooseScorer(e.target.value)}>
          <option value="">Any scorer</option>
          {scorer !== '' && !scorers.includes(scorer) && <option value={scorer}>{scorer}</option>}
          {scorers.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label className={FIELD}>
        Scorer at least
        <input
          className={`${CONTROL} w-20`}
          type="number"
          step="any"
          disabled={scorer === ''}
          value={scorerMin}
          onChange={(e) => setScorerMin(e.target.value)}
          onBlur={() => applyTyped()}
        />
      </label>
      <label className={FIELD}>
        Scorer at most
        <input
          className={`${CONTROL} w-20`}
          type="number"
          step="any"
          disabled={scorer === ''}
          value={scorerMax}
          onChange={(e) => setScorerMax(e.target.value)}
          onBlur={() => applyTyped()}
        />
      </label>
      <label className={FIELD}>
        Error kind
        <input
          className={`${CONTROL} w-28`}
          type="text"
          placeholder="exact name"
          value={errorKind}
          onChange={(e) => setErrorKind(e.target.value)}
          onBlur={() => applyTyped()}
        />
      </label>
      {/* Enter in a number field submits; the button makes that visible. */}
      <button type="submit" className="btn-secondary">
        Apply
      </button>
    </form>
  );
}
