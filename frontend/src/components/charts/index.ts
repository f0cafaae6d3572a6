/**
 * The charts, loaded on first use: ECharts is most of their weight and
 * stays out of the entry chunk. Unit tests mock this module (jsdom has no
 * canvas).
 */
import { lazy } from 'react';

export const LazyHeatmapChart = lazy(() => import('./HeatmapChart'));
export const LazyParetoChart = lazy(() => import('./ParetoChart'));
export type { ParetoMetric } from './ParetoChart';
