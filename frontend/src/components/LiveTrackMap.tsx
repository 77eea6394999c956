// The session page's live track map: the session's best lap as the track outline (or,
// before any lap is stored, the path driven so far this lap) and the car as a marker at the
// newest frame's world position. Two stacked canvases: the line (the outline once per best
// lap and size; the path a segment at a time, refitted only when it outgrows its padded
// bounds) and the marker, both drawn on the shared FrameScheduler, so the map follows every
// animation frame without React rendering. Exposes data-mode, data-points, data-car-x/-y
// and data-lap for tests.
import { useEffect, useRef } from 'react';
import type { FrameScheduler } from '../lib/frameScheduler';
import type { LapTrace, LiveLapBuffer } from '../lib/liveBuffer';
import { containsBounds, groundPoint, padBounds, PathExtents, toAspect, type MapOutline, type NorthAxis } from '../lib/liveMap';
import { fitProjection, mapHeight, project, type Projection } from '../lib/trackMap';
import { drawCarMarker } from './mapMarker';

const OUTLINE_COLOUR = 'rgba(226,232,240,0.55)';
const PATH_COLOUR = '#c084fc';

function sizeCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  return ctx;
}

/** Strokes points `from`..`to` of a line; missing positions leave gaps. */
function strokeLine(ctx: CanvasRenderingContext2D, p: Projection, east: ArrayLike<number>, north: ArrayLike<number>, from: number, to: number): void {
  ctx.beginPath();
  let pen = false;
  for (let i = from; i <= to; i++) {
    const e = east[i];
    const n = north[i];
    if (!Number.isFinite(e) || !Number.isFinite(n)) {
      pen = false;
      continue;
    }
    const [x, y] = project(p, e, n);
    if (pen) ctx.lineTo(x, y);
    else ctx.moveTo(x, y);
    pen = true;
  }
  ctx.stroke();
}

/** A short bar across the line at its first point: the start/finish line. */
function drawStartLine(ctx: CanvasRenderingContext2D, p: Projection, outline: MapOutline): void {
  let i = 0;
  while (i < outline.length - 1 && !(Number.isFinite(outline.east[i]) && Number.isFinite(outline.north[i]))) i++;
  let j = i + 1;
  // The first point a few pixels on, for a steady direction.
  while (j < outline.length - 1 && Math.hypot(outline.east[j] - outline.east[i], outline.north[j] - outline.north[i]) * p.scale < 4) j++;
  if (j >= outline.length) return;
  const [x0, y0] = project(p, outline.east[i], outline.north[i]);
  const [x1, y1] = project(p, outline.east[j], outline.north[j]);
  const len = Math.hypot(x1 - x0, y1 - y0);
  if (!(len > 0)) return;
  const [nx, ny] = [-(y1 - y0) / len, (x1 - x0) / len];
  ctx.lineWidth = 3;
  ctx.strokeStyle = '#ecebf3';
  ctx.beginPath();
  ctx.moveTo(x0 - nx * 8, y0 - ny * 8);
  ctx.lineTo(x0 + nx * 8, y0 + ny * 8);
  ctx.stroke();
}

export interface LiveTrackMapProps {
  buffer: LiveLapBuffer;
  scheduler: FrameScheduler;
  /** The session's best lap's line; null before any lap is stored (the current lap's path is drawn instead). */
  outline: MapOutline | null;
}

