import { rowLabel } from '../sweep/configs';

type Obj = Record<string, unknown>;

/**
 * A run's config as the leaderboard labels it: a pipeline's config lists
 * its stages under `stages` (each named by `name`), a single stage's is flat.
 */
export function runConfigLabel(config: unknown): string {
  if (!config || typeof config !== 'object') return '';
  const obj = config as Obj;
  const stages = Array.isArray(obj.stages) ? (obj.stages as Obj[]) : [];
  return rowLabel({
    config: obj,
    stages: stages.map((stage) => ({
      stage: String(stage.name ?? stage.stage ?? ''),
      prompt: stage.prompt as string | null,
      endpoint: stage.endpoint as string | null,
      model: stage.model as string | null,
      params: (stage.params as Obj | null) ?? {},
    })),
  });
}

/** Tokens in and out: "1,204 + 88" (a dash when neither was counted). */
export function tokenPair(prompt: number | null, completion: number | null, format: (n: number | null) => string): string {
  if (prompt === null && completion === null) return format(null);
  return `${format(prompt)} + ${format(completion)}`;
}
