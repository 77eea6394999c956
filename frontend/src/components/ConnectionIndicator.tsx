import { useConnectionState } from '../api/LiveProvider';
import type { ConnectionState } from '../api/live';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

export function ConnectionIndicator() {
  const state = useConnectionState();
  return (
    <span className={`connection connection--${state}`} data-testid="connection-state" data-state={state} title={`Live stream: ${LABELS[state]}`}>
      <span className="connection__dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
