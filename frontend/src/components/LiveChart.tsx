// A uPlot chart of live lap channels against lap distance. The data lives in the
// LiveLapBuffer's typed arrays; the chart redraws from them on the shared
// FrameScheduler (at most once per animation frame) without React re-rendering.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { FrameScheduler } from '../lib/frameScheduler';
import type { LapTrace, LiveLapBuffer, TraceChannel } from '../lib/liveBuffer';

export interface ChartSeries {
  label: string;
  channel: TraceChannel;
  color: string;
  /** A faint translucent version of `color` for the reference lap. */
  faint: string;
}

export interface LiveChartProps {
  testId: string;
  title: string;
  unit: string;
  buffer: LiveLapBuffer;
  scheduler: FrameScheduler;
  series: ChartSeries[];
  /** The y range for the data drawn (current and reference laps). */
  yRange: (buffer: LiveLapBuffer) => [number, number];
  height?: number;
}

const AXIS = {
  stroke: '#9aa0b4',
  grid: { stroke: 'rgba(255,255,255,0.06)', width: 1 },
  ticks: { stroke: 'rgba(255,255,255,0.12)', width: 1, size: 4 },
  font: '12px system-ui, sans-serif',
};

function xMax(buffer: LiveLapBuffer): number {
  const seen = Math.max(buffer.current?.maxDistance ?? 0, buffer.previous?.maxDistance ?? 0);
  const track = buffer.trackLengthM ?? 0;
  const max = Math.max(track, seen);
  return max > 0 ? max : 1;
}

function drawReference(u: uPlot, trace: LapTrace, series: ChartSeries[]): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.lineWidth = 1.5 * uPlot.pxRatio;
  ctx.lineJoin = 'round';
  const distance = trace.column('distance');
  for (const s of series) {
    const values = trace.column(s.channel);
    ctx.strokeStyle = s.faint;
    ctx.beginPath();
    let lastPx = -Infinity;
    for (let i = 0; i < trace.length; i++) {
      const x = u.valToPos(distance[i], 'x', true);
      // Skip samples that land on the same device pixel column, but keep the last one.
      if (x - lastPx < 0.5 && i !== trace.length - 1) continue;
      const y = u.valToPos(values[i], 'y', true);
      if (i === 0 || x < lastPx) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
      lastPx = x;
    }
    ctx.stroke();
  }
  ctx.restore();
}

export function LiveChart({ testId, title, unit, buffer, scheduler, series, yRange, height = 200 }: LiveChartProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<HTMLDivElement>(null);
  // Props read inside uPlot callbacks.
  const live = useRef({ buffer, series, yRange });
  live.current = { buffer, series, yRange };

  useEffect(() => {
    const box = boxRef.current;
    const target = plotRef.current;
    if (!box || !target) return;

    const opts: uPlot.Options = {
      width: Math.max(200, target.clientWidth),
      height,
      legend: { show: false },
      cursor: { y: false, drag: { x: false, y: false, setScale: false }, points: { show: false } },
      scales: {
        x: { time: false, auto: true, range: () => [0, xMax(live.current.buffer)] },
        y: { auto: true, range: () => live.current.yRange(live.current.buffer) },
      },
      axes: [
        { ...AXIS, label: 'Lap distance (m)', labelSize: 18, labelFont: AXIS.font, size: 36 },
        { ...AXIS, size: 48 },
      ],
      series: [{ label: 'Distance (m)' }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: false } }))],
      hooks: {
        drawAxes: [
          (u: uPlot) => {
            const { buffer: b, series: ss } = live.current;
            if (b.previous && b.previous !== b.current && b.previous.length > 1) drawReference(u, b.previous, ss);
          },
        ],
      },
    };
    const empty: uPlot.AlignedData = [new Float64Array(0), ...series.map(() => new Float64Array(0))];
    const plot = new uPlot(opts, empty, target);

    let drawnVersion = -1;
    const draw = () => {
      const b = live.current.buffer;
      if (b.version === drawnVersion) return;
      drawnVersion = b.version;
      const trace = b.current;
      const data: uPlot.AlignedData = trace
        ? [trace.column('distance'), ...live.current.series.map((s) => trace.column(s.channel))]
        : empty;
      plot.setData(data, true);
      const n = trace?.length ?? 0;
      box.dataset.points = String(n);
      box.dataset.lap = trace ? String(trace.lapNumber) : '';
      box.dataset.lastX = n ? trace!.column('distance')[n - 1].toFixed(1) : '';
      box.dataset.lastY = n ? trace!.column(live.current.series[0].channel)[n - 1].toFixed(2) : '';
      box.dataset.reference = b.previous && b.previous !== trace ? String(b.previous.length) : '0';
    };
    const removeTask = scheduler.add(draw);
    draw();

    const resize = new ResizeObserver(() => {
      const width = Math.max(200, target.clientWidth);
      if (width !== plot.width) plot.setSize({ width, height });
    });
    resize.observe(target);

    return () => {
      removeTask();
      resize.disconnect();
      plot.destroy();
    };
    // The chart is built once per buffer/scheduler; series and ranges are read through `live`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [buffer, scheduler, height]);

  return (
    <section className="chart" data-testid={testId} ref={boxRef}>
      <header className="chart__head">
        <h3>{title}</h3>
        <span className="chart__unit">{unit}</span>
        <span className="chart__legend">
          {series.map((s) => (
            <span key={s.channel} className="chart__key">
              <span className="chart__swatch" style={{ background: s.color }} />
              {s.label}
            </span>
          ))}
          <span className="chart__key chart__key--ref">
            <span className="chart__swatch chart__swatch--ref" />
            previous lap
          </span>
        </span>
      </header>
      <div className="chart__plot" ref={plotRef} />
    </section>
  );
}
