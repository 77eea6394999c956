// The signed-in user in the header (accounts mode only): their name, linking to the account
// page, and Log out. Renders nothing in local mode, so the racer's own PC looks as before.
import { useState } from 'react';
import { useAuth } from '../api/AuthProvider';
import { describeError } from '../api/auth';
import { paths } from '../lib/routes';
import { Link, navigate } from '../router';

export function UserMenu() {
  const auth = useAuth();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (auth.mode !== 'accounts' || !auth.user) return null;

  const signOut = () => {
    setBusy(true);
    setError(null);
    auth.signOut().then(
      // The next person to sign in on this browser starts from the sessions list.
      () => navigate(paths.sessions(), { replace: true }),
      (e: unknown) => {
        setBusy(false);
        setError(`Could not log out: ${describeError(e)}`);
      },
    );
  };

  return (
    <span className="user-menu">
      <Link to={paths.account()} className="user-menu__name" data-testid="header-user" title="Your account: password and ingest tokens">
        {auth.user.username}
      </Link>
      <button type="button" className="button button--small" data-testid="logout" onClick={signOut} disabled={busy}>
        {busy ? 'Logging out…' : 'Log out'}
      </button>
      {error && (
        <span className="user-menu__error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
