import { createContext, useContext, useEffect } from 'react';
import { useParams } from 'react-router';
import { parseId } from '../lib/params';
import type { Session, SessionProject } from './session';

/** The signed-in session; `RequireSession` provides it to the pages it guards. */
export const SignedInContext = createContext<Session | null>(null);

export function useSignedIn(): Session {
  const session = useContext(SignedInContext);
  if (!session) throw new Error('useSignedIn() outside RequireSession');
  return session;
}

/**
 * The project a page shows whose URL does not name it (a sweep's page,
 * `/sweeps/:id`, bookmarkable without its project): the page announces it
 * (`usePageProject`) and the header's switcher and navigation follow.
 */
export const PageProjectContext = createContext<{
  id: number | null;
  set: (id: number | null) => void;
}>({ id: null, set: () => {} });

/** Announce the project of what this page shows, while it is shown. */
export function usePageProject(id: number | null | undefined): void {
  const { set } = useContext(PageProjectContext);
  useEffect(() => {
    set(id ?? null);
    return () => set(null);
  }, [id, set]);
}

/**
 * The project the URL names (`/projects/:projectId/...`), else the one the
 * page announced, if it is one of yours.
 */
export function useCurrentProject(): {
  projectId: number | null;
  project: SessionProject | undefined;
} {
  const session = useSignedIn();
  const announced = useContext(PageProjectContext).id;
  const projectId = parseId(useParams().projectId) ?? announced;
  const project = session.projects.find((p) => p.id === projectId);
  return { projectId, project };
}
