import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components } from './schema';

export type Prompt = components['schemas']['Prompt'];
export type PromptVersion = components['schemas']['PromptVersion'];
export type Message = components['schemas']['Message'];
export type MessageRole = components['schemas']['MessageRoleEnum'];

export const PAGE_SIZE = 50;
/** Every version in one page (the API's page size cap): the diff picks any two. */
const ALL = 500;

export const promptKeys = {
  list: (project: number, page: number) => ['prompts', 'list', project, page] as const,
  detail: (id: number) => ['prompts', 'detail', id] as const,
  versions: (id: number) => ['prompts', 'versions', id] as const,
};

/** A project's prompts by name, each with its latest version's number and messages. */
export function usePrompts(project: number, page: number) {
  return useQuery({
    queryKey: promptKeys.list(project, page),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/prompts/', {
          params: { query: { project, page, page_size: PAGE_SIZE, ordering: 'name' } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function usePrompt(id: number) {
  return useQuery({
    queryKey: promptKeys.detail(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/prompts/{id}/', { params: { path: { id } }, signal })),
  });
}

/** The prompt's versions, newest first. */
export function usePromptVersions(id: number) {
  return useQuery({
    queryKey: promptKeys.versions(id),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/prompts/{id}/versions/', {
          params: { path: { id }, query: { page_size: ALL } },
          signal,
        }),
      ),
  });
}

/**
 * Write new messages to the prompt (editors and owners): the API adds a
 * version when they differ from the latest one, and answers the prompt.
 */
export function useAddPromptVersion(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (messages: Message[]) =>
      unwrap(await api.PATCH('/api/prompts/{id}/', { params: { path: { id } }, body: { messages } })),
    onSuccess(prompt) {
      queryClient.setQueryData(promptKeys.detail(id), prompt);
      void queryClient.invalidateQueries({ queryKey: promptKeys.versions(id) });
      void queryClient.invalidateQueries({ queryKey: ['prompts', 'list'] });
    },
  });
}

/** A version's messages as the API stores them (the schema types them loosely). */
export function versionMessages(version: PromptVersion): Message[] {
  return Array.isArray(version.messages) ? (version.messages as Message[]) : [];
}