export function LiveTrackMap({ buffer, scheduler, outline }: LiveTrackMapProps) {
  const boxRef = useRef<HTMLElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const baseRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const box = boxRef.current;
    const wrap = wrapRef.current;
    const base = baseRef.current;
    const overlay = overlayRef.current;
    if (!box || !wrap || !base || !overlay) return;

    let width = 0;
    let height = 0;
    let baseCtx: CanvasRenderingContext2D | null = null;
    let overCtx: CanvasRenderingContext2D | null = null;
    let projection: Projection | null = null;
    let drawnVersion = -1;
    // Path mode: the trace drawn, how much of it, its extents and the fit it is drawn in.
    let trace: LapTrace | null = null;
    let drawn = 0;
    let scanned = 0;
    let extents = new PathExtents();
    let axis: NorthAxis | null = outline?.axis ?? null;

    box.dataset.mode = outline ? 'outline' : 'path';
    box.dataset.outlineLap = outline?.lapId != null ? String(outline.lapId) : '';
    delete box.dataset.drawn;

    const drawOutline = () => {
      if (!outline || !baseCtx) return;
      projection = fitProjection(outline.bounds, width, height);
      baseCtx.clearRect(0, 0, width, height);
      baseCtx.lineWidth = 4;
      baseCtx.strokeStyle = OUTLINE_COLOUR;
      strokeLine(baseCtx, projection, outline.east, outline.north, 0, outline.length - 1);
      drawStartLine(baseCtx, projection, outline);
      box.dataset.points = String(outline.length);
      box.dataset.drawn = 'true';
    };

    /** Adds the current lap's new samples to the path, refitting (a full redraw) when it outgrows its bounds or the lap changed. */
    const drawPath = () => {
      const ctx = baseCtx;
      if (!ctx) return;
      const t = buffer.current;
      if (t !== trace) {
        trace = t;
        drawn = 0;
        scanned = 0;
        extents = new PathExtents();
        projection = null;
        ctx.clearRect(0, 0, width, height);
      }
      if (!t) return;
      const [xs, ys, zs] = [t.column('x'), t.column('y'), t.column('z')];
      for (; scanned < t.length; scanned++) extents.add(xs[scanned], ys[scanned], zs[scanned]);
      const nextAxis = extents.axis;
      const bounds = extents.bounds(nextAxis);
      if (!nextAxis || !bounds) return;
      if (nextAxis !== axis || !projection || !containsBounds(projection.bounds, bounds)) {
        // A fit with room to grow; its bounds are all the canvas shows, which `containsBounds` checks.
        projection = fitProjection(toAspect(padBounds(bounds), width, height), width, height);
        axis = nextAxis;
        drawn = 0;
        ctx.clearRect(0, 0, width, height);
      }
      const north = axis === 'z' ? zs : ys;
      if (t.length > drawn) {
        ctx.lineWidth = 3;
        ctx.strokeStyle = PATH_COLOUR;
        strokeLine(ctx, projection, xs, north, Math.max(0, drawn - 1), t.length - 1);
        drawn = t.length;
      }
      box.dataset.points = String(drawn);
      box.dataset.drawn = 'true';
    };

    const drawMarker = () => {
      const ctx = overCtx;
      if (!ctx) return;
      ctx.clearRect(0, 0, width, height);
      const point = axis ? groundPoint(buffer.latest?.world_position, axis) : null;
      if (!point || !projection) {
        box.dataset.carX = '';
        box.dataset.carY = '';
        return;
      }
      const [x, y] = project(projection, point[0], point[1]);
      drawCarMarker(ctx, x, y);
      box.dataset.carX = x.toFixed(1);
      box.dataset.carY = y.toFixed(1);
    };

    const draw = () => {
      if (buffer.version === drawnVersion) return;
      drawnVersion = buffer.version;
      if (!outline) drawPath();
      drawMarker();
      box.dataset.lap = buffer.current ? String(buffer.current.lapNumber) : '';
    };

    const layout = () => {
      const w = Math.max(160, Math.floor(wrap.clientWidth));
      const h = outline ? mapHeight(outline.bounds, w, 200, 420) : Math.round(Math.min(360, Math.max(200, w * 0.75)));
      if (w === width && h === height) return;
      width = w;
      height = h;
      baseCtx = sizeCanvas(base, width, height);
      overCtx = sizeCanvas(overlay, width, height);
      if (outline) drawOutline();
      else trace = null; // the whole path is redrawn at the new size
      drawnVersion = -1;
      draw();
    };
    layout();

    const removeTask = scheduler.add(draw);
    const resize = new ResizeObserver(layout);
    resize.observe(wrap);
    return () => {
      removeTask();
      resize.disconnect();
    };
  }, [buffer, scheduler, outline]);

  return (
    <section className="chart live-map" data-testid="live-map" ref={boxRef}>
      <header className="chart__head">
        <h3>Track map</h3>
        <span className="chart__unit">{outline ? 'best lap' : 'this lap so far'}</span>
      </header>
      <div className="track-map__canvas" ref={wrapRef}>
        <canvas ref={baseRef} data-testid="live-map-line" />
        <canvas ref={overlayRef} className="track-map__overlay live-map__overlay" data-testid="live-map-overlay" />
      </div>
    </section>
  );
}
