// A lap's charts and its track map side by side, following one LapView (shared cursor,
// zoom and reference toggle), with a line saying how to zoom.
import { useSyncExternalStore } from 'react';
import type { LapView } from '../lib/lapView';
import type { LapViewData } from '../lib/viewData';
import { LapCharts } from './LapCharts';
import { TrackMap } from './TrackMap';

/** Re-renders on zoom changes only (the cursor never renders React). */
function useZoom(view: LapView) {
  return useSyncExternalStore(
    (notify) => view.subscribe((change) => change === 'zoom' && notify()),
    () => view.zoom,
  );
}

/** Whether the reference lap is shown (the `r` key); re-renders on that only. */
export function useReferenceShown(view: LapView): boolean {
  return useSyncExternalStore(
    (notify) => view.subscribe((change) => change === 'reference' && notify()),
    () => view.showReference,
  );
}

export function LapViews({ data, view }: { data: LapViewData; view: LapView }) {
  const zoom = useZoom(view);
  return (
    <div className="lap-views" data-testid="lap-views">
      <div className="lap-views__main">
        <p className="muted lap-views__help" data-testid="zoom-state">
          {zoom ? (
            <>
              Showing {Math.round(zoom[0])}–{Math.round(zoom[1])} m.{' '}
              <button type="button" className="button button--small" data-testid="zoom-reset" onClick={() => view.setZoom(null)}>
                Show the whole lap
              </button>
            </>
          ) : (
            'Drag across any chart to zoom every chart and the map; double-click to zoom out.'
          )}
        </p>
        <LapCharts data={data} view={view} />
      </div>
      <aside className="lap-views__side">
        <TrackMap data={data} view={view} />
      </aside>
    </div>
  );
}
