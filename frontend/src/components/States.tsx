import type { ReactNode } from 'react';
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { errorMessage } from '../api/errors';

export function Spinner() {
  return (
    <span
      aria-hidden="true"
      className="inline-block size-3.5 animate-spin rounded-full border-2 border-zinc-300 border-t-zinc-600"
    />
  );
}

/** A region still loading, announced to screen readers. */
export function Loading({ label }: { label: string }) {
  return (
    <div role="status" className="flex items-center gap-2 px-3 py-6 text-sm text-zinc-500">
      <Spinner />
      <span>{label}…</span>
    </div>
  );
}

export function FullPageLoading() {
  return (
    <div className="flex min-h-screen items-center justify-center">
      <Loading label="Loading PromptLooper" />
    </div>
  );
}

export function ErrorState({
  title,
  error,
  onRetry,
}: {
  title: string;
  error: unknown;
  onRetry?: () => void;
}) {
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm">
      <p className="font-medium text-red-800">{title}</p>
      <p className="mt-1 text-red-700">{errorMessage(error)}</p>
      {onRetry && (
        <button type="button" onClick={onRetry} className="btn-secondary mt-3">
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-md border border-dashed border-zinc-300 bg-white px-6 py-10 text-center">
      <p className="text-sm font-medium text-zinc-800">{title}</p>
      {children && <div className="mx-auto mt-2 max-w-prose text-sm text-zinc-500">{children}</div>}
    </div>
  );
}

/**
 * What a route shows when it fails to render or to load its code (after a
 * new version was deployed, the old chunks are gone: reloading fixes it).
 */
export function RouteError() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : null;
  return (
    <main className="mx-auto max-w-xl px-6 py-16">
      <div role="alert">
        <h1 className="text-lg font-semibold">This page failed to load</h1>
        <p className="mt-2 text-sm text-zinc-600">
          {status ?? errorMessage(error)} If PromptLooper was just updated, reloading the page
          fetches the new version.
        </p>
      </div>
      <div className="mt-4 flex gap-2">
        <button type="button" className="btn-primary" onClick={() => window.location.reload()}>
          Reload
        </button>
        <Link to="/" className="btn-secondary">
          Home
        </Link>
      </div>
    </main>
  );
}

/** The part of a TanStack Query result QueryView reads. */
interface QueryLike<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => unknown;
}

/**
 * A query's four states in one place: loading (announced), an error with a
 * retry, empty (when `isEmpty` says so) and the content. `framed` puts the
 * loading state in a panel, as the content it stands for.
 */
export function QueryView<T>({
  query,
  loading,
  error,
  isEmpty,
  empty,
  framed = true,
  children,
}: {
  query: QueryLike<T>;
  /** "Loading prompts" (the ellipsis is added). */
  loading: string;
  /** "Could not load the prompts". */
  error: string;
  isEmpty?: (data: T) => boolean;
  /** Shown when `isEmpty` holds; an EmptyState, usually. */
  empty?: ReactNode;
  framed?: boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) {
    const spinner = <Loading label={loading} />;
    return framed ? <div className="panel">{spinner}</div> : spinner;
  }
  if (query.isError || query.data === undefined) {
    return <ErrorState title={error} error={query.error} onRetry={() => void query.refetch()} />;
  }
  if (isEmpty?.(query.data)) return <>{empty}</>;
  return <>{children(query.data)}</>;
}
