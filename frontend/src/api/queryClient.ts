import { QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './errors';
import { SESSION_KEY } from './session';

/**
 * Queries retry server and network failures twice, never a refusal (4xx).
 * A 401 anywhere means the session ended: the session query is refetched,
 * and the app sends the person to the sign-in page.
 */
export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError(error, query) {
        if (error instanceof ApiError && error.status === 401 && query.queryKey[0] !== SESSION_KEY[0]) {
          void client.invalidateQueries({ queryKey: SESSION_KEY });
        }
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        retry: (failures, error) =>
          !(error instanceof ApiError && error.isClientError) && failures < 2,
      },
    },
  });
  return client;
}
