import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components } from './schema';

export type Endpoint = components['schemas']['Endpoint'];
export type EndpointChanges = components['schemas']['PatchedEndpointRequest'];
export type ConnectionResult = components['schemas']['ConnectionResult'];

export const PAGE_SIZE = 50;

export const endpointKeys = {
  list: (project: number, page: number) => ['endpoints', 'list', project, page] as const,
};

/** A project's endpoints by name. */
export function useEndpointList(project: number, page: number) {
  return useQuery({
    queryKey: endpointKeys.list(project, page),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/endpoints/', {
          params: { query: { project, page, page_size: PAGE_SIZE, ordering: 'name' } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/**
 * Add an endpoint, or change one (`id` given; only the fields sent change:
 * `api_key` is sent only to replace the stored key).
 */
export function useSaveEndpoint() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id: number | null; body: EndpointChanges }) =>
      id === null
        ? unwrap(await api.POST('/api/endpoints/', { body: body as components['schemas']['EndpointRequest'] }))
        : unwrap(await api.PATCH('/api/endpoints/{id}/', { params: { path: { id } }, body })),
    onSuccess() {
      // The builder's endpoint picker (['endpoints', project]) too.
      void queryClient.invalidateQueries({ queryKey: ['endpoints'] });
    },
  });
}

/** Ask the endpoint for its models: does it answer, does it take the key? */
export function useTestEndpoint() {
  return useMutation({
    mutationFn: async (id: number) =>
      unwrap(await api.POST('/api/endpoints/{id}/test/', { params: { path: { id } } })),
  });
}
