// Stacked uPlot charts of a stored lap against lap distance (chartSpecs.ts says which),
// following one LapView: a mouse move on any chart moves every chart's cursor and the
// track map's marker, a drag zooms them all to that distance range, a double-click zooms
// back out, and the reference toggle hides the reference lines. Each chart is built once
// per data set in an effect; React never renders per point.
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { selectionRange, visibleRange, type LapView } from '../lib/lapView';
import type { LapViewData } from '../lib/viewData';
import { chartSpecs, steppedPaths, type ChartSpec } from './chartSpecs';

const AXIS = {
  stroke: '#9aa0b4',
  grid: { stroke: 'rgba(255,255,255,0.06)', width: 1 },
  ticks: { stroke: 'rgba(255,255,255,0.12)', width: 1, size: 4 },
  font: '12px system-ui, sans-serif',
};

function drawMarkers(u: uPlot, spec: ChartSpec, corners: LapViewData['corners']): void {
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

function LapChart({ spec, data, view }: { spec: ChartSpec; data: LapViewData; view: LapView }) {
  const boxRef = useRef<HTMLElement>(null);
  const plotRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const box = boxRef.current;
    const target = plotRef.current;
    if (!box || !target) return;
    delete box.dataset.drawn;
    const referenceSeries = spec.lines.flatMap((line, i) => (line.reference ? [i + 1] : []));
    const opts: uPlot.Options = {
      width: Math.max(200, target.clientWidth),
      height: spec.height,
      legend: { show: true, live: true },
      cursor: {
        y: false,
        // A drag selects a distance range (applied through the view, to every chart);
        // the double-click that resets it is ours too.
        drag: { x: true, y: false, setScale: false, dist: 5 },
        bind: { dblclick: () => null },
      },
      scales: {
        x: { time: false, auto: false, range: () => visibleRange(view.zoom, data.xMax) },
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
          show: !line.reference || view.showReference,
          paths: line.stepped ? steppedPaths : undefined,
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
        setSelect: [
          (u: uPlot) => {
            const range = selectionRange(u.select.left, u.select.width, (px) => u.posToVal(px, 'x'));
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            if (range) view.setZoom(range, spec.testId);
          },
        ],
        setScale: [
          (u: uPlot, key: string) => {
            if (key !== 'x') return;
            box.dataset.xMin = String(Math.round(u.scales.x.min ?? 0));
            box.dataset.xMax = String(Math.round(u.scales.x.max ?? 0));
          },
        ],
        setCursor: [
          (u: uPlot) => {
            const left = u.cursor.left ?? -1;
            box.dataset.cursor = left >= 0 ? u.posToVal(left, 'x').toFixed(1) : '';
          },
        ],
      },
    };
    const aligned = [spec.x, ...spec.lines.map((l) => l.values)] as unknown as uPlot.AlignedData;
    const plot = new uPlot(opts, aligned, target);
    box.dataset.points = String(spec.x.length);
    box.dataset.reference = data.reference ? 'true' : 'false';
    box.dataset.referenceShown = String(view.showReference && referenceSeries.length > 0);

    // This chart's own mouse drives the view; the view drives the other charts and the map.
    const over = plot.over;
    const onMove = () => {
      const left = plot.cursor.left ?? -1;
      view.setCursor(left >= 0 ? plot.posToVal(left, 'x') : null, spec.testId);
    };
    const onLeave = () => view.setCursor(null, spec.testId);
    const onDoubleClick = () => view.setZoom(null, spec.testId);
    over.addEventListener('mousemove', onMove);
    over.addEventListener('mouseleave', onLeave);
    over.addEventListener('dblclick', onDoubleClick);
    const stop = view.subscribe((change, source) => {
      if (change === 'cursor' && source !== spec.testId) {
        const d = view.cursor;
        const [lo, hi] = visibleRange(view.zoom, data.xMax);
        if (d == null || d < lo || d > hi) plot.setCursor({ left: -10, top: -10 });
        else plot.setCursor({ left: plot.valToPos(d, 'x'), top: plot.bbox.height / uPlot.pxRatio / 2 });
      } else if (change === 'zoom') {
        const [min, max] = visibleRange(view.zoom, data.xMax);
        plot.setScale('x', { min, max });
      } else if (change === 'reference') {
        for (const i of referenceSeries) plot.setSeries(i, { show: view.showReference });
        box.dataset.referenceShown = String(view.showReference && referenceSeries.length > 0);
      }
    });

    const resize = new ResizeObserver(() => {
      const width = Math.max(200, target.clientWidth);
      if (width !== plot.width) plot.setSize({ width, height: spec.height });
    });
    resize.observe(target);
    return () => {
      stop();
      over.removeEventListener('mousemove', onMove);
      over.removeEventListener('mouseleave', onLeave);
      over.removeEventListener('dblclick', onDoubleClick);
      resize.disconnect();
      plot.destroy();
    };
  }, [spec, data, view]);

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

export function LapCharts({ data, view }: { data: LapViewData; view: LapView }) {
  const specs = useMemo(() => chartSpecs(data), [data]);
  return (
    <div className="lap-charts" data-testid="lap-charts">
      {specs.map((spec) => (
        <LapChart key={spec.testId} spec={spec} data={data} view={view} />
      ))}
    </div>
  );
}
