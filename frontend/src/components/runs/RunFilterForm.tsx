import { type FormEvent, useState } from 'react';
import { RUN_STATUSES, type RunFilters, type RunStatus } from '../../lib/runFilters';

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
  onChange,
}: {
  filters: RunFilters;
  configs: readonly ConfigChoice[];
  onChange: (filters: RunFilters) => void;
}) {
  const [item, setItem] = useState(filters.item?.toString() ?? '');
  const [scoreMin, setScoreMin] = useState(filters.score_min?.toString() ?? '');
  const [scoreMax, setScoreMax] = useState(filters.score_max?.toString() ?? '');
  const [errorKind, setErrorKind] = useState(filters.error_kind ?? '');

  function typed(): RunFilters {
    const itemId = numberOrUndefined(item);
    return {
      ...filters,
      item: itemId !== undefined && Number.isInteger(itemId) && itemId > 0 ? itemId : undefined,
      score_min: numberOrUndefined(scoreMin),
      score_max: numberOrUndefined(scoreMax),
      error_kind: errorKind.trim() || undefined,
    };
  }

  function applyTyped() {
    const next = typed();
    if (
      next.item !== filters.item ||
      next.score_min !== filters.score_min ||
      next.score_max !== filters.score_max ||
      next.error_kind !== filters.error_kind
    ) {
      onChange(next);
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
          onBlur={applyTyped}
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
          onBlur={applyTyped}
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
          onBlur={applyTyped}
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
          onBlur={applyTyped}
        />
      </label>
      {/* Enter in a number field submits; the button makes that visible. */}
      <button type="submit" className="btn-secondary">
        Apply
      </button>
    </form>
  );
}
