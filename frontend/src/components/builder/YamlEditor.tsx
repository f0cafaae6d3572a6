import type { ErrorItem } from '../../api/errors';
import { useReadOnly } from './fields';

/**
 * The spec as YAML in a plain monospace textarea. What it cannot read is
 * shown here (with its line); the form keeps the last spec it could.
 */
export function YamlEditor({
  text,
  onChange,
  parseError,
  errors,
  onShowField,
}: {
  text: string;
  onChange: (text: string) => void;
  parseError: { message: string; line: number | null } | null;
  errors: ErrorItem[];
  onShowField: (path: string) => void;
}) {
  const readOnly = useReadOnly();
  return (
    <div className="space-y-2">
      <label htmlFor="spec-yaml" className="block text-xs font-medium text-zinc-600">
        Spec (YAML)
      </label>
      <textarea
        id="spec-yaml"
        value={text}
        readOnly={readOnly}
        spellCheck={false}
        aria-invalid={parseError ? true : undefined}
        aria-describedby={parseError ? 'spec-yaml-error' : undefined}
        onChange={(event) => onChange(event.target.value)}
        rows={Math.min(40, Math.max(16, text.split('\n').length + 1))}
        className="w-full resize-y rounded-md border border-zinc-300 bg-white p-3 font-mono text-xs leading-relaxed aria-invalid:border-red-500"
      />
      {parseError && (
        <p id="spec-yaml-error" role="alert" className="text-sm text-red-700">
          {parseError.line !== null ? `Line ${parseError.line}: ` : ''}
          {parseError.message} The form keeps the last spec that could be read.
        </p>
      )}
      {errors.length > 0 && (
        <div className="rounded-md border border-red-200 bg-red-50 px-3 py-2">
          <p className="text-sm font-medium text-red-800">
            {errors.length === 1 ? '1 error' : `${errors.length} errors`} in this spec
          </p>
          <ul className="mt-1 space-y-0.5 text-sm text-red-800">
            {errors.map((error, i) => (
              <li key={i}>
                {error.path ? (
                  <button type="button" className="font-mono text-xs underline" onClick={() => onShowField(error.path)}>
                    {error.path}
                  </button>
                ) : (
                  <span className="font-mono text-xs">(the spec)</span>
                )}
                : {error.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
