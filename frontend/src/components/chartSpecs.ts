// Which charts a lap gets and what each draws: speed, pedals, steering, the delta to the
// reference, and gear, rpm, g forces and tyre temperatures when the sim reported them.
// Plain data for LapCharts; the reference lap's lines are flagged so they can be hidden.
import uPlot from 'uplot';
import { symmetricRange } from '../lib/lapTrace';
import type { LapViewData } from '../lib/viewData';

export interface Line {
  label: string;
  color: string;
  values: ArrayLike<number | null>;
  width?: number;
  decimals: number;
  /** A line of the reference lap (hidden with the reference toggle). */
  reference?: boolean;
  stepped?: boolean;
}

export interface ChartSpec {
  testId: string;
  title: string;
  unit: string;
  height: number;
  x: ArrayLike<number>;
  lines: Line[];
  range: [number, number];
  zeroLine?: boolean;
  cornerLabels?: boolean;
}

/** uPlot draws `null` as a gap; missing samples of optional channels are NaN. */
export function gapped(values: Float64Array): ArrayLike<number | null> {
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) return Array.from(values, (v) => (Number.isNaN(v) ? null : v));
  return values;
}

function finiteRange(columns: (ArrayLike<number> | undefined)[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of columns) {
    if (!c) continue;
    for (let i = 0; i < c.length; i++) {
      const v = c[i];
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return hi >= lo ? [lo, hi] : null;
}

export const steppedPaths = uPlot.paths.stepped?.({ align: 1 });

export function chartSpecs(data: LapViewData): ChartSpec[] {
  const { lap, reference: ref, referenceLabel } = data;
  const opt = lap.optional;
  const refLine = (label: string, color: string, values: (number | null)[] | undefined, decimals: number, stepped = false): Line[] =>
    values ? [{ label: `${label} (${referenceLabel})`, color, values, width: 1.5, decimals, reference: true, stepped }] : [];
  const speedTop = Math.ceil((Math.max(lap.maxSpeed, 100) * 1.05) / 20) * 20;
  const out: ChartSpec[] = [
    {
      testId: 'chart-speed',
      title: 'Speed',
      unit: 'km/h',
      height: 220,
      x: lap.distance,
      range: [0, speedTop],
      cornerLabels: true,
      lines: [...refLine('Speed', 'rgba(226,232,240,0.45)', ref?.speed, 1), { label: 'Speed', color: '#38bdf8', values: lap.speed, width: 2, decimals: 1 }],
    },
    {
      testId: 'chart-pedals',
      title: 'Throttle & brake',
      unit: '%',
      height: 160,
      x: lap.distance,
      range: [0, 105],
      lines: [
        ...refLine('Throttle', 'rgba(34,197,94,0.35)', ref?.throttle, 0),
        ...refLine('Brake', 'rgba(239,68,68,0.35)', ref?.brake, 0),
        { label: 'Throttle', color: '#22c55e', values: lap.throttle, width: 2, decimals: 0 },
        { label: 'Brake', color: '#ef4444', values: lap.brake, width: 2, decimals: 0 },
      ],
    },
    {
      testId: 'chart-steering',
      title: 'Steering',
      unit: '-1 left … 1 right',
      height: 140,
      x: lap.distance,
      range: [-1, 1],
      zeroLine: true,
      lines: [...refLine('Steering', 'rgba(245,158,11,0.35)', ref?.steering, 2), { label: 'Steering', color: '#f59e0b', values: lap.steering, width: 2, decimals: 2 }],
    },
  ];
  if (data.delta) {
    out.push({
      testId: 'chart-delta',
      title: `Delta to ${referenceLabel}`,
      unit: 's (above zero: behind)',
      height: 160,
      x: data.delta.distance,
      range: symmetricRange(data.delta.delta),
      zeroLine: true,
      lines: [{ label: 'Delta', color: '#a855f7', values: data.delta.delta, width: 2, decimals: 3 }],
    });
  }
  if (opt.gear) {
    const [lo, hi] = finiteRange([opt.gear]) ?? [0, 6];
    out.push({
      testId: 'chart-gear',
      title: 'Gear',
      unit: '0 neutral, -1 reverse',
      height: 120,
      x: lap.distance,
      range: [Math.min(0, lo) - 0.5, Math.max(hi, 1) + 0.5],
      lines: [...refLine('Gear', 'rgba(226,232,240,0.4)', ref?.gear, 0, true), { label: 'Gear', color: '#e2e8f0', values: gapped(opt.gear), width: 2, decimals: 0, stepped: true }],
    });
  }
  if (opt.rpm) {
    const [lo, hi] = finiteRange([opt.rpm, data.referenceLap?.optional.rpm]) ?? [0, 8000];
    out.push({
      testId: 'chart-rpm',
      title: 'Engine speed',
      unit: 'rpm',
      height: 140,
      x: lap.distance,
      range: [Math.max(0, Math.floor((lo * 0.95) / 500) * 500), Math.ceil((hi * 1.02) / 500) * 500],
      lines: [...refLine('RPM', 'rgba(251,146,60,0.35)', ref?.rpm, 0), { label: 'RPM', color: '#fb923c', values: gapped(opt.rpm), width: 2, decimals: 0 }],
    });
  }
  if (opt.gLat || opt.gLon) {
    const [lo, hi] = finiteRange([opt.gLat, opt.gLon]) ?? [-1, 1];
    const peak = Math.max(1, Math.abs(lo), Math.abs(hi)) * 1.1;
    out.push({
      testId: 'chart-g',
      title: 'G forces',
      unit: 'g (lateral: + right; longitudinal: + accelerating)',
      height: 160,
      x: lap.distance,
      range: [-peak, peak],
      zeroLine: true,
      lines: [
        ...refLine('Lateral', 'rgba(232,121,249,0.35)', ref?.gLat, 2),
        ...refLine('Longitudinal', 'rgba(45,212,191,0.35)', ref?.gLon, 2),
        ...(opt.gLat ? [{ label: 'Lateral', color: '#e879f9', values: gapped(opt.gLat), width: 2, decimals: 2 }] : []),
        ...(opt.gLon ? [{ label: 'Longitudinal', color: '#2dd4bf', values: gapped(opt.gLon), width: 2, decimals: 2 }] : []),
      ],
    });
  }
  const tyres = (
    [
      ['FL', opt.tyreFL, '#f87171'],
      ['FR', opt.tyreFR, '#fbbf24'],
      ['RL', opt.tyreRL, '#34d399'],
      ['RR', opt.tyreRR, '#60a5fa'],
    ] as const
  ).filter(([, values]) => values);
  if (tyres.length) {
    const [lo, hi] = finiteRange(tyres.map(([, values]) => values)) ?? [0, 100];
    out.push({
      testId: 'chart-tyres',
      title: 'Tyre temperatures',
      unit: '°C',
      height: 160,
      x: lap.distance,
      range: [Math.floor(lo - 2), Math.ceil(hi + 2)],
      lines: tyres.map(([label, values, color]) => ({ label, color, values: gapped(values!), width: 1.5, decimals: 1 })),
    });
  }
  return out;
}
