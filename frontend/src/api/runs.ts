import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { RunFilters } from '../lib/runFilters';
import { api, unwrap } from './client';
import type { components, operations } from './schema';

export type Run = components['schemas']['Run'];
export type RunDetail = components['schemas']['RunDetail'];
export type RunScore = components['schemas']['Score'];
export type TraceStage = components['schemas']['TraceStage'];
export type RunPage = components['schemas']['PaginatedRunList'];
type RunListQuery = NonNullable<operations['sweeps_runs_list']['parameters']['query']>;

/** Runs per page: enough to fill a tall screen twice, small enough to answer fast. */
export const RUN_PAGE_SIZE = 100;

export const runKeys = {
  /** Under the sweep's key, so invalidating the sweep refreshes its runs too. */
  list: (sweepId: number, filters: RunFilters) => ['sweeps', sweepId, 'runs', filters] as const,
  detail: (id: number) => ['runs', id] as const,
};

/** The `cursor` of a page link the API sent (null at the end). */
export function cursorOf(link: string | null | undefined): string | null {
  if (!link) return null;
  return new URL(link, window.location.origin).searchParams.get('cursor');
}

/**
 * A sweep's runs in cursor pages, by id unless `filters.ordering` says
 * otherwise. New filters or a new ordering make a new query key, so paging
 * starts again from the first page (a cursor belongs to one ordering).
 */
export function useSweepRuns(sweepId: number, filters: RunFilters) {
  return useInfiniteQuery({
    queryKey: runKeys.list(sweepId, filters),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam, signal }) =>
      unwrap(
        await api.GET('/api/sweeps/{sweep_pk}/runs/', {
          params: {
            path: { sweep_pk: String(sweepId) },
            // The schema types the repeatable `axis` as one string; openapi-fetch sends
            // an array as repeated parameters (axis=a&axis=b), which is what the API reads.
            query: {
              ...filters,
              page_size: RUN_PAGE_SIZE,
              ...(pageParam ? { cursor: pageParam } : {}),
            } as RunListQuery,
          },
          signal,
        }),
      ),
    getNextPageParam: (page: RunPage) => cursorOf(page.next),
  });
}

/** One run: its messages, output, scores, raw response and (for a pipeline) its trace. */
export function useRun(id: number) {
  return useQuery({
    queryKey: runKeys.detail(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/runs/{id}/', { params: { path: { id } }, signal })),
  });
}
