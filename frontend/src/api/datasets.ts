import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components } from './schema';

export type Dataset = components['schemas']['Dataset'];
export type DatasetItem = components['schemas']['DatasetItem'];
export type ImportMode = components['schemas']['ModeEnum'];
export type ImportResult = components['schemas']['ImportResult'];

export const PAGE_SIZE = 50;
export const ITEM_PAGE_SIZE = 25;
/** What the export action writes (`?format=`). */
export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;

export const datasetKeys = {
  list: (project: number, page: number) => ['datasets', 'list', project, page] as const,
  detail: (id: number) => ['datasets', 'detail', id] as const,
  items: (id: number, page: number, search: string) => ['datasets', 'items', id, page, search] as const,
};

/** A project's datasets by name, each with its item count. */
export function useDatasetList(project: number, page: number) {
  return useQuery({
    queryKey: datasetKeys.list(project, page),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/datasets/', {
          params: { query: { project, page, page_size: PAGE_SIZE, ordering: 'name' } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useDataset(id: number) {
  return useQuery({
    queryKey: datasetKeys.detail(id),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/datasets/{id}/', { params: { path: { id } }, signal })),
  });
}

/** One page of the dataset's items in order; `search` (when not blank) keeps the matching ones. */
export function useDatasetItems(id: number, page: number, search: string) {
  return useQuery({
    queryKey: datasetKeys.items(id, page, search),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/datasets/{id}/items/', {
          params: {
            path: { id },
            query: { page, page_size: ITEM_PAGE_SIZE, ...(search ? { search } : {}) },
          },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** A new, empty dataset (editors and owners). */
export function useCreateDataset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: components['schemas']['DatasetRequest']) =>
      unwrap(await api.POST('/api/datasets/', { body })),
    onSuccess() {
      // The builder's dataset picker (['datasets', project]) too.
      void queryClient.invalidateQueries({ queryKey: ['datasets'] });
    },
  });
}

/**
 * Upload a .jsonl or .csv file into the dataset. The API takes all of it or
 * none: a refusal is an ApiError whose `errors` name each bad line.
 */
export function useImportDataset(id: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ file, mode }: { file: File; mode: ImportMode }) =>
      unwrap(
        await api.POST('/api/datasets/{id}/import/', {
          params: { path: { id } },
          // The schema types the file as a string; it travels as multipart.
          body: { file: '', mode },
          bodySerializer: () => {
            const form = new FormData();
            form.append('file', file, file.name);
            form.append('mode', mode);
            return form;
          },
        }),
      ),
    onSuccess() {
      void queryClient.invalidateQueries({ queryKey: ['datasets'] });
    },
  });
}

export function exportUrl(id: number, format: (typeof EXPORT_FORMATS)[number]): string {
  return `/api/datasets/${id}/export/?format=${format}`;
}
