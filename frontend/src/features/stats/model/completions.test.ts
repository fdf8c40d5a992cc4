import { describe, expect, it } from 'vitest';
import { completed, makeJob } from '../../../test/fixtures';
import { completionsPerMinute } from './completions';

describe('completionsPerMinute', () => {
  it('buckets finished jobs by minute, oldest first, ignoring unfinished and old ones', () => {
    const now = Date.parse('2026-11-25T12:10:30Z');
    const at = (iso: string) => ({ ...completed(makeJob()), completed_at: iso });
    const buckets = completionsPerMinute(
      [
        at('2026-11-25T12:10:05Z'),
        at('2026-11-25T12:10:25Z'),
        { ...at('2026-11-25T12:09:59Z'), status: 'failed' as const },
        at('2026-11-25T11:40:00Z'),
        makeJob(),
      ],
      now,
      5,
    );
    expect(buckets).toHaveLength(5);
    expect(buckets.at(-1)).toMatchObject({ completed: 2, failed: 0, start: Date.parse('2026-11-25T12:10:00Z') });
    expect(buckets.at(-2)).toMatchObject({ completed: 0, failed: 1 });
    expect(buckets.slice(0, 3).every((b) => b.completed + b.failed === 0)).toBe(true);
  });
});
