// The at-a-glance readout: gear, speed, rpm with a bar to the rev limit, lap time, pedals.
import { useEffect, useState } from 'react';
import type { TelemetryFrame } from '../api/types';
import type { FrameScheduler } from '../lib/frameScheduler';
import type { LiveLapBuffer } from '../lib/liveBuffer';
import { formatGear, formatLapTime, formatNumber } from '../lib/format';

/** The latest frame of the buffer, refreshed on the shared animation-frame scheduler. */
function useLatestFrame(buffer: LiveLapBuffer, scheduler: FrameScheduler): TelemetryFrame | null {
  const [frame, setFrame] = useState<TelemetryFrame | null>(buffer.latest);
  useEffect(() => {
    const update = () => setFrame(buffer.latest);
    update();
    return scheduler.add(update);
  }, [buffer, scheduler]);
  return frame;
}

export interface ReadoutProps {
  buffer: LiveLapBuffer;
  scheduler: FrameScheduler;
  /** Best and last lap from the lap list, used when the sim does not report its own timing. */
  bestLapMs: number | null;
  lastLapMs: number | null;
}

export function Readout({ buffer, scheduler, bestLapMs, lastLapMs }: ReadoutProps) {
  const frame = useLatestFrame(buffer, scheduler);
  const rpm = frame?.rpm ?? null;
  const maxRpm = frame?.max_rpm ?? null;
  const rpmFraction = rpm != null && maxRpm ? Math.min(1, Math.max(0, rpm / maxRpm)) : 0;
  const lastLap = frame?.last_lap_time_ms ?? lastLapMs;
  const throttle = Math.round((frame?.throttle ?? 0) * 100);
  const brake = Math.round((frame?.brake ?? 0) * 100);

  return (
    <section className="readout" data-testid="readout">
      <div className="readout__gear">
        <span className="readout__label">Gear</span>
        <span className="readout__gear-value" data-testid="gear">
          {formatGear(frame?.gear)}
        </span>
      </div>
      <div className="readout__main">
        <div className="readout__row">
          <div className="readout__cell">
            <span className="readout__label">Speed</span>
            <span className="readout__big" data-testid="speed">
              {formatNumber(frame?.speed_kmh, 0)}
              <small> km/h</small>
            </span>
          </div>
          <div className="readout__cell">
            <span className="readout__label">Lap {frame ? frame.lap_number + 1 : ''}</span>
            <span className="readout__big mono" data-testid="lap-time">
              {formatLapTime(frame?.current_lap_time_ms)}
            </span>
          </div>
          <div className="readout__cell">
            <span className="readout__label">Last</span>
            <span className="readout__mid mono" data-testid="last-lap">
              {formatLapTime(lastLap)}
            </span>
          </div>
          <div className="readout__cell">
            <span className="readout__label">Best</span>
            <span className="readout__mid mono best-text" data-testid="best-lap">
              {formatLapTime(frame?.best_lap_time_ms ?? bestLapMs)}
            </span>
          </div>
        </div>
        <div className="rpm">
          <span className="readout__label">RPM</span>
          <span className="rpm__value mono" data-testid="rpm">
            {formatNumber(rpm, 0)}
          </span>
          <div
            className={`rpm__bar ${rpmFraction > 0.92 ? 'rpm__bar--limit' : ''}`}
            data-testid="rpm-bar"
            role="meter"
            aria-label="RPM"
            aria-valuemin={0}
            aria-valuemax={maxRpm ?? undefined}
            aria-valuenow={rpm ?? undefined}
          >
            <div className="rpm__fill" style={{ width: `${(rpmFraction * 100).toFixed(1)}%` }} />
          </div>
          <span className="rpm__max muted mono">{maxRpm ? formatNumber(maxRpm, 0) : ''}</span>
        </div>
      </div>
      <div className="pedals" aria-label="Pedals">
        <div className="pedal" title={`Throttle ${throttle}%`}>
          <div className="pedal__track">
            <div className="pedal__fill pedal__fill--throttle" data-testid="throttle" style={{ height: `${throttle}%` }} />
          </div>
          <span className="readout__label">T</span>
        </div>
        <div className="pedal" title={`Brake ${brake}%`}>
          <div className="pedal__track">
            <div className="pedal__fill pedal__fill--brake" data-testid="brake" style={{ height: `${brake}%` }} />
          </div>
          <span className="readout__label">B</span>
        </div>
      </div>
    </section>
  );
}
