import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components } from './schema';

export type Compare = components['schemas']['Compare'];
export type CompareItem = components['schemas']['CompareItem'];
export type CompareRun = components['schemas']['CompareRun'];
export type CompareSummary = components['schemas']['CompareSummary'];
export type ConfigHead = components['schemas']['ConfigHead'];
export type DiffOp = components['schemas']['DiffOp'];
export type Versus = components['schemas']['Versus'];
export type VersusConfig = components['schemas']['VersusConfig'];

/** Items per page of the side-by-side view (the endpoint's default). */
export const COMPARE_PAGE_SIZE = 20;
/** The picker's choice of sweeps: a project's newest, at most this many. */
export const PICKER_SWEEPS = 200;

export const compareKeys = {
  // Under the sweep's analysis key: a live update of the sweep refreshes it too.
  compare: (id: number, configs: readonly string[], offset: number) =>
    ['sweeps', id, 'analysis', 'compare', configs.join(','), offset] as const,
  versus: (baseline: number, sweep: number) => ['sweeps', sweep, 'analysis', 'versus', baseline] as const,
  projectSweeps: (project: number) => ['sweeps', 'project', project] as const,
  experimentNames: (project: number) => ['experiments', 'names', project] as const,
};

/** 2 to 4 configs of a sweep side by side on the items they share, most disagreement first. */
export function useCompare(id: number, configs: readonly string[], offset: number) {
  return useQuery({
    queryKey: compareKeys.compare(id, configs, offset),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/sweeps/{id}/compare/', {
          params: { path: { id }, query: { configs: configs.join(','), offset, limit: COMPARE_PAGE_SIZE } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** `sweep` against the baseline sweep `baseline`: per config both share, the delta and a verdict. */
export function useVersus(baseline: number | null, sweep: number) {
  return useQuery({
    queryKey: compareKeys.versus(baseline ?? 0, sweep),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/sweeps/{id}/versus/{other}/', {
          params: { path: { id: baseline ?? 0, other: sweep } },
          signal,
        }),
      ),
    enabled: baseline !== null,
  });
}

/** A project's newest sweeps, for picking one to compare with. */
export function useProjectSweeps(project: number | undefined) {
  return useQuery({
    queryKey: compareKeys.projectSweeps(project ?? 0),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/sweeps/', {
          params: { query: { project, ordering: '-created_at', page_size: PICKER_SWEEPS } },
          signal,
        }),
      ),
    enabled: project !== undefined,
  });
}

/** Experiment id -> name in a project, to name the sweeps of the picker. */
export function useExperimentNames(project: number | undefined) {
  return useQuery({
    queryKey: compareKeys.experimentNames(project ?? 0),
    queryFn: async ({ signal }) => {
      const page = unwrap(
        await api.GET('/api/experiments/', {
          params: { query: { project, ordering: 'name', page_size: 500 } },
          signal,
        }),
      );
      return new Map(page.results.map((experiment) => [experiment.id, experiment.name]));
    },
    enabled: project !== undefined,
  });
}
