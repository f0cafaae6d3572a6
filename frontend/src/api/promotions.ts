import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { Promotion } from './experiments';
import type { components } from './schema';

export type RollbackRequest = components['schemas']['RollbackRequest'];
export type DeploymentStage = components['schemas']['DeploymentStage'];

/** The API's page size cap: a label's whole history on one page, grouped by label. */
export const HISTORY_LIMIT = 500;

export const promotionKeys = {
  history: (experiment: number) => ['experiments', 'label-history', experiment] as const,
};

/** The experiment's promotions, latest first (per label, the first is its current one). */
export function useLabelHistory(experiment: number) {
  return useQuery({
    queryKey: promotionKeys.history(experiment),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/experiments/{id}/promotions/', {
          params: { path: { id: experiment }, query: { page_size: HISTORY_LIMIT } },
          signal,
        }),
      ),
  });
}

/** Per label, its promotions latest first; labels in the order their latest promotion came. */
export function byLabel(promotions: Promotion[]): Map<string, Promotion[]> {
  const labels = new Map<string, Promotion[]>();
  for (const promotion of promotions) {
    const history = labels.get(promotion.label) ?? [];
    history.push(promotion);
    labels.set(promotion.label, history);
  }
  return labels;
}

/** Promote an earlier promotion again to a label (editors and owners): a new history entry. */
export function useRollback(experiment: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: RollbackRequest) =>
      unwrap(await api.POST('/api/experiments/{id}/rollback/', { params: { path: { id: experiment } }, body })),
    onSuccess() {
      // The experiment's labels (list and detail) and its history changed.
      void queryClient.invalidateQueries({ queryKey: ['experiments'] });
    },
  });
}
