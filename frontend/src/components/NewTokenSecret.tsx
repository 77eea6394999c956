// The secret of a just-created ingest token, shown this once (the server keeps only its
// HMAC), with the collector command that uses it. It lives only in the page's state, so
// leaving or reloading the page drops it for good.
import { useId } from 'react';
import { collectorCommand } from '../lib/auth';
import type { CreatedToken } from '../api/auth';
import { CopyButton } from './CopyButton';

export function NewTokenSecret({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
  const command = collectorCommand(window.location.origin, created.secret);
  const secretId = useId();
  return (
    <section className="token-secret" data-testid="token-secret-box" aria-labelledby="token-secret-title">
      <h3 id="token-secret-title">Token “{created.token.name}” created</h3>
      <p className="token-secret__warning" role="alert">
        Copy the token now: it will not be shown again. If you lose it, revoke it and create a new one.
      </p>
      <div className="field">
        <label className="field__label" htmlFor={secretId}>
          Token
        </label>
        <span className="token-secret__row">
          <input id={secretId} className="field__input mono" data-testid="token-secret" value={created.secret} readOnly spellCheck={false} onFocus={(e) => e.currentTarget.select()} />
          <CopyButton text={created.secret} testId="token-secret-copy" />
        </span>
      </div>
      <div className="field">
        <span className="field__label">Run the collector on that PC</span>
        <span className="token-secret__row">
          <code className="token-secret__command" data-testid="token-command">
            {command}
          </code>
          <CopyButton text={command} label="Copy command" testId="token-command-copy" />
        </span>
        <span className="field__hint">
          Replace <code>ac</code> with your sim: <code>acc</code>, <code>f1</code>, <code>forza</code> or <code>outgauge</code>.
        </span>
      </div>
      <div>
        <button type="button" className="button" data-testid="token-secret-done" onClick={onDone}>
          I have copied it
        </button>
      </div>
    </section>
  );
}
