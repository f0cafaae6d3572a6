import { createContext, useContext } from 'react';
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

/** The project the URL names (`/projects/:projectId/...`), if it is one of yours. */
export function useCurrentProject(): {
  projectId: number | null;
  project: SessionProject | undefined;
} {
  const session = useSignedIn();
  const projectId = parseId(useParams().projectId);
  const project = session.projects.find((p) => p.id === projectId);
  return { projectId, project };
}
