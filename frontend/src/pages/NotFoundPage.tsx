import { Link } from 'react-router';
import { useDocumentTitle } from '../lib/hooks';

export function NotFoundPage() {
  useDocumentTitle('Not found');
  return (
    <div className="py-12 text-center">
      <h1 className="text-lg font-semibold">Nothing here</h1>
      <p className="mt-2 text-sm text-zinc-600">
        This address is not a page of PromptLooper, or it is in a project you are not a member of.
      </p>
      <Link to="/" className="link mt-4 inline-block text-sm">
        Go to your experiments
      </Link>
    </div>
  );
}
