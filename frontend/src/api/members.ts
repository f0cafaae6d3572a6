import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components } from './schema';
import { SESSION_KEY } from './session';

export type Member = components['schemas']['Member'];
export type MemberRole = components['schemas']['MemberRoleEnum'];

export const MEMBER_ROLES: MemberRole[] = ['viewer', 'editor', 'owner'];

export const memberKeys = {
  list: (project: number) => ['members', project] as const,
};

/** The project's members by user name, with their roles. */
export function useMembers(project: number) {
  return useQuery({
    queryKey: memberKeys.list(project),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/projects/{id}/members/', { params: { path: { id: project } }, signal })),
  });
}

/**
 * Add a member or change their role (owners). The session is refetched too:
 * an owner who changes their own role sees what they may do now.
 */
export function useSetMember(project: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: Member) =>
      unwrap(await api.POST('/api/projects/{id}/members/', { params: { path: { id: project } }, body })),
    onSuccess() {
      void queryClient.invalidateQueries({ queryKey: memberKeys.list(project) });
      void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
    },
  });
}

/** Remove a member (owners): they lose access to the project at once. */
export function useRemoveMember(project: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (username: string) =>
      unwrap(
        await api.DELETE('/api/projects/{id}/members/{username}/', {
          params: { path: { id: project, username } },
        }),
      ),
    onSuccess() {
      void queryClient.invalidateQueries({ queryKey: memberKeys.list(project) });
      void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
    },
  });
}
