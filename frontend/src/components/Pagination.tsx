import { Link, useSearchParams } from 'react-router';

/** Previous and next page links, the page kept in the URL (`?page=`). */
export function Pagination({
  page,
  count,
  pageSize,
  label,
}: {
  page: number;
  count: number;
  pageSize: number;
  label: string;
}) {
  const [search] = useSearchParams();
  const pages = Math.max(1, Math.ceil(count / pageSize));
  if (pages <= 1) return null;
  const to = (target: number) => {
    const next = new URLSearchParams(search);
    if (target === 1) next.delete('page');
    else next.set('page', String(target));
    const query = next.toString();
    return query ? `?${query}` : '?';
  };
  return (
    <nav aria-label={label} className="flex items-center justify-end gap-2 px-3 py-2 text-sm">
      <span className="text-zinc-500 tabular-nums">
        Page {page} of {pages}
      </span>
      {page > 1 ? (
        <Link className="btn-secondary" to={to(page - 1)}>
          Previous
        </Link>
      ) : (
        <span className="btn-secondary opacity-40" aria-disabled="true">
          Previous
        </span>
      )}
      {page < pages ? (
        <Link className="btn-secondary" to={to(page + 1)}>
          Next
        </Link>
      ) : (
        <span className="btn-secondary opacity-40" aria-disabled="true">
          Next
        </span>
      )}
    </nav>
  );
}
