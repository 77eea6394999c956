// Sign in, or create an account when the server's sign-up policy allows it (accounts mode
// only, docs/accounts.md). Shown by the auth gate in place of any page, so after signing in
// the page that was asked for appears. The rules are checked here before asking the server;
// the server's own answer (wrong password, rate limited, username taken) is shown as is.
import { useState, type FormEvent } from 'react';
import { useAuth } from '../api/AuthProvider';
import { describeError, login, signup } from '../api/auth';
import { Brand } from '../components/Header';
import { Field } from '../components/Field';
import { PASSWORD_MIN, passwordProblem, usernameProblem } from '../lib/auth';

type Mode = 'login' | 'signup';
type Problem = { field: 'username' | 'password' | 'confirm' | null; message: string };

export function LoginPage() {
  const auth = useAuth();
  const [mode, setMode] = useState<Mode>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [invite, setInvite] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const canSignUp = auth.signup !== 'closed';
  const signingUp = mode === 'signup' && canSignUp;

  const check = (): Problem | null => {
    const name = username.trim();
    if (!signingUp) {
      if (!name || !password) return { field: name ? 'password' : 'username', message: 'Enter your username and password.' };
      return null;
    }
    const nameProblem = usernameProblem(name);
    if (nameProblem) return { field: 'username', message: nameProblem };
    const pwProblem = passwordProblem(password);
    if (pwProblem) return { field: 'password', message: pwProblem };
    if (confirm !== password) return { field: 'confirm', message: 'The two passwords differ.' };
    return null;
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const found = check();
    setProblem(found);
    if (found) return;
    setBusy(true);
    const name = username.trim();
    const call = signingUp ? signup(name, password, auth.signup === 'invite' ? invite.trim() : undefined) : login(name, password);
    call.then(
      (answer) => auth.signedIn(answer),
      (error) => {
        setBusy(false);
        setProblem({ field: null, message: describeError(error) });
      },
    );
  };

  const switchTo = (next: Mode) => {
    setMode(next);
    setProblem(null);
    setConfirm('');
  };

  const invalid = (field: Problem['field']) => problem?.field === field;
  return (
    <main className="auth-page" data-testid="login-page" data-mode={signingUp ? 'signup' : 'login'}>
      <div className="auth-card">
        <Brand />
        <h1>{signingUp ? 'Create an account' : 'Sign in'}</h1>
        {auth.expired && !signingUp && (
          <p className="note" data-testid="session-expired">
            Your session ended: sign in again.
          </p>
        )}
        <form className="auth-form" onSubmit={submit} noValidate>
          <Field
            label="Username"
            name="username"
            data-testid="login-username"
            autoComplete="username"
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            autoFocus
            value={username}
            invalid={invalid('username')}
            hint={signingUp ? '3 to 32 of a-z, 0-9, _ . -' : undefined}
            onChange={(e) => setUsername(e.target.value)}
          />
          <Field
            label="Password"
            name="password"
            type="password"
            data-testid="login-password"
            autoComplete={signingUp ? 'new-password' : 'current-password'}
            value={password}
            invalid={invalid('password')}
            hint={signingUp ? `At least ${PASSWORD_MIN} characters` : undefined}
            onChange={(e) => setPassword(e.target.value)}
          />
          {signingUp && (
            <Field
              label="Confirm password"
              name="confirm"
              type="password"
              data-testid="login-confirm"
              autoComplete="new-password"
              value={confirm}
              invalid={invalid('confirm')}
              onChange={(e) => setConfirm(e.target.value)}
            />
          )}
          {signingUp && auth.signup === 'invite' && (
            <Field
              label="Invite code"
              name="invite"
              data-testid="login-invite"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              value={invite}
              hint="Ask an admin of this server for one."
              onChange={(e) => setInvite(e.target.value)}
            />
          )}
          {problem && (
            <p className="error auth-form__error" role="alert" data-testid="login-error">
              {problem.message}
            </p>
          )}
          <button type="submit" className="button button--primary auth-form__submit" data-testid="login-submit" disabled={busy}>
            {signingUp ? (busy ? 'Creating account…' : 'Create account') : busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        {canSignUp && (
          <p className="auth-card__switch muted">
            {signingUp ? 'Already have an account? ' : 'No account yet? '}
            <button type="button" className="link-button" data-testid="login-switch" disabled={busy} onClick={() => switchTo(signingUp ? 'login' : 'signup')}>
              {signingUp ? 'Sign in' : 'Create one'}
            </button>
          </p>
        )}
      </div>
    </main>
  );
}
