// The bar on top of every page: home, navigation, the live stream's state, the demo button
// and, in accounts mode, the signed-in user.
import { Link } from '../router';
import { ConnectionIndicator } from './ConnectionIndicator';
import { StartDemoButton } from './StartDemoButton';
import { UserMenu } from './UserMenu';

export function Header() {
  return (
    <header className="header">
      <Brand />
      <nav className="header__nav">
        <Link to="/">Sessions</Link>
      </nav>
      <div className="header__right">
        <ConnectionIndicator />
        <StartDemoButton />
        <UserMenu />
      </div>
    </header>
  );
}

/** The logo and name, linking home (also on the login page). */
export function Brand() {
  return (
    <Link to="/" className="brand" data-testid="brand">
      <svg className="brand__logo" viewBox="0 0 32 32" aria-hidden="true">
        <path d="M6 24 L14 8 L18 16 L26 8" fill="none" stroke="currentColor" strokeWidth="3.5" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      Purple Sector
    </Link>
  );
}
