import { Suspense, useId, useState } from 'react';
import { useHeatmap } from '../../api/sweeps';
import { LazyHeatmapChart } from '../charts';
import { EmptyState, Loading, QueryView, Spinner } from '../States';
import { Panel } from './Panel';

/**
 * The mean score over any two axes (the server's default: prompt x model).
 * `axes` are the sweep's, from its configs; picking the other picker's axis
 * swaps the two.
 */
export function HeatmapPanel({ sweepId, axes }: { sweepId: number; axes: readonly string[] }) {
  const [picked, setPicked] = useState<{ x: string | null; y: string | null }>({ x: null, y: null });
  const heatmap = useHeatmap(sweepId, picked.x, picked.y);
  const ids = useId();
  const x = picked.x ?? heatmap.data?.x ?? null;
  const y = picked.y ?? heatmap.data?.y ?? null;
  const options = [...new Set([...axes, ...(x ? [x] : []), ...(y ? [y] : [])])];

  const pick = (which: 'x' | 'y', value: string) => {
    const other = which === 'x' ? y : x;
    const mine = which === 'x' ? x : y;
    if (value === other) {
      setPicked(which === 'x' ? { x: value, y: mine } : { x: mine, y: value });
    } else {
      setPicked(which === 'x' ? { x: value, y } : { x, y: value });
    }
  };

  const pickers = options.length >= 2 && (
    <div className="flex flex-wrap items-center gap-3 text-sm">
      {(['x', 'y'] as const).map((which) => (
        <span key={which} className="flex items-center gap-1.5">
          <label htmlFor={`${ids}-${which}`} className="text-zinc-600">
            {which === 'x' ? 'Columns' : 'Rows'}
          </label>
          <select
            id={`${ids}-${which}`}
            value={(which === 'x' ? x : y) ?? ''}
            onChange={(e) => pick(which, e.target.value)}
            className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm"
          >
            {(which === 'x' ? x : y) === null && <option value="">default</option>}
            {options.map((axis) => (
              <option key={axis} value={axis}>
                {axis}
              </option>
            ))}
          </select>
        </span>
      ))}
      {heatmap.isFetching && !heatmap.isPending && <Spinner />}
    </div>
  );

  return (
    <Panel id={`${ids}-heading`} title="Heatmap" actions={pickers}>
      <QueryView
        query={heatmap}
        loading="Loading the heatmap"
        error="Could not load the heatmap"
        framed={false}
        isEmpty={(data) => data.cells.length === 0}
        empty={<EmptyState title="No scored runs yet">The heatmap fills in as runs are scored.</EmptyState>}
      >
        {(data) => (
          <Suspense fallback={<Loading label="Loading the chart" />}>
            <LazyHeatmapChart heatmap={data} />
          </Suspense>
        )}
      </QueryView>
    </Panel>
  );
}
