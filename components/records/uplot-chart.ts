/**
 * A trend drawn with uPlot (canvas, no network, no inline scripts): lines with their points, and each
 * line's reference range as a shaded band. Imported dynamically by ./trends, so the charting library
 * and its stylesheet load only when a chart is shown.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import type { TrendSeries } from './trends-model';

/** Line colours: the app's accent, then a contrasting amber (both ≥ 3:1 on white). */
export const LINE_COLOURS = ['#0b6e79', '#b45309'] as const;
const BAND_COLOURS = ['rgba(11, 110, 121, 0.10)', 'rgba(180, 83, 9, 0.10)'] as const;

/** uPlot's data: shared x (Unix seconds), one y array per line with gaps where a line has no value. */
function chartData(series: TrendSeries): uPlot.AlignedData {
  const times = [...new Set(series.lines.flatMap((line) => line.points.map((point) => point.time)))].sort(
    (a, b) => a - b,
  );
  const ys = series.lines.map((line) => {
    const byTime = new Map(line.points.map((point) => [point.time, point.value]));
    return times.map((time) => byTime.get(time) ?? null);
  });
  return [times.map((time) => time / 1000), ...ys];
}

function yRange(series: TrendSeries, min: number | null, max: number | null): uPlot.Range.MinMax {
  const bounds = series.lines.flatMap((line) => [line.range?.low, line.range?.high]).filter((v) => v !== undefined);
  const low = Math.min(...[min, ...bounds].filter((v): v is number => v !== null));
  const high = Math.max(...[max, ...bounds].filter((v): v is number => v !== null));
  const pad = (high - low) * 0.12 || Math.abs(high) * 0.1 || 1;
  return [low - pad, high + pad];
}

/** Shades each line's reference range behind the lines. */
function drawRanges(series: TrendSeries) {
  return (chart: uPlot) => {
    const { ctx, bbox } = chart;
    series.lines.forEach((line, index) => {
      const range = line.range;
      if (!range) return;
      const top = range.high === undefined ? bbox.top : chart.valToPos(range.high, 'y', true);
      const bottom = range.low === undefined ? bbox.top + bbox.height : chart.valToPos(range.low, 'y', true);
      ctx.save();
      ctx.fillStyle = BAND_COLOURS[index % BAND_COLOURS.length]!;
      ctx.fillRect(bbox.left, Math.max(top, bbox.top), bbox.width, Math.min(bottom, bbox.top + bbox.height) - top);
      ctx.restore();
    });
  };
}

/**
 * Draws `series` into `target` at the given size.
 * @returns the chart, to resize and destroy
 */
export function drawTrend(target: HTMLElement, series: TrendSeries, size: { width: number; height: number }): uPlot {
  const options: uPlot.Options = {
    ...size,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_chart, min, max) => yRange(series, min, max) } },
    axes: [
      { stroke: '#52606d', grid: { stroke: '#e4e9ee' }, ticks: { stroke: '#d5dde5' } },
      { stroke: '#52606d', grid: { stroke: '#e4e9ee' }, ticks: { stroke: '#d5dde5' }, size: 48 },
    ],
    series: [
      {},
      ...series.lines.map((line, index) => ({
        label: line.label,
        stroke: LINE_COLOURS[index % LINE_COLOURS.length],
        width: 2,
        spanGaps: true,
        points: { show: true, size: 7, fill: LINE_COLOURS[index % LINE_COLOURS.length] },
      })),
    ],
    hooks: { drawClear: [drawRanges(series)] },
  };
  return new uPlot(options, chartData(series), target);
}
