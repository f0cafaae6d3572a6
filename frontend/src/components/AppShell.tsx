import { useMemo, useState } from 'react';
import { Link, NavLink, Outlet, useNavigation } from 'react-router';
import { errorMessage } from '../api/errors';
import { useSignOut } from '../api/session';
import { PageProjectContext, useCurrentProject, useSignedIn } from '../api/useSignedIn';
import { ProjectSwitcher } from './ProjectSwitcher';

/** The header (project switcher, navigation, who is signed in) around every page. */
export function AppShell() {
  const [pageProject, setPageProject] = useState<number | null>(null);
  const announced = useMemo(() => ({ id: pageProject, set: setPageProject }), [pageProject]);
  return (
    <PageProjectContext.Provider value={announced}>
      <Shell />
    </PageProjectContext.Provider>
  );
}

function Shell() {
  const session = useSignedIn();
  const { projectId, project } = useCurrentProject();
  const navigation = useNavigation();
  const signOut = useSignOut();

  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-1.5 focus:text-sm"
      >
        Skip to content
      </a>
      <header className="bg-zinc-900 text-zinc-100">
        <div className="mx-auto flex h-12 max-w-7xl items-center gap-6 px-4">
          <Link to="/" className="text-sm font-semibold tracking-tight text-white">
            PromptLooper
          </Link>
          <ProjectSwitcher projects={session.projects} current={projectId} />
          {project && (
            <nav aria-label="Project" className="flex items-center gap-1 text-sm">
              <NavLink
                to={`/projects/${project.id}/experiments`}
                className={({ isActive }) =>
                  `rounded px-2 py-1 ${isActive ? 'bg-zinc-700 text-white' : 'text-zinc-300 hover:text-white'}`
                }
                end={false}
              >
                Experiments
              </NavLink>
              <NavLink
                to={`/projects/${project.id}/prompts`}
                className={({ isActive }) =>
                  `rounded px-2 py-1 ${isActive ? 'bg-zinc-700 text-white' : 'text-zinc-300 hover:text-white'}`
                }
              >
                Prompts
              </NavLink>
              <NavLink
                to={`/projects/${project.id}/datasets`}
                className={({ isActive }) =>
                  `rounded px-2 py-1 ${isActive ? 'bg-zinc-700 text-white' : 'text-zinc-300 hover:text-white'}`
                }
              >
                Datasets
              </NavLink>
              <NavLink
                to={`/projects/${project.id}/endpoints`}
                className={({ isActive }) =>
                  `rounded px-2 py-1 ${isActive ? 'bg-zinc-700 text-white' : 'text-zinc-300 hover:text-white'}`
                }
              >
                Endpoints
              </NavLink>
              <NavLink
                to={`/projects/${project.id}/members`}
                className={({ isActive }) =>
                  `rounded px-2 py-1 ${isActive ? 'bg-zinc-700 text-white' : 'text-zinc-300 hover:text-white'}`
                }
              >
                Members
              </NavLink>
              <NavLink
                to={`/projects/${project.id}/cache`}
                className={({ isActive }) =>
                  `rounded px-2 py-1 ${isActive ? 'bg-zinc-700 text-white' : 'text-zinc-300 hover:text-white'}`
                }
              >
                Cache
              </NavLink>
            </nav>
          )}
          <div className="ml-auto flex items-center gap-4 text-sm">
            <NavLink
              to="/api-keys"
              className={({ isActive }) => (isActive ? 'text-white underline underline-offset-4' : 'text-zinc-300 hover:text-white')}
            >
              API keys
            </NavLink>
            <a href="/api/docs/" className="text-zinc-300 hover:text-white">
              API
            </a>
            <span className="text-zinc-400">
              <span className="text-zinc-200">{session.username}</span>
              {project && <span> · {project.role}</span>}
            </span>
            <button
              type="button"
              onClick={() => signOut.mutate()}
              disabled={signOut.isPending}
              className="rounded border border-zinc-600 px-2 py-0.5 text-zinc-200 hover:bg-zinc-800 disabled:opacity-60"
            >
              {signOut.isPending ? 'Signing out…' : 'Sign out'}
            </button>
          </div>
        </div>
        {signOut.isError && (
          <p role="alert" className="bg-red-900 px-4 py-1 text-center text-sm text-red-50">
            Could not sign out: {errorMessage(signOut.error)}
          </p>
        )}
        <div
          aria-hidden="true"
          className={`h-0.5 bg-blue-500 transition-opacity ${navigation.state === 'loading' ? 'animate-pulse opacity-100' : 'opacity-0'}`}
        />
      </header>
      <main id="main" className="mx-auto max-w-7xl px-4 py-6">
        <Outlet />
      </main>
    </div>
  );
}
