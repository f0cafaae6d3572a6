import type { ParetoPoint } from '../../api/sweeps';
import { formatCost, formatMs, formatScore } from '../../lib/format';
import { EChart } from './EChart';
import { type ChartOption, escapeHtml } from './echarts';

export type ParetoMetric = 'cost' | 'latency';

function xOf(point: ParetoPoint, metric: ParetoMetric): number {
  return (metric === 'cost' ? point.cost_per_run : point.latency_ms_p50) ?? 0;
}

/** Score against cost per run (or latency p50), the front drawn through its points. */
export default function ParetoChart({ points, metric }: { points: ParetoPoint[]; metric: ParetoMetric }) {
  const format = metric === 'cost' ? formatCost : formatMs;
  const datum = (point: ParetoPoint) => ({ value: [xOf(point, metric), point.score], point });
  const front = points.filter((p) => p.on_front).sort((a, b) => xOf(a, metric) - xOf(b, metric));
  const dominated = points.filter((p) => !p.on_front);
  const option: ChartOption = {
    animation: false,
    grid: { left: 8, right: 24, top: 32, bottom: 32, containLabel: true },
    legend: { top: 0, right: 0, data: ['On the front', 'Dominated'] },
    tooltip: {
      trigger: 'item',
      formatter: (params: unknown) => {
        const point = (params as { data?: { point?: ParetoPoint } }).data?.point;
        if (!point) return '';
        return (
          `${escapeHtml(point.label)}<br/>score ${formatScore(point.score)} · ` +
          `${metric === 'cost' ? 'cost/run' : 'latency p50'} ${format(xOf(point, metric))}` +
          (point.on_front ? '<br/>on the front' : `<br/>gives up ${formatScore(point.distance)}`)
        );
      },
    },
    xAxis: {
      type: 'value',
      name: metric === 'cost' ? 'cost per run' : 'latency p50',
      nameLocation: 'middle',
      nameGap: 24,
      scale: true,
      axisLabel: { formatter: (value: number) => format(value) },
    },
    yAxis: { type: 'value', name: 'score', scale: true },
    series: [
      {
        name: 'Front',
        type: 'line',
        // The best score at no more cost: it holds until the next front point.
        step: 'end',
        data: front.map((p) => [xOf(p, metric), p.score]),
        symbol: 'none',
        lineStyle: { color: '#1d4ed8', width: 1.5 },
        tooltip: { show: false },
        silent: true,
        z: 1,
      },
      {
        name: 'On the front',
        type: 'scatter',
        data: front.map(datum),
        symbolSize: 10,
        itemStyle: { color: '#1d4ed8' },
        z: 3,
      },
      {
        name: 'Dominated',
        type: 'scatter',
        data: dominated.map(datum),
        symbolSize: 8,
        itemStyle: { color: '#a1a1aa' },
        z: 2,
      },
    ],
  };
  return (
    <EChart
      option={option}
      height={300}
      label={`Score against ${metric === 'cost' ? 'cost per run' : 'latency p50'}: ${front.length} configs on the Pareto front, ${dominated.length} dominated`}
    />
  );
}
