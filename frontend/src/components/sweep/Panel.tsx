import type { ReactNode } from 'react';

/** One titled region of the sweep page. */
export function Panel({
  id,
  title,
  actions,
  children,
  className = '',
}: {
  id: string;
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section aria-labelledby={id} className={`panel ${className}`}>
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-zinc-200 bg-zinc-50 px-3 py-2">
        <h2 id={id} className="text-sm font-semibold tracking-wide text-zinc-700 uppercase">
          {title}
        </h2>
        {actions}
      </div>
      <div className="p-3">{children}</div>
    </section>
  );
}
