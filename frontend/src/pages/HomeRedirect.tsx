import { Navigate } from 'react-router';
import { useSignedIn } from '../api/useSignedIn';
import { EmptyState } from '../components/States';
import { useDocumentTitle } from '../lib/hooks';

/** "/": your first project's experiments, or why there is nothing to show. */
export function HomeRedirect() {
  useDocumentTitle();
  const session = useSignedIn();
  const first = session.projects[0];
  if (first) return <Navigate to={`/projects/${first.id}/experiments`} replace />;
  return (
    <EmptyState title="You are not in any project yet">
      An owner of a project can add you as a member (in the admin, or with{' '}
      <code>POST /api/projects/&#123;id&#125;/members/</code>), or create a project of your own
      with <code>POST /api/projects/</code>.
    </EmptyState>
  );
}
