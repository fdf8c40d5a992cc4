import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { jobPath, matchRoute, navigate, usePathname } from './router';

describe('matchRoute', () => {
  it('knows the dashboard and the job page, and nothing else', () => {
    expect(matchRoute('/')).toEqual({ name: 'dashboard' });
    expect(matchRoute('/jobs/0b7c-11')).toEqual({ name: 'job', id: '0b7c-11' });
    expect(matchRoute('/jobs/0b7c-11/')).toEqual({ name: 'job', id: '0b7c-11' });
    expect(matchRoute(jobPath('a/b c'))).toEqual({ name: 'job', id: 'a/b c' });
    expect(matchRoute('/jobs/%E0%A4%A')).toEqual({ name: 'not-found', path: '/jobs/%E0%A4%A' });
    expect(matchRoute('/jobs')).toEqual({ name: 'not-found', path: '/jobs' });
  });
});

describe('navigate and usePathname', () => {
  it('pushes history entries and follows back/forward', async () => {
    window.history.replaceState(null, '', '/');
    const { result } = renderHook(() => usePathname());
    expect(result.current).toBe('/');
    act(() => navigate('/jobs/abc'));
    expect(result.current).toBe('/jobs/abc');
    const length = window.history.length;
    act(() => navigate('/jobs/abc'));
    expect(window.history.length).toBe(length); // the same place again adds no entry
    await act(async () => {
      window.history.back();
      await new Promise((r) => window.addEventListener('popstate', r, { once: true }));
    });
    expect(result.current).toBe('/');
  });
});
