// Changes the signed-in user's password (`POST /api/auth/password`). The server signs out
// every other session of the user; this one stays signed in.
import { useState, type FormEvent } from 'react';
import { changePassword, describeError } from '../api/auth';
import { PASSWORD_MIN, passwordProblem } from '../lib/auth';
import { Field } from './Field';

type Outcome = { ok: true } | { ok: false; field: 'current' | 'next' | 'confirm' | null; message: string };

export function ChangePasswordForm({ username }: { username: string }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const check = (): Outcome | null => {
    if (!current) return { ok: false, field: 'current', message: 'Enter your current password.' };
    const problem = passwordProblem(next);
    if (problem) return { ok: false, field: 'next', message: problem.replace('Password', 'The new password') };
    if (confirm !== next) return { ok: false, field: 'confirm', message: 'The two new passwords differ.' };
    return null;
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const problem = check();
    setOutcome(problem);
    if (problem) return;
    setBusy(true);
    changePassword(current, next).then(
      () => {
        setBusy(false);
        setCurrent('');
        setNext('');
        setConfirm('');
        setOutcome({ ok: true });
      },
      (error) => {
        setBusy(false);
        setOutcome({ ok: false, field: null, message: describeError(error) });
      },
    );
  };

  const invalid = (field: string) => outcome?.ok === false && outcome.field === field;
  return (
    <form className="account-form" onSubmit={submit} noValidate data-testid="password-form">
      {/* For password managers: which account this password belongs to. */}
      <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
      <Field label="Current password" type="password" name="current-password" autoComplete="current-password" data-testid="password-current" value={current} invalid={invalid('current')} onChange={(e) => setCurrent(e.target.value)} />
      <Field
        label="New password"
        type="password"
        name="new-password"
        autoComplete="new-password"
        data-testid="password-new"
        hint={`At least ${PASSWORD_MIN} characters`}
        value={next}
        invalid={invalid('next')}
        onChange={(e) => setNext(e.target.value)}
      />
      <Field label="Confirm new password" type="password" name="confirm-password" autoComplete="new-password" data-testid="password-confirm" value={confirm} invalid={invalid('confirm')} onChange={(e) => setConfirm(e.target.value)} />
      {outcome && !outcome.ok && (
        <p className="error" role="alert" data-testid="password-error">
          {outcome.message}
        </p>
      )}
      {outcome?.ok && (
        <p className="success" role="status" data-testid="password-changed">
          Password changed. Your other signed-in browsers were signed out.
        </p>
      )}
      <div>
        <button type="submit" className="button button--primary" data-testid="password-submit" disabled={busy}>
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
