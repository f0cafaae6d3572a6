import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components } from './schema';

export type CacheStats = components['schemas']['CacheStats'];
export type CacheExperimentStats = components['schemas']['CacheExperimentStats'];
export type PurgeRequest = components['schemas']['CachePurgeRequest'];

export const cacheKeys = {
  all: ['cache'] as const,
  project: (project: number) => ['cache', 'project', project] as const,
  experiments: (project: number) => ['cache', 'experiments', project] as const,
};

/** The project's whole cache: entries, hits, calls and cost saved (the judge's entries too). */
export function useProjectCacheStats(project: number) {
  return useQuery({
    queryKey: cacheKeys.project(project),
    queryFn: async ({ signal }) => {
      const rows = unwrap(await api.GET('/api/cache/stats/', { params: { query: { project } }, signal }));
      return rows[0] ?? null;
    },
  });
}

/** Per experiment, by name: the entries purging it deletes, their hits and savings. */
export function useExperimentCacheStats(project: number) {
  return useQuery({
    queryKey: cacheKeys.experiments(project),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/cache/experiments/', { params: { query: { project } }, signal })),
  });
}

/** Delete cached responses (owners); answers how many were deleted. */
export function usePurgeCache() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: PurgeRequest) => unwrap(await api.POST('/api/cache/purge/', { body })),
    onSuccess() {
      void queryClient.invalidateQueries({ queryKey: cacheKeys.all });
    },
  });
}
