// Names and creates an ingest token (`POST /api/tokens`); the answer, with the secret,
// goes to the parent, which shows it once.
import { useState, type FormEvent } from 'react';
import { createToken, describeError, type CreatedToken } from '../api/auth';
import { Field } from './Field';

export function NewTokenForm({ onCreated }: { onCreated: (created: CreatedToken) => void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const trimmed = name.trim();
    if (!trimmed) {
      setError('Name the token after the PC that will use it, e.g. "rig".');
      return;
    }
    setBusy(true);
    setError(null);
    createToken(trimmed).then(
      (created) => {
        setBusy(false);
        setName('');
        onCreated(created);
      },
      (e) => {
        setBusy(false);
        setError(describeError(e));
      },
    );
  };

  return (
    <form className="token-form" onSubmit={submit} noValidate data-testid="token-form">
      <Field label="Token name" name="token-name" data-testid="token-name" placeholder="e.g. rig" autoComplete="off" maxLength={100} value={name} invalid={error != null} onChange={(e) => setName(e.target.value)} />
      <button type="submit" className="button button--primary" data-testid="token-create" disabled={busy}>
        {busy ? 'Creating…' : 'Create token'}
      </button>
      {error && (
        <p className="error token-form__error" role="alert" data-testid="token-error">
          {error}
        </p>
      )}
    </form>
  );
}
