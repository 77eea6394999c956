// One ingest token in the account page's list: when it was made and last used, whether it
// is revoked, and Revoke behind an in-page confirm (as the sessions list deletes).
import { useState } from 'react';
import { describeError, revokeToken, type IngestToken } from '../api/auth';
import { formatDateTime, formatRelativeTime } from '../lib/format';

export function TokenRow({ token, now, onChanged }: { token: IngestToken; now: number; onChanged: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const revoked = token.revoked_at_ms != null;

  const revoke = () => {
    setBusy(true);
    setError(null);
    revokeToken(token.id).then(
      () => {
        setBusy(false);
        setConfirming(false);
        onChanged();
      },
      (e) => {
        setBusy(false);
        setError(describeError(e));
      },
    );
  };

  return (
    <tr className={`token-row ${revoked ? 'token-row--revoked' : ''}`} data-testid="token-row" data-token-id={token.id} data-revoked={revoked ? 'true' : 'false'}>
      <td className="token-row__name">
        <span data-testid="token-row-name">{token.name}</span>
        {error && (
          <span className="error token-row__error" role="alert">
            {error}
          </span>
        )}
      </td>
      <td className="muted" title={formatDateTime(token.created_at_ms)}>
        {formatRelativeTime(token.created_at_ms, now)}
      </td>
      <td className="muted" data-testid="token-last-used" title={token.last_used_at_ms != null ? formatDateTime(token.last_used_at_ms) : undefined}>
        {formatRelativeTime(token.last_used_at_ms, now)}
      </td>
      <td data-testid="token-status">
        {revoked ? (
          <span className="marker marker--invalid" title={formatDateTime(token.revoked_at_ms)}>
            REVOKED {formatRelativeTime(token.revoked_at_ms, now).toUpperCase()}
          </span>
        ) : (
          <span className="marker marker--valid">ACTIVE</span>
        )}
      </td>
      <td className="token-row__actions">
        {!revoked && !confirming && (
          <button type="button" className="button button--small" data-testid="token-revoke" onClick={() => setConfirming(true)}>
            Revoke
          </button>
        )}
        {!revoked && confirming && (
          <span className="token-row__confirm">
            <span>Revoke? Collectors using it stop at once.</span>
            <button type="button" className="button button--small button--danger" data-testid="token-revoke-confirm" disabled={busy} onClick={revoke}>
              Revoke
            </button>
            <button type="button" className="button button--small" data-testid="token-revoke-cancel" disabled={busy} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        )}
      </td>
    </tr>
  );
}
