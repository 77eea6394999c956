// Who is using the app: asks `GET /api/auth/me` once at start (docs/accounts.md) and shares
// the answer. In `local` mode nothing changes for the racer; in `accounts` mode the gate
// (components/AuthGate.tsx) shows the login page until someone signs in, and again
// when any call answers 401 `unauthenticated`.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { backoffDelay } from '../lib/backoff';
import { getMe, logout, type AuthMode, type SignedIn, type SignupPolicy, type User } from './auth';
import { ApiError, UNAUTHENTICATED_EVENT } from './rest';

type AuthState =
  | { status: 'loading'; failures: number }
  | { status: 'ready'; mode: AuthMode; signup: SignupPolicy; user: User | null; expired: boolean };

export interface Auth {
  mode: AuthMode;
  signup: SignupPolicy;
  /** The signed-in user; null in accounts mode before login (and possibly always in local mode). */
  user: User | null;
  /** True when the login page shows because a session ended, not because none was started. */
  expired: boolean;
  /** Call with the answer of login or sign-up. */
  signedIn: (answer: SignedIn) => void;
  /** Logs out on the server, then shows the login page; rejects when the server could not be told. */
  signOut: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

/** Servers from before accounts have no `/api/auth/me`: they are local. */
const LOCAL_FALLBACK = { mode: 'local', signup: 'closed', user: null } as const;

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading', failures: 0 });
  const [generation, setGeneration] = useState(0);

  // Ask the server who we are; retried with backoff while it cannot be reached.
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = (failures: number) => {
      getMe(abort.signal).then(
        (me) => setState((s) => ({ status: 'ready', mode: me.mode, signup: me.signup, user: me.user, expired: s.status === 'ready' && s.expired && !me.user })),
        (error) => {
          if (abort.signal.aborted) return;
          if (error instanceof ApiError && error.status === 404) {
            setState({ status: 'ready', ...LOCAL_FALLBACK, expired: false });
            return;
          }
          // Keep a page already shown; only the first load waits on this.
          setState((s) => (s.status === 'loading' ? { status: 'loading', failures: failures + 1 } : s));
          timer = setTimeout(() => attempt(failures + 1), backoffDelay(failures));
        },
      );
    };
    attempt(0);
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [generation]);

  // Any call answering 401 `unauthenticated`: the session is gone, show the login page and refresh the policy.
  useEffect(() => {
    const onUnauthenticated = () => {
      setState((s) => (s.status === 'ready' && (s.user || s.mode === 'local') ? { ...s, mode: 'accounts', user: null, expired: s.user != null } : s));
      setGeneration((g) => g + 1);
    };
    window.addEventListener(UNAUTHENTICATED_EVENT, onUnauthenticated);
    return () => window.removeEventListener(UNAUTHENTICATED_EVENT, onUnauthenticated);
  }, []);

  const signedIn = useCallback((answer: SignedIn) => {
    setState((s) => (s.status === 'ready' ? { ...s, user: answer.user, expired: false } : s));
  }, []);

  const signOut = useCallback(async () => {
    try {
      await logout();
    } catch (error) {
      // Already signed out on the server: nothing left to undo.
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
    setState((s) => (s.status === 'ready' ? { ...s, user: null, expired: false } : s));
  }, []);

  const auth = useMemo<Auth | null>(
    () => (state.status === 'ready' ? { mode: state.mode, signup: state.signup, user: state.user, expired: state.expired, signedIn, signOut } : null),
    [state, signedIn, signOut],
  );

  if (!auth) return <Starting failures={state.status === 'loading' ? state.failures : 0} />;
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth needs an <AuthProvider>');
  return auth;
}

/** True when the app may be shown: local mode, or a signed-in user. */
export function isAllowedIn(auth: Pick<Auth, 'mode' | 'user'>): boolean {
  return auth.mode === 'local' || auth.user != null;
}

/** The blank page while `/api/auth/me` is asked: a word only when the server is slow to answer. */
function Starting({ failures }: { failures: number }) {
  return (
    <div className="app starting" aria-busy="true" data-testid="auth-loading">
      {failures > 0 && <p className="muted starting__note">Reaching the server…</p>}
    </div>
  );
}
