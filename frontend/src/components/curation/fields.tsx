import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../../api/errors';

/** A refused save's field errors by path (`messages[0].content`), the rest under "". */
export function errorsByPath(error: unknown, known: Iterable<string>): Map<string, string[]> {
  const paths = new Set(known);
  const out = new Map<string, string[]>();
  if (!(error instanceof ApiError)) return out;
  for (const item of error.errors) {
    const key = paths.has(item.path) ? item.path : '';
    out.set(key, [...(out.get(key) ?? []), item.path && key === '' ? `${item.path}: ${item.message}` : item.message]);
  }
  return out;
}

export const INPUT_CLASS =
  'w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm aria-invalid:border-red-500 aria-invalid:bg-red-50';

/** The attributes that tie an input to its errors. */
export function fieldProps(id: string, errors: string[] | undefined) {
  const invalid = (errors?.length ?? 0) > 0;
  return {
    id,
    'aria-invalid': invalid || undefined,
    'aria-describedby': invalid ? `${id}-error` : undefined,
  };
}

/** A labelled field with its hint and its errors under it (where `aria-describedby` points). */
export function Field({
  id,
  label,
  errors,
  hint,
  children,
  className,
}: {
  id: string;
  label: ReactNode;
  errors: string[] | undefined;
  hint?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-0.5 block text-xs font-medium text-zinc-600">
        {label}
      </label>
      {children}
      {hint && <p className="mt-0.5 text-xs text-zinc-500">{hint}</p>}
      {errors && errors.length > 0 && (
        <ul id={`${id}-error`} className="mt-1 space-y-0.5 text-xs text-red-700">
          {errors.map((message, i) => (
            <li key={i}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** What a save was refused for, beyond its fields. */
export function FormError({ title, error, general }: { title: string; error: unknown; general: string[] | undefined }) {
  if (!error) return null;
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      <p className="font-medium">{title}</p>
      <p>{errorMessage(error)}</p>
      {general && general.length > 0 && (
        <ul className="mt-1 list-disc pl-5">
          {general.map((message, i) => (
            <li key={i}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
