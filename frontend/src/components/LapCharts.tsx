// Stacked uPlot charts of a stored lap against lap distance (speed, pedals, steering and
// the delta to the reference), sharing one cursor through uPlot's `cursor.sync`. The
// charts are built once per data set in an effect; React never renders per point.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { symmetricRange, type LapColumns, type ReferenceOverlay } from '../lib/lapTrace';

export interface LapChartsData {
  lap: LapColumns;
  /** The reference lap's channels aligned onto `lap.distance`, or null without a reference. */
  reference: ReferenceOverlay | null;
  referenceLabel: string;
  /** The delta trace (seconds) against metres, or null without a reference. */
  delta: { distance: Float64Array; delta: Float64Array } | null;
  xMax: number;
  /** Corner apexes in metres, for markers. */
  corners: { number: number; apex: number }[];
}

const SYNC_KEY = 'purplesector-lap';

const AXIS = {
  stroke: '#9aa0b4',
  grid: { stroke: 'rgba(255,255,255,0.06)', width: 1 },
  ticks: { stroke: 'rgba(255,255,255,0.12)', width: 1, size: 4 },
  font: '12px system-ui, sans-serif',
};

interface Line {
  label: string;
  color: string;
  values: ArrayLike<number | null>;
  width?: number;
  dash?: number[];
  decimals: number;
}

interface ChartSpec {
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

function specs(data: LapChartsData): ChartSpec[] {
  const { lap, reference: ref, referenceLabel } = data;
  const refLine = (label: string, color: string, values: (number | null)[] | undefined, decimals: number): Line[] =>
    values ? [{ label: `${label} (${referenceLabel})`, color, values, width: 1.5, decimals }] : [];
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
      lines: [
        ...refLine('Speed', 'rgba(226,232,240,0.45)', ref?.speed, 1),
        { label: 'Speed', color: '#38bdf8', values: lap.speed, width: 2, decimals: 1 },
      ],
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
      lines: [
        ...refLine('Steering', 'rgba(245,158,11,0.35)', ref?.steering, 2),
        { label: 'Steering', color: '#f59e0b', values: lap.steering, width: 2, decimals: 2 },
      ],
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
  return out;
}

function drawMarkers(u: uPlot, spec: ChartSpec, corners: LapChartsData['corners']): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const px = uPlot.pxRatio;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.lineWidth = px;
  if (spec.zeroLine) {
    const y = Math.round(u.valToPos(0, 'y', true)) + 0.5;
    ctx.strokeStyle = 'rgba(255,255,255,0.3)';
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
  }
  ctx.strokeStyle = 'rgba(168,85,247,0.35)';
  ctx.setLineDash([3 * px, 4 * px]);
  ctx.fillStyle = 'rgba(216,180,254,0.9)';
  ctx.font = `${11 * px}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const c of corners) {
    const x = Math.round(u.valToPos(c.apex, 'x', true)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    if (spec.cornerLabels) ctx.fillText(`T${c.number}`, x, top + 2 * px);
  }
  ctx.restore();
}

function LapChart({ spec, data }: { spec: ChartSpec; data: LapChartsData }) {
  const boxRef = useRef<HTMLElement>(null);
  const plotRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const box = boxRef.current;
    const target = plotRef.current;
    if (!box || !target) return;
    delete box.dataset.drawn;
    const opts: uPlot.Options = {
      width: Math.max(200, target.clientWidth),
      height: spec.height,
      legend: { show: true, live: true },
      cursor: {
        y: false,
        sync: { key: SYNC_KEY, setSeries: false },
        drag: { x: false, y: false, setScale: false },
      },
      scales: {
        x: { time: false, auto: false, range: () => [0, data.xMax] },
        y: { auto: false, range: () => spec.range },
      },
      axes: [
        { ...AXIS, label: 'Lap distance (m)', labelSize: 18, labelFont: AXIS.font, size: 36 },
        { ...AXIS, size: 52 },
      ],
      series: [
        { label: 'Distance', value: (_u, v) => (v == null ? '—' : `${v.toFixed(0)} m`) },
        ...spec.lines.map((line) => ({
          label: line.label,
          stroke: line.color,
          width: line.width ?? 2,
          dash: line.dash,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v == null ? '—' : v.toFixed(line.decimals)),
        })),
      ],
      hooks: {
        drawAxes: [(u: uPlot) => drawMarkers(u, spec, data.corners)],
        draw: [
          () => {
            if (box.dataset.drawn) return;
            box.dataset.drawn = 'true';
            box.dataset.drawnAt = performance.now().toFixed(0);
          },
        ],
      },
    };
    const aligned = [spec.x, ...spec.lines.map((l) => l.values)] as unknown as uPlot.AlignedData;
    const plot = new uPlot(opts, aligned, target);
    box.dataset.points = String(spec.x.length);
    box.dataset.reference = data.reference ? 'true' : 'false';

    const resize = new ResizeObserver(() => {
      const width = Math.max(200, target.clientWidth);
      if (width !== plot.width) plot.setSize({ width, height: spec.height });
    });
    resize.observe(target);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [spec, data]);

  return (
    <section className="chart lap-chart" data-testid={spec.testId} ref={boxRef}>
      <header className="chart__head">
        <h3>{spec.title}</h3>
        <span className="chart__unit">{spec.unit}</span>
      </header>
      <div className="chart__plot" ref={plotRef} />
    </section>
  );
}

export function LapCharts({ data }: { data: LapChartsData }) {
  const specsRef = useRef<{ data: LapChartsData; specs: ChartSpec[] } | null>(null);
  if (specsRef.current?.data !== data) specsRef.current = { data, specs: specs(data) };
  return (
    <div className="lap-charts" data-testid="lap-charts">
      {specsRef.current.specs.map((spec) => (
        <LapChart key={spec.testId} spec={spec} data={data} />
      ))}
    </div>
  );
}
