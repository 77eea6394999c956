// A tiny path matcher for the hand-written router: patterns like `/sessions/:id`.

export type RouteParams = Record<string, string>;

export function matchPath(pattern: string, path: string): RouteParams | null {
  const strip = (s: string) => s.replace(/\/+$/, '') || '/';
  const want = strip(pattern).split('/');
  const have = strip(path).split('/');
  if (want.length !== have.length) return null;
  const params: RouteParams = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const h = have[i];
    if (w.startsWith(':')) {
      if (!h) return null;
      try {
        params[w.slice(1)] = decodeURIComponent(h);
      } catch {
        return null;
      }
    } else if (w !== h) {
      return null;
    }
  }
  return params;
}

export const paths = {
  sessions: () => '/',
  session: (id: string) => `/sessions/${encodeURIComponent(id)}`,
  lap: (id: number | string) => `/laps/${encodeURIComponent(String(id))}`,
  /** Lap B drawn against lap A (A is the baseline, like a reference). */
  compare: (a: number | string, b: number | string) => `/compare/${encodeURIComponent(String(a))}/${encodeURIComponent(String(b))}`,
  account: () => '/account',
};
