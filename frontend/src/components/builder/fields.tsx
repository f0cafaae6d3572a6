import { createContext, type ReactNode, useContext } from 'react';
import { errorId, fieldId } from '../../builder/errors';

export interface BuilderContextValue {
  /** Messages by field path (validation, then the last save's). */
  errors: Map<string, string[]>;
  readOnly: boolean;
}

export const BuilderContext = createContext<BuilderContextValue>({ errors: new Map(), readOnly: false });

export function useFieldErrors(path: string): string[] {
  return useContext(BuilderContext).errors.get(path) ?? [];
}

export function useReadOnly(): boolean {
  return useContext(BuilderContext).readOnly;
}

/** The attributes that tie an input to its spec path and its errors. */
export function useFieldProps(path: string) {
  const errors = useFieldErrors(path);
  return {
    id: fieldId(path),
    'aria-invalid': errors.length > 0 || undefined,
    'aria-describedby': errors.length > 0 ? errorId(path) : undefined,
    'data-path': path,
  };
}

/** A field's (or a row's) errors, where its `aria-describedby` points. */
export function FieldErrors({ path }: { path: string }) {
  const errors = useFieldErrors(path);
  if (errors.length === 0) return null;
  return (
    <ul id={errorId(path)} className="mt-1 space-y-0.5 text-xs text-red-700">
      {errors.map((message, i) => (
        <li key={i}>{message}</li>
      ))}
    </ul>
  );
}

const INPUT =
  'w-full rounded border border-zinc-300 bg-white px-2 py-1 text-sm aria-invalid:border-red-500 aria-invalid:bg-red-50 disabled:bg-zinc-100 disabled:text-zinc-600';

export function inputClass(mono = false): string {
  return mono ? `${INPUT} font-mono text-xs` : INPUT;
}

interface TextFieldProps {
  path: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  placeholder?: string;
  multiline?: boolean;
  rows?: number;
  mono?: boolean;
  inputMode?: 'numeric' | 'decimal' | 'text';
  className?: string;
  required?: boolean;
}

/** A labelled text input (or textarea) for one spec field, with its errors under it. */
export function TextField({
  path,
  label,
  value,
  onChange,
  hint,
  placeholder,
  multiline,
  rows = 3,
  mono,
  inputMode,
  className,
  required,
}: TextFieldProps) {
  const props = useFieldProps(path);
  const readOnly = useReadOnly();
  return (
    <div className={className}>
      <label htmlFor={props.id} className="mb-0.5 block text-xs font-medium text-zinc-600">
        {label}
        {required && <span className="text-zinc-400"> (required)</span>}
      </label>
      {multiline ? (
        <textarea
          {...props}
          value={value}
          rows={rows}
          placeholder={placeholder}
          readOnly={readOnly}
          spellCheck={false}
          onChange={(event) => onChange(event.target.value)}
          className={`${inputClass(mono)} resize-y`}
        />
      ) : (
        <input
          {...props}
          type="text"
          value={value}
          placeholder={placeholder}
          inputMode={inputMode}
          readOnly={readOnly}
          spellCheck={false}
          onChange={(event) => onChange(event.target.value)}
          className={inputClass(mono)}
        />
      )}
      {hint && <p className="mt-0.5 text-xs text-zinc-500">{hint}</p>}
      <FieldErrors path={path} />
    </div>
  );
}

interface SelectFieldProps {
  path: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
  hint?: ReactNode;
  className?: string;
  disabled?: boolean;
}

export function SelectField({ path, label, value, onChange, options, hint, className, disabled }: SelectFieldProps) {
  const props = useFieldProps(path);
  const readOnly = useReadOnly();
  return (
    <div className={className}>
      <label htmlFor={props.id} className="mb-0.5 block text-xs font-medium text-zinc-600">
        {label}
      </label>
      <select
        {...props}
        value={value}
        disabled={readOnly || disabled}
        onChange={(event) => onChange(event.target.value)}
        className={inputClass()}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {hint && <p className="mt-0.5 text-xs text-zinc-500">{hint}</p>}
      <FieldErrors path={path} />
    </div>
  );
}

/** Move up, move down and remove for one row of a list; each names the row. */
export function RowControls({
  what,
  index,
  count,
  onMove,
  onRemove,
  minimum = 0,
}: {
  what: string;
  index: number;
  count: number;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
  minimum?: number;
}) {
  if (useReadOnly()) return null;
  const button =
    'rounded border border-zinc-300 bg-white px-1.5 py-0.5 text-xs text-zinc-600 hover:bg-zinc-100 disabled:opacity-40';
  return (
    <div className="flex shrink-0 gap-1">
      <button type="button" className={button} aria-label={`Move ${what} up`} disabled={index === 0} onClick={() => onMove(-1)}>
        ↑
      </button>
      <button
        type="button"
        className={button}
        aria-label={`Move ${what} down`}
        disabled={index === count - 1}
        onClick={() => onMove(1)}
      >
        ↓
      </button>
      <button
        type="button"
        className={button}
        aria-label={`Remove ${what}`}
        disabled={count <= minimum}
        onClick={onRemove}
      >
        Remove
      </button>
    </div>
  );
}

export function AddButton({ onClick, children }: { onClick: () => void; children: ReactNode }) {
  if (useReadOnly()) return null;
  return (
    <button type="button" className="btn-secondary text-xs" onClick={onClick}>
      + {children}
    </button>
  );
}

/** A titled group of fields; its id takes errors about the group as a whole. */
export function Group({
  path,
  title,
  children,
  description,
  actions,
}: {
  path: string;
  title: string;
  children: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  const props = useFieldProps(path);
  return (
    <fieldset
      id={props.id}
      tabIndex={-1}
      aria-describedby={props['aria-describedby']}
      className="rounded-md border border-zinc-200 bg-white p-3"
    >
      <legend className="px-1 text-sm font-semibold text-zinc-800">{title}</legend>
      <div className="flex items-start justify-between gap-3">
        {description && <p className="mb-2 text-xs text-zinc-500">{description}</p>}
        {actions}
      </div>
      <FieldErrors path={path} />
      <div className="space-y-3">{children}</div>
    </fieldset>
  );
}
