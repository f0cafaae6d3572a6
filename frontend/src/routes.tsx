import type { RouteObject } from 'react-router';
import { AppShell } from './components/AppShell';
import { RequireSession } from './components/RequireSession';
import { FullPageLoading, RouteError } from './components/States';
import { HomeRedirect } from './pages/HomeRedirect';
import { NotFoundPage } from './pages/NotFoundPage';

/**
 * Real URLs, so any view can be bookmarked and shared. Pages load lazily:
 * the first load carries only the shell (scripts/bundle-size.mjs checks it).
 */
export const routes: RouteObject[] = [
  {
    HydrateFallback: FullPageLoading,
    ErrorBoundary: RouteError,
    children: [
      {
        path: 'login',
        lazy: async () => ({ Component: (await import('./pages/SignInPage')).SignInPage }),
      },
      {
        Component: RequireSession,
        children: [
          {
            Component: AppShell,
            children: [
              { index: true, Component: HomeRedirect },
              {
                path: 'projects/:projectId/experiments',
                lazy: async () => ({
                  Component: (await import('./pages/ExperimentsPage')).ExperimentsPage,
                }),
              },
              {
                path: 'projects/:projectId/experiments/new',
                lazy: async () => ({ Component: (await import('./pages/BuilderPage')).BuilderPage }),
              },
              {
                path: 'projects/:projectId/experiments/:experimentId/copy',
                lazy: async () => ({ Component: (await import('./pages/BuilderPage')).CopyBuilderPage }),
              },
              {
                path: 'projects/:projectId/experiments/:experimentId',
                lazy: async () => ({
                  Component: (await import('./pages/ExperimentPage')).ExperimentPage,
                }),
              },
              {
                path: 'projects/:projectId/experiments/:experimentId/promotions',
                lazy: async () => ({ Component: (await import('./pages/PromotionsPage')).PromotionsPage }),
              },
              {
                path: 'projects/:projectId/members',
                lazy: async () => ({ Component: (await import('./pages/MembersPage')).MembersPage }),
              },
              {
                path: 'projects/:projectId/cache',
                lazy: async () => ({ Component: (await import('./pages/CachePage')).CachePage }),
              },
              {
                path: 'projects/:projectId/prompts',
                lazy: async () => ({ Component: (await import('./pages/PromptsPage')).PromptsPage }),
              },
              {
                path: 'projects/:projectId/prompts/:promptId',
                lazy: async () => ({ Component: (await import('./pages/PromptPage')).PromptPage }),
              },
              {
                path: 'projects/:projectId/datasets',
                lazy: async () => ({ Component: (await import('./pages/DatasetsPage')).DatasetsPage }),
              },
              {
                path: 'projects/:projectId/datasets/:datasetId',
                lazy: async () => ({ Component: (await import('./pages/DatasetPage')).DatasetPage }),
              },
              {
                path: 'projects/:projectId/endpoints',
                lazy: async () => ({ Component: (await import('./pages/EndpointsPage')).EndpointsPage }),
              },
              {
                path: 'api-keys',
                lazy: async () => ({ Component: (await import('./pages/ApiKeysPage')).ApiKeysPage }),
              },
              {
                path: 'sweeps/:id',
                lazy: async () => ({ Component: (await import('./pages/SweepPage')).SweepPage }),
              },
              {
                path: 'sweeps/:id/runs',
                lazy: async () => ({ Component: (await import('./pages/RunsPage')).RunsPage }),
              },
              {
                path: 'sweeps/:id/compare',
                lazy: async () => ({ Component: (await import('./pages/ComparePage')).ComparePage }),
              },
              {
                path: 'sweeps/:id/versus',
                lazy: async () => ({ Component: (await import('./pages/VersusPage')).VersusPage }),
              },
              {
                path: 'runs/:id',
                lazy: async () => ({ Component: (await import('./pages/RunPage')).RunPage }),
              },
              { path: '*', Component: NotFoundPage },
            ],
          },
        ],
      },
    ],
  },
];
