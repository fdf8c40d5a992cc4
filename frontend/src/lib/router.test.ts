import { describe, expect, it } from 'vitest';
import { jobPath, matchRoute } from './router';

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
