// The account page's ingest tokens: one per PC that runs a collector. Create one (its
// secret shows once), see when each was last used, revoke one that leaked or is retired.
import { useMemo, useState } from 'react';
import { useTokens } from '../api/hooks';
import type { CreatedToken } from '../api/auth';
import { sortTokens } from '../lib/auth';
import { NewTokenForm } from './NewTokenForm';
import { NewTokenSecret } from './NewTokenSecret';
import { TokenRow } from './TokenRow';

export function IngestTokens() {
  const { data, loading, error, reload } = useTokens();
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const tokens = useMemo(() => sortTokens(data), [data]);
  const now = Date.now();

  return (
    <div className="tokens-panel">
      <p className="muted">
        A collector sends telemetry to this server with an ingest token: <code>purplesector collect SIM --server URL --token psi_…</code>. Create one for
        each PC, so a lost one can be revoked alone.
      </p>
      <NewTokenForm
        onCreated={(answer) => {
          setCreated(answer);
          reload();
        }}
      />
      {created && <NewTokenSecret created={created} onDone={() => setCreated(null)} />}
      {error && (
        <p className="error" role="alert">
          Could not load the tokens: {error}{' '}
          <button type="button" className="button button--small" onClick={reload}>
            Retry
          </button>
        </p>
      )}
      {loading && !tokens.length ? (
        <p className="muted">Loading…</p>
      ) : !error && tokens.length === 0 ? (
        <p className="tokens-empty muted" data-testid="tokens-empty">
          No ingest tokens yet: create one for each PC that runs a collector.
        </p>
      ) : tokens.length > 0 ? (
        <table className="tokens" data-testid="token-list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Status</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <TokenRow key={token.id} token={token} now={now} onChanged={reload} />
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
