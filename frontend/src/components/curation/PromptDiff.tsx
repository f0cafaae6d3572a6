import { useMemo } from 'react';
import { type DiffRow, type Segment, sideBySide } from '../../lib/promptDiff';

const TINT: Record<DiffRow['kind'], [string, string]> = {
  same: ['', ''],
  changed: ['bg-red-50', 'bg-emerald-50'],
  removed: ['bg-red-50', ''],
  added: ['', 'bg-emerald-50'],
};

/** One side of a row: A's changes struck (del, red), B's underlined (ins, green). */
function Line({ segments, side, tint }: { segments: Segment[] | null; side: 'a' | 'b'; tint: string }) {
  const edge = side === 'a' ? 'border-r border-r-zinc-200' : '';
  if (segments === null) return <td className={`bg-zinc-50 ${edge}`} />;
  const Mark = side === 'a' ? 'del' : 'ins';
  const mark = side === 'a' ? 'bg-red-200 text-red-950' : 'bg-emerald-200 text-emerald-950';
  return (
    <td className={`font-mono text-xs break-words whitespace-pre-wrap ${tint} ${edge}`}>
      {segments.map((segment, i) =>
        segment.changed ? (
          <Mark key={i} className={`rounded-sm ${mark}`}>
            {segment.text}
          </Mark>
        ) : (
          <span key={i}>{segment.text}</span>
        ),
      )}
    </td>
  );
}

/** Two versions' messages side by side: lines aligned, changed words highlighted. */
export function PromptDiff({ a, b, labelA, labelB }: { a: string; b: string; labelA: string; labelB: string }) {
  const rows = useMemo(() => sideBySide(a, b), [a, b]);
  const changes = rows.filter((row) => row.kind !== 'same').length;
  return (
    <div>
      <p className="px-3 py-2 text-sm text-zinc-600" aria-live="polite">
        {changes === 0
          ? 'The two versions have the same messages.'
          : `${changes} ${changes === 1 ? 'line differs' : 'lines differ'}.`}
      </p>
      <div className="overflow-x-auto">
        <table className="data-table table-fixed" aria-label={`${labelA} against ${labelB}`}>
          <thead>
            <tr>
              <th scope="col" className="w-1/2">
                {labelA}
              </th>
              <th scope="col" className="w-1/2">
                {labelB}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => {
              const [tintA, tintB] = TINT[row.kind];
              return (
                <tr key={i} data-kind={row.kind}>
                  <Line segments={row.a} side="a" tint={tintA} />
                  <Line segments={row.b} side="b" tint={tintB} />
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
