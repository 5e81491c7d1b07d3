/**
 * Hash routes (#/mailboxes/…): the server only ever serves index.html at "/", so a reload or a
 * shared link never needs a server-side fallback.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route = { path: string; parts: string[] };

function current(): Route {
  const path = location.hash.replace(/^#/, '') || '/';
  return { path, parts: path.split('/').filter((p) => p !== '').map(decodeURIComponent) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const on = () => setRoute(current());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function go(path: string): void {
  location.hash = path;
}

export const href = (path: string) => `#${path}`;
