// The track map: the lap's line from its world positions on a canvas, coloured by speed or
// by where time is gained or lost against the reference, the reference lap's line thin
// underneath, the zoomed range highlighted, and the cursor's car marked. It follows the
// same LapView as the charts: their cursor moves its marker, hovering it moves their
// cursor (nearest point), a double-click zooms everything out. Two stacked canvases: the
// line (redrawn on data, colour, zoom, reference or size changes) and the marker (redrawn
// at most once per animation frame as the cursor moves).
import { useEffect, useMemo, useRef, useState } from 'react';
import { FrameScheduler } from '../lib/frameScheduler';
import { inZoom, type LapView } from '../lib/lapView';
import {
  binOf,
  boundsOf,
  DELTA_STOPS,
  deltaRate,
  fitProjection,
  groundPlane,
  indexAtDistance,
  mapHeight,
  nearestPoint,
  palette,
  projectPlane,
  SPEED_STOPS,
  symmetricBound,
  type Bounds,
  type Plane,
} from '../lib/trackMap';
import type { LapViewData } from '../lib/viewData';
import { drawCarMarker } from './mapMarker';

type Colouring = 'speed' | 'delta';

const BINS = 25;
const SPEED_PALETTE = palette(SPEED_STOPS, BINS);
const DELTA_PALETTE = palette(DELTA_STOPS, BINS);
/** How far from the line (CSS px) the mouse still picks a point. */
const PICK_PX = 40;

interface MapModel {
  lap: Plane;
  reference: Plane | null;
  bounds: Bounds;
  speedBins: Uint8Array;
  speedRange: [number, number];
  deltaBins: Uint8Array | null;
  /** ms per 100 m that saturates the gain/loss colours. */
  deltaBound: number;
}

function mapModel(data: LapViewData): MapModel | null {
  const lap = groundPlane(data.lap.optional);
  if (!lap) return null;
  const reference = data.referenceLap ? groundPlane(data.referenceLap.optional) : null;
  const bounds = boundsOf([lap, reference]);
  if (!bounds) return null;
  const n = data.lap.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data.lap.speed) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const speedBins = new Uint8Array(n);
  for (let i = 0; i < n; i++) speedBins[i] = binOf(data.lap.speed[i], lo, hi, BINS);
  let deltaBins: Uint8Array | null = null;
  let deltaBound = 0;
  if (data.delta) {
    const rate = deltaRate(data.lap.distance, data.delta.distance, data.delta.delta);
    deltaBound = symmetricBound(rate, 0.95, 1);
    deltaBins = new Uint8Array(n);
    for (let i = 0; i < n; i++) deltaBins[i] = binOf(rate[i], -deltaBound, deltaBound, BINS);
  }
  return { lap, reference, bounds, speedBins, speedRange: [lo, hi], deltaBins, deltaBound };
}

/** Strokes the line from point `from` to `to`, one path per run of equal colour; gaps in the positions stay gaps. */
function strokeRuns(ctx: CanvasRenderingContext2D, pts: Float32Array, bins: Uint8Array, colours: string[], from: number, to: number): void {
  let i = from + 1;
  while (i <= to) {
    const bin = bins[i];
    ctx.beginPath();
    let pen = false;
    const [px, py] = [pts[2 * (i - 1)], pts[2 * (i - 1) + 1]];
    if (Number.isFinite(px) && Number.isFinite(py)) {
      ctx.moveTo(px, py);
      pen = true;
    }
    for (; i <= to && bins[i] === bin; i++) {
      const [x, y] = [pts[2 * i], pts[2 * i + 1]];
      if (!Number.isFinite(x) || !Number.isFinite(y)) pen = false;
      else if (pen) ctx.lineTo(x, y);
      else {
        ctx.moveTo(x, y);
        pen = true;
      }
    }
    ctx.strokeStyle = colours[bin];
    ctx.stroke();
  }
}

function strokePlain(ctx: CanvasRenderingContext2D, pts: Float32Array): void {
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < pts.length / 2; i++) {
    const x = pts[2 * i];
    const y = pts[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    if (pen) ctx.lineTo(x, y);
    else ctx.moveTo(x, y);
    pen = true;
  }
  ctx.stroke();
}

function sizeCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

