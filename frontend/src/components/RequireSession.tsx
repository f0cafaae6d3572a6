import { Navigate, Outlet, useLocation } from 'react-router';
import { useSession } from '../api/session';
import { SignedInContext } from '../api/useSignedIn';
import { ErrorState, FullPageLoading } from './States';

/** The signed-in part of the app: signed out, to the sign-in page and back after. */
export function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <FullPageLoading />;
  if (session.isError) {
    return (
      <main className="mx-auto max-w-xl px-6 py-16">
        <ErrorState
          title="Cannot tell who you are"
          error={session.error}
          onRetry={() => void session.refetch()}
        />
      </main>
    );
  }
  if (session.data === null) {
    const next = location.pathname + location.search;
    const query = next === '/' ? '' : `?next=${encodeURIComponent(next)}`;
    return <Navigate to={`/login${query}`} replace />;
  }
  return (
    <SignedInContext.Provider value={session.data}>
      <Outlet />
    </SignedInContext.Provider>
  );
}
