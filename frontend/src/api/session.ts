import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { ApiError } from './errors';
import type { components } from './schema';

export type Session = components['schemas']['Session'];
export type SessionProject = components['schemas']['SessionProject'];
export type Role = SessionProject['role'];

export const SESSION_KEY = ['session'] as const;

/**
 * Who is signed in: the session, or null when signed out (`signed_in` false;
 * a 401 if a stale key was sent). Fetching it also gives the browser the CSRF
 * cookie the sign-in form needs.
 */
export function useSession() {
  return useQuery({
    queryKey: SESSION_KEY,
    queryFn: async ({ signal }): Promise<Session | null> => {
      try {
        const session = unwrap(await api.GET('/api/auth/session/', { signal }));
        return session.signed_in ? session : null;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

export interface Credentials {
  username: string;
  password: string;
}

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: Credentials) => unwrap(await api.POST('/api/auth/session/', { body })),
    onSuccess(session) {
      queryClient.setQueryData(SESSION_KEY, session);
    },
  });
}

/**
 * Sign out, then load the sign-in page afresh: nothing of the signed-in
 * person's outlives the session (cached data, open streams, page state).
 */
export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      unwrap(await api.DELETE('/api/auth/session/'));
    },
    onSuccess() {
      queryClient.clear();
      window.location.assign('/login');
    },
  });
}
