// The app's shell: who is using it (AuthProvider, AuthGate), then the header and the page
// for the current path. Pages are listed in ROUTES.
import type { ReactNode } from 'react';
import { AuthProvider } from './api/AuthProvider';
import { AuthGate } from './components/AuthGate';
import { Header } from './components/Header';
import { AccountPage } from './pages/AccountPage';
import { ComparePage } from './pages/ComparePage';
import { LapPage } from './pages/LapPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SessionPage } from './pages/SessionPage';
import { SessionsPage } from './pages/SessionsPage';
import { matchPath, paths, type RouteParams } from './lib/routes';
import { usePath } from './router';

interface Route {
  pattern: string;
  render: (params: RouteParams) => ReactNode;
}

// Pages slot in here.
const ROUTES: Route[] = [
  { pattern: '/', render: () => <SessionsPage /> },
  { pattern: '/sessions/:id', render: ({ id }) => <SessionPage key={id} id={id} /> },
  { pattern: '/laps/:id', render: ({ id }) => <LapPage key={id} id={id} /> },
  { pattern: '/compare/:a/:b', render: ({ a, b }) => <ComparePage key={`${a}/${b}`} a={a} b={b} /> },
  { pattern: paths.account(), render: () => <AccountPage /> },
];

function resolve(path: string): ReactNode {
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, path);
    if (params) return route.render(params);
  }
  return <NotFoundPage />;
}

function Shell() {
  const path = usePath();
  return (
    <div className="app">
      <Header />
      {resolve(path)}
    </div>
  );
}

export function App() {
  return (
    <AuthProvider>
      <AuthGate>
        <Shell />
      </AuthGate>
    </AuthProvider>
  );
}
