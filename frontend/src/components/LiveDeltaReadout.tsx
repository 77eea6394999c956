// The big live delta to the session's best lap (+0.123 behind in red, −0.456 ahead in
// green, purple when ahead on a lap that can still count, i.e. on the pace of a new best).
// The number is written straight into the DOM on the shared FrameScheduler, so it follows
// every frame without a React render; React renders only when the best lap changes.
import { useEffect, useRef } from 'react';
import type { LiveBest } from '../api/liveBest';
import type { FrameScheduler } from '../lib/frameScheduler';
import { formatLapTime } from '../lib/format';
import { deltaTone, formatLiveDelta } from '../lib/liveDelta';
import type { LiveLapBuffer } from '../lib/liveBuffer';

function bestNote(best: LiveBest): string {
  switch (best.state) {
    case 'none':
      return 'No best lap yet: the delta starts once a valid lap is stored';
    case 'loading':
      return `Loading lap ${best.lap?.lap_number}…`;
    case 'error':
      return `Could not load the best lap: ${best.error}`;
    default:
      return best.reference
        ? `vs best lap ${best.lap?.lap_number} · ${formatLapTime(best.lap?.lap_time_ms)}`
        : `Lap ${best.lap?.lap_number} has no lap distance and time to compare with`;
  }
}

export function LiveDeltaReadout({ buffer, scheduler, best }: { buffer: LiveLapBuffer; scheduler: FrameScheduler; best: LiveBest }) {
  const boxRef = useRef<HTMLElement>(null);
  const valueRef = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    const box = boxRef.current;
    const value = valueRef.current;
    if (!box || !value) return;
    let drawnVersion = -1;
    const draw = () => {
      if (buffer.version === drawnVersion) return;
      drawnVersion = buffer.version;
      const seconds = buffer.current?.lastDelta ?? null;
      const ms = seconds == null ? null : seconds * 1000;
      const latest = buffer.latest;
      const text = formatLiveDelta(ms);
      const tone = deltaTone(ms, latest != null && !latest.lap_invalid && !latest.in_pit);
      if (value.textContent !== text) value.textContent = text;
      if (box.dataset.tone !== tone) box.dataset.tone = tone;
      box.dataset.deltaMs = ms == null ? '' : ms.toFixed(0);
    };
    draw();
    return scheduler.add(draw);
  }, [buffer, scheduler]);

  return (
    // The value and data-tone are the draw task's alone (React never renders them).
    <section className="live-delta" data-testid="live-delta" data-best-lap={best.lap?.id ?? ''} ref={boxRef}>
      <span className="readout__label">Delta to best</span>
      <span className="live-delta__value mono" data-testid="live-delta-value" ref={valueRef} />
      <span className="live-delta__note muted" data-testid="live-delta-note">
        {bestNote(best)}
      </span>
    </section>
  );
}
