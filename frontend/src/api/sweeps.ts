import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components } from './schema';

export type Sweep = components['schemas']['Sweep'];
export type LeaderboardRow = components['schemas']['AnalysisLeaderboardRow'];
export type Pareto = components['schemas']['Pareto'];
export type ParetoPoint = components['schemas']['ParetoPoint'];
export type Marginals = components['schemas']['Marginals'];
export type Heatmap = components['schemas']['Heatmap'];
export type PromoteRequest = components['schemas']['PromoteRequest'];

export const sweepKeys = {
  all: (id: number) => ['sweeps', id] as const,
  detail: (id: number) => ['sweeps', id, 'detail'] as const,
  /** Every analysis of the sweep: what a live update invalidates. */
  analysis: (id: number) => ['sweeps', id, 'analysis'] as const,
  leaderboard: (id: number) => ['sweeps', id, 'analysis', 'leaderboard'] as const,
  pareto: (id: number) => ['sweeps', id, 'analysis', 'pareto'] as const,
  marginals: (id: number) => ['sweeps', id, 'analysis', 'marginals'] as const,
  heatmap: (id: number, x: string | null, y: string | null) =>
    ['sweeps', id, 'analysis', 'heatmap', x, y] as const,
};

/** The sweep's progress counters and status (the live stream keeps them current). */
export function useSweep(id: number) {
  return useQuery({
    queryKey: sweepKeys.detail(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/sweeps/{id}/', { params: { path: { id } }, signal })),
  });
}

/** One row per config, best first, with its interval and the test against the best. */
export function useLeaderboard(id: number) {
  return useQuery({
    queryKey: sweepKeys.leaderboard(id),
    // JSON (the endpoint also answers CSV, with `?format=csv`).
    queryFn: async ({ signal }): Promise<LeaderboardRow[]> =>
      unwrap(
        await api.GET('/api/sweeps/{id}/leaderboard/', { params: { path: { id } }, signal }),
      ) as LeaderboardRow[],
    placeholderData: keepPreviousData,
  });
}

export function usePareto(id: number) {
  return useQuery({
    queryKey: sweepKeys.pareto(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/sweeps/{id}/pareto/', { params: { path: { id } }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useMarginals(id: number) {
  return useQuery({
    queryKey: sweepKeys.marginals(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/sweeps/{id}/marginals/', { params: { path: { id } }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** The mean score per pair of values of two axes (the server's default: prompt x model). */
export function useHeatmap(id: number, x: string | null, y: string | null) {
  return useQuery({
    queryKey: sweepKeys.heatmap(id, x, y),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/sweeps/{id}/heatmap/', {
          params: { path: { id }, query: { ...(x ? { x } : {}), ...(y ? { y } : {}) } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export type SteerAction =
  | { action: 'pause' }
  | { action: 'resume' }
  | { action: 'cancel' }
  | { action: 'concurrency'; value: number };

/**
 * Pause, resume, cancel or change the concurrency (editors and owners). The
 * outcome also reaches every viewer of the sweep as a `steering` event.
 */
export function useSteerSweep(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (steer: SteerAction): Promise<Sweep> => {
      const path = { params: { path: { id } } };
      switch (steer.action) {
        case 'pause':
          return unwrap(await api.POST('/api/sweeps/{id}/pause/', path));
        case 'resume':
          return unwrap(await api.POST('/api/sweeps/{id}/resume/', path));
        case 'cancel':
          return unwrap(await api.POST('/api/sweeps/{id}/cancel/', path));
        case 'concurrency':
          return unwrap(
            await api.POST('/api/sweeps/{id}/steer/', { ...path, body: { concurrency: steer.value } }),
          );
      }
    },
    onSuccess(sweep) {
      queryClient.setQueryData(sweepKeys.detail(id), sweep);
    },
  });
}

/** Make one config of this finished sweep the current one of a label (editors and owners). */
export function usePromote(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: PromoteRequest) =>
      unwrap(await api.POST('/api/sweeps/{id}/promote/', { params: { path: { id } }, body })),
    onSuccess() {
      // The experiment's labels and history changed.
      void queryClient.invalidateQueries({ queryKey: ['experiments'] });
    },
  });
}
