/* global ResizeObserver */
import uPlot from '/ops/vendor/uPlot.esm.js';

const CHART_HEIGHT_PX = 260;

// One colour per outcome, the same as the legend chips in ops.css.
const OUTCOMES = [
  // Drawn in this order: "filled" after "submitted", so that it shows where the two coincide.
  { key: 'submitted', label: 'submitted', stroke: '#3b73c4' },
  { key: 'filled', label: 'filled', stroke: '#2e9d5b' },
  { key: 'rejected', label: 'rejected', stroke: '#8a8f98' },
  { key: 'hardFailures', label: 'hard failure', stroke: '#c93a3a' },
  { key: 'softFailures', label: 'soft failure', stroke: '#e08a1e' },
];

const count = (_u, value) => (value === null || value === undefined ? '—' : String(value));
const pct = (_u, value) => (value === null || value === undefined ? '—' : `${value.toFixed(1)} %`);

const pad = (n) => String(n).padStart(2, '0');

/** UTC hours on the time axis ("14:00"), the date under midnight: operators compare with UTC logs. */
function hourLabels(_u, ticks) {
  return ticks.map((ts) => {
    const d = new Date(ts * 1000);
    const hour = `${pad(d.getUTCHours())}:00`;
    if (d.getUTCHours() !== 0) return hour;
    return `${hour}\n${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  });
}

function options(widthPx, thresholdPct) {
  return {
    // Legend and cursor in UTC too.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    width: widthPx,
    height: CHART_HEIGHT_PX,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    scales: {
      x: { time: true },
      n: { auto: true, range: (_u, _min, max) => [0, Math.max(4, max)] },
      pct: { range: (_u, _min, max) => [0, Math.max(thresholdPct * 2, Math.ceil((max ?? 0) * 1.1))] },
    },
    axes: [
      { stroke: '#9aa3ad', grid: { stroke: '#2a3038' }, ticks: { stroke: '#2a3038' }, values: hourLabels },
      {
        scale: 'n',
        label: 'executions / h',
        stroke: '#9aa3ad',
        grid: { stroke: '#2a3038' },
        ticks: { stroke: '#2a3038' },
      },
      {
        scale: 'pct',
        side: 1,
        label: 'recovery %',
        stroke: '#b48be0',
        grid: { show: false },
        values: (_u, ticks) => ticks.map((t) => `${t}%`),
      },
    ],
    series: [
      { label: 'hour (UTC)', value: '{YYYY}-{MM}-{DD} {HH}:00' },
      ...OUTCOMES.map((o) => ({
        label: o.label,
        scale: 'n',
        stroke: o.stroke,
        width: 2,
        points: { size: 4 },
        value: count,
      })),
      {
        label: 'recovery rate',
        scale: 'pct',
        stroke: '#b48be0',
        width: 1.5,
        dash: [4, 3],
        value: pct,
        spanGaps: false,
      },
      {
        label: `threshold ${thresholdPct} %`,
        scale: 'pct',
        stroke: '#c93a3a',
        width: 1,
        dash: [8, 6],
        points: { show: false },
        value: pct,
      },
    ],
  };
}

/** The series as uPlot wants them: x in Unix seconds, one array per series, nulls where nothing is known. */
export function toChartData(perHour, thresholdPct) {
  const xs = perHour.hours.map((iso) => Date.parse(iso) / 1000);
  const recovery = perHour.pastGates.map((n, i) => (n > 0 ? (perHour.softFailures[i] / n) * 100 : null));
  return [xs, ...OUTCOMES.map((o) => perHour[o.key]), recovery, xs.map(() => thresholdPct)];
}

/** Creates the chart on first data, then only swaps the data (cheap; keeps the cursor and legend). */
export class ExecutionsChart {
  constructor(container) {
    this.container = container;
    this.plot = null;
    this.thresholdPct = null;
    this.observer = new ResizeObserver(() => {
      if (this.plot) this.plot.setSize({ width: this.width(), height: CHART_HEIGHT_PX });
    });
    this.observer.observe(container);
  }

  width() {
    return Math.max(320, Math.floor(this.container.clientWidth));
  }

  update(perHour, thresholdPct) {
    const data = toChartData(perHour, thresholdPct);
    if (this.plot === null || this.thresholdPct !== thresholdPct) {
      if (this.plot) this.plot.destroy();
      this.thresholdPct = thresholdPct;
      this.plot = new uPlot(options(this.width(), thresholdPct), data, this.container);
      return;
    }
    this.plot.setData(data);
  }
}
