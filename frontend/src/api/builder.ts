import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components } from './schema';

export type Endpoint = components['schemas']['Endpoint'];
export type Dataset = components['schemas']['Dataset'];
export type Scorer = components['schemas']['Scorer'];
export type ValidationResult = components['schemas']['ValidationResult'];
export type Experiment = components['schemas']['Experiment'];
export type Sweep = components['schemas']['Sweep'];

/** Enough for any project's picker in one page (the API's page size cap). */
const ALL = 500;

export const builderKeys = {
  endpoints: (project: number) => ['endpoints', project] as const,
  datasets: (project: number) => ['datasets', project] as const,
  scorers: ['scorers'] as const,
  validate: (specJson: string) => ['validate', specJson] as const,
  sameName: (project: number, name: string) => ['experiments', 'named', project, name] as const,
};

/** The endpoints stored in the project, by name: what a model may name. */
export function useEndpoints(project: number) {
  return useQuery({
    queryKey: builderKeys.endpoints(project),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/endpoints/', {
          params: { query: { project, page_size: ALL, ordering: 'name' } },
          signal,
        }),
      ).results,
  });
}

/** The datasets stored in the project, by name. */
export function useDatasets(project: number) {
  return useQuery({
    queryKey: builderKeys.datasets(project),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/datasets/', {
          params: { query: { project, page_size: ALL, ordering: 'name' } },
          signal,
        }),
      ).results,
  });
}

/** Every registered scorer with its options (built-in and custom). */
export function useScorers() {
  return useQuery({
    queryKey: builderKeys.scorers,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/scorers/', { signal })),
    staleTime: Infinity,
  });
}

/**
 * The validator's answer for a spec. One query per spec: an answer that
 * comes back after the spec changed lands under its own key and is never
 * shown; a query left behind is cancelled (its request aborted). The
 * previous answer stays on screen while the next is on its way.
 */
export function useValidation(specJson: string, enabled: boolean) {
  return useQuery({
    queryKey: builderKeys.validate(specJson),
    queryFn: async ({ signal }): Promise<ValidationResult> =>
      // The schema types the spec as free-form: the validator checks it whole.
      unwrap(
        await api.POST('/api/experiments/validate/', { body: JSON.parse(specJson) as never, signal }),
      ),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    gcTime: 60_000,
    retry: false,
  });
}

/** Whether the project has an experiment of this name (saving a spec of that name updates it). */
export function useExperimentNamed(project: number, name: string) {
  return useQuery({
    queryKey: builderKeys.sameName(project, name),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/experiments/', {
          params: { query: { project, name, page_size: 1 } },
          signal,
        }),
      ).results[0] ?? null,
    enabled: name.trim() !== '',
  });
}

export interface SavedAndStarted {
  experiment: Experiment;
  sweep: Sweep | null;
  /** Why the sweep did not start, the experiment being saved. */
  startError: unknown;
}

/**
 * Store the spec (a new experiment, or the new spec of the one of that
 * name) and queue a sweep of it (editors and owners).
 */
export function useSaveAndStart() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (spec: unknown): Promise<SavedAndStarted> => {
      const experiment = unwrap(await api.POST('/api/experiments/', { body: spec as never }));
      try {
        const sweep = unwrap(
          await api.POST('/api/experiments/{id}/sweeps/', {
            params: { path: { id: experiment.id } },
            body: { no_cache: false },
          }),
        );
        return { experiment, sweep, startError: null };
      } catch (startError) {
        return { experiment, sweep: null, startError };
      }
    },
    onSuccess() {
      void queryClient.invalidateQueries({ queryKey: ['experiments'] });
    },
  });
}
