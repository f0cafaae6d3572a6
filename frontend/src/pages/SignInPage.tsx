import { type FormEvent, useId, useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../api/errors';
import { useSession, useSignIn } from '../api/session';
import { Spinner } from '../components/States';
import { useDocumentTitle } from '../lib/hooks';
import { safeNext } from '../lib/params';

/** Why signing in failed, in words for the person at the form. */
function signInError(error: unknown): string {
  if (error instanceof ApiError && error.status === 403 && error.message.startsWith('CSRF')) {
    return 'Your browser did not send this page’s security cookie (are cookies blocked?). Reload the page and try again.';
  }
  return errorMessage(error);
}

export function SignInPage() {
  useDocumentTitle('Sign in');
  const [search] = useSearchParams();
  const next = safeNext(search.get('next'));
  const navigate = useNavigate();
  // Also fetches the CSRF cookie the sign-in needs.
  const session = useSession();
  const signIn = useSignIn();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const errorId = useId();

  if (session.data) return <Navigate to={next} replace />;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate(
      { username, password },
      { onSuccess: () => navigate(next, { replace: true }) },
    );
  };
  const failed = signIn.isError;

  return (
    <main className="flex min-h-screen items-start justify-center bg-zinc-100 px-4 pt-24">
      <div className="w-full max-w-sm">
        <h1 className="mb-6 text-center text-lg font-semibold tracking-tight">
          Sign in to PromptLooper
        </h1>
        <form
          onSubmit={onSubmit}
          className="space-y-4 rounded-md border border-zinc-200 bg-white p-6 shadow-sm"
          aria-describedby={failed ? errorId : undefined}
          noValidate
        >
          {failed && (
            <p
              id={errorId}
              role="alert"
              className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
            >
              {signInError(signIn.error)}
            </p>
          )}
          <div className="space-y-1">
            <label htmlFor="username" className="block text-sm font-medium text-zinc-700">
              User name
            </label>
            <input
              id="username"
              name="username"
              autoComplete="username"
              required
              autoFocus
              value={username}
              onChange={(event) => setUsername(event.target.value)}
              aria-invalid={failed || undefined}
              className="block w-full rounded-md border border-zinc-300 px-2.5 py-1.5 text-sm"
            />
          </div>
          <div className="space-y-1">
            <label htmlFor="password" className="block text-sm font-medium text-zinc-700">
              Password
            </label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-invalid={failed || undefined}
              className="block w-full rounded-md border border-zinc-300 px-2.5 py-1.5 text-sm"
            />
          </div>
          <button
            type="submit"
            className="btn-primary w-full"
            disabled={signIn.isPending || !username || !password}
          >
            {signIn.isPending && <Spinner />}
            {signIn.isPending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p className="mt-4 text-center text-xs text-zinc-500">
          Accounts are made by an administrator (<code>manage.py createsuperuser</code> or the
          admin).
        </p>
      </div>
    </main>
  );
}
