import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components } from './schema';

export type ApiKey = components['schemas']['ApiKey'];
export type NewApiKey = components['schemas']['NewApiKey'];
export type ApiKeyRequest = components['schemas']['ApiKeyRequest'];

export const PAGE_SIZE = 50;

export const apiKeyKeys = {
  list: (page: number) => ['api-keys', 'list', page] as const,
};

/** Your API keys, newest first (never the keys themselves). */
export function useApiKeys(page: number) {
  return useQuery({
    queryKey: apiKeyKeys.list(page),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/api-keys/', {
          params: { query: { page, page_size: PAGE_SIZE, ordering: '-created_at' } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** Make a key: the answer carries the key itself, this once only. */
export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: ApiKeyRequest) => unwrap(await api.POST('/api/api-keys/', { body })),
    onSuccess() {
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
}

/** Revoke a key at once (the API keeps it, listed as revoked). */
export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) => {
      unwrap(await api.DELETE('/api/api-keys/{id}/', { params: { path: { id } } }));
    },
    onSuccess() {
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
}
