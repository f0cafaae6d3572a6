import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components } from './schema';

export type ExperimentSummary = components['schemas']['ExperimentSummary'];
export type ExperimentSweep = components['schemas']['ExperimentSweep'];
export type Promotion = components['schemas']['Promotion'];
export type LastSweep = components['schemas']['LastSweep'];
export type CurrentLabel = components['schemas']['CurrentLabel'];
export type SweepStatus = components['schemas']['SweepStatusEnum'];

export const PAGE_SIZE = 50;

export const experimentKeys = {
  list: (project: number, page: number) => ['experiments', 'list', project, page] as const,
  detail: (id: number) => ['experiments', 'detail', id] as const,
  spec: (id: number) => ['experiments', 'spec', id] as const,
  sweeps: (id: number, page: number) => ['experiments', 'sweeps', id, page] as const,
  promotions: (id: number, page: number) => ['experiments', 'promotions', id, page] as const,
};

/** A project's experiments by name, each with its last sweep and current labels. */
export function useExperiments(project: number, page: number) {
  return useQuery({
    queryKey: experimentKeys.list(project, page),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/experiments/', {
          params: { query: { project, page, page_size: PAGE_SIZE, ordering: 'name' } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useExperiment(id: number) {
  return useQuery({
    queryKey: experimentKeys.detail(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/experiments/{id}/', { params: { path: { id } }, signal })),
  });
}

/** The spec as YAML, as the experiment accepted it (what `runexperiment` runs). */
export function useExperimentSpec(id: number) {
  return useQuery({
    queryKey: experimentKeys.spec(id),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/experiments/{id}/export/', {
          params: { path: { id } },
          parseAs: 'text',
          signal,
        }),
      ) as string,
  });
}

/** The experiment's sweeps, newest first. */
export function useExperimentSweeps(id: number, page: number) {
  return useQuery({
    queryKey: experimentKeys.sweeps(id, page),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/experiments/{id}/sweeps/', {
          params: { path: { id }, query: { page, page_size: PAGE_SIZE } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** Its labels' promotion history, latest first. */
export function usePromotions(id: number, page: number) {
  return useQuery({
    queryKey: experimentKeys.promotions(id, page),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/experiments/{id}/promotions/', {
          params: { path: { id }, query: { page, page_size: PAGE_SIZE } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}