export function TrackMap({ data, view }: { data: LapViewData; view: LapView }) {
  const boxRef = useRef<HTMLElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const baseRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const model = useMemo(() => mapModel(data), [data]);
  const [colouring, setColouring] = useState<Colouring>('speed');
  const mode: Colouring = colouring === 'delta' && model?.deltaBins ? 'delta' : 'speed';

  useEffect(() => {
    const box = boxRef.current;
    const wrap = wrapRef.current;
    const base = baseRef.current;
    const overlay = overlayRef.current;
    if (!model || !box || !wrap || !base || !overlay) return;
    delete box.dataset.drawn;
    const distance = data.lap.distance;
    const refDistance = data.referenceLap?.distance ?? null;
    const bins = mode === 'delta' ? model.deltaBins! : model.speedBins;
    const colours = mode === 'delta' ? DELTA_PALETTE : SPEED_PALETTE;
    let width = 0;
    let height = 0;
    let lapPts: Float32Array = new Float32Array(0);
    let refPts: Float32Array | null = null;
    let baseCtx: CanvasRenderingContext2D | null = null;
    let overCtx: CanvasRenderingContext2D | null = null;
    const scheduler = new FrameScheduler();

    const drawBase = () => {
      const ctx = baseCtx;
      if (!ctx) return;
      ctx.clearRect(0, 0, width, height);
      ctx.lineJoin = 'round';
      ctx.lineCap = 'round';
      if (refPts && view.showReference) {
        ctx.lineWidth = 1;
        ctx.strokeStyle = 'rgba(226,232,240,0.45)';
        strokePlain(ctx, refPts);
      }
      const n = distance.length;
      const zoom = view.zoom;
      if (!zoom) {
        ctx.lineWidth = 3;
        strokeRuns(ctx, lapPts, bins, colours, 0, n - 1);
      } else {
        // The whole lap faint, the zoomed range bright on a halo.
        const from = Math.max(0, indexAtDistance(distance, zoom[0]));
        const to = Math.max(from, indexAtDistance(distance, zoom[1]));
        ctx.globalAlpha = 0.25;
        ctx.lineWidth = 2;
        strokeRuns(ctx, lapPts, bins, colours, 0, n - 1);
        ctx.globalAlpha = 0.35;
        ctx.lineWidth = 9;
        ctx.strokeStyle = '#ffffff';
        strokePlain(ctx, lapPts.subarray(2 * from, 2 * to + 2));
        ctx.globalAlpha = 1;
        ctx.lineWidth = 4;
        strokeRuns(ctx, lapPts, bins, colours, from, to);
      }
      // Start/finish: a bar across the line at the first point.
      if (n > 1) {
        const [x0, y0, x1, y1] = [lapPts[0], lapPts[1], lapPts[2], lapPts[3]];
        const len = Math.hypot(x1 - x0, y1 - y0) || 1;
        const [nx, ny] = [-(y1 - y0) / len, (x1 - x0) / len];
        ctx.lineWidth = 3;
        ctx.strokeStyle = '#ecebf3';
        ctx.beginPath();
        ctx.moveTo(x0 - nx * 8, y0 - ny * 8);
        ctx.lineTo(x0 + nx * 8, y0 + ny * 8);
        ctx.stroke();
      }
      // Corner numbers beside their apexes.
      ctx.font = '600 11px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = 'rgba(216,180,254,0.95)';
      for (const corner of data.corners) {
        const i = indexAtDistance(distance, corner.apex);
        if (i < 0 || !inZoom(zoom, corner.apex)) continue;
        const x = Math.min(width - 12, Math.max(12, lapPts[2 * i] + 12));
        const y = Math.min(height - 8, Math.max(8, lapPts[2 * i + 1] - 10));
        ctx.fillText(`T${corner.number}`, x, y);
      }
      box.dataset.zoom = zoom ? `${Math.round(zoom[0])}-${Math.round(zoom[1])}` : '';
      box.dataset.referenceShown = String(refPts != null && view.showReference);
      box.dataset.colour = mode;
      if (!box.dataset.drawn) {
        box.dataset.drawn = 'true';
        box.dataset.drawnAt = performance.now().toFixed(0);
      }
    };

    const drawOverlay = () => {
      const ctx = overCtx;
      if (!ctx) return;
      ctx.clearRect(0, 0, width, height);
      const d = view.cursor;
      const i = d == null ? -1 : indexAtDistance(distance, d);
      box.dataset.cursorIndex = String(i);
      if (i < 0) {
        box.dataset.cursorX = '';
        box.dataset.cursorY = '';
        return;
      }
      if (refPts && refDistance && view.showReference) {
        const j = indexAtDistance(refDistance, d!);
        if (j >= 0 && Number.isFinite(refPts[2 * j])) {
          ctx.lineWidth = 2;
          ctx.strokeStyle = 'rgba(226,232,240,0.9)';
          ctx.beginPath();
          ctx.arc(refPts[2 * j], refPts[2 * j + 1], 5, 0, 2 * Math.PI);
          ctx.stroke();
        }
      }
      const [x, y] = [lapPts[2 * i], lapPts[2 * i + 1]];
      drawCarMarker(ctx, x, y);
      box.dataset.cursorX = x.toFixed(1);
      box.dataset.cursorY = y.toFixed(1);
    };
    const removeOverlayTask = scheduler.add(drawOverlay);

    const layout = () => {
      const w = Math.max(160, Math.floor(wrap.clientWidth));
      const h = mapHeight(model.bounds, w);
      if (w === width && h === height) return;
      width = w;
      height = h;
      const projection = fitProjection(model.bounds, width, height);
      lapPts = projectPlane(model.lap, projection);
      refPts = model.reference ? projectPlane(model.reference, projection) : null;
      baseCtx = sizeCanvas(base, width, height);
      overCtx = sizeCanvas(overlay, width, height);
      drawBase();
      drawOverlay();
    };
    layout();
    box.dataset.points = String(distance.length);

    const pick = (event: MouseEvent) => {
      const rect = overlay.getBoundingClientRect();
      const i = nearestPoint(lapPts, event.clientX - rect.left, event.clientY - rect.top, PICK_PX);
      view.setCursor(i >= 0 ? distance[i] : null, 'map');
    };
    const leave = () => view.setCursor(null, 'map');
    const reset = () => view.setZoom(null, 'map');
    overlay.addEventListener('mousemove', pick);
    overlay.addEventListener('mouseleave', leave);
    overlay.addEventListener('dblclick', reset);
    const stop = view.subscribe((change) => {
      if (change === 'cursor') scheduler.request();
      else {
        drawBase();
        scheduler.request();
      }
    });
    const resize = new ResizeObserver(layout);
    resize.observe(wrap);
    return () => {
      stop();
      resize.disconnect();
      overlay.removeEventListener('mousemove', pick);
      overlay.removeEventListener('mouseleave', leave);
      overlay.removeEventListener('dblclick', reset);
      removeOverlayTask();
      scheduler.cancelPending();
    };
  }, [model, mode, data, view]);

  return (
    <section className="chart track-map" data-testid="track-map" data-available={model ? 'true' : 'false'} ref={boxRef}>
      <header className="chart__head track-map__head">
        <h3>Track map</h3>
        {model && (
          <div className="segmented" role="group" aria-label="Colour the line by">
            <button type="button" className={mode === 'speed' ? 'is-on' : ''} aria-pressed={mode === 'speed'} data-testid="map-colour-speed" onClick={() => setColouring('speed')}>
              Speed
            </button>
            <button
              type="button"
              className={mode === 'delta' ? 'is-on' : ''}
              aria-pressed={mode === 'delta'}
              data-testid="map-colour-delta"
              disabled={!model.deltaBins}
              title={model.deltaBins ? 'Where time is gained or lost against the reference' : 'Needs a reference lap'}
              onClick={() => setColouring('delta')}
            >
              Delta
            </button>
          </div>
        )}
      </header>
      {model ? (
        <>
          <div className="track-map__canvas" ref={wrapRef}>
            <canvas ref={baseRef} data-testid="track-map-line" />
            <canvas ref={overlayRef} className="track-map__overlay" data-testid="track-map-overlay" />
          </div>
          <MapLegend mode={mode} model={model} referenceLabel={data.referenceLabel} />
        </>
      ) : (
        <p className="muted">No world position in this lap's telemetry: the sim does not report one.</p>
      )}
    </section>
  );
}

function MapLegend({ mode, model, referenceLabel }: { mode: Colouring; model: MapModel; referenceLabel: string }) {
  const stops = mode === 'delta' ? DELTA_STOPS : SPEED_STOPS;
  const gradient = `linear-gradient(to right, ${stops.map(([r, g, b]) => `rgb(${r},${g},${b})`).join(', ')})`;
  const [left, right] =
    mode === 'delta'
      ? [`gaining ${Math.round(model.deltaBound)} ms/100 m`, `losing ${Math.round(model.deltaBound)} ms/100 m`]
      : [`${Math.round(model.speedRange[0])} km/h`, `${Math.round(model.speedRange[1])} km/h`];
  return (
    <div className="track-map__legend">
      <span className="mono">{left}</span>
      <span className="track-map__ramp" style={{ background: gradient }} />
      <span className="mono">{right}</span>
      {model.reference && <span className="track-map__ref">thin line: {referenceLabel}</span>}
    </div>
  );
}
