// `/account`: the signed-in user's password and ingest tokens (docs/accounts.md). In local
// mode there are no accounts and collectors need no token, and the page says only that.
import { useAuth } from '../api/AuthProvider';
import { ChangePasswordForm } from '../components/ChangePasswordForm';
import { IngestTokens } from '../components/IngestTokens';

export function AccountPage() {
  const { mode, user } = useAuth();
  if (mode === 'local' || !user) {
    return (
      <main className="page account" data-testid="account-page" data-mode="local">
        <div className="page__head">
          <h1>Account</h1>
        </div>
        <p className="note" data-testid="account-local">
          Local mode: no accounts, collectors need no token.
        </p>
      </main>
    );
  }
  return (
    <main className="page account" data-testid="account-page" data-mode="accounts">
      <div className="page__head">
        <h1>Account</h1>
        <span className="muted" data-testid="account-username">
          {user.username}
          {user.role === 'admin' ? ' · admin' : ''}
        </span>
      </div>
      <section className="panel account__section" aria-labelledby="account-tokens">
        <h2 id="account-tokens">Ingest tokens</h2>
        <IngestTokens />
      </section>
      <section className="panel account__section" aria-labelledby="account-password">
        <h2 id="account-password">Change password</h2>
        <ChangePasswordForm username={user.username} />
      </section>
    </main>
  );
}
