import type { DiffOp } from '../../api/compare';
import { formatScore, MISSING } from '../../lib/format';

/** A difference of scores with its sign always shown: +0.120, −0.050, 0.000. */
export function formatDelta(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return MISSING;
  if (Math.abs(value) < 0.0005) return formatScore(0);
  return (value > 0 ? '+' : '−') + formatScore(Math.abs(value));
}

/** A delta as text, its colour a cue only (the sign says it). */
export function Delta({ value, label }: { value: number | null | undefined; label?: string }) {
  const tone =
    value === null || value === undefined || Math.abs(value) < 0.0005
      ? 'text-zinc-600'
      : value > 0
        ? 'text-emerald-800'
        : 'text-red-800';
  return (
    <span className={`font-mono tabular-nums whitespace-nowrap ${tone}`}>
      {label && <span className="sr-only">{label} </span>}
      {formatDelta(value)}
    </span>
  );
}

/** The letter a compared config goes by on the page: A (the reference), B, C, D. */
export function configLetter(index: number): string {
  return String.fromCharCode(65 + index);
}

export function LetterBadge({ index }: { index: number }) {
  return (
    <span
      aria-hidden="true"
      className="inline-flex size-5 shrink-0 items-center justify-center rounded bg-zinc-800 font-mono text-xs font-semibold text-white"
    >
      {configLetter(index)}
    </span>
  );
}

/**
 * An output with the words it changed against the reference's: struck
 * through (only in the reference), underlined (only in this one). The
 * server's diff joins back into both outputs exactly.
 */
export function DiffText({ ops }: { ops: readonly DiffOp[] }) {
  return (
    <>
      {ops.map((op, index) => {
        if (op.op === 'delete') {
          return (
            <del key={index} className="bg-red-100 text-red-900 line-through decoration-red-700" data-op="delete">
              {op.text}
            </del>
          );
        }
        if (op.op === 'insert') {
          return (
            <ins key={index} className="bg-emerald-100 text-emerald-950 underline decoration-emerald-700" data-op="insert">
              {op.text}
            </ins>
          );
        }
        return <span key={index}>{op.text}</span>;
      })}
    </>
  );
}
