// Keeps the app behind the login page in accounts mode. The login page takes the place of
// whatever page was asked for (the URL stays), so signing in lands exactly where the user
// wanted to go. The live stream opens only once someone is in, and anew for each user.
import type { ReactNode } from 'react';
import { isAllowedIn, useAuth } from '../api/AuthProvider';
import { LiveProvider } from '../api/LiveProvider';
import { LoginPage } from '../pages/LoginPage';

export function AuthGate({ children }: { children: ReactNode }) {
  const auth = useAuth();
  if (!isAllowedIn(auth)) return <LoginPage />;
  return <LiveProvider key={auth.user?.id ?? 'local'}>{children}</LiveProvider>;
}
