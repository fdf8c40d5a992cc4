import { type MouseEvent, useSyncExternalStore } from 'react';

/**
 * The app's two routes on the History API (about 40 lines, no dependency): `/` is the
 * dashboard, `/jobs/{id}` one job. A router library would add 10–20 KB gzipped for
 * features (nested routes, loaders) two flat routes never use.
 */
export type Route = { name: 'dashboard' } | { name: 'job'; id: string } | { name: 'not-found'; path: string };

const NAVIGATE_EVENT = 'packamal:navigate';

export function matchRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'dashboard' };
  const job = /^\/jobs\/([^/]+)\/?$/.exec(pathname);
  if (job?.[1]) {
    try {
      return { name: 'job', id: decodeURIComponent(job[1]) };
    } catch {
      return { name: 'not-found', path: pathname };
    }
  }
  return { name: 'not-found', path: pathname };
}

export function jobPath(id: string): string {
  return `/jobs/${encodeURIComponent(id)}`;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const currentPath = () => window.location.pathname;

/** The current pathname; re-renders on back/forward and on `navigate`. */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, currentPath, () => '/');
}

export function navigate(to: string): void {
  if (to === window.location.pathname + window.location.search) return;
  window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  document.documentElement.scrollTop = 0;
}

/** An <a onClick> for in-app links: a plain click navigates in place; ctrl/cmd/middle-click opens a tab as usual. */
export function followLink(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.getAttribute('href') ?? '/');
}
