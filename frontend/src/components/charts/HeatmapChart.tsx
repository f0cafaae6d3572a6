import type { Heatmap } from '../../api/sweeps';
import { formatCount, formatScore } from '../../lib/format';
import { axisValueText } from '../sweep/configs';
import { EChart } from './EChart';
import { type ChartOption, escapeHtml } from './echarts';

/** The mean score per pair of axis values, darker is better. */
export default function HeatmapChart({ heatmap }: { heatmap: Heatmap }) {
  const xs = heatmap.x_values.map(axisValueText);
  const ys = heatmap.y_values.map(axisValueText);
  const data = heatmap.cells.map((cell) => [
    xs.indexOf(axisValueText(cell.x)),
    ys.indexOf(axisValueText(cell.y)),
    cell.mean,
    cell.n,
  ]);
  const means = heatmap.cells.map((cell) => cell.mean);
  const max = Math.max(1, ...means);
  const min = Math.min(0, ...means);
  const option: ChartOption = {
    animation: false,
    grid: { left: 8, right: 72, top: 8, bottom: 32, containLabel: true },
    tooltip: {
      formatter: (params: unknown) => {
        const value = (params as { value: [number, number, number, number] }).value;
        return (
          `${escapeHtml(heatmap.x ?? 'x')}: ${escapeHtml(xs[value[0]] ?? '')}<br/>` +
          `${escapeHtml(heatmap.y ?? 'y')}: ${escapeHtml(ys[value[1]] ?? '')}<br/>` +
          `mean score ${formatScore(value[2])} (n = ${formatCount(value[3])})`
        );
      },
    },
    xAxis: {
      type: 'category',
      data: xs,
      name: heatmap.x ?? '',
      nameLocation: 'middle',
      nameGap: 26,
      axisLabel: { width: 120, overflow: 'truncate', interval: 0 },
    },
    yAxis: {
      type: 'category',
      data: ys,
      axisLabel: { width: 160, overflow: 'truncate' },
    },
    visualMap: {
      min,
      max,
      calculable: false,
      orient: 'vertical',
      right: 0,
      top: 'middle',
      itemHeight: 120,
      dimension: 2,
      inRange: { color: ['#f4f4f5', '#93c5fd', '#1d4ed8'] },
      text: [formatScore(max), formatScore(min)],
    },
    series: [
      {
        type: 'heatmap',
        data,
        label: { show: xs.length * ys.length <= 64, formatter: (p: unknown) => formatScore((p as { value: number[] }).value[2] ?? null) },
        emphasis: { itemStyle: { borderColor: '#18181b', borderWidth: 1 } },
      },
    ],
  };
  const height = Math.min(560, Math.max(220, 72 + ys.length * 40));
  return (
    <EChart
      option={option}
      height={height}
      label={`Heatmap of the mean score by ${heatmap.x ?? 'x'} and ${heatmap.y ?? 'y'}`}
    />
  );
}
