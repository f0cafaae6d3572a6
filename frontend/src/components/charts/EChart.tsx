import ReactEChartsCore from 'echarts-for-react/esm/core';
import { type ChartOption, echarts } from './echarts';

/** One chart, sized by its box; `label` describes it to screen readers. */
export function EChart({ option, label, height = 320 }: { option: ChartOption; label: string; height?: number }) {
  return (
    <div role="img" aria-label={label}>
      <ReactEChartsCore
        echarts={echarts}
        option={option}
        notMerge
        lazyUpdate
        style={{ height, width: '100%' }}
        opts={{ renderer: 'canvas' }}
      />
    </div>
  );
}
